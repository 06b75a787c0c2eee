// The active kernel backend. Higher layers call `kernels()`; a faster backend can be swapped in
// with `setBackend` without any caller changing.
import type { Backend } from './types.js';
import { jsBackend } from './js/index.js';

export type { Backend, BinaryOp, FloatArray, IntArray, UnaryOp } from './types.js';
export { jsBackend } from './js/index.js';

let active: Backend = jsBackend;

/** The backend every tensor op uses now. */
export function kernels(): Backend {
  return active;
}

/** Switch every later op to `backend`. */
export function setBackend(backend: Backend): void {
  active = backend;
}
