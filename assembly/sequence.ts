// Causal softmax and cross-entropy with ignored targets (see src/kernels/js/sequence.ts), built on
// the row helpers of the softmax/cross-entropy kernels in layers.ts.

import { crossEntropySum, errIndex, softmaxRow } from './layers';
import { dsplat, hi, ldr, lo, pack, str } from './simd';

/** Softmax of row r over its first min(r mod period + 1, cols) entries; the rest 0. */
export function causalSoftmaxRows(out: usize, x: usize, rows: i32, cols: i32, period: i32): void {
  const rb = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * rb;
    const keep = min(i % period + 1, cols);
    softmaxRow(out + o, x + o, keep);
    memory.fill(out + o + (<usize>keep << 2), 0, <usize>(cols - keep) << 2);
  }
}

/** Rows whose target is not ignoreIndex; −1 with errIndex set at a target outside [0, cols). */
function countKept(targets: usize, rows: i32, cols: i32, ignoreIndex: i32): i32 {
  errIndex = -1;
  let kept = 0;
  for (let i = 0; i < rows; i++) {
    const t = load<i32>(targets + (<usize>i << 2));
    if (t == ignoreIndex) continue;
    if (<u32>t >= <u32>cols) { errIndex = i; return -1; }
    kept++;
  }
  return kept;
}

/** Mean cross-entropy over the kept rows (NaN when none); probs for every row. */
export function crossEntropyMaskedForward(probs: usize, logits: usize, targets: usize, rows: i32, cols: i32, ignoreIndex: i32): f64 {
  const kept = countKept(targets, rows, cols, ignoreIndex);
  if (kept < 0) return NaN;
  return crossEntropySum(probs, logits, targets, rows, cols, ignoreIndex) / <f64>kept;
}

/** dlogits += scale·(probs − onehot)/kept on kept rows, in double like JS. */
export function crossEntropyMaskedBackward(dlogits: usize, probs: usize, targets: usize, rows: i32, cols: i32, ignoreIndex: i32, scale: f64): void {
  const kept = countKept(targets, rows, cols, ignoreIndex);
  if (kept < 0) return;
  const k = scale / <f64>kept;
  const kv = dsplat(k);
  const rb = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const t = load<i32>(targets + (<usize>i << 2));
    if (t == ignoreIndex) continue;
    const o = <usize>i * rb;
    for (let c = 0; c < cols; c += 4) {
      const q = o + (<usize>c << 2), r = cols - c;
      const p = ldr(probs + q, r), d = ldr(dlogits + q, r);
      str(dlogits + q, pack(f64x2.add(lo(d), f64x2.mul(kv, lo(p))), f64x2.add(hi(d), f64x2.mul(kv, hi(p)))), r);
    }
    const pt = dlogits + o + (<usize>t << 2);
    store<f32>(pt, <f32>(<f64>load<f32>(pt) - k));
  }
}
