// Elementwise ops with broadcasting. Backward: the chain rule per element, then sum over the
// dimensions an input was broadcast along (sumToShape).
import { kernels, type BinaryOp, type FloatArray, type UnaryOp } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import { Tensor, type FloatDType } from '../tensor.js';
import { broadcastShapes, broadcastStrides, numelOf, sameShape, splitAt } from '../shape.js';
import { allocFloat, promote } from './alloc.js';

/** Add `g` (shaped like the broadcast output) into `into` (shaped like `shape`), summing over broadcast dims. */
function accumulateReduced(into: FloatArray, g: FloatArray, outShape: readonly number[], shape: readonly number[], scale = 1): void {
  if (sameShape(outShape, shape)) { kernels().axpy(into, g, scale); return; }
  // Sum dimension by dimension over the ones that were broadcast (size 1 or missing in `shape`).
  let cur: FloatArray = g;
  let curShape = [...outShape];
  const off = outShape.length - shape.length;
  for (let d = 0; d < outShape.length; d++) {
    const want = d < off ? 1 : shape[d - off];
    if (curShape[d] === want) continue;
    const [outer, dim, inner] = splitAt(curShape, d);
    const next: FloatArray = cur instanceof Float64Array ? new Float64Array(outer * inner) : new Float32Array(outer * inner);
    kernels().sumAxis(next, cur, outer, dim, inner, false);
    cur = next;
    curShape[d] = 1;
  }
  kernels().axpy(into, cur, scale);
}

function binaryOp(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  const k = kernels();
  if (typeof b === 'number') {
    const dtype = promote(a);
    const out = new Tensor(allocFloat(dtype, a.numel), a.shape, dtype);
    const af = asFloat(a, dtype);
    k.binaryScalar(op, out.f, af, b, false);
    return record(out, `${cap(op)}Backward`, [a], (g) => {
      const ga = gradOf(a);
      if (ga === null) return;
      if (op === 'add' || op === 'sub') k.axpy(ga, g, 1);
      else if (op === 'mul') k.axpy(ga, g, b);
      else k.axpy(ga, g, 1 / b);
    });
  }
  const dtype = promote(a, b);
  const shape = broadcastShapes(a.shape, b.shape);
  const out = new Tensor(allocFloat(dtype, numelOf(shape)), shape, dtype);
  const af = asFloat(a, dtype);
  const bf = asFloat(b, dtype);
  k.binary(op, out.f, af, broadcastStrides(a.shape, shape), bf, broadcastStrides(b.shape, shape), shape);
  return record(out, `${cap(op)}Backward`, [a, b], (g) => {
    const ga = gradOf(a);
    const gb = gradOf(b);
    if (op === 'add' || op === 'sub') {
      if (ga !== null) accumulateReduced(ga, g, shape, a.shape);
      if (gb !== null) accumulateReduced(gb, g, shape, b.shape, op === 'sub' ? -1 : 1);
      return;
    }
    const st = broadcastStrides;
    const tmp = allocFloat(dtype, g.length);
    if (op === 'mul') {
      // d(a·b)/da = b, d(a·b)/db = a
      if (ga !== null) { k.binary('mul', tmp, g, st(shape, shape), bf, st(b.shape, shape), shape); accumulateReduced(ga, tmp, shape, a.shape); }
      if (gb !== null) { k.binary('mul', tmp, g, st(shape, shape), af, st(a.shape, shape), shape); accumulateReduced(gb, tmp, shape, b.shape); }
    } else {
      // d(a/b)/da = 1/b, d(a/b)/db = −a/b² = −out/b
      if (ga !== null) { k.binary('div', tmp, g, st(shape, shape), bf, st(b.shape, shape), shape); accumulateReduced(ga, tmp, shape, a.shape); }
      if (gb !== null) {
        k.binary('mul', tmp, g, st(shape, shape), out.f, st(shape, shape), shape);
        k.binary('div', tmp, tmp, st(shape, shape), bf, st(b.shape, shape), shape);
        accumulateReduced(gb, tmp, shape, b.shape, -1);
      }
    }
  });
}

export function add(a: Tensor, b: Tensor | number): Tensor { return binaryOp('add', a, b); }
export function sub(a: Tensor, b: Tensor | number): Tensor { return binaryOp('sub', a, b); }
export function mul(a: Tensor, b: Tensor | number): Tensor { return binaryOp('mul', a, b); }
export function div(a: Tensor, b: Tensor | number): Tensor { return binaryOp('div', a, b); }

/** Elementwise `s op a` for a scalar on the left: `rsub(1, t)` is `1 − t`. */
export function rsub(s: number, a: Tensor): Tensor { return add(neg(a), s); }

export function neg(a: Tensor): Tensor { return mul(a, -1); }

export function pow(a: Tensor, p: number): Tensor {
  const dtype = promote(a);
  const af = asFloat(a, dtype);
  const out = new Tensor(allocFloat(dtype, a.numel), a.shape, dtype);
  const o = out.f;
  for (let i = 0; i < o.length; i++) o[i] = af[i] ** p;
  return record(out, 'PowBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga === null) return;
    for (let i = 0; i < ga.length; i++) ga[i] += g[i] * p * af[i] ** (p - 1);
  });
}

export function unaryOp(op: Exclude<UnaryOp, 'neg'>, a: Tensor): Tensor {
  const k = kernels();
  const dtype = promote(a);
  const af = asFloat(a, dtype);
  const out = new Tensor(allocFloat(dtype, a.numel), a.shape, dtype);
  k.unary(op, out.f, af);
  const y = out.f;
  return record(out, `${cap(op)}Backward`, [a], (g) => {
    const ga = gradOf(a);
    if (ga === null) return;
    switch (op) {
      case 'tanh': k.tanhBackward(ga, g, y); break; // 1 − tanh²
      case 'exp': k.mulInto(ga, g, y, true); break; // exp
      case 'log': for (let i = 0; i < ga.length; i++) ga[i] += g[i] / af[i]; break;
      case 'log10': for (let i = 0; i < ga.length; i++) ga[i] += g[i] / (af[i] * Math.LN10); break;
      case 'sqrt': for (let i = 0; i < ga.length; i++) ga[i] += g[i] * 0.5 / y[i]; break;
      case 'abs': for (let i = 0; i < ga.length; i++) ga[i] += g[i] * Math.sign(af[i]); break;
    }
  });
}

/** Float storage of `t` in `dtype` (int tensors are converted, as PyTorch promotes them). */
function asFloat(t: Tensor, dtype: FloatDType): FloatArray {
  if (t.dtype === dtype) return t.f;
  return dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data);
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
