// The plain TypeScript backend: readable reference kernels, the ground truth for faster backends.
import type { Backend } from '../types.js';
import { matmul, matmulTransA, matmulTransB, transpose } from './matmul.js';
import { axpy, binary, binaryScalar, mulInto, powBackward, powScalar, sgdStep, tanhBackward, unary, unaryBackward } from './elementwise.js';
import { broadcastAxis, sumAxis, varAxis, varBackward } from './reduce.js';
import {
  batchNormBackward, batchNormEval, batchNormEvalBackward, batchNormTrain, crossEntropyBackward, crossEntropyForward, crossEntropyRows,
  gatherRows, logSoftmaxBackward, logSoftmaxRows, runningAverage, scatterAddRows, softmaxBackward, softmaxRows,
} from './layers.js';
import { rowNormBackward, rowNormForward } from './norms.js';
import { copyStrided, matmulBatched } from './batched.js';
import { gelu, geluBackward, sigmoid, sigmoidBackward } from './activations.js';
import { causalSoftmaxRows, crossEntropyMaskedBackward, crossEntropyMaskedForward, lookupCrossEntropyBackward, lookupCrossEntropyForward } from './sequence.js';
import { batchNormEvalStepwise, batchNormStepwise, batchNormStepwiseBackward, runningAverageStepwise, sumRows } from './stepwise.js';
import { adamwStep, sgdMomentumStep, sumSquares } from './optim.js';

export const jsBackend: Backend = {
  name: 'js',
  matmul, matmulTransA, matmulTransB, transpose,
  binary, binaryScalar, unary, mulInto, axpy, tanhBackward, unaryBackward, powScalar, powBackward,
  sumAxis, sumRows, broadcastAxis, varAxis, varBackward,
  gatherRows, scatterAddRows,
  batchNormTrain, batchNormEval, batchNormBackward, batchNormEvalBackward, runningAverage,
  batchNormStepwise, batchNormStepwiseBackward, batchNormEvalStepwise, runningAverageStepwise,
  softmaxRows, logSoftmaxRows, softmaxBackward, logSoftmaxBackward, crossEntropyForward, crossEntropyRows, crossEntropyBackward,
  sgdStep,
  rowNormForward, rowNormBackward,
  matmulBatched, copyStrided, causalSoftmaxRows, gelu, geluBackward, sigmoid, sigmoidBackward,
  crossEntropyMaskedForward, crossEntropyMaskedBackward, lookupCrossEntropyForward, lookupCrossEntropyBackward,
  adamwStep, sgdMomentumStep, sumSquares,
};
