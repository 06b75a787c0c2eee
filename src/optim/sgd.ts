// Plain minibatch SGD: p ← p − lr·grad, one kernel call per parameter.
import { kernels } from '../kernels/index.js';
import type { Tensor } from '../tensor/index.js';

export class SGD {
  constructor(readonly params: readonly Tensor[], public lr: number) {}

  /** Forget the gradients (PyTorch's `p.grad = None`). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** One update with `lr` (or the optimizer's own). Parameters without a gradient are skipped. */
  step(lr = this.lr): void {
    const k = kernels();
    for (const p of this.params) if (p.grad !== null) k.sgdStep(p.f, p.grad.f, lr);
  }
}
