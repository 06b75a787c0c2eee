// A worker thread of the threaded training step (stepThreads.ts): an instance of the threaded
// module on the shared memory, then its loop (one share of every step) until it is told to quit.
import { parentPort, workerData } from 'node:worker_threads';
import { instantiateThreaded } from '../kernels/wasm/threads.js';

export interface StepWorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte addresses of the control block and of this thread's plan. */
  ctl: number;
  plan: number;
}

if (parentPort !== null) {
  const { module, memory, ctl, plan } = workerData as StepWorkerData;
  const wasm = instantiateThreaded(module, memory);
  parentPort.postMessage('ready');
  wasm.threadedStepWorker(ctl, plan);
}
