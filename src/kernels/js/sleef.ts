// Scalar, bit-exact ports of SLEEF's float32 tanh, exp and log as PyTorch 1.13 CPU (AVX2) runs them:
// Sleef_tanhf8_u10 (xtanhf), Sleef_expf8_u10 (xexpf), Sleef_logf8_u10 (xlogf_u1), built with
// ENABLE_FMA_SP (every vmla/vfma is one fused multiply-add) and -ffp-contract=off (nothing else fused).
// Values are float32 held in JS numbers; every operation rounds with Math.fround as float32 does
// (+ − × ÷ in double then fround are correctly rounded); fmaf emulates the fused multiply-add exactly.
//
// Derived from SLEEF, github.com/shibatch/sleef at commit e0a003ee838b75d11763aa9c3ef17bf71a725bff
// (the commit PyTorch 1.13 pins): src/libm/sleefsimdsp.c, src/common/df.h, src/arch/helperavx2.h.
//   Copyright Naoki Shibata and contributors 2010 - 2020.
// Distributed under the Boost Software License, Version 1.0.
//    (See tools/sleef/LICENSE.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
// The license's text, which must accompany copies and derivative works, is in tools/sleef/LICENSE.txt.

const f = Math.fround;

/**
 * a·b + c rounded once to float32 (a, b, c float32). a·b is exact in double; the double sum s may be
 * rounded, which matters only when s lands on a float32 midpoint: its error e (TwoSum) breaks the tie.
 */
export function fmaf(a: number, b: number, c: number): number {
  const s = a * b + c;
  const r = f(s);
  const d = s - r;
  // small enough for V8 to inline: only a double sum on a float32 midpoint needs its error
  return d === 0 || f(r + 2 * d) !== r + 2 * d ? r : fmafTie(a * b, c, s, r, d);
}

/** fmaf when the double sum s = p + c lies halfway between r and r + 2d: its error (TwoSum) decides. */
function fmafTie(p: number, c: number, s: number, r: number, d: number): number {
  const bb = s - p;
  const e = (p - (s - bb)) + (c - bb);
  return e !== 0 && (e > 0) === (d > 0) ? r + 2 * d : r;
}

const i32 = new Int32Array(1);
const f32 = new Float32Array(i32.buffer);
function floatToBits(x: number): number { f32[0] = x; return i32[0]; }
function bitsToFloat(b: number): number { i32[0] = b; return f32[0]; }

/** _mm256_cvtps_epi32: round half to even; out of range or NaN gives INT_MIN. */
function rint(x: number): number {
  if (!(Math.abs(x) < 2147483648)) return -2147483648;
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** 2^q as the bit pattern (q + 127) << 23, garbage included outside [−126, 127] as in SLEEF. */
function pow2i(q: number): number {
  return bitsToFloat(((q + 0x7f) << 23) | 0); // SLEEF's vpow2i: the exponent field itself
}
function ldexp2(d: number, e: number): number {
  const h = e >> 1;
  return f(f(d * pow2i(h)) * pow2i(e - h));
}
function ldexp3(d: number, q: number): number { return bitsToFloat((floatToBits(d) + (q << 23)) | 0); }
function ilogb2k(d: number): number { return ((floatToBits(d) >>> 23) & 0xff) - 0x7f; }

// Double-float results: the ops below leave their (x, y) pair here (no allocation).
// the double-float results (hi, lo): a typed array, so writing them allocates nothing
const R = new Float64Array(2);

// df.h, ENABLE_FMA_SP branches; names as in SLEEF (f2 = double-float pair, f = float)
function dfadd2F2F(xx: number, xy: number, y: number): void {
  const s = f(xx + y);
  const v = f(s - xx);
  const t = f(f(xx - f(s - v)) + f(y - v));
  R[0] = s; R[1] = f(t + xy);
}
function dfadd2F2F2(xx: number, xy: number, yx: number, yy: number): void {
  const s = f(xx + yx);
  const v = f(s - xx);
  const t = f(f(xx - f(s - v)) + f(yx - v));
  R[0] = s; R[1] = f(t + f(xy + yy));
}
function dfadd2FF(x: number, y: number): void {
  const s = f(x + y);
  const v = f(s - x);
  R[0] = s; R[1] = f(f(x - f(s - v)) + f(y - v));
}
function dfaddFF2(x: number, yx: number, yy: number): void {
  const s = f(x + yx);
  R[0] = s; R[1] = f(f(f(x - s) + yx) + yy);
}
function dfaddF2F(xx: number, xy: number, y: number): void {
  const s = f(xx + y);
  R[0] = s; R[1] = f(f(f(xx - s) + y) + xy);
}
// |x| ≥ |y|
function dfaddF2F2(xx: number, xy: number, yx: number, yy: number): void {
  const s = f(xx + yx);
  R[0] = s; R[1] = f(f(f(f(xx - s) + yx) + xy) + yy);
}
function dfmulF2F(xx: number, xy: number, y: number): void {
  const s = f(xx * y);
  R[0] = s; R[1] = fmaf(xy, y, fmaf(xx, y, -s));
}
function dfmulF2F2(xx: number, xy: number, yx: number, yy: number): void {
  const s = f(xx * yx);
  R[0] = s; R[1] = fmaf(xx, yy, fmaf(xy, yx, fmaf(xx, yx, -s)));
}
function dfsquF2(xx: number, xy: number): void {
  const s = f(xx * xx);
  R[0] = s; R[1] = fmaf(f(xx + xx), xy, fmaf(xx, xx, -s));
}
function dfrecF2(dx: number, dy: number): void {
  const s = f(1 / dx);
  R[0] = s; R[1] = f(s * fmaf(-dy, s, fmaf(-dx, s, 1)));
}
function dfdivF2F2(nx: number, ny: number, dx: number, dy: number): void {
  const t = f(1 / dx);
  const s = f(nx * t);
  const u = fmaf(t, nx, -s);
  const v = fmaf(-dy, t, fmaf(-dx, t, 1));
  R[0] = s; R[1] = fmaf(s, v, fmaf(ny, t, u));
}

const R_LN2f = f(1.442695040888963407359924681001892137426645954152985934135449406931);
const L2Uf = f(0.693145751953125);
const L2Lf = f(1.428606765330187045e-06);

/** expk2f: e^(dx + dy) as a double-float pair, left in (R[0], R[1]). */
function expk2f(dx: number, dy: number): void {
  const u0 = f(f(dx + dy) * R_LN2f);
  const q = rint(u0);
  dfadd2F2F(dx, dy, f(q * -L2Uf));
  dfadd2F2F(R[0], R[1], f(q * -L2Lf));
  const sx = R[0];
  const sy = R[1];
  let u = f(0.1980960224e-3);
  u = fmaf(u, sx, f(0.1394256484e-2));
  u = fmaf(u, sx, f(0.8333456703e-2));
  u = fmaf(u, sx, f(0.4166637361e-1));
  dfmulF2F(sx, sy, u);
  dfadd2F2F(R[0], R[1], f(0.166666659414234244790680580464));
  dfmulF2F2(sx, sy, R[0], R[1]);
  dfadd2F2F(R[0], R[1], 0.5);
  const tx = R[0];
  const ty = R[1];
  dfsquF2(sx, sy);
  dfmulF2F2(R[0], R[1], tx, ty);
  dfadd2F2F2(sx, sy, R[0], R[1]);
  dfaddFF2(1, R[0], R[1]);
  const lt = dx < -104;
  const x = ldexp2(R[0], q);
  const y = ldexp2(R[1], q);
  R[0] = lt ? 0 : x;
  R[1] = lt ? 0 : y;
}

const tanhCut = f(8.664339742);

/** SLEEF's xtanhf (1-ulp): (e^y − e^−y)/(e^y + e^−y) in double-float, y = |x|. */
export function tanhf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  expk2f(ax, 0);
  const dx = R[0];
  const dy = R[1];
  dfrecF2(dx, dy);
  const ex = R[0];
  const ey = R[1];
  dfaddF2F2(dx, dy, -ex, -ey);
  const nx = R[0];
  const ny = R[1];
  dfaddF2F2(dx, dy, ex, ey);
  dfdivF2F2(nx, ny, R[0], R[1]);
  let y = f(R[0] + R[1]);
  if (ax > tanhCut || Number.isNaN(y)) y = 1;
  // vmulsign: x's sign bit flips y's
  return x < 0 || Object.is(x, -0) ? -y : y;
}

/** SLEEF's xexpf (1-ulp). */
export function expf(d: number): number {
  const q = rint(f(d * R_LN2f));
  let s = fmaf(q, -L2Uf, d);
  s = fmaf(q, -L2Lf, s);
  let u = f(0.000198527617612853646278381);
  u = fmaf(u, s, f(0.00139304355252534151077271));
  u = fmaf(u, s, f(0.00833336077630519866943359));
  u = fmaf(u, s, f(0.0416664853692054748535156));
  u = fmaf(u, s, f(0.166666671633720397949219));
  u = fmaf(u, s, 0.5);
  u = f(1 + fmaf(f(s * s), u, s));
  u = ldexp2(u, q);
  if (d < -104) u = 0;
  if (100 < d) u = Infinity;
  return u;
}

const fltMin = 2 ** -126;
const ln2Hi = f(0.69314718246459960938);
const ln2Lo = f(-1.904654323148236017e-09);
const rcp075 = f(1 / 0.75);

/** SLEEF's xlogf_u1 (1-ulp), the AVX2 (non-AVX512) path: subnormals scaled by 2^64 first. */
export function logf(d0: number): number {
  const o = d0 < fltMin;
  const d = o ? f(d0 * 2 ** 64) : d0;
  let e = ilogb2k(f(d * rcp075));
  const m = ldexp3(d, -e);
  if (o) e -= 64;
  dfmulF2F(ln2Hi, ln2Lo, e);
  let sx = R[0];
  let sy = R[1];
  dfadd2FF(-1, m);
  const nx = R[0];
  const ny = R[1];
  dfadd2FF(1, m);
  dfdivF2F2(nx, ny, R[0], R[1]);
  const xx = R[0];
  const xy = R[1];
  const x2 = f(xx * xx);
  let t = f(0.3027294874);
  t = fmaf(t, x2, f(0.3996108174));
  t = fmaf(t, x2, f(0.6666694880));
  dfaddF2F2(sx, sy, f(xx * 2), f(xy * 2));
  sx = R[0]; sy = R[1];
  dfaddF2F(sx, sy, f(f(x2 * xx) * t));
  let r = f(R[0] + R[1]);
  if (d === Infinity) r = Infinity;
  if (d < 0 || Number.isNaN(d)) r = NaN;
  if (d === 0) r = -Infinity;
  return r;
}
