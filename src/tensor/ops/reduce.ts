// Reductions over one dimension (or all): sum, mean, var, std, with keepdim.
// They run on the (outer × dim × inner) view, so any dimension is one kernel call.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { normDim, splitAt } from '../shape.js';
import { emptyFloat, requireFloat } from './alloc.js';

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

/** Σ over dim, times `scale` (1 for sum, 1/n for mean). */
function scaledSum(a: Tensor, dim: number | undefined, keepdim: boolean, scale: number, name: string): Tensor {
  const dtype = requireFloat(a, name);
  const p = plan(a, dim, keepdim);
  const out = emptyFloat(dtype, p.outShape);
  const k = kernels();
  k.sumAxis(out.floatData, a.floatData, p.outer, p.dim, p.inner, false);
  if (scale !== 1) k.binaryScalar('mul', out.floatData, out.floatData, scale, false);
  return record(out, `${name[0].toUpperCase()}${name.slice(1)}Backward`, [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) k.broadcastAxis(ga.floatData, g.floatData, p.outer, p.dim, p.inner, scale);
  });
}

export function sum(a: Tensor, dim?: number, keepdim = false): Tensor {
  return scaledSum(a, dim, keepdim, 1, 'sum');
}

export function mean(a: Tensor, dim?: number, keepdim = false): Tensor {
  const p = plan(a, dim, keepdim);
  return scaledSum(a, dim, keepdim, 1 / p.dim, 'mean');
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
  const out = emptyFloat(dtype, p.outShape);
  const means = emptyFloat(dtype, p.outShape);
  const k = kernels();
  k.varAxis(out.floatData, means.floatData, a.floatData, p.outer, p.dim, p.inner, c);
  if (root) k.unary('sqrt', out.floatData, out.floatData);
  return record(out, root ? 'StdBackward' : 'VarBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) k.varBackward(ga.floatData, g.floatData, a.floatData, means.floatData, root ? out.floatData : null, p.outer, p.dim, p.inner, c);
  }, root ? [a, out] : [a]);
}

export function variance(a: Tensor, dim?: number, options: VarOptions = {}): Tensor {
  return spread(a, dim, options, false);
}

export function std(a: Tensor, dim?: number, options: VarOptions = {}): Tensor {
  return spread(a, dim, options, true);
}
