/**
 * Float32 arithmetic helpers. JavaScript computes in float64; rounding a float64 result of a
 * single + - * / or sqrt on float32 inputs to float32 gives the correctly rounded float32 result,
 * so only the fused multiply-add needs real work.
 */

const f32 = Math.fround;

/**
 * a*b+c rounded once to float32 (what `vfmadd*ps` computes), for float32 inputs a, b, c.
 *
 * a*b is exact in float64 (24+24 bits). s = p+c may be rounded; rounding s again to float32 is
 * wrong only when s lands exactly on a float32 midpoint while the exact sum is not there. In that
 * case the TwoSum error term says which side the exact value lies on.
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f32(s);
  if (r === s) return r; // s itself is a float32; any float64 error is far below its half-ulp
  const other = s + (s - r); // the neighbouring float32 if s is exactly a midpoint
  if (f32(other) !== other) return r; // not a midpoint (or NaN): plain rounding is right
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err === 0) return r; // exact tie: round-half-even, which fround already did
  return err > 0 === other > r ? other : r;
}

const convF32 = new Float32Array(1);
const convU32 = new Uint32Array(convF32.buffer);

/** IEEE binary32 bit pattern of `x` (after rounding to float32). */
export function f32ToBits(x: number): number {
  convF32[0] = x;
  return convU32[0];
}

/** The float32 whose bit pattern is `bits`. */
export function bitsToF32(bits: number): number {
  convU32[0] = bits >>> 0;
  return convF32[0];
}
