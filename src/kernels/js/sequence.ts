// Kernels of the sequence models' heads: causal softmax (attention) and cross-entropy that skips
// padded targets (ignore_index).
import type { FloatArray, IntArray } from '../types.js';
import { logSoftmaxRow64, softmaxRow } from './layers.js';
import { crossEntropyBackward32, crossEntropyForward32, logSoftmaxRow, NllCascade } from './logSoftmax.js';
import { expf, fmaf } from './sleef.js';

/**
 * Softmax of each row of x[rows×cols] over its first min(r mod period + 1, cols) entries; the
 * rest are 0: masked_fill(tril == 0, −inf) then softmax, on (…, T, T) rows with period T.
 */
export function causalSoftmaxRows(out: FloatArray, x: FloatArray, rows: number, cols: number, period: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols, keep = Math.min((r % period) + 1, cols);
    softmaxRow(out, x, o, keep);
    out.fill(0, o + keep, o + cols);
  }
}

/** Throws unless every target is in [0, cols) or equals ignoreIndex; returns how many are kept. */
function countKept(targets: IntArray, rows: number, cols: number, ignoreIndex: number, what: string): number {
  let kept = 0;
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === ignoreIndex) continue;
    if (!(t >= 0 && t < cols)) throw new RangeError(`js backend: ${what}: index ${t} at position ${r} is outside [0, ${cols})`);
    kept++;
  }
  return kept;
}

export function crossEntropyMaskedForward(logProbs: FloatArray, logits: FloatArray, targets: IntArray, rows: number, cols: number, ignoreIndex: number): number {
  const kept = countKept(targets, rows, cols, ignoreIndex, 'crossEntropyMaskedForward target');
  if (logits instanceof Float32Array) return crossEntropyForward32(logProbs, logits, targets, rows, cols, ignoreIndex);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const lse = softmaxRow(logProbs, logits, r * cols, cols);
    for (let c = 0; c < cols; c++) logProbs[r * cols + c] = Math.log(logProbs[r * cols + c]);
    if (targets[r] !== ignoreIndex) total += lse - logits[r * cols + targets[r]];
  }
  return total / kept; // NaN when every target is ignored, as PyTorch
}

export function crossEntropyMaskedBackward(dlogits: FloatArray, logProbs: FloatArray, targets: IntArray, rows: number, cols: number,
  ignoreIndex: number, scale: number): void {
  const kept = countKept(targets, rows, cols, ignoreIndex, 'crossEntropyMaskedBackward target');
  if (dlogits instanceof Float32Array) { crossEntropyBackward32(dlogits, logProbs, targets, rows, cols, scale, ignoreIndex); return; }
  const k = scale / kept;
  for (let r = 0; r < rows; r++) {
    if (targets[r] === ignoreIndex) continue;
    const o = r * cols;
    for (let c = 0; c < cols; c++) dlogits[o + c] += k * Math.exp(logProbs[o + c]);
    dlogits[o + targets[r]] -= k;
  }
}

/**
 * Checks idx (rows of the table) and targets (classes, or ignoreIndex) of n positions; returns
 * how many targets are kept.
 */
function checkLookup(idx: IntArray, targets: IntArray, rows: number, cols: number, ignoreIndex: number, what: string): number {
  if (targets.length !== idx.length) throw new RangeError(`js backend: ${what}: ${idx.length} indexes but ${targets.length} targets`);
  for (let p = 0; p < idx.length; p++) {
    if (!(idx[p] >= 0 && idx[p] < rows)) throw new RangeError(`js backend: ${what} idx: index ${idx[p]} at position ${p} is outside [0, ${rows})`);
  }
  return countKept(targets, targets.length, cols, ignoreIndex, `${what} target`);
}

/**
 * crossEntropyMaskedForward of the n rows table[idx[p]] with its numbers, each table row's
 * log-softmax computed once (the bigram's logits are rows of its table): saved[r·cols …] gets row
 * r's log-softmax and saved[(rows + r)·cols …] its exp, for every row idx names.
 */
export function lookupCrossEntropyForward(saved: FloatArray, table: FloatArray, idx: IntArray, targets: IntArray, rows: number, cols: number,
  ignoreIndex: number): number {
  const kept = checkLookup(idx, targets, rows, cols, ignoreIndex, 'lookupCrossEntropyForward');
  const half = rows * cols;
  const done = new Uint8Array(rows);
  const float32 = table instanceof Float32Array;
  const scratch = new Float64Array(cols);
  const sum = new NllCascade();
  let total = 0; // float64: a plain sum
  for (let p = 0; p < idx.length; p++) {
    const o = idx[p] * cols;
    if (done[idx[p]] === 0) {
      done[idx[p]] = 1;
      if (float32) logSoftmaxRow(saved, table, o, cols, scratch);
      else logSoftmaxRow64(saved, table, o, cols);
      for (let c = 0; c < cols; c++) saved[half + o + c] = float32 ? expf(saved[o + c]) : Math.exp(saved[o + c]);
    }
    const t = targets[p];
    if (t === ignoreIndex) continue;
    if (float32) sum.subtract(saved[o + t], p);
    else total -= saved[o + t];
  }
  return float32 ? Math.fround(sum.total() / kept) : total / kept; // NaN when every target is ignored, as PyTorch
}

/**
 * gradTable[idx[p]] += row p's gradient of the mean loss times `scale`, positions in order: the
 * numbers of crossEntropyMaskedBackward then scatterAddRows, without the n × cols gradient between.
 */
export function lookupCrossEntropyBackward(gradTable: FloatArray, saved: FloatArray, idx: IntArray, targets: IntArray, rows: number, cols: number,
  ignoreIndex: number, scale: number): void {
  const kept = checkLookup(idx, targets, rows, cols, ignoreIndex, 'lookupCrossEntropyBackward');
  const half = rows * cols;
  const float32 = gradTable instanceof Float32Array;
  const g = float32 ? -Math.fround(Math.fround(scale) / Math.fround(kept)) : -scale / kept;
  for (let p = 0; p < idx.length; p++) {
    const t = targets[p];
    if (t === ignoreIndex) continue;
    const o = idx[p] * cols;
    for (let c = 0; c < cols; c++) {
      const onTarget = c === t ? g : 0;
      gradTable[o + c] += float32 ? fmaf(-saved[half + o + c], g, onTarget) : onTarget - saved[half + o + c] * g;
    }
  }
}
