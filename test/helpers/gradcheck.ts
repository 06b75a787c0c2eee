// Central finite-difference gradient checking.
//
// `gradcheck(f, inputs)` runs `f(...inputs)` (which must return a one-element tensor), calls
// backward, and compares every input's `.grad` with (f(x + h) − f(x − h)) / 2h, element by element,
// perturbing the input storage in place (f must rebuild its graph from the inputs on every call).
// Inputs are float64 leaves with requiresGrad, so h ≈ 1e-6 gives ~1e-9 accuracy; float32 inputs
// work too with a larger h and looser tolerances.
import assert from 'node:assert/strict';
import { Tensor, noGrad } from '../../src/tensor/index.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  h?: number;
  /** Relative tolerance (default 1e-6). */
  rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
  /** Check only these flat element indexes of each input (default: all). */
  sample?: (input: number, numel: number) => number[];
  /** Names of the inputs, for error messages. */
  names?: readonly string[];
}

export interface GradcheckResult {
  /** Largest |analytic − numeric| seen. */
  maxAbsErr: number;
  /** Number of elements compared. */
  checked: number;
}

/** Evaluate f at the current input values without recording a graph. */
function value(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[]): number {
  const out = noGrad(() => f(...inputs));
  assert.equal(out.numel, 1, `gradcheck needs a scalar output, got shape (${out.shape.join(', ')})`);
  return Number(out.data[0]);
}

export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const h = options.h ?? 1e-6;
  const rtol = options.rtol ?? 1e-6;
  const atol = options.atol ?? 1e-6;
  for (const x of inputs) {
    assert.ok(x.isFloat, 'gradcheck inputs must be floating point');
    assert.ok(x.requiresGrad, 'gradcheck inputs must require grad');
    assert.ok(x.isLeaf, 'gradcheck inputs must be leaves');
    x.grad = null;
  }
  const out = f(...inputs);
  assert.equal(out.numel, 1, `gradcheck needs a scalar output, got shape (${out.shape.join(', ')})`);
  assert.ok(Number.isFinite(Number(out.data[0])), `f is not finite: ${out.data[0]}`);
  out.backward();
  const analytic = inputs.map((x) => (x.grad === null ? null : Float64Array.from(x.grad.data)));
  for (let i = 0; i < inputs.length; i++) {
    const g = inputs[i].grad;
    if (g !== null) assert.deepEqual([...g.shape], [...inputs[i].shape], `grad of input ${i} has the wrong shape`);
  }
  let maxAbsErr = 0;
  let checked = 0;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    const name = options.names?.[i] ?? `input ${i}`;
    const idxs = options.sample ? options.sample(i, x.numel) : Array.from({ length: x.numel }, (_, k) => k);
    // Re-read x.data around every call of f: a backend may move storage when it allocates.
    for (const k of idxs) {
      const orig = x.data[k];
      x.data[k] = orig + h;
      const hi = x.data[k];
      const fp = value(f, inputs);
      x.data[k] = orig - h;
      const lo = x.data[k];
      const fm = value(f, inputs);
      x.data[k] = orig;
      // Divide by the step actually taken (float32 storage rounds orig ± h).
      const numeric = (fp - fm) / (hi - lo);
      const a = analytic[i] === null ? 0 : analytic[i]![k];
      const err = Math.abs(a - numeric);
      maxAbsErr = Math.max(maxAbsErr, err);
      checked++;
      if (!(err <= atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)))) {
        assert.fail(`gradient mismatch for ${name}[${k}] (shape (${x.shape.join(', ')})): autograd ${a}, finite difference ${numeric}, |diff| ${err}`);
      }
    }
  }
  for (const x of inputs) x.grad = null;
  return { maxAbsErr, checked };
}

/** A deterministic pseudo-random float in [-1, 1) stream (LCG), independent of the library. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/** A float64 leaf requiring grad with deterministic values in [lo, hi). */
export function randT(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  const r = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = lo + ((r() + 1) / 2) * (hi - lo);
  return new Tensor(d, shape, 'float64', true);
}

/** A float64 constant (no grad) with deterministic values, to weight outputs before summing. */
export function weights(shape: readonly number[], seed: number): Tensor {
  const t = randT(shape, seed, -1.5, 1.5);
  return new Tensor(t.data, shape, 'float64', false);
}

/** Σ y ⊙ w with fixed random weights w: a scalar whose gradient wrt y is w (not all ones). */
export function project(y: Tensor, seed = 12345): Tensor {
  return y.mul(weights(y.shape, seed)).sum();
}

/** A float64 copy of `t` as a fresh leaf requiring grad. */
export function toF64(t: Tensor): Tensor {
  return new Tensor(Float64Array.from(t.data), t.shape, 'float64', true);
}
