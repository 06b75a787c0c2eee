// torch.nn.utils.clip_grad_norm_: scale every gradient by max_norm/(total_norm + 1e-6) when that
// is below 1, total_norm being the 2-norm of all gradients together.
import { kernels } from '../kernels/index.js';
import type { Tensor } from '../tensor/index.js';

/** Clips the gradients of `params` in place; returns the total norm before clipping (PyTorch's float32 value). */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  const k = kernels();
  const grads = params.flatMap((p) => (p.grad === null ? [] : [p.grad]));
  // PyTorch: the norm of the per-parameter float32 norms.
  let sum = 0;
  for (const g of grads) {
    const n = Math.fround(Math.sqrt(k.sumSquares(g.floatData)));
    sum += n * n;
  }
  const total = Math.fround(Math.sqrt(sum));
  const coef = Math.fround(maxNorm / Math.fround(total + 1e-6));
  if (coef < 1) {
    for (const g of grads) {
      k.binaryScalar('mul', g.floatData, g.floatData, coef, false);
      g.storage.bumpVersion();
    }
  }
  return total;
}
