// Entry point of the threaded fast module (scripts/build-wasm.mjs: src/kernels/wasm/binaryThreads.ts):
// the notebook model's training step split over threads on one shared memory (threadedStep.ts).

/** First byte after the module's static data: the JS allocator starts above it. */
export function heapBase(): usize { return __heap_base; }
export { threadedStepMain, threadedStepSolo, threadedStepWorker, threadedStepQuit, threadedStepPublish, threadedWorkspace, spinPolls } from './threadedStep';
