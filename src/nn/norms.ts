// The batch-independent norm layers, PyTorch-style (same constructor arguments, defaults and
// parameter names): LayerNorm, GroupNorm, InstanceNorm1d, RMSNorm; and createNorm, the factory a
// model uses to pick a norm by name. None keeps running statistics, so train and eval mode give
// the same output and an example's output does not depend on the rest of its batch.
import { groupNorm, instanceNorm, layerNorm, ones, reshape, rmsNorm, shapeString, zeros, type Tensor } from '../tensor/index.js';
import { BatchNorm1d } from './layers.js';
import { Module } from './module.js';

const shapeOf = (s: number | readonly number[]): number[] => (typeof s === 'number' ? [s] : [...s]);

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
}

/** Normalises over the trailing `normalizedShape` dims of each example; weight 1, bias 0 of that shape. */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = shapeOf(normalizedShape);
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? this.registerParameter('weight', ones(this.normalizedShape)) : null;
    this.bias = affine ? this.registerParameter('bias', zeros(this.normalizedShape)) : null;
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

export interface GroupNormOptions {
  eps?: number;
  affine?: boolean;
}

/** Splits the C channels of (N, C, *) into numGroups groups, each normalised per example; per-channel affine. */
export class GroupNorm extends Module {
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  constructor(readonly numGroups: number, readonly numChannels: number, options: GroupNormOptions = {}) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new RangeError(`GroupNorm: num_channels ${numChannels} must be divisible by num_groups ${numGroups}`);
    }
    this.eps = options.eps ?? 1e-5;
    const affine = options.affine ?? true;
    this.weight = affine ? this.registerParameter('weight', ones([numChannels])) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([numChannels])) : null;
  }
  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new RangeError(`GroupNorm(${this.numGroups}, ${this.numChannels}) got input of shape ${shapeString(x.shape)}; expected (N, ${this.numChannels}, *)`);
    }
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

export interface InstanceNorm1dOptions {
  eps?: number;
  /** Weight of the newest statistics in the running estimates (trackRunningStats only). */
  momentum?: number;
  affine?: boolean;
  /** Keep running mean/var (unbiased) of the channels; eval mode then normalises with them. */
  trackRunningStats?: boolean;
}

/**
 * Normalises each channel of each example of (N, C, L) over its L positions. With
 * trackRunningStats, training also moves running_mean/running_var toward the batch's average
 * per-channel mean and unbiased variance, and eval mode normalises with those (as PyTorch).
 */
export class InstanceNorm1d extends Module {
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  constructor(readonly numFeatures: number, options: InstanceNorm1dOptions = {}) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    const affine = options.affine ?? false;
    this.weight = affine ? this.registerParameter('weight', ones([numFeatures])) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([numFeatures])) : null;
    const track = options.trackRunningStats ?? false;
    this.runningMean = track ? this.registerBuffer('running_mean', zeros([numFeatures])) : null;
    this.runningVar = track ? this.registerBuffer('running_var', ones([numFeatures])) : null;
    this.numBatchesTracked = track ? this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' })) : null;
  }
  forward(x: Tensor): Tensor {
    const name = `InstanceNorm1d(${this.numFeatures})`;
    if (x.ndim === 3 && x.shape[1] !== this.numFeatures) {
      throw new RangeError(`${name} got input of shape ${shapeString(x.shape)}; expected (N, ${this.numFeatures}, L)`);
    }
    const rm = this.runningMean, rv = this.runningVar;
    if (rm === null || rv === null) return instanceNorm(x, this.weight, this.bias, this.eps, name);
    if (!this.training) {
      if (x.ndim !== 3) return instanceNorm(x, null, null, this.eps, name); // the same one-line error
      // (x − running_mean) / sqrt(running_var + eps), channel by channel, then the affine part
      const c = [1, this.numFeatures, 1];
      let y = x.sub(reshape(rm, c)).div(reshape(rv.add(this.eps).sqrt(), c));
      if (this.weight !== null) y = y.mul(reshape(this.weight, c));
      return this.bias === null ? y : y.add(reshape(this.bias, c));
    }
    const out = instanceNorm(x, this.weight, this.bias, this.eps, name);
    const [n, ch, len] = x.shape;
    if (len < 2) throw new RangeError(`${name} with running statistics needs more than 1 position per channel, got L = ${len}`);
    // running ← (1 − m)·running + m·(average over the batch of each channel's mean / unbiased var)
    const xs = x.floatData, m = this.momentum;
    for (let j = 0; j < ch; j++) {
      let sm = 0, sv = 0;
      for (let i = 0; i < n; i++) {
        const o = (i * ch + j) * len;
        let s = 0;
        for (let k = 0; k < len; k++) s += xs[o + k];
        const mean = s / len;
        let ss = 0;
        for (let k = 0; k < len; k++) { const d = xs[o + k] - mean; ss += d * d; }
        sm += mean; sv += ss / (len - 1);
      }
      rm.floatData[j] = (1 - m) * rm.floatData[j] + (m * sm) / n;
      rv.floatData[j] = (1 - m) * rv.floatData[j] + (m * sv) / n;
    }
    this.numBatchesTracked!.intData[0]++;
    return out;
  }
}

export interface RMSNormOptions {
  /** Default: the machine epsilon of the input's dtype (float32: 2⁻²³), as PyTorch 2.4. */
  eps?: number;
  elementwiseAffine?: boolean;
}

/** x / sqrt(mean(x²) + eps) · weight over the trailing `normalizedShape` dims (PyTorch 2.4's nn.RMSNorm). */
export class RMSNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number | undefined;
  readonly weight: Tensor | null;
  constructor(normalizedShape: number | readonly number[], options: RMSNormOptions = {}) {
    super();
    this.normalizedShape = shapeOf(normalizedShape);
    this.eps = options.eps;
    this.weight = options.elementwiseAffine ?? true ? this.registerParameter('weight', ones(this.normalizedShape)) : null;
  }
  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }
}

/** The norms a model can put after each hidden Linear, by name. */
export type NormLayerKind = 'batchnorm1d' | 'layernorm' | 'groupnorm' | 'rmsnorm';
export const NORM_LAYER_KINDS: readonly NormLayerKind[] = ['batchnorm1d', 'layernorm', 'groupnorm', 'rmsnorm'];
/** The norms that take each example's statistics alone (no running statistics, no batch coupling). */
export const BATCH_INDEPENDENT_NORMS: readonly NormLayerKind[] = ['layernorm', 'groupnorm', 'rmsnorm'];
/** GroupNorm's default group count: divides 100 and 200, the lecture's hidden sizes. */
export const DEFAULT_GROUPS = 4;

export interface CreateNormOptions {
  /** GroupNorm's group count (default DEFAULT_GROUPS). */
  groups?: number;
  /** eps; default: each layer's PyTorch default. */
  eps?: number;
}

/** A norm over (N, features) by name, with PyTorch's defaults: the building block of module models. */
export function createNorm(kind: NormLayerKind, features: number, opts: CreateNormOptions = {}): Module {
  const eps = opts.eps;
  switch (kind) {
    case 'batchnorm1d': return new BatchNorm1d(features, { eps });
    case 'layernorm': return new LayerNorm(features, { eps });
    case 'groupnorm': return new GroupNorm(opts.groups ?? DEFAULT_GROUPS, features, { eps });
    case 'rmsnorm': return new RMSNorm(features, { eps });
    default: throw new RangeError(`unknown norm "${String(kind)}"; expected one of ${NORM_LAYER_KINDS.join(', ')}`);
  }
}
