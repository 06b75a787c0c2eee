// Kernels of the sequence models' heads: causal softmax (attention) and cross-entropy that skips
// padded targets (ignore_index).
import type { FloatArray, IntArray } from '../types.js';
import { softmaxRow } from './layers.js';
import { crossEntropyBackward32, crossEntropyForward32 } from './logSoftmax.js';

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
