// The optimizer a training config asks for (plain SGD by default: the notebooks').
import type { TrainConfig } from '../model/index.js';
import { AdamW, SGD, type Optimizer } from '../optim/index.js';
import type { Tensor } from '../tensor/index.js';

export function createOptimizer(params: readonly Tensor[], cfg: TrainConfig): Optimizer {
  if ((cfg.optimizer ?? 'sgd') === 'adamw') {
    return new AdamW(params, { lr: cfg.lr, betas: cfg.betas, eps: cfg.eps, weightDecay: cfg.weightDecay });
  }
  return new SGD(params, { lr: cfg.lr, momentum: cfg.momentum, dampening: cfg.dampening, weightDecay: cfg.weightDecay, nesterov: cfg.nesterov });
}
