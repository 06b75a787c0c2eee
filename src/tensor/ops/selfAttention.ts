// Multi-head causal self-attention on packed projections, one autograd op (makemore.py's
// CausalSelfAttention between c_attn and c_proj):
//   qkv (B, T, 3C) = q | k | v, each C = heads·hs wide, head h in columns [h·hs, (h+1)·hs);
//   att = softmax(q·kᵀ · 1/√hs, causal) per (batch, head): (B, heads, T, T);
//   y (B, T, C) = att·v with the heads side by side (y.transpose(1, 2).contiguous().view(B, T, C)).
// The numbers of the op-by-op form (split, view, transpose, matmul, mul, masked softmax, matmul,
// transpose) in six kernel calls instead of a dozen ops: one strided copy to head-major
// (3, B, heads, T, hs), two batched matmuls around the scale and the causal softmax, one copy back. Backward:
// dv = attᵀ·dy, datt = dy·vᵀ, dscores = softmax′(datt)/√hs, dq = dscores·k, dk = dscoresᵀ·q.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { emptyFloat, outputFloat, requireFloat } from './alloc.js';

/** qkv (B, T, 3C) → y (B, T, C), `heads` heads of C/heads each, causally masked. */
export function causalAttention(qkv: Tensor, heads: number): Tensor {
  const dtype = requireFloat(qkv, 'causalAttention');
  const [B, T, C3] = qkv.shape;
  if (qkv.ndim !== 3 || C3 % 3 !== 0 || !Number.isInteger(heads) || heads <= 0 || (C3 / 3) % heads !== 0) {
    throw new RangeError(`causalAttention needs qkv (B, T, 3C) with heads dividing C, got ${shapeString(qkv.shape)} and ${heads} heads`);
  }
  const C = C3 / 3, hs = C / heads, bh = B * heads;
  const k = kernels();
  // (B, T, 3, heads, hs) → (3, B, heads, T, hs): q, k, v blocks of (T, hs) per (batch, head)
  const walk = [3, B, heads, T, hs];
  const packed = [C, T * C3, hs, C3, 1]; // qkv's strides along walk
  const headMajor = [bh * T * hs, heads * T * hs, T * hs, hs, 1];
  const yWalk = [B, heads, T, hs];
  const yPacked = [T * C, hs, C, 1]; // y (B, T, heads, hs)'s strides along yWalk
  const yHeads = [heads * T * hs, T * hs, hs, 1];
  const per = T * hs; // one q, k or v block
  const qkvH = outputFloat(dtype, walk);
  const att = outputFloat(dtype, [B, heads, T, T]);
  const yH = outputFloat(dtype, yWalk);
  const out = outputFloat(dtype, [B, T, C]);
  const scale = outputFloat(dtype, [1]);
  scale.floatData[0] = 1 / Math.sqrt(hs);
  const batch = [bh];
  const blk = [per], sq = [T * T];
  k.copyStrided(qkvH.floatData, qkv.floatData, walk, headMajor, packed, false);
  const qH = (t: Tensor): Tensor['floatData'] => t.floatData.subarray(0, bh * per);
  const kH = (t: Tensor): Tensor['floatData'] => t.floatData.subarray(bh * per, 2 * bh * per);
  const vH = (t: Tensor): Tensor['floatData'] => t.floatData.subarray(2 * bh * per);
  // scores (T×T) = q (T×hs) · k (T×hs)ᵀ, then × 1/√hs as PyTorch's (q @ kᵀ) * scale
  k.matmulBatched('nt', att.floatData, qH(qkvH), kH(qkvH), T, T, hs, batch, sq, blk, blk, false);
  k.binary('mul', att.floatData, att.floatData, [1], scale.floatData, [0], [att.numel]);
  k.causalSoftmaxRows(att.floatData, att.floatData, bh * T, T, T);
  k.matmulBatched('nn', yH.floatData, att.floatData, vH(qkvH), T, T, hs, batch, blk, sq, blk, false);
  k.copyStrided(out.floatData, yH.floatData, yWalk, yPacked, yHeads, false);
  return record(out, 'CausalAttentionBackward', [qkv], (g) => {
    const gqkv = gradOf(qkv);
    if (gqkv === null) return;
    const dyH = outputFloat(dtype, yWalk);
    const dH = outputFloat(dtype, walk); // dq | dk | dv, head-major
    const datt = outputFloat(dtype, [B, heads, T, T]);
    const ds = emptyFloat(dtype, [B, heads, T, T]);
    k.copyStrided(dyH.floatData, g.floatData, yWalk, yHeads, yPacked, false);
    // dv (T×hs) = attᵀ (T×T) · dy (T×hs); datt (T×T) = dy (T×hs) · v (T×hs)ᵀ
    k.matmulBatched('tn', vH(dH), att.floatData, dyH.floatData, T, T, hs, batch, blk, sq, blk, false);
    k.matmulBatched('nt', datt.floatData, dyH.floatData, vH(qkvH), T, T, hs, batch, sq, blk, blk, false);
    k.softmaxBackward(ds.floatData, datt.floatData, att.floatData, bh * T, T);
    k.binary('mul', ds.floatData, ds.floatData, [1], scale.floatData, [0], [ds.numel]);
    // dq = dscores · k; dk = dscoresᵀ · q
    k.matmulBatched('nn', qH(dH), ds.floatData, kH(qkvH), T, T, hs, batch, blk, sq, blk, false);
    k.matmulBatched('tn', kH(dH), ds.floatData, qH(qkvH), T, T, hs, batch, blk, sq, blk, false);
    k.copyStrided(gqkv.floatData, dH.floatData, walk, packed, headMajor, true);
  }, [qkvH, att, scale]);
}
