// One training step of the notebooks' hand-written model (seed and lecture presets) in one call:
// gather, matmul (+ b1), batch norm (eps on the std), running statistics, tanh, matmul + b2,
// cross-entropy, backward, SGD. It calls the very kernels the tensor ops call, in the order
// autograd runs them, on zeroed gradient buffers: the numbers are the op-by-op path's, bit for
// bit; only the JS↔wasm crossings and the autograd bookkeeping are gone.
//
// `plan` holds u32 addresses (see PLAN_* below, mirrored by src/model/notebookFused.ts);
// `ws`: the workspace, laid out by wsLayout (B batch, K block, E embed, F = K·E, H hidden, V vocab).
import { binary, sgdStep, tanhBackward, unary } from './elementwise';
import { batchNormBackward, batchNormEval, batchNormTrain, sumAxis } from './reduce';
import { crossEntropyBackward, crossEntropyForward, errIndex, gatherRows, scatterAddRows } from './layers';
import { crossEntropyRowsInto } from './logSoftmax';
import { matmul, matmulTransA, matmulTransB } from './matmul';
import { axpy } from './elementwise';

// plan slots: data, parameters, their gradients, running statistics, scratch
const X = 0, Y = 1, IX = 2, ROWS = 3, C = 4, W1 = 5, B1 = 6, W2 = 7, B2 = 8, GAIN = 9, BIAS = 10,
  RMEAN = 11, RSTD = 12, GC = 13, GW1 = 14, GB1 = 15, GW2 = 16, GB2 = 17, GGAIN = 18, GBIAS = 19,
  WS = 20, META = 21, PACK = 22;

@inline function slot(plan: usize, i: i32): usize { return <usize>load<u32>(plan + (<usize>i << 2)); }

const KEEP: f32 = 0.999;
const MOMENTUM: f32 = 0.001;

/** Float32 elements of the workspace for (B, K, E, H, V) (the int32 minibatch included). */
export function fusedNotebookWorkspace(b: i32, k: i32, e: i32, h: i32, v: i32): i32 {
  const f = k * e;
  return b * k + b + 3 * b * f + 7 * b * h + 3 * h + 3 * b * v;
}

/**
 * Returns the loss (as float32), or −1 − i when index i of a gather (or target i) is out of range
 * (parameters untouched). A non-finite loss skips backward and the update, as the trainer stops before them.
 * Running statistics: running = 0.999·running + 0.001·batch (std without eps), in f32.
 */
export function fusedNotebookStep(plan: usize, b: i32, k: i32, e: i32, h: i32, v: i32, bnEps: f64, lr: f64): f64 {
  const f = k * e;
  const ws = slot(plan, WS);
  // workspace layout (4-byte words)
  let at = ws;
  const xb = at; at += <usize>(b * k) << 2;
  const yb = at; at += <usize>b << 2;
  const emb = at; at += <usize>(b * f) << 2;
  const hpre = at; at += <usize>(b * h) << 2;
  const bnOut = at; at += <usize>(b * h) << 2;
  const xhat = at; at += <usize>(b * h) << 2;
  const mean = at; at += <usize>h << 2;
  const vr = at; at += <usize>h << 2;
  const inv = at; at += <usize>h << 2;
  const hid = at; at += <usize>(b * h) << 2;
  const logits = at; at += <usize>(b * v) << 2;
  const probs = at; at += <usize>(b * v) << 2;
  const grads = at; // from here on: gradients, zeroed each step
  const dlogits = at; at += <usize>(b * v) << 2;
  const dh = at; at += <usize>(b * h) << 2;
  const dhpreact = at; at += <usize>(b * h) << 2;
  const dhpre = at; at += <usize>(b * h) << 2;
  const dembcat = at; at += <usize>(b * f) << 2;
  const demb = at; at += <usize>(b * f) << 2;
  const end = at;
  const meta = slot(plan, META), pack = slot(plan, PACK);
  const rows = <i32>slot(plan, ROWS);
  const c = slot(plan, C), w1 = slot(plan, W1), b1 = slot(plan, B1), w2 = slot(plan, W2), b2 = slot(plan, B2);
  const gain = slot(plan, GAIN), bias = slot(plan, BIAS);

  // ---- forward: Xb, Yb = X[ix], Y[ix]; emb = C[Xb]; hpre = emb·W1 (+ b1)
  gatherRows(xb, slot(plan, X), slot(plan, IX), b, k, rows);
  if (errIndex >= 0) return <f64>(-1 - errIndex);
  gatherRows(yb, slot(plan, Y), slot(plan, IX), b, 1, rows);
  if (errIndex >= 0) return <f64>(-1 - errIndex);
  gatherRows(emb, c, xb, b * k, e, v);
  if (errIndex >= 0) return <f64>(-1 - errIndex);
  matmul(hpre, emb, w1, b, f, h, false);
  if (b1 != 0) addRowBias(hpre, b1, b, h, meta);
  batchNormTrain(bnOut, xhat, mean, vr, inv, false, hpre, gain, bias, b, h, 0, 1, bnEps);
  updateRunning(slot(plan, RMEAN), slot(plan, RSTD), mean, vr, h);
  unary(4, hid, bnOut, b * h); // tanh
  matmul(logits, hid, w2, b, h, v, false);
  addRowBias(logits, b2, b, v, meta);
  const loss = <f32>crossEntropyForward(probs, logits, yb, b, v);
  if (errIndex >= 0) return <f64>(-1 - errIndex);
  if (!isFinite(loss)) return loss;

  // ---- backward, in autograd's order, into zeroed gradients
  const gc = slot(plan, GC), gw1 = slot(plan, GW1), gb1 = slot(plan, GB1), gw2 = slot(plan, GW2), gb2 = slot(plan, GB2);
  const ggain = slot(plan, GGAIN), gbias = slot(plan, GBIAS);
  memory.fill(grads, 0, end - grads);
  memory.fill(gc, 0, <usize>(v * e) << 2);
  memory.fill(gw1, 0, <usize>(f * h) << 2);
  if (b1 != 0) memory.fill(gb1, 0, <usize>h << 2);
  memory.fill(gw2, 0, <usize>(h * v) << 2);
  memory.fill(gb2, 0, <usize>v << 2);
  memory.fill(ggain, 0, <usize>h << 2);
  memory.fill(gbias, 0, <usize>h << 2);
  crossEntropyBackward(dlogits, probs, yb, b, v, 1);
  matmulTransB(dh, dlogits, w2, b, h, v, true, pack); // addmm(b2, h, W2)
  matmulTransA(gw2, hid, dlogits, b, h, v, true);
  sumAxis(gb2, dlogits, 1, b, v, true);
  tanhBackward(dhpreact, dh, hid, b * h);
  batchNormBackward(dhpre, ggain, gbias, dhpreact, xhat, inv, false, gain, b, h, 1, bnEps);
  matmulTransB(dembcat, dhpre, w1, b, f, h, true, pack); // matmul(emb, W1) or addmm(b1, emb, W1)
  matmulTransA(gw1, emb, dhpre, b, f, h, true);
  if (b1 != 0) sumAxis(gb1, dhpre, 1, b, h, true);
  axpy(demb, dembcat, b * f, 1); // the view's backward
  scatterAddRows(gc, demb, xb, b * k, e, v);

  // ---- SGD
  sgdStep(c, gc, v * e, lr);
  sgdStep(w1, gw1, f * h, lr);
  if (b1 != 0) sgdStep(b1, gb1, h, lr);
  sgdStep(w2, gw2, h * v, lr);
  sgdStep(b2, gb2, v, lr);
  sgdStep(gain, ggain, h, lr);
  sgdStep(bias, gbias, h, lr);
  return loss;
}

/** The notebook's running statistics over h units: running = 0.999·running + 0.001·batch (std without eps), in f32. */
export function updateRunning(rm: usize, rs: usize, mean: usize, vr: usize, h: i32): void {
  for (let j = 0; j < h; j++) {
    const q = <usize>j << 2;
    store<f32>(rm + q, KEEP * load<f32>(rm + q) + MOMENTUM * load<f32>(mean + q));
    store<f32>(rs + q, KEEP * load<f32>(rs + q) + MOMENTUM * Mathf.sqrt(load<f32>(vr + q)));
  }
}

/** out[m×n] += bias[n] per row, through `binary` as addmm does (shape and strides in meta). */
export function addRowBias(out: usize, bias: usize, m: i32, n: i32, meta: usize): void {
  store<i32>(meta, m); store<i32>(meta, n, 4);
  store<i32>(meta, n, 8); store<i32>(meta, 1, 12);
  store<i32>(meta, 0, 16); store<i32>(meta, 1, 20);
  binary(0, out, out, bias, 2, meta);
}

// ---- evaluation: the eval-mode forward and the mean cross-entropy of a chunk of examples ----

// plan slots of fusedNotebookEval
const EX = 0, EY = 1, EC = 2, EW1 = 3, EB1 = 4, EW2 = 5, EB2 = 6, EGAIN = 7, EBIAS = 8, ERMEAN = 9, ERSTD = 10, EWS = 11, EMETA = 12, ENLL = 13;
/** Rows per block: a block's activations stay in the core's cache (64 × (30 + 200 + 27) floats ≈ 66 kB). */
const EVAL_BLOCK = 64;

/** Float32 elements of fusedNotebookEval's workspace. */
export function fusedNotebookEvalWorkspace(k: i32, e: i32, h: i32, v: i32): i32 {
  return EVAL_BLOCK * (k * e + h + v);
}

/**
 * The notebook model in eval mode (running statistics) on `rows` examples X (rows × k), Y (rows),
 * block by block, with the kernels and the order of the op-by-op forward: writes each row's loss
 * −log softmax[target] to the plan's nll array (as crossEntropyRows; the caller adds them as
 * nll_loss does). Returns 0, or −1 − i when target i is out of range, −1 − rows − i when context
 * index i is. Per row, every value is the op-by-op path's (a matmul row does not depend on the
 * rows around it), so the result is the same bit for bit.
 */
export function fusedNotebookEval(plan: usize, rows: i32, k: i32, e: i32, h: i32, v: i32): i32 {
  const f = k * e;
  const ws = slot(plan, EWS), meta = slot(plan, EMETA);
  const emb = ws;
  const hid = emb + (<usize>(EVAL_BLOCK * f) << 2);
  const logits = hid + (<usize>(EVAL_BLOCK * h) << 2);
  const x = slot(plan, EX), y = slot(plan, EY);
  const c = slot(plan, EC), w1 = slot(plan, EW1), b1 = slot(plan, EB1), w2 = slot(plan, EW2), b2 = slot(plan, EB2);
  const gain = slot(plan, EGAIN), bias = slot(plan, EBIAS), rm = slot(plan, ERMEAN), rs = slot(plan, ERSTD);
  for (let i = 0; i < rows; i++) {
    if (<u32>load<i32>(y + (<usize>i << 2)) >= <u32>v) return -1 - i;
  }
  const nll = slot(plan, ENLL);
  for (let r0 = 0; r0 < rows; r0 += EVAL_BLOCK) {
    const n = min(EVAL_BLOCK, rows - r0);
    gatherRows(emb, c, x + (<usize>(r0 * k) << 2), n * k, e, v);
    if (errIndex >= 0) return -1 - rows - (r0 * k + errIndex);
    matmul(hid, emb, w1, n, f, h, false);
    if (b1 != 0) addRowBias(hid, b1, n, h, meta);
    batchNormEval(hid, hid, rm, rs, true, gain, bias, n, h, 0);
    unary(4, hid, hid, n * h); // tanh
    matmul(logits, hid, w2, n, h, v, false);
    addRowBias(logits, b2, n, v, meta);
    crossEntropyRowsInto(nll + (<usize>r0 << 2), logits, y + (<usize>r0 << 2), n, v);
  }
  return 0;
}
