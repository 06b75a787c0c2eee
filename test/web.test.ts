// The browser playground (web/), end to end: build it (`npm run build:web`), serve web/dist on
// 127.0.0.1, open it in headless Chromium, train 3,000 steps in the page's worker (pausing and
// resuming on the way), read the loss chart's data, sample 5 names, download the model and load it
// with `makemore eval`, load it back into the page, and save a screenshot. The numbers must be
// the CLI's for the same seed on the same backend (the page's kernels follow MAKEMORE_BACKEND,
// so `npm run test:js` checks the JS kernels in the page too). No console errors, no request
// leaves the local server. The server sends the COOP/COEP headers (the page is cross-origin
// isolated): fast mode splits its step over the cores Chromium reports, within fast mode's
// tolerance of the exact run; served without them, fast mode says it runs on one thread.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { loadModel } from '../src/model/io.js';
import { nextCharProbs } from '../src/sample/index.js';
import { createModel, DEFAULT_MODEL, modelKindNames, networkLayers, type NetworkLayer } from '../src/model/index.js';
import { stepThreadsFor } from '../src/model/notebookThreaded.js';
import { Generator } from '../src/random/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'web', 'dist');
const BIN = join(ROOT, 'bin', 'makemore.js');
const BACKEND = process.env.MAKEMORE_BACKEND === 'js' ? 'js' : 'wasm';
const OUT = join(ROOT, 'runs', `test-web-${BACKEND}`);
const CHROMIUM = '/usr/bin/chromium';
// 3,000 steps on the wasm kernels (the acceptance run: the mean loss falls below 2.6); the JS
// kernels (`npm run test:js`) are ~20× slower, so that run checks the same things on 1,000 steps.
const STEPS = BACKEND === 'js' ? 1000 : 3000;
const LOSS_BOUND = STEPS >= 3000 ? 2.6 : 2.9;

/** A module whose one function uses a relaxed SIMD instruction (i32x4.relaxed_trunc_f32x4_s): valid where fast mode can load. */
const RELAXED_SIMD_MODULE = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, 0x19, 1, 0x17, 0, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0xfd, 0x81, 0x02, 0x0b];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The headers docs/web.md asks static hosts for: the page is cross-origin isolated, fast mode may use threads. */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** A static file server for web/dist: what any static host does, with the isolation headers unless `isolate` is false. */
function serve(dir: string, isolate = true): Promise<{ server: Server; url: string }> {
  const headers = isolate ? ISOLATION : {};
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
  }));
}

function cli(args: string[]): string {
  // 180 s: a 1,000-step JS-kernel run took over 60 s on the shared 2-core machine at load 15;
  // 900 s on the JS kernels, whose exact (SLEEF) tanh makes the WaveNet's split evaluation minutes long.
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MAKEMORE_BACKEND: BACKEND }, timeout: BACKEND === 'js' ? 900_000 : 180_000 });
  assert.equal(r.status, 0, `makemore ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface ChartData {
  x: number[];
  perStep: (number | null)[];
  mean: (number | null)[];
  val: (number | null)[];
}

/** Headless Chromium on one page of the playground: console errors, requests that leave `url`, and the page's next worker event. */
type OpenPage = Awaited<ReturnType<typeof openPage>>['page'];

/** The network diagram shows networkLayers(model): a box per layer with its name, class, shape per example and parameter count, arrows between. */
async function checkDiagram(page: OpenPage, layers: NetworkLayer[]): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('#net-diagram g.layer').length === n, layers.length, { timeout: 30_000 });
  const boxes = await page.$$eval('#net-diagram g.layer', (gs) => gs.map((g) => ({
    name: (g as SVGGElement).dataset.name ?? '',
    text: Array.from(g.querySelectorAll('text')).map((t) => t.textContent ?? '').join(' | '),
  })));
  assert.deepEqual(boxes.map((b) => b.name), layers.map((l) => l.name), 'a box per layer, in forward order');
  layers.forEach((l, i) => {
    const shape = `(B${l.shape.map((d) => `, ${d}`).join('')})`;
    const count = l.parameters === 0 ? 'no parameters' : `${l.parameters.toLocaleString('en-US')} parameter`;
    for (const part of [l.type, shape, count]) assert.ok(boxes[i].text.includes(part), `box ${l.name} shows ${part}: ${boxes[i].text}`);
  });
  assert.equal(await page.locator('#net-diagram line.arrow').count(), layers.length - 1, 'an arrow between each two boxes');
}

async function openPage(url: string, viewport: { width: number; height: number }) {
  const { chromium } = await import('playwright-core');
  const b = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await b.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(url) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  page.setDefaultTimeout(30_000);
  /** Resolves with the page's next worker event of this type (rejects after 60 s, naming the page's errors). */
  const nextEvent = (type: string): Promise<unknown> => page.evaluate((t) => {
    const p = (window as any).__playground;
    return Promise.race([p.next(t), new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${t} event in 60 s; page errors: ${p.errors.join('; ')}`)), 60_000))]);
  }, type);
  return { b, page, errors, foreign, nextEvent };
}

describe('browser playground', { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it` }, () => {
  let server: Server | undefined;
  let url = '';
  // Closed in after() too: a test that times out must not leave Chromium running.
  let browser: { close(): Promise<void> } | undefined;

  before(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const t0 = performance.now();
    await promisify(execFile)('npm', ['run', 'build:web'], { cwd: ROOT, timeout: 120_000 });
    console.log(`# npm run build:web: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    ({ server, url } = await serve(DIST));
  });

  after(async () => {
    server?.close();
    await browser?.close();
  });

  test(`trains ${STEPS} steps (${BACKEND} kernels), the CLI's numbers, samples, downloads a model the CLI loads`, { timeout: 300_000 }, async () => {
    assert.ok(existsSync(join(DIST, 'index.html')), 'web/dist/index.html was built');
    // The CLI on the same seed and backend: its loss line at step 0, final losses and samples.
    const cliModel = join(OUT, 'cli.safetensors');
    // The page samples from Generator(seed + 10) (its sample button), so the CLI does too here.
    const cliOut = cli(['train', '--steps', String(STEPS), '--samples', '5', '--sample-generator', 'seed+10', '--backend', BACKEND, '--out', cliModel]);
    const cliStep0 = /^\s*0\/\s*\d+: ([\d.]+)$/m.exec(cliOut)?.[1];
    const cliFinal = Object.fromEntries([...cliOut.matchAll(/^(train|val|test) ([\d.]+)$/gm)].map((m) => [m[1], m[2]]));
    const cliSamples = cliOut.split('samples:\n')[1].trim().split('\n').map((s) => s.trim());
    const cliUs = Number(/\(([\d.]+) µs\/step\)/.exec(cliOut)?.[1]);
    assert.equal(cliSamples.length, 5);

    const { b, page, errors, foreign, nextEvent } = await openPage(url, { width: 1440, height: 1000 });
    browser = b;
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as any).__playground?.data?.words > 0, null, { timeout: 20_000 });
      assert.equal(await page.evaluate(() => (window as any).__playground.data.words), 32033);

      // The norm menu is the registry's kinds; each kind shows the fields it reads.
      assert.deepEqual(await page.$$eval('#norm option', (os) => os.map((o) => (o as HTMLOptionElement).value)), modelKindNames());
      const fields = () => page.evaluate(() => ({
        preset: !document.getElementById('preset-row')!.hidden,
        init: !document.getElementById('init-row')!.hidden,
        layers: !(document.getElementById('layers') as HTMLInputElement).disabled,
        layersValue: (document.getElementById('layers') as HTMLInputElement).value,
      }));
      assert.deepEqual(await fields(), { preset: true, init: false, layers: false, layersValue: '1' }, 'notebook: preset, one layer');
      await page.selectOption('#norm', 'none');
      assert.deepEqual({ ...(await fields()), layersValue: '' }, { preset: false, init: true, layers: true, layersValue: '' }, 'none: init, layers');
      await page.selectOption('#norm', 'layernorm');
      assert.deepEqual({ ...(await fields()), layersValue: '' }, { preset: false, init: false, layers: true, layersValue: '' }, 'layernorm: layers only');
      await page.selectOption('#norm', 'notebook');

      // Train with the notebook model, the CLI's defaults but STEPS steps.
      await page.fill('#steps', String(STEPS));
      await page.selectOption('#kernels', BACKEND);
      const firstProgress = nextEvent('progress');
      await page.click('#start');
      await firstProgress;
      // Pause: the step count stands still; resume: it moves on.
      // The worker's `paused` answer (or the end of the run, when it came first) gives the step it stopped at.
      const pausedEvent = nextEvent('paused');
      await page.click('#pause');
      await Promise.race([pausedEvent, page.waitForFunction(() => ['evaluating', 'done'].includes((window as any).__playground.state), null, { timeout: 60_000 })]);
      const pausedAt = await page.evaluate(() => (window as any).__playground.step as number);
      await page.waitForTimeout(300);
      if (pausedAt < STEPS) {
        assert.equal(await page.evaluate(() => (window as any).__playground.step), pausedAt, 'no steps while paused');
        await page.click('#resume');
      }
      await page.waitForFunction(() => (window as any).__playground.final !== null || (window as any).__playground.errors.length > 0, null, { timeout: 90_000 });
      const pg = await page.evaluate(() => {
        const p = (window as any).__playground;
        const [x, perStep, mean, val] = p.charts.loss.plot.data as number[][];
        return {
          state: p.state as string, step: p.step as number, backend: p.backend as string, errors: p.errors as string[],
          final: p.final as { train: number; val: number; test: number }, log: p.log as string[],
          avgStepsPerSec: p.avgStepsPerSec as number, trainMs: p.trainMs as number, diagMs: p.diagMs as number,
          chart: { x: Array.from(x), perStep: Array.from(perStep), mean: Array.from(mean), val: Array.from(val) } as ChartData,
          hist: (p.charts.hist.plot.data as number[][]).length,
          saturation: p.stats?.activations?.[0]?.saturation as number,
        };
      });
      assert.deepEqual(pg.errors, []);
      assert.equal(pg.state, 'done');
      assert.equal(pg.step, STEPS);
      assert.equal(pg.backend, BACKEND);

      // The chart's data: every step, the 1,000-step means falling below log10(2.6), val points.
      // (uPlot.join leaves the x values of the other series undefined.)
      const isNum = (v: unknown): v is number => typeof v === 'number';
      const perStep = pg.chart.perStep.filter(isNum);
      const means = pg.chart.mean.filter(isNum);
      const vals = pg.chart.val.filter(isNum);
      assert.equal(perStep.length, STEPS, 'one point per step');
      assert.equal(means.length, STEPS / 1000);
      const lastMean = 10 ** means[means.length - 1];
      assert.ok(lastMean < LOSS_BOUND, `mean loss of the last 1,000 steps ${lastMean.toFixed(4)} < ${LOSS_BOUND}`);
      assert.ok(10 ** perStep[0] > lastMean + 0.5, 'the loss falls');
      assert.equal(vals.length, STEPS / 1000 + 1, 'val loss at 0, 1000, 2000, 3000');
      assert.ok(10 ** vals[vals.length - 1] < LOSS_BOUND);
      assert.ok(pg.hist >= 2 && pg.saturation >= 0, 'tanh histogram drawn');

      // The CLI's numbers: the step-0 loss line, the final losses.
      assert.ok(pg.log.some((l) => l === `      0/   ${STEPS}: ${cliStep0}`), `page log has the CLI's line 0/${STEPS}: ${cliStep0}: ${pg.log.join(' | ')}`);
      for (const s of ['train', 'val', 'test'] as const) assert.equal(pg.final[s].toFixed(4), cliFinal[s], `${s} loss as the CLI`);

      // The summary card: the CLI's final losses, and fresh samples from Generator(seed + 10) whose first 5 are the CLI's.
      await page.waitForFunction(() => document.querySelectorAll('#summary-samples li').length === 10);
      assert.equal(await page.locator('.placeholder:visible').count(), 0);
      await page.waitForFunction(() => document.querySelectorAll('#nc-bars .bar-row').length > 0 && document.querySelectorAll('#emb-chart circle').length > 0);
      // The network's rows of the weights whose update:data the chart draws carry their line's colour; hovering one lights it.
      await page.waitForTimeout(400); // the throttled redraw marks the rows
      const marked = await page.evaluate(() => ({
        charted: Array.from(document.querySelectorAll<HTMLElement>('#net-table tr.charted')).map((tr) => tr.dataset.name),
        plotted: (window as any).__playground.charts.updates.names as string[],
      }));
      assert.ok(marked.plotted.length >= 2, `the update chart draws ${marked.plotted.join(', ')}`);
      assert.deepEqual([...marked.charted].sort(), [...marked.plotted].sort());
      await page.hover(`#net-table tr[data-name="${marked.plotted[1]}"]`);
      assert.equal(await page.evaluate((n) => { const u = (window as any).__playground.charts.updates; return u.plot.series[u.names.indexOf(n) + 1]._focus; }, marked.plotted[1]), true, 'hovering a row lights its line');
      assert.equal(await page.isVisible('#summary'), true);
      for (const s of ['train', 'val', 'test'] as const) assert.equal(await page.textContent(`#summary-${s}`), cliFinal[s], `summary ${s}`);
      assert.match((await page.textContent('#summary-speed')) ?? '', /^\d+ µs\/step$/);
      assert.deepEqual((await page.$$eval('#summary-samples li', (els) => els.map((e) => e.textContent ?? ''))).slice(0, 5), cliSamples);

      // Samples: 5 names, the CLI's (Generator(seed + 10)).
      await page.fill('#sample-count', '5');
      const samplesEvent = nextEvent('samples');
      await page.click('#sample');
      await samplesEvent;
      const samples = await page.$$eval('#samples li', (els) => els.map((e) => e.textContent ?? ''));
      assert.equal(samples.length, 5);
      assert.deepEqual(samples, cliSamples, 'the CLI samples the same names');

      // Download the model; `makemore eval` loads it and finds the page's losses.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      const file = join(OUT, download.suggestedFilename());
      await download.saveAs(file);
      assert.match(file, /\.safetensors$/);
      const ev = JSON.parse(cli(['eval', '--model', file, '--json'])) as { step: number; losses: Record<string, number> };
      assert.equal(ev.step, STEPS);
      for (const s of ['train', 'val', 'test'] as const) assert.equal(ev.losses[s].toFixed(4), pg.final[s].toFixed(4), `eval ${s}`);
      // `makemore sample` from the page's file (seed 2147483647 + 10 by default): the same names.
      assert.deepEqual((JSON.parse(cli(['sample', '--model', file, '--count', '5', '--json'])) as { words: string[] }).words, cliSamples);

      // The explorer: the next-character bars for a typed prefix and temperature are the library's
      // nextCharProbs on the downloaded model, number for number; the embedding shows every character.
      await page.fill('#nc-temperature', '0.5');
      await page.fill('#nc-prefix', 'em');
      await page.waitForFunction(() => { const n = (window as any).__playground.explore.nextChar; return n !== null && n.prefix === 'em' && n.temperature === 0.5; }, null, { timeout: 30_000 });
      const shownProbs = await page.evaluate(() => (window as any).__playground.explore.nextChar.probs as number[]);
      const saved = loadModel(file);
      assert.deepEqual(shownProbs, Array.from(nextCharProbs(saved.model, saved.vocab, 'em', 0.5)), 'the bars are nextCharProbs of the model');
      assert.equal(await page.locator('#nc-bars .bar-row').count(), 27);
      assert.equal(await page.locator('#emb-chart text').count(), 27);
      assert.equal(await page.locator('#net-table tbody tr').count(), saved.model.namedParameters().length + saved.model.namedBuffers().length);
      assert.match((await page.textContent('#net-note')) ?? '', new RegExp(`${saved.model.numParameters().toLocaleString('en-US')} parameters`));
      // The network diagram: the model's layers; the boxes of the weights the update:data chart draws
      // are marked; hovering a box lights its line and the box; the chart lighting a line lights its box.
      const layers = networkLayers(saved.model);
      await checkDiagram(page, layers);
      const boxOf = (tensor: string): string => layers.find((l) => l.tensors.includes(tensor))!.name;
      const charted = await page.$$eval('#net-diagram g.layer.charted', (gs) => gs.map((g) => (g as SVGGElement).dataset.name ?? ''));
      assert.deepEqual(charted.sort(), [...new Set(marked.plotted.map(boxOf))].sort(), 'the charted weights\' boxes are marked');
      const lit = (): Promise<string[]> => page.$$eval('#net-diagram g.layer.lit', (gs) => gs.map((g) => (g as SVGGElement).dataset.name ?? ''));
      const focused = (n: string): Promise<boolean> => page.evaluate((name) => { const u = (window as any).__playground.charts.updates; return u.plot.series[u.names.indexOf(name) + 1]._focus === true; }, n);
      await page.hover(`#net-diagram g.layer[data-name="${boxOf(marked.plotted[0])}"]`);
      assert.equal(await focused(marked.plotted[0]), true, 'hovering a box lights its weight\'s line');
      assert.deepEqual(await lit(), [boxOf(marked.plotted[0])], 'and the box');
      await page.evaluate((name) => { const u = (window as any).__playground.charts.updates; u.plot.setSeries(u.names.indexOf(name) + 1, { focus: true }); }, marked.plotted[1]);
      assert.deepEqual(await lit(), [boxOf(marked.plotted[1])], 'the chart lighting a line lights its layer\'s box');

      // Load the CLI's model file into the page and sample from it: the same names again.
      const loaded = nextEvent('model-loaded');
      await page.setInputFiles('#model-file', cliModel);
      await loaded;
      const again = nextEvent('samples');
      await page.click('#sample');
      await again;
      assert.deepEqual(await page.$$eval('#samples li', (els) => els.map((e) => e.textContent ?? '')), cliSamples);

      // Continue the loaded CLI run in the page for 500 more steps: the final losses of
      // `makemore train --resume <file> --steps N+500` (same model, generator, schedule).
      const more = STEPS + 500;
      const resumed = cli(['train', '--resume', cliModel, '--steps', String(more), '--samples', '0', '--backend', BACKEND]);
      const resumedFinal = Object.fromEntries([...resumed.matchAll(/^(train|val|test) ([\d.]+)$/gm)].map((m) => [m[1], m[2]]));
      assert.equal(await page.isDisabled('#continue'), false, 'a CLI model file can be continued');
      await page.fill('#steps', String(more));
      const continued = nextEvent('done');
      await page.click('#continue');
      await continued;
      const after = await page.evaluate(() => { const p = (window as any).__playground; return { step: p.step as number, final: p.final as Record<string, number>, chartSteps: p.charts.loss.steps as number }; });
      assert.equal(after.step, more);
      assert.equal(after.chartSteps, more, 'the chart goes on from the loaded steps');
      for (const k of ['train', 'val', 'test'] as const) assert.equal(after.final[k].toFixed(4), resumedFinal[k], `continued ${k}`);

      assert.deepEqual(errors, [], 'no console errors');
      assert.deepEqual(foreign, [], 'no request leaves the local server');
      const shot = join(OUT, 'playground.png');
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 20_000);
      const pageSps = pg.avgStepsPerSec;
      const wallSps = (STEPS * 1000) / pg.trainMs;
      console.log(`# page (${BACKEND}): ${Math.round(pageSps)} steps/s training, ${Math.round(wallSps)} steps/s with diagnostics; CLI: ${Math.round(1e6 / cliUs)} steps/s (${cliUs} µs/step); screenshot ${shot}`);
    } finally {
      await b.close();
      browser = undefined;
    }
  });

  // Fast mode on every core: the page is cross-origin isolated, so the training worker starts one
  // nested worker per further core sharing one wasm memory (web/src/stepThreads.ts). Where
  // Chromium lacks relaxed SIMD or reports one core, the same checks hold for one thread.
  test(`fast mode on every core in an isolated page: its threads, pause/resume, losses within 1e-3 of the ${BACKEND} kernels`, { timeout: 300_000 }, async () => {
    const STEPS_FAST = 1000; // test/fast-mode.test.ts's run: every loss within 1e-3 (relative) of exact mode's
    const { b, page, errors, foreign, nextEvent } = await openPage(url, { width: 1280, height: 800 });
    browser = b;
    try {
      page.on('dialog', (d) => void d.accept()); // Restart asks before throwing a run away
      await page.goto(url);
      await page.waitForFunction(() => (window as any).__playground?.data?.words > 0, null, { timeout: 20_000 });
      const env = await page.evaluate((bytes) => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency, relaxed: WebAssembly.validate(new Uint8Array(bytes)) }), RELAXED_SIMD_MODULE);
      assert.equal(env.isolated, true, 'the COOP/COEP headers make the page cross-origin isolated');
      const model = createModel({ ...DEFAULT_MODEL, vocabSize: 27 }, new Generator(1));
      const expected = env.relaxed && env.cores > 1 ? stepThreadsFor(model, env.cores) : 1;
      console.log(`# Chromium: hardwareConcurrency ${env.cores}, relaxed SIMD ${env.relaxed}: fast mode on ${expected} thread(s) expected`);
      /** The nested step workers alive now (Playwright lists a page's workers, nested ones too). */
      const stepWorkers = () => page.workers().filter((w) => /stepWorker/.test(w.url())).length;
      const threadCount = () => page.evaluate(() => { const p = (window as any).__playground; return { threads: p.threads as number, note: p.threadsNote as string | null, shown: document.getElementById('kernels-note')!.textContent ?? '', visible: !document.getElementById('kernels-note')!.hidden }; });
      /** Per-step losses (from the loss chart) and final losses of the run shown. */
      const losses = () => page.evaluate(() => {
        const p = (window as any).__playground;
        return { perStep: Array.from(p.charts.loss.plot.data[1] as (number | null)[]).filter((x): x is number => typeof x === 'number').map((x) => 10 ** x), final: p.final as Record<string, number>, errors: p.errors as string[] };
      });
      const runToEnd = async (): Promise<Awaited<ReturnType<typeof losses>>> => {
        await page.waitForFunction(() => (window as any).__playground.final !== null || (window as any).__playground.errors.length > 0, null, { timeout: 120_000 });
        return losses();
      };

      // Before a run: the note under the Kernels choice says what fast mode can use here.
      await page.selectOption('#kernels', 'fast');
      const before = await threadCount();
      assert.equal(before.visible, true);
      assert.match(before.shown, expected > 1 ? new RegExp(`up to ${env.cores} threads`) : /one thread/);

      // The reference: the same run on the page's exact kernels (statistics off, as the fast run).
      await page.fill('#stats-every', '0');
      await page.fill('#steps', String(STEPS_FAST));
      await page.selectOption('#kernels', BACKEND);
      assert.equal((await threadCount()).visible, false, 'the note only with fast mode');
      await page.click('#start');
      const exact = await runToEnd();
      assert.deepEqual(exact.errors, []);
      assert.equal((await threadCount()).threads, 1);

      // A long fast run: its threads; Pause holds them (no steps), Resume trains on; Restart replaces it.
      await page.selectOption('#kernels', 'fast');
      await page.fill('#steps', '200000');
      const firstProgress = nextEvent('progress');
      await page.click('#start');
      await firstProgress;
      const running = await threadCount();
      assert.equal(running.threads, expected, `threads: ${running.note}`);
      assert.match(running.shown, expected > 1 ? new RegExp(`fast mode on ${expected} threads`) : /fast mode on one thread/);
      assert.equal(stepWorkers(), expected - 1, 'a nested worker per thread after the first');
      const paused = nextEvent('paused');
      await page.click('#pause');
      await paused;
      const at = await page.evaluate(() => (window as any).__playground.step as number);
      await page.waitForTimeout(300);
      assert.equal(await page.evaluate(() => (window as any).__playground.step), at, 'no steps while paused');
      await page.click('#resume');
      await page.waitForFunction((s) => (window as any).__playground.step > s + 100, at);

      // Restart (the running threads end first) with the reference's settings on fast mode.
      await page.fill('#steps', String(STEPS_FAST));
      await page.click('#start');
      const fast = await runToEnd();
      assert.deepEqual(fast.errors, []);
      assert.equal((await threadCount()).threads, expected);
      assert.equal(fast.perStep.length, STEPS_FAST);
      assert.equal(exact.perStep.length, STEPS_FAST);
      let worst = 0;
      for (let i = 0; i < STEPS_FAST; i++) worst = Math.max(worst, Math.abs(fast.perStep[i] - exact.perStep[i]) / exact.perStep[i]);
      const finalWorst = Math.max(...(['train', 'val', 'test'] as const).map((k) => Math.abs(fast.final[k] - exact.final[k]) / exact.final[k]));
      console.log(`# fast mode on ${expected} thread(s) vs ${BACKEND}: largest relative loss difference ${worst.toExponential(2)} per step, ${finalWorst.toExponential(2)} final`);
      assert.ok(worst < 1e-3, `every step's loss within 1e-3 of the ${BACKEND} kernels': ${worst}`);
      assert.ok(finalWorst < 1e-3, `final losses within 1e-3: ${JSON.stringify(fast.final)} vs ${JSON.stringify(exact.final)}`);
      // A finished run gave its threads back (and the restarted one's ended before): no step worker is left.
      for (let i = 0; i < 50 && stepWorkers() > 0; i++) await page.waitForTimeout(100);
      assert.equal(stepWorkers(), 0, 'the threads end with the run');
      assert.deepEqual(errors, [], 'no console errors');
      assert.deepEqual(foreign, [], 'no request leaves the local server');
    } finally {
      await b.close();
      browser = undefined;
    }
  });

  // Served without the headers: the page works, fast mode on one thread, and says why.
  test('fast mode in a page that is not cross-origin isolated: one thread, and the page says why', { timeout: 120_000 }, async () => {
    const plain = await serve(DIST, false);
    const { b, page, errors, nextEvent } = await openPage(plain.url, { width: 1280, height: 800 });
    browser = b;
    try {
      await page.goto(plain.url);
      await page.waitForFunction(() => (window as any).__playground?.data?.words > 0, null, { timeout: 20_000 });
      assert.equal(await page.evaluate(() => crossOriginIsolated), false);
      await page.selectOption('#kernels', 'fast');
      assert.match((await page.textContent('#kernels-note')) ?? '', /one thread: the page is not cross-origin isolated/);
      await page.fill('#stats-every', '0');
      await page.fill('#steps', '300');
      const done = nextEvent('done');
      await page.click('#start');
      await done;
      const shown = await page.evaluate(() => { const p = (window as any).__playground; return { threads: p.threads as number, note: p.threadsNote as string, state: p.state as string, errors: p.errors as string[] }; });
      assert.deepEqual(shown.errors, []);
      assert.equal(shown.state, 'done');
      assert.equal(shown.threads, 1);
      assert.equal(shown.note, 'fast mode on one thread: the page is not cross-origin isolated');
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await b.close();
      browser = undefined;
      plain.server.close();
    }
  });

  // On the JS kernels this took 240 s of the old 300 s limit in a clean CI run (the CLI's run, the page's, and both evaluations): more room there.
  test(`the WaveNet preset (${BACKEND} kernels): the CLI's --preset wavenet numbers, its diagnostics by module path`, { timeout: BACKEND === 'js' ? 1_800_000 : 300_000 }, async () => {
    const steps = BACKEND === 'js' ? 100 : 300;
    const cliOut = cli(['train', '--preset', 'wavenet', '--steps', String(steps), '--samples', '0', '--backend', BACKEND]);
    const cliStep0 = /^\s*0\/\s*\d+: ([\d.]+)$/m.exec(cliOut)?.[1];
    const cliFinal = Object.fromEntries([...cliOut.matchAll(/^(train|val|test) ([\d.]+)$/gm)].map((m) => [m[1], m[2]]));
    const { b, page, errors } = await openPage(url, { width: 1440, height: 1000 });
    browser = b;
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as any).__playground?.data?.words > 0, null, { timeout: 20_000 });
      await page.selectOption('#preset', 'wavenet');
      assert.deepEqual(await Promise.all(['#block', '#embed', '#hidden', '#layers', '#seed'].map((id) => page.inputValue(id))), ['8', '24', '128', '3', '42']);
      assert.equal(await page.inputValue('#norm'), 'batchnorm1d');
      await page.fill('#steps', String(steps));
      await page.selectOption('#kernels', BACKEND);
      await page.click('#start');
      await page.waitForFunction(() => (window as any).__playground.final !== null || (window as any).__playground.errors.length > 0, null, { timeout: BACKEND === 'js' ? 840_000 : 240_000 });
      const pg = await page.evaluate(() => {
        const p = (window as any).__playground;
        return { errors: p.errors as string[], final: p.final as Record<string, number>, log: p.log as string[], layers: (p.stats?.activations ?? []).map((a: { layer: string }) => a.layer) as string[] };
      });
      assert.deepEqual(pg.errors, []);
      assert.ok(pg.log.some((l) => l === `      0/    ${steps}: ${cliStep0}`), `page log has the CLI's line 0/${steps}: ${cliStep0}: ${pg.log.join(' | ')}`);
      // --preset wavenet prints them in full (the lecture's print): the page's losses to the last digit
      for (const s of ['train', 'val', 'test'] as const) assert.equal(pg.final[s], Number(cliFinal[s]), `${s} loss as the CLI`);
      assert.deepEqual(pg.layers, ['layers.4 (Tanh)', 'layers.8 (Tanh)', 'layers.12 (Tanh)']);
      // the diagram: the tree's 14 layers, level by level
      await checkDiagram(page, networkLayers(createModel({ arch: 'wavenet', vocabSize: 27, blockSize: 8, embedDim: 24, hidden: 128, layers: 3, norm: 'batchnorm1d' }, new Generator(42))));
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await b.close();
      browser = undefined;
    }
  });

  test(`makemore.py's models (${BACKEND} kernels): each type the page offers trains with the CLI's --type numbers`, { timeout: 300_000 }, async () => {
    // A cheap type and the transformer: the split, the sampler generator, AdamW and the masked loss as the CLI runs them.
    // On the JS kernels the bigram only: the transformer's final evaluation of the 31,033 training words takes minutes there.
    const runs: [string, number][] = BACKEND === 'js' ? [['bigram', 40]] : [['bigram', 200], ['transformer', 12]];
    const { b, page, errors } = await openPage(url, { width: 1440, height: 1000 });
    browser = b;
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as any).__playground?.data?.words > 0, null, { timeout: 20_000 });
      // Start after a finished run asks before throwing it away: yes
      page.on('dialog', (d) => void d.accept());
      const offered = await page.$$eval('#model-type option', (os) => os.map((o) => (o as HTMLOptionElement).value));
      assert.deepEqual(offered, ['', 'bigram', 'mlp', 'rnn', 'gru', 'bow', 'transformer'], 'the registry\'s family, after the notebooks\' MLP');
      for (const [type, steps] of runs) {
        const cliOut = cli(['train', '--type', type, '--steps', String(steps), '--samples', '0', '--backend', BACKEND]);
        const cliStep0 = /^\s*0\/\s*\d+: ([\d.]+)$/m.exec(cliOut)?.[1];
        const cliFinal = Object.fromEntries([...cliOut.matchAll(/^(train|val|test) ([\d.]+)$/gm)].map((m) => [m[1], m[2]]));
        await page.selectOption('#model-type', type);
        // makemore.py's defaults fill the fields; the norm, block size and split seed do not apply
        assert.deepEqual(await Promise.all(['#embed', '#hidden', '#layers', '#seed', '#lr'].map((id) => page.inputValue(id))), ['64', '64', '4', '3407', '0.0005']);
        assert.equal(await page.isVisible('#norm'), false, 'no norm field for a family type');
        assert.equal(await page.isVisible('#heads'), type === 'transformer', 'heads only for the transformer');
        await page.fill('#steps', String(steps));
        await page.selectOption('#kernels', BACKEND);
        await page.click('#start');
        await page.waitForFunction((n) => { const p = (window as any).__playground; return (p.final !== null && p.step === n) || p.errors.length > 0; }, steps, { timeout: 240_000 });
        const pg = await page.evaluate(() => {
          const p = (window as any).__playground;
          return { errors: p.errors as string[], final: p.final as Record<string, number>, log: p.log as string[] };
        });
        assert.deepEqual(pg.errors, [], type);
        assert.ok(pg.log.some((l) => l === `      0/${String(steps).padStart(7)}: ${cliStep0}`), `${type}: page log has the CLI's line 0/${steps}: ${cliStep0}: ${pg.log.join(' | ')}`);
        for (const s of ['train', 'val', 'test'] as const) assert.equal(pg.final[s].toFixed(4), cliFinal[s], `${type}: ${s} loss as the CLI`);
      }
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await b.close();
      browser = undefined;
    }
  });

  // Start/Pause/Resume/Reset/Restart/Load in racing orders: after each, what the page shows is the
  // state of the run it shows, never an old run's steps, log lines or final losses.
  test(`racing clicks (${BACKEND} kernels): reset, restart, Enter, evaluating, pause/resume, load`, { timeout: 120_000 }, async () => {
    // A short word list (the first 2,000 names) keeps the final evaluations short on both backends.
    const words = join(OUT, 'race-words.txt');
    writeFileSync(words, readFileSync(join(ROOT, 'data', 'names.txt'), 'utf8').split('\n').slice(0, 2000).join('\n'));
    const smallModel = join(OUT, 'race.safetensors');
    cli(['train', '--data', words, '--steps', '20', '--samples', '0', '--backend', 'wasm', '--out', smallModel]);
    const { b, page, errors, nextEvent } = await openPage(url, { width: 1280, height: 800 });
    browser = b;
    try {
      let answer = true;
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void (answer ? d.accept() : d.dismiss());
      });
      await page.goto(url);
      await page.waitForFunction(() => (window as any).__playground?.data?.words > 0, null, { timeout: 20_000 });
      await page.setInputFiles('#data-file', words);
      await page.waitForFunction(() => (window as any).__playground.data?.name === 'race-words.txt');
      await page.selectOption('#kernels', BACKEND);
      /** What a user sees: the state, the step, the buttons, the log, the summary card. */
      const visible = () => page.evaluate(() => {
        const $ = (id: string) => document.getElementById(id)!;
        const p = (window as any).__playground;
        return {
          state: $('state').textContent, step: $('step').textContent, start: $('start').textContent,
          pause: !($('pause') as HTMLButtonElement).disabled, resume: !($('resume') as HTMLButtonElement).disabled,
          log: $('log').textContent ?? '', summary: !$('summary').hidden, run: p.run as number, final: p.final,
          pgStep: p.step as number, chartSteps: p.charts.loss.steps as number, val: (p.val as { step: number }[]).map((v) => v.step),
        };
      });
      const idle = { state: 'idle', step: '–', start: 'Start', pause: false, resume: false, log: '', summary: false, final: null, chartSteps: 0 };
      const assertIdle = async (what: string) => {
        const v = await visible();
        assert.deepEqual({ ...v, run: undefined, pgStep: undefined, val: undefined }, { ...idle, run: undefined, pgStep: undefined, val: undefined }, what);
        assert.deepEqual(v.val, [], what);
      };
      /** Clicks `id` inside the page right after it handles a progress event whose state is `state` (before any later event), then waits there for the event `then`. */
      const clickOnProgress = (id: string, state: string, then: string) => page.evaluate(([id, state, then]) => new Promise<void>((resolve) => {
        const p = (window as any).__playground;
        const wait = (): void => void p.next('progress').then(() => {
          if (p.state !== state) return wait();
          document.getElementById(id)!.click();
          p.next(then).then(() => resolve());
        });
        wait();
      }), [id, state, then]);
      /** Clicks `id` and waits for the page's next event `then`. */
      const clickThen = async (id: string, then: string) => {
        const e = nextEvent(then);
        await page.click(id);
        await e;
      };

      // Reset at once, and after the first progress: idle, and still idle once the old run's events have come in.
      await page.fill('#steps', '200000');
      await page.click('#start');
      await clickThen('#reset', 'reset');
      await page.waitForTimeout(300);
      await assertIdle('reset right after start');
      await page.click('#start');
      await clickOnProgress('reset', 'running', 'reset');
      await page.waitForTimeout(300);
      await assertIdle('reset while running');
      assert.ok(await page.evaluate(() => (window as any).__playground.dropped > 0), 'the old run\'s events were dropped');

      // Restart while running asks first; "no" keeps the run, "yes" starts a fresh one with none of the old run's points or lines.
      await clickThen('#start', 'progress');
      const run1 = (await visible()).run;
      answer = false;
      await page.click('#start');
      assert.equal(dialogs.length, 1, 'restart asks');
      await page.focus('#hidden');
      await page.keyboard.press('Enter');
      assert.equal(dialogs.length, 2, 'Enter in a field asks too');
      let v = await visible();
      assert.equal(v.run, run1);
      assert.equal(v.state, 'running');
      answer = true;
      await page.click('#start');
      await clickOnProgress('pause', 'running', 'paused');
      v = await visible();
      assert.equal(dialogs.length, 3);
      assert.notEqual(v.run, run1);
      assert.deepEqual([v.state, v.pause, v.resume, v.start], ['paused', false, true, 'Restart']);
      assert.equal(v.chartSteps, v.pgStep, 'the chart holds this run\'s steps only');
      assert.equal(v.val.filter((s) => s === 0).length, 1, 'one step-0 validation point');
      assert.equal(v.log.split('\n').filter((l) => l.startsWith('data:')).length, 1, 'one run in the log');

      // Pause and resume in bursts (clicks in one task, faster than the worker answers): the page ends in the state of the last click.
      await clickThen('#resume', 'progress');
      const burst = (ids: string[]) => page.evaluate((ids) => ids.forEach((id) => document.getElementById(id)!.click()), ids);
      let paused = nextEvent('paused');
      await burst(['pause', 'pause', 'resume', 'pause']);
      await paused;
      paused = nextEvent('paused');
      await burst(['resume', 'pause']);
      await paused;
      await page.waitForTimeout(200);
      v = await visible();
      assert.deepEqual([v.state, v.pause, v.resume], ['paused', false, true]);
      await page.waitForTimeout(200);
      assert.equal((await visible()).pgStep, v.pgStep, 'no steps while paused');
      await burst(['resume', 'pause', 'resume']);
      await page.waitForFunction((s) => (window as any).__playground.step > s, v.pgStep);
      v = await visible();
      assert.deepEqual([v.state, v.pause, v.resume], ['running', true, false]);

      // Load a model while running: paused on the run's last step; Resume trains on.
      const loaded = nextEvent('model-loaded');
      await page.setInputFiles('#model-file', smallModel);
      await loaded;
      v = await visible();
      assert.deepEqual([v.state, v.pause, v.resume], ['paused', false, true]);
      const at = v.pgStep;
      await page.waitForTimeout(200);
      assert.equal((await visible()).pgStep, at, 'no steps after loading');
      await page.click('#resume');
      await page.waitForFunction((s) => (window as any).__playground.step > s, at);

      // The end of a run: "evaluating…" until the final losses arrive, then done with the summary.
      await page.fill('#steps', '300');
      await page.fill('#stats-every', '1');
      const seen: string[] = [];
      await page.exposeFunction('recordState', (t: string) => void seen.push(t));
      await page.evaluate(() => new MutationObserver(() => {
        const p = (window as any).__playground;
        (window as any).recordState(`${document.getElementById('state')!.textContent}:${p.final === null ? 'no final' : 'final'}`);
      }).observe(document.getElementById('state')!, { childList: true, characterData: true, subtree: true }));
      await clickThen('#start', 'done');
      await page.waitForTimeout(100);
      assert.ok(seen.includes('evaluating…:no final'), `evaluating… shown: ${seen.join(', ')}`);
      assert.ok(!seen.includes('done:no final'), `"done" only with the final losses: ${seen.join(', ')}`);
      v = await visible();
      assert.equal(v.state, 'done');
      assert.equal(v.summary, true);
      assert.equal(v.start, 'Restart');

      // Its model file: 301 statistics steps thinned to at most 50; loaded after a Reset, it redraws
      // its curves and statistics and sets the controls to its settings.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      const pageModel = join(OUT, 'race-page.safetensors');
      await download.saveAs(pageModel);
      await clickThen('#reset', 'reset');
      await page.fill('#steps', '7');
      await page.fill('#hidden', '33');
      const reloaded = nextEvent('model-loaded');
      await page.setInputFiles('#model-file', pageModel);
      await reloaded;
      await page.waitForTimeout(100);
      const drawn = await page.evaluate(() => {
        const p = (window as any).__playground;
        const [, perStep, mean, val] = p.charts.loss.plot.data as (number | null)[][];
        const n = (xs: (number | null)[]) => xs.filter((x) => typeof x === 'number').length;
        return { perStep: n(perStep), mean: n(mean), val: n(val), updates: Array.from(p.charts.updates.plot.data[0] as number[]), hist: p.charts.hist.plot.data.length as number, statsStep: p.stats?.step as number };
      });
      assert.equal(drawn.perStep, 300, 'the stored per-step losses');
      assert.equal(drawn.mean, 1, 'one 1,000-step mean (partial)');
      assert.equal(drawn.val, 2, 'val at 0 and 300');
      assert.ok(drawn.updates.length <= 50 && drawn.updates.length >= 40, `${drawn.updates.length} statistics steps saved`);
      assert.equal(drawn.updates.at(-1), 299, 'the last statistics step kept');
      assert.equal(drawn.statsStep, 299);
      assert.ok(drawn.hist >= 2, 'the histograms of the last statistics step');
      assert.equal(await page.inputValue('#steps'), '300');
      assert.equal(await page.inputValue('#hidden'), '200');

      // Reset while evaluating: the old run's final losses never show.
      await page.click('#start');
      await clickOnProgress('reset', 'evaluating', 'reset');
      await page.waitForTimeout(200);
      await assertIdle('reset while evaluating');
      // Restart while evaluating: the new run does not get the old run's final losses.
      await page.click('#start');
      await clickOnProgress('start', 'evaluating', 'progress');
      v = await visible();
      assert.equal(v.final, null, 'no final losses from the old run');
      assert.equal(v.summary, false);
      assert.notEqual(v.state, 'done');
      await nextEvent('done');
      v = await visible();
      assert.equal(v.state, 'done');
      assert.equal(v.log.split('\n').filter((l) => /^train /.test(l)).length, 1, 'one final train line');

      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await b.close();
      browser = undefined;
    }
  });

  // The guided tour: the seed notebook replayed in the page, cell by cell; each cell's lines on
  // screen are `makemore notebook`'s for the same steps, and Start waits while it runs.
  test(`guided tour (${BACKEND} CLI): every cell's numbers are makemore notebook's`, { timeout: 300_000 }, async () => {
    const TOUR_STEPS = 1000;
    const cliCells = (JSON.parse(cli(['notebook', '--steps', String(TOUR_STEPS), '--json'])) as { cells: { cell: number; lines: string[] }[] }).cells;
    assert.deepEqual(cliCells.map((c) => c.cell), [3, 4, 5, 6, 7, 8, 9, 11, 13, 14, 34]);
    const { b, page, errors } = await openPage(url, { width: 1280, height: 800 });
    browser = b;
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as any).__playground?.data?.words > 0, null, { timeout: 20_000 });
      assert.equal(await page.textContent('#tour-title'), '[3] The data: contexts of three characters');
      assert.match((await page.textContent('#tour-table tbody')) ?? '', /not run yet/);
      await page.selectOption('#kernels', BACKEND); // the tour runs on the page's kernels, as the CLI here
      await page.selectOption('#tour-steps', String(TOUR_STEPS));
      await page.click('#tour-run');
      assert.equal(await page.isDisabled('#start'), true, 'Start waits while the tour runs');
      assert.equal(await page.isDisabled('#tour-stop'), false);
      await page.waitForFunction(() => { const t = (window as any).__playground.tour; return !t.running || (window as any).__playground.errors.length > 0; }, null, { timeout: 240_000 });
      const state = await page.evaluate(() => { const p = (window as any).__playground; return { errors: p.errors as string[], stopped: p.tour.stopped as boolean, cells: (p.tour.cells as { cell: number }[]).map((c) => c.cell) }; });
      assert.deepEqual(state.errors, []);
      assert.equal(state.stopped, false);
      assert.deepEqual(state.cells, cliCells.map((c) => c.cell));
      assert.equal(await page.isDisabled('#start'), false, 'Start is back once the tour is done');
      // Click through the cells: what the page shows in its column is the CLI's, line for line.
      for (const c of cliCells) {
        await page.click(`#tour-nav button[data-cell="${c.cell}"]`);
        assert.match((await page.textContent('#tour-title')) ?? '', new RegExp(`^\\[${c.cell}\\] `));
        const shown = await page.$$eval('#tour-table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent ?? '').filter((t) => t !== ''));
        assert.deepEqual(shown, c.lines, `cell [${c.cell}]`);
      }
      // Next/Previous walk the same cells.
      await page.click('#tour-nav button[data-cell="3"]');
      await page.click('#tour-next');
      assert.match((await page.textContent('#tour-title')) ?? '', /^\[4\] /);
      assert.equal(await page.isDisabled('#tour-prev'), false);
      await page.click('#tour-prev');
      assert.equal(await page.isDisabled('#tour-prev'), true);
      // The experiments after the notebook set up the controls for a run.
      await page.click('#tour-cell-101');
      assert.equal(await page.isVisible('#tour-numbers'), false);
      await page.click('#tour-setup');
      assert.deepEqual(await page.evaluate(() => ['norm', 'init', 'steps', 'layers'].map((id) => (document.getElementById(id) as HTMLInputElement).value)), ['none', 'naive', '20000', '1']);
      assert.equal(await page.isVisible('#init-row'), true);
      await page.click('#tour-cell-103');
      await page.click('#tour-setup');
      assert.deepEqual(await page.evaluate(() => ['norm', 'layers', 'hidden'].map((id) => (document.getElementById(id) as HTMLInputElement).value)), ['layernorm', '5', '100']);
      assert.equal(await page.isDisabled('#layers'), false);
      // Stop: a 200,000-step replay stops when asked, and says so.
      await page.selectOption('#tour-steps', '200000');
      await page.click('#tour-run');
      await page.waitForFunction(() => ((window as any).__playground.tour.lines[8] ?? []).length >= 1, null, { timeout: 60_000 });
      await page.click('#tour-stop');
      await page.waitForFunction(() => !(window as any).__playground.tour.running, null, { timeout: 60_000 });
      assert.equal(await page.evaluate(() => (window as any).__playground.tour.stopped), true);
      assert.match((await page.textContent('#tour-status')) ?? '', /stopped/);
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await b.close();
      browser = undefined;
    }
  });

  // Layout at 1280×800 and on a 390 px phone: screenshots, and a script (not an eye) that finds any
  // text box overflowing its panel or the page; every control labelled, with a tooltip, reachable by Tab;
  // opened from file://, the page says how to serve it.
  test(`layout at 1280×800 and 390 px, labelled controls, file:// message (${BACKEND} kernels)`, { timeout: 90_000 }, async () => {
    const { b, page, errors, nextEvent } = await openPage(url, { width: 390, height: 844 });
    browser = b;
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as any).__playground?.data?.words > 0, null, { timeout: 20_000 });
      /** Text boxes wider than their box or sticking out of their panel, and a page wider than the window. */
      const overflows = () => page.evaluate(() => {
        const bad: string[] = [];
        const name = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`;
        if (document.documentElement.scrollWidth > window.innerWidth + 1) bad.push(`page ${document.documentElement.scrollWidth} px wide in a ${window.innerWidth} px window`);
        for (const el of Array.from(document.querySelectorAll('body *'))) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          const ownText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
          if (!ownText && !(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLButtonElement)) continue;
          const style = getComputedStyle(el);
          if (style.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) bad.push(`${name(el)}: text ${el.scrollWidth} px in ${el.clientWidth} px`);
          const panel = el.closest('.panel, header');
          if (panel === null || panel === el) continue;
          const p = panel.getBoundingClientRect();
          if (r.left < p.left - 1 || r.right > p.right + 1) bad.push(`${name(el)} [${Math.round(r.left)}, ${Math.round(r.right)}] outside ${name(panel)} [${Math.round(p.left)}, ${Math.round(p.right)}]`);
        }
        return bad;
      });
      // Before Start: every chart panel explains itself in one line; after, the charts take over.
      assert.equal(await page.locator('.placeholder:visible').count(), 3);
      assert.match((await page.textContent('#nc-note')) ?? '', /train a model/);
      await page.selectOption('#kernels', BACKEND);
      await page.fill('#steps', '300');
      const done = nextEvent('done');
      await page.click('#start');
      await done;
      await page.waitForFunction(() => document.querySelectorAll('#summary-samples li').length === 10);
      await page.fill('#sample-count', '20');
      await page.fill('#prefix', 'christopher');
      const samples = nextEvent('samples');
      await page.click('#sample');
      await samples;
      await page.waitForTimeout(400); // the throttled chart redraw
      for (const [width, height] of [[390, 844], [1280, 800]]) {
        await page.setViewportSize({ width, height });
        await page.waitForTimeout(300);
        const shot = join(OUT, `layout-${width}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        assert.ok(statSync(shot).size > 20_000, shot);
        assert.deepEqual(await overflows(), [], `nothing overflows at ${width}×${height}`);
      }

      // Every visible control: a label (or its own text) and a tooltip; Tab reaches each one.
      const controls = await page.$$eval('input, select, button', (els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => {
        const el = e as HTMLInputElement;
        return { id: el.id, label: (el.labels?.[0]?.textContent ?? el.textContent ?? '').trim(), title: el.title, disabled: el.disabled };
      }));
      assert.ok(controls.length >= 25, `${controls.length} controls`);
      for (const c of controls) {
        assert.ok(c.id !== '' && c.label !== '', `control ${c.id} has a label`);
        assert.ok(c.title.length > 10, `control ${c.id} has a tooltip`);
      }
      await page.focus('#data-source');
      const reached = new Set<string>(['data-source']);
      for (let i = 0; i < 100; i++) {
        await page.keyboard.press('Tab');
        reached.add(await page.evaluate(() => document.activeElement?.id ?? ''));
      }
      for (const c of controls) if (!c.disabled) assert.ok(reached.has(c.id), `Tab reaches #${c.id}`);
      assert.deepEqual(errors, [], 'no console errors');

      // From file://: the message, not a page stuck at "starting…".
      await page.goto(`file://${join(DIST, 'index.html')}`);
      assert.equal(await page.isVisible('#file-message'), true);
      assert.match((await page.textContent('#file-message')) ?? '', /vite preview/);
      assert.match((await page.textContent('#backend')) ?? '', /opened from a file/);
    } finally {
      await b.close();
      browser = undefined;
    }
  });
});
