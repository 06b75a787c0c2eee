// Fast mode (--fast): the wasm kernels built with relaxed SIMD, a rational tanh, matmul's
// multiply-add fused where the CPU has FMA. Its numbers may differ from exact mode's (PyTorch's) in the last bits; the
// stated tolerance: every loss of a 1,000-step run of the seed preset within 1e-3 (relative) of
// exact mode's, and the val loss after it within 1e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { kernels, setBackend, useBackend, useFastBackend, wasmSupported } from '../src/kernels/index.js';
import { runWithBackend } from './helpers/backendRun.js';

test('fast mode: losses within 1e-3 of exact mode over 1,000 steps', { skip: !wasmSupported() && 'WebAssembly SIMD is not supported here' }, (t) => {
  const before = kernels();
  const exactBackend = useBackend('wasm');
  const fastBackend = useFastBackend(v8);
  setBackend(before);
  if (fastBackend === null) { t.skip('this engine has no relaxed SIMD'); return; }
  assert.equal(fastBackend.fast, true);
  const exact = runWithBackend(exactBackend, 1000);
  const fast = runWithBackend(fastBackend, 1000);
  assert.equal(fast.losses.length, 1000);
  let worst = 0;
  for (let i = 0; i < 1000; i++) worst = Math.max(worst, Math.abs(fast.losses[i] - exact.losses[i]) / exact.losses[i]);
  t.diagnostic(`largest relative loss difference ${worst.toExponential(2)}; val ${exact.val} exact, ${fast.val} fast`);
  assert.ok(worst < 1e-3, `largest relative loss difference ${worst}`);
  assert.ok(Math.abs(fast.val - exact.val) < 1e-3, `val ${fast.val} fast, ${exact.val} exact`);
});
