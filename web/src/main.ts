// The page: controls, charts and samples. Everything heavy runs in the worker (worker.ts); this
// thread only sends requests and draws what comes back (see protocol.ts).
import './style.css';
import { HistogramChart, LossChart, UpdateChart } from './charts.js';
import type { DataSource, FamilyChoice, FinalLosses, LoadedCurves, ModelShape, Request, RunConfig, RunState, StatsPoint, WorkerEvent } from './protocol.js';
import type { BackendChoice } from '../../src/kernels/index.js';
import type { InitScheme, TrainConfig } from '../../src/model/config.js';
import type { KindChoice, KindOption } from '../../src/model/kind.js';
import { ADAMW_DEFAULTS } from '../../src/optim/adamw.js';
import { ARCH_PRESETS, FAMILY_DEFAULTS, PRESET_MODEL_OPTIONS, PRESET_NAMES, PRESETS, defaultDecayStep, type PresetModelOption, type PresetName, type TrainPresetName } from '../../src/model/presets.js';
import { Tour, type TourState } from './tour.js';
import { Explorer, type ExploreState } from './explore.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing`);
  return el as T;
};
const input = (id: string): HTMLInputElement => $<HTMLInputElement>(id);
const select = (id: string): HTMLSelectElement => $<HTMLSelectElement>(id);
const fmtInt = (n: number): string => n.toLocaleString('en-US');

/** What the page knows, exposed as window.__playground for tests and the curious. */
interface PlaygroundState {
  ready: boolean;
  backend: string;
  state: RunState;
  /** The id of the run shown (0: none); events of other runs are dropped. */
  run: number;
  /** How many stale events were dropped (tests). */
  dropped: number;
  data: { name: string; words: number; vocab: string } | null;
  step: number;
  steps: number;
  lastLoss: number;
  stepsPerSec: number;
  avgStepsPerSec: number;
  trainMs: number;
  diagMs: number;
  parameters: number;
  config: RunConfig | null;
  val: { step: number; loss: number }[];
  stats: StatsPoint | null;
  final: FinalLosses | null;
  samples: string[];
  log: string[];
  errors: string[];
  /** The cores the browser reports and why fast mode cannot split its step here (null: it can). */
  fastThreads: { cores: number; unavailable: string | null } | null;
  /** Threads the run shown trains on, and with fast mode on how many or why one (shown by the Kernels choice). */
  threads: number;
  threadsNote: string | null;
  /** A loaded model file: its name, step, and whether its run can be continued. */
  model: { name: string; step: number; resumable: boolean } | null;
  charts: { loss: LossChart; hist: HistogramChart; updates: UpdateChart };
  /** The guided tour's replay of the seed notebook. */
  tour: TourState;
  /** The explorer's next-character bars, embedding and tensors. */
  explore: ExploreState;
  /** Resolves with the next event of this type (tests). */
  next(type: WorkerEvent['type']): Promise<WorkerEvent>;
}

const lossChart = new LossChart($('loss-chart'));
const histChart = new HistogramChart($('hist-chart'));
const updateChart = new UpdateChart($('update-chart'));

const waiters: { type: WorkerEvent['type']; resolve: (e: WorkerEvent) => void }[] = [];
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (r: Request, transfer: Transferable[] = []): void => worker.postMessage(r, transfer);
let nextId = 1;
const tour = new Tour($('tour'), send, () => nextId++, (message) => showError(message), (values) => {
  // An experiment of the tour: its settings into the controls (each control's change handler runs).
  for (const [id, value] of Object.entries(values)) {
    const el = $<HTMLInputElement | HTMLSelectElement>(id);
    el.value = value;
    el.dispatchEvent(new Event('change'));
  }
  $('start').focus();
}, () => select('kernels').value as BackendChoice);
const explorer = new Explorer($, send, () => nextId++, updateChart);
updateChart.onFocus = (name) => explorer.diagram.lightTensor(name);
const pg: PlaygroundState = {
  ready: false, backend: '', state: 'idle', run: 0, dropped: 0, data: null, step: 0, steps: 0, lastLoss: Number.NaN,
  stepsPerSec: 0, avgStepsPerSec: 0, trainMs: 0, diagMs: 0, parameters: 0, config: null, val: [], stats: null,
  final: null, samples: [], log: [], errors: [], model: null, fastThreads: null, threads: 1, threadsNote: null,
  charts: { loss: lossChart, hist: histChart, updates: updateChart },
  tour: tour.state,
  explore: explorer.state,
  next: (type) => new Promise((resolve) => waiters.push({ type, resolve })),
};
(window as unknown as { __playground: PlaygroundState }).__playground = pg;

let lastRun = 0;
/** The summary card's samples: the request id of the draw made when a run ends. */
let summarySampleId = -1;

// ---- redraws, at most every 200 ms while training ----
let drawTimer: number | null = null;
function scheduleDraw(now = false): void {
  if (now) {
    if (drawTimer !== null) clearTimeout(drawTimer);
    drawTimer = null;
    draw();
    return;
  }
  if (drawTimer !== null) return;
  drawTimer = window.setTimeout(() => {
    drawTimer = null;
    draw();
  }, 200);
}

function draw(): void {
  lossChart.redraw();
  updateChart.redraw();
  explorer.markSeries();
  if (pg.stats !== null) showStats(pg.stats);
  renderStatus();
}

function showStats(s: StatsPoint): void {
  histChart.show(s);
  $('hist-step').textContent = s.activations.length > 0 ? `histograms at step ${fmtInt(s.step)}` : 'this model has no tanh layers the lecture\'s histograms watch (update:data still shows every weight)';
  const body = $('sat-table').querySelector('tbody')!;
  body.replaceChildren(...s.activations.map((a) => {
    const tr = document.createElement('tr');
    for (const text of [a.layer, a.mean.toFixed(2), a.std.toFixed(2), `${a.saturation.toFixed(2)}%`]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
}

function renderStatus(): void {
  $('state').textContent = pg.state === 'evaluating' ? 'evaluating…' : pg.state;
  $('state').dataset.state = pg.state;
  $('step').textContent = pg.steps > 0 ? `${fmtInt(pg.step)} / ${fmtInt(pg.steps)}` : '–';
  $('loss').textContent = Number.isFinite(pg.lastLoss) ? pg.lastLoss.toFixed(4) : '–';
  const v = pg.val.at(-1);
  $('val').textContent = v ? `${v.loss.toFixed(4)} @ ${fmtInt(v.step)}` : '–';
  $('speed').textContent = pg.stepsPerSec > 0 ? `${fmtInt(Math.round(pg.stepsPerSec))} (avg ${fmtInt(Math.round(pg.avgStepsPerSec))})` : '–';
  $('progress-bar').style.width = pg.steps > 0 ? `${(100 * pg.step) / pg.steps}%` : '0';
  $('params').textContent = pg.parameters > 0 ? fmtInt(pg.parameters) : '–';
  const running = pg.state === 'running';
  $<HTMLButtonElement>('pause').disabled = !running;
  $<HTMLButtonElement>('resume').disabled = pg.state !== 'paused';
  $<HTMLButtonElement>('start').textContent = hasRun() ? 'Restart' : 'Start';
  const haveModel = pg.state !== 'idle' || pg.model !== null;
  $<HTMLButtonElement>('sample').disabled = !haveModel;
  $<HTMLButtonElement>('download').disabled = !haveModel;
  $<HTMLButtonElement>('continue').disabled = pg.model?.resumable !== true || pg.state === 'running' || pg.state === 'evaluating' || pg.tour.running;
  $('log').textContent = pg.log.join('\n');
  tour.setTrainingBusy(running || pg.state === 'evaluating');
  // Before anything ran: each panel's one-line explanation instead of empty axes.
  for (const p of document.querySelectorAll<HTMLElement>('.placeholder')) p.hidden = !(pg.state === 'idle' && pg.model === null);
  $<HTMLButtonElement>('start').disabled = pg.tour.running;
  $<HTMLButtonElement>('resume').disabled ||= pg.tour.running;
}

/** Under the Kernels choice, when it is fast: the run's threads (or why one), else what fast mode could use here. */
function renderKernelsNote(): void {
  const note = $('kernels-note');
  note.hidden = select('kernels').value !== 'fast';
  const t = pg.fastThreads;
  if (pg.threadsNote !== null) note.textContent = pg.threadsNote;
  else if (t === null) note.textContent = '';
  else note.textContent = t.unavailable !== null ? `fast mode on one thread: ${t.unavailable}`
    : `fast mode on up to ${t.cores} threads here (the notebook model's step, with Stats every 0)`;
}

function showError(message: string): void {
  pg.errors.push(message);
  const el = $('error');
  el.textContent = message;
  el.hidden = false;
}
function clearError(): void {
  $('error').hidden = true;
}

/** A run that Start would throw away (so it asks first). */
function hasRun(): boolean {
  return pg.state === 'running' || pg.state === 'paused' || pg.state === 'evaluating' || pg.state === 'done';
}

// ---- worker events ----
worker.onmessage = (ev: MessageEvent<WorkerEvent>) => {
  const e = ev.data;
  // An event of a run that was reset or restarted since: it was in flight, drop it.
  if ('run' in e && e.run !== undefined && e.run !== pg.run) {
    pg.dropped++;
    return;
  }
  handle(e);
  for (let i = waiters.length - 1; i >= 0; i--) {
    if (waiters[i].type === e.type) {
      waiters[i].resolve(e);
      waiters.splice(i, 1);
    }
  }
};
worker.onerror = (ev) => showError(`worker: ${ev.message}`);

function handle(e: WorkerEvent): void {
  switch (e.type) {
    case 'ready':
      pg.ready = true;
      pg.backend = e.backend;
      offerKinds(e.kinds);
      offerFamily(e.family);
      pg.fastThreads = e.threads;
      renderKernelsNote();
      $('backend').textContent = e.wasm ? 'WebAssembly SIMD kernels' : 'JS kernels (no WebAssembly SIMD here)';
      loadData({ kind: 'bundled' });
      break;
    case 'data-info':
      pg.data = { name: e.name, words: e.words, vocab: e.vocab };
      $('data-info').textContent = `${e.name}: ${fmtInt(e.words)} words, ${e.vocab.length + 1} characters (${e.vocab}, and "." for start/end) — ${e.sample.join(', ')}, …`;
      break;
    case 'started':
      pg.backend = e.backend;
      pg.parameters = e.parameters;
      pg.config = e.config;
      pg.steps = e.config.train.steps;
      pg.model = null;
      pg.threads = e.threads;
      pg.threadsNote = e.threadsNote;
      renderKernelsNote();
      $('backend').textContent = `${e.backend} kernels`;
      $('model-info').textContent = `training: ${describe(e.config)}, ${fmtInt(e.parameters)} parameters`;
      pg.log.push(`data: ${e.dataName}: examples train ${fmtInt(e.examples.train)}, val ${fmtInt(e.examples.val)}, test ${fmtInt(e.examples.test)}`);
      pg.log.push(`model: ${describe(e.config)}, ${e.parameters} parameters; ${e.backend} kernels`);
      scheduleDraw(true);
      break;
    case 'progress':
      // Pause shows at once (the page shows the state of the last click); slices that were in flight keep it.
      if (!(pg.state === 'paused' && e.state === 'running')) pg.state = e.state;
      pg.step = e.step;
      pg.steps = e.steps;
      pg.lastLoss = e.lastLoss;
      $('lr-now').textContent = String(e.lr);
      if (e.stepsPerSec > 0) pg.stepsPerSec = e.stepsPerSec;
      pg.avgStepsPerSec = e.avgStepsPerSec;
      pg.trainMs = e.trainMs;
      pg.diagMs = e.diagMs;
      lossChart.append(e.from, e.lossLog10);
      if (e.val.length > 0) {
        lossChart.addVal(e.val);
        pg.val.push(...e.val);
      }
      if (e.stats.length > 0) {
        updateChart.append(e.stats);
        pg.stats = e.stats[e.stats.length - 1];
      }
      pg.log.push(...e.log);
      scheduleDraw(e.state !== 'running');
      break;
    case 'done': {
      pg.state = 'done';
      pg.final = e.final;
      // The CLI's line: wall time of the steps, diagnostics included (as `makemore train` with --report).
      const secs = pg.trainMs / 1000;
      pg.log.push(`trained ${e.step} steps in ${secs.toFixed(1)} s (${usPerStep(e.step)} µs/step)`);
      for (const s of ['train', 'val', 'test'] as const) pg.log.push(`${s} ${e.final[s].toFixed(4)}`);
      showSummary(e.step, e.final);
      explorer.modelChanged(true);
      scheduleDraw(true);
      break;
    }
    case 'paused':
      // The worker stopped here; a Resume clicked since (state running again) wins.
      if (pg.state === 'paused') {
        pg.step = e.step;
        explorer.modelChanged(true);
      }
      scheduleDraw(true);
      break;
    case 'reset':
      break;
    case 'next-char':
    case 'model-view':
      explorer.handle(e);
      break;
    case 'samples':
      if (e.id === summarySampleId) {
        $('summary-samples').replaceChildren(...e.words.map((w) => {
          const li = document.createElement('li');
          li.textContent = w;
          return li;
        }));
        break;
      }
      pg.samples = e.words;
      $('samples').replaceChildren(...e.words.map((w) => {
        const li = document.createElement('li');
        li.textContent = w;
        return li;
      }));
      $('sample-note').textContent = `seed ${e.seed}${e.draw > 1 ? `, draw ${e.draw} (change the seed to start over)` : finalModel() ? ' (the CLI’s samples for this seed)' : `, from the model at step ${fmtInt(pg.step)} (training is not finished)`}`;
      break;
    case 'model-file':
      saveFile(e.bytes, e.fileName);
      break;
    case 'model-loaded':
      // Without a run to keep on screen, the file's own curves and statistics replace the charts.
      if (e.curves !== undefined && (pg.state === 'idle' || pg.state === 'done' || pg.state === 'failed')) {
        resetView();
        showCurves(e.curves);
      }
      fillControls(e.config, e.train);
      pg.model = { name: e.name, step: e.step, resumable: e.resumable };
      pg.state = pg.state === 'running' ? 'paused' : pg.state;
      $('model-info').textContent = `loaded ${e.name}: ${e.config.arch !== undefined && e.config.arch !== 'mlp' ? `${e.config.arch} ` : ''}${e.config.norm}, block ${e.config.blockSize}, embed ${e.config.embedDim}, hidden ${e.config.hidden} × ${e.config.layers}, ${fmtInt(e.parameters)} parameters, trained ${fmtInt(e.step)} steps`
        + (e.final ? `; on ${pg.data?.name}: train ${e.final.train.toFixed(4)}, val ${e.final.val.toFixed(4)}, test ${e.final.test.toFixed(4)}` : '');
      if (e.train) input('sample-seed').value = String(e.train.seed + 10);
      pg.log.push(`loaded ${e.name} (step ${e.step})`);
      explorer.modelChanged(true);
      renderStatus();
      break;
    case 'tour-line':
    case 'tour-cell':
    case 'tour-progress':
    case 'tour-done':
      tour.handle(e);
      if (e.type === 'tour-done') renderStatus(); // Start and Resume wait for the tour
      break;
    case 'error':
      if (explorer.failed(e.id, e.message)) break;
      if (tour.owns(e.id)) {
        tour.failed(e.message);
        renderStatus();
        break;
      }
      showError(e.message);
      // A failed step or start ends the run; a failed request (sample, load…) does not.
      if (e.run !== undefined) pg.state = 'failed';
      renderStatus();
      break;
  }
}

/** A model file's stored loss curves, validation losses and statistics, drawn as a run's. */
function showCurves(c: LoadedCurves): void {
  lossChart.load(c);
  pg.val = [...c.val];
  if (c.stats.length > 0) {
    updateChart.append(c.stats);
    // The histograms: the last statistics step (the file keeps its histograms).
    pg.stats = c.stats[c.stats.length - 1];
  }
  scheduleDraw(true);
}

/** Sets the controls to a loaded model's settings, so that Start trains the same model again. */
function fillControls(m: ModelShape, t: TrainConfig | undefined): void {
  const set = (id: string, v: number | string | undefined): void => {
    if (v !== undefined) input(id).value = String(v);
  };
  const f = family.find((c) => c.arch === m.arch);
  select('model-type').value = f?.type ?? '';
  showModelFields();
  if (f !== undefined) {
    for (const [id, v] of [['embed', m.embedDim], ['hidden', m.hidden], ['layers', m.layers], ['heads', m.heads]] as const) set(id, v);
    if (t !== undefined) for (const [id, v] of [['steps', t.steps], ['batch', t.batchSize], ['lr', t.lr], ['lr-final', t.lrFinal], ['decay', t.lrDecayStep], ['seed', t.seed]] as const) set(id, v);
    return;
  }
  select('norm').value = m.norm;
  select('norm').dispatchEvent(new Event('change'));
  set('hidden', m.hidden);
  set('layers', m.layers);
  set('embed', m.embedDim);
  set('block', m.blockSize);
  const kind = kindOf(m.norm);
  const fields = fieldsOf(kind);
  if (fields.init && m.init !== undefined) select('init').value = m.init;
  const preset = PRESET_NAMES.find((p) => Object.entries(presetFields(p, kind.options)).every(([k, v]) => m[k as PresetModelOption] === v));
  if (fields.preset && preset !== undefined) select('preset').value = preset;
  if (m.arch === 'wavenet') select('preset').value = 'wavenet';
  showPresetRow();
  if (t === undefined) return;
  set('steps', t.steps);
  set('batch', t.batchSize);
  set('lr', t.lr);
  set('lr-final', t.lrFinal);
  set('decay', t.lrDecayStep);
  set('seed', t.seed);
  set('split-seed', t.splitSeed);
}

/** Whether the samples come from a finished model: a run that is done, or a loaded file. */
function finalModel(): boolean {
  return pg.state === 'done' || pg.model !== null;
}

function usPerStep(steps: number): string {
  return steps > 0 ? ((pg.trainMs * 1000) / steps).toFixed(0) : '-';
}

/** The end of a run: its losses, time and speed, and fresh samples from the final model (as the CLI prints them). */
function showSummary(step: number, final: FinalLosses): void {
  for (const s of ['train', 'val', 'test'] as const) $(`summary-${s}`).textContent = final[s].toFixed(4);
  $('summary-time').textContent = `${(pg.trainMs / 1000).toFixed(1)} s`;
  $('summary-speed').textContent = `${usPerStep(step)} µs/step`;
  $('summary-params').textContent = fmtInt(pg.parameters);
  $('summary-steps').textContent = fmtInt(step);
  $('summary').hidden = false;
  try {
    const seed = int('seed', 'seed', Number.MIN_SAFE_INTEGER) + 10;
    summarySampleId = nextId++;
    $('summary-samples').replaceChildren();
    $('summary-sample-note').textContent = `10 samples from Generator(${seed}), as \`makemore train\` prints them`;
    send({ type: 'sample', id: summarySampleId, count: 10, temperature: 1, prefix: '', seed, fresh: true });
  } catch (err) {
    showError((err as Error).message);
  }
}

function describe(c: RunConfig): string {
  const m = c.model;
  const f = family.find((x) => x.arch === m.arch);
  if (f !== undefined) return `makemore.py ${f.type}, n_embd ${m.embedDim}, n_embd2 ${m.hidden}, n_layer ${m.layers}${m.heads !== undefined ? `, n_head ${m.heads}` : ''}`;
  return `${m.norm}${fieldsOf(kindOf(m.norm)).init && m.init !== undefined ? ` (${m.init})` : ''}, block ${m.blockSize}, embed ${m.embedDim}, hidden ${m.hidden} × ${m.layers}`;
}

function saveFile(bytes: ArrayBuffer, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---- controls ----
function loadData(source: DataSource): void {
  $('data-info').textContent = 'reading…';
  send({ type: 'data', source });
}

function int(id: string, name: string, min: number): number {
  const v = Number(input(id).value);
  if (!Number.isSafeInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return v;
}
function num(id: string, name: string): number {
  const v = Number(input(id).value);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
}

// ---- model kinds: the page offers what the worker's registry lists, and the fields each kind reads ----
/** The registry's kinds (the worker's ready event). */
let kinds: KindChoice[] = [];

function kindOf(norm: string): KindChoice {
  const k = kinds.find((c) => c.norm === norm);
  if (k === undefined) throw new Error(`unknown model kind "${norm}"`);
  return k;
}

/**
 * The controls a kind's options use: the preset select where it reads an option only a preset sets
 * (bnEps, bias1, bnEval; the preset then sets its init too, as --preset does), else the init select
 * where it reads init.
 */
function fieldsOf(k: KindChoice): { preset: boolean; init: boolean } {
  const preset = k.options.some((o) => o !== 'init' && (PRESET_MODEL_OPTIONS as readonly string[]).includes(o));
  return { preset, init: !preset && k.options.includes('init') };
}

/** The preset's values of the options `options` lists. */
function presetFields(name: PresetName, options: readonly KindOption[]): Partial<Pick<RunConfig['model'], PresetModelOption>> {
  const out: Partial<Pick<RunConfig['model'], PresetModelOption>> = {};
  for (const o of PRESET_MODEL_OPTIONS) if (options.includes(o)) Object.assign(out, { [o]: PRESETS[name][o] });
  return out;
}

/** Fill the norm menu with the registry's kinds (label, description as tooltip), keeping the choice. */
function offerKinds(list: KindChoice[]): void {
  kinds = list;
  const menu = select('norm');
  const was = menu.value;
  menu.replaceChildren(...list.map((k) => {
    const o = document.createElement('option');
    o.value = k.norm;
    o.textContent = k.label;
    o.title = k.description;
    return o;
  }));
  if (list.some((k) => k.norm === was)) menu.value = was;
  menu.dispatchEvent(new Event('change'));
}

/**
 * Steps a family type starts with in the page: makemore.py trains until stopped; 5,000 AdamW steps
 * (the length docs/models.md compares with PyTorch) take seconds to minutes here, by type.
 */
const FAMILY_PAGE_STEPS = 5000;

/** makemore.py's family as the registry lists it (the worker's ready event). */
let family: FamilyChoice[] = [];

/** The family type the Model select names, or null for the notebooks' MLPs. */
function familyChoice(): FamilyChoice | null {
  return family.find((f) => f.type === select('model-type').value) ?? null;
}

/** Add makemore.py's types to the Model select (label and description from the registry). */
function offerFamily(list: FamilyChoice[]): void {
  family = list;
  const menu = select('model-type');
  const mlp = menu.options[0];
  menu.replaceChildren(mlp, ...list.map((f) => {
    const o = document.createElement('option');
    o.value = f.type;
    o.textContent = `makemore.py ${f.type}`;
    o.title = f.description;
    return o;
  }));
}

/** Show the fields the chosen model reads: a family type has no norm, preset, init or block size (its block is the longest word + 1). */
function showModelFields(): void {
  const f = familyChoice();
  for (const id of ['norm-row', 'block-row', 'split-seed-row']) $(id).hidden = f !== null;
  $('heads-row').hidden = !(f?.options.includes('heads') ?? false);
  if (f !== null) {
    $('preset-row').hidden = true;
    $('init-row').hidden = true;
    input('layers').disabled = false;
  } else select('norm').dispatchEvent(new Event('change'));
}

/** makemore.py's defaults for a family type (as `train --type` takes them); each stays editable. */
function fillFamilyDefaults(): void {
  const d = FAMILY_DEFAULTS;
  for (const [id, v] of [['embed', d.embedDim], ['hidden', d.hidden], ['layers', d.layers], ['heads', d.heads], ['seed', d.seed], ['lr', ADAMW_DEFAULTS.lr], ['lr-final', ADAMW_DEFAULTS.lr], ['steps', FAMILY_PAGE_STEPS]] as const) input(id).value = String(v);
  input('decay').value = '';
  input('seed').dispatchEvent(new Event('change'));
}

function readConfig(): RunConfig {
  const f = familyChoice();
  if (f !== null) return readFamilyConfig(f);
  const kind = kindOf(select('norm').value);
  const fields = fieldsOf(kind);
  const steps = int('steps', 'steps', 1);
  const decayText = input('decay').value.trim();
  const preset = select('preset').value as TrainPresetName;
  const arch = preset === 'wavenet' ? ARCH_PRESETS.wavenet.arch : undefined;
  return {
    model: {
      ...(arch !== undefined ? { arch } : {}),
      norm: kind.norm,
      blockSize: int('block', 'block size', 1),
      embedDim: int('embed', 'embedding', 1),
      hidden: int('hidden', 'hidden', 1),
      layers: arch === undefined ? kind.fixedLayers ?? int('layers', 'layers', 1) : int('layers', 'layers', 1),
      ...(fields.init ? { init: select('init').value as InitScheme } : {}),
      // the preset's options the kind reads (the notebook model: init, eps on the batch std, b1, eval statistics)
      ...(fields.preset && arch === undefined ? presetFields(preset as PresetName, kind.options) : {}),
    },
    train: {
      steps,
      batchSize: int('batch', 'batch size', 2),
      lr: num('lr', 'learning rate'),
      lrFinal: num('lr-final', 'final learning rate'),
      lrDecayStep: decayText === '' ? defaultDecayStep(steps, arch) : int('decay', 'decay step', 0),
      seed: int('seed', 'seed', Number.MIN_SAFE_INTEGER),
      splitSeed: int('split-seed', 'split seed', Number.MIN_SAFE_INTEGER),
    },
    backend: select('kernels').value as BackendChoice,
    statsEvery: int('stats-every', 'stats every', 0),
    evalEvery: int('eval-every', 'val every', 0),
  };
}

/** A family type's run config, as `makemore train --type T` builds it from the same flags. */
function readFamilyConfig(f: FamilyChoice): RunConfig {
  const steps = int('steps', 'steps', 1);
  const decayText = input('decay').value.trim();
  return {
    model: {
      arch: f.arch,
      norm: f.norm,
      // the worker sets makemore.py's block: the longest word + 1
      blockSize: 1,
      embedDim: int('embed', 'embedding', 1),
      hidden: int('hidden', 'hidden', 1),
      layers: int('layers', 'layers', 1),
      ...(f.options.includes('heads') ? { heads: int('heads', 'heads', 1) } : {}),
    },
    train: {
      steps,
      batchSize: int('batch', 'batch size', 2),
      lr: num('lr', 'learning rate'),
      lrFinal: num('lr-final', 'final learning rate'),
      lrDecayStep: decayText === '' ? defaultDecayStep(steps, f.arch) : int('decay', 'decay step', 0),
      seed: int('seed', 'seed', Number.MIN_SAFE_INTEGER),
      splitSeed: int('split-seed', 'split seed', Number.MIN_SAFE_INTEGER),
      split: FAMILY_DEFAULTS.split,
      optimizer: FAMILY_DEFAULTS.optimizer,
      betas: [...ADAMW_DEFAULTS.betas],
      eps: ADAMW_DEFAULTS.eps,
      weightDecay: ADAMW_DEFAULTS.weightDecay,
    },
    backend: select('kernels').value as BackendChoice,
    statsEvery: int('stats-every', 'stats every', 0),
    evalEvery: int('eval-every', 'val every', 0),
  };
}

function resetView(): void {
  lossChart.reset();
  histChart.reset();
  updateChart.reset();
  Object.assign(pg, { state: 'idle', step: 0, steps: 0, lastLoss: Number.NaN, stepsPerSec: 0, avgStepsPerSec: 0, trainMs: 0, diagMs: 0, parameters: 0, val: [], stats: null, final: null, samples: [], log: [], model: null, threads: 1, threadsNote: null });
  renderKernelsNote();
  $('sat-table').querySelector('tbody')!.replaceChildren();
  $('samples').replaceChildren();
  $('sample-note').textContent = 'train a model or load one, then sample';
  $('model-info').textContent = 'no model yet';
  $('hist-step').textContent = 'histograms at the latest statistics step';
  $('lr-now').textContent = '–';
  $('summary').hidden = true;
  explorer.modelChanged(false);
  renderStatus();
}

$('tour-run').addEventListener('click', () => renderStatus()); // after the tour's own listener: Start waits
/** The controls' run config, or null after showing what is wrong with them. */
function readConfigOrShow(): RunConfig | null {
  try {
    return readConfig();
  } catch (e) {
    showError((e as Error).message);
    return null;
  }
}

$('config').addEventListener('submit', (ev) => {
  ev.preventDefault();
  clearError();
  if (pg.tour.running) {
    showError('the tour is replaying the notebook: stop it first (its Stop button)');
    return;
  }
  const config = readConfigOrShow();
  if (config === null) return;
  // Restarting throws the current run away (Enter in any field submits too): ask first.
  if (hasRun() && !window.confirm(`Restart? The current run (step ${fmtInt(pg.step)} of ${fmtInt(pg.steps)}) will be lost.`)) return;
  resetView();
  pg.run = ++lastRun;
  pg.state = 'running';
  pg.steps = config.train.steps;
  freshSamples = true;
  send({ type: 'start', run: pg.run, config });
  renderStatus();
});
$('continue').addEventListener('click', () => {
  clearError();
  const loaded = pg.model;
  if (loaded === null || !loaded.resumable) return;
  const config = readConfigOrShow();
  if (config === null) return;
  if (config.train.steps <= loaded.step) {
    showError(`${loaded.name} has trained ${fmtInt(loaded.step)} steps: set Steps to a larger total to continue`);
    return;
  }
  if (hasRun() && pg.final === null && !window.confirm(`Continue the loaded model? The current run (step ${fmtInt(pg.step)} of ${fmtInt(pg.steps)}) will be lost.`)) return;
  // The loaded curves stay; the new steps are drawn after them.
  lossChart.continueAt(loaded.step);
  Object.assign(pg, { step: loaded.step, steps: config.train.steps, lastLoss: Number.NaN, final: null, stepsPerSec: 0, avgStepsPerSec: 0, trainMs: 0, diagMs: 0 });
  $('summary').hidden = true;
  explorer.modelChanged(false);
  pg.run = ++lastRun;
  pg.state = 'running';
  pg.log.push(`continuing ${loaded.name} from step ${loaded.step} to ${config.train.steps}`);
  freshSamples = true;
  send({ type: 'continue', run: pg.run, config });
  renderStatus();
});
$('pause').addEventListener('click', () => {
  if (pg.state !== 'running') return;
  pg.state = 'paused';
  send({ type: 'pause' });
  renderStatus();
});
$('resume').addEventListener('click', () => {
  if (pg.state !== 'paused') return;
  pg.state = 'running';
  pg.model = null; // the worker samples the run's model again
  send({ type: 'resume' });
  renderStatus();
});
$('reset').addEventListener('click', () => {
  pg.run = 0;
  send({ type: 'reset' });
  clearError();
  resetView();
});

input('skip').addEventListener('input', () => {
  const n = Number(input('skip').value);
  if (Number.isFinite(n) && n >= 0) lossChart.setSkip(n);
});
select('kernels').addEventListener('change', renderKernelsNote);
select('model-type').addEventListener('change', () => {
  if (familyChoice() !== null) fillFamilyDefaults();
  showModelFields();
});
select('norm').addEventListener('change', () => {
  const kind = kinds.find((k) => k.norm === select('norm').value);
  if (kind === undefined) return;
  // A kind with a fixed number of hidden layers (the notebook model: one) disables the field.
  input('layers').disabled = kind.fixedLayers !== undefined;
  if (kind.fixedLayers !== undefined) input('layers').value = String(kind.fixedLayers);
  $('init-row').hidden = !fieldsOf(kind).init;
  showPresetRow();
});
/** The preset select: where the kind reads preset options, or while it names the WaveNet architecture. */
function showPresetRow(): void {
  const kind = kinds.find((k) => k.norm === select('norm').value);
  $('preset-row').hidden = !((kind !== undefined && fieldsOf(kind).preset) || select('preset').value === 'wavenet');
}
// The WaveNet preset fills in the lecture's shape and seed (each stays editable).
select('preset').addEventListener('change', () => {
  showPresetRow();
  if (select('preset').value !== 'wavenet') return;
  const w = ARCH_PRESETS.wavenet;
  select('norm').value = w.norm;
  select('norm').dispatchEvent(new Event('change'));
  for (const [id, v] of [['block', w.blockSize], ['embed', w.embedDim], ['hidden', w.hidden], ['layers', w.layers], ['seed', w.seed]] as const) input(id).value = String(v);
  input('seed').dispatchEvent(new Event('change'));
});
input('seed').addEventListener('change', () => {
  const s = Number(input('seed').value);
  if (Number.isSafeInteger(s)) input('sample-seed').value = String(s + 10);
});
select('data-source').addEventListener('change', () => {
  if (select('data-source').value === 'bundled') loadData({ kind: 'bundled' });
  else input('data-file').click();
});
input('data-file').addEventListener('change', () => {
  const f = input('data-file').files?.[0];
  if (f) void readWordFile(f);
});

async function readWordFile(f: File): Promise<void> {
  clearError();
  select('data-source').value = 'file';
  loadData({ kind: 'text', name: f.name, text: await f.text() });
}
async function readModelFile(f: File): Promise<void> {
  clearError();
  const bytes = await f.arrayBuffer();
  send({ type: 'load-model', id: nextId++, name: f.name, bytes }, [bytes]);
  freshSamples = true;
}

// Samples: the first draw after training (or loading, or a seed change) is Generator(seed) fresh,
// as `makemore sample --seed`; further clicks continue the same stream.
let freshSamples = true;
input('sample-seed').addEventListener('change', () => { freshSamples = true; });
$('sample-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  clearError();
  try {
    const count = int('sample-count', 'count', 1);
    const temperature = num('temperature', 'temperature');
    const seed = int('sample-seed', 'sample seed', Number.MIN_SAFE_INTEGER);
    send({ type: 'sample', id: nextId++, count, temperature, prefix: input('prefix').value.trim(), seed, fresh: freshSamples });
    freshSamples = false;
  } catch (e) {
    showError((e as Error).message);
  }
});
$('download').addEventListener('click', () => send({ type: 'export', id: nextId++ }));
$('load').addEventListener('click', () => input('model-file').click());
input('model-file').addEventListener('change', () => {
  const f = input('model-file').files?.[0];
  if (f) void readModelFile(f);
  input('model-file').value = '';
});

// Drop a word list or a model anywhere.
document.addEventListener('dragover', (ev) => {
  ev.preventDefault();
  document.body.classList.add('dropping');
});
document.addEventListener('dragleave', () => document.body.classList.remove('dropping'));
document.addEventListener('drop', (ev) => {
  ev.preventDefault();
  document.body.classList.remove('dropping');
  const f = ev.dataTransfer?.files[0];
  if (!f) return;
  if (f.name.endsWith('.safetensors')) void readModelFile(f);
  else void readWordFile(f);
});

renderStatus();
