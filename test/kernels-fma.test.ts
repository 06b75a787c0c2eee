// The two exact wasm builds give the same bits: 'exact' emulates the multiply-adds PyTorch's kernels
// fuse (SLEEF's tanh, exp and log; tanh's and the cross-entropy's backward) in f64, 'exactFma' does
// them with f32x4.relaxed_madd where a probe shows it rounds once (src/kernels/wasm/index.ts). Both
// are checked against torch elsewhere (sleef, cross-entropy, the CLI's fixture runs); here they are
// compared with each other, and with the JS ports, on inputs no fixture has: random bit patterns,
// every tail length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { expf, logf, tanhf } from '../src/kernels/js/sleef.js';
import { jsBackend } from '../src/kernels/js/index.js';
import type { Backend } from '../src/kernels/types.js';
import { createWasmBackend, fusedFmaSupported, wasmSupported, type WasmBackend } from '../src/kernels/wasm/index.js';
import { enableRelaxedSimd } from '../src/kernels/wasm/relaxedSimd.js';

enableRelaxedSimd(v8);
const skip = !wasmSupported() ? 'WebAssembly SIMD is not available'
  : !fusedFmaSupported() ? 'relaxed_madd is not a single-rounding FMA in this engine (the exact build emulates it)' : false;

let seed = 12345;
function u32(): number { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; }
function uniform(): number { return (u32() + 0.5) / 2 ** 32; }
function normal(): number { return Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()); }

/** The first indices where a and b differ in bits (NaN payloads aside). */
function differences(a: Float32Array, b: Float32Array, what: string): string[] {
  const ab = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const bb = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: string[] = [];
  for (let i = 0; i < a.length && out.length < 5; i++) {
    if (ab[i] !== bb[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) out.push(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
  return out;
}

/** Runs `fill` then `run` on each backend, with the same inputs, and returns `run`'s outputs. */
function both(n: number, fill: (a: Float32Array) => void, run: (k: WasmBackend, x: Float32Array) => Float32Array): [Float32Array, Float32Array] {
  const x = new Float32Array(n);
  fill(x);
  const outs = [false, true].map((fma) => {
    const k = createWasmBackend({ initialMiB: 16, fma });
    assert.equal(k.variant, fma ? 'exactFma' : 'exact');
    const xw = k.allocFloat32(n);
    xw.set(x);
    return Float32Array.from(run(k, xw));
  });
  return [outs[0], outs[1]];
}

test('tanh, exp and log: the same bits over 2^20 random float32 bit patterns and wide normal values', { skip }, () => {
  const n = 1 << 20;
  const fills: [string, (a: Float32Array) => void][] = [
    ['bit patterns', (a) => { const b = new Uint32Array(a.buffer); for (let i = 0; i < n; i++) b[i] = u32(); }],
    ['normal·4', (a) => { for (let i = 0; i < n; i++) a[i] = 4 * normal(); }],
    ['log-uniform positives', (a) => { for (let i = 0; i < n; i++) a[i] = Math.exp(200 * uniform() - 100); }],
  ];
  for (const [name, fill] of fills) {
    for (const op of [0, 1, 2]) {
      seed = 12345;
      const [e, f] = both(n, fill, (k, x) => {
        const out = k.allocFloat32(n);
        k.exportFn('sleefMap')!(op, out.byteOffset, x.byteOffset, n);
        return out;
      });
      assert.deepEqual(differences(e, f, `${['tanh', 'exp', 'log'][op]} of ${name}`), []);
      // and the JS port (scalar, slow: the first 2^16)
      const x = new Float32Array(n);
      seed = 12345;
      fill(x);
      const js = x.subarray(0, 1 << 16).map([tanhf, expf, logf][op]);
      assert.deepEqual(differences(js, f.subarray(0, 1 << 16), `JS ${['tanh', 'exp', 'log'][op]} of ${name}`), []);
    }
  }
  // the scalar entry points (one value in a vector's lane)
  const xs = Float32Array.from({ length: 4096 }, () => 30 * normal());
  const one = [false, true].map((fma) => createWasmBackend({ initialMiB: 1, fma }).exportFn('sleefScalar')!);
  for (const op of [1, 2]) {
    const e = xs.map((v) => one[0](op, v));
    const f = xs.map((v) => one[1](op, v));
    assert.deepEqual(differences(e, f, `scalar op ${op}`), []);
  }
});

test('the start-up probe: fmaProbe rounds (1 + 2⁻¹²)² − 1 once in both builds', { skip }, () => {
  const a = 1 + 2 ** -12;
  for (const fma of [false, true]) {
    assert.equal(createWasmBackend({ initialMiB: 1, fma }).exportFn('fmaProbe')!(a, a, -1), 2 ** -11 + 2 ** -24);
  }
});

test('tanh backward, log-softmax and cross-entropy forward and backward: the same bits, every tail length', { skip }, () => {
  for (const cols of [1, 3, 4, 7, 8, 9, 12, 15, 16, 27, 33, 65]) {
    const rows = 37;
    const n = rows * cols;
    const scale = 3 * uniform();
    const targets = Int32Array.from({ length: rows }, () => Math.floor(uniform() * cols));
    const run = (k: Backend, x: Float32Array, f32: (n: number) => Float32Array, i32: (n: number) => Int32Array): Float32Array => {
      const dy = f32(n), dx = f32(n), y = f32(n), t = i32(rows);
      for (let i = 0; i < n; i++) dy[i] = Math.fround(Math.sin(i) / 3);
      t.set(targets);
      const out: number[] = [];
      // tanh and its backward
      k.unary('tanh', y, x);
      k.tanhBackward(dx, dy, y);
      out.push(...y, ...dx);
      // log-softmax and its backward (onto a gradient that is not zero)
      k.logSoftmaxRows(y, x, rows, cols);
      k.logSoftmaxBackward(dx, dy, y, rows, cols);
      out.push(...y, ...dx);
      // cross-entropy: mean, per-row losses, the gradient of scale·loss
      const logp = f32(n), nll = f32(rows), g = f32(n);
      out.push(k.crossEntropyForward(logp, x, t, rows, cols));
      k.crossEntropyRows(nll, x, t, rows, cols);
      k.crossEntropyBackward(g, logp, t, rows, cols, scale);
      out.push(...logp, ...nll, ...g);
      return Float32Array.from(out);
    };
    const x = Float32Array.from({ length: n }, () => 3 * normal());
    const [e, f] = both(n, (a) => a.set(x), (k, xw) => run(k, xw, (m) => k.allocFloat32(m), (m) => k.allocInt32(m)));
    assert.deepEqual(differences(e, f, `cols ${cols}`), []);
    const js = run(jsBackend, x, (m) => new Float32Array(m), (m) => new Int32Array(m));
    assert.deepEqual(differences(js, f, `JS, cols ${cols}`), []);
  }
});
