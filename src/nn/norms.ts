// The batch-independent norm layers, PyTorch-style (same constructor arguments, defaults and
// parameter names): LayerNorm, GroupNorm, InstanceNorm1d, RMSNorm; and createNorm, the factory a
// model uses to pick a norm by name. None keeps running statistics, so train and eval mode give
// the same output and an example's output does not depend on the rest of its batch.
import { FLOAT32_EPS, groupNorm, instanceNorm, layerNorm, ones, rmsNorm, shapeString, zeros, type Tensor } from '../tensor/index.js';
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
  affine?: boolean;
  /** Only false (PyTorch's default): statistics always come from the input. */
  trackRunningStats?: boolean;
}

/** Normalises each channel of each example of (N, C, L) over its L positions. */
export class InstanceNorm1d extends Module {
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  constructor(readonly numFeatures: number, options: InstanceNorm1dOptions = {}) {
    super();
    if (options.trackRunningStats === true) {
      throw new RangeError('InstanceNorm1d: trackRunningStats is not supported (statistics always come from the input, PyTorch\'s default)');
    }
    this.eps = options.eps ?? 1e-5;
    const affine = options.affine ?? false;
    this.weight = affine ? this.registerParameter('weight', ones([numFeatures])) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([numFeatures])) : null;
  }
  forward(x: Tensor): Tensor {
    if (x.ndim === 3 && x.shape[1] !== this.numFeatures) {
      throw new RangeError(`InstanceNorm1d(${this.numFeatures}) got input of shape ${shapeString(x.shape)}; expected (N, ${this.numFeatures}, L)`);
    }
    return instanceNorm(x, this.weight, this.bias, this.eps, `InstanceNorm1d(${this.numFeatures})`);
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
