// Diagnostics: the statistics against direct computations on fixed tensors, the lecture's table
// formats, the collector on live models, the training hooks (statistics only on chosen steps),
// the batch-norm calibration, the no-batch-norm model's lecture numbers, metadata round trip.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Vocab, buildSplits, readWords, type Dataset, type Splits } from '../src/data/index.js';
import {
  StatsCollector, TrainingDiagnostics, absDiff, activationTable, batchNormCalibration, diagnosticsFromMetadata, diagnosticsMetadata,
  fmtE, fmtF, fmtShape, gradDataRatio, histogram, moments, outputGradTable, saturationPercent, updateDataRatioLog10, weightGradTable, windowMeans,
  type DiagnosticsRecord, type StepStats,
} from '../src/diagnostics/index.js';
import { DEFAULT_TRAIN, NotebookMLP, PlainMLP, createModel, type InitScheme, type ModelConfig, type TrainConfig } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import { Tensor, crossEntropy, index, randint, tidy } from '../src/tensor/index.js';
import { splitLoss, train } from '../src/train/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SEED = 2147483647;
let splits: Splits;
let small: Splits;
const head = (d: Dataset, n: number): Dataset => {
  const b = d.X.shape[1];
  return { X: new Tensor(d.X.intData.slice(0, n * b), [n, b], 'int32'), Y: new Tensor(d.Y.intData.slice(0, n), [n], 'int32') };
};
before(() => {
  const words = readWords(join(ROOT, 'data', 'names.txt'));
  splits = buildSplits(words, Vocab.fromWords(words), 3, 42);
  small = { ...splits, train: head(splits.train, 2000), val: head(splits.val, 500), test: head(splits.test, 500) };
});

const notebook: ModelConfig = { vocabSize: 27, blockSize: 3, embedDim: 10, hidden: 200, layers: 1, norm: 'notebook' };
const cfg = (steps: number): TrainConfig => ({ ...DEFAULT_TRAIN, steps, lrDecayStep: Math.floor(steps / 2) });

// Direct, textbook computations (double precision) to compare against.
function directMean(a: readonly number[]): number { return a.reduce((s, x) => s + x, 0) / a.length; }
function directStd(a: readonly number[]): number {
  const m = directMean(a);
  return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / (a.length - 1));
}
const close = (a: number, b: number, rel = 1e-12): void => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('statistics on fixed tensors', () => {
  const t = [0.99, -0.98, 0.5, -0.2, 0.97, -0.97, 0.0, 0.971, 0.3, -0.999];
  const g = [1e-3, -2e-3, 5e-4, 0, 3e-3, -1e-3, 2e-3, -5e-4, 0, 1e-3];

  test('mean and unbiased std (torch.std)', () => {
    const m = moments(t);
    close(m.mean, directMean(t));
    close(m.std, directStd(t));
    // torch.tensor([1., 2., 3., 4.]).std() == 1.2909944487358056
    close(moments([1, 2, 3, 4]).std, 1.2909944487358056);
    assert.ok(Number.isNaN(moments([5]).std));
  });

  test('saturation is the % of |t| > 0.97 (strict)', () => {
    // 0.99, -0.98, 0.971, -0.999 are > 0.97; ±0.97 are not.
    assert.equal(saturationPercent(t), 40);
    assert.equal(saturationPercent(Float32Array.from([1, -1, 0, 0.5])), 50);
  });

  test('grad:data ratio and update:data ratio', () => {
    close(gradDataRatio(g, t), directStd(g) / directStd(t));
    close(updateDataRatioLog10(0.1, g, t), Math.log10(directStd(g.map((x) => 0.1 * x)) / directStd(t)));
  });

  test('histogram is torch.histogram: equal bins over [min, max], last bin closed, density', () => {
    const h = histogram([0, 1, 1, 2, 3, 4], 4);
    assert.equal(h.lo, 0);
    assert.equal(h.width, 1);
    assert.deepEqual(h.counts, [1, 2, 1, 2]); // 4 falls in the last bin
    assert.deepEqual(h.density, [1 / 6, 2 / 6, 1 / 6, 2 / 6]);
    const flat = histogram([2, 2, 2], 2);
    assert.deepEqual([flat.lo, flat.width, flat.counts], [1.5, 0.5, [0, 3]]);
    assert.deepEqual(histogram([Number.NaN, 1, 2], 1).counts, [2]);
  });

  test('window means (lossi.view(-1, 1000).mean(1)) and abs differences', () => {
    assert.deepEqual(windowMeans([1, 2, 3, 4, 5, 6], 2), [1.5, 3.5, 5.5]);
    assert.deepEqual(windowMeans([1, 2, 3], 2), [1.5, 3]);
    assert.deepEqual(absDiff([1, 2, 3], [1, 4, 2]), { max: 2, mean: 1 });
  });
});

describe('tables in the lecture format', () => {
  test("Python's %e, %+f, %.2f and shapes", () => {
    assert.equal(fmtE(9.241077e-3), '9.241077e-03');
    assert.equal(fmtE(4.881091e-2), '4.881091e-02');
    assert.equal(fmtE(12345.678), '1.234568e+04');
    assert.equal(fmtF(0.000246), '+0.000246');
    assert.equal(fmtF(-0.001, 2), '-0.00');
    assert.equal(fmtF(0.63, 2, false), '0.63');
    assert.equal(fmtShape([30, 100]), '(30, 100)');
    assert.equal(fmtShape([27]), '(27,)');
  });

  test('the lines of the issue', () => {
    const hist = histogram([0], 1);
    const s: StepStats = {
      step: 0, lr: 0.1, loss: 3.3,
      activations: [{ layer: 'layer 2 (Tanh)', mean: -0.001, std: 0.63, saturation: 2.78, hist }],
      outputGrads: [{ layer: 'layer 2 (Tanh)', mean: 0, std: 3.68296e-3, hist }],
      weightGrads: [{ name: 'layers.0.weight', shape: [30, 100], mean: 0.000246, std: 9.241077e-3, gradData: 4.881091e-2, hist }],
      updates: [],
    };
    assert.deepEqual(activationTable(s), ['layer 2 (Tanh): mean -0.00, std 0.63, saturated: 2.78%']);
    assert.deepEqual(outputGradTable(s), ['layer 2 (Tanh): mean +0.000000, std 3.682960e-03']);
    assert.deepEqual(weightGradTable(s), ['weight  (30, 100) | mean +0.000246 | std 9.241077e-03 | grad:data ratio 4.881091e-02 | layers.0.weight']);
  });
});

describe('the collector on live models', () => {
  test('notebook model: every statistic equals a direct computation on the live tensors', () => {
    const g = new Generator(SEED);
    const model = new NotebookMLP(notebook, g);
    const c = new StatsCollector(model);
    c.retainGrads(true);
    tidy(() => {
      const ix = randint(0, splits.train.Y.numel, [32], { generator: g });
      const loss = crossEntropy(model.forward(index(splits.train.X, ix)), index(splits.train.Y, ix));
      loss.backward();
      const s = c.capture(0, 0.1, loss.item());
      const hidden = c.lastOutputs()[0]!;
      const h = Array.from(hidden.floatData);
      const hg = Array.from(hidden.grad!.floatData);
      assert.equal(s.activations.length, 1);
      assert.equal(s.activations[0].layer, 'layer 2 (Tanh)');
      close(s.activations[0].mean, directMean(h));
      close(s.activations[0].std, directStd(h));
      assert.equal(s.activations[0].saturation, (100 * h.filter((x) => Math.abs(x) > 0.97).length) / h.length);
      close(s.outputGrads[0].std, directStd(hg));
      assert.deepEqual(s.weightGrads.map((w) => w.name), ['C', 'W1', 'W2']);
      const w1 = s.weightGrads[1];
      close(w1.gradData, directStd(Array.from(model.W1.grad!.floatData)) / directStd(Array.from(model.W1.floatData)));
      const u = s.updates.find((x) => x.name === 'W2')!;
      close(u.log10, Math.log10((0.1 * directStd(Array.from(model.W2.grad!.floatData))) / directStd(Array.from(model.W2.floatData))));
      // The notebook's first step: 3.3239, 3.36% saturated.
      assert.equal(s.loss.toFixed(4), '3.3239');
      assert.equal(s.activations[0].saturation.toFixed(2), '3.36');
    });
    c.retainGrads(false);
    c.detach();
    // Detached: a later forward reaches no hook (the last outputs stay those of the captured step).
    const before = c.lastOutputs()[0];
    tidy(() => { model.forward(index(splits.train.X, randint(0, 10, [4], { generator: g }))); });
    assert.equal(c.lastOutputs()[0], before);
  });

  test('module model: one probe per Tanh, named by its Sequential index', () => {
    const model = createModel({ ...notebook, hidden: 20, layers: 3, norm: 'batchnorm1d' }, new Generator(1));
    const c = new StatsCollector(model);
    assert.deepEqual(c.probes.map((p) => p.layer), ['layer 2 (Tanh)', 'layer 5 (Tanh)', 'layer 8 (Tanh)']);
    assert.deepEqual(c.parameterValues().map((p) => p.name), ['embedding.weight', 'layers.0.weight', 'layers.3.weight', 'layers.6.weight', 'layers.9.weight']);
  });
});

describe('training hooks', () => {
  test('statistics exactly on the chosen steps and the last; gradients retained only for them', () => {
    const g = new Generator(SEED);
    const model = new NotebookMLP(notebook, g);
    const retained: boolean[] = [];
    // A hook of the test's own sees the same tanh output the diagnostics see.
    let hidden: Tensor | null = null;
    const handle = model.activationProbes()[0].watch((h) => { hidden = h; });
    const diag = new TrainingDiagnostics(model, { steps: 12, statsEvery: 5, evalEvery: 6, val: small.val });
    const onStep = diag.hooks.onStep!;
    const after = diag.hooks.afterBackward!;
    const result = train(model, small.train, cfg(12), g, {
      afterBackward: (i) => { retained.push(hidden!.grad !== null); after(i); },
      onStep,
    });
    diag.close();
    assert.deepEqual(diag.stats.map((s) => s.step), [0, 5, 10, 11]);
    assert.deepEqual(retained.map((r, i) => (r ? i : -1)).filter((i) => i >= 0), [0, 5, 10, 11]);
    assert.ok(diag.stats.every((s) => s.outputGrads.length === 1));
    assert.deepEqual(diag.val.map((v) => v.step), [0, 6, 12]);
    const curve = diag.lossCurve();
    assert.deepEqual(curve.lossLog10, Array.from(result.lossLog10));
    handle.remove();
  });

  test('no statistics asked: no afterBackward hook at all', () => {
    const diag = new TrainingDiagnostics(new NotebookMLP(notebook, new Generator(1)), { steps: 10 });
    assert.equal(diag.hooks.afterBackward, undefined);
  });
});

describe('batch-norm calibration', () => {
  test('full-batch mean/std equal a direct computation; val loss with each', () => {
    const g = new Generator(SEED);
    const model = new NotebookMLP(notebook, g);
    train(model, small.train, cfg(30), g);
    const cal = batchNormCalibration(model, small.train, { val: small.val, chunk: 700 })!;
    assert.equal(cal.layers.length, 1);
    const l = cal.layers[0];
    assert.equal(l.kind, 'std');
    // Direct: hpre = C[X].view(n, -1) @ W1, column mean and unbiased std.
    const n = small.train.Y.numel, X = small.train.X.intData, C = model.C.floatData, W1 = model.W1.floatData;
    for (const j of [0, 77, 199]) {
      const col: number[] = [];
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let k = 0; k < 30; k++) s += C[X[r * 3 + Math.floor(k / 10)] * 10 + (k % 10)] * W1[k * 200 + j];
        col.push(s);
      }
      close(l.fullMean[j], directMean(col), 1e-5);
      close(l.full[j], directStd(col), 1e-5);
      close(l.running[j], model.bnstdRunning.floatData[j], 0);
    }
    assert.equal(cal.valRunning, splitLoss(model, small.val));
    // The running statistics are restored after the calibrated evaluation.
    assert.equal(splitLoss(model, small.val), cal.valRunning);
    assert.ok(Number.isFinite(cal.valCalibrated!) && cal.valCalibrated !== cal.valRunning);
  });

  test('a model without batch norm has nothing to calibrate', () => {
    const model = createModel({ ...notebook, norm: 'none' }, new Generator(1));
    assert.equal(batchNormCalibration(model, small.train), null);
  });
});

describe('model without batch norm (the lecture\'s init steps)', () => {
  const firstLoss = (init: InitScheme): number => {
    const g = new Generator(SEED);
    const model = createModel({ ...notebook, norm: 'none', init }, g);
    let loss = Number.NaN;
    train(model, splits.train, cfg(1), g, { onStep: (i) => { loss = i.loss; } });
    return loss;
  };
  test('initial losses are the lecture\'s: 27.8817, 3.3221, 3.3135, 3.3179', () => {
    assert.equal(firstLoss('naive').toFixed(4), '27.8817');
    assert.equal(firstLoss('fix-softmax').toFixed(4), '3.3221');
    assert.equal(firstLoss('fix-tanh').toFixed(4), '3.3135');
    assert.equal(firstLoss('kaiming').toFixed(4), '3.3179');
  });
  test('PyTorch names and default init', () => {
    const m = createModel({ ...notebook, norm: 'none' }, new Generator(1));
    assert.ok(m instanceof PlainMLP);
    assert.equal((m as PlainMLP).init, 'kaiming');
    assert.deepEqual(m.namedParameters().map(([n, t]) => `${n}:${t.shape.join('x')}`), ['embedding.weight:27x10', 'layers.0.weight:200x30', 'layers.0.bias:200', 'layers.2.weight:27x200', 'layers.2.bias:27']);
    // deeper variants (folded batch-norm networks): Linear → Tanh blocks, then the output Linear
    const deep = createModel({ ...notebook, norm: 'none', layers: 2 }, new Generator(1));
    assert.deepEqual(deep.namedParameters().map(([n]) => n), ['embedding.weight', 'layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias', 'layers.4.weight', 'layers.4.bias']);
  });
});

test('diagnostics survive a trip through model-file metadata', () => {
  const g = new Generator(SEED);
  const model = new NotebookMLP(notebook, g);
  const diag = new TrainingDiagnostics(model, { steps: 25, statsEvery: 10, evalEvery: 10, val: small.val, window: 10 });
  train(model, small.train, cfg(25), g, diag.hooks);
  const r: DiagnosticsRecord = { title: 't', config: {}, loss: diag.lossCurve(), val: diag.val, stats: diag.stats, final: { train: 2.5 } };
  const meta = diagnosticsMetadata(r);
  assert.deepEqual(Object.keys(meta), ['diagnostics']);
  const back = diagnosticsFromMetadata(meta)!;
  assert.deepEqual(back.val, r.val);
  assert.deepEqual(back.final, r.final);
  assert.equal(back.loss!.lossLog10.length, 25);
  assert.deepEqual(back.stats.map((s) => s.step), [0, 10, 20, 24]);
  assert.equal(back.stats[0].activations[0].hist.counts.length, 100);
  assert.equal(back.stats[1].activations[0].hist.counts.length, 0); // middle steps: no histograms
  assert.equal(diagnosticsFromMetadata({}), null);
  assert.equal(diagnosticsFromMetadata({ diagnostics: '{' }), null);
});

test('a model without batch norm round-trips through a model file', async () => {
  const { loadModel, saveModel } = await import('../src/model/io.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'makemore-plain-'));
  try {
    const model = createModel({ ...notebook, norm: 'none', init: 'fix-tanh' }, new Generator(SEED));
    const path = join(dir, 'm.safetensors');
    saveModel(path, model, splits.vocab, { step: 0 });
    const back = loadModel(path);
    assert.ok(back.model instanceof PlainMLP);
    assert.equal(back.model.config.init, 'fix-tanh');
    assert.deepEqual(back.model.namedParameters().map(([n, t]) => [n, Array.from(t.floatData)]), model.namedParameters().map(([n, t]) => [n, Array.from(t.floatData)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
