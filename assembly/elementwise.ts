// Elementwise kernels. Where the JS backend rounds once from double (a double scalar, or a
// multiply-add), the kernel mostly computes in f64x2 lanes too, so results are bit-identical to
// it; plain f32 + − × ÷ of two floats is already exact in f32x4. The two per-step hot loops
// (sgdStep) stay in f32 and differ from JS by an ulp or so; tanhBackward is PyTorch's, as JS.

import { hi, lo, loadTail, pack, splat, storeTail, vexp, vlog, vtanhRational, zero4 } from './simd';
import { fmaf, vtanhSleef } from './sleef';

// Binary ops: 0 add, 1 sub, 2 mul, 3 div.
@inline function vop(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}
@inline function dop(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f64x2.add(x, y);
  if (op == 1) return f64x2.sub(x, y);
  if (op == 2) return f64x2.mul(x, y);
  return f64x2.div(x, y);
}
@inline function sop(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  return x / y;
}

// One run of the innermost axis: out[j] = a[j·sa] op b[j·sb], strides in elements.
@inline function runT(op: i32, o: usize, a: usize, sa: i32, b: usize, sb: i32, len: i32): void {
  const n4 = len & ~3;
  const r = len & 3;
  if (sa == 1 && sb == 1) {
    for (let j = 0; j < n4; j += 4) {
      const q = <usize>j << 2;
      v128.store(o + q, vop(op, v128.load(a + q), v128.load(b + q)));
    }
    if (r != 0) {
      const q = <usize>n4 << 2;
      storeTail(o + q, vop(op, loadTail(a + q, r, splat(1)), loadTail(b + q, r, splat(1))), r);
    }
  } else if (sa == 1 && sb == 0) {
    const y = v128.load32_splat(b);
    for (let j = 0; j < n4; j += 4) {
      const q = <usize>j << 2;
      v128.store(o + q, vop(op, v128.load(a + q), y));
    }
    if (r != 0) {
      const q = <usize>n4 << 2;
      storeTail(o + q, vop(op, loadTail(a + q, r, splat(1)), y), r);
    }
  } else if (sa == 0 && sb == 1) {
    const x = v128.load32_splat(a);
    for (let j = 0; j < n4; j += 4) {
      const q = <usize>j << 2;
      v128.store(o + q, vop(op, x, v128.load(b + q)));
    }
    if (r != 0) {
      const q = <usize>n4 << 2;
      storeTail(o + q, vop(op, x, loadTail(b + q, r, splat(1))), r);
    }
  } else {
    const da = <isize>sa << 2, db = <isize>sb << 2;
    let pa = a, pb = b;
    for (let j = 0; j < len; j++) {
      store<f32>(o + (<usize>j << 2), sop(op, load<f32>(pa), load<f32>(pb)));
      pa += da; pb += db;
    }
  }
}

function run(op: i32, o: usize, a: usize, sa: i32, b: usize, sb: i32, len: i32): void {
  if (op == 0) runT(0, o, a, sa, b, sb, len);
  else if (op == 1) runT(1, o, a, sa, b, sb, len);
  else if (op == 2) runT(2, o, a, sa, b, sb, len);
  else runT(3, o, a, sa, b, sb, len);
}

/**
 * out = a op b with broadcasting. meta: i32[3·nd] = shape, aStrides, bStrides (elements); it is
 * rewritten in place (dimensions of size 1 dropped, mergeable dimensions merged), and i32[nd] after
 * it is used as the odometer. nd = 0 is one element.
 */
export function binary(op: i32, out: usize, a: usize, b: usize, nd: i32, meta: usize): void {
  const shp = meta, as = meta + (<usize>nd << 2), bs = meta + (<usize>nd << 3), idx = meta + <usize>nd * 12;
  // Collapse: drop size-1 dims, merge d into the next kept one when both strides allow.
  let m = 0; // kept dims, written to the front of each array
  for (let d = 0; d < nd; d++) {
    const s = load<i32>(shp + (<usize>d << 2));
    if (s == 0) return; // empty
    if (s == 1) continue;
    const sa = load<i32>(as + (<usize>d << 2)), sb = load<i32>(bs + (<usize>d << 2));
    if (m > 0) {
      const pm = <usize>(m - 1) << 2;
      const ps = load<i32>(shp + pm), pa = load<i32>(as + pm), pb = load<i32>(bs + pm);
      if (pa == sa * s && pb == sb * s) {
        store<i32>(shp + pm, ps * s); store<i32>(as + pm, sa); store<i32>(bs + pm, sb);
        continue;
      }
    }
    const q = <usize>m << 2;
    store<i32>(shp + q, s); store<i32>(as + q, sa); store<i32>(bs + q, sb);
    m++;
  }
  if (m == 0) { run(op, out, a, 1, b, 1, 1); return; }
  const last = m - 1, lq = <usize>last << 2;
  const len = load<i32>(shp + lq), sa = load<i32>(as + lq), sb = load<i32>(bs + lq);
  let total = 1;
  for (let d = 0; d < m; d++) { total *= load<i32>(shp + (<usize>d << 2)); store<i32>(idx + (<usize>d << 2), 0); }
  let ia: isize = 0, ib: isize = 0;
  for (let o = 0; o < total; o += len) {
    run(op, out + (<usize>o << 2), a + (ia << 2), sa, b + (ib << 2), sb, len);
    for (let d = last - 1; d >= 0; d--) {
      const q = <usize>d << 2;
      const sh = load<i32>(shp + q), dA = load<i32>(as + q), dB = load<i32>(bs + q);
      const v = load<i32>(idx + q) + 1;
      ia += dA; ib += dB;
      if (v < sh) { store<i32>(idx + q, v); break; }
      ia -= <isize>dA * sh; ib -= <isize>dB * sh;
      store<i32>(idx + q, 0);
    }
  }
}

@inline function scalarF32T(op: i32, o: usize, a: usize, n: i32, s: f32, rev: bool): void {
  const y = splat(s);
  const n4 = n & ~3, r = n & 3;
  if (rev) {
    for (let j = 0; j < n4; j += 4) { const q = <usize>j << 2; v128.store(o + q, vop(op, y, v128.load(a + q))); }
    if (r != 0) { const q = <usize>n4 << 2; storeTail(o + q, vop(op, y, loadTail(a + q, r, splat(1))), r); }
  } else {
    for (let j = 0; j < n4; j += 4) { const q = <usize>j << 2; v128.store(o + q, vop(op, v128.load(a + q), y)); }
    if (r != 0) { const q = <usize>n4 << 2; storeTail(o + q, vop(op, loadTail(a + q, r, splat(1)), y), r); }
  }
}

@inline function scalarF64T(op: i32, o: usize, a: usize, n: i32, s: f64, rev: bool): void {
  const y = f64x2.splat(s);
  const n4 = n & ~3, r = n & 3;
  for (let j = 0; j < n4; j += 4) {
    const q = <usize>j << 2;
    const v = v128.load(a + q);
    v128.store(o + q, rev ? pack(dop(op, y, lo(v)), dop(op, y, hi(v))) : pack(dop(op, lo(v), y), dop(op, hi(v), y)));
  }
  if (r != 0) {
    const q = <usize>n4 << 2;
    const v = loadTail(a + q, r, splat(1));
    storeTail(o + q, rev ? pack(dop(op, y, lo(v)), dop(op, y, hi(v))) : pack(dop(op, lo(v), y), dop(op, hi(v), y)), r);
  }
}

/** out[i] = a[i] op s (s op a[i] when rev); in f32 when s is a float, else in double like JS. */
export function binaryScalar(op: i32, out: usize, a: usize, n: i32, s: f64, rev: bool): void {
  if (<f64><f32>s == s) {
    const t = <f32>s;
    if (op == 0) scalarF32T(0, out, a, n, t, rev);
    else if (op == 1) scalarF32T(1, out, a, n, t, rev);
    else if (op == 2) scalarF32T(2, out, a, n, t, rev);
    else scalarF32T(3, out, a, n, t, rev);
  } else {
    if (op == 0) scalarF64T(0, out, a, n, s, rev);
    else if (op == 1) scalarF64T(1, out, a, n, s, rev);
    else if (op == 2) scalarF64T(2, out, a, n, s, rev);
    else scalarF64T(3, out, a, n, s, rev);
  }
}

// Unary ops: 0 neg, 1 exp, 2 log, 3 log10, 4 tanh, 5 sqrt, 6 abs.
@inline function uop(op: i32, x: v128): v128 {
  if (op == 0) return f32x4.neg(x);
  if (op == 1) return vexp(x);
  if (op == 2) return vlog(x);
  if (op == 3) return f32x4.mul(vlog(x), splat(0.434294481903251828));
  if (op == 4) return isDefined(FAST_MODE) ? vtanhRational(x) : vtanhSleef(x); // exact: SLEEF's tanhf, PyTorch's bits
  if (op == 5) return f32x4.sqrt(x);
  return f32x4.abs(x);
}

@inline function unaryT(op: i32, o: usize, a: usize, n: i32): void {
  // Two vectors per iteration: two independent dependency chains for the long polynomials.
  const n8 = n & ~7, n4 = n & ~3, r = n & 3;
  for (let j = 0; j < n8; j += 8) {
    const q = <usize>j << 2;
    const x0 = v128.load(a + q), x1 = v128.load(a + q, 16);
    v128.store(o + q, uop(op, x0));
    v128.store(o + q, uop(op, x1), 16);
  }
  if (n4 > n8) { const q = <usize>n8 << 2; v128.store(o + q, uop(op, v128.load(a + q))); }
  if (r != 0) { const q = <usize>n4 << 2; storeTail(o + q, uop(op, loadTail(a + q, r, splat(1))), r); }
}

export function unary(op: i32, out: usize, a: usize, n: i32): void {
  switch (op) {
    case 0: unaryT(0, out, a, n); break;
    case 1: unaryT(1, out, a, n); break;
    case 2: unaryT(2, out, a, n); break;
    case 3: unaryT(3, out, a, n); break;
    case 4: unaryT(4, out, a, n); break;
    case 5: unaryT(5, out, a, n); break;
    default: unaryT(6, out, a, n);
  }
}

/** out[i] (+)= a[i]·b[i]; the += form rounds once from double like JS. */
export function mulInto(out: usize, a: usize, b: usize, n: i32, acc: bool): void {
  const n4 = n & ~3, r = n & 3;
  if (!acc) {
    for (let j = 0; j < n4; j += 4) { const q = <usize>j << 2; v128.store(out + q, f32x4.mul(v128.load(a + q), v128.load(b + q))); }
    if (r != 0) { const q = <usize>n4 << 2; storeTail(out + q, f32x4.mul(loadTail(a + q, r, zero4()), loadTail(b + q, r, zero4())), r); }
    return;
  }
  for (let j = 0; j < n; j += 4) {
    const q = <usize>j << 2;
    const m = min(4, n - j);
    const x = m == 4 ? v128.load(a + q) : loadTail(a + q, m, zero4());
    const y = m == 4 ? v128.load(b + q) : loadTail(b + q, m, zero4());
    const d = m == 4 ? v128.load(out + q) : loadTail(out + q, m, zero4());
    const res = pack(f64x2.add(lo(d), f64x2.mul(lo(x), lo(y))), f64x2.add(hi(d), f64x2.mul(hi(x), hi(y))));
    if (m == 4) v128.store(out + q, res); else storeTail(out + q, res, m);
  }
}

/** out[i] += a[i]·s, in double like JS. */
export function axpy(out: usize, a: usize, n: i32, s: f64): void {
  const y = f64x2.splat(s);
  for (let j = 0; j < n; j += 4) {
    const q = <usize>j << 2;
    const m = min(4, n - j);
    const x = m == 4 ? v128.load(a + q) : loadTail(a + q, m, zero4());
    const d = m == 4 ? v128.load(out + q) : loadTail(out + q, m, zero4());
    const res = pack(f64x2.add(lo(d), f64x2.mul(lo(x), y)), f64x2.add(hi(d), f64x2.mul(hi(x), y)));
    if (m == 4) v128.store(out + q, res); else storeTail(out + q, res, m);
  }
}

/**
 * p[i] −= lr·g[i] in f32 with lr rounded to f32 (the JS backend rounds once from double: the two
 * differ by at most an ulp of p now and then). The hot loop of every step, hence f32.
 */
export function sgdStep(p: usize, g: usize, n: i32, lr: f64): void {
  const k = splat(<f32>lr);
  const n4 = n & ~3, r = n & 3;
  for (let j = 0; j < n4; j += 4) {
    const q = <usize>j << 2;
    v128.store(p + q, f32x4.sub(v128.load(p + q), f32x4.mul(k, v128.load(g + q))));
  }
  if (r != 0) {
    const q = <usize>n4 << 2;
    storeTail(p + q, f32x4.sub(loadTail(p + q, r, zero4()), f32x4.mul(k, loadTail(g + q, r, zero4()))), r);
  }
}

/**
 * dx[i] += dy[i]·(1 − y[i]²) in f32 as PyTorch's CPU kernel: 1 − y·y one fused multiply-add
 * (rounded once: the CPU's in the FUSED_FMA module, four at a time; else fmaf's emulation), then
 * the product and the sum each rounded. The same numbers as the JS kernel (fmaf(-y, y, 1)).
 */
export function tanhBackward(dx: usize, dy: usize, y: usize, n: i32): void {
  let i = 0;
  if (isDefined(FUSED_FMA)) {
    const one = splat(1);
    for (; i + 4 <= n; i += 4) {
      const q = <usize>i << 2;
      const t = v128.load(y + q);
      const r = f32x4.relaxed_madd(f32x4.neg(t), t, one);
      v128.store(dx + q, f32x4.add(v128.load(dx + q), f32x4.mul(v128.load(dy + q), r)));
    }
  }
  for (; i < n; i++) {
    const q = <usize>i << 2;
    const t = load<f32>(y + q);
    store<f32>(dx + q, load<f32>(dx + q) + load<f32>(dy + q) * fmaf(-t, t, 1));
  }
}

/** out[i] = a[i]^p, in double (Math.pow) rounded once, as JS. */
export function powScalar(out: usize, a: usize, n: i32, p: f64): void {
  for (let i = 0; i < n; i++) {
    const q = <usize>i << 2;
    store<f32>(out + q, <f32>Math.pow(<f64>load<f32>(a + q), p));
  }
}
