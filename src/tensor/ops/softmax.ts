// Softmax and log-softmax over the last dimension (max-subtracted, stable).
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { normDim } from '../shape.js';
import { outputFloat, requireFloat } from './alloc.js';

function rowsCols(a: Tensor, dim: number, op: string): [number, number] {
  if (normDim(dim, a.ndim) !== Math.max(a.ndim - 1, 0)) throw new RangeError(`${op} is implemented over the last dimension only`);
  const cols = a.ndim === 0 ? 1 : a.shape[a.ndim - 1];
  return [a.numel / cols, cols];
}

export function softmax(a: Tensor, dim = -1): Tensor {
  const dtype = requireFloat(a, 'softmax');
  const [rows, cols] = rowsCols(a, dim, 'softmax');
  const out = outputFloat(dtype, a.shape);
  kernels().softmaxRows(out.floatData, a.floatData, rows, cols);
  return record(out, 'SoftmaxBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) kernels().softmaxBackward(ga.floatData, g.floatData, out.floatData, rows, cols);
  }, [out]);
}

export function logSoftmax(a: Tensor, dim = -1): Tensor {
  const dtype = requireFloat(a, 'logSoftmax');
  const [rows, cols] = rowsCols(a, dim, 'logSoftmax');
  const out = outputFloat(dtype, a.shape);
  kernels().logSoftmaxRows(out.floatData, a.floatData, rows, cols);
  return record(out, 'LogSoftmaxBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) kernels().logSoftmaxBackward(ga.floatData, g.floatData, out.floatData, rows, cols);
  }, [out]);
}
