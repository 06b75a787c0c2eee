// GELU (tanh approximation, makemore.py's NewGELU) and sigmoid, each with its backward.
// Computed in double, rounded once on store.
import type { FloatArray } from '../types.js';

const GELU_C = Math.sqrt(2 / Math.PI);

/** out = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) */
export function gelu(out: FloatArray, a: FloatArray): void {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    out[i] = 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
  }
}

/** dx += dy·(0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)), t = tanh(u) */
export function geluBackward(dx: FloatArray, dy: FloatArray, x: FloatArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const t = Math.tanh(GELU_C * (v + 0.044715 * v * v * v));
    dx[i] += dy[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * v * v));
  }
}

/** out = 1/(1 + exp(−x)) */
export function sigmoid(out: FloatArray, a: FloatArray): void {
  for (let i = 0; i < a.length; i++) out[i] = 1 / (1 + Math.exp(-a[i]));
}

/** dx += dy·y·(1 − y), y = sigmoid(x) */
export function sigmoidBackward(dx: FloatArray, dy: FloatArray, y: FloatArray): void {
  for (let i = 0; i < y.length; i++) dx[i] += dy[i] * y[i] * (1 - y[i]);
}
