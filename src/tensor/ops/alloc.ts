// Storage allocation and dtype promotion shared by the ops.
import { Tensor, type FloatDType } from '../tensor.js';
import { numelOf } from '../shape.js';
import { Storage } from '../storage.js';

/** Zero-filled float storage from the active backend (see storage.ts). */
export function allocFloat(dtype: FloatDType, n: number): Storage {
  return Storage.alloc(dtype, n);
}

/** A new zero-filled float tensor. */
export function emptyFloat(dtype: FloatDType, shape: readonly number[]): Tensor {
  return new Tensor(Storage.alloc(dtype, numelOf(shape)), shape, dtype);
}

/** A new float tensor with unspecified contents: only for outputs a kernel overwrites entirely. */
export function outputFloat(dtype: FloatDType, shape: readonly number[]): Tensor {
  return new Tensor(Storage.alloc(dtype, numelOf(shape), false), shape, dtype);
}

/** The float dtype an op on these tensors computes in: float64 if any is, else float32. */
export function promote(...ts: readonly Tensor[]): FloatDType {
  return ts.some((t) => t.dtype === 'float64') ? 'float64' : 'float32';
}

/** Throws unless `t` is a float tensor; names the op. */
export function requireFloat(t: Tensor, op: string): FloatDType {
  if (t.dtype === 'int32') throw new TypeError(`${op} needs a floating point tensor, got int32`);
  return t.dtype;
}

/** `t` as a float tensor of `dtype` (int tensors are converted, as PyTorch promotes them). */
export function asFloat(t: Tensor, dtype: FloatDType): Tensor {
  if (t.dtype === dtype) return t;
  const out = emptyFloat(dtype, t.shape);
  out.floatData.set(t.data);
  return out;
}
