// The threaded fast module (assembly/threadsIndex.ts, built into ./binaryThreads.ts): the notebook
// model's training step split over threads that share one WebAssembly.Memory. Kept out of
// ./index.ts so only a bundle that starts threads carries it (the playground's training worker
// does; its step workers' bundle keeps none of the embedded wasm).
import { wasmThreadsBase64 } from './binaryThreads.js';

/** The threaded module's exports (addresses are byte offsets into the shared memory). */
export interface ThreadedStepExports {
  heapBase(): number;
  /** Thread 0's step: the loss, or −1 − i for a gather index or target i out of range. */
  threadedStepMain(ctl: number, plan: number): number;
  /** The same step with every thread's slice on the caller's thread (plans: the u32 plan addresses); the same numbers. */
  threadedStepSolo(ctl: number, plans: number): number;
  /** A worker's loop; returns once threadedStepQuit has been called. */
  threadedStepWorker(ctl: number, plan: number): void;
  threadedStepQuit(ctl: number): void;
  /** Every thread's slice of the parameters and running statistics into the mirror (between steps). */
  threadedStepPublish(ctl: number, plans: number): void;
  /** n polls of a barrier that no thread moves (returns false: the generation stayed). */
  spinPolls(ctl: number, n: number): number;
  /** Float32 elements of one thread's workspace for (batch, its hidden units, vocabulary). */
  threadedWorkspace(b: number, ht: number, v: number): number;
}

let cached: WebAssembly.Module | null | undefined;

/**
 * The compiled threaded module, or null where this engine cannot run it: no relaxed SIMD (on
 * Node 20 call enableRelaxedSimd first), no threads or no SharedArrayBuffer (a browser page that is
 * not cross-origin isolated).
 */
export function threadedStepModule(): WebAssembly.Module | null {
  if (cached !== undefined) return cached;
  let module: WebAssembly.Module | null = null;
  try {
    if (typeof SharedArrayBuffer === 'function') {
      const s = atob(wasmThreadsBase64);
      const bytes = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
      if (WebAssembly.validate(bytes)) module = new WebAssembly.Module(bytes);
    }
  } catch {
    module = null;
  }
  cached = module;
  return module;
}

/** An instance of the threaded module on `memory` (shared, created by the caller). */
export function instantiateThreaded(module: WebAssembly.Module, memory: WebAssembly.Memory): ThreadedStepExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as ThreadedStepExports;
}

// The control block's layout, as assembly/threadedStep.ts: its bytes, its i32 words (generation,
// reload, thread count, failed, spin limit) and f64 words (learning rate, batch norm's eps).
export const CTL_BYTES = 64;
export const CTL_GEN = 0, CTL_RELOAD = 12 / 4, CTL_NTHREADS = 16 / 4, CTL_FAILED = 20 / 4, CTL_SPINS = 48 / 4;
export const CTL_LR = 24 / 8, CTL_EPS = 32 / 8;

/** What a thread needs: the compiled threaded module, the shared memory, its control block and plan. */
export interface StepWorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte addresses of the control block and of this thread's plan. */
  ctl: number;
  plan: number;
}

/**
 * A thread's body (its worker's entry calls it): its instance, `ready()`, then the loop until close.
 * If it fails, the others must not wait for it at a barrier forever: the failed flag makes every
 * thread at a barrier trap, so the step in the caller's thread throws.
 */
export function runStepThread(data: StepWorkerData, ready: () => void): void {
  const wasm = instantiateThreaded(data.module, data.memory);
  ready();
  try {
    wasm.threadedStepWorker(data.ctl, data.plan);
  } catch (e) {
    const ctl = new Int32Array(data.memory.buffer, data.ctl, CTL_BYTES / 4);
    Atomics.store(ctl, CTL_FAILED, 1);
    Atomics.notify(ctl, CTL_GEN);
    throw e;
  }
}
