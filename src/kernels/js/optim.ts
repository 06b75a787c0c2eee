// Optimizer updates (torch.optim semantics), one call per parameter: computed in double and
// rounded to the storage type where PyTorch stores a tensor (so state round-trips through files).
import type { FloatArray } from '../types.js';

/**
 * AdamW (torch.optim.AdamW, amsgrad off), step `t` ≥ 1: p ← p·(1 − lr·wd); m ← β1·m + (1 − β1)·g;
 * v ← β2·v + (1 − β2)·g²; p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps).
 */
export function adamwStep(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, lr: number, beta1: number, beta2: number,
  eps: number, weightDecay: number, t: number): void {
  const decay = 1 - lr * weightDecay;
  const stepSize = lr / (1 - beta1 ** t);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    p[i] = p[i] * decay;
    m[i] = beta1 * m[i] + (1 - beta1) * gi;
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
    p[i] = p[i] - stepSize * (m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps));
  }
}

/**
 * SGD with momentum (torch.optim.SGD): d = g + wd·p; buf ← d on the `first` step, else
 * momentum·buf + (1 − dampening)·d; p ← p − lr·(nesterov ? d + momentum·buf : buf).
 */
export function sgdMomentumStep(p: FloatArray, g: FloatArray, buf: FloatArray, lr: number, momentum: number, dampening: number,
  weightDecay: number, nesterov: boolean, first: boolean): void {
  const n = p.length;
  // d and the Nesterov look-ahead are float32 tensors in PyTorch: rounded likewise (not in float64)
  const f32 = p instanceof Float32Array;
  for (let i = 0; i < n; i++) {
    const x = g[i] + weightDecay * p[i];
    const d = f32 ? Math.fround(x) : x;
    buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
    const y = d + momentum * buf[i];
    const s = nesterov ? (f32 ? Math.fround(y) : y) : buf[i];
    p[i] = p[i] - lr * s;
  }
}

/** Σ a[i]², in double (gradient-norm clipping). */
export function sumSquares(a: FloatArray): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}
