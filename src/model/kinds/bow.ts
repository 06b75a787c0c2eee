// makemore.py's bag-of-words model (`--type bow`): token and position embeddings, one BoWBlock
// (x + the causal average of x over positions ≤ t, then x + an MLP with tanh), and lm_head.
// Shapes: idx (B, T ≤ blockSize) → x (B, T, C = embedDim) → MLP hidden (B, T, hidden = n_embd2)
// → logits (B, T, vocab). Names as makemore.py's state_dict: wte.weight, wpe.weight,
// context_block.cbow.bias (its causal-mask buffer), context_block.mlp.c_fc.{weight,bias},
// context_block.mlp.c_proj.{weight,bias}, lm_head.{weight,bias}. Init: PyTorch's defaults in
// that order (Embedding N(0, 1); Linear U(±1/√in) weight then bias).
import type { Generator } from '../../random/index.js';
import { Embedding, Linear, Module } from '../../nn/index.js';
import { Tensor, matmul, tensor } from '../../tensor/index.js';
import type { ModelConfig } from '../config.js';
import { SequenceModel, defineSequenceKind } from './sequence.js';
import { causalMask, embedPositions } from './transformer.js';

/**
 * y[b, t] = mean of x[b, 0..t]: makemore.py's softmax over a zero score matrix masked above the
 * diagonal, i.e. weights 1/(t+1), times x.
 */
export class CausalBoW extends Module {
  constructor(readonly blockSize: number) {
    super();
    this.registerBuffer('bias', causalMask(blockSize).view(1, blockSize, blockSize));
  }
  /** x (B, T, C) → (B, T, C) */
  forward(x: Tensor): Tensor {
    const T = x.shape[1];
    // softmax of T zeros over s ≤ t: exp(0)/(t+1), rounded to float32 as PyTorch's
    const w = new Float64Array(T * T);
    for (let t = 0; t < T; t++) w.fill(1 / (t + 1), t * T, t * T + t + 1);
    return matmul(tensor(w, { dtype: x.dtype === 'float64' ? 'float64' : 'float32' }).view(T, T), x); // (T, T) @ (B, T, C), broadcast over B
  }
}

/** makemore.py's BoWBlock mlp: c_fc (C → hidden), tanh, c_proj (hidden → C). */
export class BoWMlp extends Module {
  readonly cFc: Linear;
  readonly cProj: Linear;
  constructor(embedDim: number, hidden: number, g: Generator) {
    super();
    this.cFc = this.registerModule('c_fc', new Linear(embedDim, hidden, { generator: g }));
    this.cProj = this.registerModule('c_proj', new Linear(hidden, embedDim, { generator: g }));
  }
  forward(x: Tensor): Tensor {
    return this.cProj.call(this.cFc.call(x).tanh());
  }
}

/** x + cbow(x), then x + mlp(x), on (B, T, C). */
export class BoWBlock extends Module {
  readonly cbow: CausalBoW;
  readonly mlp: BoWMlp;
  constructor(config: ModelConfig, g: Generator) {
    super();
    this.cbow = this.registerModule('cbow', new CausalBoW(config.blockSize));
    this.mlp = this.registerModule('mlp', new BoWMlp(config.embedDim, config.hidden, g));
  }
  forward(x: Tensor): Tensor {
    const h = x.add(this.cbow.call(x));
    return h.add(this.mlp.call(h));
  }
}

export class BoW extends SequenceModel {
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly contextBlock: BoWBlock;
  readonly lmHead: Linear;
  constructor(config: ModelConfig, g: Generator) {
    super(config);
    this.wte = this.registerModule('wte', new Embedding(config.vocabSize, config.embedDim, { generator: g }));
    this.wpe = this.registerModule('wpe', new Embedding(config.blockSize, config.embedDim, { generator: g }));
    this.contextBlock = this.registerModule('context_block', new BoWBlock(config, g));
    this.lmHead = this.registerModule('lm_head', new Linear(config.embedDim, config.vocabSize, { generator: g }));
  }
  /** idx (B, T ≤ blockSize) int32 → logits (B, T, vocab) */
  forward(idx: Tensor): Tensor {
    return this.lmHead.call(this.contextBlock.call(embedPositions(this.wte, this.wpe, idx)));
  }
}

export const bowKind = defineSequenceKind({
  arch: 'bow',
  description: "makemore.py's bag of words: the causal average of the embeddings, then a tanh MLP",
  create: (config, g) => new BoW(config, g),
});
