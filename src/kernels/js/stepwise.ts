// The part-5 lecture's batch norm as PyTorch 1.13 (CPU, float32) computes it op by op, bit for bit:
//   xmean = x.mean((0,1)); xvar = x.var((0,1)); xhat = (x − xmean)/sqrt(xvar + eps); out = γ·xhat + β
// and autograd's backward of that expression. Every op rounds to float32 where PyTorch's does;
// column sums over the n rows follow ATen's cascade sum (SumKernel.cpp), the variance is ATen's
// double accumulation rounded once. x is (n × f) row-major (a (B, T, f) input is n = B·T rows).
import type { FloatArray } from '../types.js';

const f32 = Math.fround;
const LEVELS = 4;

/**
 * Σ v[start + i·stride], i < size, in ATen's multi_row_sum order: float32 partial sums in
 * levels, each level taking 2^levelPower of the one below (levelPower ≥ 4).
 */
function cascade(v: FloatArray, start: number, stride: number, size: number): number {
  const levelPower = Math.max(4, Math.floor(ceilLog2(size) / LEVELS));
  const step = 1 << levelPower;
  const mask = step - 1;
  const acc = [0, 0, 0, 0];
  let i = 0;
  while (i + step <= size) {
    for (let j = 0; j < step; j++, i++) acc[0] = f32(acc[0] + v[start + i * stride]);
    for (let j = 1; j < LEVELS; j++) {
      acc[j] = f32(acc[j] + acc[j - 1]);
      acc[j - 1] = 0;
      if ((i & (mask << (j * levelPower))) !== 0) break;
    }
  }
  for (; i < size; i++) acc[0] = f32(acc[0] + v[start + i * stride]);
  for (let j = 1; j < LEVELS; j++) acc[0] = f32(acc[0] + acc[j]);
  return acc[0];
}

function ceilLog2(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}

/**
 * out[j] = Σ_i v[i·f + j] over n rows, as PyTorch's sum over the rows of a contiguous (n × f)
 * float32 tensor (vectorized_outer_sum): columns in blocks of 32 (4 AVX2 vectors) cascade over
 * the rows; the remaining columns are each summed as 4 interleaved cascades (row_sum, ILP 4)
 * whose leftover rows go to the first, then added in order.
 */
export function columnSums(out: FloatArray, v: FloatArray, n: number, f: number): void {
  const blocked = f - (f % 32);
  for (let j = 0; j < blocked; j++) out[j] = cascade(v, j, f, n);
  const rows4 = Math.floor(n / 4);
  for (let j = blocked; j < f; j++) {
    const part = [0, 1, 2, 3].map((k) => cascade(v, k * f + j, 4 * f, rows4));
    for (let i = rows4 * 4; i < n; i++) part[0] = f32(part[0] + v[i * f + j]);
    out[j] = f32(f32(f32(part[0] + part[1]) + part[2]) + part[3]);
  }
}

export function sumRows(out: FloatArray, a: FloatArray, n: number, f: number, accumulate: boolean): void {
  if (!accumulate) { columnSums(out, a, n, f); return; }
  const col = new Float32Array(f);
  columnSums(col, a, n, f);
  for (let j = 0; j < f; j++) out[j] = f32(out[j] + col[j]);
}

/**
 * Forward in training mode. Writes mean (float32 sum / n), var (double, ÷ (n − 1), rounded once),
 * den = sqrt(var + eps) (float32 ops) and xhat, out; the backward reads x, xhat, mean, den.
 */
export function batchNormStepwise(out: FloatArray, xhat: FloatArray, meanOut: FloatArray, varOut: FloatArray, den: FloatArray,
  x: FloatArray, gain: FloatArray | null, bias: FloatArray | null, n: number, f: number, eps: number): void {
  columnSums(meanOut, x, n, f);
  const epsF = f32(eps);
  for (let j = 0; j < f; j++) {
    const m = f32(meanOut[j] / n);
    meanOut[j] = m;
    let s = 0;
    for (let i = 0, p = j; i < n; i++, p += f) s += x[p];
    const md = s / n;
    let ss = 0;
    for (let i = 0, p = j; i < n; i++, p += f) { const c = x[p] - md; ss += c * c; }
    const v = f32(ss / (n - 1));
    varOut[j] = v;
    const d = f32(Math.sqrt(f32(v + epsF)));
    den[j] = d;
    const g = gain === null ? 1 : gain[j];
    const b = bias === null ? 0 : bias[j];
    for (let i = 0, p = j; i < n; i++, p += f) {
      const xh = f32(f32(x[p] - m) / d);
      xhat[p] = xh;
      out[p] = gain === null && bias === null ? xh : f32(f32(g * xh) + b);
    }
  }
}

/**
 * Autograd's backward of the expression above, node by node in its order: β's and γ's sums,
 * the division's two gradients, sqrt, var (2/(n − 1)·g·(x − mean)), the subtraction's −Σ into the
 * mean, mean's g/n; x's three contributions added as autograd adds them ((sub + var) + mean).
 * `scratch` holds n·f floats.
 */
export function batchNormStepwiseBackward(dx: FloatArray | null, dGain: FloatArray | null, dBias: FloatArray | null, dy: FloatArray,
  x: FloatArray, xhat: FloatArray, mean: FloatArray, den: FloatArray, gain: FloatArray | null, n: number, f: number, scratch: FloatArray): void {
  const nf = n * f;
  const col = new Float32Array(f);
  if (dBias !== null) { columnSums(col, dy, n, f); for (let j = 0; j < f; j++) dBias[j] = f32(dBias[j] + col[j]); }
  if (dGain !== null) {
    for (let p = 0; p < nf; p++) scratch[p] = f32(dy[p] * xhat[p]);
    columnSums(col, scratch, n, f);
    for (let j = 0; j < f; j++) dGain[j] = f32(dGain[j] + col[j]);
  }
  if (dx === null) return;
  // d den = Σ −dxhat·((diff/den)/den), diff/den being xhat itself
  for (let p = 0, j = 0; p < nf; p++, j = j + 1 === f ? 0 : j + 1) {
    const dxh = gain === null ? dy[p] : f32(dy[p] * gain[j]);
    scratch[p] = f32(-dxh * f32(xhat[p] / den[j]));
  }
  const gVar = new Float32Array(f);
  columnSums(gVar, scratch, n, f);
  const c = f32(2 / (n - 1));
  for (let j = 0; j < f; j++) gVar[j] = f32(c * f32(gVar[j] / f32(2 * den[j])));
  // the subtraction's gradient dxhat/den, kept for x and summed (negated) into the mean
  for (let p = 0, j = 0; p < nf; p++, j = j + 1 === f ? 0 : j + 1) {
    const dxh = gain === null ? dy[p] : f32(dy[p] * gain[j]);
    scratch[p] = f32(dxh / den[j]);
  }
  const gMean = new Float32Array(f);
  columnSums(gMean, scratch, n, f);
  for (let j = 0; j < f; j++) gMean[j] = f32(-gMean[j] / n);
  for (let p = 0, j = 0; p < nf; p++, j = j + 1 === f ? 0 : j + 1) {
    const v = f32(f32(scratch[p] + f32(gVar[j] * f32(x[p] - mean[j]))) + gMean[j]);
    dx[p] = f32(dx[p] + v);
  }
}

/** Evaluation mode with the running statistics, op by op: γ·((x − mean)/sqrt(var + eps)) + β. */
export function batchNormEvalStepwise(out: FloatArray, x: FloatArray, mean: FloatArray, variance: FloatArray,
  gain: FloatArray | null, bias: FloatArray | null, n: number, f: number, eps: number): void {
  const epsF = f32(eps);
  const den = new Float32Array(f);
  for (let j = 0; j < f; j++) den[j] = f32(Math.sqrt(f32(variance[j] + epsF)));
  // row by row: a whole split's rows stream through once
  for (let i = 0, p = 0; i < n; i++) {
    for (let j = 0; j < f; j++, p++) {
      const xh = f32(f32(x[p] - mean[j]) / den[j]);
      out[p] = gain === null && bias === null ? xh : f32(f32((gain === null ? 1 : gain[j]) * xh) + (bias === null ? 0 : bias[j]));
    }
  }
}

/** running = (1 − momentum)·running + momentum·batch, each product and the sum in float32. */
export function runningAverageStepwise(running: FloatArray, batch: FloatArray, momentum: number): void {
  const keep = f32(1 - momentum);
  const take = f32(momentum);
  for (let j = 0; j < running.length; j++) running[j] = f32(f32(keep * running[j]) + f32(take * batch[j]));
}
