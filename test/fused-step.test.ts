// The notebook model's one-call training step (wasm) gives the op-by-op path's numbers bit for
// bit: every loss, every parameter and running statistic, for the seed and lecture presets, a
// first-layer bias and a hidden size whose backward packs W1 (hidden < 64).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { buildSplits, readWords, Vocab } from '../src/data/index.js';
import { kernels } from '../src/kernels/index.js';
import { createModel, DEFAULT_MODEL, DEFAULT_TRAIN, NotebookMLP, PRESETS, type ModelConfig } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import { Tensor } from '../src/tensor/index.js';
import { evalChunkRows, splitLoss, train, type TrainHooks } from '../src/train/index.js';

const words = readWords(fileURLToPath(new URL('../../data/names.txt', import.meta.url)));
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, 42);
const wasm = kernels().name === 'wasm';

function run(config: ModelConfig, steps: number, hooks: TrainHooks): { losses: Float32Array; state: Map<string, Float32Array>; forwardRan: boolean } {
  const g = new Generator(2147483647);
  const model = createModel(config, g);
  // the op-by-op path calls forward(); the fused step never does
  let forwardRan = false;
  const forward = model.forward.bind(model);
  model.forward = (X: Tensor): Tensor => { forwardRan = true; return forward(X); };
  const r = train(model, splits.train, { ...DEFAULT_TRAIN, steps, lrDecayStep: steps / 2 }, g, hooks);
  const state = new Map([...model.stateDict()].map(([k, t]) => [k, Float32Array.from(t.floatData)]));
  return { losses: Float32Array.from(r.lossLog10), state, forwardRan };
}

const { sampleGenerator: _s, ...seed } = PRESETS.seed;
const { sampleGenerator: _l, ...lecture } = PRESETS.lecture;
const cases: [string, Partial<ModelConfig>][] = [
  ['seed preset', seed],
  ['lecture preset', lecture],
  ['seed preset with b1', { ...seed, bias1: true }],
  ['hidden 40 (packed W1 in backward)', { ...seed, hidden: 40 }],
];

for (const [name, extra] of cases) {
  test(`fused training step, ${name}: the op-by-op path's losses and parameters, bit for bit`, { skip: !wasm && 'the fused step needs the wasm backend' }, () => {
    const config: ModelConfig = { ...DEFAULT_MODEL, ...extra, vocabSize: vocab.size };
    const fused = run(config, 600, {});
    // an afterBackward hook needs the step's tensors: the trainer takes the op-by-op path
    const ops = run(config, 600, { afterBackward() {} });
    assert.equal(fused.forwardRan, false, 'the trainer took the fused step');
    assert.equal(ops.forwardRan, true);
    assert.equal(fused.losses.length, 600);
    assert.deepEqual(Buffer.from(fused.losses.buffer), Buffer.from(ops.losses.buffer));
    assert.deepEqual([...fused.state.keys()], [...ops.state.keys()]);
    assert.ok(fused.state.size >= 6, 'every parameter and running statistic compared');
    for (const [k, v] of fused.state) assert.deepEqual(Buffer.from(v.buffer), Buffer.from(ops.state.get(k)!.buffer), k);
  });
}

test('fused training step: offered for the notebook model on wasm only; gathers the rows given; refuses another batch size', () => {
  const g = new Generator(1);
  const model = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, g);
  assert.ok(model instanceof NotebookMLP);
  const step = model.fusedTrainStep(32, splits.train.X, splits.train.Y);
  assert.equal(step !== null, wasm);
  assert.equal(model.fusedTrainStep(1, splits.train.X, splits.train.Y), null); // batch norm needs 2 rows
  if (step === null) return;
  // the minibatch contexts it reports are rows of X; SGD wrote the parameters
  const before = Float32Array.from(model.W1.floatData);
  const rows = Int32Array.from({ length: 32 }, (_, i) => (i * 7919) % splits.train.Y.numel);
  const loss = step.step(new Tensor(rows, [32]), 0.1);
  assert.ok(Number.isFinite(loss) && loss > 0);
  const ctx = step.lastContexts();
  for (let b = 0; b < 32; b++) for (let j = 0; j < 3; j++) assert.equal(ctx[b * 3 + j], splits.train.X.intData[rows[b] * 3 + j]);
  assert.notDeepEqual(Float32Array.from(model.W1.floatData), before);
  assert.throws(() => step.step(new Tensor(rows.subarray(0, 16), [16]), 0.1), /built for batches of 32/);
});

test('fused training step: a registered hook sends the trainer down the op-by-op path, so the hook sees every step', () => {
  const g = new Generator(2147483647);
  const model = createModel({ ...DEFAULT_MODEL, ...seed, vocabSize: vocab.size }, g);
  let seen = 0;
  const handle = model.registerIntermediateHook('h', () => { seen++; });
  train(model, splits.train, { ...DEFAULT_TRAIN, steps: 20, lrDecayStep: 10 }, g, {});
  assert.equal(seen, 20);
  handle.remove();
  assert.equal(model.hasHooks(), false);
});

// The fused evaluation (one wasm call per chunk, cache-sized blocks inside) gives splitLoss's
// op-by-op number bit for bit: every split, whole-size and odd chunks, each preset, with b1.
for (const [name, extra] of cases) {
  test(`fused evaluation, ${name}: splitLoss's op-by-op number, bit for bit`, { skip: !wasm && 'the fused evaluation needs the wasm backend' }, () => {
    const g = new Generator(2147483647);
    const model = createModel({ ...DEFAULT_MODEL, ...extra, vocabSize: vocab.size }, g);
    train(model, splits.train, { ...DEFAULT_TRAIN, steps: 300, lrDecayStep: 150 }, g, {});
    let forwardRan = 0;
    const forward = model.forward.bind(model);
    model.forward = (X: Tensor): Tensor => { forwardRan++; return forward(X); };
    for (const split of ['train', 'val', 'test'] as const) {
      for (const chunk of [evalChunkRows(model), 1000, 77]) {
        if (split === 'train' && chunk === 77) continue; // 2,372 chunks op by op: slow, and the odd block sizes are covered by val/test
        forwardRan = 0;
        const fused = splitLoss(model, splits[split], chunk);
        assert.equal(forwardRan, 0, 'the fused evaluation ran');
        // a registered hook takes splitLoss down the op-by-op path
        const handle = model.registerIntermediateHook('h', () => {});
        const ops = splitLoss(model, splits[split], chunk);
        handle.remove();
        assert.ok(forwardRan > 0, 'the op-by-op evaluation ran');
        assert.equal(fused, ops, `${split}, chunks of ${chunk}`);
      }
    }
  });
}

test('fused evaluation: not for batch-statistics evaluation; an out-of-range target is an error', { skip: !wasm && 'the fused evaluation needs the wasm backend' }, () => {
  const g = new Generator(1);
  const batchEval = createModel({ ...DEFAULT_MODEL, ...seed, bnEval: 'batch', vocabSize: vocab.size }, g) as NotebookMLP;
  assert.equal(batchEval.fusedEvalRows(splits.val.X, splits.val.Y, 8192), null);
  const model = createModel({ ...DEFAULT_MODEL, ...seed, vocabSize: vocab.size }, g) as NotebookMLP;
  const Y = Int32Array.from(splits.val.Y.intData);
  Y[100] = vocab.size;
  assert.throws(() => model.fusedEvalRows(splits.val.X, new Tensor(Y, [Y.length]), 8192), /target 100 is out of range/);
  const X = Int32Array.from(splits.val.X.intData);
  X[9000 * 3 + 2] = -1;
  assert.throws(() => model.fusedEvalRows(new Tensor(X, [X.length / 3, 3]), splits.val.Y, 8192), /context index 27002 is out of range/);
});
