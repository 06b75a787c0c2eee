// Fused linear layer, PyTorch layout: y = x·Wᵀ + b with W (out×in), x (n×in), y (n×out).
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { outputFloat, requireFloat } from './alloc.js';

export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const dtype = requireFloat(x, 'linear');
  if (x.ndim !== 2 || weight.ndim !== 2 || x.shape[1] !== weight.shape[1] || (bias !== null && bias.numel !== weight.shape[0])) {
    throw new RangeError(`linear needs x (n×in), weight (out×in), bias (out); got ${shapeString(x.shape)}, ${shapeString(weight.shape)}${bias ? `, ${shapeString(bias.shape)}` : ''}`);
  }
  const [n, fin] = x.shape;
  const fout = weight.shape[0];
  const k = kernels();
  const out = outputFloat(dtype, [n, fout]);
  k.matmulTransB(out.f, x.f, weight.f, n, fout, fin, false);
  if (bias !== null) k.binary('add', out.f, out.f, [fout, 1], bias.f, [0, 1], [n, fout]);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(out, 'LinearBackward', inputs, (g) => {
    const gx = gradOf(x);
    const gw = gradOf(weight);
    const gb = bias === null ? null : gradOf(bias);
    if (gx !== null) k.matmul(gx.f, g.f, weight.f, n, fout, fin, true); // dx = dy·W
    if (gw !== null) k.matmulTransA(gw.f, g.f, x.f, n, fout, fin, true); // dW = dyᵀ·x
    if (gb !== null) k.sumAxis(gb.f, g.f, 1, n, fout, true); // db = Σ_rows dy
  }, [x, weight]);
}
