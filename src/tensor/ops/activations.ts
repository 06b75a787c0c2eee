// GELU (makemore.py's NewGELU, the tanh approximation) and sigmoid: one kernel call each way.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { outputFloat, requireFloat } from './alloc.js';

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); backward reads x. */
export function gelu(x: Tensor): Tensor {
  const out = outputFloat(requireFloat(x, 'gelu'), x.shape);
  kernels().gelu(out.f, x.f);
  return record(out, 'GeluBackward', [x], (g) => {
    const gx = gradOf(x);
    if (gx !== null) kernels().geluBackward(gx.f, g.f, x.f);
  }, [x]);
}

/** 1/(1 + exp(−x)); backward reads the output y: dy·y·(1 − y). */
export function sigmoid(x: Tensor): Tensor {
  const out = outputFloat(requireFloat(x, 'sigmoid'), x.shape);
  kernels().sigmoid(out.f, x.f);
  return record(out, 'SigmoidBackward', [x], (g) => {
    const gx = gradOf(x);
    if (gx !== null) kernels().sigmoidBackward(gx.f, g.f, out.f);
  }, [out]);
}
