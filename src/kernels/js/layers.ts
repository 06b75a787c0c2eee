// Fused layer kernels: embedding gather/scatter, batch norm, softmax and cross-entropy.
// Each backward sits beside its forward. Per-feature statistics accumulate in double.
import type { FloatArray, IntArray } from '../types.js';
import { crossEntropyBackward32, crossEntropyForward32, crossEntropyRows32, logSoftmaxBackward32, logSoftmaxRow } from './logSoftmax.js';

/**
 * Throws when an index is outside [0, bound): a kernel must never read or write past its table
 * (the wasm kernels check the same inside the module).
 */
function checkIndex(idx: IntArray, count: number, bound: number, what: string): void {
  for (let b = 0; b < count; b++) {
    const v = idx[b];
    if (!(v >= 0 && v < bound)) throw new RangeError(`js backend: ${what}: index ${v} at position ${b} is outside [0, ${bound})`);
  }
}

export function gatherRows(out: FloatArray | IntArray, table: FloatArray | IntArray, idx: IntArray, rowLen: number): void {
  if (rowLen > 0) checkIndex(idx, idx.length, Math.floor(table.length / rowLen), 'gatherRows');
  for (let b = 0; b < idx.length; b++) {
    const src = idx[b] * rowLen;
    const dst = b * rowLen;
    for (let j = 0; j < rowLen; j++) out[dst + j] = table[src + j];
  }
}

export function scatterAddRows(gradTable: FloatArray, g: FloatArray, idx: IntArray, rowLen: number): void {
  if (rowLen > 0) checkIndex(idx, idx.length, Math.floor(gradTable.length / rowLen), 'scatterAddRows');
  for (let b = 0; b < idx.length; b++) {
    const dst = idx[b] * rowLen;
    const src = b * rowLen;
    for (let j = 0; j < rowLen; j++) gradTable[dst + j] += g[src + j];
  }
}

// x, out, xhat: [n×f]; meanOut, varOut, invStd, gain, bias: [f]
export function batchNormTrain(out: FloatArray, xhat: FloatArray, meanOut: FloatArray, varOut: FloatArray, invStd: FloatArray,
  x: FloatArray, gain: FloatArray | null, bias: FloatArray | null, n: number, f: number, eps: number, correction: number, epsStd = 0): void {
  for (let j = 0; j < f; j++) {
    let s = 0;
    for (let i = 0, p = j; i < n; i++, p += f) s += x[p];
    const mean = s / n;
    let ss = 0;
    for (let i = 0, p = j; i < n; i++, p += f) { const c = x[p] - mean; ss += c * c; }
    const v = ss / (n - correction);
    const is = 1 / (Math.sqrt(v + eps) + epsStd);
    meanOut[j] = mean;
    varOut[j] = v;
    invStd[j] = is;
    const g = gain === null ? 1 : gain[j];
    const b = bias === null ? 0 : bias[j];
    for (let i = 0, p = j; i < n; i++, p += f) {
      const xh = (x[p] - mean) * is;
      xhat[p] = xh;
      out[p] = g * xh + b;
    }
  }
}

export function batchNormEval(out: FloatArray, x: FloatArray, mean: FloatArray, varOrStd: FloatArray, isStd: boolean,
  gain: FloatArray | null, bias: FloatArray | null, n: number, f: number, eps: number): void {
  for (let j = 0; j < f; j++) {
    const sd = isStd ? varOrStd[j] : Math.sqrt(varOrStd[j] + eps);
    const m = mean[j];
    const g = gain === null ? 1 : gain[j];
    const b = bias === null ? 0 : bias[j];
    for (let i = 0, p = j; i < n; i++, p += f) out[p] = g * ((x[p] - m) / sd) + b;
  }
}

export function batchNormEvalBackward(dx: FloatArray | null, dGain: FloatArray | null, dBias: FloatArray | null, dy: FloatArray, x: FloatArray,
  mean: FloatArray, varOrStd: FloatArray, isStd: boolean, gain: FloatArray | null, n: number, f: number, eps: number): void {
  for (let j = 0; j < f; j++) {
    const sd = isStd ? varOrStd[j] : Math.sqrt(varOrStd[j] + eps);
    const g = gain === null ? 1 : gain[j];
    const m = mean[j];
    for (let i = 0, p = j; i < n; i++, p += f) {
      if (dx !== null) dx[p] += (dy[p] * g) / sd;
      if (dGain !== null) dGain[j] += (dy[p] * (x[p] - m)) / sd;
      if (dBias !== null) dBias[j] += dy[p];
    }
  }
}

export function runningAverage(running: FloatArray, batch: FloatArray, momentum: number, scale: number): void {
  const n = running.length;
  for (let j = 0; j < n; j++) running[j] = (1 - momentum) * running[j] + momentum * batch[j] * scale;
}

export function batchNormBackward(dx: FloatArray | null, dGain: FloatArray | null, dBias: FloatArray | null,
  dy: FloatArray, xhat: FloatArray, invStd: FloatArray, gain: FloatArray | null, n: number, f: number, correction: number, epsStd = 0): void {
  for (let j = 0; j < f; j++) {
    let sdy = 0;
    let sdyx = 0;
    for (let i = 0, p = j; i < n; i++, p += f) { sdy += dy[p]; sdyx += dy[p] * xhat[p]; }
    if (dGain !== null) dGain[j] += sdyx;
    if (dBias !== null) dBias[j] += sdy;
    if (dx === null) continue;
    const g = gain === null ? 1 : gain[j];
    // dxhat = g·dy, so Σdxhat = g·sdy and Σdxhat·xhat = g·sdyx
    const k = g * invStd[j];
    const meanDy = sdy / n;
    // d std/dx brings (std + epsStd)/std = 1/(1 − epsStd·invStd) into the projection
    const proj = sdyx / (n - correction) / (1 - epsStd * invStd[j]);
    for (let i = 0, p = j; i < n; i++, p += f) dx[p] += k * (dy[p] - meanDy - xhat[p] * proj);
  }
}

/** Softmax of x[o, o + cols) into out at the same offsets; returns the row's log Σ exp (double). */
export function softmaxRow(out: FloatArray, x: FloatArray, o: number, cols: number): number {
  let mx = -Infinity;
  for (let c = 0; c < cols; c++) if (x[o + c] > mx) mx = x[o + c];
  let s = 0;
  for (let c = 0; c < cols; c++) { const e = Math.exp(x[o + c] - mx); out[o + c] = e; s += e; }
  const inv = 1 / s;
  for (let c = 0; c < cols; c++) out[o + c] *= inv;
  return mx + Math.log(s);
}

export function softmaxRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) softmaxRow(out, x, r * cols, cols);
}

export function logSoftmaxRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
  if (x instanceof Float32Array) {
    const scratch = new Float64Array(cols);
    for (let r = 0; r < rows; r++) logSoftmaxRow(out, x, r * cols, cols, scratch);
    return;
  }
  for (let r = 0; r < rows; r++) logSoftmaxRow64(out, x, r * cols, cols);
}

/** log_softmax of one row in double (float64 tensors: the gradient checks). */
export function logSoftmaxRow64(out: FloatArray, x: FloatArray, o: number, cols: number): void {
  let mx = -Infinity;
  for (let c = 0; c < cols; c++) if (x[o + c] > mx) mx = x[o + c];
  let s = 0;
  for (let c = 0; c < cols; c++) s += Math.exp(x[o + c] - mx);
  const lse = mx + Math.log(s);
  for (let c = 0; c < cols; c++) out[o + c] = x[o + c] - lse;
}

export function softmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += dy[o + c] * y[o + c];
    for (let c = 0; c < cols; c++) dx[o + c] += y[o + c] * (dy[o + c] - dot);
  }
}

export function logSoftmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, rows: number, cols: number): void {
  if (dx instanceof Float32Array) { logSoftmaxBackward32(dx, dy, y, rows, cols); return; }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += dy[o + c];
    for (let c = 0; c < cols; c++) dx[o + c] += dy[o + c] - Math.exp(y[o + c]) * s;
  }
}

/**
 * Mean cross-entropy: float32 logits as PyTorch's CPU kernels (js/logSoftmax.ts, bit for bit),
 * float64 in double. The log-probabilities go to logProbs for the backward.
 */
export function crossEntropyForward(logProbs: FloatArray, logits: FloatArray, targets: IntArray, rows: number, cols: number): number {
  checkIndex(targets, rows, cols, 'crossEntropyForward target');
  if (logits instanceof Float32Array) return crossEntropyForward32(logProbs, logits, targets, rows, cols);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    logSoftmaxRow64(logProbs, logits, r * cols, cols);
    total -= logProbs[r * cols + targets[r]];
  }
  return total / rows;
}

/** nll[r] = −log softmax(logits row r)[target r] (F.cross_entropy with reduction 'none'). */
export function crossEntropyRows(nll: FloatArray, logits: FloatArray, targets: IntArray, rows: number, cols: number): void {
  checkIndex(targets, rows, cols, 'crossEntropyRows target');
  if (logits instanceof Float32Array) { crossEntropyRows32(nll, logits, targets, rows, cols); return; }
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    logSoftmaxRow64(row, logits.subarray(r * cols, (r + 1) * cols), 0, cols);
    nll[r] = -row[targets[r]];
  }
}

export function crossEntropyBackward(dlogits: FloatArray, logProbs: FloatArray, targets: IntArray, rows: number, cols: number, scale: number): void {
  checkIndex(targets, rows, cols, 'crossEntropyBackward target');
  if (dlogits instanceof Float32Array) { crossEntropyBackward32(dlogits, logProbs, targets, rows, cols, scale); return; }
  const k = scale / rows;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) dlogits[o + c] += k * Math.exp(logProbs[o + c]);
    dlogits[o + targets[r]] -= k;
  }
}
