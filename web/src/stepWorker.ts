// One thread of fast mode's threaded training step in the browser, a Web Worker nested in the
// training worker (stepThreads.ts starts it), as src/parallel/stepWorker.ts is in Node: an
// instance of the threaded module on the shared memory, then its share of every step until the
// step is closed. The memory and module arrive by postMessage, which only a cross-origin isolated
// page allows for a shared memory.
import { runStepThread, type StepWorkerData } from '../../src/kernels/wasm/threads.js';

/** What a step thread posts back: instantiated, left its loop after close, or failed. */
export type StepThreadReply = 'ready' | 'ended' | { error: string };

const scope = self as unknown as {
  onmessage: ((ev: MessageEvent<StepWorkerData>) => void) | null;
  postMessage(m: StepThreadReply): void;
  close(): void;
};

scope.onmessage = (ev) => {
  scope.onmessage = null;
  try {
    // Blocks this worker inside wasm (spinning, then Atomics.wait between steps) until close. If it
    // fails, runStepThread has set the failed flag, so the other threads' step throws too.
    runStepThread(ev.data, () => scope.postMessage('ready'));
  } catch (e) {
    scope.postMessage({ error: e instanceof Error ? e.message : String(e) });
    scope.close();
    return;
  }
  scope.postMessage('ended');
  scope.close();
};
