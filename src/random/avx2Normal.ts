/**
 * Float32 emulation of PyTorch 1.13's AVX2 `normal_fill_16_AVX2` kernel (Box-Muller with
 * Cephes `log256_ps` / `sincos256_ps` from avx_mathfun.h), reproducing every float32 rounding
 * and every FMA that GCC fused in the Debian build. See docs/random.md and the spec in
 * shared/reference/pytorch-rng.md §3.2. Do not "simplify" the arithmetic: each Math.fround /
 * fma32 below is one vector instruction of the compiled kernel.
 */
import { bitsToF32, fma32 } from "./fma32.js";

const f32 = Math.fround;

// Bit-exact float32 constants read from the binary's .rodata.
const TWO_PI = bitsToF32(0x40c90fdb);
const MIN_NORM = bitsToF32(0x00800000);
const SQRTHF = bitsToF32(0x3f3504f3);
const LOG_P = [
  0x3d9021bb, 0xbdebd1b8, 0x3def251a, 0xbdfe5d4f, 0x3e11e9bf, 0xbe2aae50, 0x3e4cceac, 0xbe7ffffc,
  0x3eaaaaaa,
].map(bitsToF32);
const [P0, P1, P2, P3, P4, P5, P6, P7, P8] = LOG_P;
const Q1 = bitsToF32(0xb95e8083);
const Q2 = bitsToF32(0x3f318000);
const FOPI = bitsToF32(0x3fa2f983);
const DP1 = bitsToF32(0xbf490000);
const DP2 = bitsToF32(0xb97da000);
const DP3 = bitsToF32(0xb3222169);
const COS_P0 = bitsToF32(0x37ccf5ce);
const COS_P1 = bitsToF32(0xbab6061a);
const COS_P2 = bitsToF32(0x3d2aaaa5);
const SIN_P0 = bitsToF32(0xb94ca1f9);
const SIN_P1 = bitsToF32(0x3c08839e);
const SIN_P2 = bitsToF32(0xbe2aaaa3);

const bitF = new Float32Array(1);
const bitU = new Uint32Array(bitF.buffer);

/** `log256_ps` on one lane; `u` is in (0, 1]. */
export function logAvx(u: number): number {
  if (!(u > 0)) return u === 0 ? -Infinity : NaN; // never reached from normal(): U1 >= 2^-24
  bitF[0] = u < MIN_NORM ? MIN_NORM : u;
  const bits = bitU[0];
  let e = (bits >>> 23) - 127 + 1; // exact small integer
  bitU[0] = (bits & 0x807fffff) | 0x3f000000;
  const m = bitF[0]; // mantissa in [0.5, 1)
  const t = m - 1; // exact (Sterbenz)
  let xm: number;
  if (m < SQRTHF) {
    xm = f32(t + m);
    e -= 1;
  } else {
    xm = t;
  }
  const eq1 = f32(e * Q1);
  let y = fma32(P0, xm, P1);
  y = fma32(y, xm, P2);
  y = fma32(y, xm, P3);
  y = fma32(y, xm, P4);
  y = fma32(y, xm, P5);
  y = fma32(y, xm, P6);
  y = fma32(y, xm, P7);
  y = fma32(y, xm, P8);
  const z = f32(xm * xm);
  y = f32(y * xm);
  y = fma32(y, z, eq1);
  y = fma32(-z, 0.5, y);
  const r = f32(xm + y);
  return fma32(e, Q2, r);
}

/** Result slots of `sincosAvx` (avoids allocating per lane). */
export const sincosOut = { sin: 0, cos: 0 };

/** `sincos256_ps` on one lane, writing into `sincosOut`. */
export function sincosAvx(theta: number): void {
  const neg = theta < 0 || Object.is(theta, -0);
  const ax = Math.abs(theta);
  let j = Math.trunc(f32(ax * FOPI)) | 0;
  j = (j + 1) & ~1;
  const yj = j;
  const sinNeg = neg !== ((j & 4) !== 0);
  const poly = (j & 2) === 0;
  const cosNeg = (~(j - 2) & 4) !== 0;
  let x = fma32(yj, DP1, ax);
  x = fma32(yj, DP2, x);
  x = fma32(yj, DP3, x);
  const z = f32(x * x);
  let c = fma32(z, COS_P0, COS_P1);
  c = fma32(z, c, COS_P2);
  c = f32(z * c);
  c = fma32(c, z, -f32(z * 0.5));
  c = f32(c + 1);
  let s = fma32(SIN_P0, z, SIN_P1);
  s = fma32(z, s, SIN_P2);
  s = f32(s * z);
  s = fma32(s, x, x);
  // The compiled code merges the two branches with float adds, so a -0 becomes +0.
  let sinv = (poly ? s : c) + 0;
  let cosv = (poly ? c : s) + 0;
  if (sinNeg) sinv = -sinv;
  if (cosNeg) cosv = -cosv;
  sincosOut.sin = sinv;
  sincosOut.cos = cosv;
}

/**
 * Transforms the 16 uniforms at out[o..o+15] into 16 normals in place: lane k pairs out[o+k]
 * (radius) with out[o+8+k] (angle).
 */
export function normalBlock16(out: Float32Array, o: number, std: number, mean: number): void {
  for (let k = 0; k < 8; k++) {
    const a = out[o + k];
    const b = out[o + 8 + k];
    const u1 = 1 - a; // exact
    const radius = f32(Math.sqrt(f32(-2 * logAvx(u1))));
    sincosAvx(f32(TWO_PI * b));
    out[o + k] = fma32(f32(radius * sincosOut.cos), std, mean);
    out[o + 8 + k] = fma32(f32(radius * sincosOut.sin), std, mean);
  }
}
