// Evaluation over worker threads (Node): a split's rows cut into slices, each slice's per-row
// losses computed by a thread holding a copy of the model (the same kernels, so the same numbers;
// a row's loss does not depend on the rows evaluated with it in eval mode), the slices joined in
// row order and averaged as one F.cross_entropy over the split (train/evaluate.ts meanLoss). So
// the result is splitLoss's bit for bit, on every core. The main thread takes the first slice.
// A worker's start (its wasm module compiled) takes 0.2–0.5 s: start the pool before the work
// that comes first (training), and it is ready when the evaluation comes.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { datasetRows, type Dataset } from '../data/index.js';
import { MakemoreError } from '../errors.js';
import { kernels, type WasmBackend } from '../kernels/index.js';
import type { LanguageModel } from '../model/index.js';
import { meanLoss, splitLoss, splitRowLosses, wholeSplit, type RowLosses } from '../train/index.js';
import type { EvalJob, EvalReply, ReadyMessage, WorkerBackend } from './evalWorker.js';

/** Below this many rows a split is evaluated on the main thread alone: sending the model and the rows would cost more than it saves. */
export const THREADED_EVAL_MIN_ROWS = 8192;

/** The cores this process may use. */
export function defaultThreads(): number {
  return availableParallelism();
}

interface Pending {
  resolve(r: RowLosses): void;
  reject(e: Error): void;
  rows: string;
}

/** A worker thread and the requests it has not answered yet. */
class EvalWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;
  private nextId = 0;
  /** Resolves when the thread has loaded its kernels (or has failed). */
  readonly ready: Promise<void>;

  constructor(backend: WorkerBackend) {
    this.worker = new Worker(new URL('./evalWorker.js', import.meta.url), { workerData: { backend } });
    this.worker.unref(); // an idle pool never keeps the process alive
    let loaded = (): void => {};
    this.ready = new Promise((resolve) => { loaded = resolve; });
    this.worker.on('message', (reply: EvalReply | ReadyMessage) => {
      if ('ready' in reply) { loaded(); return; }
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('error' in reply) p.reject(new MakemoreError(`evaluating ${p.rows} of the split: ${reply.error}`));
      else p.resolve({ nll: reply.nll, kept: reply.kept });
    });
    this.worker.on('error', (e) => this.fail(`a thread failed: ${e.message}`));
    this.worker.on('exit', (code) => this.fail(`the thread stopped (exit code ${code})`));
  }

  /** The losses of `part` (`rows` of the split, for messages: positions in them count from its first row). */
  losses(job: Omit<EvalJob, 'id' | 'X' | 'xShape' | 'Y' | 'yShape'>, part: Dataset, rows: string): Promise<RowLosses> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    const X = part.X.intData.slice(), Y = part.Y.intData.slice();
    const full: EvalJob = { ...job, id, X, xShape: [...part.X.shape], Y, yShape: [...part.Y.shape] };
    if (this.pending.size === 0) this.worker.ref(); // an answer is awaited: keep the process alive for it
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, rows });
      this.worker.postMessage(full, [X.buffer as ArrayBuffer, Y.buffer as ArrayBuffer]);
    });
  }

  /** Waits for the thread's start, keeping the process alive meanwhile. */
  async started(): Promise<void> {
    this.worker.ref();
    try {
      await Promise.race([this.ready, new Promise<void>((resolve) => this.worker.once('exit', () => resolve()))]);
    } finally {
      if (this.pending.size === 0) this.worker.unref();
    }
  }

  private fail(why: string): void {
    this.failure ??= new MakemoreError(`evaluation: ${why}`);
    for (const [, p] of this.pending) p.reject(new MakemoreError(`evaluating ${p.rows} of the split: ${why}`));
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.failure ??= new MakemoreError('evaluation: the thread pool is closed');
    await this.worker.terminate();
  }
}

/**
 * Worker threads for evaluation, `threads − 1` of them beside the main thread, on the kernels
 * active when it starts (the exact wasm ones, fast mode's, or JS).
 */
export class EvalPool {
  private readonly workers: EvalWorker[];

  private constructor(readonly threads: number) {
    const k = kernels();
    const backend: WorkerBackend = k.name === 'wasm' ? ((k as WasmBackend).variant === 'fast' ? 'fast' : 'wasm') : 'js';
    this.workers = Array.from({ length: Math.max(0, threads - 1) }, () => new EvalWorker(backend));
  }

  /** Starts `threads − 1` workers now (default: one per core beyond this one); 1: none. */
  static start(threads = defaultThreads()): EvalPool {
    if (!Number.isInteger(threads) || threads < 1) throw new MakemoreError(`threads must be a positive integer, got ${threads}`);
    return new EvalPool(threads);
  }

  /** Resolves when every thread has loaded its kernels (a benchmark waits for it before timing anything else). */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.started()));
  }

  /** splitLoss(model, data), the same number, with the rows shared out over the threads where that pays. */
  async splitLoss(model: LanguageModel, data: Dataset, minRows = THREADED_EVAL_MIN_ROWS): Promise<number> {
    const n = data.Y.shape[0];
    const threads = Math.min(this.workers.length + 1, n);
    // a model that normalises with the whole split's statistics, or whose hooks must see every forward, stays here
    if (threads <= 1 || n < minRows || wholeSplit(model) || model.hasHooks()) return splitLoss(model, data);
    const job = { config: model.config, state: stateOf(model) };
    const bounds = Array.from({ length: threads + 1 }, (_, i) => Math.round((i * n) / threads));
    const others = this.workers.slice(0, threads - 1).map((w, i) => w.losses(job, datasetRows(data, bounds[i + 1], bounds[i + 2]), `rows ${bounds[i + 1]}–${bounds[i + 2] - 1}`));
    const settled = Promise.allSettled(others); // a worker's error is raised below, after the main slice
    const mine = splitRowLosses(model, data, 0, bounds[1]);
    const results = await settled;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return meanLoss(joinLosses([mine, ...results.map((r) => (r as PromiseFulfilledResult<RowLosses>).value)]));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/** splitLoss on `threads` threads (default: every core), with a pool of its own. */
export async function splitLossThreads(model: LanguageModel, data: Dataset, options: { threads?: number; minRows?: number } = {}): Promise<number> {
  const pool = EvalPool.start(Math.min(options.threads ?? defaultThreads(), Math.max(1, data.Y.shape[0])));
  try {
    return await pool.splitLoss(model, data, options.minRows);
  } finally {
    await pool.close();
  }
}

/** Every parameter and buffer, copied (a model rebuilt from its config takes them). */
function stateOf(model: LanguageModel): EvalJob['state'] {
  return [...model.stateDict()].map(([name, t]) => ({ name, shape: [...t.shape], dtype: t.dtype, data: t.dtype === 'int32' ? t.intData.slice() : t.floatData.slice() }));
}

/** The slices' losses as one split's, in row order. */
function joinLosses(parts: RowLosses[]): RowLosses {
  const total = parts.reduce((s, p) => s + p.nll.length, 0);
  const nll = parts[0].nll instanceof Float32Array ? new Float32Array(total) : new Float64Array(total);
  const kept = parts[0].kept === null ? null : new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    nll.set(p.nll, at);
    if (kept !== null) kept.set(p.kept!, at);
    at += p.nll.length;
  }
  return { nll, kept };
}
