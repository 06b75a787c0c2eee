// Fused cross-entropy: log-softmax + negative log-likelihood + mean in one kernel, as
// F.cross_entropy computes it (on float32, PyTorch's CPU numbers bit for bit); the backward reads
// the saved log-probabilities.
import { kernels, nllMean } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { FloatDType, Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { emptyFloat, outputFloat, requireFloat } from './alloc.js';
import { checkRowIndexes } from './shape.js';

export interface CrossEntropyOptions {
  /** Targets equal to it add nothing and are not counted in the mean (PyTorch's ignore_index; makemore.py pads with −1). */
  ignoreIndex?: number;
}

/** Mean cross-entropy of logits (n×c) against int32 class targets (n). */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const dtype = requireFloat(logits, 'crossEntropy');
  if (targets.dtype !== 'int32') throw new TypeError(`crossEntropy targets must be int32 class indexes, got ${targets.dtype}`);
  if (logits.ndim !== 2 || targets.ndim !== 1 || targets.shape[0] !== logits.shape[0]) {
    throw new RangeError(`crossEntropy needs logits (n×c) and targets (n), got ${shapeString(logits.shape)} and ${shapeString(targets.shape)}`);
  }
  const [rows, cols] = logits.shape;
  if (options.ignoreIndex !== undefined) return crossEntropyMasked(logits, targets, rows, cols, options.ignoreIndex);
  checkTargets(targets.intData, cols, null);
  const logProbs = outputFloat(dtype, logits.shape); // saved for backward
  const out = emptyFloat(dtype, []);
  const k = kernels();
  out.floatData[0] = k.crossEntropyForward(logProbs.floatData, logits.floatData, targets.intData, rows, cols);
  return record(out, 'CrossEntropyBackward', [logits], (g) => {
    const gl = gradOf(logits);
    if (gl !== null) k.crossEntropyBackward(gl.floatData, logProbs.floatData, targets.intData, rows, cols, g.floatData[0]);
  }, [targets]);
}

/**
 * crossEntropy(table[idx] viewed as (n × C), targets viewed as (n), options): the same value and
 * gradient bit for bit, but each table row's log-softmax is computed once, not once per position,
 * and the gradient goes straight into the table's rows (index's backward, positions in order).
 * The bigram's loss: its logits are rows of its (V × V) table.
 */
export function lookupCrossEntropy(table: Tensor, idx: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const dtype = requireFloat(table, 'lookupCrossEntropy');
  if (idx.dtype !== 'int32' || targets.dtype !== 'int32') throw new TypeError(`lookupCrossEntropy needs int32 indexes and targets, got ${idx.dtype} and ${targets.dtype}`);
  if (table.ndim !== 2 || idx.numel !== targets.numel) {
    throw new RangeError(`lookupCrossEntropy needs a table (rows×c) and as many targets as indexes, got ${shapeString(table.shape)}, ${shapeString(idx.shape)} and ${shapeString(targets.shape)}`);
  }
  const [rows, cols] = table.shape;
  const ignoreIndex = options.ignoreIndex ?? -1;
  if (!Number.isInteger(ignoreIndex)) throw new RangeError(`crossEntropy ignoreIndex must be an integer, got ${ignoreIndex}`);
  const ix = idx.intData, t = targets.intData;
  checkRowIndexes(ix, rows); // index's check, as table[idx] would fail first
  checkTargets(t, cols, options.ignoreIndex ?? null); // without ignoreIndex −1 is out of bounds like any other
  const saved = outputFloat(dtype, [2, rows, cols]); // log-softmax and exp of each row used
  const out = emptyFloat(dtype, []);
  const k = kernels();
  out.floatData[0] = k.lookupCrossEntropyForward(saved.floatData, table.floatData, ix, t, rows, cols, ignoreIndex);
  return record(out, 'LookupCrossEntropyBackward', [table], (g) => {
    const gt = gradOf(table);
    if (gt !== null) k.lookupCrossEntropyBackward(gt.floatData, saved.floatData, ix, t, rows, cols, ignoreIndex, g.floatData[0]);
  }, [idx, targets]);
}

/**
 * Each row's loss −log softmax(logits)[target] (n), as F.cross_entropy(…, reduction='none')
 * computes it; for evaluation (no gradient is recorded). nllLossMean adds them as the mean
 * reduction does, so a split evaluated chunk by chunk gives the loss of one call over all of it.
 */
export function crossEntropyRows(logits: Tensor, targets: Tensor): Tensor {
  const dtype = requireFloat(logits, 'crossEntropyRows');
  if (targets.dtype !== 'int32' || logits.ndim !== 2 || targets.ndim !== 1 || targets.shape[0] !== logits.shape[0]) {
    throw new RangeError(`crossEntropyRows needs logits (n×c) and int32 targets (n), got ${shapeString(logits.shape)} and ${targets.dtype} ${shapeString(targets.shape)}`);
  }
  const out = emptyFloat(dtype, [logits.shape[0]]);
  kernels().crossEntropyRows(out.floatData, logits.floatData, targets.intData, logits.shape[0], logits.shape[1]);
  return out;
}

/**
 * The mean of per-row losses as nll_loss's mean reduction adds them (float32 cascade; double for
 * float64), over every row or over the rows `kept` marks (F.cross_entropy's ignore_index).
 */
export function nllLossMean(nll: Float32Array | Float64Array, kept: Uint8Array | null = null): number {
  if (nll instanceof Float32Array) return nllMean(nll, kept);
  let s = 0;
  let n = 0;
  for (let i = 0; i < nll.length; i++) {
    if (kept !== null && kept[i] === 0) continue;
    s += nll[i];
    n++;
  }
  return s / n;
}

/** The mean over targets ≠ ignoreIndex (NaN when all are ignored, as PyTorch); its own kernels. */
function crossEntropyMasked(logits: Tensor, targets: Tensor, rows: number, cols: number, ignoreIndex: number): Tensor {
  if (!Number.isInteger(ignoreIndex)) throw new RangeError(`crossEntropy ignoreIndex must be an integer, got ${ignoreIndex}`);
  checkTargets(targets.intData, cols, ignoreIndex);
  const probs = outputFloat(logits.dtype as FloatDType, logits.shape);
  const out = emptyFloat(logits.dtype as FloatDType, []);
  const k = kernels();
  out.floatData[0] = k.crossEntropyMaskedForward(probs.floatData, logits.floatData, targets.intData, rows, cols, ignoreIndex);
  return record(out, 'CrossEntropyBackward', [logits], (g) => {
    const gl = gradOf(logits);
    if (gl !== null) k.crossEntropyMaskedBackward(gl.floatData, probs.floatData, targets.intData, rows, cols, ignoreIndex, g.floatData[0]);
  }, [targets]);
}

/** Throws at the first target outside [0, cols) that is not `ignoreIndex` (null: every target counts). */
function checkTargets(t: Int32Array, cols: number, ignoreIndex: number | null): void {
  for (let r = 0; r < t.length; r++) {
    if (t[r] !== ignoreIndex && (t[r] < 0 || t[r] >= cols)) throw new RangeError(`target ${t[r]} is out of bounds for ${cols} classes`);
  }
}
