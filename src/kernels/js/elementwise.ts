// Elementwise kernels: broadcasting binary ops, unary functions and their simple backward helpers.
import type { BinaryOp, FloatArray, UnaryGradOp, UnaryOp } from '../types.js';
import { fmaf, tanhf } from './sleef.js';

const binaryFns: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};

const unaryFns: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  log10: Math.log10,
  tanh: Math.tanh,
  sqrt: Math.sqrt,
  abs: Math.abs,
};

export function binary(op: BinaryOp, out: FloatArray, a: FloatArray, aStrides: readonly number[],
  b: FloatArray, bStrides: readonly number[], shape: readonly number[]): void {
  const f = binaryFns[op];
  const nd = shape.length;
  const total = out.length;
  if (nd === 0) { out[0] = f(a[0], b[0]); return; }
  // Odometer over the output index; the last axis runs in an inner loop.
  const last = nd - 1;
  const len = shape[last];
  const sa = aStrides[last];
  const sb = bStrides[last];
  const idx = new Array<number>(nd).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < total; o += len) {
    for (let j = 0, pa = ia, pb = ib; j < len; j++, pa += sa, pb += sb) out[o + j] = f(a[pa], b[pb]);
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++;
      ia += aStrides[d];
      ib += bStrides[d];
      if (idx[d] < shape[d]) break;
      ia -= aStrides[d] * shape[d];
      ib -= bStrides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

export function binaryScalar(op: BinaryOp, out: FloatArray, a: FloatArray, s: number, reversed: boolean): void {
  const f = binaryFns[op];
  const n = out.length;
  if (reversed) for (let i = 0; i < n; i++) out[i] = f(s, a[i]);
  else for (let i = 0; i < n; i++) out[i] = f(a[i], s);
}

export function unary(op: UnaryOp, out: FloatArray, a: FloatArray): void {
  // float32 tanh as PyTorch's CPU kernel computes it (SLEEF's tanhf); float64 (gradient checks) exact
  const f = op === 'tanh' && out instanceof Float32Array ? tanhf : unaryFns[op];
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = f(a[i]);
}

export function mulInto(out: FloatArray, a: FloatArray, b: FloatArray, accumulate: boolean): void {
  const n = out.length;
  if (accumulate) for (let i = 0; i < n; i++) out[i] += a[i] * b[i];
  else for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
}

export function axpy(out: FloatArray, a: FloatArray, s: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] += a[i] * s;
}

export function tanhBackward(dx: FloatArray, dy: FloatArray, y: FloatArray): void {
  const n = dx.length;
  if (!(dx instanceof Float32Array)) {
    for (let i = 0; i < n; i++) dx[i] += dy[i] * (1 - y[i] * y[i]);
    return;
  }
  // PyTorch's CPU kernel: dy·(1 − y·y) with 1 − y·y one fused multiply-add (GCC contracts it)
  for (let i = 0; i < n; i++) dx[i] += Math.fround(dy[i] * fmaf(-y[i], y[i], 1));
}

export function unaryBackward(op: UnaryGradOp, dx: FloatArray, dy: FloatArray, x: FloatArray, y: FloatArray): void {
  const n = dx.length;
  switch (op) {
    case 'exp': mulInto(dx, dy, y, true); break;
    case 'tanh': tanhBackward(dx, dy, y); break;
    case 'log': for (let i = 0; i < n; i++) dx[i] += dy[i] / x[i]; break;
    case 'log10': for (let i = 0; i < n; i++) dx[i] += dy[i] / (x[i] * Math.LN10); break;
    case 'sqrt': for (let i = 0; i < n; i++) dx[i] += (dy[i] * 0.5) / y[i]; break;
    case 'abs': for (let i = 0; i < n; i++) dx[i] += dy[i] * Math.sign(x[i]); break;
    default: throw new Error(`unaryBackward: unknown op ${String(op)}`);
  }
}

export function powScalar(out: FloatArray, a: FloatArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = a[i] ** p;
}

export function powBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) dx[i] += dy[i] * p * x[i] ** (p - 1);
}

/** p −= lr·g; on float32 as PyTorch's `p.data += -lr * p.grad`: the product rounded, then the sum. */
export function sgdStep(p: FloatArray, g: FloatArray, lr: number): void {
  const n = p.length;
  if (!(p instanceof Float32Array)) {
    for (let i = 0; i < n; i++) p[i] -= lr * g[i];
    return;
  }
  const k = Math.fround(lr);
  for (let i = 0; i < n; i++) p[i] -= Math.fround(k * g[i]);
}
