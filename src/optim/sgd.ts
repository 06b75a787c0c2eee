// Plain minibatch SGD: p ← p − lr·grad, one kernel call per parameter.
import { kernels } from '../kernels/index.js';
import type { Tensor } from '../tensor/index.js';

export class SGD {
  constructor(readonly params: readonly Tensor[], public lr: number) {}

  /**
   * Reset the gradients. By default they are zero-filled in place, so the same buffers serve
   * every step (no allocation); `setToNone` drops them instead (PyTorch's `p.grad = None`).
   * Both give the same next gradient.
   */
  zeroGrad(setToNone = false): void {
    for (const p of this.params) {
      if (setToNone) p.grad = null;
      else p.grad?.f.fill(0);
    }
  }

  /** One update with `lr` (or the optimizer's own). Parameters without a gradient are skipped. */
  step(lr = this.lr): void {
    const k = kernels();
    for (const p of this.params) {
      if (p.grad === null) continue;
      k.sgdStep(p.f, p.grad.f, lr);
      p.storage.bumpVersion(); // an in-place write: a graph that saved p can no longer backward
    }
  }
}
