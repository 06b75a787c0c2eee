// Batch coupling in numbers: a trained model of a batch-independent norm gives an example the
// same logits whatever the rest of its batch is, the same loss in train and eval mode, and one
// example alone the same loss in train mode as in eval mode; batch norm's logits move, and its
// running statistics are left as they were by the measurement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSplits, readWords, Vocab } from '../src/data/index.js';
import { measureCoupling } from '../src/experiments/coupling.js';
import { DEFAULT_TRAIN, createModel, type ModelConfig } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import { train } from '../src/train/index.js';
import { ROOT } from './helpers/cli.js';
import { join } from 'node:path';

const words = readWords(join(ROOT, 'data', 'names.txt')).slice(0, 400);
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, DEFAULT_TRAIN.splitSeed);

function trained(norm: ModelConfig['norm'], groups?: number): ReturnType<typeof createModel> {
  const g = new Generator(7);
  const model = createModel({ vocabSize: vocab.size, blockSize: 3, embedDim: 10, hidden: 20, layers: 2, norm, ...(norm === 'notebook' ? { layers: 1, bnEps: 1e-5 } : {}), ...(groups ? { groups } : {}) }, g);
  train(model, splits.train, { ...DEFAULT_TRAIN, batchSize: 16, steps: 40, lrDecayStep: 20, seed: 7 }, g);
  return model;
}

for (const [norm, groups] of [['layernorm'], ['groupnorm', 4], ['rmsnorm'], ['none']] as const) {
  test(`coupling of ${norm}: logits do not move (exactly 0), train mode = eval mode, one example alone the same`, () => {
    const model = trained(norm, groups);
    for (const batchSize of [2, 8, 32]) {
      const r = measureCoupling(model, splits.val, { batchSize, examples: 256 });
      assert.equal(r.maxLogitShift, 0, `batch ${batchSize}`);
      assert.equal(r.meanLogitShift, 0);
      assert.ok(Number.isFinite(r.trainModeLoss) && r.trainModeLoss > 0);
      assert.ok(Math.abs(r.trainModeLoss - r.evalModeLoss) < 1e-5, `${r.trainModeLoss} vs ${r.evalModeLoss}`);
      assert.equal(r.singleTrainLoss, r.singleEvalLoss);
      assert.ok(Math.abs(r.singleEvalLoss - r.evalModeLoss) < 1e-4, `${r.singleEvalLoss} vs ${r.evalModeLoss}`);
      assert.equal(r.examples, Math.floor(256 / batchSize) * batchSize);
    }
    assert.equal(model.training, true);
  });
}

for (const norm of ['notebook', 'batchnorm1d'] as const) {
  test(`coupling of ${norm}: logits move with the batch, no one-example train mode, running statistics untouched`, () => {
    const model = trained(norm);
    const before = model.buffers().map((t) => Array.from(t.data));
    const r = measureCoupling(model, splits.val, { batchSize: 8, examples: 256 });
    assert.ok(r.maxLogitShift > 1e-3, `shift ${r.maxLogitShift}`);
    assert.ok(r.meanLogitShift > 0 && r.meanLogitShift <= r.maxLogitShift);
    assert.equal(r.singleTrainLoss, null);
    assert.notEqual(r.trainModeLoss, r.evalModeLoss);
    assert.ok(Math.abs(r.singleEvalLoss - r.evalModeLoss) < 1e-4, `${r.singleEvalLoss} vs ${r.evalModeLoss}`);
    assert.deepEqual(model.buffers().map((t) => Array.from(t.data)), before);
  });
}

test('coupling refuses a batch of one and too few examples', () => {
  const model = trained('layernorm');
  assert.throws(() => measureCoupling(model, splits.val, { batchSize: 1, examples: 64 }), /batch size of at least 2, got 1/);
  assert.throws(() => measureCoupling(model, splits.val, { batchSize: 32, examples: 40 }), /at least 64 examples for batch size 32, got 40/);
});
