// Batched matrix product with broadcasting, torch.matmul on 3-D and 4-D tensors:
// (…, m, k) @ (…, k, n) → (broadcast …, m, n). One kernel call forward, one per input backward;
// an input broadcast along a batch dimension (stride 0) gets its blocks' gradients summed.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { broadcastShapes, broadcastStrides, shapeString, stridesOf } from '../shape.js';
import { outputFloat, requireFloat } from './alloc.js';

const scaled = (st: readonly number[], block: number): number[] => st.map((s) => s * block);

/** a @ b for tensors of at least 2 dimensions each, at least one of them more. */
export function matmulBatched(a: Tensor, b: Tensor): Tensor {
  const dtype = requireFloat(a, 'matmul');
  requireFloat(b, 'matmul');
  if (a.ndim < 2 || b.ndim < 2 || a.shape[a.ndim - 1] !== b.shape[b.ndim - 2]) {
    throw new RangeError(`matmul needs (…, m, k) @ (…, k, n), got ${shapeString(a.shape)} @ ${shapeString(b.shape)}`);
  }
  if (a.dtype !== b.dtype) throw new TypeError(`matmul of ${a.dtype} and ${b.dtype}: convert one first`);
  const m = a.shape[a.ndim - 2], k = a.shape[a.ndim - 1], n = b.shape[b.ndim - 1];
  const kn = kernels();
  if (b.ndim === 2) {
    // (…, m, k) @ (k, n) is one (… · m, k) @ (k, n) product on the same storage
    const rows = a.numel / k;
    const out = outputFloat(dtype, [...a.shape.slice(0, -1), n]);
    kn.matmul(out.f, a.f, b.f, rows, k, n, false);
    return record(out, 'MmBackward', [a, b], (g) => {
      const ga = gradOf(a), gb = gradOf(b);
      if (ga !== null) kn.matmulTransB(ga.f, g.f, b.f, rows, k, n, true);
      if (gb !== null) kn.matmulTransA(gb.f, a.f, g.f, rows, k, n, true);
    }, [a, b]);
  }
  let batch: number[];
  try {
    batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw new RangeError(`matmul: batch dimensions of ${shapeString(a.shape)} and ${shapeString(b.shape)} cannot be broadcast together`);
  }
  const aSt = scaled(broadcastStrides(a.shape.slice(0, -2), batch), m * k);
  const bSt = scaled(broadcastStrides(b.shape.slice(0, -2), batch), k * n);
  const oSt = scaled(stridesOf(batch), m * n);
  const out = outputFloat(dtype, [...batch, m, n]);
  kn.matmulBatched('nn', out.f, a.f, b.f, m, k, n, batch, oSt, aSt, bSt, false);
  return record(out, 'BmmBackward', [a, b], (g) => {
    const ga = gradOf(a), gb = gradOf(b);
    // dA = dC·Bᵀ and dB = Aᵀ·dC per block, summed over the blocks an input was broadcast to
    if (ga !== null) kn.matmulBatched('nt', ga.f, g.f, b.f, m, k, n, batch, aSt, oSt, bSt, true);
    if (gb !== null) kn.matmulBatched('tn', gb.f, a.f, g.f, m, k, n, batch, bSt, aSt, oSt, true);
  }, [a, b]);
}
