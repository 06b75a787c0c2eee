// Tensor factories, as in PyTorch: tensor, zeros, ones, full, arange, randn, rand, randint.
// Random factories draw from a Generator (the default one unless given), so the same seed gives
// the same values as torch on the CPU.
import { defaultGenerator, type Generator } from '../random/index.js';
import { Tensor, type DType, type FloatDType, type Storage } from './tensor.js';
import { numelOf, shapeString } from './shape.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions {
  generator?: Generator;
  dtype?: FloatDType;
  requiresGrad?: boolean;
}

type Nested = number | readonly Nested[];

function allocStorage(dtype: DType, n: number): Storage {
  if (dtype === 'int32') return new Int32Array(n);
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

function checkShape(shape: readonly number[]): void {
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) throw new RangeError(`invalid tensor shape ${shapeString(shape)}`);
  }
}

/** A tensor from (nested) numbers; float32 unless a dtype is given. */
export function tensor(values: Nested | ArrayLike<number>, options: TensorOptions = {}): Tensor {
  const shape: number[] = [];
  const flat: number[] = [];
  if (typeof values !== 'number' && !Array.isArray(values)) {
    const arr = values as ArrayLike<number>;
    shape.push(arr.length);
    for (let i = 0; i < arr.length; i++) flat.push(arr[i]);
  } else {
    let probe: Nested = values as Nested;
    while (Array.isArray(probe)) { shape.push(probe.length); probe = probe[0] as Nested; }
    const walk = (v: Nested, d: number): void => {
      if (typeof v === 'number') {
        if (d !== shape.length) throw new RangeError('ragged nested array: every row must have the same length');
        flat.push(v);
        return;
      }
      if (v.length !== shape[d]) throw new RangeError('ragged nested array: every row must have the same length');
      for (const x of v) walk(x, d + 1);
    };
    walk(values as Nested, 0);
  }
  const dtype = options.dtype ?? 'float32';
  const data = allocStorage(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) data[i] = flat[i];
  return new Tensor(data, shape, dtype, options.requiresGrad ?? false);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  checkShape(shape);
  const dtype = options.dtype ?? 'float32';
  const data = allocStorage(dtype, numelOf(shape));
  data.fill(value);
  return new Tensor(data, shape, dtype, options.requiresGrad ?? false);
}

export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** 0, 1, …, n−1 (int32 unless a dtype is given). */
export function arange(n: number, options: TensorOptions = {}): Tensor {
  const dtype = options.dtype ?? 'int32';
  const data = allocStorage(dtype, n);
  for (let i = 0; i < n; i++) data[i] = i;
  return new Tensor(data, [n], dtype, options.requiresGrad ?? false);
}

/**
 * Standard normal samples, torch.randn. Draws in float32 exactly as PyTorch does; a float64
 * request widens those float32 draws (PyTorch's own float64 stream differs).
 */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  checkShape(shape);
  const g = options.generator ?? defaultGenerator;
  const draws = new Float32Array(numelOf(shape));
  g.normal(draws);
  const data = options.dtype === 'float64' ? Float64Array.from(draws) : draws;
  return new Tensor(data, shape, options.dtype ?? 'float32', options.requiresGrad ?? false);
}

/** Uniform samples in [0, 1), torch.rand. */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  checkShape(shape);
  const g = options.generator ?? defaultGenerator;
  const draws = new Float32Array(numelOf(shape));
  g.uniform(draws);
  const data = options.dtype === 'float64' ? Float64Array.from(draws) : draws;
  return new Tensor(data, shape, options.dtype ?? 'float32', options.requiresGrad ?? false);
}

/** Integers uniform in [low, high), torch.randint (int64 draws, stored as int32). */
export function randint(low: number, high: number, shape: readonly number[], options: { generator?: Generator } = {}): Tensor {
  checkShape(shape);
  const g = options.generator ?? defaultGenerator;
  const data = new Int32Array(numelOf(shape));
  g.randint(low, high, data);
  return new Tensor(data, shape, 'int32');
}
