// Backward kernels of the smaller ops (unary functions, pow, var/std, softmax, log-softmax,
// eval-mode batch norm). None is on the hot path of a training step, so each is a plain loop in
// f64 over f32 storage: the same double arithmetic as the JS backend, rounded once on store, so
// results are bit-identical to it except where Math.exp/Math.pow round differently (an ulp).

@inline function f(p: usize, i: i32): f64 { return <f64>load<f32>(p + (<usize>i << 2)); }
@inline function addTo(p: usize, i: i32, v: f64): void { const q = p + (<usize>i << 2); store<f32>(q, <f32>(<f64>load<f32>(q) + v)); }

/** dx += dy·op′(x) for op codes of `unary`: 2 log (1/x), 3 log10 (1/(x·ln 10)), 5 sqrt (0.5/y), 6 abs (sign x). */
export function unaryBackward(op: i32, dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const g = f(dy, i);
    let d: f64;
    if (op == 2) d = g / f(x, i);
    else if (op == 3) d = g / (f(x, i) * Math.LN10);
    else if (op == 5) d = (g * 0.5) / f(y, i);
    else { const v = f(x, i); d = g * (v > 0 ? 1.0 : v < 0 ? -1.0 : v); } // Math.sign: ±0 and NaN pass through
    addTo(dx, i, d);
  }
}

/** dx += dy·p·x^(p−1) */
export function powBackward(dx: usize, dy: usize, x: usize, n: i32, p: f64): void {
  for (let i = 0; i < n; i++) addTo(dx, i, f(dy, i) * p * Math.pow(f(x, i), p - 1));
}

/** dx[o,d,i] += s·(a − mean[o,i]); s = 2g/(dim − c), or g/((dim − c)·std) when std ≠ 0 (a pointer). */
export function varBackward(dx: usize, g: usize, a: usize, mean: usize, std: usize,
  outer: i32, dim: i32, inner: i32, correction: f64): void {
  const den = <f64>dim - correction;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const q = o * inner + i;
      const s = std != 0 ? f(g, q) / (den * f(std, q)) : (2 * f(g, q)) / den;
      const m = f(mean, q);
      for (let d = 0, p = o * dim * inner + i; d < dim; d++, p += inner) addTo(dx, p, s * (f(a, p) - m));
    }
  }
}

/** dx += y ⊙ (dy − Σ_row dy·y) */
export function softmaxBackward(dx: usize, dy: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let dot: f64 = 0;
    for (let c = 0; c < cols; c++) dot += f(dy, o + c) * f(y, o + c);
    for (let c = 0; c < cols; c++) addTo(dx, o + c, f(y, o + c) * (f(dy, o + c) - dot));
  }
}

/** Eval-mode batch norm: dx += dy·gain/sd; dGain += Σ dy·(x − mean)/sd; dBias += Σ dy (0 skips). */
export function batchNormEvalBackward(dx: usize, dGain: usize, dBias: usize, dy: usize, x: usize, mean: usize, varOrStd: usize,
  isStd: bool, gain: usize, n: i32, nf: i32, eps: f64): void {
  for (let j = 0; j < nf; j++) {
    const sd = isStd ? f(varOrStd, j) : Math.sqrt(f(varOrStd, j) + eps);
    const gj = gain == 0 ? 1.0 : f(gain, j);
    const m = f(mean, j);
    for (let i = 0, p = j; i < n; i++, p += nf) {
      const g = f(dy, p);
      if (dx != 0) addTo(dx, p, (g * gj) / sd);
      if (dGain != 0) addTo(dGain, j, (g * (f(x, p) - m)) / sd);
      if (dBias != 0) addTo(dBias, j, g);
    }
  }
}
