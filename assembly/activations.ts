// GELU (tanh approximation) and sigmoid with their backward passes, in f32x4 with the module's
// vectorised exp (see src/kernels/js/activations.ts, the reference in double).

import { ldr, splat, str, vexp } from './simd';

const GELU_C: f32 = 0.7978845608028654; // √(2/π)

// 0.5·(1 + tanh u) = σ(2u) and (1 − tanh u)(1 + tanh u) = 4·σ(2u)·σ(−2u): both from exp, which
// keeps its relative accuracy in the tails where 1 ± tanh u would cancel.
@inline function sig(x: v128): v128 { return f32x4.div(splat(1), f32x4.add(splat(1), vexp(f32x4.neg(x)))); }
@inline function twoU(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  return f32x4.mul(splat(2 * GELU_C), f32x4.add(x, f32x4.mul(splat(0.044715), x3)));
}

/** out = x·σ(2u) = 0.5·x·(1 + tanh u), u = √(2/π)·(x + 0.044715·x³) */
export function gelu(out: usize, a: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const q = <usize>j << 2, r = n - j;
    const x = ldr(a + q, r);
    str(out + q, f32x4.mul(x, sig(twoU(x))), r);
  }
}

/** dx += dy·(σ(2u) + 2·x·u′·σ(2u)·σ(−2u)), u′ = √(2/π)·(1 + 3·0.044715·x²) */
export function geluBackward(dx: usize, dy: usize, x: usize, n: i32): void {
  const one = splat(1);
  for (let j = 0; j < n; j += 4) {
    const q = <usize>j << 2, r = n - j;
    const v = ldr(x + q, r);
    const u2 = twoU(v);
    const sp = sig(u2), sm = sig(f32x4.neg(u2));
    const du2 = f32x4.mul(splat(2 * GELU_C), f32x4.add(one, f32x4.mul(splat(3 * 0.044715), f32x4.mul(v, v))));
    const d = f32x4.add(sp, f32x4.mul(f32x4.mul(v, du2), f32x4.mul(sp, sm)));
    str(dx + q, f32x4.add(ldr(dx + q, r), f32x4.mul(ldr(dy + q, r), d)), r);
  }
}

export function sigmoid(out: usize, a: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const q = <usize>j << 2, r = n - j;
    str(out + q, sig(ldr(a + q, r)), r);
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
