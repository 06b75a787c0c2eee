// Batched matmul and strided copies (see src/kernels/js/batched.ts, the reference). A batch
// index's offsets are found by dividing its flat position down the shape: a few divisions per
// block or per innermost run, nothing per element.

import { matmul, matmulTransA, matmulTransB } from './matmul';

@inline function geti(p: usize, d: i32): i32 { return load<i32>(p + (<usize>d << 2)); }

/**
 * For each index of the batch shape: out block (=|+=) a·b (layout 0), aᵀ·b (1) or a·bᵀ (2).
 * meta: i32[4·nd] = batch shape, out, a and b strides (elements). scratch: matmulTransB's.
 */
export function matmulBatched(layout: i32, out: usize, a: usize, b: usize, m: i32, k: i32, n: i32,
  nd: i32, meta: usize, acc: bool, scratch: usize): void {
  const shp = meta, os = meta + (<usize>nd << 2), as = meta + (<usize>nd << 3), bs = meta + <usize>nd * 12;
  let total = 1;
  for (let d = 0; d < nd; d++) total *= geti(shp, d);
  for (let i = 0; i < total; i++) {
    let rem = i, oo = 0, ao = 0, bo = 0;
    for (let d = nd - 1; d >= 0; d--) {
      const s = geti(shp, d), j = rem % s;
      rem /= s;
      oo += j * geti(os, d); ao += j * geti(as, d); bo += j * geti(bs, d);
    }
    const po = out + (<usize>oo << 2), pa = a + (<usize>ao << 2), pb = b + (<usize>bo << 2);
    if (layout == 0) matmul(po, pa, pb, m, k, n, acc);
    else if (layout == 1) matmulTransA(po, pa, pb, m, k, n, acc);
    else matmulTransB(po, pa, pb, m, k, n, acc, scratch);
  }
}

/** out[Σ i·outStrides] (=|+=) a[Σ i·aStrides] over the index i of shape; meta: i32[3·nd], nd ≥ 1. */
export function copyStrided(out: usize, a: usize, nd: i32, meta: usize, acc: bool): void {
  const shp = meta, os = meta + (<usize>nd << 2), as = meta + (<usize>nd << 3);
  let runs = 1;
  for (let d = 0; d < nd - 1; d++) runs *= geti(shp, d);
  const len = geti(shp, nd - 1), sol = <usize>geti(os, nd - 1) << 2, sal = <usize>geti(as, nd - 1) << 2;
  for (let r = 0; r < runs; r++) {
    let rem = r, oo = 0, ao = 0;
    for (let d = nd - 2; d >= 0; d--) {
      const s = geti(shp, d), j = rem % s;
      rem /= s;
      oo += j * geti(os, d); ao += j * geti(as, d);
    }
    let p = out + (<usize>oo << 2), q = a + (<usize>ao << 2);
    if (acc) for (let j = 0; j < len; j++, p += sol, q += sal) store<f32>(p, load<f32>(p) + load<f32>(q));
    else for (let j = 0; j < len; j++, p += sol, q += sal) store<u32>(p, load<u32>(q));
  }
}
