// Evaluation in chunks (src/train/evaluate.ts): every chunk of a split has one size, the last one
// overlapping the one before it; the losses are one call's over the whole split, bit for bit; on
// wasm, evaluating split after split takes no new memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { buildSplits, datasetRows, readWords, Vocab } from '../src/data/index.js';
import { kernels, type WasmBackend } from '../src/kernels/index.js';
import { createModel, DEFAULT_TRAIN } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import { crossEntropy, noGrad } from '../src/tensor/index.js';
import { evalChunks, splitLoss, train } from '../src/train/index.js';

const words = readWords(fileURLToPath(new URL('../../data/names.txt', import.meta.url)));
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, 42);

test('evalChunks: chunks of one size covering every row once (the last overlaps the one before)', () => {
  for (const [rows, chunk] of [[10, 3], [9, 3], [2, 5], [1, 1], [22655, 1986], [0, 4]]) {
    const chunks = evalChunks(rows, chunk);
    const seen = new Uint8Array(rows);
    for (const { start, end, skip } of chunks) {
      assert.equal(end - start, Math.min(chunk, rows), `${rows} rows in chunks of ${chunk}`);
      for (let i = start + skip; i < end; i++) seen[i]++;
    }
    assert.ok(seen.every((c) => c === 1), `${rows} rows in chunks of ${chunk}: each row once`);
    assert.equal(chunks.length, Math.ceil(rows / chunk));
  }
  assert.deepEqual(evalChunks(10, 4), [{ start: 0, end: 4, skip: 0 }, { start: 4, end: 8, skip: 0 }, { start: 6, end: 10, skip: 2 }]);
});

test('a module-built network in chunks of any size: one F.cross_entropy over the split, bit for bit', () => {
  const g = new Generator(2147483647);
  const model = createModel({ blockSize: 3, embedDim: 10, hidden: 32, layers: 2, norm: 'batchnorm1d', vocabSize: vocab.size }, g);
  train(model, splits.train, { ...DEFAULT_TRAIN, steps: 100, lrDecayStep: 100 }, g);
  const data = datasetRows(splits.val, 0, 1001);
  model.eval();
  const whole = noGrad(() => crossEntropy(model.forward(data.X), data.Y).item());
  model.train();
  for (const chunk of [1, 7, 64, 1000, 1001, 5000]) assert.equal(splitLoss(model, data, chunk), whole, `chunks of ${chunk}`);
});

test('evaluating split after split takes no new wasm memory (one chunk size for all)', { skip: kernels().name !== 'wasm' && 'the wasm heap' }, () => {
  const heap = kernels() as WasmBackend;
  const g = new Generator(1);
  const model = createModel({ blockSize: 3, embedDim: 10, hidden: 64, layers: 3, norm: 'batchnorm1d', vocabSize: vocab.size }, g);
  splitLoss(model, datasetRows(splits.train, 0, 3000), 1024);
  const after = heap.stats();
  // other remainders (3000 = 2·1024 + 952): before, each took blocks of its own size and kept them
  for (const n of [2500, 2100, 1500]) splitLoss(model, datasetRows(splits.val, 0, n), 1024);
  const now = heap.stats();
  assert.equal(now.top, after.top, 'the heap did not grow');
  assert.equal(now.inUse, after.inUse, 'no new blocks held');
});
