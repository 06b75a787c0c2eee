// Fused linear layer, PyTorch layout: y = x·Wᵀ + b with W (out×in), x (n×in), y (n×out).
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { allocFloat, promote, requireFloat } from './alloc.js';

export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  requireFloat(x, 'linear');
  if (x.ndim !== 2 || weight.ndim !== 2 || x.shape[1] !== weight.shape[1] || (bias !== null && bias.numel !== weight.shape[0])) {
    throw new RangeError(`linear needs x (n×in), weight (out×in), bias (out); got ${shapeString(x.shape)}, ${shapeString(weight.shape)}${bias ? `, ${shapeString(bias.shape)}` : ''}`);
  }
  const [n, fin] = x.shape;
  const fout = weight.shape[0];
  const dtype = promote(x, weight);
  const k = kernels();
  const out = new Tensor(allocFloat(dtype, n * fout), [n, fout], dtype);
  const y = out.f;
  k.matmulTransB(y, x.f, weight.f, n, fout, fin, false);
  if (bias !== null) {
    const b = bias.f;
    for (let i = 0; i < n; i++) for (let j = 0; j < fout; j++) y[i * fout + j] += b[j];
  }
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(out, 'LinearBackward', inputs, (g) => {
    const gx = gradOf(x);
    const gw = gradOf(weight);
    if (gx !== null) k.matmul(gx, g, weight.f, n, fout, fin, true); // dx = dy·W
    if (gw !== null) k.matmulTransA(gw, g, x.f, n, fout, fin, true); // dW = dyᵀ·x
    if (bias !== null) {
      const gb = gradOf(bias);
      if (gb !== null) k.sumAxis(gb, g, 1, n, fout, true); // db = Σ_rows dy
    }
  });
}
