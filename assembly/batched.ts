// Batched matmul and strided copies (see src/kernels/js/batched.ts, the reference). A batch
// index's offsets are found by dividing its flat position down the shape (a few divisions per
// block); copyStrided walks its runs as an odometer instead.

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

/**
 * out[Σ i·outStrides] (=|+=) a[Σ i·aStrides] over the index i of shape; meta: i32[4·nd], nd ≥ 1
 * (shape, out and a strides, then room for the index). The outer index advances as an odometer
 * (no divisions per run: short runs, as a head's 16 values, made divisions the cost); a run with
 * unit strides on both sides moves 4 values at a time (f32x4 adds when accumulating).
 */
export function copyStrided(out: usize, a: usize, nd: i32, meta: usize, acc: bool): void {
  const shp = meta, os = meta + (<usize>nd << 2), as = meta + (<usize>nd << 3), idx = meta + <usize>nd * 12;
  const last = nd - 1;
  let runs = 1;
  for (let d = 0; d < last; d++) { runs *= geti(shp, d); store<i32>(idx + (<usize>d << 2), 0); }
  const len = geti(shp, last), sol = geti(os, last), sal = geti(as, last);
  const unit = sol == 1 && sal == 1;
  let oo = 0, ao = 0; // element offsets of the current run
  for (let r = 0; r < runs; r++) {
    let p = out + (<usize>oo << 2), q = a + (<usize>ao << 2);
    if (unit) {
      let j = 0;
      if (acc) {
        for (; j + 4 <= len; j += 4, p += 16, q += 16) v128.store(p, f32x4.add(v128.load(p), v128.load(q)));
        for (; j < len; j++, p += 4, q += 4) store<f32>(p, load<f32>(p) + load<f32>(q));
      } else {
        for (; j + 4 <= len; j += 4, p += 16, q += 16) v128.store(p, v128.load(q));
        for (; j < len; j++, p += 4, q += 4) store<u32>(p, load<u32>(q));
      }
    } else {
      const ps = <usize>sol << 2, qs = <usize>sal << 2;
      if (acc) for (let j = 0; j < len; j++, p += ps, q += qs) store<f32>(p, load<f32>(p) + load<f32>(q));
      else for (let j = 0; j < len; j++, p += ps, q += qs) store<u32>(p, load<u32>(q));
    }
    // next run: the last outer index that has room moves on, the ones after it wrap to 0
    for (let d = last - 1; d >= 0; d--) {
      const at = idx + (<usize>d << 2), j = load<i32>(at) + 1;
      if (j < geti(shp, d)) { store<i32>(at, j); oo += geti(os, d); ao += geti(as, d); break; }
      store<i32>(at, 0);
      oo -= (j - 1) * geti(os, d); ao -= (j - 1) * geti(as, d);
    }
  }
}
