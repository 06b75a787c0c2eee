// F.cross_entropy on float32 as PyTorch 1.13's CPU kernels compute it (AVX2, no MKL), bit for bit:
//   log_softmax (SoftMaxKernel.cpp _vec_log_softmax_lastdim): m = max; S = Σ exp(x − m) summed in
//     8 AVX2 lanes, the lanes then folded by ATen's vec_reduce_all shuffles; L = log S;
//     out = (x − m) − L. exp and log are SLEEF's expf/logf (u10), as Vectorized<float> calls them.
//   nll_loss (LossNLL.cpp nll_loss_out_frame): Σ −out[target] in a cascade of 8 float32 partial
//     sums (levels of 16 rows), ÷ the row count in float32.
//   backward: nll's −g/n at the target, then log_softmax's dx = dy − exp(y)·Σdy, which GCC
//     compiles to one fused multiply-add.
// Every value is float32 (held in a JS number, rounded with Math.fround).
import type { FloatArray, IntArray } from '../types.js';
import { expf, fmaf, logf } from './sleef.js';

const f32 = Math.fround;
const LANES = 8;
const CASCADE_LEVELS = 8;

/**
 * Σ v[o + c], c < cols, in ATen's order for a float32 row (vec::reduce_all / map_reduce_all on
 * AVX2): 8 lane sums over whole vectors, a short tail added into its first lanes, then the lanes
 * folded as 0+4, 2+6 / 1+5, 3+7 (three shuffles); fewer than 8 values are added left to right.
 */
export function laneSum(v: ArrayLike<number>, o: number, cols: number): number {
  if (cols < LANES) {
    let s = v[o];
    for (let c = 1; c < cols; c++) s = f32(s + v[o + c]);
    return s;
  }
  const acc = new Float64Array(LANES);
  for (let l = 0; l < LANES; l++) acc[l] = v[o + l];
  let c = LANES;
  for (; c + LANES <= cols; c += LANES) for (let l = 0; l < LANES; l++) acc[l] = f32(acc[l] + v[o + c + l]);
  for (let l = 0; c + l < cols; l++) acc[l] = f32(acc[l] + v[o + c + l]);
  const a0 = f32(acc[0] + acc[4]), a1 = f32(acc[1] + acc[5]), a2 = f32(acc[2] + acc[6]), a3 = f32(acc[3] + acc[7]);
  return f32(f32(a0 + a2) + f32(a1 + a3));
}

/** out[o + c] = log_softmax(x[o .. o + cols))[c], as ATen computes it on float32 (see above). */
export function logSoftmaxRow(out: FloatArray, x: FloatArray, o: number, cols: number, scratch: Float64Array): void {
  let m = -Infinity;
  for (let c = 0; c < cols; c++) if (x[o + c] > m) m = x[o + c];
  for (let c = 0; c < cols; c++) scratch[c] = expf(f32(x[o + c] - m));
  const lse = logf(laneSum(scratch, 0, cols));
  for (let c = 0; c < cols; c++) out[o + c] = f32(f32(x[o + c] - m) - lse);
}

/**
 * nll_loss's sum: values added one at a time into the first of 8 float32 partial sums, which
 * cascade upward every 16 (256, 4,096, …) rows; the partials are then added in order.
 */
export class NllCascade {
  private readonly partial = new Float64Array(CASCADE_LEVELS);

  /** Adds −logProb for row b (rows in order; an ignored row is skipped, its index still counts). */
  subtract(logProb: number, b: number): void {
    const p = this.partial;
    p[0] = f32(p[0] - logProb);
    for (let j = 0; j + 1 < CASCADE_LEVELS; j++) {
      if ((b & (15 * 16 ** j)) !== 0) break;
      p[j + 1] = f32(p[j + 1] + p[j]);
      p[j] = 0;
    }
  }

  /** The sum so far (the partials added in order). */
  total(): number {
    let s = 0;
    for (const v of this.partial) s = f32(s + v);
    return s;
  }
}

/**
 * nll_loss's mean of per-row losses: over every row, or over the rows `kept` marks (ignore_index:
 * the others add nothing, their indexes still count in the cascade). ATen's level size is
 * 2^max(4, ⌈log2 n⌉/8): 16 for any n below 2^40 rows.
 */
export function nllMean(nll: Float32Array, kept: Uint8Array | null = null): number {
  const sum = new NllCascade();
  let n = 0;
  for (let b = 0; b < nll.length; b++) {
    if (kept !== null && kept[b] === 0) continue; // an ignored row: its index still counts
    sum.subtract(-nll[b], b);
    n++;
  }
  return f32(sum.total() / n);
}

/**
 * Mean cross-entropy (float32) over the rows whose target is not `ignoreIndex` (NaN when none is
 * kept, as PyTorch); log-probabilities of every row go to logProbs for the backward.
 */
export function crossEntropyForward32(logProbs: FloatArray, logits: FloatArray, targets: IntArray, rows: number, cols: number,
  ignoreIndex: number | null = null): number {
  const scratch = new Float64Array(cols);
  const sum = new NllCascade();
  let kept = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    logSoftmaxRow(logProbs, logits, o, cols, scratch);
    if (targets[r] === ignoreIndex) continue;
    sum.subtract(logProbs[o + targets[r]], r);
    kept++;
  }
  return f32(sum.total() / kept);
}

/** nll[r] = −log_softmax(logits row r)[target r], each as ATen's log_softmax computes it. */
export function crossEntropyRows32(nll: FloatArray, logits: FloatArray, targets: IntArray, rows: number, cols: number): void {
  const scratch = new Float64Array(cols);
  const row = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    logSoftmaxRow(row, logits.subarray(r * cols, (r + 1) * cols), 0, cols, scratch);
    nll[r] = -row[targets[r]];
  }
}

/**
 * dlogits += the gradient of the mean loss times `scale`: per kept row, g = −(scale/kept) at the
 * target (nll_loss's backward) and dx = g·[c = t] − exp(y)·g, one fused multiply-add (log_softmax's);
 * rows whose target is `ignoreIndex` get nothing.
 */
export function crossEntropyBackward32(dlogits: FloatArray, logProbs: FloatArray, targets: IntArray, rows: number, cols: number, scale: number,
  ignoreIndex: number | null = null): void {
  let kept = 0;
  for (let r = 0; r < rows; r++) if (targets[r] !== ignoreIndex) kept++;
  const g = -f32(f32(scale) / f32(kept));
  for (let r = 0; r < rows; r++) {
    const o = r * cols, t = targets[r];
    if (t === ignoreIndex) continue;
    for (let c = 0; c < cols; c++) dlogits[o + c] = f32(dlogits[o + c] + fmaf(-expf(logProbs[o + c]), g, c === t ? g : 0));
  }
}

/** log_softmax's backward on float32 rows: dx += dy − exp(y)·Σdy (ATen's lane sum, one FMA). */
export function logSoftmaxBackward32(dx: FloatArray, dy: FloatArray, y: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const s = laneSum(dy, o, cols);
    for (let c = 0; c < cols; c++) dx[o + c] = f32(dx[o + c] + fmaf(-expf(y[o + c]), s, dy[o + c]));
  }
}
