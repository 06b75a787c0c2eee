// Both kernel backends train the notebook model to the same numbers within float32 rounding,
// and each is deterministic: same seed, same backend, bit-identical losses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend, kernels, useBackend, wasmSupported } from '../src/kernels/index.js';
import { runWithBackend as run } from './helpers/backendRun.js';

test('wasm and js backends: losses agree to 1e-4 after 1,000 steps', { skip: !wasmSupported() && 'WebAssembly SIMD is not supported here' }, () => {
  const wasm = useBackend('wasm');
  const a = run(wasm, 1000);
  const b = run(jsBackend, 1000);
  assert.ok(Math.abs(a.losses[0] - b.losses[0]) < 1e-6, `step 0 loss ${a.losses[0]} vs ${b.losses[0]}`);
  const last = a.losses.length - 1;
  assert.ok(Math.abs(a.losses[last] - b.losses[last]) < 1e-4, `last step loss ${a.losses[last]} vs ${b.losses[last]}`);
  assert.ok(Math.abs(a.val - b.val) < 1e-4, `val loss ${a.val} vs ${b.val}`);
});

test('same seed, same backend: bit-identical losses', () => {
  const backend = kernels();
  const a = run(backend, 300);
  const b = run(backend, 300);
  assert.deepEqual(Array.from(a.losses), Array.from(b.losses));
  assert.equal(a.val, b.val);
});
