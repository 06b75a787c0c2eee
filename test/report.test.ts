// The report: plots from a short run, SVG/PNG rendering (valid PNGs of the right size), the
// self-contained HTML, opened in headless Chromium (every plot rendered, no console errors, a
// screenshot), and `makemore report` from a model file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Vocab, buildSplits, readWords, type Dataset, type Splits } from '../src/data/index.js';
import { TrainingDiagnostics, batchNormCalibration, configRows, diagnosticsMetadata, type DiagnosticsRecord } from '../src/diagnostics/index.js';
import { DEFAULT_TRAIN, NotebookMLP, type TrainConfig } from '../src/model/index.js';
import { saveModel } from '../src/model/io.js';
import { Generator } from '../src/random/index.js';
import { buildPlots, renderSvg, reportHtml, writePlots, writePlotsSync, writeReport } from '../src/report/index.js';
import { Tensor } from '../src/tensor/index.js';
import { splitLoss, train } from '../src/train/index.js';
import { runReport } from '../src/cli/report.js';
import { naturalOrder } from '../src/report/naturalOrder.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'runs', 'test-report');
const CHROMIUM = '/usr/bin/chromium';

const head = (d: Dataset, n: number): Dataset => {
  const b = d.X.shape[1];
  return { X: new Tensor(d.X.intData.slice(0, n * b), [n, b], 'int32'), Y: new Tensor(d.Y.intData.slice(0, n), [n], 'int32') };
};

let record: DiagnosticsRecord;
let model: NotebookMLP;
let vocab: Vocab;
const trainCfg: TrainConfig = { ...DEFAULT_TRAIN, steps: 60, lrDecayStep: 30 };

before(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const words = readWords(join(ROOT, 'data', 'names.txt'));
  vocab = Vocab.fromWords(words);
  const full = buildSplits(words, vocab, 3, 42);
  const splits: Splits = { ...full, train: head(full.train, 3000), val: head(full.val, 500), test: head(full.test, 500) };
  const g = new Generator(DEFAULT_TRAIN.seed);
  model = new NotebookMLP({ vocabSize: vocab.size, blockSize: 3, embedDim: 10, hidden: 200, layers: 1, norm: 'notebook' }, g);
  const diag = new TrainingDiagnostics(model, { steps: trainCfg.steps, statsEvery: 20, evalEvery: 20, val: splits.val, window: 10 });
  train(model, splits.train, trainCfg, g, diag.hooks);
  diag.close();
  record = {
    title: 'test report',
    config: configRows(model, trainCfg),
    numParameters: model.numParameters(),
    loss: diag.lossCurve(),
    val: diag.val,
    final: { train: splitLoss(model, splits.train), val: splitLoss(model, splits.val), test: splitLoss(model, splits.test) },
    stats: diag.stats,
    batchNorm: batchNormCalibration(model, splits.train, { val: splits.val }) ?? undefined,
  };
});

const TRAINING_PLOTS = ['loss', 'activations', 'activations-over-time', 'gradients', 'weight-gradients', 'update-ratio', 'batchnorm'];

/** Width and height from a PNG's IHDR chunk (after checking the signature). */
function pngSize(b: Buffer): [number, number] {
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(b.subarray(12, 16).toString('latin1'), 'IHDR');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

function svgSize(svg: string): [number, number] {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  assert.ok(m, 'svg has width and height');
  return [Number(m[1]), Number(m[2])];
}

describe('plots', () => {
  test('a run with statistics has every plot', () => {
    assert.deepEqual(buildPlots(record).map((p) => p.id), TRAINING_PLOTS);
  });

  test('SVG via vega, PNG via resvg: valid images at twice the SVG size', async () => {
    const plots = buildPlots(record).filter((p) => p.id === 'loss' || p.id === 'batchnorm');
    const written = await writePlots(plots, join(OUT, 'plots'));
    for (const w of written) {
      const svg = readFileSync(w.svg, 'utf8');
      assert.ok(svg.includes('<path') && svg.length > 2000, `${w.id}.svg has marks`);
      const [sw, sh] = svgSize(svg);
      assert.deepEqual(pngSize(readFileSync(w.png)), [Math.round(sw * 2), Math.round(sh * 2)]);
      assert.deepEqual([w.width, w.height], [Math.round(sw * 2), Math.round(sh * 2)]);
    }
  });

  test('writePlotsSync renders in a child process', () => {
    const plots = buildPlots(record).filter((p) => p.id === 'activations');
    const [w] = writePlotsSync(plots, join(OUT, 'plots-sync'), 1);
    const [sw, sh] = svgSize(readFileSync(w.svg, 'utf8'));
    assert.deepEqual(pngSize(readFileSync(w.png)), [Math.round(sw), Math.round(sh)]);
  });

  test('legends in numeric order: layer 2 before layer 11 (Vega-Lite alone sorts them as text)', () => {
    assert.deepEqual(naturalOrder(['layer 11', 'W10', 'layer 2', 'W2', 'layer 1', 'layer 2', 'W1 (3, 4)']), ['W1 (3, 4)', 'W2', 'W10', 'layer 1', 'layer 2', 'layer 11']);
    const names = ['layer 11 (Tanh)', 'layer 2 (Tanh)', 'layer 1 (Tanh)'];
    const stats = record.stats.map((s) => ({ ...s, activations: names.map((layer) => ({ ...s.activations[0], layer })) }));
    const plots = buildPlots({ ...record, stats });
    for (const id of ['activations', 'activations-over-time']) {
      const spec = plots.find((p) => p.id === id)!.spec as unknown as { spec: { encoding: { color: { sort: string[] } } } };
      assert.deepEqual(spec.spec.encoding.color.sort, ['layer 1 (Tanh)', 'layer 2 (Tanh)', 'layer 11 (Tanh)'], id);
    }
  });

  test('an empty record has no plots and still renders an SVG for a spec', async () => {
    assert.deepEqual(buildPlots({ title: 'x', config: {}, val: [], stats: [] }), []);
    assert.match(await renderSvg(buildPlots(record)[0].spec), /^<svg/);
  });
});

describe('HTML report', () => {
  const path = join(OUT, 'report.html');
  before(() => { writeReport(path, record); });

  test('is self-contained: scripts and data inline, nothing fetched', () => {
    const html = readFileSync(path, 'utf8');
    assert.ok(!/<script[^>]+src=/i.test(html), 'no external scripts');
    assert.ok(!/<link[^>]+href=/i.test(html), 'no external stylesheets');
    for (const lib of ['vega', 'vega-lite', 'vega-embed']) assert.ok(html.includes(`data-lib="${lib}"`), lib);
    for (const id of TRAINING_PLOTS) assert.ok(html.includes(`id="vis-${id}"`), id);
    assert.ok(html.includes('layer 2 (Tanh): mean'), 'the terminal tables');
    assert.ok(html.includes(record.final!.val!.toFixed(4)), 'the final losses');
    assert.equal(reportHtml(record).length, html.length);
  });

  test('renders every plot in headless Chromium without console errors', { timeout: 60_000 }, async (t) => {
    if (!existsSync(CHROMIUM)) {
      t.skip(`${CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it`);
      console.log(`# skipped: ${CHROMIUM} is not installed`);
      return;
    }
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
      await page.goto(pathToFileURL(path).href);
      await page.waitForSelector('body[data-rendered], body[data-error]', { timeout: 30_000 });
      assert.equal(await page.getAttribute('body', 'data-error'), null);
      assert.equal(await page.getAttribute('body', 'data-rendered'), String(TRAINING_PLOTS.length));
      const marks = await page.$$eval('.vis', (els) => els.map((e) => ({ id: e.id, n: e.querySelectorAll('svg path, svg line, svg text').length, w: e.querySelector('svg')?.getBoundingClientRect().width ?? 0 })));
      assert.equal(marks.length, TRAINING_PLOTS.length);
      for (const m of marks) assert.ok(m.n > 10 && m.w > 100, `${m.id} rendered (${m.n} elements, ${m.w}px wide)`);
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, []);
      const shot = join(OUT, 'report-screenshot.png');
      await page.screenshot({ path: shot, fullPage: true });
      const [w, h] = pngSize(readFileSync(shot));
      assert.ok(w === 1200 && h > 2000, `screenshot ${w}×${h}`);
    } finally {
      await browser.close();
    }
  });
});

describe('makemore report --model', () => {
  const file = join(OUT, 'model.safetensors');
  after(() => rmSync(file, { force: true }));

  test('writes a report with the stored loss curves, weights and the batch-norm check', () => {
    // A small word list (every 10th name, same vocabulary) keeps the full-split passes short.
    const words = join(OUT, 'words.txt');
    writeFileSync(words, readWords(join(ROOT, 'data', 'names.txt')).filter((_, i) => i % 10 === 0).join('\n'));
    saveModel(file, model, vocab, { step: trainCfg.steps, train: trainCfg, data: words, extra: diagnosticsMetadata(record) });
    const out = join(OUT, 'from-model.html');
    const log = console.log;
    const lines: string[] = [];
    console.log = (s: string) => { lines.push(s); };
    try {
      runReport({ model: file, out, seed: 1 });
    } finally {
      console.log = log;
    }
    const html = readFileSync(out, 'utf8');
    for (const id of ['loss', 'activations', 'update-ratio', 'batchnorm', 'weights']) assert.ok(html.includes(`id="vis-${id}"`), id);
    assert.ok(lines.some((l) => l.startsWith('batch norm: running statistics vs the full training split')));
  });
});
