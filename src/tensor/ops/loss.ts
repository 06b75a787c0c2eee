// Fused cross-entropy: log-softmax + negative log-likelihood + mean in one kernel, as
// F.cross_entropy. Backward is (softmax − onehot)/n: no log or exp of huge logits is ever formed.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { emptyFloat, outputFloat, requireFloat } from './alloc.js';

/** Mean cross-entropy of logits (n×c) against int32 class targets (n). */
export function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
  const dtype = requireFloat(logits, 'crossEntropy');
  if (targets.dtype !== 'int32') throw new TypeError(`crossEntropy targets must be int32 class indexes, got ${targets.dtype}`);
  if (logits.ndim !== 2 || targets.ndim !== 1 || targets.shape[0] !== logits.shape[0]) {
    throw new RangeError(`crossEntropy needs logits (n×c) and targets (n), got ${shapeString(logits.shape)} and ${shapeString(targets.shape)}`);
  }
  const [rows, cols] = logits.shape;
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
