// Shared SIMD helpers and vectorised math (f32x4), used by every kernel file.
//
// Conventions for all kernels: pointers are byte offsets into linear memory, owned and handed out
// by the JavaScript allocator (src/kernels/wasm/index.ts); nothing here allocates. No kernel
// assumes 16-byte alignment (wasm v128 loads and stores accept any address).

@inline export function splat(x: f32): v128 { return f32x4.splat(x); }
@inline export function zero4(): v128 { return f32x4.splat(0); }

/** Loads r (1..3) floats into the low lanes; the other lanes come from `fill`. */
@inline export function loadTail(p: usize, r: i32, fill: v128): v128 {
  let v = f32x4.replace_lane(fill, 0, load<f32>(p));
  if (r > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (r > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores the low r (1..3) lanes. */
@inline export function storeTail(p: usize, v: v128, r: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (r > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (r > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Loads 4 floats, or r < 4 of them with zeros above. */
@inline export function ldr(p: usize, r: i32): v128 {
  return r >= 4 ? v128.load(p) : loadTail(p, r, f32x4.splat(0));
}

/** Stores 4 floats, or the low r < 4 lanes. */
@inline export function str(p: usize, v: v128, r: i32): void {
  if (r >= 4) v128.store(p, v);
  else storeTail(p, v, r);
}

/** Lanes 4−r..3 set (r = 1..4): the new columns of a block that overlaps its left neighbour. */
@inline export function keepLast(r: i32): v128 {
  return i32x4.gt_s(i32x4(0, 1, 2, 3), i32x4.splat(3 - r));
}

/** Lanes 0..r−1 set. */
@inline export function keepFirst(r: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(r));
}

// ---- f32 <-> f64 lane conversion, for kernels that must round exactly like the JS backend ----

/** Lanes 0,1 as f64x2. */
@inline export function lo(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
/** Lanes 2,3 as f64x2. */
@inline export function hi(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)); }
/** Rounds two f64x2 back to one f32x4 (low pair first). */
@inline export function pack(l: v128, h: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5);
}
@inline export function dsplat(x: f64): v128 { return f64x2.splat(x); }

/** Horizontal sums of four vectors: [Σa0, Σa1, Σa2, Σa3]. */
@inline export function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t0 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

@inline export function hmax(v: v128): f32 {
  const t = f32x4.pmax(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  const a = f32x4.extract_lane(t, 0), b = f32x4.extract_lane(t, 1);
  return a < b ? b : a;
}

/** The largest of p[0 .. cols) (pmax: a NaN is passed over, as `if (v > m) m = v` would). */
@inline export function rowMax(p: usize, cols: i32): f32 {
  let m = splat(-Infinity);
  const n4 = cols & ~3, r = cols & 3;
  for (let c = 0; c < n4; c += 4) m = f32x4.pmax(m, v128.load(p + (<usize>c << 2)));
  if (r != 0) m = f32x4.pmax(m, loadTail(p + (<usize>n4 << 2), r, splat(-Infinity)));
  return hmax(m);
}

// ---- vectorised math ----

/**
 * exp(x), Cephes expf: x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite), degree-6 polynomial, scale by
 * 2^n in two halves so results in the subnormal range and overflow to +inf come out right.
 * About 1 ulp. NaN → NaN, +inf → +inf, −inf → 0. n is rounded with the 1.5·2^23 trick, and the
 * clamp uses pmin/pmax (plain minps/maxps on x86; they pass NaN through here).
 */
@inline export function vexp(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, splat(-104.0)), splat(89.0));
  const magic = splat(12582912.0);
  const t = f32x4.add(f32x4.mul(x, splat(1.44269504088896341)), magic);
  const fx = f32x4.sub(t, magic);
  let r = f32x4.sub(x, f32x4.mul(fx, splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, splat(-2.12194440e-4)));
  const z = f32x4.mul(r, r);
  // Estrin: p = c0 + c1 r + c2 r² + ... + c5 r⁵ (c = Cephes coefficients from 1/2 up)
  const p01 = f32x4.add(f32x4.mul(splat(1.6666665459e-1), r), splat(5.0000001201e-1));
  const p23 = f32x4.add(f32x4.mul(splat(8.3334519073e-3), r), splat(4.1665795894e-2));
  const p45 = f32x4.add(f32x4.mul(splat(1.9875691500e-4), r), splat(1.3981999507e-3));
  const z2 = f32x4.mul(z, z);
  const p = f32x4.add(f32x4.add(p01, f32x4.mul(p23, z)), f32x4.mul(p45, z2));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, z), r), splat(1.0));
  const n = i32x4.sub(t, splat(12582912.0));
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/**
 * log(x), Cephes logf: x = m·2^e with m in [√½, √2), polynomial in m − 1 (good relative accuracy
 * near 1). Subnormals are scaled first. 0 → −inf, x < 0 → NaN, +inf → +inf, NaN → NaN.
 */
@inline export function vlog(x0: v128): v128 {
  const den = f32x4.lt(x0, splat(1.17549435e-38));
  const x = v128.bitselect(f32x4.mul(x0, splat(8388608.0)), x0, den);
  let e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(den, i32x4.splat(23)));
  let m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, splat(0.707106781186547524));
  e = i32x4.add(e, small); // small lanes are −1
  m = f32x4.sub(f32x4.add(m, v128.and(m, small)), splat(1.0));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let y = splat(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, m), splat(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, m), splat(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, m), splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, m), splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, m), splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, m), splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, m), splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, m), splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = f32x4.add(y, f32x4.mul(fe, splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, splat(0.5)));
  let r = f32x4.add(m, y);
  r = f32x4.add(r, f32x4.mul(fe, splat(0.693359375)));
  r = v128.bitselect(splat(-Infinity), r, f32x4.eq(x0, zero4()));
  r = v128.bitselect(splat(NaN), r, f32x4.lt(x0, zero4()));
  r = v128.bitselect(splat(Infinity), r, f32x4.eq(x0, splat(Infinity)));
  return v128.bitselect(x0, r, f32x4.ne(x0, x0));
}

/**
 * tanh(x) for fast mode (the FAST_MODE build; exact mode runs SLEEF's, ./sleef): Eigen's odd/even
 * rational approximation (numerator degree 13, denominator 6) on |x| ≤ 7.9988 (tanh rounds to ±1 beyond), x itself below 4e-4. At most ~6 ulp (3.6e-7 relative)
 * against the correctly rounded value. NaN → NaN, ±inf → ±1. Polynomials in Estrin form (short
 * dependency chains), clamp with pmin/pmax.
 */
@inline export function vtanhRational(x0: v128): v128 {
  const c: f32 = 7.99881172180175781;
  const x = f32x4.pmin(f32x4.pmax(x0, splat(-c)), splat(c));
  const tiny = f32x4.lt(f32x4.abs(x0), splat(0.0004));
  const x2 = f32x4.mul(x, x);
  const x4 = f32x4.mul(x2, x2);
  const x8 = f32x4.mul(x4, x4);
  // numerator: a1 + a3 x2 + a5 x4 + a7 x6 + a9 x8 + a11 x10 + a13 x12
  const n01 = f32x4.add(f32x4.mul(splat(6.37261928875436e-04), x2), splat(4.89352455891786e-03));
  const n23 = f32x4.add(f32x4.mul(splat(5.12229709037114e-08), x2), splat(1.48572235717979e-05));
  const n45 = f32x4.add(f32x4.mul(splat(2.00018790482477e-13), x2), splat(-8.60467152213735e-11));
  const n6 = splat(-2.76076847742355e-16);
  const nlo = f32x4.add(n01, f32x4.mul(n23, x4));
  const nhi = f32x4.add(n45, f32x4.mul(n6, x4));
  const p = f32x4.mul(f32x4.add(nlo, f32x4.mul(nhi, x8)), x);
  // denominator: b0 + b2 x2 + b4 x4 + b6 x6
  const d01 = f32x4.add(f32x4.mul(splat(2.26843463243900e-03), x2), splat(4.89352518554385e-03));
  const d23 = f32x4.add(f32x4.mul(splat(1.19825839466702e-06), x2), splat(1.18534705686654e-04));
  const q = f32x4.add(d01, f32x4.mul(d23, x4));
  return v128.bitselect(x0, f32x4.div(p, q), tiny);
}
