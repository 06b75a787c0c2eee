// The plain TypeScript backend: readable reference kernels, the ground truth for faster backends.
import type { Backend } from '../types.js';
import { matmul, matmulTransA, matmulTransB } from './matmul.js';
import { axpy, binary, binaryScalar, mulInto, sgdStep, tanhBackward, unary } from './elementwise.js';
import { broadcastAxis, sumAxis, varAxis } from './reduce.js';
import {
  batchNormBackward, batchNormEval, batchNormTrain, crossEntropyBackward, crossEntropyForward,
  gatherRows, logSoftmaxRows, scatterAddRows, softmaxRows,
} from './layers.js';
import { rowNormBackward, rowNormForward } from './norms.js';

export const jsBackend: Backend = {
  name: 'js',
  matmul, matmulTransA, matmulTransB,
  binary, binaryScalar, unary, mulInto, axpy, tanhBackward,
  sumAxis, broadcastAxis, varAxis,
  gatherRows, scatterAddRows,
  batchNormTrain, batchNormEval, batchNormBackward,
  softmaxRows, logSoftmaxRows, crossEntropyForward, crossEntropyBackward,
  sgdStep,
  rowNormForward, rowNormBackward,
};
