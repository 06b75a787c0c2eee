// Fast mode's training step on every core: the notebook model's step split over threads by hidden
// unit (assembly/threadedStep.ts), on one shared WebAssembly.Memory of its own. The threads are
// the platform's (Node's worker_threads: parallel/stepThreads.ts; a browser's Web Workers when the
// page is cross-origin isolated): the caller passes a function that starts one.
//
// The model's tensors stay where they are (the backend's memory). The shared memory holds the
// training examples, a copy of the parameters laid out per thread, and a mirror in the model's
// layout. A step leaves its results in the threads' slices and defers the copy out (slices →
// mirror → the model's tensors, 12k floats) until something reads a tensor (Storage.defer): an
// evaluation, a checkpoint, statistics, the end of training read a current model without knowing
// that threads trained it, and the steps in between copy nothing (copying after every step cost
// about 10 µs of a 60 µs step on a 2-core AMD VM, most of it cache lines moving between the
// cores). Before a step the model's tensors are copied in again if anything wrote them since
// (loadStateDict, a resumed optimizer).
import { MakemoreError } from '../errors.js';
import { kernels, type WasmBackend } from '../kernels/index.js';
import { CTL_BYTES, CTL_EPS, CTL_LR, CTL_NTHREADS, CTL_RELOAD, CTL_SPINS, instantiateThreaded, threadedStepModule, type StepWorkerData, type ThreadedStepExports } from '../kernels/wasm/threads.js';
import type { Storage, Tensor } from '../tensor/index.js';
import type { LanguageModel } from './kind.js';
import { NotebookMLP } from './kinds/notebook.js';
import type { FusedTrainStep } from './notebookFused.js';

export type { StepWorkerData } from '../kernels/wasm/threads.js';

/**
 * A started thread. It instantiates the module on the memory, says it is ready, then calls
 * threadedStepWorker(ctl, plan), which returns when the step is closed.
 */
export interface StepThread {
  /** Resolves once the thread has its instance; rejects if it failed to start. */
  readonly ready: Promise<void>;
  /** Resolves when the thread has left threadedStepWorker (after close). */
  ended(): Promise<void>;
  /** Stops a thread that failed to start. */
  terminate(): void;
}

/** Starts one thread (Node: a worker_threads Worker; a browser: a Web Worker). */
export type SpawnStepThread = (data: StepWorkerData) => StepThread;

// plan slots and block sizes, as assembly/threadedStep.ts
const PLAN_SLOTS = 44, THREAD_META_BYTES = 96;
/**
 * How long a thread spins at a barrier before it sleeps there (Atomics.wait), in µs. Set as a
 * time, not a count: the 8,192 polls tuned on the Intel VM (10–20 µs there) last about 8 µs on the
 * AMD one (1,050 polls a µs), where a thread then slept at every step start: a 2-thread step took
 * 82–99 µs, against 62–67 µs with 40 µs of spinning. Spinning much longer made a step 2–3× slower
 * when another process held a core (a spinning thread keeps its partner off the CPU).
 */
const SPIN_US = 40;

/** Polls that take about `us` µs on this CPU: the best of a few timed runs of the barrier's poll loop. */
function pollsFor(wasm: ThreadedStepExports, ctl: number, us: number): number {
  const n = 1 << 16;
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    wasm.spinPolls(ctl, n);
    best = Math.min(best, performance.now() - t0);
  }
  const perUs = n / Math.max(best * 1000, 1);
  return Math.round(Math.min(1 << 24, Math.max(1024, us * perUs)));
}

const P = {
  X: 0, Y: 1, IX: 2, ROWS: 3, XB: 4, YB: 5, EMB: 6, PLOGITS: 7, PDEMB: 8, DEMB: 9, C: 10, B2: 11, GC: 12, GB2: 13,
  MW1: 14, MB1: 15, MW2: 16, MGAIN: 17, MBIAS: 18, MRMEAN: 19, MRSTD: 20,
  T: 21, H0: 22, HT: 23, W1: 24, B1: 25, W2: 26, GAIN: 27, BIAS: 28, RMEAN: 29, RSTD: 30,
  GW1: 31, GB1: 32, GW2: 33, GGAIN: 34, GBIAS: 35, WS: 36, PACK: 37, META: 38,
  NB: 39, NK: 40, NE: 41, NH: 42, NV: 43,
} as const;

/** Hidden units per thread at least: below this a thread's share is not worth a barrier. */
const MIN_UNITS_PER_THREAD = 16;

/** Bump allocation of 16-byte-aligned blocks above the module's static data. */
class Layout {
  constructor(private top: number) { this.top = Math.ceil(top / 16) * 16; }
  take(bytes: number): number { const at = this.top; this.top += Math.ceil(Math.max(bytes, 4) / 16) * 16; return at; }
  get end(): number { return this.top; }
}

/** The threads' first hidden units: `threads + 1` boundaries in steps of 4 (SIMD width). */
function boundaries(hidden: number, threads: number): number[] {
  const cuts = [0];
  for (let t = 1; t < threads; t++) cuts.push(Math.round((t * hidden) / threads / 4) * 4);
  cuts.push(hidden);
  return cuts;
}

/** How many threads the step would use for `model` (1: no split). */
export function stepThreadsFor(model: LanguageModel, threads: number): number {
  if (!(model instanceof NotebookMLP)) return 1;
  return Math.max(1, Math.min(threads, Math.floor(model.config.hidden / MIN_UNITS_PER_THREAD)));
}

/**
 * How the step is scheduled: 'threads' (every slice on its thread), 'solo' (every slice on the
 * caller's thread, the others parked: for when other work holds the cores and a barrier would wait
 * for a thread that is off the CPU) or 'auto' (the faster of the two, timed as it trains). The
 * numbers are the same in both: each slice runs the same code and the sums over slices keep their order.
 */
export type StepSchedule = 'auto' | 'threads' | 'solo';

/** Steps per timed window of the 'auto' schedule (about 5 ms). */
const WINDOW = 64;
/**
 * The 'auto' schedule times the other way for one window every so many steps: rarely while the
 * threads are faster (a solo window costs about 2 ms there); while they are not, after 256 steps
 * first (one slow window may have been a passing hiccup: a bench round once ran 94% solo when the
 * wait was 4,096), twice as long after each probe that finds them slower still, up to 4,096.
 */
const PROBE_EVERY = { threads: 8192, soloFirst: 256, soloMost: 4096 };
/**
 * It changes to the other way when that one's last window was this much faster: at once after a
 * probe, and from the threads to the solo way when two of their last three windows were slower.
 * One slow window is mostly a passing hiccup (a garbage collection, the event loop's turn: bench
 * rounds on a quiet machine ran up to 41% solo when one window decided); a process that shares a
 * core slows every window or every other one (it and the thread take turns of a few ms).
 */
const SWITCH_BELOW = 0.9;

/** A training step on several threads; `close()` ends them. */
export interface ThreadedStep extends FusedTrainStep {
  readonly threads: number;
  /** 'auto' unless set (tests set 'threads' or 'solo'). */
  schedule: StepSchedule;
  /** Steps that ran with every slice on the caller's thread. */
  readonly soloSteps: number;
  close(): Promise<void>;
}

/**
 * Starts `threads` − 1 threads by `spawn` (the caller's thread is the first) for the notebook model's
 * fast-mode step on the examples (X, Y) in batches of `batchSize`. Null where it does not apply:
 * not the fast wasm backend, not a notebook model, fewer than 2 threads worth starting, a batch of
 * one, or an engine without relaxed SIMD, threads or SharedArrayBuffer.
 */
export async function startNotebookThreadedStep(model: LanguageModel, batchSize: number, X: Tensor, Y: Tensor, threads: number,
  spawn: SpawnStepThread): Promise<ThreadedStep | null> {
  const k = kernels() as Partial<WasmBackend>;
  if (k.name !== 'wasm' || k.fast !== true || !(model instanceof NotebookMLP) || batchSize < 2) return null;
  const nt = stepThreadsFor(model, threads);
  if (nt < 2) return null;
  const { blockSize: K, embedDim: E, hidden: H, vocabSize: V } = model.config;
  if (X.dtype !== 'int32' || Y.dtype !== 'int32' || X.numel !== Y.numel * K) return null;
  const module = threadedStepModule();
  if (module === null) return null;

  const B = batchSize, F = K * E, rows = Y.numel;
  const cuts = boundaries(H, nt);
  // Sizes first (the module's static data sits below heapBase, which needs an instance: one on a
  // one-page memory tells it), then the memory, exactly as large as the layout.
  const probe = instantiateThreaded(module, new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }));
  const layout = new Layout(probe.heapBase());
  const ctl = layout.take(CTL_BYTES);
  const xAt = layout.take(4 * X.numel), yAt = layout.take(4 * rows), ixAt = layout.take(4 * B);
  const shared = {
    XB: layout.take(4 * B * K), YB: layout.take(4 * B), EMB: layout.take(4 * B * F), PLOGITS: layout.take(4 * nt * B * V),
    PDEMB: layout.take(4 * nt * B * F), DEMB: layout.take(4 * B * F), C: layout.take(4 * V * E), B2: layout.take(4 * V),
    GC: layout.take(4 * V * E), GB2: layout.take(4 * V), MW1: layout.take(4 * F * H), MB1: model.b1 === null ? 0 : layout.take(4 * H),
    MW2: layout.take(4 * H * V), MGAIN: layout.take(4 * H), MBIAS: layout.take(4 * H), MRMEAN: layout.take(4 * H), MRSTD: layout.take(4 * H),
  };
  const plans: number[] = [];
  const plansAt = layout.take(4 * nt);
  const planSlots: [number, number][][] = [];
  for (let t = 0; t < nt; t++) {
    const ht = cuts[t + 1] - cuts[t];
    const own = {
      W1: layout.take(4 * F * ht), B1: model.b1 === null ? 0 : layout.take(4 * ht), W2: layout.take(4 * ht * V),
      GAIN: layout.take(4 * ht), BIAS: layout.take(4 * ht), RMEAN: layout.take(4 * ht), RSTD: layout.take(4 * ht),
      GW1: layout.take(4 * F * ht), GB1: model.b1 === null ? 0 : layout.take(4 * ht), GW2: layout.take(4 * ht * V),
      GGAIN: layout.take(4 * ht), GBIAS: layout.take(4 * ht), WS: layout.take(4 * probe.threadedWorkspace(B, ht, V)),
      PACK: layout.take(4 * Math.max(ht * V, F * ht)), META: layout.take(THREAD_META_BYTES),
    };
    const plan = layout.take(4 * PLAN_SLOTS);
    plans.push(plan);
    const slots = { X: xAt, Y: yAt, IX: ixAt, ROWS: rows, ...shared, T: t, H0: cuts[t], HT: ht, ...own, NB: B, NK: K, NE: E, NH: H, NV: V };
    planSlots.push(Object.entries(slots).map(([name, value]) => [P[name as keyof typeof P], value]));
  }
  const pages = Math.ceil(layout.end / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const wasm = instantiateThreaded(module, memory);
  const buf = memory.buffer;
  plans.forEach((plan, t) => {
    const view = new Uint32Array(buf, plan, PLAN_SLOTS);
    for (const [i, v] of planSlots[t]) view[i] = v;
  });
  new Uint32Array(buf, plansAt, nt).set(plans);
  new Int32Array(buf, xAt, X.numel).set(X.intData);
  new Int32Array(buf, yAt, rows).set(Y.intData);
  const ctl32 = new Int32Array(buf, ctl, CTL_BYTES / 4);
  const ctl64 = new Float64Array(buf, ctl, CTL_BYTES / 8);
  ctl32[CTL_NTHREADS] = nt;
  ctl32[CTL_SPINS] = pollsFor(wasm, ctl, SPIN_US);
  ctl64[CTL_EPS] = model.config.bnEps ?? 0;

  const workers = plans.slice(1).map((plan) => spawn({ module, memory, ctl, plan }));
  try {
    await Promise.all(workers.map((w) => w.ready));
  } catch (e) {
    for (const w of workers) w.terminate();
    throw new MakemoreError(`fast mode's training threads did not start: ${(e as Error).message}`);
  }
  return new SharedStep(model, wasm, memory, ctl, plans[0], plansAt, ixAt, shared, workers, B, K);
}

class SharedStep implements ThreadedStep {
  readonly threads: number;
  /**
   * Each model tensor; its mirror in the shared memory (which never grows: views made once); its
   * storage's version after this step last wrote it; the storage the last step deferred its copy out
   * on, until that copy runs (a tensor given new storage since is not overwritten).
   */
  private readonly tensors: { t: Tensor; mirror: Float32Array; version: number; owed: Storage | null }[];
  /** The threads' parameters into the owed storages: run by the first read of any of them. */
  private readonly copyOut: () => void;
  private readonly ctl32: Int32Array;
  private readonly ctl64: Float64Array;
  private readonly ix: Int32Array;
  private closed = false;
  schedule: StepSchedule = 'auto';
  soloSteps = 0;
  private readonly auto = new AutoSchedule();

  constructor(model: NotebookMLP, private readonly wasm: ThreadedStepExports, private readonly memory: WebAssembly.Memory,
    private readonly ctl: number, private readonly plan: number, private readonly plansAt: number, ixAt: number,
    shared: { C: number; B2: number; MW1: number; MB1: number; MW2: number; MGAIN: number; MBIAS: number; MRMEAN: number; MRSTD: number },
    private readonly workers: StepThread[], private readonly batch: number, private readonly block: number) {
    this.threads = workers.length + 1;
    const m = model, buf = memory.buffer;
    const pairs: [Tensor | null, number][] = [[m.C, shared.C], [m.W1, shared.MW1], [m.b1, shared.MB1], [m.W2, shared.MW2], [m.b2, shared.B2],
      [m.bngain, shared.MGAIN], [m.bnbias, shared.MBIAS], [m.bnmeanRunning, shared.MRMEAN], [m.bnstdRunning, shared.MRSTD]];
    // version −1: the first step copies the model's tensors in
    this.tensors = pairs.filter((p): p is [Tensor, number] => p[0] !== null)
      .map(([t, at]) => ({ t, mirror: new Float32Array(buf, at, t.numel), version: -1, owed: null }));
    this.copyOut = () => {
      this.wasm.threadedStepPublish(this.ctl, this.plansAt);
      for (const entry of this.tensors) {
        const s = entry.owed;
        if (s === null) continue;
        entry.owed = null;
        s.defer(null);
        s.data.set(entry.mirror);
      }
    };
    this.ctl32 = new Int32Array(buf, ctl, CTL_BYTES / 4);
    this.ctl64 = new Float64Array(buf, ctl, CTL_BYTES / 8);
    this.ix = new Int32Array(buf, ixAt, batch);
  }

  step(ix: Tensor, lr: number): number {
    if (this.closed) throw new Error('threaded step: closed');
    if (ix.numel !== this.batch || ix.dtype !== 'int32') throw new RangeError(`threaded step: built for batches of ${this.batch}, got ${ix.numel}`);
    // The model's tensors, when something other than this step wrote them (or on the first step)
    if (this.tensors.some(({ t, version }) => t.storage.version !== version)) {
      for (const { t, mirror } of this.tensors) mirror.set(t.floatData);
      this.ctl32[CTL_RELOAD] = 1;
    }
    this.ctl64[CTL_LR] = lr;
    this.ix.set(ix.intData);
    const solo = this.schedule === 'auto' ? this.auto.beforeStep() : this.schedule === 'solo';
    let loss: number;
    try {
      loss = solo ? this.wasm.threadedStepSolo(this.ctl, this.plansAt) : this.wasm.threadedStepMain(this.ctl, this.plan);
    } catch (e) {
      // A thread is gone: the others are stopped by the failed flag. The slices may hold a step cut
      // short, and so will the model once it is read: the error says to run again.
      this.closed = true;
      throw new MakemoreError(`fast mode's training threads failed (${(e as Error).message}); run without --fast or with --threads 1`);
    }
    if (loss < 0) throw new MakemoreError(`training data: index at position ${-1 - loss} of a minibatch gather is out of range (a context or target outside the vocabulary)`);
    for (const entry of this.tensors) {
      const s = entry.t.storage;
      entry.owed = s;
      s.defer(this.copyOut);
      s.bumpVersion();
      entry.version = s.version;
    }
    if (solo) this.soloSteps++;
    if (this.schedule === 'auto') this.auto.afterStep();
    else this.auto.restartWindow();
    return loss;
  }

  lastContexts(): Int32Array {
    return new Int32Array(this.memory.buffer, new Uint32Array(this.memory.buffer, this.plan, PLAN_SLOTS)[P.XB], this.batch * this.block);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ended = this.workers.map((w) => w.ended());
    this.wasm.threadedStepQuit(this.ctl);
    await Promise.all(ended);
  }
}

/**
 * The 'auto' schedule: the threads or the solo way, whichever ran faster in its last timed window
 * of WINDOW steps; the other way timed again now and then (PROBE_EVERY). `now`: the clock, in ms.
 */
export class AutoSchedule {
  constructor(private readonly now: () => number = () => performance.now()) {}
  private solo = false;
  /** Which of the threads' last three regular windows were slower than the solo way (bits, newest lowest). */
  private slowWindows = 0;
  private windowLeft = WINDOW;
  private windowStart = 0;
  /** The first window is not timed: the threads' first wake-up and the engine's warm-up. */
  private warm = false;
  private sinceProbe = 0;
  /** Whether the current window times the other way (a probe), and the solo way's wait before its next probe. */
  private probing = false;
  private soloProbeEvery = PROBE_EVERY.soloFirst;
  /** Each way's µs per step in its last window. */
  private readonly usPerStep = { threads: Number.NaN, solo: Number.NaN };

  /** Steps under another schedule: the window they interrupted is not timed. */
  restartWindow(): void {
    this.windowLeft = WINDOW;
    this.warm = false;
  }

  /** Whether the next step runs solo. */
  beforeStep(): boolean {
    if (this.windowLeft === WINDOW) this.windowStart = this.now();
    return this.solo;
  }

  afterStep(): void {
    if (--this.windowLeft > 0) return;
    this.windowLeft = WINDOW;
    if (!this.warm) { this.warm = true; return; }
    const us = ((this.now() - this.windowStart) * 1000) / WINDOW;
    const [mine, other] = this.solo ? ['solo', 'threads'] as const : ['threads', 'solo'] as const;
    this.usPerStep[mine] = us;
    this.sinceProbe += WINDOW;
    const probed = this.probing;
    this.probing = false;
    if (Number.isNaN(this.usPerStep[other]) || this.sinceProbe >= (this.solo ? this.soloProbeEvery : PROBE_EVERY.threads)) {
      if (!this.solo) this.soloProbeEvery = PROBE_EVERY.soloFirst;
      this.solo = !this.solo; // time the other way for a window
      this.sinceProbe = 0;
      this.probing = true;
      return;
    }
    const slower = this.usPerStep[other] < SWITCH_BELOW * us;
    if (!this.solo && !probed) {
      // a regular window of the threads: two slow ones of the last three switch
      this.slowWindows = ((this.slowWindows << 1) | (slower ? 1 : 0)) & 7;
      if ((this.slowWindows & 1) + ((this.slowWindows >> 1) & 1) + (this.slowWindows >> 2) < 2) return;
    } else if (!slower) {
      return;
    }
    this.solo = !this.solo;
    this.sinceProbe = 0;
    this.slowWindows = 0;
    // back to solo after a probe of the threads: wait longer before the next one
    if (this.solo) this.soloProbeEvery = probed ? Math.min(PROBE_EVERY.soloMost, 2 * this.soloProbeEvery) : PROBE_EVERY.soloFirst;
  }
}
