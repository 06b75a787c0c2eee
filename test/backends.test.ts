// Both kernel backends train the notebook model to the same numbers within float32 rounding,
// and each is deterministic: same seed, same backend, bit-identical losses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { buildSplits, readWords, Vocab } from '../src/data/index.js';
import { jsBackend, setBackend, kernels, useBackend, wasmSupported, type Backend } from '../src/kernels/index.js';
import { createModel, DEFAULT_MODEL, DEFAULT_TRAIN } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import { splitLoss, train } from '../src/train/index.js';

const NAMES = fileURLToPath(new URL('../../data/names.txt', import.meta.url));
const words = readWords(NAMES);
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, 42);

function run(backend: Backend, steps: number): { losses: Float32Array; val: number } {
  const before = kernels();
  setBackend(backend);
  try {
    const g = new Generator(2147483647);
    const model = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, g);
    const r = train(model, splits.train, { ...DEFAULT_TRAIN, steps, lrDecayStep: steps / 2 }, g);
    return { losses: Float64Array.from(r.lossLog10, (x) => 10 ** x) as unknown as Float32Array, val: splitLoss(model, splits.val) };
  } finally {
    setBackend(before);
  }
}

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
