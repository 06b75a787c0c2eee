// torch.optim.SGD: plain minibatch SGD (p ← p − lr·grad, the notebooks'), or with momentum,
// dampening, Nesterov momentum and (coupled) weight decay. One kernel call per parameter.
import { kernels } from '../kernels/index.js';
import type { Tensor } from '../tensor/index.js';
import { MakemoreError } from '../errors.js';
import { Optimizer, type ParamGroup } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  /** Added to the gradient as weightDecay·p (L2, PyTorch's SGD). */
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly name = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  /** Momentum 0 with weight decay: scratch for g + wd·p, not state (PyTorch keeps no buffer). */
  private readonly scratch = new Map<number, Tensor>();

  /** `new SGD(params, 0.1)` or `new SGD(params, { lr, momentum, dampening, weightDecay, nesterov })`. */
  constructor(params: readonly Tensor[], options: number | SGDOptions) {
    const o = typeof options === 'number' ? { lr: options } : options;
    super(params, o.lr);
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    this.nesterov = o.nesterov ?? false;
    for (const [name, v] of [['momentum', this.momentum], ['dampening', this.dampening], ['weight decay', this.weightDecay]] as const) {
      if (!(Number.isFinite(v) && v >= 0)) throw new MakemoreError(`SGD ${name} must be a non-negative number, got ${v}`);
    }
    // PyTorch's rule: the look-ahead needs a momentum buffer that is not damped.
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new MakemoreError('Nesterov momentum requires a momentum and zero dampening');
  }

  /** Plain SGD (no momentum, no weight decay): the notebooks' update, which the fused training step also does. */
  get isPlain(): boolean {
    return this.momentum === 0 && this.weightDecay === 0;
  }

  paramGroup(): ParamGroup {
    return { lr: this.lr, momentum: this.momentum, dampening: this.dampening, weight_decay: this.weightDecay, nesterov: this.nesterov };
  }

  step(lr = this.lr): void {
    const k = kernels();
    this.params.forEach((p, i) => {
      if (p.grad === null) return;
      if (this.isPlain) {
        k.sgdStep(p.floatData, p.grad.floatData, lr);
      } else if (this.momentum === 0) {
        let s = this.scratch.get(i);
        if (s === undefined) this.scratch.set(i, s = this.buffer(p));
        k.sgdMomentumStep(p.floatData, p.grad.floatData, s.floatData, lr, 0, 0, this.weightDecay, false, true);
      } else {
        const st = this.state.get(i);
        const first = st === undefined;
        const buf = st?.buffers.momentum_buffer ?? this.buffer(p);
        if (first) this.state.set(i, { buffers: { momentum_buffer: buf } });
        k.sgdMomentumStep(p.floatData, p.grad.floatData, buf.floatData, lr, this.momentum, this.dampening, this.weightDecay, this.nesterov, first);
      }
      p.storage.bumpVersion(); // an in-place write: a graph that saved p can no longer backward
    });
  }
}
