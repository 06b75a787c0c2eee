// Fused batch normalisation over the batch dimension of x (n×f), with analytic backward.
// A channels-last x (B, T, f) is normalised over B and T (the part-5 lecture's BatchNorm1d on
// 3-D input): the same kernels on its (B·T, f) view, no copy.
// Training: per-feature batch mean and variance (divided by n − correction), normalise with
// 1/sqrt(var + eps). `correction` 0 + eps is BatchNorm1d; correction 1 + eps 0 is the notebook's
// `(h − mean)/std` with the unbiased std; `epsStd` adds eps to the std instead, as the seed
// notebook's `(h − mean)/(std + 1e-5)`.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { outputFloat, requireFloat } from './alloc.js';

export interface BatchStats {
  /** Batch mean per feature (f). */
  mean: Tensor;
  /** Batch variance per feature, divided by n − correction (f). */
  var: Tensor;
}

function check(x: Tensor, f: number | null, gain: Tensor | null, bias: Tensor | null): [number, number] {
  requireFloat(x, 'batchNorm');
  if (x.ndim < 2) throw new RangeError(`batchNorm needs an input (n×f) or (…×f), got ${shapeString(x.shape)}`);
  const fx = x.shape[x.ndim - 1];
  const n = fx === 0 ? 0 : x.numel / fx;
  for (const p of [gain, bias]) {
    if (p !== null && p.numel !== fx) throw new RangeError(`batchNorm parameter of shape ${shapeString(p.shape)} does not match ${fx} features`);
  }
  if (f !== null && f !== fx) throw new RangeError(`batchNorm statistics have ${f} features, input has ${fx}`);
  return [n, fx];
}

/** Training-mode batch norm: returns the output and the batch statistics. */
export function batchNormTrain(x: Tensor, gain: Tensor | null, bias: Tensor | null, eps: number, correction: number, epsStd = 0): { out: Tensor; stats: BatchStats } {
  const [n, f] = check(x, null, gain, bias);
  if (n - correction <= 0) throw new RangeError(`batchNorm in training mode needs more than ${correction} rows per batch, got ${n}`);
  const dtype = requireFloat(x, 'batchNorm');
  const out = outputFloat(dtype, x.shape);
  const xhat = outputFloat(dtype, x.shape); // saved for backward
  const invStd = outputFloat(dtype, [f]);
  const stats: BatchStats = { mean: outputFloat(dtype, [f]), var: outputFloat(dtype, [f]) };
  const k = kernels();
  k.batchNormTrain(out.floatData, xhat.floatData, stats.mean.floatData, stats.var.floatData, invStd.floatData, x.floatData, gain?.floatData ?? null, bias?.floatData ?? null, n, f, eps, correction, epsStd);
  const inputs = [x, gain, bias].filter((t): t is Tensor => t !== null);
  record(out, 'BatchNormBackward', inputs, (g) => {
    const gx = gradOf(x);
    const gg = gain === null ? null : gradOf(gain);
    const gb = bias === null ? null : gradOf(bias);
    k.batchNormBackward(gx?.floatData ?? null, gg?.floatData ?? null, gb?.floatData ?? null, g.floatData, xhat.floatData, invStd.floatData, gain?.floatData ?? null, n, f, correction, epsStd);
  }, gain === null ? [] : [gain]);
  return { out, stats };
}

/**
 * Evaluation-mode batch norm with fixed statistics: (x − mean)/sqrt(var + eps), or (x − mean)/std
 * when `isStd` (the notebook keeps a running std). `stepwise` (a variance, float32): the lecture's
 * op by op in float32, γ·((x − mean)/sqrt(var + eps)) + β, PyTorch's numbers bit for bit.
 */
export function batchNormEval(x: Tensor, mean: Tensor, varOrStd: Tensor, isStd: boolean, gain: Tensor | null, bias: Tensor | null, eps: number, stepwise = false): Tensor {
  const [n, f] = check(x, mean.numel, gain, bias);
  const dtype = requireFloat(x, 'batchNorm');
  const out = outputFloat(dtype, x.shape);
  const k = kernels();
  if (stepwise && !isStd && dtype === 'float32') k.batchNormEvalStepwise(out.floatData, x.floatData, mean.floatData, varOrStd.floatData, gain?.floatData ?? null, bias?.floatData ?? null, n, f, eps);
  else k.batchNormEval(out.floatData, x.floatData, mean.floatData, varOrStd.floatData, isStd, gain?.floatData ?? null, bias?.floatData ?? null, n, f, eps);
  const inputs = [x, gain, bias].filter((t): t is Tensor => t !== null);
  return record(out, 'BatchNormEvalBackward', inputs, (g) => {
    const gx = gradOf(x);
    const gg = gain === null ? null : gradOf(gain);
    const gb = bias === null ? null : gradOf(bias);
    k.batchNormEvalBackward(gx?.floatData ?? null, gg?.floatData ?? null, gb?.floatData ?? null, g.floatData, x.floatData, mean.floatData, varOrStd.floatData, isStd, gain?.floatData ?? null, n, f, eps);
  }, gain === null ? [x, mean, varOrStd] : [x, mean, varOrStd, gain]);
}

/**
 * running ← (1 − momentum)·running + momentum·scale·batch, in place (BatchNorm's running
 * statistics; scale n/(n − 1) turns a biased batch variance unbiased). Bumps running's version.
 */
export function runningAverageInPlace(running: Tensor, batch: Tensor, momentum: number, scale = 1): Tensor {
  requireFloat(running, 'runningAverage');
  if (batch.numel !== running.numel) throw new RangeError(`runningAverage: ${shapeString(batch.shape)} batch statistics for ${shapeString(running.shape)} running ones`);
  kernels().runningAverage(running.floatData, batch.floatData, momentum, scale);
  running.storage.bumpVersion();
  return running;
}

/**
 * The part-5 lecture's batch norm in training mode, op by op in float32 as PyTorch computes
 * `x.mean(dims)`, `x.var(dims)`, `(x − xmean)/torch.sqrt(xvar + eps)`, `γ·xhat + β` and their
 * autograd backward: the same numbers as PyTorch's CPU bit for bit (kernels' stepwise.ts).
 * Float32 only (float64 tensors take batchNormTrain with correction 1: the same function).
 */
export function batchNormTrainStepwise(x: Tensor, gain: Tensor | null, bias: Tensor | null, eps: number): { out: Tensor; stats: BatchStats } {
  const [n, f] = check(x, null, gain, bias);
  if (n < 2) throw new RangeError(`batchNorm in training mode needs more than 1 row per batch, got ${n}`);
  const out = outputFloat('float32', x.shape);
  const xhat = outputFloat('float32', x.shape); // saved for backward, with x, the mean and den
  const den = outputFloat('float32', [f]);
  const stats: BatchStats = { mean: outputFloat('float32', [f]), var: outputFloat('float32', [f]) };
  const k = kernels();
  k.batchNormStepwise(out.floatData, xhat.floatData, stats.mean.floatData, stats.var.floatData, den.floatData, x.floatData, gain?.floatData ?? null, bias?.floatData ?? null, n, f, eps);
  const inputs = [x, gain, bias].filter((t): t is Tensor => t !== null);
  record(out, 'BatchNormStepwiseBackward', inputs, (g) => {
    const gx = gradOf(x);
    const gg = gain === null ? null : gradOf(gain);
    const gb = bias === null ? null : gradOf(bias);
    const scratch = outputFloat('float32', x.shape);
    k.batchNormStepwiseBackward(gx?.floatData ?? null, gg?.floatData ?? null, gb?.floatData ?? null, g.floatData, x.floatData, xhat.floatData,
      stats.mean.floatData, den.floatData, gain?.floatData ?? null, n, f, scratch.floatData);
  }, gain === null ? [x] : [x, gain]);
  return { out, stats };
}

/** running ← (1 − momentum)·running + momentum·batch, each op in float32 (the lecture's update), in place. */
export function runningAverageStepwiseInPlace(running: Tensor, batch: Tensor, momentum: number): Tensor {
  requireFloat(running, 'runningAverage');
  if (batch.numel !== running.numel) throw new RangeError(`runningAverage: ${shapeString(batch.shape)} batch statistics for ${shapeString(running.shape)} running ones`);
  kernels().runningAverageStepwise(running.floatData, batch.floatData, momentum);
  running.storage.bumpVersion();
  return running;
}
