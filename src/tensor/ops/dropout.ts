// Dropout as PyTorch 1.13 computes it on the CPU (ATen's `_dropout_impl`, no fused kernel there):
// noise = empty_like(x).bernoulli_(1 − p); noise.div_(1 − p); out = x · noise. The noise is a
// plain tensor and the product the ordinary elementwise mul, so the backward is mul's: grad · noise.
import { defaultGenerator, type Generator } from '../../random/index.js';
import type { Tensor } from '../tensor.js';
import { emptyFloat, requireFloat } from './alloc.js';
import { mul } from './elementwise.js';

/**
 * F.dropout(x, p, training): each element kept with probability 1 − p and scaled by 1/(1 − p),
 * drawn from `generator` (PyTorch's default generator when absent) in element order, one double
 * uniform per element. Not training, p = 0 or no elements: `x` itself, no draws. p = 1: x · 0, no draws.
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  const dtype = requireFloat(x, 'dropout');
  if (!training || p === 0 || x.numel === 0) return x;
  if (p === 1) return mul(x, 0);
  const q = 1 - p; // a double, as ATen's `1 - p`
  const noise = emptyFloat(dtype, x.shape);
  const d = noise.floatData;
  generator.bernoulli(d, q);
  // div_ by the scalar in the tensor's dtype: float32 keeps fround(1 / fround(1 − p))
  const scale = dtype === 'float32' ? Math.fround(1 / Math.fround(q)) : 1 / q;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) d[i] = scale;
  return mul(x, noise);
}
