// Per-row norms (LayerNorm, GroupNorm, InstanceNorm, RMSNorm): each row of x[rows×cols] is
// normalised over its own cols values, so no statistic crosses rows (examples). The affine
// weight/bias of row r start at (r mod period)·cols: period 1 is LayerNorm's per-element affine,
// period G is GroupNorm's per-channel affine on (N, C) rows of one group each.
// Statistics accumulate in double and round once on store, like the batch-norm kernels.
import type { FloatArray } from '../types.js';

// x, out, xhat: [rows×cols]; invStd: [rows]; weight, bias: [period×cols]
export function rowNormForward(out: FloatArray, xhat: FloatArray, invStd: FloatArray, x: FloatArray,
  weight: FloatArray | null, bias: FloatArray | null, rows: number, cols: number, period: number, eps: number, centered: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mean = 0;
    if (centered) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += x[o + j];
      mean = s / cols;
    }
    let ss = 0;
    for (let j = 0; j < cols; j++) { const c = x[o + j] - mean; ss += c * c; }
    const is = 1 / Math.sqrt(ss / cols + eps);
    invStd[r] = is;
    const wo = (r % period) * cols;
    for (let j = 0; j < cols; j++) {
      const xh = (x[o + j] - mean) * is;
      xhat[o + j] = xh;
      out[o + j] = (weight === null ? xh : weight[wo + j] * xh) + (bias === null ? 0 : bias[wo + j]);
    }
  }
}

export function rowNormBackward(dx: FloatArray | null, dWeight: FloatArray | null, dBias: FloatArray | null,
  dy: FloatArray, xhat: FloatArray, invStd: FloatArray, weight: FloatArray | null,
  rows: number, cols: number, period: number, centered: boolean): void {
  if (dWeight !== null || dBias !== null) {
    // Σ over the rows that share an affine slot: r ≡ p (mod period)
    for (let p = 0; p < period; p++) {
      for (let j = 0; j < cols; j++) {
        let sw = 0, sb = 0;
        for (let r = p; r < rows; r += period) { const q = r * cols + j; sw += dy[q] * xhat[q]; sb += dy[q]; }
        if (dWeight !== null) dWeight[p * cols + j] += sw;
        if (dBias !== null) dBias[p * cols + j] += sb;
      }
    }
  }
  if (dx === null) return;
  for (let r = 0; r < rows; r++) {
    const o = r * cols, wo = (r % period) * cols;
    // dxhat = dy·weight; dx = invStd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)), no mean term for RMS
    let a = 0, c = 0;
    for (let j = 0; j < cols; j++) {
      const d = weight === null ? dy[o + j] : dy[o + j] * weight[wo + j];
      a += d; c += d * xhat[o + j];
    }
    const md = centered ? a / cols : 0, pr = c / cols, k = invStd[r];
    for (let j = 0; j < cols; j++) {
      const d = weight === null ? dy[o + j] : dy[o + j] * weight[wo + j];
      dx[o + j] += k * (d - md - xhat[o + j] * pr);
    }
  }
}
