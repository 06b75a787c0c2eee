// makemore.py's recurrences over a whole sequence as one autograd op each: the RNN cell
// (h = tanh([x, hprev]·Wᵀ + b)) and the GRU cell, run for T steps with the state carried. The
// forward is a few kernel calls per step on (B, ·) blocks of time-major workspaces; the backward
// walks back through time with the same kernels and forms each weight's gradient with one matmul
// over all T·B rows (instead of one small product per step), which is most of the speed-up over
// composing the cell from separate ops. The arithmetic per step is the cell's as makemore.py writes
// it (cat, Linear, tanh / sigmoid, (1 − z)·hprev + z·hbar), so results match PyTorch's.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { shapeString } from '../shape.js';
import { emptyFloat, outputFloat, requireFloat } from './alloc.js';

/** A Linear of the cell: weight (H × (E + H)), bias (H). */
export interface CellLinear {
  weight: Tensor;
  bias: Tensor;
}

interface Dims { B: number; T: number; E: number; H: number; K: number }

function checkShapes(op: string, x: Tensor, h0: Tensor, linears: readonly CellLinear[]): Dims {
  const dtype = requireFloat(x, op);
  if (x.ndim !== 3 || h0.ndim !== 2 || h0.shape[0] !== x.shape[0]) {
    throw new RangeError(`${op} needs x (B, T, E) and h0 (B, H), got ${shapeString(x.shape)} and ${shapeString(h0.shape)}`);
  }
  const [B, T, E] = x.shape;
  const H = h0.shape[1];
  const K = E + H;
  for (const { weight, bias } of linears) {
    if (weight.ndim !== 2 || weight.shape[0] !== H || weight.shape[1] !== K || bias.numel !== H) {
      throw new RangeError(`${op}: a cell Linear needs weight (${H}, ${K}) and bias (${H}), got ${shapeString(weight.shape)} and ${shapeString(bias.shape)}`);
    }
  }
  for (const t of [h0, ...linears.flatMap((l) => [l.weight, l.bias])]) {
    if (t.dtype !== dtype) throw new TypeError(`${op} of ${dtype} and ${t.dtype}: convert one first`);
  }
  return { B, T, E, H, K };
}

/** (B, T, E) → the x part of each row of a time-major (T, B, K) workspace (or back, accumulating). */
function xStrides({ B, T, E, K }: Dims): { shape: number[]; batchMajor: number[]; timeMajor: number[] } {
  return { shape: [B, T, E], batchMajor: [T * E, E, 1], timeMajor: [K, B * K, 1] };
}

/**
 * makemore.py's RNNCell over T steps: h_t = tanh(xh_to_h([x_t, h_{t−1}])), h_{−1} = h0.
 * x (B, T, E), h0 (B, H), weight (H, E + H), bias (H) → hiddens (B, T, H).
 */
export function rnnSequence(x: Tensor, h0: Tensor, cell: CellLinear): Tensor {
  const d = checkShapes('rnnSequence', x, h0, [cell]);
  const { B, T, E, H, K } = d;
  const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
  const k = kernels();
  const { weight: W, bias: b } = cell;
  // XH: row (t, b) is [x_t, h_{t−1}] of example b; HS: slot 0 is h0, slot t + 1 is h_t
  const XH = outputFloat(dtype, [T, B, K]);
  const HS = outputFloat(dtype, [T + 1, B, H]);
  const out = outputFloat(dtype, [B, T, H]);
  const xs = xStrides(d);
  const xh = XH.floatData, hs = HS.floatData;
  k.copyStrided(xh, x.floatData, xs.shape, xs.timeMajor, xs.batchMajor, false);
  hs.set(h0.floatData);
  for (let t = 0; t < T; t++) {
    const xht = xh.subarray(t * B * K, (t + 1) * B * K);
    k.copyStrided(xht.subarray(E), hs.subarray(t * B * H, (t + 1) * B * H), [B, H], [K, 1], [H, 1], false);
    const ht = hs.subarray((t + 1) * B * H, (t + 2) * B * H);
    k.matmulTransB(ht, xht, W.floatData, B, H, K, false);
    k.binary('add', ht, ht, [H, 1], b.floatData, [0, 1], [B, H]);
    k.unary('tanh', ht, ht);
  }
  k.copyStrided(out.floatData, hs.subarray(B * H), [B, T, H], [T * H, H, 1], [H, B * H, 1], false);
  return record(out, 'RnnSequenceBackward', [x, h0, W, b], (g) => {
    // time-major copy of the incoming gradient: dH[t] is dL/dh_t from the outputs
    const DH = outputFloat(dtype, [T, B, H]);
    const DPRE = emptyFloat(dtype, [T, B, H]); // dL/d(pre-activation), per step (kernels accumulate)
    const DXH = outputFloat(dtype, [B, K]);
    const carry = emptyFloat(dtype, [B, H]); // dL/dh_t through h_{t+1}
    const gx = gradOf(x), gh0 = gradOf(h0), gw = gradOf(W), gb = gradOf(b);
    const dh = DH.floatData, dpre = DPRE.floatData, dxh = DXH.floatData, c = carry.floatData;
    const xh = XH.floatData, hs = HS.floatData, w = W.floatData;
    k.copyStrided(dh, g.floatData, [B, T, H], [H, B * H, 1], [T * H, H, 1], false);
    for (let t = T - 1; t >= 0; t--) {
      const dht = dh.subarray(t * B * H, (t + 1) * B * H);
      const dpt = dpre.subarray(t * B * H, (t + 1) * B * H);
      k.axpy(dht, c, 1);
      k.tanhBackward(dpt, dht, hs.subarray((t + 1) * B * H, (t + 2) * B * H));
      k.matmul(dxh, dpt, w, B, H, K, false);
      if (gx !== null) k.copyStrided(gx.floatData.subarray(t * E), dxh, [B, E], [T * E, 1], [K, 1], true);
      k.copyStrided(c, dxh.subarray(E), [B, H], [H, 1], [K, 1], false);
    }
    if (gh0 !== null) k.axpy(gh0.floatData, c, 1);
    if (gw !== null) k.matmulTransA(gw.floatData, dpre, xh, T * B, H, K, true);
    if (gb !== null) k.sumAxis(gb.floatData, dpre, 1, T * B, H, true);
  }, [W]);
}

/**
 * makemore.py's GRUCell over T steps, h_{−1} = h0:
 *   r = σ(xh_to_r([x, hprev])), hbar = tanh(xh_to_hbar([x, r·hprev])), z = σ(xh_to_z([x, hprev])),
 *   h = (1 − z)·hprev + z·hbar.
 * x (B, T, E), h0 (B, H), each Linear (H, E + H) and (H) → hiddens (B, T, H).
 */
export function gruSequence(x: Tensor, h0: Tensor, cell: { z: CellLinear; r: CellLinear; hbar: CellLinear }): Tensor {
  const d = checkShapes('gruSequence', x, h0, [cell.z, cell.r, cell.hbar]);
  const { B, T, E, H, K } = d;
  const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
  const k = kernels();
  const BH = B * H, BK = B * K;
  // time-major workspaces: XH rows [x_t, h_{t−1}], XHR rows [x_t, r_t·h_{t−1}], Z, R, HB (hbar)
  // per step, HS slot 0 = h0 and slot t + 1 = h_t
  const XH = outputFloat(dtype, [T, B, K]);
  const XHR = outputFloat(dtype, [T, B, K]);
  const Z = outputFloat(dtype, [T, B, H]);
  const R = outputFloat(dtype, [T, B, H]);
  const HB = outputFloat(dtype, [T, B, H]);
  const HS = outputFloat(dtype, [T + 1, B, H]);
  const tmp = outputFloat(dtype, [B, H]);
  const out = outputFloat(dtype, [B, T, H]);
  const xs = xStrides(d);
  const xh = XH.floatData, xhr = XHR.floatData, z = Z.floatData, r = R.floatData, hb = HB.floatData, hs = HS.floatData, tm = tmp.floatData;
  const wz = cell.z.weight.floatData, wr = cell.r.weight.floatData, wh = cell.hbar.weight.floatData;
  const bz = cell.z.bias.floatData, br = cell.r.bias.floatData, bh = cell.hbar.bias.floatData;
  k.copyStrided(xh, x.floatData, xs.shape, xs.timeMajor, xs.batchMajor, false);
  k.copyStrided(xhr, x.floatData, xs.shape, xs.timeMajor, xs.batchMajor, false);
  hs.set(h0.floatData);
  /** dst (B, H) ← W·src + b, then the activation; src rows of K. */
  const gate = (dst: typeof z, src: typeof z, w: typeof z, bias: typeof z, act: 'sigmoid' | 'tanh'): void => {
    k.matmulTransB(dst, src, w, B, H, K, false);
    k.binary('add', dst, dst, [H, 1], bias, [0, 1], [B, H]);
    if (act === 'sigmoid') k.sigmoid(dst, dst);
    else k.unary('tanh', dst, dst);
  };
  for (let t = 0; t < T; t++) {
    const hprev = hs.subarray(t * BH, (t + 1) * BH), ht = hs.subarray((t + 1) * BH, (t + 2) * BH);
    const xht = xh.subarray(t * BK, (t + 1) * BK), xhrt = xhr.subarray(t * BK, (t + 1) * BK);
    const zt = z.subarray(t * BH, (t + 1) * BH), rt = r.subarray(t * BH, (t + 1) * BH), hbt = hb.subarray(t * BH, (t + 1) * BH);
    k.copyStrided(xht.subarray(E), hprev, [B, H], [K, 1], [H, 1], false);
    gate(rt, xht, wr, br, 'sigmoid');
    k.mulInto(tm, rt, hprev, false); // hprev_reset = r·hprev
    k.copyStrided(xhrt.subarray(E), tm, [B, H], [K, 1], [H, 1], false);
    gate(hbt, xhrt, wh, bh, 'tanh');
    gate(zt, xht, wz, bz, 'sigmoid');
    k.binaryScalar('sub', tm, zt, 1, true); // 1 − z
    k.mulInto(ht, tm, hprev, false);
    k.mulInto(ht, zt, hbt, true);
  }
  k.copyStrided(out.floatData, hs.subarray(BH), [B, T, H], [T * H, H, 1], [H, BH, 1], false);
  const params = [cell.z.weight, cell.z.bias, cell.r.weight, cell.r.bias, cell.hbar.weight, cell.hbar.bias];
  return record(out, 'GruSequenceBackward', [x, h0, ...params], (g) => {
    const DH = outputFloat(dtype, [T, B, H]);
    // dL/d(pre-activation) of each gate per step (zeroed: the activation backward kernels accumulate)
    const DAZ = emptyFloat(dtype, [T, B, H]);
    const DAR = emptyFloat(dtype, [T, B, H]);
    const DAH = emptyFloat(dtype, [T, B, H]);
    const DXH = outputFloat(dtype, [B, K]);
    const t1 = outputFloat(dtype, [B, H]);
    const t2 = outputFloat(dtype, [B, H]);
    const carry = emptyFloat(dtype, [B, H]); // dL/dh_t through h_{t+1}
    const gx = gradOf(x), gh0 = gradOf(h0);
    const grads = [cell.z, cell.r, cell.hbar].map((l) => [gradOf(l.weight), gradOf(l.bias)] as const); // allocate before taking views
    const dh = DH.floatData, daz = DAZ.floatData, dar = DAR.floatData, dah = DAH.floatData, dxh = DXH.floatData;
    const a = t1.floatData, bb = t2.floatData, c = carry.floatData;
    const xh = XH.floatData, xhr = XHR.floatData, z = Z.floatData, r = R.floatData, hb = HB.floatData, hs = HS.floatData;
    const wz = cell.z.weight.floatData, wr = cell.r.weight.floatData, wh = cell.hbar.weight.floatData;
    const gxd = gx?.floatData ?? null;
    k.copyStrided(dh, g.floatData, [B, T, H], [H, BH, 1], [T * H, H, 1], false);
    for (let t = T - 1; t >= 0; t--) {
      const s = t * BH, e = (t + 1) * BH;
      const dht = dh.subarray(s, e), hprev = hs.subarray(s, e);
      const zt = z.subarray(s, e), rt = r.subarray(s, e), hbt = hb.subarray(s, e);
      const dazt = daz.subarray(s, e), dart = dar.subarray(s, e), daht = dah.subarray(s, e);
      k.axpy(dht, c, 1); // dL/dh_t in all
      // h = (1 − z)·hprev + z·hbar: dz = dh·(hbar − hprev), dhbar = dh·z, dhprev = dh·(1 − z)
      k.binary('sub', a, hbt, [H, 1], hprev, [H, 1], [B, H]);
      k.mulInto(bb, dht, a, false);
      k.sigmoidBackward(dazt, bb, zt);
      k.mulInto(bb, dht, zt, false);
      k.tanhBackward(daht, bb, hbt);
      k.binaryScalar('sub', a, zt, 1, true);
      k.mulInto(c, dht, a, false);
      // through hbar's input [x, r·hprev]
      k.matmul(dxh, daht, wh, B, H, K, false);
      if (gxd !== null) k.copyStrided(gxd.subarray(t * E), dxh, [B, E], [T * E, 1], [K, 1], true);
      k.copyStrided(a, dxh.subarray(E), [B, H], [H, 1], [K, 1], false); // d(r·hprev)
      k.mulInto(c, a, rt, true);
      k.mulInto(bb, a, hprev, false);
      k.sigmoidBackward(dart, bb, rt);
      // through z's and r's input [x, hprev]
      k.matmul(dxh, dazt, wz, B, H, K, false);
      k.matmul(dxh, dart, wr, B, H, K, true);
      if (gxd !== null) k.copyStrided(gxd.subarray(t * E), dxh, [B, E], [T * E, 1], [K, 1], true);
      k.copyStrided(c, dxh.subarray(E), [B, H], [H, 1], [K, 1], true);
    }
    if (gh0 !== null) k.axpy(gh0.floatData, c, 1);
    for (const [i, da, src] of [[0, daz, xh], [1, dar, xh], [2, dah, xhr]] as const) {
      const [gw, gb] = grads[i];
      if (gw !== null) k.matmulTransA(gw.floatData, da, src, T * B, H, K, true);
      if (gb !== null) k.sumAxis(gb.floatData, da, 1, T * B, H, true);
    }
  }, [cell.z.weight, cell.r.weight, cell.hbar.weight]);
}
