// Fast mode's training step on every core in the browser: model/notebookThreaded.ts's step with
// its threads as Web Workers nested in the training worker (./stepWorker.ts), as
// src/parallel/stepThreads.ts starts them as worker_threads in Node. The shared memory can only
// be posted to them where the page is cross-origin isolated (COOP/COEP headers: docs/web.md).
import type { StepThread, StepWorkerData } from '../../src/model/notebookThreaded.js';
import type { StepThreadReply } from './stepWorker.js';

/** Starts one thread of the threaded step (a `SpawnStepThread` for startNotebookThreadedStep). */
export function spawnStepThread(data: StepWorkerData): StepThread {
  const worker = new Worker(new URL('./stepWorker.ts', import.meta.url), { type: 'module', name: 'makemore step thread' });
  let markEnded = (): void => {};
  const ended = new Promise<void>((resolve) => { markEnded = resolve; });
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = (ev: MessageEvent<StepThreadReply>) => {
      const m = ev.data;
      if (m === 'ready') resolve();
      else if (m === 'ended') markEnded();
      else { reject(new Error(m.error)); markEnded(); } // failed to start, or failed later: nothing to wait for
    };
    worker.onmessageerror = () => reject(new Error('a training thread could not receive the shared memory'));
    // A thread that failed to load or trapped is gone: close() must not wait for it.
    worker.onerror = (ev) => {
      ev.preventDefault();
      reject(new Error(`a training thread failed: ${ev.message}`));
      markEnded();
    };
  });
  worker.postMessage(data);
  return {
    ready,
    ended: () => ended.then(() => worker.terminate()),
    terminate: () => { worker.terminate(); markEnded(); },
  };
}
