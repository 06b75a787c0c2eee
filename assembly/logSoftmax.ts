// F.cross_entropy and log_softmax on float32 as PyTorch 1.13's CPU kernels compute them, bit for bit:
// the same numbers as src/kernels/js/logSoftmax.ts (see there for ATen's order). exp, log and the
// fused multiply-add are SLEEF's / exact (./sleef).
import { keepFirst, loadTail, rowMax, splat, zero4 } from './simd';
import { expf, fmaf, logf, vexpSleef, vfmaf } from './sleef';

const CASCADE_LEVELS = 8;
/**
 * nll_loss's 8 float32 partial sums: static scratch below the heap (the kernels are not reentrant),
 * or a block of each thread's own where instances share one memory (nllScratchAt).
 */
let partial: usize = memory.data(4 * CASCADE_LEVELS, 16);

/** Points this instance's nll_loss partial sums at `at` (32 bytes): threads on a shared memory each need their own. */
export function nllScratchAt(at: usize): void { partial = at; }

/**
 * Σ v(c), c < cols, in ATen's order for a float32 row: 8 lane sums over whole vectors (two f32x4
 * halves), a short tail added into the first lanes, then lanes folded 0+4, 2+6 / 1+5, 3+7;
 * fewer than 8 values left to right. v(c) = p[c], or exp(p[c] − shift) when `exp` (map_reduce_all).
 */
@inline export function laneSum(p: usize, cols: i32, exp: bool, shift: f32): f32 {
  if (cols < 8) {
    let s = value(p, 0, exp, shift);
    for (let c = 1; c < cols; c++) s += value(p, c, exp, shift);
    return s;
  }
  const m = splat(shift);
  let l0 = value4(v128.load(p), exp, m), l1 = value4(v128.load(p, 16), exp, m); // lanes 0-3, 4-7
  let c = 8;
  for (; c + 8 <= cols; c += 8) {
    const q = p + (<usize>c << 2);
    l0 = f32x4.add(l0, value4(v128.load(q), exp, m));
    l1 = f32x4.add(l1, value4(v128.load(q, 16), exp, m));
  }
  // the tail (< 8 values) goes into lanes 0 … r−1; the other lanes keep their sums
  const r = cols - c, q = p + (<usize>c << 2);
  if (r >= 4) {
    l0 = f32x4.add(l0, value4(v128.load(q), exp, m));
    if (r > 4) l1 = v128.bitselect(f32x4.add(l1, value4(loadTail(q + 16, r - 4, zero4()), exp, m)), l1, keepFirst(r - 4));
  } else if (r > 0) {
    l0 = v128.bitselect(f32x4.add(l0, value4(loadTail(q, r, zero4()), exp, m)), l0, keepFirst(r));
  }
  const h = f32x4.add(l0, l1);
  const s02 = f32x4.extract_lane(h, 0) + f32x4.extract_lane(h, 2);
  const s13 = f32x4.extract_lane(h, 1) + f32x4.extract_lane(h, 3);
  return s02 + s13;
}

@inline function value(p: usize, c: i32, exp: bool, shift: f32): f32 {
  const v = load<f32>(p + (<usize>c << 2));
  return exp ? expf(v - shift) : v;
}

@inline function value4(v: v128, exp: bool, shift: v128): v128 {
  return exp ? vexpSleef(f32x4.sub(v, shift)) : v;
}

/** out[0 .. cols) = log_softmax(x[0 .. cols)) in ATen's order. */
@inline export function logSoftmaxRow(out: usize, x: usize, cols: i32): void {
  const m = rowMax(x, cols); // the same maximum in any order (±0 aside, which changes no output)
  const lse = logf(laneSum(x, cols, true, m));
  const ms = splat(m), ls = splat(lse);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const q = <usize>c << 2;
    v128.store(out + q, f32x4.sub(f32x4.sub(v128.load(x + q), ms), ls));
  }
  for (; c < cols; c++) {
    const q = <usize>c << 2;
    store<f32>(out + q, (load<f32>(x + q) - m) - lse);
  }
}

/** Row-wise log_softmax of x[rows×cols] into out. */
export function logSoftmaxRows(out: usize, x: usize, rows: i32, cols: i32): void {
  const rb = <usize>cols << 2;
  for (let i = 0; i < rows; i++) logSoftmaxRow(out + <usize>i * rb, x + <usize>i * rb, cols);
}

/** dx += dy − exp(y)·Σ_row dy (ATen's lane sum; one fused multiply-add per element). */
export function logSoftmaxBackward(dx: usize, dy: usize, y: usize, rows: i32, cols: i32): void {
  const rb = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * rb;
    addSoftmaxGradRow(dx + o, y + o, true, laneSum(dy + o, cols, false, 0), false, dy + o, 0, cols);
  }
}

/**
 * dst[c] += fma(−v(c), s, addend(c)), c < cols, one fused multiply-add per element: v(c) =
 * exp(src[c]) (SLEEF's) when `exp`, else src[c]; addend(c) = s at c = t and 0 elsewhere when
 * `oneHot` (nll_loss's gradient: g·[c = t] − exp(y)·g), else add[c] (log_softmax's: dy − exp(y)·Σdy).
 */
@inline export function addSoftmaxGradRow(dst: usize, src: usize, exp: bool, s: f32, oneHot: bool, add: usize, t: i32, cols: i32): void {
  const s4 = splat(s), at = i32x4.splat(t);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const q = <usize>c << 2;
    const v = exp ? vexpSleef(v128.load(src + q)) : v128.load(src + q);
    const addend = oneHot ? v128.and(s4, i32x4.eq(i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(c)), at)) : v128.load(add + q); // one-hot: s at t, else 0
    v128.store(dst + q, f32x4.add(v128.load(dst + q), vfmaf(f32x4.neg(v), s4, addend)));
  }
  for (; c < cols; c++) {
    const q = <usize>c << 2;
    const v = exp ? expf(load<f32>(src + q)) : load<f32>(src + q);
    store<f32>(dst + q, load<f32>(dst + q) + fmaf(-v, s, oneHot ? (c == t ? s : 0) : load<f32>(add + q)));
  }
}

/** Starts nll_loss's cascade sum. */
@inline export function nllReset(): void {
  for (let j = 0; j < CASCADE_LEVELS; j++) store<f32>(partial + (<usize>j << 2), 0);
}

/** Adds −logProb of row b (0, 1, 2, … in order): partial sums cascade up every 16, 256, … rows. */
@inline export function nllAdd(b: i32, logProb: f32): void {
  store<f32>(partial, load<f32>(partial) - logProb);
  for (let j = 0; j + 1 < CASCADE_LEVELS; j++) {
    if ((b & (15 << (j * 4))) != 0) break;
    const q = partial + (<usize>j << 2);
    store<f32>(q, load<f32>(q, 4) + load<f32>(q), 4);
    store<f32>(q, 0);
  }
}

/** The cascade's sum: the partials added in order. */
@inline export function nllTotal(): f32 {
  let s: f32 = 0;
  for (let j = 0; j < CASCADE_LEVELS; j++) s += load<f32>(partial + (<usize>j << 2));
  return s;
}

/**
 * Mean cross-entropy (float32, ATen's numbers) of logits[rows×cols] over the rows whose target is
 * not `skip` (NaN when none); log-probabilities of every row to logProbs. Targets are checked by
 * the caller.
 */
export function crossEntropyMean(logProbs: usize, logits: usize, targets: usize, rows: i32, cols: i32, skip: i32): f32 {
  const rb = <usize>cols << 2;
  nllReset();
  let kept = 0;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * rb;
    logSoftmaxRow(logProbs + o, logits + o, cols);
    const t = load<i32>(targets + (<usize>i << 2));
    if (t == skip) continue;
    nllAdd(i, load<f32>(logProbs + o + (<usize>t << 2)));
    kept++;
  }
  return nllTotal() / <f32>kept;
}

/** nll[i] = −log_softmax(logits row i)[target i], as logSoftmaxRow computes it. */
export function crossEntropyRowsInto(nll: usize, logits: usize, targets: usize, rows: i32, cols: i32): void {
  const rb = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const x = logits + <usize>i * rb;
    const m = rowMax(x, cols);
    const lse = logf(laneSum(x, cols, true, m));
    const t = load<f32>(x + (<usize>load<i32>(targets + (<usize>i << 2)) << 2));
    store<f32>(nll + (<usize>i << 2), -((t - m) - lse));
  }
}

/**
 * dlogits += the gradient of the mean loss times `scale`: g = −(scale/kept) at each kept row's
 * target (nll_loss's backward), then log_softmax's backward g·[c = t] − exp(y)·g as one fused
 * multiply-add; rows whose target is `skip` get nothing.
 */
export function crossEntropyMeanBackward(dlogits: usize, logProbs: usize, targets: usize, rows: i32, cols: i32, scale: f32, skip: i32): void {
  let kept = 0;
  for (let i = 0; i < rows; i++) if (load<i32>(targets + (<usize>i << 2)) != skip) kept++;
  const g = -(scale / <f32>kept);
  const rb = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * rb;
    const t = load<i32>(targets + (<usize>i << 2));
    if (t != skip) addSoftmaxGradRow(dlogits + o, logProbs + o, true, g, true, 0, t, cols);
  }
}
