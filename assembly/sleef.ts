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
@inline function add(a: v128, b: v128): v128 { return r32(f64x2.add(a, b)); }
@inline function sub(a: v128, b: v128): v128 { return r32(f64x2.sub(a, b)); }
@inline function mul(a: v128, b: v128): v128 { return r32(f64x2.mul(a, b)); }
@inline function div(a: v128, b: v128): v128 { return r32(f64x2.div(a, b)); }

/**
 * a·b + c where the f64 sum is exact: a·b − fl(a·b) (Sterbenz, or the product itself when
 * fl(a·b) = 0) and 1 − d·fl(1/d) (d·fl(1/d) within 2^−23 of 1). One rounding, as the FMA.
 */
@inline function fmaE(a: v128, b: v128, c: v128): v128 { return r32(f64x2.add(f64x2.mul(a, b), c)); }

// Lanes whose fast-path FMA sum fell on a float32 midpoint (redone exactly by the caller).
let midLanes: v128 = i64x2(0, 0);

/**
 * Float32 FMA. exact: the tie on a float32 midpoint is broken by the sum's error (TwoSum); else
 * the lanes where the f64 sum is a float32 midpoint (low 29 mantissa bits 1000…0) are recorded
 * in midLanes and rounded plainly (normal-range results only: callers route tiny inputs to exact).
 */
@inline function fmaG(a: v128, b: v128, c: v128, exact: bool): v128 {
  const p = f64x2.mul(a, b);
  const s = f64x2.add(p, c);
  const bb = f64x2.sub(s, p);
  const e = f64x2.add(f64x2.sub(p, f64x2.sub(s, bb)), f64x2.sub(c, bb));
  if (!exact) {
    // an inexact sum on a midpoint (an exact one rounds right as it is)
    const mid = i64x2.eq(v128.and(s, i64x2.splat(0x1FFFFFFF)), i64x2.splat(0x10000000));
    midLanes = v128.or(midLanes, v128.and(mid, f64x2.ne(e, d2(0))));
    return r32(s);
  }
  const r = r32(s);
  const d = f64x2.sub(s, r);
  const other = f64x2.add(r, f64x2.add(d, d));
  // s a midpoint (its neighbour r + 2d a float32) and inexact: the exact value lies on e's side
  const tie = v128.andnot(f64x2.eq(r32(other), other), f64x2.eq(d, d2(0)));
  const far = v128.and(tie, v128.and(f64x2.ne(e, d2(0)), i64x2.ge_s(v128.xor(e, d), i64x2.splat(0))));
  return v128.bitselect(other, r, far);
}

/** 2^k for small integer-valued f64 lanes k, exactly. */
@inline function pow2(k: v128): v128 {
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  return i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
}
/** SLEEF's vldexp2 (d·2^(q>>1)·2^(q − (q>>1)), two float32 products) for integer-valued q. */
@inline function ldexp2(d: v128, q: v128): v128 {
  const h = f64x2.floor(f64x2.mul(q, d2(0.5)));
  return mul(mul(d, pow2(h)), pow2(f64x2.sub(q, h)));
}

// Double-float pairs (x, y) as in df.h (ENABLE_FMA_SP); results left in rx, ry.
let rx: v128 = i64x2(0, 0);
let ry: v128 = i64x2(0, 0);

@inline function dfadd2F2F(xx: v128, xy: v128, y: v128): void {
  const s = add(xx, y);
  const v = sub(s, xx);
  const t = add(sub(xx, sub(s, v)), sub(y, v));
  rx = s; ry = add(t, xy);
}
@inline function dfadd2F2F2(xx: v128, xy: v128, yx: v128, yy: v128): void {
  const s = add(xx, yx);
  const v = sub(s, xx);
  const t = add(sub(xx, sub(s, v)), sub(yx, v));
  rx = s; ry = add(t, add(xy, yy));
}
@inline function dfadd2FF(x: v128, y: v128): void {
  const s = add(x, y);
  const v = sub(s, x);
  rx = s; ry = add(sub(x, sub(s, v)), sub(y, v));
}
@inline function dfaddFF2(x: v128, yx: v128, yy: v128): void {
  const s = add(x, yx);
  rx = s; ry = add(add(sub(x, s), yx), yy);
}
@inline function dfaddF2F(xx: v128, xy: v128, y: v128): void {
  const s = add(xx, y);
  rx = s; ry = add(add(sub(xx, s), y), xy);
}
@inline function dfaddF2F2(xx: v128, xy: v128, yx: v128, yy: v128): void {
  const s = add(xx, yx);
  rx = s; ry = add(add(add(sub(xx, s), yx), xy), yy);
}
@inline function dfmulF2F(xx: v128, xy: v128, y: v128, exact: bool): void {
  const s = mul(xx, y);
  rx = s; ry = fmaG(xy, y, fmaE(xx, y, f64x2.neg(s)), exact);
}
@inline function dfmulF2F2(xx: v128, xy: v128, yx: v128, yy: v128, exact: bool): void {
  const s = mul(xx, yx);
  rx = s; ry = fmaG(xx, yy, fmaG(xy, yx, fmaE(xx, yx, f64x2.neg(s)), exact), exact);
}
@inline function dfsquF2(xx: v128, xy: v128, exact: bool): void {
  const s = mul(xx, xx);
  rx = s; ry = fmaG(add(xx, xx), xy, fmaE(xx, xx, f64x2.neg(s)), exact);
}
@inline function dfrecF2(dx: v128, dy: v128, exact: bool): void {
  const s = div(d2(1), dx);
  rx = s; ry = mul(s, fmaG(f64x2.neg(dy), s, fmaE(f64x2.neg(dx), s, d2(1)), exact));
}
@inline function dfdivF2F2(nx: v128, ny: v128, dx: v128, dy: v128, exact: bool): void {
  const t = div(d2(1), dx);
  const s = mul(nx, t);
  const u = fmaE(t, nx, f64x2.neg(s));
  const v = fmaG(f64x2.neg(dy), t, fmaE(f64x2.neg(dx), t, d2(1)), exact);
  rx = s; ry = fmaG(s, v, fmaG(ny, t, u, exact), exact);
}

// float32 constants (misc.h and the polynomials), as f64
const R_LN2f: f64 = <f64><f32>1.442695040888963407359924681001892137426645954152985934135449406931;
const L2Uf: f64 = <f64><f32>0.693145751953125;
const L2Lf: f64 = <f64><f32>1.428606765330187045e-06;

/** expk2f(y, 0) for y ≥ 0 (tanh's only use): e^y as a double-float pair in (rx, ry). */
@inline function expk2f(dx: v128, exact: bool): void {
  const q = f64x2.nearest(mul(dx, d2(R_LN2f))); // vrint: half to even
  dfadd2F2F(dx, d2(0), mul(q, d2(-L2Uf)));
  dfadd2F2F(rx, ry, mul(q, d2(-L2Lf)));
  const sx = rx, sy = ry;
  let u = d2(<f64><f32>0.1980960224e-3);
  u = fmaG(u, sx, d2(<f64><f32>0.1394256484e-2), exact);
  u = fmaG(u, sx, d2(<f64><f32>0.8333456703e-2), exact);
  u = fmaG(u, sx, d2(<f64><f32>0.4166637361e-1), exact);
  dfmulF2F(sx, sy, u, exact);
  dfadd2F2F(rx, ry, d2(<f64><f32>0.166666659414234244790680580464));
  dfmulF2F2(sx, sy, rx, ry, exact);
  dfadd2F2F(rx, ry, d2(0.5));
  const tx = rx, ty = ry;
  dfsquF2(sx, sy, exact);
  dfmulF2F2(rx, ry, tx, ty, exact);
  dfadd2F2F2(sx, sy, rx, ry);
  dfaddFF2(d2(1), rx, ry);
  const x = ldexp2(rx, q);
  rx = x; ry = ldexp2(ry, q);
}

const tanhCut: f64 = <f64><f32>8.664339742;

/** xtanhf on two float32 values held as f64 lanes; |x| > the cut-off or NaN handled by the caller. */
@inline function tanh2(ax: v128, exact: bool): v128 {
  expk2f(ax, exact);
  const dx = rx, dy = ry;
  dfrecF2(dx, dy, exact);
  const ex = rx, ey = ry;
  dfaddF2F2(dx, dy, f64x2.neg(ex), f64x2.neg(ey));
  const nx = rx, ny = ry;
  dfaddF2F2(dx, dy, ex, ey);
  dfdivF2F2(nx, ny, rx, ry, exact);
  return add(rx, ry);
}

/** SLEEF's tanh on four float32 lanes (Sleef_tanhf8_u10's numbers). */
@inline export function vtanhSleef(x: v128): v128 {
  const ax = f32x4.abs(x);
  midLanes = i64x2(0, 0);
  let y = pack(tanh2(lo(ax), false), tanh2(hi(ax), false));
  // lanes to redo exactly: a midpoint seen, or |x| < 2^−12 (tiny intermediates, below the check's range)
  // (midLanes: either half's lanes, ORed; only whether any is set matters)
  if (v128.any_true(v128.or(f32x4.lt(ax, f32x4.splat(<f32>2.44140625e-4)), midLanes))) y = pack(tanh2(lo(ax), true), tanh2(hi(ax), true));
  // |x| beyond the cut-off, or y NaN: 1; then vmulsign (x's sign bit flips y's); NaN stays NaN
  y = v128.bitselect(f32x4.splat(1), y, v128.or(f32x4.gt(ax, f32x4.splat(<f32>tanhCut)), f32x4.ne(y, y)));
  y = v128.xor(y, v128.and(x, f32x4.splat(-0.0)));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

/** SLEEF's xexpf on two float32 values held as f64 lanes (exact FMAs throughout). */
@inline function exp2(d: v128): v128 {
  const q = f64x2.nearest(mul(d, d2(R_LN2f)));
  let s = fmaG(q, d2(-L2Uf), d, true);
  s = fmaG(q, d2(-L2Lf), s, true);
  let u = d2(<f64><f32>0.000198527617612853646278381);
  u = fmaG(u, s, d2(<f64><f32>0.00139304355252534151077271), true);
  u = fmaG(u, s, d2(<f64><f32>0.00833336077630519866943359), true);
  u = fmaG(u, s, d2(<f64><f32>0.0416664853692054748535156), true);
  u = fmaG(u, s, d2(<f64><f32>0.166666671633720397949219), true);
  u = fmaG(u, s, d2(0.5), true);
  u = add(d2(1), fmaG(mul(s, s), u, s, true));
  u = ldexp2(u, q);
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
  const d = v128.bitselect(mul(d0, d2(18446744073709551616.0)), d0, o);
  // vilogb2k of a positive normal float32 is its f64 exponent (of +inf, 128: clamp to 2^128);
  // vldexp3 a scaling by 2^−e
  const p = f64x2.min(mul(d, d2(rcp075)), d2(3.402823669209385e38));
  const eb = i64x2.sub(i64x2.shr_u(v128.and(p, i64x2.splat(0x7FF0000000000000)), 52), i64x2.splat(1023));
  const m = f64x2.mul(d, i64x2.shl(i64x2.sub(i64x2.splat(1023), eb), 52));
  let e = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(eb, eb, 0, 2, 0, 2));
  e = v128.bitselect(f64x2.sub(e, d2(64)), e, o);
  dfmulF2F(d2(ln2Hi), d2(ln2Lo), e, true);
  let sx = rx, sy = ry;
  dfadd2FF(d2(-1), m);
  const nx = rx, ny = ry;
  dfadd2FF(d2(1), m);
  dfdivF2F2(nx, ny, rx, ry, true);
  const xx = rx, xy = ry;
  const x2 = mul(xx, xx);
  let t = d2(<f64><f32>0.3027294874);
  t = fmaG(t, x2, d2(<f64><f32>0.3996108174), true);
  t = fmaG(t, x2, d2(<f64><f32>0.6666694880), true);
  dfaddF2F2(sx, sy, mul(xx, d2(2)), mul(xy, d2(2)));
  sx = rx; sy = ry;
  dfaddF2F(sx, sy, mul(mul(x2, xx), t));
  let r = add(rx, ry);
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
