/**
 * `torch.randperm(n, generator=g)` of PyTorch 1.13 CPU (`randperm_cpu` in TensorFactories.cpp),
 * bit for bit: makemore.py splits its words with it. For n < 2^32 / 20 a forward Fisher–Yates
 * with one 32-bit draw per position, `z = random() % (n − i)`, swapping r[i] and r[i + z];
 * above it the "inside-out" variant with `random64() % (i + 1)`.
 */
import type { Generator } from "./generator.js";

const SMALL_N = Math.floor(4294967295 / 20);

export function randperm(n: number, g: Generator): Int32Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 2147483647) throw new RangeError(`randperm: n must be an integer in [0, 2^31), got ${n}`);
  const r = new Int32Array(n);
  if (n < SMALL_N) {
    for (let i = 0; i < n; i++) r[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = i + (g.nextUint32() % (n - i));
      const sav = r[i];
      r[i] = r[z];
      r[z] = sav;
    }
    return r;
  }
  for (let i = 0; i < n; i++) {
    const z = Number(g.random64() % BigInt(i + 1));
    r[i] = r[z];
    r[z] = i;
  }
  return r;
}
