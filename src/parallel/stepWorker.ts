// A worker thread of the threaded training step (stepThreads.ts): an instance of the threaded
// module on the shared memory, then its loop (one share of every step) until it is told to quit.
import { parentPort, workerData } from 'node:worker_threads';
import { runStepThread, type StepWorkerData } from '../kernels/wasm/threads.js';

if (parentPort !== null) {
  const port = parentPort;
  runStepThread(workerData as StepWorkerData, () => port.postMessage('ready'));
}
