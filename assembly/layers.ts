// Embedding gather/scatter, softmax, log-softmax and cross-entropy.

import { dsplat, hi, hmax, keepFirst, lo, loadTail, splat, storeTail, vexp, zero4 } from './simd';

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

function rowMax(p: usize, cols: i32): f32 {
  let m = splat(-Infinity);
  const n4 = cols & ~3, r = cols & 3;
  for (let c = 0; c < n4; c += 4) m = f32x4.pmax(m, v128.load(p + (<usize>c << 2)));
  if (r != 0) m = f32x4.pmax(m, loadTail(p + (<usize>n4 << 2), r, splat(-Infinity)));
  return hmax(m);
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

/** Σ exp(x − mx) of one row in double, nothing stored. */
function rowExpSum(x: usize, cols: i32, mx: f32): f64 {
  const nm = splat(-mx);
  let s0 = dsplat(0), s1 = dsplat(0);
  const n4 = cols & ~3, r = cols & 3;
  for (let c = 0; c < n4; c += 4) {
    const e = expShift(v128.load(x + (<usize>c << 2)), nm);
    s0 = f64x2.add(s0, lo(e)); s1 = f64x2.add(s1, hi(e));
  }
  if (r != 0) {
    const e = v128.and(expShift(loadTail(x + (<usize>n4 << 2), r, splat(mx)), nm), keepFirst(r));
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

/** Row-wise log-softmax: x − (mx + log Σ exp(x − mx)), subtracted in double. */
export function logSoftmaxRows(out: usize, x: usize, rows: i32, cols: i32): void {
  const rb = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * rb;
    const mx = rowMax(x + o, cols);
    const lse = dsplat(<f64>mx + Math.log(rowExpSum(x + o, cols, mx)));
    const n4 = cols & ~3, r = cols & 3;
    for (let c = 0; c < n4; c += 4) {
      const q = o + (<usize>c << 2);
      const v = v128.load(x + q);
      v128.store(out + q, packSub(v, lse));
    }
    if (r != 0) {
      const q = o + (<usize>n4 << 2);
      storeTail(out + q, packSub(loadTail(x + q, r, zero4()), lse), r);
    }
  }
}

@inline function packSub(v: v128, d: v128): v128 {
  return v128.shuffle<f32>(
    f32x4.demote_f64x2_zero(f64x2.sub(lo(v), d)),
    f32x4.demote_f64x2_zero(f64x2.sub(hi(v), d)), 0, 1, 4, 5);
}

/**
 * Mean cross-entropy of logits[rows×cols] against targets; softmax probabilities go to `probs`.
 * Sets errIndex (and returns NaN) at a target outside [0, cols), before writing anything.
 */
export function crossEntropyForward(probs: usize, logits: usize, targets: usize, rows: i32, cols: i32): f64 {
  errIndex = -1;
  for (let i = 0; i < rows; i++) {
    if (<u32>load<i32>(targets + (<usize>i << 2)) >= <u32>cols) { errIndex = i; return NaN; }
  }
  return crossEntropySum(probs, logits, targets, rows, cols, -1) / <f64>rows;
}

/**
 * Σ −log softmax[target] over the rows whose target is not `skip` (targets checked by the
 * caller); softmax probabilities of every row go to `probs`.
 */
@inline export function crossEntropySum(probs: usize, logits: usize, targets: usize, rows: i32, cols: i32, skip: i32): f64 {
  const rb = <usize>cols << 2;
  let total: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * rb;
    const lse = softmaxRow(probs + o, logits + o, cols);
    const t = load<i32>(targets + (<usize>i << 2));
    if (t != skip) total += lse - <f64>load<f32>(logits + o + (<usize>t << 2));
  }
  return total;
}

/**
 * `total` + Σ over the rows of −log softmax(logits)[target], added one row at a time in double:
 * crossEntropyForward's sum without the probabilities (targets already checked); a caller that
 * passes the running total block after block adds in crossEntropyForward's order.
 */
export function crossEntropyTotal(logits: usize, targets: usize, rows: i32, cols: i32, start: f64): f64 {
  const rb = <usize>cols << 2;
  let total = start;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * rb;
    const mx = rowMax(logits + o, cols);
    const s = rowExpSum(logits + o, cols, mx);
    total += <f64>mx + Math.log(s) - <f64>load<f32>(logits + o + (<usize>load<i32>(targets + (<usize>i << 2)) << 2));
  }
  return total;
}

/** dlogits += scale·(probs − onehot(targets))/rows, in double like JS. */
export function crossEntropyBackward(dlogits: usize, probs: usize, targets: usize, rows: i32, cols: i32, scale: f64): i32 {
  for (let i = 0; i < rows; i++) {
    if (<u32>load<i32>(targets + (<usize>i << 2)) >= <u32>cols) return i;
  }
  const k = scale / <f64>rows;
  const kv = dsplat(k);
  const rb = <usize>cols << 2;
  const n4 = cols & ~3, r = cols & 3;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * rb;
    for (let c = 0; c < n4; c += 4) {
      const q = o + (<usize>c << 2);
      const p = v128.load(probs + q), d = v128.load(dlogits + q);
      v128.store(dlogits + q, packAdd(d, p, kv));
    }
    if (r != 0) {
      const q = o + (<usize>n4 << 2);
      storeTail(dlogits + q, packAdd(loadTail(dlogits + q, r, zero4()), loadTail(probs + q, r, zero4()), kv), r);
    }
    const pt = dlogits + o + (<usize>load<i32>(targets + (<usize>i << 2)) << 2);
    store<f32>(pt, <f32>(<f64>load<f32>(pt) - k));
  }
  return -1;
}

@inline function packAdd(d: v128, p: v128, k: v128): v128 {
  return v128.shuffle<f32>(
    f32x4.demote_f64x2_zero(f64x2.add(lo(d), f64x2.mul(k, lo(p)))),
    f32x4.demote_f64x2_zero(f64x2.add(hi(d), f64x2.mul(k, hi(p)))), 0, 1, 4, 5);
}
