// Evaluation over worker threads (src/parallel/evalThreads.ts) gives splitLoss's number bit for
// bit: the notebook model (its fused eval on wasm), a module-built deep MLP with BatchNorm1d, and
// makemore.py's family (per-position losses with the padding left out), on 2 and 3 threads; a
// worker's error reaches the caller; models that must see the whole split stay on one thread.
// npm test runs this file on wasm and again on js (the workers take the same kernels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { buildSplits, datasetRows, readWords, Vocab, type Dataset } from '../src/data/index.js';
import { createModel, DEFAULT_MODEL, DEFAULT_TRAIN, FAMILY_DEFAULTS, PRESETS, type LanguageModel, type ModelConfig } from '../src/model/index.js';
import { ADAMW_DEFAULTS } from '../src/optim/index.js';
import { EvalPool, splitLossThreads } from '../src/parallel/evalThreads.js';
import { Generator } from '../src/random/index.js';
import { Tensor } from '../src/tensor/index.js';
import { batchGenerator, modelDatasets, runWordSplit, splitLoss, train } from '../src/train/index.js';

const words = readWords(fileURLToPath(new URL('../../data/names.txt', import.meta.url)));
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, 42);
/** Enough rows for every thread to have several chunks' worth on the JS backend's timescale. */
const val = datasetRows(splits.val, 0, 6000);

/** A model of `config` after `steps` SGD steps on the notebook's split (running statistics no longer at their start). */
function trained(config: ModelConfig, steps: number): LanguageModel {
  const g = new Generator(2147483647);
  const model = createModel(config, g);
  train(model, splits.train, { ...DEFAULT_TRAIN, steps, lrDecayStep: steps }, g);
  return model;
}

async function assertSame(model: LanguageModel, data: Dataset, what: string): Promise<void> {
  const one = splitLoss(model, data);
  for (const threads of [2, 3]) {
    const many = await splitLossThreads(model, data, { threads, minRows: 0 });
    assert.ok(Object.is(many, one), `${what}, ${threads} threads: ${many} vs ${one} on one`);
  }
}

const { sampleGenerator: _s, ...seed } = PRESETS.seed;

test('the notebook model: the same val loss on 2 and 3 threads', async () => {
  const model = trained({ ...DEFAULT_MODEL, ...seed, vocabSize: vocab.size }, 300);
  await assertSame(model, val, 'val');
});

test('a deep MLP with BatchNorm1d (op by op): the same loss on 2 and 3 threads', async () => {
  const model = trained({ blockSize: 3, embedDim: 10, hidden: 64, layers: 3, norm: 'batchnorm1d', vocabSize: vocab.size }, 200);
  await assertSame(model, val, 'val');
});

test('makemore.py\'s family (per-position losses, padding left out): the same loss on 2 and 3 threads', async () => {
  const cfg = { ...DEFAULT_TRAIN, seed: FAMILY_DEFAULTS.seed, split: FAMILY_DEFAULTS.split, optimizer: FAMILY_DEFAULTS.optimizer, lr: ADAMW_DEFAULTS.lr, lrFinal: ADAMW_DEFAULTS.lr, steps: 50, lrDecayStep: 50 };
  const g = new Generator(cfg.seed);
  const split = runWordSplit(words, cfg, g);
  const model = createModel({ arch: 'bow', blockSize: 16, embedDim: 16, hidden: 16, layers: 1, norm: 'none', vocabSize: vocab.size }, g);
  const data = modelDatasets(split, vocab, model);
  train(model, data.train, cfg, batchGenerator(g, cfg));
  await assertSame(model, data.test, 'test');
});

test('a worker\'s error reaches the caller; a model evaluated with batch statistics stays on one thread', async () => {
  const model = trained({ ...DEFAULT_MODEL, ...seed, vocabSize: vocab.size }, 10);
  const Y = val.Y.intData.slice();
  Y[Y.length - 1] = 40; // in the last thread's rows
  await assert.rejects(splitLossThreads(model, { X: val.X, Y: new Tensor(Y, [Y.length], 'int32') }, { threads: 2, minRows: 0 }), /evaluating rows 3000–5999 of the split: .*(target 2999|index 40 at position 2999)/);
  const batchStats = trained({ ...DEFAULT_MODEL, ...seed, bnEval: 'batch', vocabSize: vocab.size }, 10);
  assert.ok(Object.is(await splitLossThreads(batchStats, val, { threads: 2, minRows: 0 }), splitLoss(batchStats, val)));
});

test('one pool serves several splits and models in turn, each loss the one-thread number', async () => {
  const pool = EvalPool.start(2);
  try {
    await pool.ready();
    const a = trained({ ...DEFAULT_MODEL, ...seed, vocabSize: vocab.size }, 50);
    const b = trained({ blockSize: 3, embedDim: 10, hidden: 32, layers: 2, norm: 'layernorm', vocabSize: vocab.size }, 50);
    for (const [model, name] of [[a, 'notebook'], [b, 'layernorm'], [a, 'notebook again']] as const) {
      assert.ok(Object.is(await pool.splitLoss(model, val, 0), splitLoss(model, val)), name);
    }
  } finally {
    await pool.close();
  }
  assert.throws(() => EvalPool.start(0), /threads must be a positive integer, got 0/);
});
