// GELU (tanh approximation) and sigmoid with their backward passes, in f32x4 with the module's
// vectorised tanh and exp (see src/kernels/js/activations.ts, the reference in double).

import { ldr, splat, str, vexp, vtanh } from './simd';

const GELU_C: f32 = 0.7978845608028654; // √(2/π)

@inline function geluTanh(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  return vtanh(f32x4.mul(splat(GELU_C), f32x4.add(x, f32x4.mul(splat(0.044715), x3))));
}

export function gelu(out: usize, a: usize, n: i32): void {
  const half = splat(0.5), one = splat(1);
  for (let j = 0; j < n; j += 4) {
    const q = <usize>j << 2, r = n - j;
    const x = ldr(a + q, r);
    str(out + q, f32x4.mul(f32x4.mul(half, x), f32x4.add(one, geluTanh(x))), r);
  }
}

/** dx += dy·(0.5·(1 + t) + 0.5·x·(1 − t)(1 + t)·c·(1 + 3·0.044715·x²)) */
export function geluBackward(dx: usize, dy: usize, x: usize, n: i32): void {
  const half = splat(0.5), one = splat(1);
  for (let j = 0; j < n; j += 4) {
    const q = <usize>j << 2, r = n - j;
    const v = ldr(x + q, r);
    const t = geluTanh(v);
    const du = f32x4.mul(splat(GELU_C), f32x4.add(one, f32x4.mul(splat(3 * 0.044715), f32x4.mul(v, v))));
    const sech2 = f32x4.mul(f32x4.sub(one, t), f32x4.add(one, t));
    const d = f32x4.add(f32x4.mul(half, f32x4.add(one, t)), f32x4.mul(f32x4.mul(f32x4.mul(half, v), sech2), du));
    str(dx + q, f32x4.add(ldr(dx + q, r), f32x4.mul(ldr(dy + q, r), d)), r);
  }
}

export function sigmoid(out: usize, a: usize, n: i32): void {
  const one = splat(1);
  for (let j = 0; j < n; j += 4) {
    const q = <usize>j << 2, r = n - j;
    str(out + q, f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(ldr(a + q, r))))), r);
  }
}

/** dx += dy·y·(1 − y) */
export function sigmoidBackward(dx: usize, dy: usize, y: usize, n: i32): void {
  const one = splat(1);
  for (let j = 0; j < n; j += 4) {
    const q = <usize>j << 2, r = n - j;
    const v = ldr(y + q, r);
    str(dx + q, f32x4.add(ldr(dx + q, r), f32x4.mul(ldr(dy + q, r), f32x4.mul(v, f32x4.sub(one, v)))), r);
  }
}
