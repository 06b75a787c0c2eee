// The training worker: the library (tensors, models, Trainer) on its WebAssembly SIMD kernels,
// away from the page's thread. See protocol.ts for the messages.
//
// Numbers are the CLI's: seed → Generator → createModel → Trainer on the same generator, the
// same 80/10/10 split (split seed), samples from Generator(seed + 10) by default; for makemore.py's
// family (`train --type`) its split, sampler generator and AdamW, as the CLI runs them.
import namesText from '../../data/names.txt?raw';
import { backendName, kernels, useBackend, useFastBackend, wasmSupported, type WasmBackend } from '../../src/kernels/index.js';
import { threadedStepModule } from '../../src/kernels/wasm/threads.js';
import { startNotebookThreadedStep, stepThreadsFor, type ThreadedStep } from '../../src/model/notebookThreaded.js';
import { BUNDLED_LABEL, parseWords } from '../../src/data/words.js';
import { Vocab } from '../../src/data/vocab.js';
import type { Splits } from '../../src/data/dataset.js';
import { makemoreBlockSize } from '../../src/data/makemore.js';
import { DEFAULT_TRAIN, KIND_OPTIONS, archOfType, createModel, defaultDecayStep, familyTypes, isFamily, modelKind, modelKindChoices, networkLayers, validateModelConfig, type LanguageModel, type ModelConfig } from '../../src/model/index.js';
import { learningRate, validateTrainConfig } from '../../src/model/config.js';
import { decodeModel, encodeModel } from '../../src/model/file.js';
import { Generator } from '../../src/random/index.js';
import { Trainer } from '../../src/train/trainer.js';
import { splitLoss } from '../../src/train/evaluate.js';
import { batchGenerator, modelDatasets, runSplits, runWordSplit } from '../../src/train/data.js';
import { nextCharProbs, sampleWords } from '../../src/sample/index.js';
import { embedding2d } from '../../src/diagnostics/embedding.js';
import { StatsCollector } from '../../src/diagnostics/collector.js';
import { binCenters } from '../../src/diagnostics/stats.js';
import { configRows, diagnosticsFromMetadata, diagnosticsMetadata } from '../../src/diagnostics/record.js';
import { replaySeedNotebook } from '../../src/experiments/seedNotebook.js';
import { thin } from './thin.js';
import { spawnStepThread } from './stepThreads.js';
import type { StepStats } from '../../src/diagnostics/types.js';
import type { DataSource, FamilyChoice, FinalLosses, Request, RunConfig, RunState, StatsPoint, WorkerEvent } from './protocol.js';

/** Milliseconds of training per slice: short enough that pause answers at once, long enough to amortise messages. */
const SLICE_MS = 40;
/** Statistics steps saved in a page model file: 2,001 (200,000 steps, every 100) made a 2.7 MB file for 48 kB of weights. */
const MAX_SAVED_STATS = 50;
const BUNDLED_NAME = 'names.txt';

interface Words {
  name: string;
  bundled: boolean;
  words: string[];
  vocab: Vocab;
  sha256?: string;
}

interface Run {
  /** The page's id of this run, repeated on each of its events. */
  id: number;
  config: RunConfig;
  data: Words;
  splits: Splits;
  model: LanguageModel;
  g: Generator;
  trainer: Trainer;
  /** Fast mode's step on several threads (closed when the run ends, fails, is reset or replaced), or null. */
  threads: ThreadedStep | null;
  collector: StatsCollector | null;
  state: RunState;
  /** The step it started at: 0, or a loaded model's step when it continues that run (as --resume). */
  startStep: number;
  /** First step not yet sent to the page (absolute). */
  sent: number;
  trainMs: number;
  diagMs: number;
  val: { step: number; loss: number }[];
  stats: StepStats[];
  newVal: { step: number; loss: number }[];
  newStats: StatsPoint[];
  log: string[];
  final?: FinalLosses;
}

const post = (e: WorkerEvent, transfer: Transferable[] = []): void => {
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(e, transfer);
};

let data: Words | null = null;
let run: Run | null = null;
/** The model sampled from and exported: the run's, or one loaded from a file. */
let current: { model: LanguageModel; vocab: Vocab; name: string; fileInfo?: Parameters<typeof encodeModel>[2] } | null = null;
let sampler: { seed: number; g: Generator; draw: number; model: LanguageModel } | null = null;
/** The guided tour's replay while it runs (one at a time; training waits for it). */
let tour: { id: number; stop: boolean } | null = null;

// A zero-delay yield between slices (setTimeout(0) is clamped to 4 ms once nested), through
// which the page's messages (pause, sample) get their turn.
const channel = new MessageChannel();
channel.port1.onmessage = () => slice();
const scheduleSlice = (): void => channel.port2.postMessage(null);

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function sha256Hex(text: string): Promise<string | undefined> {
  if (typeof crypto === 'undefined' || crypto.subtle === undefined) return undefined;
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function loadData(source: DataSource): Promise<Words> {
  const bundled = source.kind === 'bundled';
  const name = bundled ? BUNDLED_NAME : source.name;
  const words = parseWords(bundled ? namesText : source.text, name);
  const vocab = Vocab.fromWords(words);
  // The CLI's data_sha256: sha256 of the words joined by "\n" (resume checks it).
  return { name, bundled, words, vocab, sha256: await sha256Hex(words.join('\n')) };
}

function lossLine(step: number, steps: number, loss: number): string {
  return `${String(step).padStart(7)}/${String(steps).padStart(7)}: ${loss.toFixed(4)}`;
}

function statsPoint(s: StepStats): StatsPoint {
  return {
    step: s.step,
    lr: s.lr,
    activations: s.activations.map((a) => ({ layer: a.layer, mean: a.mean, std: a.std, saturation: a.saturation, centers: binCenters(a.hist), density: a.hist.density })),
    updates: s.updates.map((u) => ({ name: u.name, shape: u.shape, weight: u.shape.length === 2 && u.shape[0] > 1 && u.shape[1] > 1, log10: u.log10 })),
  };
}

/** What a run continues from: a loaded model file's model, generator and step (as `train --resume`). */
interface Resumed {
  model: LanguageModel;
  g: Generator;
  startStep: number;
}

/** The page's Kernels choice; 'fast': fast mode where the browser has relaxed SIMD, else the exact kernels. */
function chooseKernels(backend: RunConfig['backend']): void {
  if ((backend as string) !== 'fast' || useFastBackend() === null) useBackend((backend as string) === 'fast' ? 'auto' : backend);
}

/** The cores the browser reports (navigator.hardwareConcurrency): fast mode's threads where it splits the step. */
const cores = Math.max(1, navigator.hardwareConcurrency || 1);

/**
 * Why fast mode's step cannot use several threads in this browser, or null when it can. A shared
 * WebAssembly.Memory can only be posted to other workers where the page is cross-origin isolated
 * (COOP/COEP headers); the threaded module also needs relaxed SIMD and wasm threads.
 */
function threadsUnavailable(): string | null {
  if (!globalThis.crossOriginIsolated) return 'the page is not cross-origin isolated';
  if (cores < 2) return 'the browser reports one core';
  if (threadedStepModule() === null) return 'this browser has no WebAssembly threads or relaxed SIMD';
  return null;
}

/** Every step before this one in another thread was closed (at most one threaded step runs at a time). */
let closing: Promise<void> = Promise.resolve();

/** Ends a run's threads: they leave their wait in wasm and their workers close. */
function closeThreads(r: Run | null): void {
  const step = r?.threads;
  if (r == null || step == null) return;
  r.threads = null;
  closing = Promise.all([closing, step.close()]).then(() => undefined, (e: unknown) => post({ type: 'error', message: `closing the training threads: ${message(e)}` }));
}

/**
 * Fast mode's step on `cores` threads for this run, where the page asked for fast mode and it
 * applies: the step the trainer takes (no statistics hook), the notebook model, an isolated page.
 * The one-thread case says why (the page shows it next to the Kernels choice).
 */
async function startThreads(config: RunConfig, model: LanguageModel, train: Splits['train'], statistics: boolean): Promise<{ step: ThreadedStep | null; note: string | null }> {
  if ((config.backend as string) !== 'fast') return { step: null, note: null };
  const one = (why: string) => ({ step: null, note: `fast mode on one thread: ${why}` });
  if ((kernels() as Partial<WasmBackend>).fast !== true) return one('this browser has no WebAssembly relaxed SIMD (exact kernels)');
  const why = threadsUnavailable();
  if (why !== null) return one(why);
  if (statistics) return one('layer statistics need each step\'s tensors (Stats every 0 splits the step)');
  if (stepThreadsFor(model, cores) < 2) return one('only the notebook model\'s step is split');
  try {
    const step = await startNotebookThreadedStep(model, config.train.batchSize, train.X, train.Y, cores, spawnStepThread);
    return step === null ? one('this run\'s step is not split') : { step, note: `fast mode on ${step.threads} threads (the step split by hidden unit)` };
  } catch (e) {
    return one(message(e));
  }
}

async function start(id: number, config: RunConfig, from?: Resumed): Promise<void> {
  if (data === null) throw new Error('no word list loaded yet');
  stop();
  chooseKernels(config.backend);
  const words = data;
  const modelCfg: ModelConfig = from?.model.config ?? { vocabSize: words.vocab.size, ...config.model };
  // makemore.py's family reads whole words: its block is the longest word + 1 (as `train --type`)
  if (from === undefined && isFamily(modelCfg)) modelCfg.blockSize = makemoreBlockSize(words.words);
  if (from === undefined) {
    // As the CLI: the options the kind reads, then its defaults for those left open.
    const kind = modelKind(modelCfg);
    for (const option of KIND_OPTIONS) if (!kind.options.includes(option)) delete modelCfg[option];
    Object.assign(modelCfg, { ...kind.defaults?.(modelCfg), ...modelCfg });
  }
  validateModelConfig(modelCfg);
  validateTrainConfig(config.train);
  // As the CLI: one generator seeded `seed` draws makemore.py's split (torch.randperm), then the
  // parameters; the minibatches come from it, or from makemore.py's sampler generator it seeds.
  // A continued run's generator is the saved minibatch one, and its split is drawn afresh.
  const seeded = from === undefined ? new Generator(config.train.seed) : undefined;
  const split = runWordSplit(words.words, config.train, seeded, words.name);
  const model = from?.model ?? createModel(modelCfg, seeded!);
  const g = from?.g ?? batchGenerator(seeded!, config.train);
  const splits = modelDatasets(split, words.vocab, model);
  if (config.train.batchSize > splits.train.Y.shape[0]) {
    throw new Error(`batch size ${config.train.batchSize} is larger than the ${splits.train.Y.shape[0]} training examples`);
  }
  const startStep = from?.startStep ?? 0;
  const steps = config.train.steps;
  const last = steps - 1;
  const collector = config.statsEvery > 0 ? new StatsCollector(model) : null;
  // Never two threaded steps at once: the run this one replaces gives its threads back first.
  closeThreads(run);
  await closing;
  const threads = await startThreads(config, model, splits.train, collector !== null);
  const r: Run = {
    id, config, data: words, splits, model, g, collector, threads: threads.step, state: 'running', startStep, sent: startStep, trainMs: 0, diagMs: 0,
    val: [], stats: [], newVal: [], newStats: [], log: [],
    trainer: undefined as unknown as Trainer,
  };
  const evaluate = (step: number): void => {
    const t0 = performance.now();
    const p = { step, loss: splitLoss(model, splits.val) };
    r.val.push(p);
    r.newVal.push(p);
    r.diagMs += performance.now() - t0;
  };
  r.trainer = new Trainer(model, splits.train, config.train, g, {
    afterBackward: collector === null ? undefined : ({ step, lr, loss }) => {
      if (step % config.statsEvery !== 0 && step !== last) return;
      const t0 = performance.now();
      const s = collector.capture(step, lr, loss);
      r.stats.push(s);
      r.newStats.push(statsPoint(s));
      r.diagMs += performance.now() - t0;
    },
    onStep: ({ step, loss }) => {
      if (step % 10000 === 0) r.log.push(lossLine(step, steps, loss));
      if (config.evalEvery > 0 && ((step + 1) % config.evalEvery === 0 || step === last)) evaluate(step + 1);
    },
  }, { startStep, fusedStep: threads.step ?? undefined });
  if (threads.step !== null && r.trainer.fusedStep !== threads.step) {
    // The trainer takes autograd's step (another optimizer): the threads would only wait.
    closeThreads(r);
    threads.note = 'fast mode on one thread: this run\'s update is not plain SGD';
  }
  if (config.evalEvery > 0 && from === undefined) evaluate(0);
  run = r;
  current = { model, vocab: words.vocab, name: 'playground' };
  sampler = null;
  post({
    type: 'started', run: id, backend: backendName(), parameters: model.numParameters(), config, dataName: words.name, startStep,
    threads: r.threads?.threads ?? 1, threadsNote: threads.note,
    examples: { train: splits.train.Y.shape[0], val: splits.val.Y.shape[0], test: splits.test.Y.shape[0] },
  });
  scheduleSlice();
}

/** What the page offers of makemore.py's family: each registered type (the registry's), with its kind's choice. */
function familyChoices(): FamilyChoice[] {
  return familyTypes().map((type) => ({ type, arch: archOfType(type), ...modelKindChoices(archOfType(type))[0] }));
}

/**
 * Continue the loaded model's run, as `makemore train --resume file --steps N` does: its model,
 * generator, split seed and schedule; a new total of steps moves the decay to its default (half, wavenet: three quarters) unless
 * the page sets another; learning rates and batch size as the page sets them. The seeds must be
 * the file's (other seeds would be another run).
 */
function continueRun(id: number, config: RunConfig): Promise<void> {
  const info = current?.fileInfo;
  if (current === null || run?.model === current.model || info?.train === undefined || info.generator === undefined) {
    throw new Error('load a model file with its training state (one the page or `makemore train --out` wrote) to continue its run');
  }
  if (data === null || !data.vocab.equals(current.vocab)) throw new Error(`the word list's characters are not the model's (${current.vocab.toString()}): load the list it was trained on`);
  for (const k of ['seed', 'splitSeed'] as const) {
    if (config.train[k] !== info.train[k]) throw new Error(`${k === 'seed' ? 'seed' : 'split seed'} ${config.train[k]} is not the file's (${info.train[k]}); a continued run keeps its random streams`);
  }
  const train = { ...info.train, batchSize: config.train.batchSize, lr: config.train.lr, lrFinal: config.train.lrFinal, steps: config.train.steps, lrDecayStep: config.train.lrDecayStep };
  if (train.steps !== info.train.steps && config.train.lrDecayStep === info.train.lrDecayStep) train.lrDecayStep = defaultDecayStep(train.steps, current.model.config.arch);
  if (info.step >= train.steps) throw new Error(`the model has trained ${info.step} steps already: set Steps to a larger total to continue`);
  if (data.sha256 !== undefined && info.dataSha256 !== undefined && data.sha256 !== info.dataSha256) {
    post({ type: 'error', message: `warning: ${data.name} is not the word list the model was trained on; the split and minibatches differ` });
  }
  const { model } = current;
  const shape = { ...model.config } as Partial<ModelConfig>;
  delete shape.vocabSize;
  return start(id, { ...config, model: shape as RunConfig['model'], train }, { model, g: Generator.fromState(info.generator), startStep: info.step });
}

function stop(): void {
  if (run !== null && run.state === 'running') run.state = 'paused';
}

function progress(r: Run, sliceSteps: number, sliceMs: number, sliceDiag: number): void {
  const res = r.trainer.result();
  const step = res.nextStep;
  const lossLog10 = res.lossLog10.slice(r.sent - r.startStep, step - r.startStep);
  const from = r.sent;
  r.sent = step;
  const pure = r.trainMs - r.diagMs;
  post({
    type: 'progress', run: r.id, state: r.state, step, steps: r.config.train.steps, from, lossLog10,
    lastLoss: res.lastLoss, lr: learningRate(r.config.train, Math.max(0, step - 1)),
    stepsPerSec: sliceSteps > 0 ? (sliceSteps * 1000) / Math.max(1e-3, sliceMs - sliceDiag) : 0,
    avgStepsPerSec: step > r.startStep && pure > 0 ? ((step - r.startStep) * 1000) / pure : 0,
    trainMs: r.trainMs, diagMs: r.diagMs,
    val: r.newVal, stats: r.newStats, log: r.log,
  }, [lossLog10.buffer]);
  r.newVal = [];
  r.newStats = [];
  r.log = [];
}

function slice(): void {
  const r = run;
  if (r === null || r.state !== 'running') return;
  const t = r.trainer;
  const diag0 = r.diagMs;
  const t0 = performance.now();
  const end = t0 + SLICE_MS;
  let n = 0;
  try {
    do {
      t.runStep();
      n++;
    } while (!t.done && performance.now() < end);
  } catch (e) {
    r.trainMs += performance.now() - t0;
    r.state = 'failed';
    closeThreads(r);
    progress(r, n, performance.now() - t0, r.diagMs - diag0);
    post({ type: 'error', run: r.id, message: message(e) });
    return;
  }
  const ms = performance.now() - t0;
  r.trainMs += ms;
  if (t.done) {
    // The page shows "evaluating…" until `done` brings the final losses (about a second on names.txt).
    r.state = 'evaluating';
    closeThreads(r);
    progress(r, n, ms, r.diagMs - diag0);
    finish(r);
    return;
  }
  progress(r, n, ms, r.diagMs - diag0);
  scheduleSlice();
}

function finish(r: Run): void {
  const { model, splits } = r;
  r.final = { train: splitLoss(model, splits.train), val: splitLoss(model, splits.val), test: splitLoss(model, splits.test) };
  r.state = 'done';
  post({ type: 'done', run: r.id, final: r.final, step: r.trainer.result().nextStep });
}

function exportModel(): { bytes: Uint8Array; fileName: string } {
  if (current === null) throw new Error('no model yet: train one or load a file');
  if (run !== null && current.model === run.model) {
    const r = run;
    const step = r.trainer.result().nextStep;
    const res = r.trainer.result();
    const window = 1000;
    const smooth: number[] = [];
    for (let s = 0; s < res.lossLog10.length; s += window) {
      const e = Math.min(res.lossLog10.length, s + window);
      let sum = 0;
      for (let i = s; i < e; i++) sum += res.lossLog10[i];
      smooth.push(sum / (e - s));
    }
    const extra = diagnosticsMetadata({
      title: `playground: ${r.data.name}`,
      config: configRows(r.model, r.config.train),
      numParameters: r.model.numParameters(),
      loss: { startStep: r.startStep, stride: 1, lossLog10: Array.from(res.lossLog10), window, smoothLog10: smooth },
      val: r.val,
      final: r.final,
      stats: thin(r.stats, MAX_SAVED_STATS),
    });
    const bytes = encodeModel(r.model, r.data.vocab, {
      step,
      generator: r.g.getState(),
      train: r.config.train,
      // The bundled list under the CLI's portable label: `makemore eval/report/train --resume` use their own copy.
      data: r.data.bundled ? BUNDLED_LABEL : r.data.name,
      ...(r.data.sha256 !== undefined ? { dataSha256: r.data.sha256 } : {}),
      extra,
    });
    const c = r.model.config;
    const name = isFamily(c) ? `${c.arch}-e${c.embedDim}x${c.layers}` : `${c.norm}-h${c.hidden}x${c.layers}`;
    return { bytes, fileName: `makemore-${name}-step${step}.safetensors` };
  }
  return { bytes: encodeModel(current.model, current.vocab, current.fileInfo ?? { step: 0 }), fileName: current.name };
}

function handle(req: Request): void | Promise<void> {
  switch (req.type) {
    case 'data':
      return loadData(req.source).then((w) => {
        data = w;
        post({ type: 'data-info', name: w.name, words: w.words.length, vocab: w.vocab.toString(), sample: w.words.slice(0, 8) });
      });
    case 'start':
      if (tour !== null) throw new Error('the tour is replaying the notebook: stop it first (its Stop button)');
      return start(req.run, req.config);
    case 'continue':
      if (tour !== null) throw new Error('the tour is replaying the notebook: stop it first (its Stop button)');
      return continueRun(req.run, req.config);
    case 'pause':
      if (run !== null && run.state === 'running') {
        run.state = 'paused';
        post({ type: 'paused', run: run.id, step: run.trainer.result().nextStep });
      }
      return;
    case 'resume':
      if (tour !== null) throw new Error('the tour is replaying the notebook: stop it first (its Stop button)');
      if (run !== null && run.state === 'paused') {
        run.state = 'running';
        if (current?.model !== run.model) {
          current = { model: run.model, vocab: run.data.vocab, name: 'playground' };
          sampler = null;
        }
        scheduleSlice();
      }
      return;
    case 'reset':
      stop();
      closeThreads(run);
      run = null;
      current = null;
      sampler = null;
      post({ type: 'reset' });
      return;
    case 'sample': {
      if (current === null) throw new Error('no model yet: train one or load a file');
      if (req.fresh || sampler === null || sampler.seed !== req.seed || sampler.model !== current.model) {
        sampler = { seed: req.seed, g: new Generator(req.seed), draw: 0, model: current.model };
      }
      sampler.draw++;
      const words = sampleWords(current.model, current.vocab, { count: req.count, generator: sampler.g, temperature: req.temperature, prefix: req.prefix });
      post({ type: 'samples', id: req.id, words, seed: req.seed, draw: sampler.draw });
      return;
    }
    case 'export': {
      const { bytes, fileName } = exportModel();
      const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      post({ type: 'model-file', id: req.id, bytes: ab, fileName }, [ab]);
      return;
    }
    case 'tour':
      return runTour(req.id, req.steps, req.backend);
    case 'next-char': {
      if (current === null) throw new Error('no model yet: train one or load a file');
      const probs = nextCharProbs(current.model, current.vocab, req.prefix, req.temperature);
      post({ type: 'next-char', id: req.id, prefix: req.prefix, temperature: req.temperature, chars: [...current.vocab.itos], probs: Array.from(probs) });
      return;
    }
    case 'inspect':
      if (current === null) throw new Error('no model yet: train one or load a file');
      post(modelView(req.id, current.model, current.vocab));
      return;
    case 'tour-stop':
      if (tour !== null) tour.stop = true;
      return;
    case 'load-model': {
      const saved = decodeModel(new Uint8Array(req.bytes), req.name);
      stop();
      const { model, vocab, info, metadata } = saved;
      current = { model, vocab, name: req.name, fileInfo: info };
      sampler = null;
      let final: FinalLosses | undefined;
      if (data !== null && data.vocab.equals(vocab)) {
        const s = runSplits(data.words, vocab, model, info.train ?? DEFAULT_TRAIN, data.name);
        final = { train: splitLoss(model, s.train), val: splitLoss(model, s.val), test: splitLoss(model, s.test) };
      }
      const diag = diagnosticsFromMetadata(metadata);
      const curves = diag === null ? undefined : { loss: diag.loss, val: diag.val, stats: diag.stats.map(statsPoint) };
      post({
        type: 'model-loaded', id: req.id, name: req.name, step: info.step, train: info.train, parameters: model.numParameters(),
        vocab: vocab.toString(), final, config: { ...model.config }, curves, resumable: info.train !== undefined && info.generator !== undefined,
      });
      return;
    }
  }
}

/**
 * What the explorer draws: the model's parameters and buffers (its own names and shapes) and the embedding table in
 * 2-D. The embedding table is the first parameter of shape vocabulary × embedding (C, or
 * embedding.weight): every kind's first.
 */
function modelView(id: number, model: LanguageModel, vocab: Vocab): WorkerEvent {
  const c = model.config;
  const tensors = [
    ...model.namedParameters().map(([name, t]) => ({ name, shape: [...t.shape], parameter: true })),
    ...model.namedBuffers().map(([name, t]) => ({ name, shape: [...t.shape], parameter: false })),
  ];
  const table = model.parameters().find((p) => p.ndim === 2 && p.shape[0] === c.vocabSize && p.shape[1] === c.embedDim);
  const e = table === undefined ? null : embedding2d(table.data, c.vocabSize, c.embedDim);
  const step = run !== null && run.model === model ? run.trainer.result().nextStep : current?.fileInfo?.step ?? 0;
  return {
    type: 'model-view', id, title: modelKind(c).title(c), step, tensors, layers: networkLayers(model), parameters: model.numParameters(),
    embedding: e === null ? null : { chars: [...vocab.itos], ...e },
  };
}

/**
 * The seed notebook replayed cell by cell (the code of `makemore notebook`, on this page's kernels),
 * on the loaded word list. Training runs are paused meanwhile: both would share one thread.
 */
async function runTour(id: number, steps: number, backend: RunConfig['backend']): Promise<void> {
  if (data === null) throw new Error('the word list is still loading');
  if (tour !== null) throw new Error('the tour is already running');
  if (run !== null && (run.state === 'running' || run.state === 'evaluating')) throw new Error('pause or reset the training run first: the tour needs the worker to itself');
  if (!Number.isInteger(steps) || steps < 1 || steps > 1_000_000) throw new Error(`tour: steps must be a whole number from 1 to 1,000,000, not ${steps}`);
  chooseKernels(backend);
  const t = { id, stop: false };
  tour = t;
  const t0 = performance.now();
  let lastProgress = 0;
  try {
    await replaySeedNotebook(data.words, {
      maxSteps: steps,
      onLine: (cell, line) => post({ type: 'tour-line', id, cell, line }),
      onCell: (cell) => post({ type: 'tour-cell', id, cell }),
      onStep: (cell, step) => {
        const now = performance.now();
        if (now - lastProgress < 100 && step + 1 < steps) return;
        lastProgress = now;
        post({ type: 'tour-progress', id, cell, step: step + 1 });
      },
      shouldStop: () => t.stop,
    });
    post({ type: 'tour-done', id, stopped: t.stop, seconds: (performance.now() - t0) / 1000 });
  } finally {
    tour = null;
  }
}

/** Handles a request; resolves when it is done (errors are posted to the page, never thrown). */
function dispatch(req: Request): Promise<void> {
  // A failed request names itself: its id, or for `start` its run.
  const tag = 'id' in req ? { id: req.id } : req.type === 'start' || req.type === 'continue' ? { run: req.run } : {};
  try {
    const p = handle(req);
    if (p) return p.catch((e: unknown) => post({ type: 'error', ...tag, message: message(e) }));
  } catch (e) {
    post({ type: 'error', ...tag, message: message(e) });
  }
  return Promise.resolve();
}

// A start waits for threads (the old run's to end, the new run's to load): requests that arrive
// meanwhile (pause, reset, another start) wait behind it, in order, so they apply to the run it starts.
let startGate: Promise<void> | null = null;
const startsRun = (req: Request): boolean => req.type === 'start' || req.type === 'continue';

/** Requests after `p` wait for it; the gate opens when it settles (dispatch never rejects). */
function hold(p: Promise<void>): void {
  startGate = p;
  void p.then(() => { if (startGate === p) startGate = null; });
}

self.onmessage = (ev: MessageEvent<Request>) => {
  const req = ev.data;
  if (startGate === null) {
    const p = dispatch(req);
    if (startsRun(req)) hold(p);
    return;
  }
  // Only starts keep the gate shut: a queued tour does not (its tour-stop must reach it).
  hold(startGate.then(() => { const p = dispatch(req); return startsRun(req) ? p : undefined; }));
};

useBackend('auto');
post({
  type: 'ready', backend: backendName(), wasm: wasmSupported(), kinds: modelKindChoices(), family: familyChoices(),
  threads: { cores, unavailable: threadsUnavailable() },
});
