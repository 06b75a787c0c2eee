// Reductions over one dimension (or all): sum, mean, var, std, with keepdim.
// They run on the (outer × dim × inner) view, so any dimension is one kernel call.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { normDim, splitAt } from '../shape.js';
import { allocFloat, requireFloat } from './alloc.js';

export interface VarOptions {
  /** Divide by n − correction; 1 (unbiased, PyTorch's default) or 0 (biased). */
  correction?: number;
  /** PyTorch's older flag: true = correction 1, false = correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

interface Plan { outer: number; dim: number; inner: number; outShape: number[] }

function plan(a: Tensor, dim: number | undefined, keepdim: boolean): Plan {
  if (dim === undefined) {
    return { outer: 1, dim: a.numel, inner: 1, outShape: keepdim ? a.shape.map(() => 1) : [] };
  }
  const d = normDim(dim, a.ndim);
  const [outer, n, inner] = splitAt(a.shape, d);
  const outShape = [...a.shape];
  if (keepdim) outShape[d] = 1; else outShape.splice(d, 1);
  return { outer, dim: n, inner, outShape };
}

export function sum(a: Tensor, dim?: number, keepdim = false): Tensor {
  const dtype = requireFloat(a, 'sum');
  const p = plan(a, dim, keepdim);
  const out = new Tensor(allocFloat(dtype, p.outer * p.inner), p.outShape, dtype);
  kernels().sumAxis(out.f, a.f, p.outer, p.dim, p.inner, false);
  return record(out, 'SumBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) kernels().broadcastAxis(ga, g, p.outer, p.dim, p.inner, 1);
  });
}

export function mean(a: Tensor, dim?: number, keepdim = false): Tensor {
  const dtype = requireFloat(a, 'mean');
  const p = plan(a, dim, keepdim);
  const out = new Tensor(allocFloat(dtype, p.outer * p.inner), p.outShape, dtype);
  const o = out.f;
  kernels().sumAxis(o, a.f, p.outer, p.dim, p.inner, false);
  for (let i = 0; i < o.length; i++) o[i] /= p.dim;
  return record(out, 'MeanBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) kernels().broadcastAxis(ga, g, p.outer, p.dim, p.inner, 1 / p.dim);
  });
}

function correctionOf(o: VarOptions): number {
  if (o.correction !== undefined) return o.correction;
  return o.unbiased === false ? 0 : 1;
}

/** Shared forward of var and std; `root` takes the square root (std). */
function spread(a: Tensor, dim: number | undefined, options: VarOptions, root: boolean): Tensor {
  const dtype = requireFloat(a, root ? 'std' : 'var');
  const c = correctionOf(options);
  const p = plan(a, dim, options.keepdim ?? false);
  const n = p.outer * p.inner;
  const out = new Tensor(allocFloat(dtype, n), p.outShape, dtype);
  const means = allocFloat(dtype, n);
  const v = out.f;
  kernels().varAxis(v, means, a.f, p.outer, p.dim, p.inner, c);
  if (root) for (let i = 0; i < n; i++) v[i] = Math.sqrt(v[i]);
  const x = a.f;
  return record(out, root ? 'StdBackward' : 'VarBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga === null) return;
    // dvar/dx = 2(x − mean)/(n − c); dstd/dx = (x − mean)/((n − c)·std)
    for (let o = 0; o < p.outer; o++) {
      for (let i = 0; i < p.inner; i++) {
        const q = o * p.inner + i;
        const k = root ? g[q] / ((p.dim - c) * v[q]) : (2 * g[q]) / (p.dim - c);
        for (let d = 0, at = o * p.dim * p.inner + i; d < p.dim; d++, at += p.inner) ga[at] += k * (x[at] - means[q]);
      }
    }
  });
}

export function variance(a: Tensor, dim?: number, options: VarOptions = {}): Tensor {
  return spread(a, dim, options, false);
}

export function std(a: Tensor, dim?: number, options: VarOptions = {}): Tensor {
  return spread(a, dim, options, true);
}
