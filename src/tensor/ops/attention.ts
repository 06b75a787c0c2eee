// Causal softmax over the last axis of (…, T, T) attention scores: entry (t, s) with s > t is
// masked to −inf before the softmax (makemore.py: att.masked_fill(bias[:, :, :T, :T] == 0,
// −inf) then F.softmax), so it comes out exactly 0. Backward: the plain softmax backward.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { outputFloat, requireFloat } from './alloc.js';

export function causalSoftmax(att: Tensor): Tensor {
  const dtype = requireFloat(att, 'causalSoftmax');
  if (att.ndim < 2) throw new RangeError(`causalSoftmax needs (…, T, T) scores, got ${shapeString(att.shape)}`);
  const tq = att.shape[att.ndim - 2], cols = att.shape[att.ndim - 1];
  const rows = att.numel / Math.max(cols, 1);
  const out = outputFloat(dtype, att.shape);
  if (att.numel > 0) kernels().causalSoftmaxRows(out.f, att.f, rows, cols, tq);
  return record(out, 'CausalSoftmaxBackward', [att], (g) => {
    const ga = gradOf(att);
    if (ga !== null) kernels().softmaxBackward(ga.f, g.f, out.f, rows, cols);
  }, [out]);
}
