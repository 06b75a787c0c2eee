// The part-5 lecture's batch norm op by op in float32, as PyTorch 1.13's CPU computes it: the same
// float32 numbers as src/kernels/js/stepwise.ts, bit for bit. Four columns at a time in f32x4 lanes:
// each lane is one column and runs that column's cascade (ATen's multi_row_sum order) unchanged; the
// variance's double sums run in f64x2 lanes in the JS's order (s += x; md = s/n; ss += (x − md)²).
// Per-column quantities the JS keeps in scratch arrays are recomputed here with the same ops (the
// same bits), so no scratch memory is needed; sums over the same rows share a pass (two chains of
// adds in flight: a column's chain alone is bound by the add's latency). x is (n × f) row-major.

import { dsplat, hi, lo, loadTail, pack, storeTail, zero4 } from './simd';
import { colMoments, colMomentsOfSums, momVar0, momVar1 } from './reduce';

// What a cascade sums, per element p of columns j..j+3 (g, d: the columns' gain and den):
const SUM_A: i32 = 0; // a[p]
const SUM_AB: i32 = 1; // a[p]·b[p]                 (dγ: dy·xhat)
const SUM_DDEN: i32 = 2; // −(a[p]·g)·(b[p]/d)       (d den: −dxhat·(xhat/den))
const SUM_DIV: i32 = 3; // (a[p]·g)/d                (the subtraction's gradient dxhat/den)

/** r ≤ 4 columns at p; lanes past r repeat column 0 (in range; never stored). */
@inline function ld(p: usize, r: i32): v128 {
  return r >= 4 ? v128.load(p) : loadTail(p, r, f32x4.splat(load<f32>(p)));
}
@inline function st(p: usize, v: v128, r: i32): void { if (r >= 4) v128.store(p, v); else storeTail(p, v, r); }

@inline function value(what: i32, a: usize, b: usize, off: usize, g: v128, d: v128, r: i32): v128 {
  const x = ld(a + off, r);
  if (what == SUM_A) return x;
  if (what == SUM_AB) return f32x4.mul(x, ld(b + off, r));
  const dxh = f32x4.mul(x, g); // g = 1 without a gain: dy·1 = dy exactly
  if (what == SUM_DDEN) return f32x4.mul(f32x4.neg(dxh), f32x4.div(ld(b + off, r), d));
  return f32x4.div(dxh, d);
}

@inline function ceilLog2(n: i32): i32 { return n <= 1 ? 0 : 32 - clz(n - 1); }

/**
 * Σ over `size` rows, the first at byte offset `start`, the next `stride` bytes on: ATen's
 * multi_row_sum cascade (4 levels, each taking 2^levelPower of the one below, levelPower ≥ 4).
 * With `dbl`, also the values' plain double sums in row order (into dsum0/1).
 */
@inline function cascade(what: i32, a: usize, b: usize, g: v128, d: v128, start: usize, stride: usize, size: i32, r: i32, dbl: bool = false): v128 {
  const levelPower = max(4, ceilLog2(size) >> 2);
  const step = 1 << levelPower;
  const mask1 = (step - 1) << levelPower, mask2 = (step - 1) << (2 * levelPower);
  let a0 = zero4(), a1 = zero4(), a2 = zero4(), a3 = zero4();
  let s0 = dsplat(0), s1 = dsplat(0);
  let i = 0;
  let off = start;
  while (i + step <= size) {
    for (let k = 0; k < step; k++) {
      const v = value(what, a, b, off, g, d, r);
      a0 = f32x4.add(a0, v);
      if (dbl) { s0 = f64x2.add(s0, lo(v)); s1 = f64x2.add(s1, hi(v)); }
      off += stride;
    }
    i += step;
    a1 = f32x4.add(a1, a0); a0 = zero4();
    if ((i & mask1) == 0) {
      a2 = f32x4.add(a2, a1); a1 = zero4();
      if ((i & mask2) == 0) { a3 = f32x4.add(a3, a2); a2 = zero4(); }
    }
  }
  for (; i < size; i++) {
    const v = value(what, a, b, off, g, d, r);
    a0 = f32x4.add(a0, v);
    if (dbl) { s0 = f64x2.add(s0, lo(v)); s1 = f64x2.add(s1, hi(v)); }
    off += stride;
  }
  if (dbl) { dsum0 = s0; dsum1 = s1; }
  return f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3);
}

// cascadeMean4's double sums, lanes 0,1 and 2,3.
let dsum0: v128 = f64x2(0, 0);
let dsum1: v128 = f64x2(0, 0);

/**
 * A full column group's sum over all n rows in order (the mean's cascade) and, in the same pass,
 * the same values' double sums in row order (the variance's first pass), into dsum0/1.
 */
function cascadeMean4(a: usize, start: usize, stride: usize, size: i32): v128 { return cascade(SUM_A, a, 0, zero4(), zero4(), start, stride, size, 4, true); }

// cascade2's and a paired colSum's second result (an AssemblyScript function returns one value).
let second: v128 = f32x4(0, 0, 0, 0);

/** Two kinds of sums over the same rows in one pass: two independent chains of adds. */
@inline function cascade2(w1: i32, w2: i32, a: usize, b: usize, g: v128, d: v128, start: usize, stride: usize, size: i32, r: i32): v128 {
  const levelPower = max(4, ceilLog2(size) >> 2);
  const step = 1 << levelPower;
  const mask1 = (step - 1) << levelPower, mask2 = (step - 1) << (2 * levelPower);
  let a0 = zero4(), a1 = zero4(), a2 = zero4(), a3 = zero4();
  let c0 = zero4(), c1 = zero4(), c2 = zero4(), c3 = zero4();
  let i = 0;
  let off = start;
  while (i + step <= size) {
    for (let k = 0; k < step; k++) {
      a0 = f32x4.add(a0, value(w1, a, b, off, g, d, r));
      c0 = f32x4.add(c0, value(w2, a, b, off, g, d, r));
      off += stride;
    }
    i += step;
    a1 = f32x4.add(a1, a0); a0 = zero4();
    c1 = f32x4.add(c1, c0); c0 = zero4();
    if ((i & mask1) == 0) {
      a2 = f32x4.add(a2, a1); a1 = zero4();
      c2 = f32x4.add(c2, c1); c1 = zero4();
      if ((i & mask2) == 0) { a3 = f32x4.add(a3, a2); a2 = zero4(); c3 = f32x4.add(c3, c2); c2 = zero4(); }
    }
  }
  for (; i < size; i++) {
    a0 = f32x4.add(a0, value(w1, a, b, off, g, d, r));
    c0 = f32x4.add(c0, value(w2, a, b, off, g, d, r));
    off += stride;
  }
  second = f32x4.add(f32x4.add(f32x4.add(c0, c1), c2), c3);
  return f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3);
}

// Each kind's cascade is a function of its own, specialised to full (r = 4) column groups or not:
// a column group's sums call it five times (or once), and the module stays small.
function cascadeA4(a: usize, start: usize, stride: usize, size: i32): v128 { return cascade(SUM_A, a, 0, zero4(), zero4(), start, stride, size, 4); }
function cascadeA(a: usize, start: usize, stride: usize, size: i32, r: i32): v128 { return cascade(SUM_A, a, 0, zero4(), zero4(), start, stride, size, r); }
function cascadeAB4(a: usize, b: usize, start: usize, stride: usize, size: i32): v128 { return cascade(SUM_AB, a, b, zero4(), zero4(), start, stride, size, 4); }
function cascadeAB(a: usize, b: usize, start: usize, stride: usize, size: i32, r: i32): v128 { return cascade(SUM_AB, a, b, zero4(), zero4(), start, stride, size, r); }
// (dβ, dγ) and (d den, the subtraction's gradient) in pairs
function cascadeParams4(a: usize, b: usize, start: usize, stride: usize, size: i32): v128 { return cascade2(SUM_A, SUM_AB, a, b, zero4(), zero4(), start, stride, size, 4); }
function cascadeParams(a: usize, b: usize, start: usize, stride: usize, size: i32, r: i32): v128 { return cascade2(SUM_A, SUM_AB, a, b, zero4(), zero4(), start, stride, size, r); }
function cascadeGrads4(a: usize, b: usize, g: v128, d: v128, start: usize, stride: usize, size: i32): v128 { return cascade2(SUM_DDEN, SUM_DIV, a, b, g, d, start, stride, size, 4); }
function cascadeGrads(a: usize, b: usize, g: v128, d: v128, start: usize, stride: usize, size: i32, r: i32): v128 { return cascade2(SUM_DDEN, SUM_DIV, a, b, g, d, start, stride, size, r); }

@inline function cascadeOf(what: i32, a: usize, b: usize, g: v128, d: v128, start: usize, stride: usize, size: i32, r: i32): v128 {
  if (what == SUM_A) return r == 4 ? cascadeA4(a, start, stride, size) : cascadeA(a, start, stride, size, r);
  return r == 4 ? cascadeAB4(a, b, start, stride, size) : cascadeAB(a, b, start, stride, size, r);
}

/** The pair (w1, w2) = (SUM_A, SUM_AB) or (SUM_DDEN, SUM_DIV); the second sum in `second`. */
@inline function cascadePairOf(w1: i32, a: usize, b: usize, g: v128, d: v128, start: usize, stride: usize, size: i32, r: i32): v128 {
  if (w1 == SUM_A) return r == 4 ? cascadeParams4(a, b, start, stride, size) : cascadeParams(a, b, start, stride, size, r);
  return r == 4 ? cascadeGrads4(a, b, g, d, start, stride, size) : cascadeGrads(a, b, g, d, start, stride, size, r);
}

@inline function cascadeSel(w1: i32, pair: bool, a: usize, b: usize, g: v128, d: v128, start: usize, stride: usize, size: i32, r: i32): v128 {
  return pair ? cascadePairOf(w1, a, b, g, d, start, stride, size, r) : cascadeOf(w1, a, b, g, d, start, stride, size, r);
}

/**
 * Column sums of columns j..j+r−1 over n rows as PyTorch sums a contiguous (n × f) float32
 * tensor's rows: columns below the last multiple of 32 one cascade each; the others 4 interleaved
 * cascades (rows k, k+4, …) whose leftover rows go to the first, added in order. With `pair`,
 * kind w1 + 1 too, in the same pass (see cascadePairOf), into `second`.
 */
@inline function colSum(w1: i32, pair: bool, a: usize, b: usize, g: v128, d: v128, n: i32, f: i32, j: i32, r: i32): v128 {
  const rs = <usize>f << 2;
  const q = <usize>j << 2;
  if (j < f - f % 32) return cascadeSel(w1, pair, a, b, g, d, q, rs, n, r);
  const rows4 = n >> 2;
  let p0 = cascadeSel(w1, pair, a, b, g, d, q, rs << 2, rows4, r);
  let s0 = second;
  const p1 = cascadeSel(w1, pair, a, b, g, d, q + rs, rs << 2, rows4, r);
  const s1 = second;
  const p2 = cascadeSel(w1, pair, a, b, g, d, q + 2 * rs, rs << 2, rows4, r);
  const s2 = second;
  const p3 = cascadeSel(w1, pair, a, b, g, d, q + 3 * rs, rs << 2, rows4, r);
  const s3 = second;
  for (let i = rows4 << 2; i < n; i++) {
    const o = q + <usize>i * rs;
    p0 = f32x4.add(p0, value(w1, a, b, o, g, d, r));
    if (pair) s0 = f32x4.add(s0, value(w1 + 1, a, b, o, g, d, r));
  }
  if (pair) second = f32x4.add(f32x4.add(f32x4.add(s0, s1), s2), s3);
  return f32x4.add(f32x4.add(f32x4.add(p0, p1), p2), p3);
}

// Each kind of sum, inlined into its column group's block.
@inline function sumA(a: usize, n: i32, f: i32, j: i32, r: i32): v128 { return colSum(SUM_A, false, a, 0, zero4(), zero4(), n, f, j, r); }
@inline function sumAB(a: usize, b: usize, n: i32, f: i32, j: i32, r: i32): v128 { return colSum(SUM_AB, false, a, b, zero4(), zero4(), n, f, j, r); }

/** v/n in double, rounded to float32 (the JS's f32(v / n)). */
@inline function divN(v: v128, n: i32): v128 {
  const dn = dsplat(<f64>n);
  return pack(f64x2.div(lo(v), dn), f64x2.div(hi(v), dn));
}

/** out[j] (=|+=) Σ_i a[i·f + j] in PyTorch's order (a Linear's bias gradient). */
export function sumRows(out: usize, a: usize, n: i32, f: i32, acc: bool): void {
  const f4 = f & ~3;
  for (let j = 0; j < f4; j += 4) sumRowsBlock(out, a, n, f, acc, j, 4);
  if (f4 < f) sumRowsBlock(out, a, n, f, acc, f4, f - f4);
}

@inline function sumRowsBlock(out: usize, a: usize, n: i32, f: i32, acc: bool, j: i32, r: i32): void {
  const q = out + (<usize>j << 2);
  const s = sumA(a, n, f, j, r);
  st(q, acc ? f32x4.add(ld(q, r), s) : s, r);
}

/** Training-mode forward (js/stepwise.ts batchNormStepwise); gain/bias 0 = none. */
export function batchNormStepwise(out: usize, xhat: usize, meanOut: usize, varOut: usize, den: usize,
  x: usize, gain: usize, bias: usize, n: i32, f: i32, eps: f64): void {
  const f4 = f & ~3;
  for (let j = 0; j < f4; j += 4) stepwiseBlock(out, xhat, meanOut, varOut, den, x, gain, bias, n, f, eps, j, 4);
  if (f4 < f) stepwiseBlock(out, xhat, meanOut, varOut, den, x, gain, bias, n, f, eps, f4, f - f4);
}

@inline function stepwiseBlock(out: usize, xhat: usize, meanOut: usize, varOut: usize, den: usize,
  x: usize, gain: usize, bias: usize, n: i32, f: i32, eps: f64, j: i32, r: i32): void {
  const rs = <usize>f << 2;
  const q = <usize>j << 2;
  // the variance: double sums in row order, rounded once (for a column group below the last
  // multiple of 32, the first pass runs with the mean's cascade)
  let sum: v128;
  if (r == 4 && j < f - f % 32) {
    sum = cascadeMean4(x, q, rs, n);
    colMomentsOfSums(dsum0, dsum1, x + q, rs, n, r, <f64>(n - 1));
  } else {
    sum = sumA(x, n, f, j, r);
    colMoments(x + q, rs, n, r, <f64>(n - 1));
  }
  const m = divN(sum, n);
  st(meanOut + q, m, r);
  const va = pack(momVar0, momVar1);
  st(varOut + q, va, r);
  const d = f32x4.sqrt(f32x4.add(va, f32x4.splat(<f32>eps)));
  st(den + q, d, r);
  const affine = gain != 0 || bias != 0;
  const g = gain == 0 ? f32x4.splat(1) : ld(gain + q, r);
  const b = bias == 0 ? zero4() : ld(bias + q, r); // +0 like the JS: g·xh + 0 turns −0 into +0
  for (let i = 0, o = q; i < n; i++, o += rs) {
    const xh = f32x4.div(f32x4.sub(ld(x + o, r), m), d);
    st(xhat + o, xh, r);
    st(out + o, affine ? f32x4.add(f32x4.mul(g, xh), b) : xh, r);
  }
}

/** Autograd's backward of batchNormStepwise (js/stepwise.ts batchNormStepwiseBackward); 0 = none. */
export function batchNormStepwiseBackward(dx: usize, dGain: usize, dBias: usize, dy: usize, x: usize, xhat: usize,
  mean: usize, den: usize, gain: usize, n: i32, f: i32): void {
  const f4 = f & ~3;
  for (let j = 0; j < f4; j += 4) stepwiseBackBlock(dx, dGain, dBias, dy, x, xhat, mean, den, gain, n, f, j, 4);
  if (f4 < f) stepwiseBackBlock(dx, dGain, dBias, dy, x, xhat, mean, den, gain, n, f, f4, f - f4);
}

@inline function stepwiseBackBlock(dx: usize, dGain: usize, dBias: usize, dy: usize, x: usize, xhat: usize,
  mean: usize, den: usize, gain: usize, n: i32, f: i32, j: i32, r: i32): void {
  const q = <usize>j << 2;
  if (dBias != 0 && dGain != 0) {
    const sb = colSum(SUM_A, true, dy, xhat, zero4(), zero4(), n, f, j, r);
    st(dBias + q, f32x4.add(ld(dBias + q, r), sb), r);
    st(dGain + q, f32x4.add(ld(dGain + q, r), second), r);
  } else if (dBias != 0) st(dBias + q, f32x4.add(ld(dBias + q, r), sumA(dy, n, f, j, r)), r);
  else if (dGain != 0) st(dGain + q, f32x4.add(ld(dGain + q, r), sumAB(dy, xhat, n, f, j, r)), r);
  if (dx == 0) return;
  const g = gain == 0 ? f32x4.splat(1) : ld(gain + q, r);
  const d = ld(den + q, r);
  const c = f32x4.splat(<f32>(2.0 / <f64>(n - 1)));
  const sDen = colSum(SUM_DDEN, true, dy, xhat, g, d, n, f, j, r);
  const sSub = second;
  const gVar = f32x4.mul(c, f32x4.div(sDen, f32x4.mul(f32x4.splat(2), d)));
  const gMean = divN(f32x4.neg(sSub), n);
  const m = ld(mean + q, r);
  const rs = <usize>f << 2;
  for (let i = 0, o = q; i < n; i++, o += rs) {
    const sub = f32x4.div(f32x4.mul(ld(dy + o, r), g), d);
    const v = f32x4.add(f32x4.add(sub, f32x4.mul(gVar, f32x4.sub(ld(x + o, r), m))), gMean);
    st(dx + o, f32x4.add(ld(dx + o, r), v), r);
  }
}

// Evaluation mode streams the rows in chunks of EVAL_ROWS: each chunk's column groups in turn,
// so den is computed once per chunk and group and the chunk stays in cache.
const EVAL_ROWS: i32 = 32;

/** gain·((x − mean)/sqrt(var + eps)) + bias op by op in float32 (js/stepwise.ts batchNormEvalStepwise). */
export function batchNormEvalStepwise(out: usize, x: usize, mean: usize, variance: usize, gain: usize, bias: usize, n: i32, f: i32, eps: f64): void {
  const f4 = f & ~3;
  for (let i0 = 0; i0 < n; i0 += EVAL_ROWS) {
    const rows = min(EVAL_ROWS, n - i0);
    for (let j = 0; j < f4; j += 4) evalBlock(out, x, mean, variance, gain, bias, i0, rows, f, eps, j, 4);
    if (f4 < f) evalBlock(out, x, mean, variance, gain, bias, i0, rows, f, eps, f4, f - f4);
  }
}

@inline function evalBlock(out: usize, x: usize, mean: usize, variance: usize, gain: usize, bias: usize,
  i0: i32, rows: i32, f: i32, eps: f64, j: i32, r: i32): void {
  const q = <usize>j << 2;
  const rs = <usize>f << 2;
  const d = f32x4.sqrt(f32x4.add(ld(variance + q, r), f32x4.splat(<f32>eps)));
  const m = ld(mean + q, r);
  const affine = gain != 0 || bias != 0;
  const g = gain == 0 ? f32x4.splat(1) : ld(gain + q, r);
  const b = bias == 0 ? zero4() : ld(bias + q, r);
  let o = <usize>i0 * rs + q;
  for (let i = 0; i < rows; i++, o += rs) {
    const xh = f32x4.div(f32x4.sub(ld(x + o, r), m), d);
    st(out + o, affine ? f32x4.add(f32x4.mul(g, xh), b) : xh, r);
  }
}

/** running = (1 − momentum)·running + momentum·batch, each op in float32. */
export function runningAverageStepwise(running: usize, batch: usize, len: i32, momentum: f64): void {
  const keep = f32x4.splat(<f32>(1 - momentum)), take = f32x4.splat(<f32>momentum);
  for (let j = 0; j < len; j += 4) {
    const r = min(4, len - j);
    const q = <usize>j << 2;
    st(running + q, f32x4.add(f32x4.mul(keep, ld(running + q, r)), f32x4.mul(take, ld(batch + q, r))), r);
  }
}
