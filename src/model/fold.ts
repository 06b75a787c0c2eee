// Folding eval-mode batch norm into the Linear before it: with σ the running std (notebook) or
// sqrt(running_var + eps) (BatchNorm1d), BN(x·Wᵀ) = x·W'ᵀ + b' with
//   W'[o,:] = W[o,:]·γ_o/σ_o,   b'_o = β_o − μ_o·γ_o/σ_o.
// The result is a model without batch norm (norm "none") whose logits equal the original's in
// eval mode up to float32 rounding: one matmul and a bias instead of matmul, normalise, scale.
// Each kind folds its own form (its `fold`); these are the shared pieces.
import type { ModelConfig } from './config.js';

export interface Folded {
  /** (out × in) */
  weight: Float32Array;
  bias: Float32Array;
}

/** W (out × in, or in × out when `inByOut`) and an eval-mode BN of `out` features → W', b'. */
export function foldPair(w: ArrayLike<number>, fanIn: number, fanOut: number, inByOut: boolean,
  gain: ArrayLike<number> | null, beta: ArrayLike<number> | null, mean: ArrayLike<number>, sigma: (j: number) => number): Folded {
  const weight = new Float32Array(fanOut * fanIn);
  const bias = new Float32Array(fanOut);
  for (let o = 0; o < fanOut; o++) {
    const k = (gain === null ? 1 : gain[o]) / sigma(o);
    for (let i = 0; i < fanIn; i++) weight[o * fanIn + i] = (inByOut ? w[i * fanOut + o] : w[o * fanIn + i]) * k;
    bias[o] = (beta === null ? 0 : beta[o]) - mean[o] * k;
  }
  return { weight, bias };
}

/** The config without the batch-norm options (the folded model has none). */
export function withoutBatchNormOptions(c: ModelConfig): Omit<ModelConfig, 'bnEps' | 'bias1' | 'bnEval' | 'groups'> {
  const { bnEps, bias1, bnEval, groups, ...shape } = c;
  void bnEps; void bias1; void bnEval; void groups;
  return shape;
}
