// torch.optim.AdamW (amsgrad off): decoupled weight decay p ← p·(1 − lr·wd), then Adam's moments
// with bias correction, eps added after √v̂. One kernel call per parameter; defaults are makemore.py's.
import { kernels } from '../kernels/index.js';
import type { Tensor } from '../tensor/index.js';
import { MakemoreError } from '../errors.js';
import { Optimizer, type ParamGroup } from './optimizer.js';

export interface AdamWOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

/** makemore.py's AdamW settings (its lr and weight decay; betas (0.9, 0.99), eps 1e-8). */
export const ADAMW_DEFAULTS = { lr: 5e-4, betas: [0.9, 0.99] as const, eps: 1e-8, weightDecay: 0.01 };

export class AdamW extends Optimizer {
  readonly name = 'adamw';
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;

  constructor(params: readonly Tensor[], options: AdamWOptions = {}) {
    super(params, options.lr ?? ADAMW_DEFAULTS.lr);
    this.betas = options.betas ?? ADAMW_DEFAULTS.betas;
    this.eps = options.eps ?? ADAMW_DEFAULTS.eps;
    this.weightDecay = options.weightDecay ?? ADAMW_DEFAULTS.weightDecay;
    for (const b of this.betas) if (!(b >= 0 && b < 1)) throw new MakemoreError(`AdamW betas must be in [0, 1), got ${this.betas.join(', ')}`);
    if (!(Number.isFinite(this.eps) && this.eps >= 0)) throw new MakemoreError(`AdamW eps must be a non-negative number, got ${this.eps}`);
    if (!(Number.isFinite(this.weightDecay) && this.weightDecay >= 0)) throw new MakemoreError(`AdamW weight decay must be a non-negative number, got ${this.weightDecay}`);
  }

  paramGroup(): ParamGroup {
    return { lr: this.lr, betas: this.betas, eps: this.eps, weight_decay: this.weightDecay, amsgrad: false };
  }

  step(lr = this.lr): void {
    const k = kernels();
    const [beta1, beta2] = this.betas;
    this.params.forEach((p, i) => {
      if (p.grad === null) return;
      let st = this.state.get(i);
      if (st === undefined) this.state.set(i, st = { step: 0, buffers: { exp_avg: this.buffer(p), exp_avg_sq: this.buffer(p) } });
      st.step = (st.step ?? 0) + 1;
      const { exp_avg: m, exp_avg_sq: v } = st.buffers;
      if (m === undefined || v === undefined) throw new MakemoreError(`AdamW state of parameter ${i} lacks exp_avg or exp_avg_sq`);
      k.adamwStep(p.floatData, p.grad.floatData, m.floatData, v.floatData, lr, beta1, beta2, this.eps, this.weightDecay, st.step);
      p.storage.bumpVersion();
    });
  }
}
