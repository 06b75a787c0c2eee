// Acceptance of the model interface: a kind defined only in the test folder (test/kinds/tiny.ts)
// goes through train, save, load, eval, sample, report and fold with the library API alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import {
  DEFAULT_TRAIN, Generator, Tensor, Vocab, buildSplits, createModel, decodeModel, encodeModel, foldBatchNorm,
  foldRefusal, modelKind, noGrad, readWords, sampleWords, splitLoss, train, type ModelConfig,
} from '../src/index.js';
import { TrainingDiagnostics, batchNormCalibration, configRows } from '../src/diagnostics/index.js';
import { reportHtml } from '../src/report/index.js';
import { registerTinyKinds } from './kinds/tiny.js';

registerTinyKinds();
const words = readWords(new URL('../../data/names.txt', import.meta.url).pathname).slice(0, 3000);
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, 42);
const config: ModelConfig = { vocabSize: vocab.size, blockSize: 3, embedDim: 8, hidden: 32, layers: 1, norm: 'tiny-bn' };
const trainCfg = { ...DEFAULT_TRAIN, steps: 200, lrDecayStep: 100 };

test('a kind registered by a test: train, report, save, load, eval, sample, fold', () => {
  const g = new Generator(7);
  const model = createModel(config, g);
  assert.equal(modelKind(config).title(config), 'tiny model with batch norm');
  assert.deepEqual(model.namedModules().map(([n]) => n), ['', 'embedding', 'layers', 'layers.0', 'layers.1', 'layers.2', 'layers.3']);

  // train, with the diagnostics attached through the model's probes (hooks)
  const diag = new TrainingDiagnostics(model, { steps: trainCfg.steps, statsEvery: 100 });
  const result = train(model, splits.train, trainCfg, g, diag.hooks);
  diag.close();
  assert.ok(result.lossLog10[trainCfg.steps - 1] < result.lossLog10[0], 'the loss goes down');
  assert.deepEqual(diag.stats.map((s) => s.step), [0, 100, 199]);
  assert.deepEqual(diag.stats[0].activations.map((a) => a.layer), ['layer 2 (Tanh)']);
  assert.equal(diag.stats[0].outputGrads.length, 1, 'the tanh output gradient reached the collector');

  // report: batch-norm calibration finds the BatchNorm1d by its hook, and the page renders
  const calib = batchNormCalibration(model, splits.train, { val: splits.val });
  assert.ok(calib !== null);
  assert.deepEqual(calib.layers.map((l) => [l.name, l.kind]), [['layers.1', 'var']]);
  assert.ok(Number.isFinite(calib.valRunning!) && Number.isFinite(calib.valCalibrated!));
  const html = reportHtml({ title: modelKind(config).title(config), config: configRows(model, trainCfg), val: [], stats: diag.stats, batchNorm: calib, loss: diag.lossCurve() });
  assert.match(html, /tiny model with batch norm/);
  assert.match(html, /tiny-bn/);

  // save and load: same tensors, same eval loss
  const valLoss = splitLoss(model, splits.val);
  assert.ok(Number.isFinite(valLoss));
  const back = decodeModel(encodeModel(model, vocab, { step: trainCfg.steps }), 'tiny.safetensors');
  assert.equal(back.model.config.norm, 'tiny-bn');
  assert.deepEqual([...back.model.stateDict().keys()], [...model.stateDict().keys()]);
  assert.equal(splitLoss(back.model, splits.val), valLoss);

  // sample: same generator seed, same words from the original and the loaded model
  const a = sampleWords(model, vocab, { count: 5, generator: new Generator(3) });
  const b = sampleWords(back.model, vocab, { count: 5, generator: new Generator(3) });
  assert.equal(a.length, 5);
  assert.deepEqual(b, a);

  // fold: a "tiny" model without batch norm, same eval logits within 1e-5
  assert.equal(foldRefusal(model), null);
  const folded = foldBatchNorm(model);
  assert.equal(folded.config.norm, 'tiny');
  assert.equal(folded.batchNormSites().length, 0);
  assert.match(String(foldRefusal(folded)), /no batch norm/);
  const n = 500;
  const X = new Tensor(splits.val.X.intData.slice(0, n * 3), [n, 3], 'int32');
  model.eval();
  folded.eval();
  const [la, lb] = noGrad(() => [model.forward(X).floatData, folded.forward(X).floatData]);
  let worst = 0;
  for (let i = 0; i < la.length; i++) worst = Math.max(worst, Math.abs(la[i] - lb[i]));
  assert.ok(worst < 1e-5, `max |logit difference| ${worst}`);
});

test('a test kind\'s own validation runs in createModel and when a file is read', () => {
  assert.throws(() => createModel({ ...config, layers: 2 }, new Generator(1)), /one hidden layer/);
  assert.throws(() => createModel({ ...config, norm: 'tiny-xl' }, new Generator(1)), /norm must be one of .*tiny-bn.*got "tiny-xl"/);
});

test('docs/ARCHITECTURE.md shows test/kinds/tiny.ts as it is compiled here', () => {
  const span = (text: string): string => {
    const a = text.indexOf('export class TinyMLP');
    const b = text.indexOf('export const tinyKind = defineKind(tiny);');
    assert.ok(a >= 0 && b > a, 'the worked example is there');
    return text.slice(a, b).split('\n').map((l) => l.replace(/\s+\/\/ .*$/, '')).join('\n');
  };
  const root = new URL('../../', import.meta.url);
  const doc = readFileSync(new URL('docs/ARCHITECTURE.md', root), 'utf8');
  const source = readFileSync(new URL('test/kinds/tiny.ts', root), 'utf8');
  assert.equal(span(doc), span(source));
});

test('outside src/model/: no model class is named (instanceof, casts, constructors) and no code compares the norm with a kind', () => {
  const root = new URL('../../', import.meta.url);
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(new URL(dir, root), { withFileTypes: true })) {
      const rel = `${dir}${e.name}`;
      if (e.isDirectory()) { if (rel !== 'src/model') walk(`${rel}/`); } else if (e.name.endsWith('.ts')) files.push(rel);
    }
  };
  for (const dir of ['src/', 'web/src/', 'bench/']) walk(dir);
  assert.ok(files.length > 50, `found ${files.length} files`);
  const classes = '(NotebookMLP|ModuleMLP|PlainMLP)';
  const rules: [RegExp, string][] = [
    [new RegExp(`instanceof ${classes}\\b`), 'instanceof a model class'],
    [new RegExp(`\\bas ${classes}\\b`), 'a cast to a model class'],
    [new RegExp(`\\bnew ${classes}\\(`), 'a model class built directly (use createModel)'],
    [/\bnorm\s*[!=]==?\s*['"`]|['"`][a-z0-9-]+['"`]\s*[!=]==?\s*[\w.]*\bnorm\b/, 'the norm compared with a kind name'],
  ];
  const found: string[] = [];
  for (const f of files) {
    readFileSync(new URL(f, root), 'utf8').split('\n').forEach((line, k) => {
      for (const [re, what] of rules) if (re.test(line)) found.push(`${f}:${k + 1}: ${what}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});
