// Matmul in the three layouts a Linear layer needs. Loops are ordered so the innermost one walks
// contiguous memory (i-k-j), which V8 turns into tight typed-array loops.
// On float32 arrays each product is rounded to float32 before it is added (and each sum on store):
// PyTorch's sgemm order, one term at a time along the shared axis, as the wasm kernels.
import type { FloatArray, IntArray } from '../types.js';

/** out[m×n] (=|+=) a[m×k] · b[k×n] */
export function matmul(out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number, accumulate: boolean): void {
  if (!accumulate) out.fill(0, 0, m * n);
  const f32 = out instanceof Float32Array;
  for (let i = 0; i < m; i++) {
    const oi = i * n;
    const ai = i * k;
    for (let p = 0; p < k; p++) {
      const av = a[ai + p];
      const bp = p * n;
      if (f32) for (let j = 0; j < n; j++) out[oi + j] += Math.fround(av * b[bp + j]);
      else for (let j = 0; j < n; j++) out[oi + j] += av * b[bp + j];
    }
  }
}

/** out[k×n] (=|+=) a[m×k]ᵀ · b[m×n] */
export function matmulTransA(out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number, accumulate: boolean): void {
  if (!accumulate) out.fill(0, 0, k * n);
  const f32 = out instanceof Float32Array;
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    const bi = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[ai + p];
      const op = p * n;
      if (f32) for (let j = 0; j < n; j++) out[op + j] += Math.fround(av * b[bi + j]);
      else for (let j = 0; j < n; j++) out[op + j] += av * b[bi + j];
    }
  }
}

/** out[m×k] (=|+=) a[m×n] · b[k×n]ᵀ */
export function matmulTransB(out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number, accumulate: boolean): void {
  if (out instanceof Float32Array) {
    // float32: out (when accumulating), then each term added in order (as the wasm NN core)
    for (let i = 0; i < m; i++) {
      const ai = i * n;
      const oi = i * k;
      for (let p = 0; p < k; p++) {
        const bp = p * n;
        let s = accumulate ? out[oi + p] : 0;
        for (let j = 0; j < n; j++) s = Math.fround(s + Math.fround(a[ai + j] * b[bp + j]));
        out[oi + p] = s;
      }
    }
    return;
  }
  for (let i = 0; i < m; i++) {
    const ai = i * n;
    const oi = i * k;
    for (let p = 0; p < k; p++) {
      const bp = p * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += a[ai + j] * b[bp + j];
      out[oi + p] = accumulate ? out[oi + p] + s : s;
    }
  }
}

/** out[c×r] (=|+=) a[r×c]ᵀ */
export function transpose(out: FloatArray | IntArray, a: FloatArray | IntArray, rows: number, cols: number, accumulate: boolean): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0, p = i * cols, q = i; j < cols; j++, p++, q += rows) out[q] = accumulate ? out[q] + a[p] : a[p];
  }
}
