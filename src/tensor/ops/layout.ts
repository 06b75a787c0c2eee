// Layout ops that copy (tensors are always contiguous): permute, transpose(dim0, dim1), narrow,
// select, split, cat, stack. Each is one strided-copy kernel call per input; the backward is the
// same walk with the strides swapped, accumulating.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { normDim, numelOf, shapeString, stridesOf } from '../shape.js';
import { outputFloat, requireFloat } from './alloc.js';

/** torch.permute: out.shape[i] = a.shape[dims[i]]. */
export function permute(a: Tensor, dims: readonly number[]): Tensor {
  const dtype = requireFloat(a, 'permute');
  const nd = a.ndim;
  const perm = dims.map((d) => normDim(d, nd));
  if (perm.length !== nd || new Set(perm).size !== nd) {
    throw new RangeError(`permute needs each of the ${nd} dimensions once, got (${dims.join(', ')}) for shape ${shapeString(a.shape)}`);
  }
  const aSt = stridesOf(a.shape);
  const shape = perm.map((d) => a.shape[d]);
  const from = perm.map((d) => aSt[d]); // a's stride along each output axis
  const to = stridesOf(shape);
  const out = outputFloat(dtype, shape);
  kernels().copyStrided(out.f, a.f, shape, to, from, false);
  return record(out, 'PermuteBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) kernels().copyStrided(ga.f, g.f, shape, from, to, true);
  });
}

/** torch.transpose(a, dim0, dim1): the two dimensions swapped (a copy). */
export function transposeDims(a: Tensor, dim0: number, dim1: number): Tensor {
  const perm = a.shape.map((_, i) => i);
  const d0 = normDim(dim0, a.ndim), d1 = normDim(dim1, a.ndim);
  perm[d0] = d1;
  perm[d1] = d0;
  return permute(a, perm);
}

/** The part [start, start + length) of `dim`, that dimension kept (narrow) or dropped (select). */
function slice(a: Tensor, dim: number, start: number, length: number, keep: boolean, op: string): Tensor {
  const dtype = requireFloat(a, op);
  if (a.ndim === 0) throw new RangeError(`${op} needs a tensor with at least one dimension`);
  const d = normDim(dim, a.ndim);
  const size = a.shape[d];
  const s = start < 0 ? start + size : start; // negative: from the end, as PyTorch
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new RangeError(keep
      ? `narrow: start ${start} and length ${length} are out of range for dimension ${dim} of size ${size}`
      : `select: index ${start} is out of range for dimension ${dim} of size ${size}`);
  }
  const aSt = stridesOf(a.shape);
  const walk = [...a.shape];
  walk[d] = length;
  const to = stridesOf(walk);
  const offset = s * aSt[d];
  const shape = keep ? walk : walk.filter((_, i) => i !== d);
  const out = outputFloat(dtype, shape);
  kernels().copyStrided(out.f, a.f.subarray(offset), walk, to, aSt, false);
  return record(out, keep ? 'NarrowBackward' : 'SelectBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) kernels().copyStrided(ga.f.subarray(offset), g.f, walk, aSt, to, true);
  });
}

/** torch.narrow: `length` entries of `dim` from `start` (a copy). */
export function narrow(a: Tensor, dim: number, start: number, length: number): Tensor {
  return slice(a, dim, start, length, true, 'narrow');
}

/** torch.select: entry `index` of `dim`, that dimension removed (`x[:, i]` for dim 1). */
export function select(a: Tensor, dim: number, index: number): Tensor {
  return slice(a, dim, index, 1, false, 'select');
}

/** torch.split with one size: pieces of `size` along `dim` (the last one may be shorter). */
export function split(a: Tensor, size: number, dim = 0): Tensor[] {
  const d = normDim(dim, a.ndim);
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`split size must be a positive integer, got ${size}`);
  const pieces: Tensor[] = [];
  for (let s = 0; s < a.shape[d]; s += size) pieces.push(narrow(a, d, s, Math.min(size, a.shape[d] - s)));
  return pieces;
}

/** Joins tensors whose shapes (as `shapes`) agree except along `dim`, into `outShape`. */
function join(ts: readonly Tensor[], shapes: readonly (readonly number[])[], d: number, outShape: readonly number[], name: string): Tensor {
  const dtype = requireFloat(ts[0], name);
  for (const t of ts) if (t.dtype !== dtype) throw new TypeError(`${name} of ${dtype} and ${t.dtype}: convert one first`);
  const out = outputFloat(dtype, outShape);
  const oSt = stridesOf(outShape);
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < ts.length; i++) {
    offsets.push(at * oSt[d]);
    at += shapes[i][d];
    if (numelOf(shapes[i]) > 0) kernels().copyStrided(out.f.subarray(offsets[i]), ts[i].f, shapes[i], oSt, stridesOf(shapes[i]), false);
  }
  return record(out, `${name === 'cat' ? 'Cat' : 'Stack'}Backward`, ts, (g) => {
    for (let i = 0; i < ts.length; i++) {
      const gt = gradOf(ts[i]);
      if (gt !== null && numelOf(shapes[i]) > 0) kernels().copyStrided(gt.f, g.f.subarray(offsets[i]), shapes[i], stridesOf(shapes[i]), oSt, true);
    }
  });
}

/** torch.cat: tensors of one shape except along `dim`, joined along it. */
export function cat(ts: readonly Tensor[], dim = 0): Tensor {
  if (ts.length === 0) throw new RangeError('cat needs at least one tensor');
  const nd = ts[0].ndim;
  const d = normDim(dim, nd);
  for (const t of ts) {
    if (t.ndim !== nd || t.shape.some((s, i) => i !== d && s !== ts[0].shape[i])) {
      throw new RangeError(`cat: shapes ${ts.map((x) => shapeString(x.shape)).join(', ')} differ outside dimension ${dim}`);
    }
  }
  const outShape = [...ts[0].shape];
  outShape[d] = ts.reduce((s, t) => s + t.shape[d], 0);
  return join(ts, ts.map((t) => t.shape), d, outShape, 'cat');
}

/** torch.stack: tensors of one shape joined along a new dimension `dim`. */
export function stack(ts: readonly Tensor[], dim = 0): Tensor {
  if (ts.length === 0) throw new RangeError('stack needs at least one tensor');
  const base = ts[0].shape;
  const d = normDim(dim, base.length + 1);
  for (const t of ts) {
    if (t.ndim !== base.length || t.shape.some((s, i) => s !== base[i])) {
      throw new RangeError(`stack needs tensors of one shape, got ${ts.map((x) => shapeString(x.shape)).join(', ')}`);
    }
  }
  const one = [...base.slice(0, d), 1, ...base.slice(d)];
  const outShape = [...base.slice(0, d), ts.length, ...base.slice(d)];
  return join(ts, ts.map(() => one), d, outShape, 'stack');
}
