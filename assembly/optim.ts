// Optimizer updates, one call per parameter. Computed in f64 lanes and rounded to f32 on every
// store, in the JS backend's order (src/kernels/js/optim.ts): bit-identical to it. The scalars
// that need pow (bias corrections) come from JS, so both backends use the same ones.

import { hi, lo, loadTail, pack, storeTail, zero4 } from './simd';

@inline function ld(p: usize, m: i32): v128 { return m == 4 ? v128.load(p) : loadTail(p, m, zero4()); }
@inline function st(p: usize, v: v128, m: i32): void { if (m == 4) v128.store(p, v); else storeTail(p, v, m); }
@inline function f32r(x: v128): v128 { return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(x)); }

/** AdamW for one parameter: decay = 1 − lr·wd, stepSize = lr/(1 − β1ᵗ), bc2Sqrt = √(1 − β2ᵗ). */
export function adamwStep(p: usize, g: usize, m: usize, v: usize, n: i32, decay: f64, beta1: f64, beta2: f64, eps: f64,
  stepSize: f64, bc2Sqrt: f64): void {
  const n4 = n & ~3;
  for (let j = 0; j < n4; j += 4) adamw4(p, g, m, v, <usize>j << 2, 4, decay, beta1, beta2, eps, stepSize, bc2Sqrt);
  if (n4 < n) adamw4(p, g, m, v, <usize>n4 << 2, n - n4, decay, beta1, beta2, eps, stepSize, bc2Sqrt);
}

@inline function adamw4(p: usize, g: usize, m: usize, v: usize, q: usize, r: i32, decay: f64, beta1: f64, beta2: f64, eps: f64,
  stepSize: f64, bc2Sqrt: f64): void {
  const kd = f64x2.splat(decay), b1 = f64x2.splat(beta1), b2 = f64x2.splat(beta2);
  const c1 = f64x2.splat(1 - beta1), c2 = f64x2.splat(1 - beta2);
  const ke = f64x2.splat(eps), ks = f64x2.splat(stepSize), kb = f64x2.splat(bc2Sqrt);
  const pv = ld(p + q, r), gv = ld(g + q, r), mv = ld(m + q, r), vv = ld(v + q, r);
  const gl = lo(gv), gh = hi(gv);
  const pl = f32r(f64x2.mul(lo(pv), kd)), ph = f32r(f64x2.mul(hi(pv), kd));
  const ml = f32r(f64x2.add(f64x2.mul(b1, lo(mv)), f64x2.mul(c1, gl)));
  const mh = f32r(f64x2.add(f64x2.mul(b1, hi(mv)), f64x2.mul(c1, gh)));
  const vl = f32r(f64x2.add(f64x2.mul(b2, lo(vv)), f64x2.mul(f64x2.mul(c2, gl), gl)));
  const vh = f32r(f64x2.add(f64x2.mul(b2, hi(vv)), f64x2.mul(f64x2.mul(c2, gh), gh)));
  const ul = f64x2.sub(pl, f64x2.mul(ks, f64x2.div(ml, f64x2.add(f64x2.div(f64x2.sqrt(vl), kb), ke))));
  const uh = f64x2.sub(ph, f64x2.mul(ks, f64x2.div(mh, f64x2.add(f64x2.div(f64x2.sqrt(vh), kb), ke))));
  st(p + q, pack(ul, uh), r);
  st(m + q, pack(ml, mh), r);
  st(v + q, pack(vl, vh), r);
}

/** SGD with momentum / dampening / nesterov / weight decay for one parameter (torch.optim.SGD). */
export function sgdMomentumStep(p: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, dampening: f64, weightDecay: f64,
  nesterov: i32, first: i32): void {
  const n4 = n & ~3;
  for (let j = 0; j < n4; j += 4) sgd4(p, g, buf, <usize>j << 2, 4, lr, momentum, dampening, weightDecay, nesterov, first);
  if (n4 < n) sgd4(p, g, buf, <usize>n4 << 2, n - n4, lr, momentum, dampening, weightDecay, nesterov, first);
}

@inline function sgd4(p: usize, g: usize, buf: usize, q: usize, r: i32, lr: f64, momentum: f64, dampening: f64, weightDecay: f64,
  nesterov: i32, first: i32): void {
  const kl = f64x2.splat(lr), km = f64x2.splat(momentum), kdamp = f64x2.splat(1 - dampening), kw = f64x2.splat(weightDecay);
  const pv = ld(p + q, r), gv = ld(g + q, r);
  const pl = lo(pv), ph = hi(pv);
  const dl = f32r(f64x2.add(lo(gv), f64x2.mul(kw, pl))), dh = f32r(f64x2.add(hi(gv), f64x2.mul(kw, ph)));
  let bl = dl, bh = dh;
  if (first == 0) {
    const bv = ld(buf + q, r);
    bl = f32r(f64x2.add(f64x2.mul(km, lo(bv)), f64x2.mul(kdamp, dl)));
    bh = f32r(f64x2.add(f64x2.mul(km, hi(bv)), f64x2.mul(kdamp, dh)));
  }
  let sl = bl, sh = bh;
  if (nesterov != 0) {
    sl = f32r(f64x2.add(dl, f64x2.mul(km, bl)));
    sh = f32r(f64x2.add(dh, f64x2.mul(km, bh)));
  }
  st(p + q, pack(f64x2.sub(pl, f64x2.mul(kl, sl)), f64x2.sub(ph, f64x2.mul(kl, sh))), r);
  st(buf + q, pack(bl, bh), r);
}

/** Σ a[i]² in f64, in order (as the JS backend: the same sum to the bit). */
export function sumSquares(a: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const x = <f64>load<f32>(a + (<usize>i << 2));
    s += x * x;
  }
  return s;
}
