// The active kernel backend. Higher layers call `kernels()`; `useBackend` picks one: the
// WebAssembly SIMD backend where the runtime supports it, else the plain TypeScript one.
import type { Backend } from './types.js';
import { jsBackend } from './js/index.js';
import { createWasmBackend, fastWasmSupported, wasmSupported, type WasmBackend } from './wasm/index.js';

export type { Backend, BinaryOp, FloatArray, IntArray, MatmulLayout, UnaryGradOp, UnaryOp } from './types.js';
export { jsBackend } from './js/index.js';
export { nllMean } from './js/logSoftmax.js';
export { createWasmBackend, fastWasmSupported, fusedFmaSupported, wasmSupported, type WasmBackend, type WasmVariant } from './wasm/index.js';
export { enableRelaxedSimd, relaxedSimdSupported } from './wasm/relaxedSimd.js';
import { enableRelaxedSimd } from './wasm/relaxedSimd.js';

export type BackendChoice = 'auto' | 'js' | 'wasm';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'js', 'wasm'];

let active: Backend | null = null;
let wasm: WasmBackend | null = null;

/**
 * The backend every tensor op uses now. On first use it is chosen by `useBackend`, from the
 * MAKEMORE_BACKEND environment variable (js, wasm or auto) where set, else 'auto'.
 */
export function kernels(): Backend {
  return active ?? useBackend(envChoice());
}

function envChoice(): BackendChoice {
  const env = typeof process === 'undefined' ? undefined : process.env?.MAKEMORE_BACKEND;
  if (env === undefined || env === '') return 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(env)) throw new Error(`MAKEMORE_BACKEND must be one of ${BACKEND_CHOICES.join(', ')}, got "${env}"`);
  return env as BackendChoice;
}

/** The name of the active backend ("js" or "wasm"). */
export function backendName(): string {
  return kernels().name;
}

/** Switch every later op to `backend`. Tensors made before keep their memory and still work. */
export function setBackend(backend: Backend): void {
  active = backend;
}

/** Select a backend by name: 'wasm' (SIMD; an error where unsupported), 'js', or 'auto'. */
export function useBackend(choice: BackendChoice): Backend {
  if (choice === 'js' || (choice === 'auto' && !wasmSupported())) {
    active = jsBackend;
    return active;
  }
  if (!wasmSupported()) throw new Error('the wasm backend needs WebAssembly SIMD, which this runtime does not support; use --backend js');
  wasm ??= createWasmBackend();
  active = wasm;
  return active;
}

let fastWasm: WasmBackend | null = null;

/**
 * Fast mode: the wasm backend built with relaxed SIMD (fused multiply-add in matmul, a rational tanh), whose
 * numbers differ from PyTorch's in the last bits. `v8` (Node's `node:v8`) lets Node 20 switch
 * relaxed SIMD on; returns null where the engine has no relaxed SIMD (keep the exact backend).
 */
export function useFastBackend(v8: { setFlagsFromString(flags: string): void } | null = null): WasmBackend | null {
  enableRelaxedSimd(v8);
  if (!fastWasmSupported()) return null;
  fastWasm ??= createWasmBackend({ fast: true });
  active = fastWasm;
  return fastWasm;
}
