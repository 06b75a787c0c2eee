// copyStrided on the WebAssembly backend against the JS reference: the head-major layouts of the
// attention op (runs of unit stride, copied 4 at a time, odd run lengths) and strided runs, = and +=.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../src/kernels/js/index.js';
import { createWasmBackend, wasmSupported } from '../src/kernels/wasm/index.js';
import { stridesOf } from '../src/tensor/shape.js';

const skip = wasmSupported() ? false : 'WebAssembly SIMD is not available';

/** `shape` permuted by `perm`: the walk in output order, strides of the source along it. */
function permuted(shape: number[], perm: number[]): { walk: number[]; to: number[]; from: number[] } {
  const st = stridesOf(shape);
  const walk = perm.map((d) => shape[d]);
  return { walk, to: stridesOf(walk), from: perm.map((d) => st[d]) };
}

test('copyStrided: wasm equals the JS backend, = and +=, unit and strided runs, odd lengths', { skip }, () => {
  const wasm = createWasmBackend({ initialMiB: 4 });
  const cases: [number[], number[]][] = [
    [[3, 2, 5, 4, 7], [0, 1, 3, 2, 4]], // (…, T, heads, hs) ↔ (…, heads, T, hs): unit runs of 7
    [[2, 3, 8], [0, 1, 2]], // one contiguous copy
    [[2, 3, 5], [2, 0, 1]], // strided runs
    [[6], [0]], // one dimension
    [[3, 1, 4, 9], [3, 2, 1, 0]],
  ];
  let seed = 7;
  const rnd = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
  for (const [shape, perm] of cases) {
    const n = shape.reduce((a, b) => a * b, 1);
    const { walk, to, from } = permuted(shape, perm);
    for (const acc of [false, true]) {
      const src = Float32Array.from({ length: n }, rnd);
      const init = Float32Array.from({ length: n }, rnd);
      const a = wasm.allocFloat32(n), o = wasm.allocFloat32(n);
      a.set(src); o.set(init);
      const ref = Float32Array.from(init);
      jsBackend.copyStrided(ref, src, walk, to, from, acc);
      wasm.copyStrided(o, a, walk, to, from, acc);
      assert.deepEqual([...o], [...ref], `shape (${shape.join(', ')}) perm (${perm.join(', ')}) ${acc ? '+=' : '='}`);
      // and back: the inverse walk restores the source (=)
      if (!acc) {
        const back = wasm.allocFloat32(n);
        wasm.copyStrided(back, o, walk, from, to, false);
        assert.deepEqual([...back], [...src]);
      }
    }
  }
});
