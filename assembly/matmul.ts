// Matmul in the three layouts of a Linear layer, with register-blocked f32x4 micro-kernels.
//
// matmul and matmulTransA share one "NN" core: out[M×N] (=|+=) Σ_p A(i,p)·B[p,:], where A is
// addressed with a row and a reduction stride, so Aᵀ costs nothing. The core vectorises along
// the output row (4×8 and 4×4 tiles, 1-row tiles for leftover rows). A column remainder that is not
// a multiple of 4 is done by a 4-wide tile shifted left to end at the last column, which stores only
// its new lanes. matmulTransB is a grid of dot products (2×4 tiles of them along the shared,
// contiguous axis), reduced horizontally at the end.

import { hsum4, keepLast, loadTail, zero4 } from './simd';

// c + a·b: rounded twice (exact mode, PyTorch's numbers), or fused in the fast module (built with
// FAST_MODE: one rounding on CPUs with FMA, so the last bits differ from PyTorch's).
@inline function fma4(c: v128, a: v128, b: v128): v128 {
  if (isDefined(FAST_MODE)) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// ---- NN core ----

// 4 rows × 8 columns. a: A(i,0); ars/aks: byte strides of A along rows/reduction; nb: row stride of B and out.
function k4x8(o: usize, a: usize, ars: usize, aks: usize, b: usize, K: i32, nb: usize, acc: bool): void {
  const o1 = o + nb, o2 = o1 + nb, o3 = o2 + nb;
  let c00 = zero4(), c01 = zero4(), c10 = zero4(), c11 = zero4();
  let c20 = zero4(), c21 = zero4(), c30 = zero4(), c31 = zero4();
  if (acc) {
    c00 = v128.load(o); c01 = v128.load(o, 16);
    c10 = v128.load(o1); c11 = v128.load(o1, 16);
    c20 = v128.load(o2); c21 = v128.load(o2, 16);
    c30 = v128.load(o3); c31 = v128.load(o3, 16);
  }
  let a0 = a, a1 = a + ars, a2 = a1 + ars, a3 = a2 + ars, pb = b;
  for (let p = 0; p < K; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let s = v128.load32_splat(a0);
    c00 = fma4(c00, s, b0); c01 = fma4(c01, s, b1);
    s = v128.load32_splat(a1);
    c10 = fma4(c10, s, b0); c11 = fma4(c11, s, b1);
    s = v128.load32_splat(a2);
    c20 = fma4(c20, s, b0); c21 = fma4(c21, s, b1);
    s = v128.load32_splat(a3);
    c30 = fma4(c30, s, b0); c31 = fma4(c31, s, b1);
    a0 += aks; a1 += aks; a2 += aks; a3 += aks; pb += nb;
  }
  v128.store(o, c00); v128.store(o, c01, 16);
  v128.store(o1, c10); v128.store(o1, c11, 16);
  v128.store(o2, c20); v128.store(o2, c21, 16);
  v128.store(o3, c30); v128.store(o3, c31, 16);
}

// 4 rows × 4 columns; only the lanes set in `mask` are written.
function k4x4(o: usize, a: usize, ars: usize, aks: usize, b: usize, K: i32, nb: usize, acc: bool, mask: v128): void {
  const o1 = o + nb, o2 = o1 + nb, o3 = o2 + nb;
  const d0 = v128.load(o), d1 = v128.load(o1), d2 = v128.load(o2), d3 = v128.load(o3);
  let c0 = zero4(), c1 = zero4(), c2 = zero4(), c3 = zero4();
  if (acc) { c0 = d0; c1 = d1; c2 = d2; c3 = d3; }
  let a0 = a, a1 = a + ars, a2 = a1 + ars, a3 = a2 + ars, pb = b;
  for (let p = 0; p < K; p++) {
    const b0 = v128.load(pb);
    c0 = fma4(c0, v128.load32_splat(a0), b0);
    c1 = fma4(c1, v128.load32_splat(a1), b0);
    c2 = fma4(c2, v128.load32_splat(a2), b0);
    c3 = fma4(c3, v128.load32_splat(a3), b0);
    a0 += aks; a1 += aks; a2 += aks; a3 += aks; pb += nb;
  }
  v128.store(o, v128.bitselect(c0, d0, mask));
  v128.store(o1, v128.bitselect(c1, d1, mask));
  v128.store(o2, v128.bitselect(c2, d2, mask));
  v128.store(o3, v128.bitselect(c3, d3, mask));
}

function k1x8(o: usize, a: usize, aks: usize, b: usize, K: i32, nb: usize, acc: bool): void {
  let c0 = zero4(), c1 = zero4();
  if (acc) { c0 = v128.load(o); c1 = v128.load(o, 16); }
  let pa = a, pb = b;
  for (let p = 0; p < K; p++) {
    const s = v128.load32_splat(pa);
    c0 = fma4(c0, s, v128.load(pb));
    c1 = fma4(c1, s, v128.load(pb, 16));
    pa += aks; pb += nb;
  }
  v128.store(o, c0); v128.store(o, c1, 16);
}

function k1x4(o: usize, a: usize, aks: usize, b: usize, K: i32, nb: usize, acc: bool, mask: v128): void {
  const d0 = v128.load(o);
  let c0 = acc ? d0 : zero4();
  let pa = a, pb = b;
  for (let p = 0; p < K; p++) {
    c0 = fma4(c0, v128.load32_splat(pa), v128.load(pb));
    pa += aks; pb += nb;
  }
  v128.store(o, v128.bitselect(c0, d0, mask));
}

function gemmNN(o: usize, a: usize, ars: usize, aks: usize, b: usize, M: i32, K: i32, N: i32, acc: bool): void {
  const nb = <usize>N << 2;
  if (N < 4) {
    // Too narrow for a vector: the JS backend's loop (rounding to f32 after every step).
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const po = o + <usize>i * nb + (<usize>j << 2);
        let s: f32 = acc ? load<f32>(po) : 0;
        let pa = a + <usize>i * ars, pb = b + (<usize>j << 2);
        for (let p = 0; p < K; p++) {
          s = <f32>(<f64>s + <f64>load<f32>(pa) * <f64>load<f32>(pb));
          pa += aks; pb += nb;
        }
        store<f32>(po, s);
      }
    }
    return;
  }
  const all = keepLast(4);
  const n8 = N & ~7;
  const r = N & 3;
  const has4 = (N & 4) != 0;
  const tail = <usize>(N - 4) << 2;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const oi = o + <usize>i * nb, ai = a + <usize>i * ars;
    for (let j = 0; j < n8; j += 8) k4x8(oi + (<usize>j << 2), ai, ars, aks, b + (<usize>j << 2), K, nb, acc);
    if (has4) k4x4(oi + (<usize>n8 << 2), ai, ars, aks, b + (<usize>n8 << 2), K, nb, acc, all);
    if (r != 0) k4x4(oi + tail, ai, ars, aks, b + tail, K, nb, acc, keepLast(r));
  }
  for (; i < M; i++) {
    const oi = o + <usize>i * nb, ai = a + <usize>i * ars;
    for (let j = 0; j < n8; j += 8) k1x8(oi + (<usize>j << 2), ai, aks, b + (<usize>j << 2), K, nb, acc);
    if (has4) k1x4(oi + (<usize>n8 << 2), ai, aks, b + (<usize>n8 << 2), K, nb, acc, all);
    if (r != 0) k1x4(oi + tail, ai, aks, b + tail, K, nb, acc, keepLast(r));
  }
}

/** out[m×n] (=|+=) a[m×k] · b[k×n] */
export function matmul(out: usize, a: usize, b: usize, m: i32, k: i32, n: i32, acc: bool): void {
  gemmNN(out, a, <usize>k << 2, 4, b, m, k, n, acc);
}

/** out[k×n] (=|+=) a[m×k]ᵀ · b[m×n] */
export function matmulTransA(out: usize, a: usize, b: usize, m: i32, k: i32, n: i32, acc: bool): void {
  gemmNN(out, a, 4, <usize>k << 2, b, k, m, n, acc);
}

// ---- dot-product grid for a·bᵀ ----

// Rows a0,a1 of `a` against rows b..b+3 of `b` (row stride ns bytes) over n elements; writes
// out[2×4] (row stride ko bytes), only the lanes in `mask`.
function t2x4(o: usize, a: usize, b: usize, n: i32, ns: usize, ko: usize, acc: bool, mask: v128): void {
  const a0 = a, a1 = a + ns;
  const b0 = b, b1 = b + ns, b2 = b1 + ns, b3 = b2 + ns;
  let c00 = zero4(), c01 = zero4(), c02 = zero4(), c03 = zero4();
  let c10 = zero4(), c11 = zero4(), c12 = zero4(), c13 = zero4();
  let off: usize = 0;
  const n4 = <usize>(n & ~3) << 2;
  for (; off < n4; off += 16) {
    const x0 = v128.load(a0 + off), x1 = v128.load(a1 + off);
    let y = v128.load(b0 + off);
    c00 = fma4(c00, x0, y); c10 = fma4(c10, x1, y);
    y = v128.load(b1 + off);
    c01 = fma4(c01, x0, y); c11 = fma4(c11, x1, y);
    y = v128.load(b2 + off);
    c02 = fma4(c02, x0, y); c12 = fma4(c12, x1, y);
    y = v128.load(b3 + off);
    c03 = fma4(c03, x0, y); c13 = fma4(c13, x1, y);
  }
  const r = n & 3;
  if (r != 0) {
    // n ≥ 4 here: reload the last 4 columns and zero the lanes already counted (in a only).
    const t = off - <usize>((4 - r) << 2), mk = keepLast(r);
    const x0 = v128.and(v128.load(a0 + t), mk), x1 = v128.and(v128.load(a1 + t), mk);
    let y = v128.load(b0 + t);
    c00 = fma4(c00, x0, y); c10 = fma4(c10, x1, y);
    y = v128.load(b1 + t);
    c01 = fma4(c01, x0, y); c11 = fma4(c11, x1, y);
    y = v128.load(b2 + t);
    c02 = fma4(c02, x0, y); c12 = fma4(c12, x1, y);
    y = v128.load(b3 + t);
    c03 = fma4(c03, x0, y); c13 = fma4(c13, x1, y);
  }
  let s0 = hsum4(c00, c01, c02, c03), s1 = hsum4(c10, c11, c12, c13);
  const d0 = v128.load(o), d1 = v128.load(o + ko);
  if (acc) { s0 = f32x4.add(d0, s0); s1 = f32x4.add(d1, s1); }
  v128.store(o, v128.bitselect(s0, d0, mask));
  v128.store(o + ko, v128.bitselect(s1, d1, mask));
}

function t1x4(o: usize, a: usize, b: usize, n: i32, ns: usize, acc: bool, mask: v128): void {
  const b0 = b, b1 = b + ns, b2 = b1 + ns, b3 = b2 + ns;
  let c0 = zero4(), c1 = zero4(), c2 = zero4(), c3 = zero4();
  let off: usize = 0;
  const n4 = <usize>(n & ~3) << 2;
  for (; off < n4; off += 16) {
    const x = v128.load(a + off);
    c0 = fma4(c0, x, v128.load(b0 + off));
    c1 = fma4(c1, x, v128.load(b1 + off));
    c2 = fma4(c2, x, v128.load(b2 + off));
    c3 = fma4(c3, x, v128.load(b3 + off));
  }
  const r = n & 3;
  if (r != 0) {
    const t = off - <usize>((4 - r) << 2);
    const x = v128.and(v128.load(a + t), keepLast(r));
    c0 = fma4(c0, x, v128.load(b0 + t));
    c1 = fma4(c1, x, v128.load(b1 + t));
    c2 = fma4(c2, x, v128.load(b2 + t));
    c3 = fma4(c3, x, v128.load(b3 + t));
  }
  let s = hsum4(c0, c1, c2, c3);
  const d = v128.load(o);
  if (acc) s = f32x4.add(d, s);
  v128.store(o, v128.bitselect(s, d, mask));
}

/** One dot product of n floats, accumulated in four lanes. */
function dot(a: usize, b: usize, n: i32): f32 {
  let c = zero4();
  let off: usize = 0;
  const n4 = <usize>(n & ~3) << 2;
  for (; off < n4; off += 16) c = fma4(c, v128.load(a + off), v128.load(b + off));
  const r = n & 3;
  if (r != 0) c = fma4(c, loadTail(a + off, r, zero4()), loadTail(b + off, r, zero4()));
  const t = f32x4.add(c, v128.shuffle<f32>(c, c, 2, 3, 0, 1));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1);
}

/** dst[cols×rows] = src[rows×cols]ᵀ, in 4×4 blocks. */
function transposeBlocks(dst: usize, src: usize, rows: i32, cols: i32): void {
  const sr = <usize>cols << 2, dr = <usize>rows << 2;
  const r4 = rows & ~3, c4 = cols & ~3;
  for (let i = 0; i < r4; i += 4) {
    const s0 = src + <usize>i * sr;
    const d0 = dst + (<usize>i << 2);
    for (let j = 0; j < c4; j += 4) {
      const q = <usize>j << 2;
      const x0 = v128.load(s0 + q), x1 = v128.load(s0 + sr + q), x2 = v128.load(s0 + 2 * sr + q), x3 = v128.load(s0 + 3 * sr + q);
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      const d = d0 + <usize>j * dr;
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d + dr, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * dr, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * dr, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    for (let j = c4; j < cols; j++) {
      const d = d0 + <usize>j * dr, s = s0 + (<usize>j << 2);
      store<f32>(d, load<f32>(s)); store<f32>(d, load<f32>(s + sr), 4);
      store<f32>(d, load<f32>(s + 2 * sr), 8); store<f32>(d, load<f32>(s + 3 * sr), 12);
    }
  }
  for (let i = r4; i < rows; i++) {
    for (let j = 0; j < cols; j++) store<f32>(dst + <usize>j * dr + (<usize>i << 2), load<f32>(src + <usize>i * sr + (<usize>j << 2)));
  }
}

/**
 * Whether matmulTransB goes through a transposed copy of b (JS then passes k·n floats of scratch).
 * Always where the NN core can run (k ≥ 4): its sums run along the shared axis one term at a time,
 * in order, as PyTorch's sgemm does (the dot-product tiles add four interleaved partial sums).
 */
export function transBPacks(m: i32, k: i32, n: i32): bool {
  return m >= 1 && k >= 4 && n >= 1;
}

/**
 * out[m×k] (=|+=) a[m×n] · b[k×n]ᵀ. With a short shared axis (n < 64) the dot products are too
 * short to pay for their horizontal sums: b is transposed into `scratch` (k·n floats, given when
 * transBPacks says so) and the NN core runs instead.
 */
export function matmulTransB(out: usize, a: usize, b: usize, m: i32, k: i32, n: i32, acc: bool, scratch: usize): void {
  if (scratch != 0 && transBPacks(m, k, n)) {
    transposeBlocks(scratch, b, k, n);
    gemmNN(out, a, <usize>n << 2, 4, scratch, m, n, k, acc);
    return;
  }
  const ns = <usize>n << 2, ko = <usize>k << 2;
  if (k < 4 || n < 4) {
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const po = out + <usize>i * ko + (<usize>p << 2);
        const s = dot(a + <usize>i * ns, b + <usize>p * ns, n);
        store<f32>(po, acc ? load<f32>(po) + s : s);
      }
    }
    return;
  }
  const all = keepLast(4);
  const k4 = k & ~3;
  const r = k & 3;
  const tail = <usize>(k - 4);
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const oi = out + <usize>i * ko, ai = a + <usize>i * ns;
    for (let p = 0; p < k4; p += 4) t2x4(oi + (<usize>p << 2), ai, b + <usize>p * ns, n, ns, ko, acc, all);
    if (r != 0) t2x4(oi + (tail << 2), ai, b + tail * ns, n, ns, ko, acc, keepLast(r));
  }
  if (i < m) {
    const oi = out + <usize>i * ko, ai = a + <usize>i * ns;
    for (let p = 0; p < k4; p += 4) t1x4(oi + (<usize>p << 2), ai, b + <usize>p * ns, n, ns, acc, all);
    if (r != 0) t1x4(oi + (tail << 2), ai, b + tail * ns, n, ns, acc, keepLast(r));
  }
}

/** out[c×r] (=|+=) a[r×c]ᵀ; `=` moves 32-bit words (floats or int32), `+=` adds f32 in double like JS. */
export function transpose(out: usize, a: usize, rows: i32, cols: i32, acc: bool): void {
  if (!acc) { transposeBlocks(out, a, rows, cols); return; }
  const rb = <usize>rows << 2;
  for (let i = 0; i < rows; i++) {
    let src = a + (<usize>i * <usize>cols << 2);
    let dst = out + (<usize>i << 2);
    for (let j = 0; j < cols; j++) { store<f32>(dst, <f32>(<f64>load<f32>(dst) + <f64>load<f32>(src))); src += 4; dst += rb; }
  }
}
