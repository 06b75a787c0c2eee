// makemore.py's transformer Block composed from the library's ops (no module class): pre-LayerNorm,
// causal self-attention with nHead heads, an MLP with NewGELU. Parameters by makemore.py's names
// (ln1/ln2 short for ln_1/ln_2; attn.c_proj and mlp.c_proj the two output projections).
import { Tensor, matmul } from '../../src/tensor/index.js';
import { functional as F } from '../../src/nn/index.js';

/** Shapes of the Block's parameters for embedding size C (Linear weights out × in). */
export function blockParamShapes(C: number): Record<string, number[]> {
  return {
    'ln1.weight': [C], 'ln1.bias': [C],
    'c_attn.weight': [3 * C, C], 'c_attn.bias': [3 * C],
    'attn.c_proj.weight': [C, C], 'attn.c_proj.bias': [C],
    'ln2.weight': [C], 'ln2.bias': [C],
    'c_fc.weight': [4 * C, C], 'c_fc.bias': [4 * C],
    'mlp.c_proj.weight': [C, 4 * C], 'mlp.c_proj.bias': [C],
  };
}

/**
 * makemore.py's CausalSelfAttention between c_attn and c_proj, op by op: qkv (B, T, 3C) → (B, T, C).
 * (src/model/kinds/transformer.ts does it in one op, causalAttention, checked against this.)
 */
export function attentionOpByOp(qkv: Tensor, nHead: number): Tensor {
  const [B, T, C3] = qkv.shape;
  const C = C3 / 3;
  const heads = (t: Tensor): Tensor => t.view(B, T, nHead, C / nHead).transpose(1, 2); // (B, nh, T, hs)
  const [q, k, v] = qkv.split(C, 2).map(heads);
  const att = F.softmax(matmul(q, k.transpose(-2, -1)).mul(1 / Math.sqrt(C / nHead)), -1, { causal: true });
  return matmul(att, v).transpose(1, 2).contiguous().view(B, T, C);
}

/** x + attn(ln_1(x)), then x + mlp(ln_2(x)), on x (B, T, C). */
export function blockForward(x: Tensor, P: (name: string) => Tensor, nHead: number): Tensor {
  const C = x.shape[2];
  // nn.Linear on (B, T, in): x @ Wᵀ + b
  const linear = (t: Tensor, w: string): Tensor => matmul(t, P(`${w}.weight`).T).add(P(`${w}.bias`));
  const y = attentionOpByOp(linear(F.layerNorm(x, [C], P('ln1.weight'), P('ln1.bias')), 'c_attn'), nHead);
  const x2 = x.add(linear(y, 'attn.c_proj'));
  const h = F.layerNorm(x2, [C], P('ln2.weight'), P('ln2.bias'));
  return x2.add(linear(F.gelu(linear(h, 'c_fc')), 'mlp.c_proj'));
}
