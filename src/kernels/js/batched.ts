// Batched matmul and strided copies: the kernels under (B, T, ·) and (B, H, T, D) tensors.
// A batch index walks `batchShape` (or `shape`) in row-major order; each operand's position is
// Σ index·stride with its own element strides (0 on a broadcast dimension).
import type { FloatArray, MatmulLayout } from '../types.js';
import { matmul, matmulTransA, matmulTransB } from './matmul.js';

/** Offsets Σ i_d·strides[d] of every index of `shape`, row-major (one per batch). */
function offsets(shape: readonly number[], strides: readonly number[]): number[] {
  let out = [0];
  for (let d = 0; d < shape.length; d++) {
    const next: number[] = [];
    for (const o of out) for (let i = 0; i < shape[d]; i++) next.push(o + i * strides[d]);
    out = next;
  }
  return out;
}

/** Elements of one block of out, a, b for a layout (see Backend.matmulBatched). */
export function blockSizes(layout: MatmulLayout, m: number, k: number, n: number): [number, number, number] {
  if (layout === 'nn') return [m * n, m * k, k * n];
  if (layout === 'tn') return [k * n, m * k, m * n];
  return [m * k, m * n, k * n];
}

export function matmulBatched(layout: MatmulLayout, out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number,
  batchShape: readonly number[], outStrides: readonly number[], aStrides: readonly number[], bStrides: readonly number[], accumulate: boolean): void {
  const [so, sa, sb] = blockSizes(layout, m, k, n);
  const oo = offsets(batchShape, outStrides), ao = offsets(batchShape, aStrides), bo = offsets(batchShape, bStrides);
  const mm = layout === 'nn' ? matmul : layout === 'tn' ? matmulTransA : matmulTransB;
  for (let i = 0; i < oo.length; i++) {
    mm(out.subarray(oo[i], oo[i] + so), a.subarray(ao[i], ao[i] + sa), b.subarray(bo[i], bo[i] + sb), m, k, n, accumulate);
  }
}

export function copyStrided(out: FloatArray, a: FloatArray, shape: readonly number[], outStrides: readonly number[],
  aStrides: readonly number[], accumulate: boolean): void {
  const nd = shape.length;
  if (shape.some((s) => s === 0)) return;
  if (nd === 0) { out[0] = accumulate ? out[0] + a[0] : a[0]; return; }
  // the innermost axis as a run; the outer axes by offsets
  const len = shape[nd - 1], os = outStrides[nd - 1], as = aStrides[nd - 1];
  const oo = offsets(shape.slice(0, -1), outStrides.slice(0, -1)), ao = offsets(shape.slice(0, -1), aStrides.slice(0, -1));
  for (let r = 0; r < oo.length; r++) {
    for (let j = 0, p = oo[r], q = ao[r]; j < len; j++, p += os, q += as) out[p] = accumulate ? out[p] + a[q] : a[q];
  }
}
