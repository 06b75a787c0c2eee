// Entry point of the WebAssembly kernel module (built by scripts/build-wasm.mjs into
// src/kernels/wasm/binary.ts). Memory is imported from JavaScript, which owns all allocation.

export { matmul, matmulTransA, matmulTransB, transBPacks, transpose } from './matmul';
export { binary, binaryScalar, unary, mulInto, axpy, sgdStep, tanhBackward, powScalar } from './elementwise';
export { sumAxis, broadcastAxis, varAxis, batchNormTrain, batchNormEval, batchNormBackward, runningAverage } from './reduce';
export { unaryBackward, powBackward, varBackward, softmaxBackward, batchNormEvalBackward } from './backward';
export { errIndex, gatherRows, scatterAddRows, softmaxRows, crossEntropyForward, crossEntropyRows, crossEntropyBackward } from './layers';
export { logSoftmaxRows, logSoftmaxBackward } from './logSoftmax';

/** First byte after the module's static data: the JS allocator starts above it. */
export function heapBase(): usize { return __heap_base; }
export { rowNormForward, rowNormBackward } from './norms';
export { fusedNotebookStep, fusedNotebookWorkspace, fusedNotebookEval, fusedNotebookEvalWorkspace } from './fusedStep';
export { matmulBatched, copyStrided } from './batched';
export { gelu, geluBackward, sigmoid, sigmoidBackward } from './activations';
export { causalSoftmaxRows, crossEntropyMaskedForward, crossEntropyMaskedBackward, lookupCrossEntropyForward, lookupCrossEntropyBackward } from './sequence';
export { adamwStep, sgdMomentumStep, sumSquares } from './optim';
export { sumRows, batchNormStepwise, batchNormStepwiseBackward, batchNormEvalStepwise, runningAverageStepwise } from './stepwise';
export { sleefMap, sleefScalar } from './sleef'; // test-only: SLEEF ports on their own (test/sleef.test.ts)
export { fmaProbe } from './sleef'; // whether the FUSED_FMA module's relaxed_madd is a true FMA here
