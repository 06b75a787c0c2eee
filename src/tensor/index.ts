// The tensor layer's public API.
export { Tensor, type DType, type FloatDType, type NestedArray } from './tensor.js';
export { Storage, tidy, keepStorage, inScope, type StorageArray, type MemoryOwner } from './storage.js';
export { noGrad, isGradEnabled, type GradFn, type SavedTensor } from './autograd.js';
export { tensor, zeros, ones, full, arange, randn, rand, randint, type TensorOptions, type RandomOptions } from './factories.js';
export { add, sub, mul, div, neg, pow, rsub } from './ops/elementwise.js';
export { sum, mean, variance, std, type VarOptions } from './ops/reduce.js';
export { matmul, addmm } from './ops/matmul.js';
export { reshape, transpose, index } from './ops/shape.js';
export { addInPlace, subInPlace, mulInPlace, divInPlace, copyInPlace, fillInPlace } from './ops/inplace.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { crossEntropy } from './ops/loss.js';
export { linear } from './ops/linear.js';
export { batchNormTrain, batchNormEval, runningAverageInPlace, type BatchStats } from './ops/batchnorm.js';
export { layerNorm, groupNorm, instanceNorm, rmsNorm, FLOAT32_EPS } from './ops/norms.js';
export { numelOf, shapeString } from './shape.js';
