// SLEEF's float32 tanh, exp and log as PyTorch 1.13 CPU (AVX2) runs them, bit for bit: xtanhf,
// xexpf, xlogf_u1 with ENABLE_FMA_SP (every vmla/vfma one fused multiply-add, nothing else fused).
// The same ports as src/kernels/js/sleef.ts (read that first), vectorised: each f64x2 lane holds a
// float32 value; every float32 operation is done in f64 and rounded back (demote, promote), which
// is exact for + − × ÷. A float32 FMA a·b + c: a·b is exact in f64, the f64 sum s may round, which
// matters only when s lands on a float32 midpoint; then the sum's error (TwoSum) breaks the tie.
// The module built with FUSED_FMA (--use FUSED_FMA=1) does the f32x4 lanes' FMAs with
// f32x4.relaxed_madd instead: one instruction, loaded only where it is a true FMA.
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
@inline function lt(a: v128, b: v128, f: bool): v128 { return f ? f32x4.lt(a, b) : f64x2.lt(a, b); }
@inline function eq(a: v128, b: v128, f: bool): v128 { return f ? f32x4.eq(a, b) : f64x2.eq(a, b); }
@inline function ne(a: v128, b: v128, f: bool): v128 { return f ? f32x4.ne(a, b) : f64x2.ne(a, b); }

/**
 * a·b + c where the f64 sum is exact: a·b − fl(a·b) (Sterbenz, or the product itself when
 * fl(a·b) = 0) and 1 − d·fl(1/d) (d·fl(1/d) within 2^−23 of 1). One rounding, as the FMA.
 */
@inline function fmaE(a: v128, b: v128, c: v128, f: bool): v128 {
  if (!f) return r32(f64x2.add(f64x2.mul(a, b), c));
  if (isDefined(FUSED_FMA)) return f32x4.relaxed_madd(a, b, c);
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
 * Float32 FMA. In the module built with FUSED_FMA (used only where a start-up probe saw
 * relaxed_madd round once, see src/kernels/wasm/index.ts), f32x4 lanes take the CPU's FMA. exact (f64 lanes): the tie on a float32 midpoint is broken by the sum's error
 * (TwoSum). Fast (f32x4 lanes): rounded plainly, the lanes where the inexact f64 sum is a float32
 * midpoint (low 29 mantissa bits 1000…0) noted in midLanes (normal-range results only: callers
 * route tiny inputs to the exact path).
 */
@inline function fmaG(a: v128, b: v128, c: v128, f: bool): v128 {
  if (f) {
    if (isDefined(FUSED_FMA)) return f32x4.relaxed_madd(a, b, c); // the CPU's FMA: nothing to check
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

/**
 * a·b + c rounded once to float32 (a scalar FMA): the CPU's FMA in the FUSED_FMA module; else a·b is
 * exact in f64 and the f64 sum may round, which matters only when it lands on a float32 midpoint:
 * then its error (TwoSum) breaks the tie.
 */
@inline export function fmaf(a: f32, b: f32, c: f32): f32 {
  if (isDefined(FUSED_FMA)) return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
  const p = <f64>a * <f64>b;
  const s = p + <f64>c;
  const r = <f32>s;
  const d = s - <f64>r;
  if (d == 0) return r;
  const other = <f64>r + 2 * d;
  if (<f64><f32>other != other) return r; // not a midpoint
  const bb = s - p;
  const e = (p - (s - bb)) + (<f64>c - bb);
  return e != 0 && (e > 0) == (d > 0) ? <f32>other : r;
}

/** fmaf on four lanes: the CPU's FMA in the FUSED_FMA module, else fmaG's exact emulation. */
@inline export function vfmaf(a: v128, b: v128, c: v128): v128 {
  if (isDefined(FUSED_FMA)) return f32x4.relaxed_madd(a, b, c);
  return pack(fmaG(lo(a), lo(b), lo(c), false), fmaG(hi(a), hi(b), hi(c), false));
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

// Double-float pairs (x, y) as in df.h (ENABLE_FMA_SP). Each op's high part is one float32 operation
// (noted as s); the caller computes it, and the function below returns the low part from it. So
// every pair lives in locals (wasm has no multiple returns; globals would cost a store and a load
// per step).

/** (xx, xy) + y, s = xx + y. */
@inline function dfadd2F2F(xx: v128, xy: v128, y: v128, s: v128, f: bool): v128 {
  const v = sub(s, xx, f);
  return add(add(sub(xx, sub(s, v, f), f), sub(y, v, f), f), xy, f);
}
/** (xx, xy) + (yx, yy), s = xx + yx. */
@inline function dfadd2F2F2(xx: v128, xy: v128, yx: v128, yy: v128, s: v128, f: bool): v128 {
  const v = sub(s, xx, f);
  return add(add(sub(xx, sub(s, v, f), f), sub(yx, v, f), f), add(xy, yy, f), f);
}
/** x + y exactly, s = x + y. */
@inline function dfadd2FF(x: v128, y: v128, s: v128, f: bool): v128 {
  const v = sub(s, x, f);
  return add(sub(x, sub(s, v, f), f), sub(y, v, f), f);
}
/** x + (yx, yy), s = x + yx. */
@inline function dfaddFF2(x: v128, yx: v128, yy: v128, s: v128, f: bool): v128 {
  return add(add(sub(x, s, f), yx, f), yy, f);
}
/** (xx, xy) + y, |xx| ≥ |y|, s = xx + y. */
@inline function dfaddF2F(xx: v128, xy: v128, y: v128, s: v128, f: bool): v128 {
  return add(add(sub(xx, s, f), y, f), xy, f);
}
/** (xx, xy) + (yx, yy), |xx| ≥ |yx|, s = xx + yx. */
@inline function dfaddF2F2(xx: v128, xy: v128, yx: v128, yy: v128, s: v128, f: bool): v128 {
  return add(add(add(sub(xx, s, f), yx, f), xy, f), yy, f);
}
/** (xx, xy)·y, s = xx·y. */
@inline function dfmulF2F(xx: v128, xy: v128, y: v128, s: v128, f: bool): v128 {
  return fmaG(xy, y, fmaE(xx, y, neg(s, f), f), f);
}
/** (xx, xy)·(yx, yy), s = xx·yx. */
@inline function dfmulF2F2(xx: v128, xy: v128, yx: v128, yy: v128, s: v128, f: bool): v128 {
  return fmaG(xx, yy, fmaG(xy, yx, fmaE(xx, yx, neg(s, f), f), f), f);
}
/** (xx, xy)², s = xx·xx. */
@inline function dfsquF2(xx: v128, xy: v128, s: v128, f: bool): v128 {
  return fmaG(add(xx, xx, f), xy, fmaE(xx, xx, neg(s, f), f), f);
}
/** 1/(dx, dy), s = 1/dx. */
@inline function dfrecF2(dx: v128, dy: v128, s: v128, f: bool): v128 {
  return mul(s, fmaG(neg(dy, f), s, fmaE(neg(dx, f), s, k(1, f), f), f), f);
}
/** (nx, ny)/(dx, dy), t = 1/dx, s = nx·t. */
@inline function dfdivF2F2(nx: v128, ny: v128, dx: v128, dy: v128, t: v128, s: v128, f: bool): v128 {
  const u = fmaE(t, nx, neg(s, f), f);
  const v = fmaG(neg(dy, f), t, fmaE(neg(dx, f), t, k(1, f), f), f);
  return fmaG(s, v, fmaG(ny, t, u, f), f);
}

// float32 constants (misc.h and the polynomials), as f64
const R_LN2f: f64 = <f64><f32>1.442695040888963407359924681001892137426645954152985934135449406931;
const L2Uf: f64 = <f64><f32>0.693145751953125;
const L2Lf: f64 = <f64><f32>1.428606765330187045e-06;

const tanhCut: f64 = <f64><f32>8.664339742;

/** xtanhf of |x| (four f32 lanes when f, else two f64 lanes); the cut-off and NaN left to the caller. */
@inline function tanhAbs(ax: v128, f: bool): v128 {
  // (dx, dy) = expk2f(ax, 0) = e^|x| as a double-float pair
  const q = f ? f32x4.nearest(mul(ax, k(R_LN2f, f), f)) : f64x2.nearest(mul(ax, k(R_LN2f, f), f)); // vrint: half to even
  const a = mul(q, k(-L2Uf, f), f), b = mul(q, k(-L2Lf, f), f);
  const s0 = add(ax, a, f);
  const s0y = dfadd2F2F(ax, k(0, f), a, s0, f);
  const sx = add(s0, b, f);
  const sy = dfadd2F2F(s0, s0y, b, sx, f);
  let u = k(<f64><f32>0.1980960224e-3, f);
  u = fmaG(u, sx, k(<f64><f32>0.1394256484e-2, f), f);
  u = fmaG(u, sx, k(<f64><f32>0.8333456703e-2, f), f);
  u = fmaG(u, sx, k(<f64><f32>0.4166637361e-1, f), f);
  const p1 = mul(sx, u, f);
  const p1y = dfmulF2F(sx, sy, u, p1, f);
  const c6 = k(<f64><f32>0.166666659414234244790680580464, f);
  const p2 = add(p1, c6, f);
  const p2y = dfadd2F2F(p1, p1y, c6, p2, f);
  const p3 = mul(sx, p2, f);
  const p3y = dfmulF2F2(sx, sy, p2, p2y, p3, f);
  const tx = add(p3, k(0.5, f), f);
  const ty = dfadd2F2F(p3, p3y, k(0.5, f), tx, f);
  const s2 = mul(sx, sx, f);
  const s2y = dfsquF2(sx, sy, s2, f);
  const p4 = mul(s2, tx, f);
  const p4y = dfmulF2F2(s2, s2y, tx, ty, p4, f);
  const p5 = add(sx, p4, f);
  const p5y = dfadd2F2F2(sx, sy, p4, p4y, p5, f);
  const p6 = add(k(1, f), p5, f);
  const p6y = dfaddFF2(k(1, f), p5, p5y, p6, f);
  const dx = ldexp2(p6, q, f), dy = ldexp2(p6y, q, f);
  // (ex, ey) = 1/(dx, dy); tanh = ((dx, dy) − (ex, ey)) / ((dx, dy) + (ex, ey))
  const ex = div(k(1, f), dx, f);
  const ey = dfrecF2(dx, dy, ex, f);
  const nx = add(dx, neg(ex, f), f);
  const ny = dfaddF2F2(dx, dy, neg(ex, f), neg(ey, f), nx, f);
  const mx = add(dx, ex, f);
  const my = dfaddF2F2(dx, dy, ex, ey, mx, f);
  const t = div(k(1, f), mx, f);
  const rx = mul(nx, t, f);
  return add(rx, dfdivF2F2(nx, ny, mx, my, t, rx, f), f);
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

/**
 * SLEEF's xexpf: on four float32 lanes (f; only in the FUSED_FMA module, where fmaG is the CPU's
 * FMA) or on two float32 values held as f64 lanes (exact FMAs throughout).
 */
@inline function expLanes(d: v128, f: bool): v128 {
  const u0 = mul(d, k(R_LN2f, f), f);
  const q = f ? f32x4.nearest(u0) : f64x2.nearest(u0); // vrint: half to even
  let s = fmaG(q, k(-L2Uf, f), d, f);
  s = fmaG(q, k(-L2Lf, f), s, f);
  let u = k(<f64><f32>0.000198527617612853646278381, f);
  u = fmaG(u, s, k(<f64><f32>0.00139304355252534151077271, f), f);
  u = fmaG(u, s, k(<f64><f32>0.00833336077630519866943359, f), f);
  u = fmaG(u, s, k(<f64><f32>0.0416664853692054748535156, f), f);
  u = fmaG(u, s, k(<f64><f32>0.166666671633720397949219, f), f);
  u = fmaG(u, s, k(0.5, f), f);
  u = add(k(1, f), fmaG(mul(s, s, f), u, s, f), f);
  u = ldexp2(u, q, f);
  u = v128.andnot(u, lt(d, k(-104, f), f));
  return v128.bitselect(k(Infinity, f), u, lt(k(100, f), d, f));
}

/** SLEEF's exp on four float32 lanes (Sleef_expf8_u10's numbers). */
@inline export function vexpSleef(v: v128): v128 {
  if (isDefined(FUSED_FMA)) return expLanes(v, true);
  return pack(expLanes(lo(v), false), expLanes(hi(v), false));
}

/** SLEEF's exp of one float32 (the vector path's lane). */
@inline export function expf(x: f32): f32 {
  if (isDefined(FUSED_FMA)) return f32x4.extract_lane(expLanes(f32x4.splat(x), true), 0);
  return <f32>f64x2.extract_lane(expLanes(f64x2.splat(<f64>x), false), 0);
}

const ln2Hi: f64 = <f64><f32>0.69314718246459960938;
const ln2Lo: f64 = <f64><f32>-1.904654323148236017e-09;
const rcp075: f64 = <f64>(<f32>1.0 / <f32>0.75);

/**
 * SLEEF's xlogf_u1, the AVX2 path: on four float32 lanes (f; FUSED_FMA only, SLEEF's integer
 * exponent steps as written) or on two float32 values held as f64 lanes.
 */
@inline function logLanes(d0: v128, f: bool): v128 {
  const o = lt(d0, k(1.1754943508222875e-38, f), f);
  const d = v128.bitselect(mul(d0, k(18446744073709551616.0, f), f), d0, o);
  let m: v128, e: v128;
  if (f) {
    // vilogb2k (the biased exponent field − 127) and vldexp3 (−e added to that field)
    const ei = i32x4.sub(i32x4.shr_u(v128.and(f32x4.mul(d, f32x4.splat(<f32>rcp075)), i32x4.splat(0x7F800000)), 23), i32x4.splat(127));
    m = i32x4.sub(d, i32x4.shl(ei, 23));
    e = f32x4.convert_i32x4_s(v128.bitselect(i32x4.sub(ei, i32x4.splat(64)), ei, o));
  } else {
    // vilogb2k of a positive normal float32 is its f64 exponent (of +inf, 128: clamp to 2^128);
    // vldexp3 a scaling by 2^−e
    const p = f64x2.min(mul(d, d2(rcp075), false), d2(3.402823669209385e38));
    const eb = i64x2.sub(i64x2.shr_u(v128.and(p, i64x2.splat(0x7FF0000000000000)), 52), i64x2.splat(1023));
    m = f64x2.mul(d, i64x2.shl(i64x2.sub(i64x2.splat(1023), eb), 52));
    e = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(eb, eb, 0, 2, 0, 2));
    e = v128.bitselect(f64x2.sub(e, d2(64)), e, o);
  }
  let sx = mul(k(ln2Hi, f), e, f);
  let sy = dfmulF2F(k(ln2Hi, f), k(ln2Lo, f), e, sx, f);
  const nx = add(k(-1, f), m, f);
  const ny = dfadd2FF(k(-1, f), m, nx, f);
  const dx = add(k(1, f), m, f);
  const dy = dfadd2FF(k(1, f), m, dx, f);
  const t = div(k(1, f), dx, f);
  const xx = mul(nx, t, f);
  const xy = dfdivF2F2(nx, ny, dx, dy, t, xx, f);
  const x2 = mul(xx, xx, f);
  let t2 = k(<f64><f32>0.3027294874, f);
  t2 = fmaG(t2, x2, k(<f64><f32>0.3996108174, f), f);
  t2 = fmaG(t2, x2, k(<f64><f32>0.6666694880, f), f);
  const xx2 = mul(xx, k(2, f), f);
  const s1 = add(sx, xx2, f);
  const s1y = dfaddF2F2(sx, sy, xx2, mul(xy, k(2, f), f), s1, f);
  const w = mul(mul(x2, xx, f), t2, f);
  sx = add(s1, w, f);
  sy = dfaddF2F(s1, s1y, w, sx, f);
  let r = add(sx, sy, f);
  r = v128.bitselect(k(Infinity, f), r, eq(d, k(Infinity, f), f));
  r = v128.bitselect(k(NaN, f), r, v128.or(lt(d, k(0, f), f), ne(d, d, f)));
  return v128.bitselect(k(-Infinity, f), r, eq(d, k(0, f), f));
}

/** SLEEF's log on four float32 lanes (Sleef_logf8_u10's numbers). */
@inline export function vlogSleef(v: v128): v128 {
  if (isDefined(FUSED_FMA)) return logLanes(v, true);
  return pack(logLanes(lo(v), false), logLanes(hi(v), false));
}

/** SLEEF's log of one float32. */
@inline export function logf(x: f32): f32 {
  if (isDefined(FUSED_FMA)) return f32x4.extract_lane(logLanes(f32x4.splat(x), true), 0);
  return <f32>f64x2.extract_lane(logLanes(f64x2.splat(<f64>x), false), 0);
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

/**
 * fmaf(a, b, c): src/kernels/wasm/index.ts loads the FUSED_FMA module only where this rounds once
 * (a = b = 1 + 2⁻¹², c = −1 gives 2⁻¹¹ + 2⁻²⁴ fused, 2⁻¹¹ when the product is rounded first).
 */
export function fmaProbe(a: f32, b: f32, c: f32): f32 { return fmaf(a, b, c); }
