// SLEEF's float32 tanh, exp and log as PyTorch 1.13 CPU (AVX2) runs them, bit for bit: xtanhf,
// xexpf, xlogf_u1 with ENABLE_FMA_SP (every vmla/vfma one fused multiply-add, nothing else fused).
// The same ports as src/kernels/js/sleef.ts (read that first), vectorised: each f64x2 lane holds a
// float32 value; every float32 operation is done in f64 and rounded back (demote, promote), which
// is exact for + − × ÷. A float32 FMA a·b + c: a·b is exact in f64, the f64 sum s may round, which
// matters only when s lands on a float32 midpoint; then the sum's error (TwoSum) breaks the tie.
//
// Derived from SLEEF, github.com/shibatch/sleef at commit e0a003ee838b75d11763aa9c3ef17bf71a725bff:
// src/libm/sleefsimdsp.c, src/common/df.h, src/arch/helperavx2.h.
//   Copyright Naoki Shibata and contributors 2010 - 2020.
// Distributed under the Boost Software License, Version 1.0.
//    (See tools/sleef/LICENSE.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
import { hi, lo, pack } from './simd';

@inline function d2(x: f64): v128 { return f64x2.splat(x); }
/** Rounds each f64 lane to float32 (and back to f64). */
@inline function r32(v: v128): v128 { return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v)); }

// Every helper below works in one of two lane layouts, fixed at each (inlined) call: f = true,
// four float32 lanes (f32x4, native float32 arithmetic: the fast path); f = false, two float32
// values held in f64x2 lanes (every result rounded by r32: the exact path).
@inline function k(x: f64, f: bool): v128 { return f ? f32x4.splat(<f32>x) : f64x2.splat(x); }
@inline function neg(a: v128, f: bool): v128 { return f ? f32x4.neg(a) : f64x2.neg(a); }
@inline function add(a: v128, b: v128, f: bool): v128 { return f ? f32x4.add(a, b) : r32(f64x2.add(a, b)); }
@inline function sub(a: v128, b: v128, f: bool): v128 { return f ? f32x4.sub(a, b) : r32(f64x2.sub(a, b)); }
@inline function mul(a: v128, b: v128, f: bool): v128 { return f ? f32x4.mul(a, b) : r32(f64x2.mul(a, b)); }
@inline function div(a: v128, b: v128, f: bool): v128 { return f ? f32x4.div(a, b) : r32(f64x2.div(a, b)); }

/**
 * a·b + c where the f64 sum is exact: a·b − fl(a·b) (Sterbenz, or the product itself when
 * fl(a·b) = 0) and 1 − d·fl(1/d) (d·fl(1/d) within 2^−23 of 1). One rounding, as the FMA.
 */
@inline function fmaE(a: v128, b: v128, c: v128, f: bool): v128 {
  if (!f) return r32(f64x2.add(f64x2.mul(a, b), c));
  return pack(f64x2.add(f64x2.mul(lo(a), lo(b)), lo(c)), f64x2.add(f64x2.mul(hi(a), hi(b)), hi(c)));
}

// Lanes whose fast-path FMA sum fell on a float32 midpoint (redone exactly by the caller).
let midLanes: v128 = i64x2(0, 0);

/** Notes in midLanes the lanes where the f64 sum s = p + c is inexact and on a float32 midpoint. */
@inline function noteMid(p: v128, c: v128, s: v128): void {
  const bb = f64x2.sub(s, p);
  const e = f64x2.add(f64x2.sub(p, f64x2.sub(s, bb)), f64x2.sub(c, bb));
  const mid = i64x2.eq(v128.and(s, i64x2.splat(0x1FFFFFFF)), i64x2.splat(0x10000000));
  midLanes = v128.or(midLanes, v128.and(mid, f64x2.ne(e, d2(0))));
}

/**
 * Float32 FMA. exact (f64 lanes): the tie on a float32 midpoint is broken by the sum's error
 * (TwoSum). Fast (f32x4 lanes): rounded plainly, the lanes where the inexact f64 sum is a float32
 * midpoint (low 29 mantissa bits 1000…0) noted in midLanes (normal-range results only: callers
 * route tiny inputs to the exact path).
 */
@inline function fmaG(a: v128, b: v128, c: v128, f: bool): v128 {
  if (f) {
    const pl = f64x2.mul(lo(a), lo(b)), ph = f64x2.mul(hi(a), hi(b));
    const cl = lo(c), ch = hi(c);
    const sl = f64x2.add(pl, cl), sh = f64x2.add(ph, ch);
    noteMid(pl, cl, sl);
    noteMid(ph, ch, sh);
    return pack(sl, sh);
  }
  const p = f64x2.mul(a, b);
  const s = f64x2.add(p, c);
  const bb = f64x2.sub(s, p);
  const e = f64x2.add(f64x2.sub(p, f64x2.sub(s, bb)), f64x2.sub(c, bb));
  const r = r32(s);
  const d = f64x2.sub(s, r);
  const other = f64x2.add(r, f64x2.add(d, d));
  // s a midpoint (its neighbour r + 2d a float32) and inexact: the exact value lies on e's side
  const tie = v128.andnot(f64x2.eq(r32(other), other), f64x2.eq(d, d2(0)));
  const far = v128.and(tie, v128.and(f64x2.ne(e, d2(0)), i64x2.ge_s(v128.xor(e, d), i64x2.splat(0))));
  return v128.bitselect(other, r, far);
}

/** 2^k for small integer-valued lanes k (f64, or f32 when f), exactly. */
@inline function pow2(k: v128, f: bool): v128 {
  if (f) return i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  return i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
}
/** SLEEF's vldexp2 (d·2^(q>>1)·2^(q − (q>>1)), two float32 products) for integer-valued q. */
@inline function ldexp2(d: v128, q: v128, f: bool): v128 {
  const h = f ? f32x4.floor(f32x4.mul(q, k(0.5, f))) : f64x2.floor(f64x2.mul(q, d2(0.5)));
  return mul(mul(d, pow2(h, f), f), pow2(f ? f32x4.sub(q, h) : f64x2.sub(q, h), f), f);
}

// Double-float pairs (x, y) as in df.h (ENABLE_FMA_SP); results left in rx, ry.
let rx: v128 = i64x2(0, 0);
let ry: v128 = i64x2(0, 0);

@inline function dfadd2F2F(xx: v128, xy: v128, y: v128, f: bool): void {
  const s = add(xx, y, f);
  const v = sub(s, xx, f);
  const t = add(sub(xx, sub(s, v, f), f), sub(y, v, f), f);
  rx = s; ry = add(t, xy, f);
}
@inline function dfadd2F2F2(xx: v128, xy: v128, yx: v128, yy: v128, f: bool): void {
  const s = add(xx, yx, f);
  const v = sub(s, xx, f);
  const t = add(sub(xx, sub(s, v, f), f), sub(yx, v, f), f);
  rx = s; ry = add(t, add(xy, yy, f), f);
}
@inline function dfadd2FF(x: v128, y: v128, f: bool): void {
  const s = add(x, y, f);
  const v = sub(s, x, f);
  rx = s; ry = add(sub(x, sub(s, v, f), f), sub(y, v, f), f);
}
@inline function dfaddFF2(x: v128, yx: v128, yy: v128, f: bool): void {
  const s = add(x, yx, f);
  rx = s; ry = add(add(sub(x, s, f), yx, f), yy, f);
}
@inline function dfaddF2F(xx: v128, xy: v128, y: v128, f: bool): void {
  const s = add(xx, y, f);
  rx = s; ry = add(add(sub(xx, s, f), y, f), xy, f);
}
@inline function dfaddF2F2(xx: v128, xy: v128, yx: v128, yy: v128, f: bool): void {
  const s = add(xx, yx, f);
  rx = s; ry = add(add(add(sub(xx, s, f), yx, f), xy, f), yy, f);
}
@inline function dfmulF2F(xx: v128, xy: v128, y: v128, f: bool): void {
  const s = mul(xx, y, f);
  rx = s; ry = fmaG(xy, y, fmaE(xx, y, neg(s, f), f), f);
}
@inline function dfmulF2F2(xx: v128, xy: v128, yx: v128, yy: v128, f: bool): void {
  const s = mul(xx, yx, f);
  rx = s; ry = fmaG(xx, yy, fmaG(xy, yx, fmaE(xx, yx, neg(s, f), f), f), f);
}
@inline function dfsquF2(xx: v128, xy: v128, f: bool): void {
  const s = mul(xx, xx, f);
  rx = s; ry = fmaG(add(xx, xx, f), xy, fmaE(xx, xx, neg(s, f), f), f);
}
@inline function dfrecF2(dx: v128, dy: v128, f: bool): void {
  const s = div(k(1, f), dx, f);
  rx = s; ry = mul(s, fmaG(neg(dy, f), s, fmaE(neg(dx, f), s, k(1, f), f), f), f);
}
@inline function dfdivF2F2(nx: v128, ny: v128, dx: v128, dy: v128, f: bool): void {
  const t = div(k(1, f), dx, f);
  const s = mul(nx, t, f);
  const u = fmaE(t, nx, neg(s, f), f);
  const v = fmaG(neg(dy, f), t, fmaE(neg(dx, f), t, k(1, f), f), f);
  rx = s; ry = fmaG(s, v, fmaG(ny, t, u, f), f);
}

// float32 constants (misc.h and the polynomials), as f64
const R_LN2f: f64 = <f64><f32>1.442695040888963407359924681001892137426645954152985934135449406931;
const L2Uf: f64 = <f64><f32>0.693145751953125;
const L2Lf: f64 = <f64><f32>1.428606765330187045e-06;

/** expk2f(y, 0) for y ≥ 0 (tanh's only use): e^y as a double-float pair in (rx, ry). */
@inline function expk2f(dx: v128, f: bool): void {
  const u0 = mul(dx, k(R_LN2f, f), f);
  const q = f ? f32x4.nearest(u0) : f64x2.nearest(u0); // vrint: half to even
  dfadd2F2F(dx, k(0, f), mul(q, k(-L2Uf, f), f), f);
  dfadd2F2F(rx, ry, mul(q, k(-L2Lf, f), f), f);
  const sx = rx, sy = ry;
  let u = k(<f64><f32>0.1980960224e-3, f);
  u = fmaG(u, sx, k(<f64><f32>0.1394256484e-2, f), f);
  u = fmaG(u, sx, k(<f64><f32>0.8333456703e-2, f), f);
  u = fmaG(u, sx, k(<f64><f32>0.4166637361e-1, f), f);
  dfmulF2F(sx, sy, u, f);
  dfadd2F2F(rx, ry, k(<f64><f32>0.166666659414234244790680580464, f), f);
  dfmulF2F2(sx, sy, rx, ry, f);
  dfadd2F2F(rx, ry, k(0.5, f), f);
  const tx = rx, ty = ry;
  dfsquF2(sx, sy, f);
  dfmulF2F2(rx, ry, tx, ty, f);
  dfadd2F2F2(sx, sy, rx, ry, f);
  dfaddFF2(k(1, f), rx, ry, f);
  const x = ldexp2(rx, q, f);
  rx = x; ry = ldexp2(ry, q, f);
}

const tanhCut: f64 = <f64><f32>8.664339742;

/** xtanhf of |x| (four f32 lanes when f, else two f64 lanes); the cut-off and NaN left to the caller. */
@inline function tanhAbs(ax: v128, f: bool): v128 {
  expk2f(ax, f);
  const dx = rx, dy = ry;
  dfrecF2(dx, dy, f);
  const ex = rx, ey = ry;
  dfaddF2F2(dx, dy, neg(ex, f), neg(ey, f), f);
  const nx = rx, ny = ry;
  dfaddF2F2(dx, dy, ex, ey, f);
  dfdivF2F2(nx, ny, rx, ry, f);
  return add(rx, ry, f);
}

/** The exact path for two lanes (not inlined: rarely taken). */
function tanhAbsExact(ax: v128): v128 { return tanhAbs(ax, false); }

/** SLEEF's tanh on four float32 lanes (Sleef_tanhf8_u10's numbers). */
@inline export function vtanhSleef(x: v128): v128 { return tanh4(x); }

// Not inlined: long enough that a call costs nothing, and inlined copies blow up the build.
function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  midLanes = i64x2(0, 0);
  let y = tanhAbs(ax, true);
  // redone exactly when an FMA sum fell on a midpoint (midLanes: both halves' lanes ORed, only
  // whether any is set matters) or |x| < 2^−12 (tiny intermediates, below the check's range)
  if (v128.any_true(v128.or(f32x4.lt(ax, f32x4.splat(<f32>2.44140625e-4)), midLanes))) {
    y = pack(tanhAbsExact(lo(ax)), tanhAbsExact(hi(ax)));
  }
  // |x| beyond the cut-off, or y NaN: 1; then vmulsign (x's sign bit flips y's); NaN stays NaN
  y = v128.bitselect(f32x4.splat(1), y, v128.or(f32x4.gt(ax, f32x4.splat(<f32>tanhCut)), f32x4.ne(y, y)));
  y = v128.xor(y, v128.and(x, f32x4.splat(-0.0)));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

/** SLEEF's xexpf on two float32 values held as f64 lanes (exact FMAs throughout). */
@inline function exp2(d: v128): v128 {
  const q = f64x2.nearest(mul(d, d2(R_LN2f), false));
  let s = fmaG(q, d2(-L2Uf), d, false);
  s = fmaG(q, d2(-L2Lf), s, false);
  let u = d2(<f64><f32>0.000198527617612853646278381);
  u = fmaG(u, s, d2(<f64><f32>0.00139304355252534151077271), false);
  u = fmaG(u, s, d2(<f64><f32>0.00833336077630519866943359), false);
  u = fmaG(u, s, d2(<f64><f32>0.0416664853692054748535156), false);
  u = fmaG(u, s, d2(<f64><f32>0.166666671633720397949219), false);
  u = fmaG(u, s, d2(0.5), false);
  u = add(d2(1), fmaG(mul(s, s, false), u, s, false), false);
  u = ldexp2(u, q, false);
  u = v128.andnot(u, f64x2.lt(d, d2(-104)));
  return v128.bitselect(d2(Infinity), u, f64x2.lt(d2(100), d));
}

/** SLEEF's exp on four float32 lanes (Sleef_expf8_u10's numbers). */
@inline export function vexpSleef(v: v128): v128 {
  return pack(exp2(lo(v)), exp2(hi(v)));
}

/** SLEEF's exp of one float32 (the vector path's lane). */
@inline export function expf(x: f32): f32 {
  return <f32>f64x2.extract_lane(exp2(f64x2.splat(<f64>x)), 0);
}

const ln2Hi: f64 = <f64><f32>0.69314718246459960938;
const ln2Lo: f64 = <f64><f32>-1.904654323148236017e-09;
const rcp075: f64 = <f64>(<f32>1.0 / <f32>0.75);

/** SLEEF's xlogf_u1 on two float32 values held as f64 lanes (the AVX2 path). */
@inline function log2lanes(d0: v128): v128 {
  const o = f64x2.lt(d0, d2(1.1754943508222875e-38));
  const d = v128.bitselect(mul(d0, d2(18446744073709551616.0), false), d0, o);
  // vilogb2k of a positive normal float32 is its f64 exponent (of +inf, 128: clamp to 2^128);
  // vldexp3 a scaling by 2^−e
  const p = f64x2.min(mul(d, d2(rcp075), false), d2(3.402823669209385e38));
  const eb = i64x2.sub(i64x2.shr_u(v128.and(p, i64x2.splat(0x7FF0000000000000)), 52), i64x2.splat(1023));
  const m = f64x2.mul(d, i64x2.shl(i64x2.sub(i64x2.splat(1023), eb), 52));
  let e = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(eb, eb, 0, 2, 0, 2));
  e = v128.bitselect(f64x2.sub(e, d2(64)), e, o);
  dfmulF2F(d2(ln2Hi), d2(ln2Lo), e, false);
  let sx = rx, sy = ry;
  dfadd2FF(d2(-1), m, false);
  const nx = rx, ny = ry;
  dfadd2FF(d2(1), m, false);
  dfdivF2F2(nx, ny, rx, ry, false);
  const xx = rx, xy = ry;
  const x2 = mul(xx, xx, false);
  let t = d2(<f64><f32>0.3027294874);
  t = fmaG(t, x2, d2(<f64><f32>0.3996108174), false);
  t = fmaG(t, x2, d2(<f64><f32>0.6666694880), false);
  dfaddF2F2(sx, sy, mul(xx, d2(2), false), mul(xy, d2(2), false), false);
  sx = rx; sy = ry;
  dfaddF2F(sx, sy, mul(mul(x2, xx, false), t, false), false);
  let r = add(rx, ry, false);
  r = v128.bitselect(d2(Infinity), r, f64x2.eq(d, d2(Infinity)));
  r = v128.bitselect(d2(NaN), r, v128.or(f64x2.lt(d, d2(0)), f64x2.ne(d, d)));
  return v128.bitselect(d2(-Infinity), r, f64x2.eq(d, d2(0)));
}

/** SLEEF's log on four float32 lanes (Sleef_logf8_u10's numbers). */
@inline export function vlogSleef(v: v128): v128 {
  return pack(log2lanes(lo(v)), log2lanes(hi(v)));
}

/** SLEEF's log of one float32. */
@inline export function logf(x: f32): f32 {
  return <f32>f64x2.extract_lane(log2lanes(f64x2.splat(<f64>x)), 0);
}

// Test-only exports (test/sleef.test.ts): n floats at a → out, op 0 tanh, 1 exp, 2 log.
export function sleefMap(op: i32, out: usize, a: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const q = <usize>i << 2;
    const x = v128.load(a + q);
    v128.store(out + q, op == 0 ? vtanhSleef(x) : op == 1 ? vexpSleef(x) : vlogSleef(x));
  }
}
export function sleefScalar(op: i32, x: f32): f32 {
  return op == 1 ? expf(x) : op == 2 ? logf(x) : <f32>0;
}
