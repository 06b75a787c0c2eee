// In-place ops, PyTorch's `t.add_(…)`: they write into t's storage (shared with its views) and
// bump its version counter, so a backward pass that saved t throws instead of reading new values
// (see autograd.ts). They are not recorded by autograd: with grad mode on, a tensor that requires
// grad cannot take part in one (PyTorch's "a leaf Variable that requires grad is being used in
// an in-place operation"); optimizers and running statistics write inside noGrad().
import { kernels, type BinaryOp } from '../../kernels/index.js';
import { isGradEnabled } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { broadcastShapes, broadcastStrides, sameShape, shapeString, stridesOf } from '../shape.js';
import { asFloat, promote, requireFloat } from './alloc.js';

function check(t: Tensor, op: string, other?: Tensor): void {
  requireFloat(t, op);
  if (isGradEnabled() && (t.requiresGrad || other?.requiresGrad === true)) {
    throw new Error(`${op}: a tensor that requires grad is being used in an in-place operation; do it inside noGrad()`);
  }
}

function binaryInPlace(op: BinaryOp, t: Tensor, other: Tensor | number): Tensor {
  const name = `${op}_`;
  check(t, name, typeof other === 'number' ? undefined : other);
  const k = kernels();
  if (typeof other === 'number') {
    k.binaryScalar(op, t.floatData, t.floatData, other, false);
  } else {
    if (!sameShape(broadcastShapes(t.shape, other.shape), t.shape)) {
      throw new RangeError(`${name}: a tensor of shape ${shapeString(other.shape)} does not broadcast to ${shapeString(t.shape)}`);
    }
    if (promote(t, other) !== t.dtype) throw new TypeError(`${name}: cannot write ${other.dtype} values into a ${t.dtype} tensor`);
    const src = asFloat(other, requireFloat(t, name));
    k.binary(op, t.floatData, t.floatData, stridesOf(t.shape), src.floatData, broadcastStrides(other.shape, t.shape), t.shape);
  }
  t.storage.bumpVersion();
  return t;
}

export function addInPlace(t: Tensor, other: Tensor | number): Tensor { return binaryInPlace('add', t, other); }
export function subInPlace(t: Tensor, other: Tensor | number): Tensor { return binaryInPlace('sub', t, other); }
export function mulInPlace(t: Tensor, other: Tensor | number): Tensor { return binaryInPlace('mul', t, other); }
export function divInPlace(t: Tensor, other: Tensor | number): Tensor { return binaryInPlace('div', t, other); }

/** t ← src (same number of elements; values converted to t's dtype). */
export function copyInPlace(t: Tensor, src: Tensor): Tensor {
  check(t, 'copy_', src);
  if (src.numel !== t.numel) throw new RangeError(`copy_: ${shapeString(src.shape)} into ${shapeString(t.shape)}: the numbers of elements differ`);
  t.data.set(src.data);
  t.storage.bumpVersion();
  return t;
}

/** t ← value everywhere. */
export function fillInPlace(t: Tensor, value: number): Tensor {
  check(t, 'fill_');
  t.data.fill(value);
  t.storage.bumpVersion();
  return t;
}
