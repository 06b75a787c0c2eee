// Fused linear layer, PyTorch layout: y = x·Wᵀ + b with W (out×in), x (…×in), y (…×out).
// Leading axes are rows of one matmul: (B, T, in) is B·T rows of the same storage, no copy.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { outputFloat, requireFloat } from './alloc.js';

export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const dtype = requireFloat(x, 'linear');
  if (x.ndim < 2 || weight.ndim !== 2 || x.shape[x.ndim - 1] !== weight.shape[1] || (bias !== null && bias.numel !== weight.shape[0])) {
    throw new RangeError(`linear needs x (…×in), weight (out×in), bias (out); got ${shapeString(x.shape)}, ${shapeString(weight.shape)}${bias ? `, ${shapeString(bias.shape)}` : ''}`);
  }
  const fin = weight.shape[1];
  const n = x.numel / fin;
  const fout = weight.shape[0];
  const k = kernels();
  const out = outputFloat(dtype, [...x.shape.slice(0, -1), fout]);
  k.matmulTransB(out.floatData, x.floatData, weight.floatData, n, fout, fin, false);
  if (bias !== null) k.binary('add', out.floatData, out.floatData, [fout, 1], bias.floatData, [0, 1], [n, fout]);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(out, 'LinearBackward', inputs, (g) => {
    const gx = gradOf(x);
    const gw = gradOf(weight);
    const gb = bias === null ? null : gradOf(bias);
    if (gx !== null) k.matmul(gx.floatData, g.floatData, weight.floatData, n, fout, fin, true); // dx = dy·W
    if (gw !== null) k.matmulTransA(gw.floatData, g.floatData, x.floatData, n, fout, fin, true); // dW = dyᵀ·x
    // db = Σ_rows dy (float32: in PyTorch's order)
    if (gb !== null) {
      if (g.dtype === 'float32') k.sumRows(gb.floatData, g.floatData, n, fout, true);
      else k.sumAxis(gb.floatData, g.floatData, 1, n, fout, true);
    }
  }, [x, weight]);
}
