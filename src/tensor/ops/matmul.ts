// Matrix product of 2-D tensors: (m×k) @ (k×n) → (m×n); batched operands go to bmm.ts.
// Backward: dA = dC·Bᵀ, dB = Aᵀ·dC, each one kernel call.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { outputFloat, requireFloat } from './alloc.js';
import { matmulBatched } from './bmm.js';

/** a @ b: (m×k) @ (k×n) here; 3-D and 4-D operands with broadcast batch dimensions in bmm.ts. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat(a, 'matmul');
  requireFloat(b, 'matmul');
  if ((a.ndim > 2 && b.ndim >= 2) || (b.ndim > 2 && a.ndim >= 2)) return matmulBatched(a, b);
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    throw new RangeError(`matmul needs (m×k) @ (k×n), got ${shapeString(a.shape)} @ ${shapeString(b.shape)}`);
  }
  if (a.dtype !== b.dtype) throw new TypeError(`matmul of ${a.dtype} and ${b.dtype}: convert one first`);
  const [m, k] = a.shape;
  const n = b.shape[1];
  const out = outputFloat(requireFloat(a, 'matmul'), [m, n]);
  const kn = kernels();
  kn.matmul(out.f, a.f, b.f, m, k, n, false);
  return record(out, 'MatmulBackward', [a, b], (g) => {
    const ga = gradOf(a);
    const gb = gradOf(b);
    if (ga !== null) kn.matmulTransB(ga.f, g.f, b.f, m, k, n, true);
    if (gb !== null) kn.matmulTransA(gb.f, a.f, g.f, m, k, n, true);
  }, [a, b]);
}

/** bias + a @ b in one op (torch.addmm): (m×k) @ (k×n) + (n) → (m×n). The notebook's `h @ W2 + b2`. */
export function addmm(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  requireFloat(a, 'addmm');
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0] || bias.numel !== b.shape[1]) {
    throw new RangeError(`addmm needs bias (n), (m×k) @ (k×n), got ${shapeString(bias.shape)}, ${shapeString(a.shape)} @ ${shapeString(b.shape)}`);
  }
  const [m, k] = a.shape;
  const n = b.shape[1];
  const out = outputFloat(requireFloat(a, 'addmm'), [m, n]);
  const kn = kernels();
  kn.matmul(out.f, a.f, b.f, m, k, n, false);
  kn.binary('add', out.f, out.f, [n, 1], bias.f, [0, 1], [m, n]);
  return record(out, 'AddmmBackward', [bias, a, b], (g) => {
    const ga = gradOf(a);
    const gb = gradOf(b);
    const gbias = gradOf(bias);
    if (ga !== null) kn.matmulTransB(ga.f, g.f, b.f, m, k, n, true);
    if (gb !== null) kn.matmulTransA(gb.f, a.f, g.f, m, k, n, true);
    if (gbias !== null) kn.sumAxis(gbias.f, g.f, 1, m, n, true);
  }, [a, b]);
}
