// Embedding gather/scatter, softmax, log-softmax and cross-entropy.

import { crossEntropyMean, crossEntropyMeanBackward, crossEntropyRowsInto } from './logSoftmax';
import { dsplat, hi, keepFirst, lo, loadTail, rowMax, splat, storeTail, vexp, zero4 } from './simd';

/** Row or target position of the first out-of-range index after a call that checks, else −1. */
export let errIndex: i32 = -1;

/** out[b,:] = table[idx[b],:]; stops and sets errIndex at an index outside [0, rows). */
export function gatherRows(out: usize, table: usize, idx: usize, count: i32, rowLen: i32, rows: i32): void {
  errIndex = -1;
  const rb = <usize>rowLen << 2;
  const n4 = rowLen & ~3, r = rowLen & 3;
  let dst = out;
  for (let b = 0; b < count; b++) {
    const t = load<i32>(idx + (<usize>b << 2));
    if (<u32>t >= <u32>rows) { errIndex = b; return; }
    const src = table + <usize>t * rb;
    for (let j = 0; j < n4; j += 4) { const q = <usize>j << 2; v128.store(dst + q, v128.load(src + q)); }
    if (r != 0) { const q = <usize>n4 << 2; storeTail(dst + q, loadTail(src + q, r, zero4()), r); }
    dst += rb;
  }
}

/** gradTable[idx[b],:] += g[b,:]; checks every index before writing anything. */
export function scatterAddRows(gradTable: usize, g: usize, idx: usize, count: i32, rowLen: i32, rows: i32): void {
  errIndex = -1;
  for (let b = 0; b < count; b++) {
    if (<u32>load<i32>(idx + (<usize>b << 2)) >= <u32>rows) { errIndex = b; return; }
  }
  const rb = <usize>rowLen << 2;
  const n4 = rowLen & ~3, r = rowLen & 3;
  let src = g;
  for (let b = 0; b < count; b++) {
    const dst = gradTable + <usize>load<i32>(idx + (<usize>b << 2)) * rb;
    for (let j = 0; j < n4; j += 4) {
      const q = <usize>j << 2;
      v128.store(dst + q, f32x4.add(v128.load(dst + q), v128.load(src + q)));
    }
    if (r != 0) { const q = <usize>n4 << 2; storeTail(dst + q, f32x4.add(loadTail(dst + q, r, zero4()), loadTail(src + q, r, zero4())), r); }
    src += rb;
  }
}

/**
 * exp(x − mx) for four lanes, with the rounding error of the f32 subtraction put back
 * (TwoSum), so the result is as accurate as exp of the exact difference.
 */
@inline function expShift(x: v128, nm: v128): v128 {
  const s = f32x4.add(x, nm);
  const bb = f32x4.sub(s, x);
  const err = f32x4.add(f32x4.sub(x, f32x4.sub(s, bb)), f32x4.sub(nm, bb));
  const e = vexp(s);
  return f32x4.add(e, f32x4.mul(e, err));
}

/**
 * Writes e = exp(x − mx) of one row to `out` and returns Σe in double. Lanes past the row end
 * are zeroed before summing.
 */
function rowExp(out: usize, x: usize, cols: i32, mx: f32): f64 {
  const nm = splat(-mx);
  let s0 = dsplat(0), s1 = dsplat(0);
  const n4 = cols & ~3, r = cols & 3;
  for (let c = 0; c < n4; c += 4) {
    const q = <usize>c << 2;
    const e = expShift(v128.load(x + q), nm);
    v128.store(out + q, e);
    s0 = f64x2.add(s0, lo(e)); s1 = f64x2.add(s1, hi(e));
  }
  if (r != 0) {
    const q = <usize>n4 << 2;
    const e = v128.and(expShift(loadTail(x + q, r, splat(mx)), nm), keepFirst(r));
    storeTail(out + q, e, r);
    s0 = f64x2.add(s0, lo(e)); s1 = f64x2.add(s1, hi(e));
  }
  const t = f64x2.add(s0, s1);
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}


function scaleRow(p: usize, cols: i32, k: f32): void {
  const kv = splat(k);
  const n4 = cols & ~3, r = cols & 3;
  for (let c = 0; c < n4; c += 4) { const q = <usize>c << 2; v128.store(p + q, f32x4.mul(v128.load(p + q), kv)); }
  if (r != 0) { const q = <usize>n4 << 2; storeTail(p + q, f32x4.mul(loadTail(p + q, r, zero4()), kv), r); }
}

/** Softmax of one row of cols values into out; returns the row's log Σ exp (double). */
@inline export function softmaxRow(out: usize, x: usize, cols: i32): f64 {
  const mx = rowMax(x, cols);
  const s = rowExp(out, x, cols, mx);
  scaleRow(out, cols, <f32>(1 / s));
  return <f64>mx + Math.log(s);
}

/** Row-wise softmax of x[rows×cols]. */
export function softmaxRows(out: usize, x: usize, rows: i32, cols: i32): void {
  const rb = <usize>cols << 2;
  for (let i = 0; i < rows; i++) softmaxRow(out + <usize>i * rb, x + <usize>i * rb, cols);
}

/**
 * Mean cross-entropy of logits[rows×cols] against targets, float32 as PyTorch's CPU kernels
 * (logSoftmax.ts); log-probabilities go to `logProbs`. Sets errIndex (and returns NaN) at a
 * target outside [0, cols), before writing anything.
 */
export function crossEntropyForward(logProbs: usize, logits: usize, targets: usize, rows: i32, cols: i32): f64 {
  errIndex = checkTargets(targets, rows, cols);
  if (errIndex >= 0) return NaN;
  return <f64>crossEntropyMean(logProbs, logits, targets, rows, cols, -1); // targets checked: none is −1
}

/** nll[i] = −log softmax(logits row i)[target i]; returns the first bad target's row, else −1. */
export function crossEntropyRows(nll: usize, logits: usize, targets: usize, rows: i32, cols: i32): i32 {
  const bad = checkTargets(targets, rows, cols);
  if (bad < 0) crossEntropyRowsInto(nll, logits, targets, rows, cols);
  return bad;
}

function checkTargets(targets: usize, rows: i32, cols: i32): i32 {
  for (let i = 0; i < rows; i++) {
    if (<u32>load<i32>(targets + (<usize>i << 2)) >= <u32>cols) return i;
  }
  return -1;
}


/** dlogits += the gradient of crossEntropyForward's mean times `scale` (logSoftmax.ts); returns a bad target's row, else −1. */
export function crossEntropyBackward(dlogits: usize, logProbs: usize, targets: usize, rows: i32, cols: i32, scale: f64): i32 {
  const bad = checkTargets(targets, rows, cols);
  if (bad < 0) crossEntropyMeanBackward(dlogits, logProbs, targets, rows, cols, <f32>scale, -1);
  return bad;
}

