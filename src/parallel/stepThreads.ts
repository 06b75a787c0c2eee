// Fast mode's training step on every core, in Node: model/notebookThreaded.ts's step with its
// threads as worker_threads (./stepWorker.ts). They wait inside wasm between steps and are unref'd,
// so they never keep the process alive; close() waits for them to leave.
import { Worker } from 'node:worker_threads';
import type { LanguageModel } from '../model/index.js';
import { startNotebookThreadedStep, type StepThread, type StepWorkerData, type ThreadedStep } from '../model/notebookThreaded.js';
import type { Tensor } from '../tensor/index.js';

export { stepThreadsFor, type ThreadedStep } from '../model/notebookThreaded.js';

function spawnWorker(data: StepWorkerData): StepThread {
  const worker = new Worker(new URL('./stepWorker.js', import.meta.url), { workerData: data });
  const exit = new Promise<number>((resolve) => worker.once('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', () => { worker.unref(); resolve(); });
    worker.once('error', reject);
    void exit.then((code) => reject(new Error(`a training thread stopped (exit code ${code})`)));
  });
  return {
    ready,
    ended: async () => { worker.ref(); await exit; }, // keeps the process alive until the thread has left
    terminate: () => { void worker.terminate(); },
  };
}

/** makemore train --fast: the notebook model's step on `threads` threads, or null where it does not apply (see startNotebookThreadedStep). */
export function startThreadedStep(model: LanguageModel, batchSize: number, X: Tensor, Y: Tensor, threads: number): Promise<ThreadedStep | null> {
  return startNotebookThreadedStep(model, batchSize, X, Y, threads, spawnWorker);
}
