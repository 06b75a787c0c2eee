// Reductions over the middle axis of an (outer × dim × inner) array, and batch norm.
// Statistics are accumulated in f64x2 lanes, four features (two lane pairs) at a time, in the same
// order as the JS backend, so sums, means, variances and invStd are bit-identical to it. A
// contiguous reduction (inner = 1) is vectorised along the row instead: same double precision,
// different order. Batch norm's per-element passes (normalise; dx) run in f32 with the per-feature
// constants rounded to f32: within a few ulp of the JS backend, which evaluates them in double.

import { dsplat, hi, lo, loadTail, pack, storeTail, zero4 } from './simd';

@inline function ld(p: usize, r: i32): v128 { return r >= 4 ? v128.load(p) : loadTail(p, r, zero4()); }
@inline function st(p: usize, v: v128, r: i32): void { if (r >= 4) v128.store(p, v); else storeTail(p, v, r); }

/** Σ of n contiguous floats in double (two f64x2 accumulators). */
export function rowSum(p: usize, n: i32): f64 {
  let s0 = dsplat(0), s1 = dsplat(0);
  const n4 = n & ~3;
  for (let j = 0; j < n4; j += 4) {
    const v = v128.load(p + (<usize>j << 2));
    s0 = f64x2.add(s0, lo(v)); s1 = f64x2.add(s1, hi(v));
  }
  const t = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (let j = n4; j < n; j++) s += <f64>load<f32>(p + (<usize>j << 2));
  return s;
}

/** Σ (x − mean)² of n contiguous floats in double. */
export function rowSq(p: usize, n: i32, mean: f64): f64 {
  const m = dsplat(mean);
  let s0 = dsplat(0), s1 = dsplat(0);
  const n4 = n & ~3;
  for (let j = 0; j < n4; j += 4) {
    const v = v128.load(p + (<usize>j << 2));
    const c0 = f64x2.sub(lo(v), m), c1 = f64x2.sub(hi(v), m);
    s0 = f64x2.add(s0, f64x2.mul(c0, c0)); s1 = f64x2.add(s1, f64x2.mul(c1, c1));
  }
  const t = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (let j = n4; j < n; j++) { const c = <f64>load<f32>(p + (<usize>j << 2)) - mean; s += c * c; }
  return s;
}

/** out[o,i] (=|+=) Σ_d a[o,d,i] */
export function sumAxis(out: usize, a: usize, outer: i32, dim: i32, inner: i32, acc: bool): void {
  const rs = <usize>inner << 2; // stride of d in bytes
  for (let o = 0; o < outer; o++) {
    const ao = a + <usize>o * <usize>dim * rs, oo = out + <usize>o * rs;
    if (inner == 1) {
      const s = rowSum(ao, dim);
      store<f32>(oo, <f32>(acc ? <f64>load<f32>(oo) + s : s));
      continue;
    }
    for (let i = 0; i < inner; i += 4) {
      const r = min(4, inner - i);
      const q = <usize>i << 2;
      let s0 = dsplat(0), s1 = dsplat(0);
      let p = ao + q;
      for (let d = 0; d < dim; d++) { const v = ld(p, r); s0 = f64x2.add(s0, lo(v)); s1 = f64x2.add(s1, hi(v)); p += rs; }
      if (acc) { const v = ld(oo + q, r); s0 = f64x2.add(lo(v), s0); s1 = f64x2.add(hi(v), s1); }
      st(oo + q, pack(s0, s1), r);
    }
  }
}

/** out[o,d,i] += g[o,i]·scale, in double like JS. */
export function broadcastAxis(out: usize, g: usize, outer: i32, dim: i32, inner: i32, scale: f64): void {
  const rs = <usize>inner << 2;
  const k = dsplat(scale);
  for (let o = 0; o < outer; o++) {
    const go = g + <usize>o * rs;
    let po = out + <usize>o * <usize>dim * rs;
    for (let d = 0; d < dim; d++) {
      for (let i = 0; i < inner; i += 4) {
        const r = min(4, inner - i);
        const q = <usize>i << 2;
        const v = ld(go + q, r), x = ld(po + q, r);
        st(po + q, pack(f64x2.add(lo(x), f64x2.mul(lo(v), k)), f64x2.add(hi(x), f64x2.mul(hi(v), k))), r);
      }
      po += rs;
    }
  }
}

/** var[o,i] = Σ_d (a − mean)² / (dim − correction); mean written too. */
export function varAxis(varOut: usize, meanOut: usize, a: usize, outer: i32, dim: i32, inner: i32, correction: f64): void {
  const rs = <usize>inner << 2;
  const nd = dsplat(<f64>dim), dc = dsplat(<f64>dim - correction);
  for (let o = 0; o < outer; o++) {
    const ao = a + <usize>o * <usize>dim * rs, oo = <usize>o * rs;
    if (inner == 1) {
      const mean = rowSum(ao, dim) / <f64>dim;
      store<f32>(meanOut + oo, <f32>mean);
      store<f32>(varOut + oo, <f32>(rowSq(ao, dim, mean) / (<f64>dim - correction)));
      continue;
    }
    for (let i = 0; i < inner; i += 4) {
      const r = min(4, inner - i);
      const q = <usize>i << 2;
      let s0 = dsplat(0), s1 = dsplat(0);
      let p = ao + q;
      for (let d = 0; d < dim; d++) { const v = ld(p, r); s0 = f64x2.add(s0, lo(v)); s1 = f64x2.add(s1, hi(v)); p += rs; }
      const m0 = f64x2.div(s0, nd), m1 = f64x2.div(s1, nd);
      let v0 = dsplat(0), v1 = dsplat(0);
      p = ao + q;
      for (let d = 0; d < dim; d++) {
        const v = ld(p, r);
        const c0 = f64x2.sub(lo(v), m0), c1 = f64x2.sub(hi(v), m1);
        v0 = f64x2.add(v0, f64x2.mul(c0, c0)); v1 = f64x2.add(v1, f64x2.mul(c1, c1));
        p += rs;
      }
      st(meanOut + oo + q, pack(m0, m1), r);
      st(varOut + oo + q, pack(f64x2.div(v0, dc), f64x2.div(v1, dc)), r);
    }
  }
}

// invStd storage: f32 or f64 (isF64), r lanes at feature j.
@inline function loadInv(p: usize, j: i32, r: i32, isF64: bool, half: i32): v128 {
  if (isF64) {
    const q = p + (<usize>j << 3) + (<usize>half << 4);
    const n = r - (half << 1); // lanes of this half
    if (n >= 2) return v128.load(q);
    if (n == 1) return f64x2.replace_lane(dsplat(1), 0, load<f64>(q));
    return dsplat(1);
  }
  const v = ld(p + (<usize>j << 2), r);
  return half == 0 ? lo(v) : hi(v);
}
@inline function storeInv(p: usize, j: i32, r: i32, isF64: bool, l: v128, h: v128): void {
  if (isF64) {
    const q = p + (<usize>j << 3);
    if (r >= 4) { v128.store(q, l); v128.store(q, h, 16); return; }
    store<f64>(q, f64x2.extract_lane(l, 0));
    if (r > 1) store<f64>(q, f64x2.extract_lane(l, 1), 8);
    if (r > 2) store<f64>(q, f64x2.extract_lane(h, 0), 16);
    return;
  }
  st(p + (<usize>j << 2), pack(l, h), r);
}

/**
 * Training batch norm over x[n×f] (see Backend.batchNormTrain). gain/bias 0 = none. invStd is
 * f64[f] when invF64, else f32[f].
 */
export function batchNormTrain(out: usize, xhat: usize, meanOut: usize, varOut: usize, invStd: usize, invF64: bool,
  x: usize, gain: usize, bias: usize, n: i32, f: i32, eps: f64, correction: f64, epsStd: f64): void {
  const f4 = f & ~3;
  for (let j = 0; j < f4; j += 4) bnTrainBlock(out, xhat, meanOut, varOut, invStd, invF64, x, gain, bias, n, f, eps, correction, epsStd, j, 4);
  if (f4 < f) bnTrainBlock(out, xhat, meanOut, varOut, invStd, invF64, x, gain, bias, n, f, eps, correction, epsStd, f4, f - f4);
}

// colMoments' results, lanes 0,1 and 2,3 (an AssemblyScript function returns one value).
export let momMean0: v128 = f64x2(0, 0);
export let momMean1: v128 = f64x2(0, 0);
export let momVar0: v128 = f64x2(0, 0);
export let momVar1: v128 = f64x2(0, 0);

/**
 * Mean and Σ (x − mean)²/div of r ≤ 4 columns at p over n rows rs bytes apart, in double, row by
 * row (s += x; mean = s/n; ss += (x − mean)²): into momMean0/1 and momVar0/1.
 */
@inline export function colMoments(p0: usize, rs: usize, n: i32, r: i32, div: f64): void {
  let s0 = dsplat(0), s1 = dsplat(0);
  let p = p0;
  for (let i = 0; i < n; i++) { const v = ld(p, r); s0 = f64x2.add(s0, lo(v)); s1 = f64x2.add(s1, hi(v)); p += rs; }
  colMomentsOfSums(s0, s1, p0, rs, n, r, div);
}

/** colMoments given the columns' double sums in row order, s0 (lanes 0,1) and s1 (lanes 2,3). */
@inline export function colMomentsOfSums(s0: v128, s1: v128, p0: usize, rs: usize, n: i32, r: i32, div: f64): void {
  const nn = dsplat(<f64>n);
  const m0 = f64x2.div(s0, nn), m1 = f64x2.div(s1, nn);
  let v0 = dsplat(0), v1 = dsplat(0);
  let p = p0;
  for (let i = 0; i < n; i++) {
    const v = ld(p, r);
    const c0 = f64x2.sub(lo(v), m0), c1 = f64x2.sub(hi(v), m1);
    v0 = f64x2.add(v0, f64x2.mul(c0, c0)); v1 = f64x2.add(v1, f64x2.mul(c1, c1));
    p += rs;
  }
  const dc = dsplat(div);
  momMean0 = m0; momMean1 = m1;
  momVar0 = f64x2.div(v0, dc); momVar1 = f64x2.div(v1, dc);
}

// Features j..j+r−1 (r ≤ 4; 4 is the inlined fast case).
@inline function bnTrainBlock(out: usize, xhat: usize, meanOut: usize, varOut: usize, invStd: usize, invF64: bool,
  x: usize, gain: usize, bias: usize, n: i32, f: i32, eps: f64, correction: f64, epsStd: f64, j: i32, r: i32): void {
  const rs = <usize>f << 2;
  const one = dsplat(1);
  const q = <usize>j << 2;
  colMoments(x + q, rs, n, r, <f64>n - correction);
  const m0 = momMean0, m1 = momMean1, v0 = momVar0, v1 = momVar1;
  const e = dsplat(eps);
  const es = dsplat(epsStd); // added to the std (the seed notebook's `std + 1e-5`)
  const is0 = f64x2.div(one, f64x2.add(f64x2.sqrt(f64x2.add(v0, e)), es)), is1 = f64x2.div(one, f64x2.add(f64x2.sqrt(f64x2.add(v1, e)), es));
  st(meanOut + q, pack(m0, m1), r);
  st(varOut + q, pack(v0, v1), r);
  storeInv(invStd, j, r, invF64, is0, is1);
  // Normalise in f32: mean as a rounded part and its remainder (so x − mean keeps its accuracy
  // when x ≈ mean), invStd, gain and bias rounded to f32.
  const mh = pack(m0, m1);
  const ml = pack(f64x2.sub(m0, lo(mh)), f64x2.sub(m1, hi(mh)));
  const is = pack(is0, is1);
  const g = gain != 0 ? ld(gain + q, r) : f32x4.splat(1);
  const b = bias != 0 ? ld(bias + q, r) : f32x4.splat(0);
  let po: usize = q;
  for (let i = 0; i < n; i++) {
    const h = f32x4.mul(f32x4.sub(f32x4.sub(ld(x + po, r), mh), ml), is);
    st(xhat + po, h, r);
    st(out + po, f32x4.add(f32x4.mul(g, h), b), r);
    po += rs;
  }
}

/** out = gain·((x − mean)/sd) + bias, sd = isStd ? varOrStd : sqrt(varOrStd + eps). */
export function batchNormEval(out: usize, x: usize, mean: usize, varOrStd: usize, isStd: bool,
  gain: usize, bias: usize, n: i32, f: i32, eps: f64): void {
  const rs = <usize>f << 2;
  const e = dsplat(eps), one = dsplat(1);
  for (let j = 0; j < f; j += 4) {
    const r = min(4, f - j);
    const q = <usize>j << 2;
    const vm = ld(mean + q, r), vs = ld(varOrStd + q, r);
    const m0 = lo(vm), m1 = hi(vm);
    let d0 = lo(vs), d1 = hi(vs);
    if (!isStd) { d0 = f64x2.sqrt(f64x2.add(d0, e)); d1 = f64x2.sqrt(f64x2.add(d1, e)); }
    let g0 = one, g1 = one, b0 = dsplat(0), b1 = dsplat(0);
    if (gain != 0) { const v = ld(gain + q, r); g0 = lo(v); g1 = hi(v); }
    if (bias != 0) { const v = ld(bias + q, r); b0 = lo(v); b1 = hi(v); }
    let po: usize = q;
    for (let i = 0; i < n; i++) {
      const v = ld(x + po, r);
      const h0 = f64x2.div(f64x2.sub(lo(v), m0), d0), h1 = f64x2.div(f64x2.sub(hi(v), m1), d1);
      st(out + po, pack(f64x2.add(f64x2.mul(g0, h0), b0), f64x2.add(f64x2.mul(g1, h1), b1)), r);
      po += rs;
    }
  }
}

/** Backward of batchNormTrain (see Backend.batchNormBackward); dx/dGain/dBias/gain 0 = none. */
export function batchNormBackward(dx: usize, dGain: usize, dBias: usize, dy: usize, xhat: usize,
  invStd: usize, invF64: bool, gain: usize, n: i32, f: i32, correction: f64, epsStd: f64): void {
  const f4 = f & ~3;
  for (let j = 0; j < f4; j += 4) bnBackBlock(dx, dGain, dBias, dy, xhat, invStd, invF64, gain, n, f, correction, epsStd, j, 4);
  if (f4 < f) bnBackBlock(dx, dGain, dBias, dy, xhat, invStd, invF64, gain, n, f, correction, epsStd, f4, f - f4);
}

@inline function bnBackBlock(dx: usize, dGain: usize, dBias: usize, dy: usize, xhat: usize,
  invStd: usize, invF64: bool, gain: usize, n: i32, f: i32, correction: f64, epsStd: f64, j: i32, r: i32): void {
  const rs = <usize>f << 2;
  const one = dsplat(1);
  const q = <usize>j << 2;
  let a0 = dsplat(0), a1 = dsplat(0), c0 = dsplat(0), c1 = dsplat(0);
  let po: usize = q;
  for (let i = 0; i < n; i++) {
    const g = ld(dy + po, r), h = ld(xhat + po, r);
    const gl = lo(g), gh = hi(g);
    a0 = f64x2.add(a0, gl); a1 = f64x2.add(a1, gh);
    c0 = f64x2.add(c0, f64x2.mul(gl, lo(h))); c1 = f64x2.add(c1, f64x2.mul(gh, hi(h)));
    po += rs;
  }
  if (dGain != 0) { const v = ld(dGain + q, r); st(dGain + q, pack(f64x2.add(lo(v), c0), f64x2.add(hi(v), c1)), r); }
  if (dBias != 0) { const v = ld(dBias + q, r); st(dBias + q, pack(f64x2.add(lo(v), a0), f64x2.add(hi(v), a1)), r); }
  if (dx == 0) return;
  let g0 = one, g1 = one;
  if (gain != 0) { const v = ld(gain + q, r); g0 = lo(v); g1 = hi(v); }
  const i0 = loadInv(invStd, j, r, invF64, 0), i1 = loadInv(invStd, j, r, invF64, 1);
  const k0 = f64x2.mul(g0, i0), k1 = f64x2.mul(g1, i1);
  const nn = dsplat(<f64>n), dc = dsplat(<f64>n - correction);
  const md0 = f64x2.div(a0, nn), md1 = f64x2.div(a1, nn);
  // eps added to the std: the projection is scaled by 1/(1 − epsStd·invStd) (see the JS kernel)
  const es = dsplat(epsStd);
  const pr0 = f64x2.div(f64x2.div(c0, dc), f64x2.sub(one, f64x2.mul(es, i0)));
  const pr1 = f64x2.div(f64x2.div(c1, dc), f64x2.sub(one, f64x2.mul(es, i1)));
  const k = pack(k0, k1), md = pack(md0, md1), pr = pack(pr0, pr1);
  po = q;
  for (let i = 0; i < n; i++) {
    const t = f32x4.sub(f32x4.sub(ld(dy + po, r), md), f32x4.mul(ld(xhat + po, r), pr));
    st(dx + po, f32x4.add(ld(dx + po, r), f32x4.mul(k, t)), r);
    po += rs;
  }
}

/** running = (1 − m)·running + m·batch·scale, in double rounded once, as JS. */
export function runningAverage(running: usize, batch: usize, n: i32, m: f64, scale: f64): void {
  for (let j = 0; j < n; j++) {
    const q = <usize>j << 2;
    store<f32>(running + q, <f32>((1 - m) * <f64>load<f32>(running + q) + m * <f64>load<f32>(batch + q) * scale));
  }
}
