// Causal softmax and cross-entropy with ignored targets (see src/kernels/js/sequence.ts), built on
// the row helpers of the softmax/cross-entropy kernels in layers.ts.

import { errIndex, softmaxRow } from './layers';
import { crossEntropyMean, crossEntropyMeanBackward } from './logSoftmax';

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

/** Mean cross-entropy over the kept rows (NaN when none), PyTorch's float32 numbers; log-probabilities for every row. */
export function crossEntropyMaskedForward(logProbs: usize, logits: usize, targets: usize, rows: i32, cols: i32, ignoreIndex: i32): f64 {
  const kept = countKept(targets, rows, cols, ignoreIndex);
  if (kept < 0) return NaN;
  return <f64>crossEntropyMean(logProbs, logits, targets, rows, cols, ignoreIndex);
}

/** dlogits += the gradient of the kept rows' mean times `scale` (logSoftmax.ts). */
export function crossEntropyMaskedBackward(dlogits: usize, logProbs: usize, targets: usize, rows: i32, cols: i32, ignoreIndex: i32, scale: f64): void {
  if (countKept(targets, rows, cols, ignoreIndex) < 0) return;
  crossEntropyMeanBackward(dlogits, logProbs, targets, rows, cols, <f32>scale, ignoreIndex);
}
