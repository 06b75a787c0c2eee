// SLEEF's float32 tanh, exp and log (src/kernels/js/sleef.ts, assembly/sleef.ts) against torch 1.13
// CPU's outputs bit for bit (tools/sleef_reference.py → test/fixtures/sleef.json), on both backends:
// the JS port, the wasm port (the module's test-only sleefMap export) and both backends' tanh kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expf, fmaf, logf, tanhf } from '../src/kernels/js/sleef.js';
import { jsBackend } from '../src/kernels/js/index.js';
import { createWasmBackend, wasmSupported } from '../src/kernels/wasm/index.js';
import { ROOT } from './helpers/cli.js';

type Op = 'tanh' | 'exp' | 'log';
const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'sleef.json'), 'utf8')) as
  Record<Op, { x: number[]; y: number[] }>;
const OPS: Op[] = ['tanh', 'exp', 'log'];
const skip = wasmSupported() ? false : 'WebAssembly SIMD is not available';

function floats(bits: number[]): Float32Array { return new Float32Array(Uint32Array.from(bits).buffer); }

/** Indices where got's bits differ from torch's (NaN matches any NaN). */
function mismatches(op: Op, got: Float32Array): string[] {
  const want = floats(fixture[op].y);
  const x = floats(fixture[op].x);
  const gb = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    if (gb[i] === fixture[op].y[i] || (Number.isNaN(got[i]) && Number.isNaN(want[i]))) continue;
    bad.push(`${op}(${x[i]}) = ${got[i]}, torch ${want[i]}`);
  }
  return bad;
}

test('fmaf rounds a·b + c once: the double-rounding midpoint cases and plain ones', () => {
  const u = 2 ** -23;
  // a·b = 2^−24 − 2^−70: the double sum with 1 + u rounds onto the midpoint 1 + u + 2^−24, which
  // ties to even (1 + 2u); the exact value lies below it: 1 + u
  const naive = Math.fround((2 ** -24 * (1 + u)) * (1 - u) + (1 + u));
  assert.equal(naive, 1 + 2 * u);
  assert.equal(fmaf(2 ** -24 * (1 + u), 1 - u, 1 + u), 1 + u);
  assert.equal(fmaf(-(2 ** -24) * (1 + u), 1 - u, -1 - u), -1 - u);
  // exactly on a midpoint: ties to even
  assert.equal(fmaf(1, 1, 2 ** -24), 1);
  assert.equal(fmaf(3, 5, 7), 22);
  // one rounding of the exact a·b + c: fl(0.1)·10 − 1 = 2^−26, not fl(fl(0.1)·10) − 1 = 0
  assert.equal(fmaf(Math.fround(0.1), 10, -1), 2 ** -26);
});

for (const op of OPS) {
  const fn = { tanh: tanhf, exp: expf, log: logf }[op];
  test(`JS port: ${op} equals torch.${op} bit for bit on ${fixture[op].x.length} inputs`, () => {
    const x = floats(fixture[op].x);
    const got = x.map((v) => fn(v));
    assert.deepEqual(mismatches(op, got).slice(0, 5), []);
  });

  test(`wasm port: ${op} equals torch.${op} bit for bit`, { skip }, () => {
    const wasm = createWasmBackend({ initialMiB: 8 });
    const map = wasm.exportFn('sleefMap');
    assert.ok(map, 'the module exports sleefMap');
    const n = fixture[op].x.length;
    const a = wasm.allocFloat32(n + 4);
    const o = wasm.allocFloat32(n + 4);
    a.set(floats(fixture[op].x));
    map({ tanh: 0, exp: 1, log: 2 }[op], o.byteOffset, a.byteOffset, n);
    assert.deepEqual(mismatches(op, o.subarray(0, n)).slice(0, 5), []);
    // the scalar entry points (exp, log) the layers call one value at a time
    if (op !== 'tanh') {
      const one = wasm.exportFn('sleefScalar')!;
      const got = floats(fixture[op].x).map((v) => one(op === 'exp' ? 1 : 2, v));
      assert.deepEqual(mismatches(op, got).slice(0, 5), []);
    }
  });
}

test('both backends\' tanh kernel is torch.tanh bit for bit, any length (tails), in place too', { skip }, () => {
  const wasm = createWasmBackend({ initialMiB: 8 });
  const x = floats(fixture.tanh.x);
  for (const n of [x.length, 5, 3, 1]) {
    const xs = x.subarray(x.length - n);
    const want = fixture.tanh.y.slice(x.length - n);
    for (const [name, k] of [['js', jsBackend], ['wasm', wasm]] as const) {
      const out = new Float32Array(n);
      k.unary('tanh', out, xs);
      assert.deepEqual(Array.from(new Uint32Array(out.buffer)).filter((b, i) => b !== want[i] && !Number.isNaN(out[i])), [], `${name} n=${n}`);
    }
  }
  const w = wasm.allocFloat32(x.length);
  w.set(x);
  wasm.unary('tanh', w, w);
  assert.deepEqual(mismatches('tanh', w), []);
  // float64 tensors (gradient checks) keep Math.tanh
  const d = Float64Array.from([0.5, -2]);
  const o = new Float64Array(2);
  jsBackend.unary('tanh', o, d);
  assert.deepEqual(Array.from(o), [Math.tanh(0.5), Math.tanh(-2)]);
});
