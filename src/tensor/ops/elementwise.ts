// Elementwise ops with broadcasting. Backward: the chain rule per element, then sum over the
// dimensions an input was broadcast along (accumulateReduced).
import { kernels, type BinaryOp, type UnaryGradOp } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import { Tensor, type FloatDType } from '../tensor.js';
import { broadcastShapes, broadcastStrides, sameShape, splitAt, stridesOf } from '../shape.js';
import { asFloat, emptyFloat, outputFloat, promote } from './alloc.js';

/** Add scale·g (shaped like the broadcast output) into `into` (shaped like it or smaller), summing over broadcast dims. */
function accumulateReduced(into: Tensor, g: Tensor, scale = 1): void {
  const k = kernels();
  if (sameShape(g.shape, into.shape)) { k.axpy(into.floatData, g.floatData, scale); return; }
  const off = g.shape.length - into.shape.length;
  let cur = g;
  for (let d = 0; d < g.shape.length; d++) {
    const want = d < off ? 1 : into.shape[d - off];
    if (cur.shape[d] === want) continue;
    const [outer, dim, inner] = splitAt(cur.shape, d);
    const nextShape = [...cur.shape];
    nextShape[d] = 1;
    const next = emptyFloat(cur.dtype as FloatDType, nextShape);
    k.sumAxis(next.floatData, cur.floatData, outer, dim, inner, false);
    cur = next;
  }
  k.axpy(into.floatData, cur.floatData, scale);
}

function binaryOp(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  const k = kernels();
  if (typeof b === 'number') {
    const dtype = promote(a);
    const af = asFloat(a, dtype);
    const out = outputFloat(dtype, a.shape);
    k.binaryScalar(op, out.floatData, af.floatData, b, false);
    return record(out, `${cap(op)}Backward`, [a], (g) => {
      const ga = gradOf(a);
      if (ga === null) return;
      const s = op === 'add' || op === 'sub' ? 1 : op === 'mul' ? b : 1 / b;
      k.axpy(ga.floatData, g.floatData, s);
    });
  }
  const dtype = promote(a, b);
  const shape = broadcastShapes(a.shape, b.shape);
  const af = asFloat(a, dtype);
  const bf = asFloat(b, dtype);
  const out = outputFloat(dtype, shape);
  k.binary(op, out.floatData, af.floatData, broadcastStrides(a.shape, shape), bf.floatData, broadcastStrides(b.shape, shape), shape);
  // mul reads both inputs, div b and the output; add and sub read nothing.
  const saved = op === 'mul' ? [a, b] : op === 'div' ? [b, out] : [];
  return record(out, `${cap(op)}Backward`, [a, b], (g) => {
    const ga = gradOf(a);
    const gb = gradOf(b);
    if (op === 'add' || op === 'sub') {
      if (ga !== null) accumulateReduced(ga, g);
      if (gb !== null) accumulateReduced(gb, g, op === 'sub' ? -1 : 1);
      return;
    }
    const full = stridesOf(shape);
    const aSt = broadcastStrides(a.shape, shape);
    const bSt = broadcastStrides(b.shape, shape);
    const tmp = emptyFloat(dtype, shape);
    if (op === 'mul') {
      // d(a·b)/da = b, d(a·b)/db = a
      if (ga !== null) { k.binary('mul', tmp.floatData, g.floatData, full, bf.floatData, bSt, shape); accumulateReduced(ga, tmp); }
      if (gb !== null) { k.binary('mul', tmp.floatData, g.floatData, full, af.floatData, aSt, shape); accumulateReduced(gb, tmp); }
    } else {
      // d(a/b)/da = 1/b, d(a/b)/db = −a/b² = −out/b
      if (ga !== null) { k.binary('div', tmp.floatData, g.floatData, full, bf.floatData, bSt, shape); accumulateReduced(ga, tmp); }
      if (gb !== null) {
        k.binary('mul', tmp.floatData, g.floatData, full, out.floatData, full, shape);
        k.binary('div', tmp.floatData, tmp.floatData, full, bf.floatData, bSt, shape);
        accumulateReduced(gb, tmp, -1);
      }
    }
  }, saved);
}

export function add(a: Tensor, b: Tensor | number): Tensor { return binaryOp('add', a, b); }
export function sub(a: Tensor, b: Tensor | number): Tensor { return binaryOp('sub', a, b); }
export function mul(a: Tensor, b: Tensor | number): Tensor { return binaryOp('mul', a, b); }
export function div(a: Tensor, b: Tensor | number): Tensor { return binaryOp('div', a, b); }

/** `s − a` for a scalar on the left. */
export function rsub(s: number, a: Tensor): Tensor { return add(neg(a), s); }

export function neg(a: Tensor): Tensor { return mul(a, -1); }

export function pow(a: Tensor, p: number): Tensor {
  const k = kernels();
  const dtype = promote(a);
  const af = asFloat(a, dtype);
  const out = outputFloat(dtype, a.shape);
  k.powScalar(out.floatData, af.floatData, p);
  return record(out, 'PowBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) k.powBackward(ga.floatData, g.floatData, af.floatData, p);
  }, [a]);
}

/** The tensor each derivative reads: the output for exp, tanh and sqrt, else the input. */
const READS_OUTPUT: Record<UnaryGradOp, boolean> = { exp: true, tanh: true, sqrt: true, log: false, log10: false, abs: false };

export function unaryOp(op: UnaryGradOp, a: Tensor): Tensor {
  const k = kernels();
  const dtype = promote(a);
  const af = asFloat(a, dtype);
  const out = outputFloat(dtype, a.shape);
  k.unary(op, out.floatData, af.floatData);
  return record(out, `${cap(op)}Backward`, [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) k.unaryBackward(op, ga.floatData, g.floatData, af.floatData, out.floatData);
  }, [READS_OUTPUT[op] ? out : a]);
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

