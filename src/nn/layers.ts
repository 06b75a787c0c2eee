// The layers of the makemore MLP, PyTorch-style: Embedding, Linear, BatchNorm1d, Tanh, Flatten,
// FlattenConsecutive (the part-5 lecture's), Sequential. Each forward is one fused autograd op (see tensor/ops).
import { defaultGenerator, type Generator } from '../random/index.js';
import { Tensor, index, linear, ones, randn, reshape, shapeString, zeros } from '../tensor/index.js';
import * as F from './functional.js';
import { defaultLinearInit } from './init.js';
import { Module } from './module.js';

/** A lookup table: integer ids (any shape) → rows of `weight` (num × dim). Init N(0, 1). */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: { generator?: Generator } = {}) {
    super();
    this.weight = this.registerParameter('weight', randn([numEmbeddings, embeddingDim], { generator: options.generator }));
  }
  forward(x: Tensor): Tensor {
    return index(this.weight, x);
  }
}

/** y = x·Wᵀ + b with W (out × in), PyTorch's layout and default init. */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  /** `init: false` leaves the weights at zero for the caller to fill (no random draws). */
  constructor(readonly inFeatures: number, readonly outFeatures: number, options: { bias?: boolean; generator?: Generator; init?: boolean } = {}) {
    super();
    this.weight = this.registerParameter('weight', zeros([outFeatures, inFeatures]));
    this.bias = options.bias === false ? null : this.registerParameter('bias', zeros([outFeatures]));
    if (options.init !== false) defaultLinearInit(this.weight, this.bias, options.generator ?? defaultGenerator);
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

export interface BatchNorm1dOptions {
  eps?: number;
  /**
   * Weight of each batch in the running statistics (default 0.1); null: their cumulative
   * average over all batches so far (running ← running + (batch − running)/numBatchesTracked).
   */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  /**
   * Normalise with the unbiased batch variance (÷ n − 1), as the part-5 lecture's BatchNorm1d
   * class (torch.var's default); PyTorch's BatchNorm1d uses the biased one (÷ n). Default false.
   */
  unbiased?: boolean;
}

/**
 * PyTorch's BatchNorm1d over (n × features): training normalises with the batch mean and the
 * biased variance, and moves the running mean/var (unbiased variance) by `momentum` (or to their
 * cumulative average when it is null); evaluation normalises with the running estimates.
 * 3-D input is channels-last (B, T, features), statistics over B and T, as the part-5 lecture's
 * class: PyTorch's BatchNorm1d reads 3-D input as (N, C, L) instead (channels second).
 */
export class BatchNorm1d extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  readonly unbiased: boolean;

  constructor(readonly numFeatures: number, options: BatchNorm1dOptions = {}) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.unbiased = options.unbiased ?? false;
    // `?? 0.1` would turn an explicit null (cumulative average) into 0.1
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) throw new RangeError(`BatchNorm1d momentum must be in [0, 1] or null, got ${this.momentum}`);
    const affine = options.affine ?? true;
    const track = options.trackRunningStats ?? true;
    this.weight = affine ? this.registerParameter('weight', ones([numFeatures])) : null;
    this.bias = affine ? this.registerParameter('bias', zeros([numFeatures])) : null;
    this.runningMean = track ? this.registerBuffer('running_mean', zeros([numFeatures])) : null;
    this.runningVar = track ? this.registerBuffer('running_var', ones([numFeatures])) : null;
    this.numBatchesTracked = track ? this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' })) : null;
  }

  forward(x: Tensor): Tensor {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== this.numFeatures) {
      throw new RangeError(`BatchNorm1d(${this.numFeatures}) got input of shape ${shapeString(x.shape)}; expected (N, ${this.numFeatures}) or channels-last (B, T, ${this.numFeatures})`);
    }
    // As torch.nn.modules.batchnorm: batch statistics in training (or without running ones);
    // the running statistics move only in training.
    const training = this.training || this.runningMean === null;
    let momentum = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked !== null) {
      if (x.numel > this.numFeatures) { this.numBatchesTracked.intData[0]++; this.numBatchesTracked.storage.bumpVersion(); }
      if (this.momentum === null) momentum = 1 / this.numBatchesTracked.intData[0]; // cumulative moving average
    }
    const update = !this.training || this.numBatchesTracked !== null;
    return F.batchNorm(x, update ? this.runningMean : null, update ? this.runningVar : null,
      { weight: this.weight, bias: this.bias, training, momentum, eps: this.eps, correction: this.unbiased ? 1 : 0, stepwise: this.unbiased });
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** (n, d1, d2, …) → (n, d1·d2·…) */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], -1]);
  }
}

/**
 * The part-5 lecture's FlattenConsecutive(n): (B, T, C) → (B, T/n, C·n), n consecutive positions
 * side by side; a view (no copy). T/n = 1 is squeezed: (B, C·n).
 */
export class FlattenConsecutive extends Module {
  constructor(readonly n: number) {
    super();
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`FlattenConsecutive needs a positive integer n, got ${n}`);
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[1] % this.n !== 0) {
      throw new RangeError(`FlattenConsecutive(${this.n}) needs (B, T, C) with T a multiple of ${this.n}, got ${shapeString(x.shape)}`);
    }
    const [b, t, c] = x.shape;
    return t === this.n ? reshape(x, [b, c * this.n]) : reshape(x, [b, t / this.n, c * this.n]);
  }
}

/** Runs its modules in order; they are named "0", "1", … as in PyTorch. */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) h = m.call(h);
    return h;
  }
}
