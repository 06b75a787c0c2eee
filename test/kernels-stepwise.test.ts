// The lecture's op-by-op batch norm and PyTorch-order column sums: the wasm kernels
// (assembly/stepwise.ts, four columns per f32x4 lane group) give the JS kernels' (js/stepwise.ts)
// float32 bits exactly, on shapes with odd column tails (f mod 4, f mod 32) and short row counts
// (the cascade's partial levels, the interleaved tail sums' leftover rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../src/kernels/js/index.js';
import { createWasmBackend, wasmSupported, type WasmBackend } from '../src/kernels/wasm/index.js';
import { lcg } from './helpers/gradcheck.js';

const supported = wasmSupported();
const skip = supported ? false : 'WebAssembly SIMD is not available';
const wasm: WasmBackend | null = supported ? createWasmBackend({ initialMiB: 32 }) : null;
const W = (): WasmBackend => wasm!;

const NS = [1, 2, 31, 32, 33, 128, 1000];
const FS = [1, 3, 24, 31, 32, 33, 128, 200];

/** Uniform in [0, 1). */
function rng(seed: number): () => number {
  const u = lcg(seed);
  return () => (u() + 1) / 2;
}

/** Values of mixed magnitudes around an offset per column (a mean far from 0 stresses the sums). */
function data(n: number, f: number, r: () => number): Float32Array {
  const a = new Float32Array(n * f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) a[i * f + j] = (j % 5) * 0.7 + (r() * 2 - 1) * (1 + 10 * r() * r());
  return a;
}
function rand(n: number, r: () => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

const held: Float32Array[] = [];
/** A copy in wasm memory, held until freeAll. */
function put(src: Float32Array): Float32Array {
  const a = W().allocFloat32(src.length);
  a.set(src);
  held.push(a);
  return a;
}
function freeAll(): void {
  for (const a of held.splice(0)) W().free(a);
}

function bitEqual(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const ua = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const ue = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < expected.length; i++) {
    // NaN (n = 1: the unbiased variance divides by 0) compares as NaN, whatever its payload
    if (ua[i] !== ue[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) {
      assert.fail(`${what}: [${i}] = ${actual[i]}, the JS kernel's ${expected[i]}`);
    }
  }
}

/** gain and bias present, either alone, or neither. */
const AFFINE: [boolean, boolean][] = [[true, true], [false, false], [true, false], [false, true]];

test('sumRows: wasm and JS give the same bits (= and +=)', { skip }, () => {
  const r = rng(1);
  for (const n of NS) {
    for (const f of FS) {
      const a = data(n, f, r);
      const o0 = rand(f, r);
      for (const acc of [false, true]) {
        const ref = o0.slice();
        jsBackend.sumRows(ref, a, n, f, acc);
        const o = put(o0), pa = put(a);
        W().sumRows(o, pa, n, f, acc);
        bitEqual(o, ref, `sumRows ${n}×${f} acc=${acc}`);
        freeAll();
      }
    }
  }
});

test('batchNormStepwise forward, backward and eval: wasm and JS give the same bits', { skip }, () => {
  const r = rng(2);
  const eps = 1e-5;
  let k = 0;
  for (const n of NS) {
    for (const f of FS) {
      const [hasGain, hasBias] = AFFINE[k++ % AFFINE.length];
      const x = data(n, f, r);
      const gain = hasGain ? rand(f, r, 0.5, 1.5) : null;
      const bias = hasBias ? rand(f, r) : null;
      const what = `${n}×${f} gain=${hasGain} bias=${hasBias}`;
      // forward, training mode
      const js = { out: new Float32Array(n * f), xhat: new Float32Array(n * f), mean: new Float32Array(f), var: new Float32Array(f), den: new Float32Array(f) };
      jsBackend.batchNormStepwise(js.out, js.xhat, js.mean, js.var, js.den, x, gain, bias, n, f, eps);
      const w = { out: put(new Float32Array(n * f)), xhat: put(new Float32Array(n * f)), mean: put(new Float32Array(f)), var: put(new Float32Array(f)), den: put(new Float32Array(f)) };
      const px = put(x), pg = gain && put(gain), pb = bias && put(bias);
      W().batchNormStepwise(w.out, w.xhat, w.mean, w.var, w.den, px, pg, pb, n, f, eps);
      for (const key of ['out', 'xhat', 'mean', 'var', 'den'] as const) bitEqual(w[key], js[key], `forward ${key} ${what}`);

      // backward, into gradients that already hold values (they accumulate)
      const dy = rand(n * f, r), dx0 = rand(n * f, r), dg0 = rand(f, r), db0 = rand(f, r);
      const jdx = dx0.slice(), jdg = dg0.slice(), jdb = db0.slice();
      jsBackend.batchNormStepwiseBackward(jdx, hasGain ? jdg : null, jdb, dy, x, js.xhat, js.mean, js.den, gain, n, f, new Float32Array(n * f));
      const wdx = put(dx0), wdg = put(dg0), wdb = put(db0), pdy = put(dy);
      W().batchNormStepwiseBackward(wdx, hasGain ? wdg : null, wdb, pdy, px, w.xhat, w.mean, w.den, pg, n, f, put(new Float32Array(n * f)));
      bitEqual(wdx, jdx, `backward dx ${what}`);
      if (hasGain) bitEqual(wdg, jdg, `backward dGain ${what}`);
      bitEqual(wdb, jdb, `backward dBias ${what}`);
      // only the parameters' gradients (a first layer's input needs none)
      const jdg2 = dg0.slice(), wdg2 = put(dg0);
      jsBackend.batchNormStepwiseBackward(null, jdg2, null, dy, x, js.xhat, js.mean, js.den, gain, n, f, new Float32Array(n * f));
      W().batchNormStepwiseBackward(null, wdg2, null, pdy, px, w.xhat, w.mean, w.den, pg, n, f, put(new Float32Array(n * f)));
      bitEqual(wdg2, jdg2, `backward dGain only ${what}`);

      // eval mode with running statistics (positive variances)
      const rm = rand(f, r), rv = rand(f, r, 0.01, 3);
      const je = new Float32Array(n * f);
      jsBackend.batchNormEvalStepwise(je, x, rm, rv, gain, bias, n, f, eps);
      const we = put(new Float32Array(n * f));
      W().batchNormEvalStepwise(we, px, put(rm), put(rv), pg, pb, n, f, eps);
      bitEqual(we, je, `eval ${what}`);
      freeAll();
    }
  }
});

test('runningAverageStepwise: wasm and JS give the same bits', { skip }, () => {
  const r = rng(3);
  for (const f of FS) {
    const run = rand(f, r), batch = data(1, f, r);
    const ref = run.slice();
    jsBackend.runningAverageStepwise(ref, batch, 0.1);
    const w = put(run);
    W().runningAverageStepwise(w, put(batch), 0.1);
    bitEqual(w, ref, `running average f=${f}`);
    freeAll();
  }
});

test('the stepwise kernels on JS-heap arrays (copied through wasm memory) give the same bits', { skip }, () => {
  const r = rng(4);
  const n = 33, f = 35;
  const x = data(n, f, r), gain = rand(f, r, 0.5, 1.5), bias = rand(f, r);
  const alloc = (): Float32Array[] => [new Float32Array(n * f), new Float32Array(n * f), new Float32Array(f), new Float32Array(f), new Float32Array(f)];
  const js = alloc(), w = alloc();
  jsBackend.batchNormStepwise(js[0], js[1], js[2], js[3], js[4], x, gain, bias, n, f, 1e-5);
  W().batchNormStepwise(w[0], w[1], w[2], w[3], w[4], x, gain, bias, n, f, 1e-5);
  js.forEach((a, i) => bitEqual(w[i], a, `heap forward output ${i}`));
  const s1 = new Float32Array(f), s2 = new Float32Array(f);
  jsBackend.sumRows(s1, x, n, f, false);
  W().sumRows(s2, x, n, f, false);
  bitEqual(s2, s1, 'heap sumRows');
});

test('the shared test backend never grew (its views stayed valid throughout)', { skip }, () => {
  assert.equal(W().memory.buffer.byteLength, 32 * 1024 * 1024);
});
