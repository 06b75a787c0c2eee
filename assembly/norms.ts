// Per-row norms (see src/kernels/js/norms.ts, the reference): each row of x[rows×cols] is
// normalised over its own values; weight/bias of row r start at (r mod period)·cols.
// Row statistics in f64 (two f64x2 accumulators), the normalisation itself in f32x4.

import { rowSq, rowSum } from './reduce';
import { dsplat, hi, ldr, lo, pack, str } from './simd';

@inline function hadd(a: v128, b: v128): f64 {
  const t = f64x2.add(a, b);
  return f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
}

/** Forward (see Backend.rowNormForward); weight/bias 0 = none; invStd is f32[rows]. */
export function rowNormForward(out: usize, xhat: usize, invStd: usize, x: usize, weight: usize, bias: usize,
  rows: i32, cols: i32, period: i32, eps: f64, centered: bool): void {
  const rb = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rb;
    const mean = centered ? rowSum(x + o, cols) / <f64>cols : 0;
    const is = 1 / Math.sqrt(rowSq(x + o, cols, mean) / <f64>cols + eps);
    store<f32>(invStd + (<usize>r << 2), <f32>is);
    // x − mean in f32 as (x − mh) − ml, mh the rounded mean and ml its remainder, so values
    // near the mean keep their accuracy (as the batch-norm kernel)
    const mh = <f32>mean;
    const mhv = f32x4.splat(mh), mlv = f32x4.splat(<f32>(mean - <f64>mh)), isv = f32x4.splat(<f32>is);
    const wo = <usize>(r % period) * rb;
    for (let j = 0; j < cols; j += 4) {
      const q = <usize>j << 2, n = cols - j;
      const h = f32x4.mul(f32x4.sub(f32x4.sub(ldr(x + o + q, n), mhv), mlv), isv);
      str(xhat + o + q, h, n);
      let y = weight != 0 ? f32x4.mul(ldr(weight + wo + q, n), h) : h;
      if (bias != 0) y = f32x4.add(y, ldr(bias + wo + q, n));
      str(out + o + q, y, n);
    }
  }
}

/** Backward (see Backend.rowNormBackward); dx/dWeight/dBias/weight 0 = none. */
export function rowNormBackward(dx: usize, dWeight: usize, dBias: usize, dy: usize, xhat: usize, invStd: usize,
  weight: usize, rows: i32, cols: i32, period: i32, centered: bool): void {
  const rb = <usize>cols << 2;
  if (dWeight != 0 || dBias != 0) {
    // column sums over the rows sharing an affine slot (r ≡ p mod period), in f64
    const step = <usize>period * rb;
    for (let p = 0; p < period; p++) {
      for (let j = 0; j < cols; j += 4) {
        const q = <usize>j << 2, n = cols - j;
        let w0 = dsplat(0), w1 = dsplat(0), b0 = dsplat(0), b1 = dsplat(0);
        for (let o = <usize>p * rb; o < <usize>rows * rb; o += step) {
          const g = ldr(dy + o + q, n), h = ldr(xhat + o + q, n);
          const gl = lo(g), gh = hi(g);
          w0 = f64x2.add(w0, f64x2.mul(gl, lo(h))); w1 = f64x2.add(w1, f64x2.mul(gh, hi(h)));
          b0 = f64x2.add(b0, gl); b1 = f64x2.add(b1, gh);
        }
        const s = <usize>p * rb + q;
        if (dWeight != 0) { const v = ldr(dWeight + s, n); str(dWeight + s, pack(f64x2.add(lo(v), w0), f64x2.add(hi(v), w1)), n); }
        if (dBias != 0) { const v = ldr(dBias + s, n); str(dBias + s, pack(f64x2.add(lo(v), b0), f64x2.add(hi(v), b1)), n); }
      }
    }
  }
  if (dx == 0) return;
  const one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rb, wo = <usize>(r % period) * rb;
    // dxhat = dy·weight; its Σ and Σ dxhat·xhat in f64 (zero tail lanes add nothing)
    let a0 = dsplat(0), a1 = dsplat(0), c0 = dsplat(0), c1 = dsplat(0);
    for (let j = 0; j < cols; j += 4) {
      const q = <usize>j << 2, n = cols - j;
      const g = ldr(dy + o + q, n), h = ldr(xhat + o + q, n);
      const w = weight != 0 ? ldr(weight + wo + q, n) : one;
      const d0 = f64x2.mul(lo(g), lo(w)), d1 = f64x2.mul(hi(g), hi(w));
      a0 = f64x2.add(a0, d0); a1 = f64x2.add(a1, d1);
      c0 = f64x2.add(c0, f64x2.mul(d0, lo(h))); c1 = f64x2.add(c1, f64x2.mul(d1, hi(h)));
    }
    const md = f32x4.splat(centered ? <f32>(hadd(a0, a1) / <f64>cols) : 0);
    const pr = f32x4.splat(<f32>(hadd(c0, c1) / <f64>cols));
    const k = f32x4.splat(load<f32>(invStd + (<usize>r << 2)));
    for (let j = 0; j < cols; j += 4) {
      const q = <usize>j << 2, n = cols - j;
      const w = weight != 0 ? ldr(weight + wo + q, n) : one;
      const d = f32x4.mul(ldr(dy + o + q, n), w);
      const t = f32x4.sub(f32x4.sub(d, md), f32x4.mul(ldr(xhat + o + q, n), pr));
      str(dx + o + q, f32x4.add(ldr(dx + o + q, n), f32x4.mul(k, t)), n);
    }
  }
}
