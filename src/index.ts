// makemore-ts: the public API. Each layer is also importable on its own (`makemore-ts/tensor`…).
export * from './random/index.js';
export {
  useBackend, setBackend, kernels, backendName, jsBackend, wasmSupported, createWasmBackend,
  enableRelaxedSimd, fusedFmaSupported, BACKEND_CHOICES, type Backend, type BackendChoice, type WasmVariant,
} from './kernels/index.js';
export * from './tensor/index.js';
export * as nn from './nn/index.js';
export { Module, Embedding, Linear, BatchNorm1d, Tanh, Flatten, Sequential } from './nn/index.js';
export { AdamW, ADAMW_DEFAULTS, clipGradNorm, learningRate, Optimizer, SGD, type AdamWOptions, type OptimizerStateDict, type SGDOptions, type Schedule } from './optim/index.js';
export * from './data/index.js';
export * from './model/index.js';
export { foldBatchNorm } from './model/index.js';
export { encodeModel, decodeModel, type ModelFileInfo, type SavedModel } from './model/file.js';
export { saveModel, loadModel } from './model/io.js';
export * from './train/index.js';
export * from './sample/index.js';
export { MakemoreError } from './errors.js';
