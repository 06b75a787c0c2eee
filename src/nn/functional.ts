// nn.functional: the stateless forms of the layers, named as in torch.nn.functional. The layers
// in layers.ts are these functions plus the state they keep (parameters, running statistics).
import {
  Tensor, batchNormEval, batchNormTrainStepwise, runningAverageStepwiseInPlace, causalSoftmax, softmax as softmaxOp, batchNormTrain, index, runningAverageInPlace, shapeString,
} from '../tensor/index.js';

export { crossEntropy, logSoftmax, linear, gelu, sigmoid, dropout } from '../tensor/index.js';

/**
 * F.softmax(x, dim); with `causal` (last dim only) entries above the diagonal of the last two
 * dims are masked to −inf first, as makemore.py's attention: masked_fill(tril == 0, −inf).
 */
export function softmax(x: Tensor, dim = -1, options: { causal?: boolean } = {}): Tensor {
  if (options.causal !== true) return softmaxOp(x, dim);
  if ((dim < 0 ? dim + x.ndim : dim) !== x.ndim - 1) throw new RangeError('a causal softmax is over the last dimension only');
  return causalSoftmax(x);
}

/** F.embedding: rows of `weight` (num × dim) by the integer ids of `input` (any shape). */
export function embedding(input: Tensor, weight: Tensor): Tensor {
  return index(weight, input);
}

/** F.tanh */
export function tanh(x: Tensor): Tensor {
  return x.tanh();
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise with the batch statistics (and move the running ones, when given); default false. */
  training?: boolean;
  /** Weight of the batch in the running averages: running ← (1 − m)·running + m·batch. Default 0.1. */
  momentum?: number;
  eps?: number;
  /**
   * The batch variance that normalises in training: divided by n − correction. 0 (default):
   * biased, as PyTorch; 1: unbiased, as the part-5 lecture's BatchNorm1d (torch.var's default).
   */
  correction?: 0 | 1;
  /**
   * With correction 1 on float32 input: compute as the lecture's class does, op by op in float32
   * (mean, var, (x − mean)/sqrt(var + eps), γ·xhat + β, the running averages), which gives
   * PyTorch's numbers bit for bit. Default false (the fused form, equal within float32 rounding).
   */
  stepwise?: boolean;
}

/**
 * F.batch_norm over x (n × features), or channels-last (B, T, features) with statistics over B
 * and T (the part-5 lecture's layout; PyTorch's F.batch_norm reads 3-D input as (N, C, L)).
 * Training: the batch mean and variance normalise x, and runningMean/runningVar (when given)
 * move towards the batch mean and the unbiased variance by `momentum`, in place. Evaluation:
 * the running statistics normalise x.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5, correction = 0 } = options;
  const stepwise = options.stepwise === true && correction === 1 && x.dtype === 'float32';
  if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`batchNorm needs an input (n × features) or (B × T × features), got ${shapeString(x.shape)}`);
  if (!training) {
    if (runningMean === null || runningVar === null) throw new Error('batchNorm in evaluation mode needs runningMean and runningVar');
    return batchNormEval(x, runningMean, runningVar, false, weight, bias, eps, stepwise);
  }
  const n = x.numel / x.shape[x.ndim - 1]; // values per feature
  if (n <= 1) throw new RangeError(`batchNorm in training mode needs more than 1 value per feature, got a batch of ${n}`);
  if (stepwise) {
    const { out, stats } = batchNormTrainStepwise(x, weight, bias, eps);
    if (runningMean !== null) runningAverageStepwiseInPlace(runningMean, stats.mean, momentum);
    if (runningVar !== null) runningAverageStepwiseInPlace(runningVar, stats.var, momentum);
    return out;
  }
  const { out, stats } = batchNormTrain(x, weight, bias, eps, correction);
  if (runningMean !== null) runningAverageInPlace(runningMean, stats.mean, momentum);
  if (runningVar !== null) runningAverageInPlace(runningVar, stats.var, momentum, correction === 0 ? n / (n - 1) : 1); // unbiased
  return out;
}

export { layerNorm, groupNorm, instanceNorm, rmsNorm } from '../tensor/index.js';
