// Reductions over the middle axis of an (outer × dim × inner) view of a contiguous array.
// Sums accumulate in double (JS numbers), then round once on store.
import type { FloatArray } from '../types.js';

export function sumAxis(out: FloatArray, a: FloatArray, outer: number, dim: number, inner: number, accumulate: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = 0;
      for (let d = 0, p = o * dim * inner + i; d < dim; d++, p += inner) s += a[p];
      const q = o * inner + i;
      out[q] = accumulate ? out[q] + s : s;
    }
  }
}

export function broadcastAxis(out: FloatArray, g: FloatArray, outer: number, dim: number, inner: number, scale: number): void {
  for (let o = 0; o < outer; o++) {
    for (let d = 0; d < dim; d++) {
      const p = (o * dim + d) * inner;
      const q = o * inner;
      for (let i = 0; i < inner; i++) out[p + i] += g[q + i] * scale;
    }
  }
}

export function varAxis(varOut: FloatArray, meanOut: FloatArray, a: FloatArray, outer: number, dim: number, inner: number, correction: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * dim * inner + i;
      let s = 0;
      for (let d = 0, p = base; d < dim; d++, p += inner) s += a[p];
      const mean = s / dim;
      let ss = 0;
      for (let d = 0, p = base; d < dim; d++, p += inner) { const c = a[p] - mean; ss += c * c; }
      const q = o * inner + i;
      meanOut[q] = mean;
      varOut[q] = ss / (dim - correction);
    }
  }
}

export function varBackward(dx: FloatArray, g: FloatArray, a: FloatArray, mean: FloatArray, std: FloatArray | null,
  outer: number, dim: number, inner: number, correction: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const q = o * inner + i;
      // dvar/dx = 2(x − mean)/(n − c); dstd/dx = (x − mean)/((n − c)·std)
      const s = std !== null ? g[q] / ((dim - correction) * std[q]) : (2 * g[q]) / (dim - correction);
      for (let d = 0, p = o * dim * inner + i; d < dim; d++, p += inner) dx[p] += s * (a[p] - mean[q]);
    }
  }
}
