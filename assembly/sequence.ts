// Causal softmax and cross-entropy with ignored targets (see src/kernels/js/sequence.ts), built on
// the row helpers of the softmax/cross-entropy kernels in layers.ts.

import { errIndex, softmaxRow } from './layers';
import { addSoftmaxGradRow, crossEntropyMean, crossEntropyMeanBackward, logSoftmaxRow, nllAdd, nllReset, nllTotal } from './logSoftmax';
import { expf, vexpSleef } from './sleef';

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

// ---- the bigram's loss: cross-entropy of table rows (src/kernels/js/sequence.ts lookupCrossEntropy*) ----

/**
 * Checks idx (rows of the table) and targets (classes, or ignoreIndex) of n positions: the kept
 * count, or −1 with errIndex = p at a bad idx[p], n + p at a bad targets[p].
 */
function checkLookup(idx: usize, targets: usize, n: i32, rows: i32, cols: i32, ignoreIndex: i32): i32 {
  errIndex = -1;
  let kept = 0;
  for (let p = 0; p < n; p++) {
    const q = <usize>p << 2;
    if (<u32>load<i32>(idx + q) >= <u32>rows) { errIndex = p; return -1; }
    const t = load<i32>(targets + q);
    if (t == ignoreIndex) continue;
    if (<u32>t >= <u32>cols) { errIndex = n + p; return -1; }
    kept++;
  }
  return kept;
}

/**
 * crossEntropyMaskedForward of the n rows table[idx[p]] with its numbers, each table row's
 * log-softmax computed once: saved[r·cols …] gets row r's log-softmax and saved[(rows + r)·cols …]
 * its exp, for every row idx names (the others start with NaN).
 */
export function lookupCrossEntropyForward(saved: usize, table: usize, idx: usize, targets: usize, n: i32, rows: i32, cols: i32, ignoreIndex: i32): f64 {
  const kept = checkLookup(idx, targets, n, rows, cols, ignoreIndex);
  if (kept < 0) return NaN;
  const rb = <usize>cols << 2, half = <usize>rows * rb;
  for (let r = 0; r < rows; r++) store<f32>(saved + <usize>r * rb, NaN);
  nllReset();
  for (let p = 0; p < n; p++) {
    const q = <usize>p << 2;
    const o = <usize>load<i32>(idx + q) * rb;
    if (isNaN(load<f32>(saved + o))) { // first use of this row (a NaN row is recomputed: the same values)
      logSoftmaxRow(saved + o, table + o, cols);
      expRow(saved + half + o, saved + o, cols);
    }
    const t = load<i32>(targets + q);
    if (t != ignoreIndex) nllAdd(p, load<f32>(saved + o + (<usize>t << 2)));
  }
  return <f64>(nllTotal() / <f32>kept);
}

/** out[c] = exp(y[c]), SLEEF's expf (the value crossEntropyMeanBackward takes of each log-probability). */
function expRow(out: usize, y: usize, cols: i32): void {
  let c = 0;
  for (; c + 4 <= cols; c += 4) { const q = <usize>c << 2; v128.store(out + q, vexpSleef(v128.load(y + q))); }
  for (; c < cols; c++) { const q = <usize>c << 2; store<f32>(out + q, expf(load<f32>(y + q))); }
}

/**
 * gradTable[idx[p]] += row p's gradient of the mean loss times `scale`, positions in order: the
 * numbers of crossEntropyMaskedBackward (g·[c = t] − exp(y)·g, one fused multiply-add) then
 * scatterAddRows (index_put_'s accumulation), without the n × cols gradient in between.
 */
export function lookupCrossEntropyBackward(gradTable: usize, saved: usize, idx: usize, targets: usize, n: i32, rows: i32, cols: i32, ignoreIndex: i32, scale: f64): void {
  const kept = checkLookup(idx, targets, n, rows, cols, ignoreIndex);
  if (kept < 0) return;
  const g = -(<f32>scale / <f32>kept);
  const rb = <usize>cols << 2, exps = saved + <usize>rows * rb;
  for (let p = 0; p < n; p++) {
    const q = <usize>p << 2;
    const t = load<i32>(targets + q);
    if (t == ignoreIndex) continue;
    const o = <usize>load<i32>(idx + q) * rb;
    addSoftmaxGradRow(gradTable + o, exps + o, false, g, true, 0, t, cols); // the exps saved by the forward
  }
}
