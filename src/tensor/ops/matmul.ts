// Matrix product of 2-D tensors: (m×k) @ (k×n) → (m×n).
// Backward: dA = dC·Bᵀ, dB = Aᵀ·dC, each one kernel call.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { allocFloat, promote, requireFloat } from './alloc.js';

export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat(a, 'matmul');
  requireFloat(b, 'matmul');
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    throw new RangeError(`matmul needs (m×k) @ (k×n), got ${shapeString(a.shape)} @ ${shapeString(b.shape)}`);
  }
  if (a.dtype !== b.dtype) throw new TypeError(`matmul of ${a.dtype} and ${b.dtype}: convert one first`);
  const [m, k] = a.shape;
  const n = b.shape[1];
  const dtype = promote(a, b);
  const out = new Tensor(allocFloat(dtype, m * n), [m, n], dtype);
  const kn = kernels();
  kn.matmul(out.f, a.f, b.f, m, k, n, false);
  return record(out, 'MatmulBackward', [a, b], (g) => {
    const ga = gradOf(a);
    const gb = gradOf(b);
    if (ga !== null) kn.matmulTransB(ga, g, b.f, m, k, n, true);
    if (gb !== null) kn.matmulTransA(gb, a.f, g, m, k, n, true);
  });
}
