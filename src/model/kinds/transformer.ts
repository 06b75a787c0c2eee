// makemore.py's Transformer (`--type transformer`, minGPT without dropout): token and position
// embeddings, `layers` pre-LayerNorm blocks (causal self-attention with `heads` heads, then an MLP
// with NewGELU, each added to the residual stream), a final LayerNorm and a bias-free lm_head.
// `dropout` p > 0 puts back minGPT's dropouts that sit outside the fused attention op: after
// tok_emb + pos_emb (transformer.drop), after attn.c_proj (attn.resid_dropout) and after mlp.c_proj
// (mlp.dropout), drawn in that forward order from the generator the model was created with;
// minGPT's dropout of the attention weights (attn_dropout) is not there (causalAttention is one op).
// Shapes: idx (B, T ≤ blockSize) → x (B, T, C = embedDim) → logits (B, T, vocab).
// Parameters under makemore.py's state_dict names (transformer.wte.weight, transformer.h.0.ln_1.weight,
// transformer.h.0.attn.c_attn.weight, …, lm_head.weight), plus its causal-mask buffers
// (transformer.h.N.attn.bias, ones below the diagonal), so the state dicts match name for name.
// Init: PyTorch's defaults in makemore.py's construction order (makemore.py does not apply
// minGPT's N(0, 0.02) init): wte, wpe N(0, 1); per block c_attn, attn.c_proj, mlp.c_fc,
// mlp.c_proj U(±1/√in) weight then bias; LayerNorms 1 and 0; lm_head weight U(±1/√C).
import { MakemoreError } from '../../errors.js';
import type { Generator } from '../../random/index.js';
import { Dropout, Embedding, LayerNorm, Linear, Module, Sequential } from '../../nn/index.js';
import { Tensor, causalAttention, gelu, narrow, ones } from '../../tensor/index.js';
import type { ModelConfig } from '../config.js';
import { SequenceModel, defineSequenceKind } from './sequence.js';

export const DEFAULT_HEADS = 4;

/** Multi-head causal self-attention: c_attn (C → 3C: q, k, v), softmax(q·kᵀ/√hs) masked causally, c_proj. */
export class CausalSelfAttention extends Module {
  readonly cAttn: Linear;
  readonly cProj: Linear;
  /** minGPT's resid_dropout after c_proj (only for dropout > 0). */
  readonly residDropout: Dropout | null;
  constructor(readonly embedDim: number, readonly heads: number, blockSize: number, g: Generator, dropout = 0) {
    super();
    this.cAttn = this.registerModule('c_attn', new Linear(embedDim, 3 * embedDim, { generator: g }));
    this.cProj = this.registerModule('c_proj', new Linear(embedDim, embedDim, { generator: g }));
    this.registerBuffer('bias', causalMask(blockSize).view(1, 1, blockSize, blockSize));
    this.residDropout = dropout > 0 ? this.registerModule('resid_dropout', new Dropout(dropout, { generator: g })) : null;
  }
  /** x (B, T, C) → (B, T, C) */
  forward(x: Tensor): Tensor {
    // the heads' attention in one op on the packed (B, T, 3C) q|k|v, output heads side by side
    const y = this.cProj.call(causalAttention(this.cAttn.call(x), this.heads));
    return this.residDropout?.call(y) ?? y;
  }
}

/** The block's MLP (makemore.py's ModuleDict mlp): c_fc (C → 4C), NewGELU, c_proj (4C → C). */
export class TransformerMlp extends Module {
  readonly cFc: Linear;
  readonly cProj: Linear;
  /** minGPT's mlp.dropout after c_proj (only for dropout > 0). */
  readonly dropout: Dropout | null;
  constructor(embedDim: number, g: Generator, dropout = 0) {
    super();
    this.cFc = this.registerModule('c_fc', new Linear(embedDim, 4 * embedDim, { generator: g }));
    this.cProj = this.registerModule('c_proj', new Linear(4 * embedDim, embedDim, { generator: g }));
    this.dropout = dropout > 0 ? this.registerModule('dropout', new Dropout(dropout, { generator: g })) : null;
  }
  forward(x: Tensor): Tensor {
    const y = this.cProj.call(gelu(this.cFc.call(x)));
    return this.dropout?.call(y) ?? y;
  }
}

/** x + attn(ln_1(x)), then x + mlp(ln_2(x)), on (B, T, C). */
export class Block extends Module {
  readonly ln1: LayerNorm;
  readonly attn: CausalSelfAttention;
  readonly ln2: LayerNorm;
  readonly mlp: TransformerMlp;
  constructor(embedDim: number, heads: number, blockSize: number, g: Generator, dropout = 0) {
    super();
    this.ln1 = this.registerModule('ln_1', new LayerNorm(embedDim));
    this.attn = this.registerModule('attn', new CausalSelfAttention(embedDim, heads, blockSize, g, dropout));
    this.ln2 = this.registerModule('ln_2', new LayerNorm(embedDim));
    this.mlp = this.registerModule('mlp', new TransformerMlp(embedDim, g, dropout));
  }
  forward(x: Tensor): Tensor {
    const h = x.add(this.attn.call(this.ln1.call(x)));
    return h.add(this.mlp.call(this.ln2.call(h)));
  }
}

/** makemore.py's `transformer` ModuleDict (wte, wpe, h, ln_f): idx (B, T) → normalised features (B, T, C). */
export class TransformerBody extends Module {
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly h: Sequential;
  readonly lnF: LayerNorm;
  /** minGPT's transformer.drop after tok_emb + pos_emb (only for dropout > 0). */
  readonly drop: Dropout | null;
  constructor(config: ModelConfig, g: Generator) {
    super();
    const { vocabSize: V, blockSize, embedDim: C, layers } = config;
    const heads = config.heads ?? DEFAULT_HEADS;
    const p = config.dropout ?? 0;
    this.wte = this.registerModule('wte', new Embedding(V, C, { generator: g }));
    this.wpe = this.registerModule('wpe', new Embedding(blockSize, C, { generator: g }));
    // no parameters: its place among the modules changes no state_dict name
    this.drop = p > 0 ? this.registerModule('drop', new Dropout(p, { generator: g })) : null;
    const blocks: Block[] = [];
    for (let l = 0; l < layers; l++) blocks.push(new Block(C, heads, blockSize, g, p));
    this.h = this.registerModule('h', new Sequential(...blocks));
    this.lnF = this.registerModule('ln_f', new LayerNorm(C));
  }
  forward(idx: Tensor): Tensor {
    const x = embedPositions(this.wte, this.wpe, idx);
    return this.lnF.call(this.h.call(this.drop?.call(x) ?? x));
  }
}

/** torch.tril(torch.ones(n, n)): makemore.py's causal-mask buffers (the ops mask by position themselves). */
export function causalMask(n: number): Tensor {
  const m = ones([n, n]);
  const d = m.floatData;
  for (let i = 0; i < n; i++) d.fill(0, i * n + i + 1, (i + 1) * n);
  return m;
}

/** wte(idx) + wpe(0..T−1) for idx (B, T ≤ blockSize): (B, T, C). */
export function embedPositions(wte: Embedding, wpe: Embedding, idx: Tensor): Tensor {
  if (idx.ndim !== 2 || idx.dtype !== 'int32') throw new MakemoreError(`a sequence model takes idx (B, T) int32, got ${idx.dtype} of shape (${idx.shape.join(', ')})`);
  const T = idx.shape[1];
  if (T > wpe.numEmbeddings) throw new MakemoreError(`cannot forward a sequence of length ${T}: the block size is only ${wpe.numEmbeddings}`);
  // wpe(arange(T)) is its first T rows
  return wte.call(idx).add(narrow(wpe.weight, 0, 0, T));
}

export class Transformer extends SequenceModel {
  readonly transformer: TransformerBody;
  readonly lmHead: Linear;
  constructor(config: ModelConfig, g: Generator) {
    super(config);
    this.transformer = this.registerModule('transformer', new TransformerBody(config, g));
    this.lmHead = this.registerModule('lm_head', new Linear(config.embedDim, config.vocabSize, { bias: false, generator: g }));
  }
  /** idx (B, T ≤ blockSize) int32 → logits (B, T, vocab) */
  forward(idx: Tensor): Tensor {
    return this.lmHead.call(this.transformer.call(idx));
  }
}

export const transformerKind = defineSequenceKind({
  arch: 'transformer',
  norm: 'layernorm',
  description: "makemore.py's transformer: pre-LayerNorm blocks of causal self-attention and a GELU MLP",
  options: ['heads', 'dropout'],
  validate(config) {
    const heads = config.heads ?? DEFAULT_HEADS;
    if (!Number.isInteger(heads) || heads <= 0) throw new MakemoreError(`heads must be a positive integer, got ${heads}`);
    if (config.embedDim % heads !== 0) throw new MakemoreError(`heads (${heads}) must divide the embedding size (${config.embedDim})`);
    const p = config.dropout;
    if (p !== undefined && !(typeof p === 'number' && p >= 0 && p < 1)) throw new MakemoreError(`dropout must be a number in [0, 1), got ${String(p)}`);
  },
  create: (config, g) => new Transformer(config, g),
  defaults: () => ({ heads: DEFAULT_HEADS }),
});
