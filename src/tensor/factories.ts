// Tensor factories, as in PyTorch: tensor, zeros, ones, full, arange, randn, rand, randint.
// Random factories draw from a Generator (the default one unless given), so the same seed gives
// the same values as torch on the CPU.
import { defaultGenerator, type Generator } from '../random/index.js';
import { Tensor, type DType, type FloatDType } from './tensor.js';
import { Storage } from './storage.js';
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
  return Storage.alloc(dtype, n);
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
  const storage = allocStorage(dtype, flat.length);
  storage.data.set(flat);
  return new Tensor(storage, shape, dtype, options.requiresGrad ?? false);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  checkShape(shape);
  const dtype = options.dtype ?? 'float32';
  const storage = allocStorage(dtype, numelOf(shape));
  storage.data.fill(value);
  return new Tensor(storage, shape, dtype, options.requiresGrad ?? false);
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
  const storage = allocStorage(dtype, n);
  const data = storage.data;
  for (let i = 0; i < n; i++) data[i] = i;
  return new Tensor(storage, [n], dtype, options.requiresGrad ?? false);
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
  return fromDraws(draws, shape, options);
}

/** Uniform samples in [0, 1), torch.rand. */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  checkShape(shape);
  const g = options.generator ?? defaultGenerator;
  const draws = new Float32Array(numelOf(shape));
  g.uniform(draws);
  return fromDraws(draws, shape, options);
}

/** Integers uniform in [low, high), torch.randint (int64 draws, stored as int32). */
export function randint(low: number, high: number, shape: readonly number[], options: { generator?: Generator } = {}): Tensor {
  checkShape(shape);
  const g = options.generator ?? defaultGenerator;
  const storage = allocStorage('int32', numelOf(shape));
  g.randint(low, high, storage.data as Int32Array);
  return new Tensor(storage, shape, 'int32');
}

/** Float32 draws into a tensor of the requested float dtype (on the backend's memory). */
function fromDraws(draws: Float32Array, shape: readonly number[], options: RandomOptions): Tensor {
  const dtype = options.dtype ?? 'float32';
  const storage = allocStorage(dtype, draws.length);
  storage.data.set(draws);
  return new Tensor(storage, shape, dtype, options.requiresGrad ?? false);
}
