// The WebAssembly SIMD backend against the JS reference backend: every kernel, odd and notebook
// sizes, zero-copy (arrays in wasm memory), JS-heap fallback and Float64Array delegation; plus the
// allocator (alignment, reuse, growth and re-created views).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../src/kernels/js/index.js';
import type { BinaryOp, FloatArray, UnaryOp } from '../src/kernels/types.js';
import { createWasmBackend, wasmSupported, type WasmBackend } from '../src/kernels/wasm/index.js';

const supported = wasmSupported();
const skip = supported ? false : 'WebAssembly SIMD is not available';
// Big enough that these tests never grow it (growth detaches the views they hold; the growth
// tests below use backends of their own).
const wasm: WasmBackend | null = supported ? createWasmBackend({ initialMiB: 16 }) : null;
const W = (): WasmBackend => wasm!;

// ---- helpers ----

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rand(n: number, r: () => number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

function randInt(n: number, bound: number, r: () => number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(r() * bound);
  return a;
}

type Mode = 'wasm' | 'heap';
const MODES: Mode[] = ['wasm', 'heap'];

/** A copy of `src` in wasm memory or on the JS heap. */
function put(src: Float32Array, mode: Mode): Float32Array;
function put(src: Int32Array, mode: Mode): Int32Array;
function put(src: Float32Array | Int32Array, mode: Mode): Float32Array | Int32Array {
  if (mode === 'heap') return src.slice();
  const a = src instanceof Float32Array ? W().allocFloat32(src.length) : W().allocInt32(src.length);
  a.set(src);
  return a;
}

/** Frees wasm arrays made by `put` (heap arrays are ignored). */
function release(...arrs: (Float32Array | Int32Array | Float64Array | null)[]): void {
  for (const a of arrs) if (a !== null && W().isWasm(a)) W().free(a);
}

function same(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Object.is(a, e) || (a === e)) continue;
    assert.fail(`${what}: [${i}] = ${a}, expected exactly ${e}`);
  }
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol: number, atol: number, scale?: ArrayLike<number>): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e)) { assert.ok(Number.isNaN(a), `${what}: [${i}] = ${a}, expected NaN`); continue; }
    if (!Number.isFinite(e)) { assert.equal(a, e, `${what}: [${i}]`); continue; }
    const tol = atol + rtol * (scale ? scale[i] : Math.abs(e));
    if (!(Math.abs(a - e) <= tol)) assert.fail(`${what}: [${i}] = ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${tol})`);
  }
}

// ---- matmul ----

type Layout = 'matmul' | 'matmulTransA' | 'matmulTransB';
const LAYOUTS: Layout[] = ['matmul', 'matmulTransA', 'matmulTransB'];

function mmShapes(layout: Layout, m: number, k: number, n: number): [number, number, number] {
  if (layout === 'matmul') return [m * n, m * k, k * n];
  if (layout === 'matmulTransA') return [k * n, m * k, m * n];
  return [m * k, m * n, k * n];
}

const MM_SIZES: [number, number, number][] = [
  [1, 1, 1], [1, 3, 5], [3, 5, 17], [5, 17, 3], [2, 3, 4], [4, 8, 8], [7, 9, 31], [17, 31, 5], [33, 7, 9],
  [6, 1, 13], [9, 6, 2], [8, 5, 3], [12, 4, 1], [32, 30, 200], [32, 200, 27], [32, 27, 200], [32, 200, 30],
];

test('matmul family matches the JS backend (zero-copy and JS heap, = and +=)', { skip }, () => {
  const r = rng(1);
  for (const layout of LAYOUTS) {
    for (const [m, k, n] of MM_SIZES) {
      const [no, na, nb] = mmShapes(layout, m, k, n);
      const a = rand(na, r), b = rand(nb, r), o0 = rand(no, r);
      // Error scale per element: the same product on |a|, |b| in double.
      const scale = new Float64Array(no);
      jsBackend[layout](scale, Float64Array.from(a, Math.abs), Float64Array.from(b, Math.abs), m, k, n, false);
      for (const acc of [false, true]) {
        const ref = o0.slice();
        jsBackend[layout](ref, a, b, m, k, n, acc);
        const sc = acc ? Float64Array.from(scale, (s, i) => s + Math.abs(o0[i])) : scale;
        for (const mode of MODES) {
          const o = put(o0, mode), pa = put(a, mode), pb = put(b, mode);
          W()[layout](o, pa, pb, m, k, n, acc);
          close(o, ref, `${layout} ${m}×${k}×${n} acc=${acc} ${mode}`, 2e-6, 1e-7, sc);
          release(o, pa, pb);
        }
      }
    }
  }
});

test('matmul on unaligned views and mixed wasm/heap arguments', { skip }, () => {
  const r = rng(2);
  const [m, k, n] = [5, 7, 11];
  const a = rand(m * k, r), b = rand(k * n, r);
  const ref = new Float32Array(m * n);
  jsBackend.matmul(ref, a, b, m, k, n, false);
  const big = W().allocFloat32(m * k + 1);
  const pa = big.subarray(1); // byteOffset ≡ 4 (mod 16)
  pa.set(a);
  const o = new Float32Array(m * n); // JS heap
  W().matmul(o, pa, b, m, k, n, false);
  close(o, ref, 'unaligned/mixed', 2e-6, 1e-6);
  W().free(big);
});

test('matmul rejects arrays that are too short', { skip }, () => {
  const a = W().allocFloat32(6), b = W().allocFloat32(6), o = W().allocFloat32(3);
  assert.throws(() => W().matmul(o, a, b, 2, 3, 2, false), RangeError);
  release(a, b, o);
});

// ---- elementwise ----

const SIZES = [1, 3, 4, 5, 17, 31, 6400];

function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
}

/** Strides of an operand of shape `own` broadcast to `full` (right-aligned, 0 on broadcast dims). */
function bstrides(own: readonly number[], full: readonly number[]): number[] {
  const c = contiguousStrides(own);
  const off = full.length - own.length;
  return full.map((_, d) => (d < off || own[d - off] === 1 ? 0 : c[d - off]));
}

const OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div'];

test('binary with broadcasting is bit-identical to the JS backend', { skip }, () => {
  const r = rng(3);
  const cases: { shape: number[]; a: number[]; b: number[]; aStr?: number[]; bStr?: number[] }[] = [
    { shape: [6400], a: [6400], b: [6400] },
    { shape: [17], a: [17], b: [17] },
    { shape: [3], a: [3], b: [1] },
    { shape: [32, 27], a: [32, 27], b: [27] },
    { shape: [32, 27], a: [27], b: [32, 27] },
    { shape: [32, 200], a: [32, 200], b: [1, 200] },
    { shape: [5, 3], a: [5, 3], b: [5, 1] },
    { shape: [5, 3], a: [5, 1], b: [1, 3] },
    { shape: [2, 3, 5], a: [2, 3, 5], b: [2, 1, 5] },
    { shape: [2, 3, 5], a: [3, 1], b: [2, 1, 5] },
    { shape: [4, 1, 6], a: [4, 1, 6], b: [4, 1, 6] },
    { shape: [], a: [], b: [] },
    { shape: [3, 0], a: [3, 0], b: [3, 0] },
    // a transposed view: a is stored 7×5, read as 5×7
    { shape: [5, 7], a: [35], b: [5, 7], aStr: [1, 5] },
  ];
  for (const c of cases) {
    const numel = (s: number[]) => s.reduce((x, y) => x * y, 1);
    const a = rand(numel(c.a), r, -2, 2), b = rand(numel(c.b), r, 0.5, 2);
    const aStr = c.aStr ?? bstrides(c.a, c.shape), bStr = c.bStr ?? bstrides(c.b, c.shape);
    for (const op of OPS) {
      const ref = new Float32Array(numel(c.shape));
      jsBackend.binary(op, ref, a, aStr, b, bStr, c.shape);
      for (const mode of MODES) {
        const o = put(new Float32Array(ref.length), mode), pa = put(a, mode), pb = put(b, mode);
        W().binary(op, o, pa, aStr, pb, bStr, c.shape);
        same(o, ref, `binary ${op} [${c.shape}] ${mode}`);
        release(o, pa, pb);
      }
    }
  }
  // in place: out aliases a
  const x = put(rand(33, r), 'wasm'), y = rand(33, r, 1, 2);
  const ref = x.slice();
  jsBackend.binary('div', ref, ref, [1], y, [1], [33]);
  W().binary('div', x, x, [1], y, [1], [33]);
  same(x, ref, 'binary in place');
  release(x);
});

test('binaryScalar, mulInto, axpy are bit-identical to the JS backend; tanhBackward, sgdStep within an ulp or two', { skip }, () => {
  const r = rng(4);
  for (const n of SIZES) {
    const a = rand(n, r, -3, 3), b = rand(n, r, -3, 3), o0 = rand(n, r), y = rand(n, r, -1, 1);
    for (const mode of MODES) {
      const chk = (what: string, ref: Float32Array, run: (o: Float32Array) => void, init = o0) => {
        const o = put(init, mode);
        run(o);
        same(o, ref, `${what} n=${n} ${mode}`);
        release(o);
      };
      const pa = put(a, mode), pb = put(b, mode), py = put(y, mode);
      for (const op of OPS) {
        for (const s of [2, 0.5, -3, 0.1, 1 / 3, 1e-3]) {
          for (const rev of [false, true]) {
            const ref = new Float32Array(n);
            jsBackend.binaryScalar(op, ref, a, s, rev);
            chk(`binaryScalar ${op} ${s} rev=${rev}`, ref, (o) => W().binaryScalar(op, o, pa, s, rev));
          }
        }
      }
      for (const acc of [false, true]) {
        const ref = o0.slice();
        jsBackend.mulInto(ref, a, b, acc);
        chk(`mulInto acc=${acc}`, ref, (o) => W().mulInto(o, pa, pb, acc));
      }
      for (const s of [1, -0.1, 3.7]) {
        const ref = o0.slice();
        jsBackend.axpy(ref, a, s);
        chk(`axpy ${s}`, ref, (o) => W().axpy(o, pa, s));
      }
      {
        // f32 with 1 − y² as (1 − y)(1 + y): a few ulp of each term
        const ref = o0.slice();
        jsBackend.tanhBackward(ref, b, y);
        const scale = Float64Array.from(o0, (v, i) => Math.abs(v) + Math.abs(b[i] * (1 - y[i] * y[i])));
        const o = put(o0, mode);
        W().tanhBackward(o, pb, py);
        close(o, ref, `tanhBackward n=${n} ${mode}`, 4e-7, 0, scale);
        release(o);
      }
      for (const lr of [0.1, 0.01, 1]) {
        // f32 with lr rounded to f32: within an ulp or so of p and of lr·g
        const ref = o0.slice();
        jsBackend.sgdStep(ref, a, lr);
        const scale = Float64Array.from(o0, (v, i) => Math.abs(v) + Math.abs(lr * a[i]));
        const o = put(o0, mode);
        W().sgdStep(o, pa, lr);
        close(o, ref, `sgdStep ${lr} n=${n} ${mode}`, 2.5e-7, 0, scale);
        release(o);
      }
      release(pa, pb, py);
    }
  }
});

test('unary ops match Math.* to a few ulp, special values included', { skip }, () => {
  const r = rng(5);
  const specials = [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-40, -1e-40, 1.1754944e-38, 3.4e38, -3.4e38, 88.7, 88.8, -87.5, -103, -104, -200, 200, 1e-5, 20, -20, 9, 0.0004, 0.00039];
  const domains: Record<UnaryOp, [number, number]> = {
    neg: [-10, 10], abs: [-10, 10], sqrt: [0, 100], exp: [-100, 90], log: [1e-30, 1e30], log10: [1e-3, 1e3], tanh: [-10, 10],
  };
  const tol: Record<UnaryOp, number> = { neg: 0, abs: 0, sqrt: 0, exp: 2.5e-7, log: 2.5e-7, log10: 3e-7, tanh: 0 }; // tanh: SLEEF's on both
  for (const op of Object.keys(domains) as UnaryOp[]) {
    const [lo, hi] = domains[op];
    for (const n of [...SIZES, specials.length]) {
      let a: Float32Array;
      if (n === specials.length) a = Float32Array.from(specials);
      else if (op === 'log' || op === 'log10') a = Float32Array.from({ length: n }, () => Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * r()));
      else a = rand(n, r, lo, hi);
      if (op === 'log') a[0] = 1 + 2 ** -20; // near 1: relative accuracy of log matters
      const ref = new Float32Array(n);
      jsBackend.unary(op, ref, a);
      for (const mode of MODES) {
        const o = put(new Float32Array(n), mode), pa = put(a, mode);
        W().unary(op, o, pa);
        if (tol[op] === 0) same(o, ref, `unary ${op} n=${n} ${mode}`);
        else close(o, ref, `unary ${op} n=${n} ${mode}`, tol[op], op === 'exp' ? 1e-44 : 0);
        release(o, pa);
      }
    }
  }
});

test('tanh: max relative error over a dense sweep stays within SLEEF\'s 1 ulp (1.2e-7)', { skip }, () => {
  const n = 200001;
  const a = W().allocFloat32(n), o = W().allocFloat32(n);
  for (let i = 0; i < n; i++) a[i] = -12 + (24 * i) / (n - 1);
  W().unary('tanh', o, a);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.fround(Math.tanh(a[i]));
    if (e !== 0) worst = Math.max(worst, Math.abs(o[i] - e) / Math.abs(e));
  }
  assert.ok(worst <= 2 ** -23, `tanh worst relative error ${worst}`);
  release(a, o);
});

// ---- reductions ----

const AXES: [number, number, number][] = [[1, 32, 200], [1, 5, 1], [3, 4, 5], [2, 17, 1], [1, 1, 7], [4, 3, 2], [2, 31, 3], [1, 200, 1]];

test('sumAxis, broadcastAxis, varAxis match the JS backend', { skip }, () => {
  const r = rng(6);
  for (const [outer, dim, inner] of AXES) {
    const a = rand(outer * dim * inner, r, -2, 3), g = rand(outer * inner, r), o0 = rand(outer * inner, r), big0 = rand(outer * dim * inner, r);
    const what = `${outer}×${dim}×${inner}`;
    for (const mode of MODES) {
      const pa = put(a, mode), pg = put(g, mode);
      for (const acc of [false, true]) {
        const ref = o0.slice();
        jsBackend.sumAxis(ref, a, outer, dim, inner, acc);
        const o = put(o0, mode);
        W().sumAxis(o, pa, outer, dim, inner, acc);
        if (inner === 1) close(o, ref, `sumAxis ${what} acc=${acc} ${mode}`, 1e-7, 1e-9); else same(o, ref, `sumAxis ${what} acc=${acc} ${mode}`);
        release(o);
      }
      for (const scale of [1, -0.25, 0.1]) {
        const ref = big0.slice();
        jsBackend.broadcastAxis(ref, g, outer, dim, inner, scale);
        const o = put(big0, mode);
        W().broadcastAxis(o, pg, outer, dim, inner, scale);
        same(o, ref, `broadcastAxis ${what} ${scale} ${mode}`);
        release(o);
      }
      for (const corr of [0, 1]) {
        if (dim - corr <= 0) continue;
        const rv = new Float32Array(outer * inner), rm = new Float32Array(outer * inner);
        jsBackend.varAxis(rv, rm, a, outer, dim, inner, corr);
        const v = put(new Float32Array(rv.length), mode), m = put(new Float32Array(rm.length), mode);
        W().varAxis(v, m, pa, outer, dim, inner, corr);
        if (inner === 1) {
          close(v, rv, `varAxis var ${what} ${mode}`, 1e-7, 1e-9);
          close(m, rm, `varAxis mean ${what} ${mode}`, 1e-7, 1e-9);
        } else {
          same(v, rv, `varAxis var ${what} ${mode}`);
          same(m, rm, `varAxis mean ${what} ${mode}`);
        }
        release(v, m);
      }
      release(pa, pg);
    }
  }
});

// ---- fused layers ----

test('gatherRows and scatterAddRows match the JS backend and check indexes', { skip }, () => {
  const r = rng(7);
  for (const [rows, rowLen, count] of [[27, 10, 96], [5, 1, 7], [3, 3, 1], [9, 5, 20], [4, 17, 9], [1, 4, 3]]) {
    const table = rand(rows * rowLen, r), idx = randInt(count, rows, r), g = rand(count * rowLen, r), grad0 = rand(rows * rowLen, r);
    for (const mode of MODES) {
      const ref = new Float32Array(count * rowLen);
      jsBackend.gatherRows(ref, table, idx, rowLen);
      const o = put(new Float32Array(count * rowLen), mode), pt = put(table, mode), pi = put(idx, mode), pg = put(g, mode);
      W().gatherRows(o, pt, pi, rowLen);
      same(o, ref, `gatherRows ${rows}×${rowLen} ${mode}`);
      const gref = grad0.slice();
      jsBackend.scatterAddRows(gref, g, idx, rowLen);
      const go = put(grad0, mode);
      W().scatterAddRows(go, pg, pi, rowLen);
      same(go, gref, `scatterAddRows ${rows}×${rowLen} ${mode}`);
      const bad = put(Int32Array.from([0, rows]), mode);
      assert.throws(() => W().gatherRows(o, pt, bad, rowLen), RangeError);
      assert.throws(() => W().scatterAddRows(go, pg, put(Int32Array.from([-1]), 'heap'), rowLen), RangeError);
      release(o, pt, pi, pg, go, bad);
    }
  }
});

/** Per-element error scales of batch norm backward's dx: |dx0| + |k|·(|dy| + |mean dy| + |xhat·proj|), in double. */
function bnBackScale(dx0: Float32Array, dy: Float32Array, xhat: Float32Array, inv: FloatArray, gain: Float32Array | null, n: number, f: number, corr: number, epsStd: number): Float64Array {
  const sc = new Float64Array(n * f);
  for (let j = 0; j < f; j++) {
    let sdy = 0, sdyx = 0;
    for (let i = 0; i < n; i++) { sdy += dy[i * f + j]; sdyx += dy[i * f + j] * xhat[i * f + j]; }
    const k = Math.abs((gain ? gain[j] : 1) * inv[j]), md = Math.abs(sdy / n), pr = sdyx / (n - corr) / (1 - epsStd * inv[j]);
    for (let i = 0, p = j; i < n; i++, p += f) sc[p] = Math.abs(dx0[p]) + k * (Math.abs(dy[p]) + md + Math.abs(xhat[p] * pr));
  }
  return sc;
}

test('batch norm: statistics bit-identical to the JS backend, per-element passes within a few ulp', { skip }, () => {
  const r = rng(8);
  for (const [n, f] of [[32, 200], [5, 3], [3, 17], [2, 1], [7, 6], [4, 5]]) {
    const x = rand(n * f, r, -3, 5), gain = rand(f, r, 0.5, 1.5), bias = rand(f, r), dy = rand(n * f, r);
    const dx0 = rand(n * f, r), dg0 = rand(f, r), db0 = rand(f, r);
    for (const [eps, corr, epsStd] of [[0, 1, 0], [1e-5, 0, 0], [0, 1, 0.3]]) {
      for (const affine of [true, false]) {
        const G = affine ? gain : null, B = affine ? bias : null;
        const ro = new Float32Array(n * f), rx = new Float32Array(n * f), rm = new Float32Array(f), rv = new Float32Array(f), ri = new Float64Array(f);
        jsBackend.batchNormTrain(ro, rx, rm, rv, ri, x, G, B, n, f, eps, corr, epsStd);
        const outScale = Float64Array.from(rx, (h, p) => Math.abs((G ? G[p % f] : 1) * h) + Math.abs(B ? B[p % f] : 0));
        const re = new Float32Array(n * f), rs = new Float32Array(n * f);
        jsBackend.batchNormEval(re, x, rm, rv, false, G, B, n, f, eps);
        const std = Float32Array.from(rv, (v) => Math.sqrt(v));
        jsBackend.batchNormEval(rs, x, rm, std, true, G, B, n, f, eps);
        for (const mode of MODES) {
          for (const invKind of ['f64-heap', 'f32', 'f64-wasm'] as const) {
            const tag = `n=${n} f=${f} eps=${eps} corr=${corr} epsStd=${epsStd} affine=${affine} ${mode} invStd=${invKind}`;
            const o = put(new Float32Array(n * f), mode), xh = put(new Float32Array(n * f), mode);
            const m = put(new Float32Array(f), mode), v = put(new Float32Array(f), mode);
            const inv: FloatArray = invKind === 'f64-heap' ? new Float64Array(f) : invKind === 'f64-wasm' ? W().allocFloat64(f) : put(new Float32Array(f), mode);
            const px = put(x, mode), pg = G && put(G, mode), pb = B && put(B, mode);
            W().batchNormTrain(o, xh, m, v, inv, px, pg, pb, n, f, eps, corr, epsStd);
            same(m, rm, `bnTrain mean ${tag}`); same(v, rv, `bnTrain var ${tag}`);
            const invRef = invKind === 'f32' ? Float32Array.from(ri) : ri;
            same(inv, invRef, `bnTrain invStd ${tag}`);
            close(xh, rx, `bnTrain xhat ${tag}`, 3e-7, 1e-30);
            close(o, ro, `bnTrain out ${tag}`, 3e-7, 1e-30, outScale);
            // backward, from the JS xhat so that both sides see the same inputs
            const edx = dx0.slice(), edg = dg0.slice(), edb = db0.slice();
            jsBackend.batchNormBackward(edx, edg, edb, dy, rx, invRef, G, n, f, corr, epsStd);
            const dxScale = bnBackScale(dx0, dy, rx, invRef, G, n, f, corr, epsStd);
            const pdx = put(dx0, mode), pdg = put(dg0, mode), pdb = put(db0, mode), pdy = put(dy, mode), prx = put(rx, mode);
            W().batchNormBackward(pdx, pdg, pdb, pdy, prx, inv, pg, n, f, corr, epsStd);
            close(pdx, edx, `bnBackward dx ${tag}`, 4e-7, 1e-30, dxScale);
            same(pdg, edg, `bnBackward dGain ${tag}`); same(pdb, edb, `bnBackward dBias ${tag}`);
            const pdx2 = put(dx0, mode);
            W().batchNormBackward(pdx2, null, null, pdy, prx, inv, pg, n, f, corr, epsStd);
            close(pdx2, edx, `bnBackward dx only ${tag}`, 4e-7, 1e-30, dxScale);
            const pdg2 = put(dg0, mode);
            W().batchNormBackward(null, pdg2, null, pdy, prx, inv, pg, n, f, corr, epsStd);
            same(pdg2, edg, `bnBackward dGain only ${tag}`);
            const e = put(new Float32Array(n * f), mode), s = put(new Float32Array(n * f), mode), ps = put(std, mode);
            W().batchNormEval(e, px, m, v, false, pg, pb, n, f, eps);
            W().batchNormEval(s, px, m, ps, true, pg, pb, n, f, eps);
            same(e, re, `bnEval var ${tag}`); same(s, rs, `bnEval std ${tag}`);
            release(o, xh, m, v, invKind === 'f64-heap' ? null : inv, px, pg, pb, pdx, pdg, pdb, pdy, prx, pdx2, pdg2, e, s, ps);
          }
        }
      }
    }
  }
});

test('softmax, log-softmax and cross-entropy match the JS backend', { skip }, () => {
  const r = rng(9);
  for (const [rows, cols] of [[32, 27], [1, 1], [3, 5], [5, 17], [7, 4], [2, 31], [4, 200]]) {
    for (const spread of [1, 10, 80]) {
      const x = rand(rows * cols, r, -spread, spread), t = randInt(rows, cols, r), d0 = rand(rows * cols, r);
      const rsm = new Float32Array(rows * cols), rls = new Float32Array(rows * cols), rp = new Float32Array(rows * cols);
      jsBackend.softmaxRows(rsm, x, rows, cols);
      jsBackend.logSoftmaxRows(rls, x, rows, cols);
      const rloss = jsBackend.crossEntropyForward(rp, x, t, rows, cols);
      for (const mode of MODES) {
        const tag = `${rows}×${cols} spread=${spread} ${mode}`;
        const px = put(x, mode), pt = put(t, mode);
        const sm = put(new Float32Array(rows * cols), mode), ls = put(new Float32Array(rows * cols), mode), p = put(new Float32Array(rows * cols), mode);
        W().softmaxRows(sm, px, rows, cols);
        W().logSoftmaxRows(ls, px, rows, cols);
        const loss = W().crossEntropyForward(p, px, pt, rows, cols);
        close(sm, rsm, `softmax ${tag}`, 1e-6, 1e-30);
        close(p, rp, `ce probs ${tag}`, 1e-6, 1e-30);
        // log-softmax: absolute error of the log-sum-exp, relative to the values
        close(ls, rls, `logSoftmax ${tag}`, 1e-6, 1e-6);
        assert.ok(Math.abs(loss - rloss) <= 1e-6 * Math.abs(rloss) + 1e-7, `ce loss ${tag}: ${loss} vs ${rloss}`);
        for (const scale of [1, 0.5]) {
          const rd = d0.slice();
          jsBackend.crossEntropyBackward(rd, rp, t, rows, cols, scale);
          const d = put(d0, mode), pp = put(rp, mode);
          W().crossEntropyBackward(d, pp, pt, rows, cols, scale);
          same(d, rd, `ce backward ${tag} scale=${scale}`);
          release(d, pp);
        }
        const bad = put(Int32Array.from({ length: rows }, (_, i) => (i === rows - 1 ? cols : 0)), mode);
        assert.throws(() => W().crossEntropyForward(p, px, bad, rows, cols), RangeError);
        assert.throws(() => W().crossEntropyBackward(p, px, bad, rows, cols, 1), RangeError);
        release(px, pt, sm, ls, p, bad);
      }
    }
  }
});

// ---- Float64Array delegation ----

test('Float64Array arguments are delegated to the JS backend', { skip }, () => {
  const r = rng(10);
  const f64 = (n: number) => Float64Array.from(rand(n, r));
  const a = f64(12), b = f64(20), o1 = new Float64Array(15), o2 = new Float64Array(15);
  jsBackend.matmul(o1, a, b, 3, 4, 5, false);
  W().matmul(o2, a, b, 3, 4, 5, false);
  same(o2, o1, 'matmul f64');
  const tb1 = new Float64Array(15), tb2 = new Float64Array(15), bb = f64(20);
  jsBackend.matmulTransB(tb1, b, bb, 3, 5, 4, false); W().matmulTransB(tb2, b, bb, 3, 5, 4, false);
  same(tb2, tb1, 'matmulTransB f64');
  const u1 = new Float64Array(12), u2 = new Float64Array(12);
  jsBackend.unary('tanh', u1, a); W().unary('tanh', u2, a);
  same(u2, u1, 'tanh f64');
  const l1 = new Float64Array(20), l2 = new Float64Array(20), t = randInt(4, 5, r);
  assert.equal(W().crossEntropyForward(l2, b, t, 4, 5), jsBackend.crossEntropyForward(l1, b, t, 4, 5));
  same(l2, l1, 'ce f64');
  const x = f64(12), p1 = x.slice(), p2 = x.slice();
  jsBackend.sgdStep(p1, a, 0.1); W().sgdStep(p2, a, 0.1);
  same(p2, p1, 'sgd f64');
  const bo1 = new Float64Array(12), bo2 = new Float64Array(12);
  jsBackend.binary('mul', bo1, a, [4, 1], x, [0, 1], [3, 4]); W().binary('mul', bo2, a, [4, 1], x, [0, 1], [3, 4]);
  same(bo2, bo1, 'binary f64');
  const so1 = new Float64Array(12), so2 = new Float64Array(12);
  const m1 = new Float64Array(4), v1 = new Float64Array(4), i1 = new Float64Array(4), x1 = new Float64Array(12);
  const m2 = new Float64Array(4), v2 = new Float64Array(4), i2 = new Float64Array(4), x2 = new Float64Array(12);
  jsBackend.batchNormTrain(so1, x1, m1, v1, i1, a, null, null, 3, 4, 0, 1);
  W().batchNormTrain(so2, x2, m2, v2, i2, a, null, null, 3, 4, 0, 1);
  same(so2, so1, 'bn f64');
});

// ---- allocator ----

test('allocator: 16-byte alignment, zeroed blocks, exact-size reuse, errors', { skip }, () => {
  const w = createWasmBackend({ initialMiB: 1 });
  const arrs = [1, 3, 4, 5, 17, 100].map((n) => w.allocFloat32(n));
  for (const a of arrs) assert.equal(a.byteOffset % 16, 0);
  const a = w.allocFloat32(37);
  a.fill(7);
  const off = a.byteOffset;
  w.free(a);
  const b = w.allocFloat32(37);
  assert.equal(b.byteOffset, off, 'same size reuses the freed block');
  assert.ok(b.every((v) => v === 0), 'reused block is zeroed');
  const c = w.allocInt32(37); // same byte size, different type: reuses nothing (b is live)
  assert.notEqual(c.byteOffset, off);
  w.free(c);
  const d = w.allocFloat32(36); // while b is live its block is not handed out again
  assert.notEqual(d.byteOffset, off);
  assert.throws(() => w.free(new Float32Array(4)), /not in wasm memory/);
  w.free(b);
  assert.throws(() => w.free(b), /double free/);
  const before = w.stats();
  for (let step = 0; step < 5; step++) {
    const t = [w.allocFloat32(6400), w.allocFloat32(864), w.allocInt32(96)];
    for (const x of t) w.free(x);
  }
  const after = w.stats();
  assert.ok(after.top - before.top <= 6400 * 4 + 864 * 4 + 96 * 4 + 48, 'steady state reuses blocks');
  assert.equal(w.allocFloat32(0).length, 0);
});

test('allocator: growth detaches views; refresh, onGrow and kernels on old views', { skip }, () => {
  const w = createWasmBackend({ initialMiB: 1 });
  let grown = 0;
  const off = w.onGrow(() => { grown++; });
  const r = rng(11);
  const a = w.allocFloat32(12), b = w.allocFloat32(20), o = w.allocFloat32(15);
  a.set(rand(12, r)); b.set(rand(20, r));
  const sub = a.subarray(4);
  const aCopy = a.slice(), bCopy = b.slice();
  const mem0 = w.memory.buffer.byteLength;
  const big = w.allocFloat32(300_000); // 1.2 MB > 1 MiB: grows
  assert.equal(grown, 1);
  assert.ok(w.memory.buffer.byteLength > mem0);
  assert.equal(w.stats().grows, 1);
  assert.equal(a.length, 0, 'old view is detached');
  assert.equal(big.length, 300_000);
  // kernels accept the detached views they allocated, by address
  w.matmul(o, a, b, 3, 4, 5, false);
  const o2 = w.refresh(o);
  const ref = new Float32Array(15);
  jsBackend.matmul(ref, aCopy, bCopy, 3, 4, 5, false);
  close(o2, ref, 'matmul on views detached by growth', 2e-6, 1e-6);
  same(w.refresh(a), aCopy, 'refresh keeps the data');
  assert.equal(w.refresh(o2), o2, 'refresh of a live view is the view');
  assert.throws(() => w.unary('neg', o2, sub), /detached/);
  w.free(a); // free works on a detached view
  off();
  // JS-heap arguments that need more scratch than is free: memory grows mid-call
  const n = 400_000;
  const x = rand(n, r), y = new Float32Array(n), live = w.allocFloat32(n);
  const grows = w.stats().grows;
  w.binary('add', live, x, [1], w.refresh(big).subarray(0, 1), [0], [n]); // scratch for x: grows
  assert.ok(w.stats().grows > grows);
  const liveNow = w.refresh(live);
  for (let i = 0; i < n; i += 9973) assert.equal(liveNow[i], x[i]);
  w.unary('neg', y, x);
  for (let i = 0; i < n; i += 9973) assert.equal(y[i], -x[i]);
  assert.equal(grown, 1, 'unsubscribed listener is not called');
});

test('allocator: matmulTransB whose scratch does not fit runs unpacked instead of growing memory (which would detach its arguments)', { skip }, () => {
  const w = createWasmBackend({ initialMiB: 2 });
  const r = rng(12);
  const [m, k, n] = [8, 5000, 60]; // b is 5000×60 (1.2 MB): its transposed copy no longer fits
  const a = w.allocFloat32(m * n), b = w.allocFloat32(k * n), o = w.allocFloat32(m * k);
  a.set(rand(m * n, r)); b.set(rand(k * n, r));
  const ref = new Float32Array(m * k);
  jsBackend.matmulTransB(ref, a, b, m, k, n, false);
  assert.equal(w.stats().grows, 0);
  w.matmulTransB(o, a, b, m, k, n, false);
  assert.equal(w.stats().grows, 0, 'the scratch must not grow memory');
  close(o, ref, 'matmulTransB unpacked', 2e-6, 1e-5);
});

test('the shared test backend never grew (its views stayed valid throughout)', { skip }, () => {
  assert.equal(W().stats().grows, 0);
});

test('allocator: a kernel whose JS-heap arguments grow memory mid-call still reads its wasm views\' lengths (gatherRows on a wasm table)', { skip }, () => {
  const w = createWasmBackend({ initialMiB: 1 });
  const rows = 50;
  const table = w.allocFloat32(rows * 2);
  table.set(Float32Array.from({ length: rows * 2 }, (_, i) => i + 0.5));
  // JS-heap index and output: their scratch (3.2 MB) grows the 1 MiB memory, detaching `table`
  const n = 400_000;
  const idx = Int32Array.from({ length: n }, (_, i) => (i * 7) % rows);
  const out = new Float32Array(n * 2);
  const grows = w.stats().grows;
  w.gatherRows(out, table, idx, 2);
  assert.ok(w.stats().grows > grows, 'the call grew memory');
  for (let i = 0; i < n; i += 997) {
    assert.equal(out[2 * i], 2 * idx[i] + 0.5);
    assert.equal(out[2 * i + 1], 2 * idx[i] + 1.5);
  }
});
