// Fused cross-entropy: log-softmax + negative log-likelihood + mean in one kernel, as
// F.cross_entropy. Backward is (softmax − onehot)/n: no log or exp of huge logits is ever formed.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { FloatDType, Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { emptyFloat, outputFloat, requireFloat } from './alloc.js';

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
  const t = targets.i;
  for (let r = 0; r < rows; r++) {
    if (t[r] < 0 || t[r] >= cols) throw new RangeError(`target ${t[r]} is out of bounds for ${cols} classes`);
  }
  const probs = outputFloat(dtype, logits.shape); // saved for backward
  const out = emptyFloat(dtype, []);
  const k = kernels();
  out.f[0] = k.crossEntropyForward(probs.f, logits.f, targets.i, rows, cols);
  return record(out, 'CrossEntropyBackward', [logits], (g) => {
    const gl = gradOf(logits);
    if (gl !== null) k.crossEntropyBackward(gl.f, probs.f, targets.i, rows, cols, g.f[0]);
  }, [targets]);
}

/** The mean over targets ≠ ignoreIndex (NaN when all are ignored, as PyTorch); its own kernels. */
function crossEntropyMasked(logits: Tensor, targets: Tensor, rows: number, cols: number, ignoreIndex: number): Tensor {
  if (!Number.isInteger(ignoreIndex)) throw new RangeError(`crossEntropy ignoreIndex must be an integer, got ${ignoreIndex}`);
  const t = targets.i;
  for (let r = 0; r < rows; r++) {
    if (t[r] !== ignoreIndex && (t[r] < 0 || t[r] >= cols)) throw new RangeError(`target ${t[r]} is out of bounds for ${cols} classes`);
  }
  const probs = outputFloat(logits.dtype as FloatDType, logits.shape);
  const out = emptyFloat(logits.dtype as FloatDType, []);
  const k = kernels();
  out.f[0] = k.crossEntropyMaskedForward(probs.f, logits.f, targets.i, rows, cols, ignoreIndex);
  return record(out, 'CrossEntropyBackward', [logits], (g) => {
    const gl = gradOf(logits);
    if (gl !== null) k.crossEntropyMaskedBackward(gl.f, probs.f, targets.i, rows, cols, ignoreIndex, g.f[0]);
  }, [targets]);
}
