// One evaluation thread (./evalThreads.ts): loads the main thread's kernels when it starts, then
// for each job loads the state into a model of the job's config (built when the config changes),
// computes the per-row losses of the job's rows and posts them back.
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { enableRelaxedSimd, kernels, useBackend, useFastBackend } from '../kernels/index.js';
import { createModel, type LanguageModel, type ModelConfig } from '../model/index.js';
import { Generator } from '../random/index.js';
import { Tensor, type DType } from '../tensor/index.js';
import { splitRowLosses } from '../train/index.js';

/** The main thread's kernels: the exact wasm ones, fast mode's, or JS. */
export type WorkerBackend = 'wasm' | 'fast' | 'js';

export interface EvalJob {
  id: number;
  config: ModelConfig;
  state: { name: string; shape: number[]; dtype: DType; data: Float32Array | Float64Array | Int32Array }[];
  X: Int32Array;
  xShape: number[];
  Y: Int32Array;
  yShape: number[];
}

export type EvalReply = { id: number; nll: Float32Array | Float64Array; kept: Uint8Array | null } | { id: number; error: string };
/** Posted once the kernels are loaded (or failed to load: the jobs then answer with the error). */
export interface ReadyMessage { ready: true }

function useKernels(backend: WorkerBackend): void {
  v8.setFlagsFromString('--no-liftoff'); // as bin/makemore.js: optimized wasm from the start
  enableRelaxedSimd(v8);
  if (backend === 'fast') {
    if (useFastBackend(v8) === null) throw new Error('fast mode\'s kernels are not available in this thread');
  } else useBackend(backend);
  kernels(); // compiled now, while the main thread works
}

// The last job's model, kept for the next job of the same config (the splits of one evaluation
// come one after another): only its state is loaded then. Building one cold took 20–25 ms.
let last: { config: string; model: LanguageModel } | null = null;

function modelFor(config: ModelConfig): LanguageModel {
  const key = JSON.stringify(config);
  if (last?.config !== key) last = { config: key, model: createModel(config, new Generator(0)) }; // its draws are replaced by the state
  return last.model;
}

function run(job: EvalJob): EvalReply {
  const model = modelFor(job.config);
  model.loadStateDict(new Map(job.state.map((t) => [t.name, new Tensor(t.data, t.shape, t.dtype)])));
  const data = { X: new Tensor(job.X, job.xShape, 'int32'), Y: new Tensor(job.Y, job.yShape, 'int32') };
  const { nll, kept } = splitRowLosses(model, data);
  return { id: job.id, nll: nll.slice(), kept }; // a copy off the wasm heap, to transfer
}

const port = parentPort;
if (port !== null) {
  let startError: string | null = null;
  try {
    useKernels((workerData as { backend: WorkerBackend }).backend);
  } catch (e) {
    startError = e instanceof Error ? e.message : String(e);
  }
  port.postMessage({ ready: true } satisfies ReadyMessage);
  port.on('message', (job: EvalJob) => {
    let reply: EvalReply;
    try {
      if (startError !== null) throw new Error(startError);
      reply = run(job);
    } catch (e) {
      reply = { id: job.id, error: e instanceof Error ? e.message : String(e) };
    }
    const buffers = 'nll' in reply ? [reply.nll.buffer, reply.kept?.buffer].filter((b) => b !== undefined) as ArrayBuffer[] : [];
    port.postMessage(reply, buffers);
  });
}
