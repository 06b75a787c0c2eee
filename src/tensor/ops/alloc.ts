// Storage allocation and dtype promotion shared by the ops.
import type { FloatArray } from '../../kernels/index.js';
import type { FloatDType, Tensor } from '../tensor.js';

export function allocFloat(dtype: FloatDType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
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
