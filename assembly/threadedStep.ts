// Fast mode on every core: the notebook model's training step (fusedStep.ts's, in the same kernels)
// split over T threads that share one memory (the module built with --sharedMemory, threadsIndex.ts).
//
// Thread t owns hidden units [h0, h0 + ht): its columns of W1 (and b1), its rows of W2, its batch-norm
// gain, bias and running statistics, stored contiguously as a model of width ht. Batch norm is per
// hidden unit, so each thread's forward and backward run on its slice alone; the threads meet twice:
//   barrier 1: logits = Σ_t (h_t · W2_t) + b2 needs every slice (each thread then computes the loss
//              and dlogits itself, the same numbers in every thread, rather than wait for one);
//   barrier 2: dembcat = Σ_t dhpre_t · W1_tᵀ needs every slice (thread 0 then updates C and b2).
// Sums over threads run in thread order, so a run is deterministic for a given T; against one thread
// only the rounding of those two sums differs (fast mode's numbers are not PyTorch's anyway).
//
// Control block `ctl` (i32 words, shared): barrier generation and count, quit, reload and failed
// flags, thread count, the step's learning rate and the loss (f64). Each thread has a plan (u32 slots).
import { batchNormBackward, batchNormTrain, sumAxis } from './reduce';
import { crossEntropyBackward, crossEntropyForward, errIndex, gatherRows, scatterAddRows } from './layers';
import { sgdStep, tanhBackward, unary } from './elementwise';
import { matmul, matmulTransA, matmulTransB } from './matmul';
import { addRowBias, updateRunning } from './fusedStep';
import { nllScratchAt } from './logSoftmax';

// ctl byte offsets
const GEN = 0, COUNT = 4, QUIT = 8, RELOAD = 12, NTHREADS = 16, FAILED = 20, LR = 24, EPS = 32, LOSS = 40, SPINS = 48;
/** Bytes of the control block. */
export const CTL_BYTES = 64;

// plan slots. Shared by all threads: data, minibatch, C and b2 (thread 0 updates them), the
// partial sums, and the mirror (the parameters in the model's layout, for JS to copy out).
const X = 0, Y = 1, IX = 2, ROWS = 3, XB = 4, YB = 5, EMB = 6, PLOGITS = 7, PDEMB = 8, DEMB = 9,
  C = 10, B2 = 11, GC = 12, GB2 = 13,
  MW1 = 14, MB1 = 15, MW2 = 16, MGAIN = 17, MBIAS = 18, MRMEAN = 19, MRSTD = 20,
  // this thread's: index, first hidden unit, width; its parameters, gradients, workspace
  T = 21, H0 = 22, HT = 23, W1 = 24, B1 = 25, W2 = 26, GAIN = 27, BIAS = 28, RMEAN = 29, RSTD = 30,
  GW1 = 31, GB1 = 32, GW2 = 33, GGAIN = 34, GBIAS = 35, WS = 36, PACK = 37, META = 38,
  // sizes: batch, block, embedding, hidden (all threads), vocabulary
  NB = 39, NK = 40, NE = 41, NH = 42, NV = 43;
/** Slots of a plan. */
export const PLAN_SLOTS = 44;

@inline function slot(plan: usize, i: i32): usize { return <usize>load<u32>(plan + (<usize>i << 2)); }
@inline function num(plan: usize, i: i32): i32 { return load<i32>(plan + (<usize>i << 2)); }
/** Thread t's plan address, from `plans` (u32 each). */
@inline function planAt(plans: usize, t: i32): usize { return <usize>load<u32>(plans + (<usize>t << 2)); }

/** Bytes of a thread's meta block: binary's shape and strides (addRowBias), then 32 bytes for nll_loss's partial sums. */
const META_BYTES = 64;
export const THREAD_META_BYTES = META_BYTES + 32;

// A thread's workspace, in this order (float32 counts; b: batch, ht: its hidden units, v: vocabulary):
// hpre, bnOut, xhat (b·ht each), mean, var, inv (ht each), hid (b·ht), logits, probs, dlogits (b·v
// each), dh, dhpreact, dhpre (b·ht each). From dlogits on it is zeroed each step.
const HPRE = 0, BNOUT = 1, XHAT = 2, MEAN = 3, VAR = 4, INV = 5, HID = 6, LOGITS = 7, PROBS = 8, DLOGITS = 9, DH = 10, DHPREACT = 11, DHPRE = 12, WS_END = 13;

/** The address of region `k` of a workspace at `ws`. */
@inline function region(ws: usize, k: i32, b: i32, ht: i32, v: i32): usize {
  const bh = <usize>(b * ht) << 2, h = <usize>ht << 2, bv = <usize>(b * v) << 2;
  if (k <= MEAN) return ws + <usize>k * bh;
  if (k <= HID) return ws + 3 * bh + <usize>(k - MEAN) * h;
  if (k <= DH) return ws + 4 * bh + 3 * h + <usize>(k - LOGITS) * bv;
  return ws + 4 * bh + 3 * h + 3 * bv + <usize>(k - DH) * bh;
}

/** Float32 elements of a thread's workspace for a slice of width ht. */
export function threadedWorkspace(b: i32, ht: i32, v: i32): i32 {
  return <i32>(region(0, WS_END, b, ht, v) >> 2);
}

function barrier(ctl: usize): void {
  const n = load<i32>(ctl + NTHREADS);
  const gen = atomic.load<i32>(ctl + GEN);
  if (atomic.add<i32>(ctl + COUNT, 1) == n - 1) {
    atomic.store<i32>(ctl + COUNT, 0);
    atomic.store<i32>(ctl + GEN, gen + 1);
    atomic.notify(ctl + GEN, n);
    return;
  }
  // Spin (a step's phases are microseconds apart), then sleep (a pause between runs is not);
  // JS sets how long: spinning while another process has the partner's core only wastes time.
  const limit = load<i32>(ctl + SPINS);
  while (!polled(ctl, gen, limit)) atomic.wait<i32>(ctl + GEN, gen, -1);
}

/** Polls the generation up to `limit` times; true once it has moved on from `gen`. */
@inline function polled(ctl: usize, gen: i32, limit: i32): bool {
  for (let spins = 0; spins < limit; spins++) {
    if (atomic.load<i32>(ctl + GEN) != gen) return true;
    // A thread that failed (its JS sets FAILED and wakes the waiters) never arrives: trap rather than wait forever.
    if (atomic.load<i32>(ctl + FAILED) != 0) unreachable();
  }
  return atomic.load<i32>(ctl + GEN) != gen;
}

/** `n` of a barrier's polls, on a generation no thread moves (JS times them to set the spin limit in µs). */
export function spinPolls(ctl: usize, n: i32): bool {
  return polled(ctl, atomic.load<i32>(ctl + GEN), n);
}

/** rows × n floats from src (row stride ss floats) to dst (row stride ds floats). */
function copyRows(dst: usize, ds: i32, src: usize, ss: i32, rows: i32, n: i32): void {
  const bytes = <usize>n << 2;
  for (let r = 0; r < rows; r++) memory.copy(dst + (<usize>(r * ds) << 2), src + (<usize>(r * ss) << 2), bytes);
}

/** The thread's slice from the mirror (after JS wrote the model's parameters there). */
function reload(plan: usize): void {
  const f = num(plan, NK) * num(plan, NE), h = num(plan, NH), v = num(plan, NV);
  const h0 = num(plan, H0), ht = num(plan, HT);
  const col = <usize>h0 << 2;
  copyRows(slot(plan, W1), ht, slot(plan, MW1) + col, h, f, ht);
  if (slot(plan, B1) != 0) memory.copy(slot(plan, B1), slot(plan, MB1) + col, <usize>ht << 2);
  memory.copy(slot(plan, W2), slot(plan, MW2) + <usize>(h0 * v) * 4, <usize>(ht * v) << 2);
  memory.copy(slot(plan, GAIN), slot(plan, MGAIN) + col, <usize>ht << 2);
  memory.copy(slot(plan, BIAS), slot(plan, MBIAS) + col, <usize>ht << 2);
  memory.copy(slot(plan, RMEAN), slot(plan, MRMEAN) + col, <usize>ht << 2);
  memory.copy(slot(plan, RSTD), slot(plan, MRSTD) + col, <usize>ht << 2);
}

/** The thread's parameters and running statistics into the mirror. */
function publish(plan: usize): void {
  const f = num(plan, NK) * num(plan, NE), h = num(plan, NH), v = num(plan, NV);
  const h0 = num(plan, H0), ht = num(plan, HT);
  const col = <usize>h0 << 2;
  copyRows(slot(plan, MW1) + col, h, slot(plan, W1), ht, f, ht);
  if (slot(plan, B1) != 0) memory.copy(slot(plan, MB1) + col, slot(plan, B1), <usize>ht << 2);
  memory.copy(slot(plan, MW2) + <usize>(h0 * v) * 4, slot(plan, W2), <usize>(ht * v) << 2);
  memory.copy(slot(plan, MGAIN) + col, slot(plan, GAIN), <usize>ht << 2);
  memory.copy(slot(plan, MBIAS) + col, slot(plan, BIAS), <usize>ht << 2);
  memory.copy(slot(plan, MRMEAN) + col, slot(plan, RMEAN), <usize>ht << 2);
  memory.copy(slot(plan, MRSTD) + col, slot(plan, RSTD), <usize>ht << 2);
}

/**
 * Every slice into the mirror, between steps (the caller's thread, when JS reads the model): the
 * steps leave their results in the slices, so that no step pays for copies nobody reads. `plans`:
 * the threads' plan addresses (u32 each).
 */
export function threadedStepPublish(ctl: usize, plans: usize): void {
  const nt = load<i32>(ctl + NTHREADS);
  for (let t = 0; t < nt; t++) publish(planAt(plans, t));
}

/** out[n] = Σ_t parts[t·n + i] (t in order) */
function sumParts(out: usize, parts: usize, nt: i32, n: i32): void {
  const stride = <usize>n << 2;
  memory.copy(out, parts, stride);
  for (let t = 1; t < nt; t++) {
    const p = parts + <usize>t * stride;
    let i = 0;
    for (; i + 4 <= n; i += 4) { const q = <usize>i << 2; v128.store(out + q, f32x4.add(v128.load(out + q), v128.load(p + q))); }
    for (; i < n; i++) { const q = <usize>i << 2; store<f32>(out + q, load<f32>(out + q) + load<f32>(p + q)); }
  }
}

/** A slice's forward, up to its partial logits h_t·W2_t (what barrier 1 waits for). */
function forwardPart(ctl: usize, plan: usize): void {
  const b = num(plan, NB), v = num(plan, NV), f = num(plan, NK) * num(plan, NE);
  const t = num(plan, T), ht = num(plan, HT);
  if (load<i32>(ctl + RELOAD) != 0) reload(plan);
  const ws = slot(plan, WS), meta = slot(plan, META);
  const hpre = region(ws, HPRE, b, ht, v), bnOut = region(ws, BNOUT, b, ht, v), mean = region(ws, MEAN, b, ht, v), vr = region(ws, VAR, b, ht, v);
  const hid = region(ws, HID, b, ht, v);
  const b1 = slot(plan, B1);
  // hpre (b×ht) = emb·W1_t (+ b1_t), batch norm, tanh, h_t·W2_t
  matmul(hpre, slot(plan, EMB), slot(plan, W1), b, f, ht, false);
  if (b1 != 0) addRowBias(hpre, b1, b, ht, meta);
  batchNormTrain(bnOut, region(ws, XHAT, b, ht, v), mean, vr, region(ws, INV, b, ht, v), false, hpre, slot(plan, GAIN), slot(plan, BIAS), b, ht, 0, 1, load<f64>(ctl + EPS));
  updateRunning(slot(plan, RMEAN), slot(plan, RSTD), mean, vr, ht);
  unary(4, hid, bnOut, b * ht); // tanh
  matmul(slot(plan, PLOGITS) + <usize>(t * b * v) * 4, hid, slot(plan, W2), b, ht, v, false);
}

/**
 * After barrier 1: the loss from every slice's partial logits (each slice computes it alike), then
 * the slice's backward, its update and its partial dembcat (what barrier 2 waits for). False when
 * the loss is not finite or a target is out of range: nothing updated, as the one-thread step.
 */
function backwardPart(ctl: usize, plan: usize): bool {
  const b = num(plan, NB), v = num(plan, NV), f = num(plan, NK) * num(plan, NE);
  const t = num(plan, T), ht = num(plan, HT);
  const ws = slot(plan, WS), meta = slot(plan, META);
  nllScratchAt(meta + META_BYTES); // the loss's partial sums: static scratch would be shared by the threads
  const logits = region(ws, LOGITS, b, ht, v), probs = region(ws, PROBS, b, ht, v), dlogits = region(ws, DLOGITS, b, ht, v);
  const hid = region(ws, HID, b, ht, v), dh = region(ws, DH, b, ht, v), dhpreact = region(ws, DHPREACT, b, ht, v), dhpre = region(ws, DHPRE, b, ht, v);
  const yb = slot(plan, YB), emb = slot(plan, EMB), pack = slot(plan, PACK);
  sumParts(logits, slot(plan, PLOGITS), load<i32>(ctl + NTHREADS), b * v);
  addRowBias(logits, slot(plan, B2), b, v, meta);
  const loss = <f32>crossEntropyForward(probs, logits, yb, b, v);
  if (t == 0) store<f64>(ctl + LOSS, errIndex >= 0 ? <f64>(-1 - errIndex) : <f64>loss);
  if (errIndex >= 0 || !isFinite(loss)) return false;

  // backward on the slice, into zeroed gradients, and its update
  const w1 = slot(plan, W1), b1 = slot(plan, B1), w2 = slot(plan, W2), gain = slot(plan, GAIN), bias = slot(plan, BIAS);
  const gw1 = slot(plan, GW1), gb1 = slot(plan, GB1), gw2 = slot(plan, GW2), ggain = slot(plan, GGAIN), gbias = slot(plan, GBIAS);
  const eps = load<f64>(ctl + EPS), lr = load<f64>(ctl + LR);
  memory.fill(dlogits, 0, region(ws, WS_END, b, ht, v) - dlogits);
  crossEntropyBackward(dlogits, probs, yb, b, v, 1);
  matmulTransB(dh, dlogits, w2, b, ht, v, false, pack);
  matmulTransA(gw2, hid, dlogits, b, ht, v, false);
  tanhBackward(dhpreact, dh, hid, b * ht);
  memory.fill(ggain, 0, <usize>ht << 2);
  memory.fill(gbias, 0, <usize>ht << 2);
  batchNormBackward(dhpre, ggain, gbias, dhpreact, region(ws, XHAT, b, ht, v), region(ws, INV, b, ht, v), false, gain, b, ht, 1, eps);
  matmulTransA(gw1, emb, dhpre, b, f, ht, false);
  if (b1 != 0) sumAxis(gb1, dhpre, 1, b, ht, false);
  matmulTransB(slot(plan, PDEMB) + <usize>(t * b * f) * 4, dhpre, w1, b, f, ht, false, pack);
  if (t == 0) sumAxis(slot(plan, GB2), dlogits, 1, b, v, false); // thread 0's dlogits, before barrier 2
  sgdStep(w1, gw1, f * ht, lr);
  if (b1 != 0) sgdStep(b1, gb1, ht, lr);
  sgdStep(w2, gw2, ht * v, lr);
  sgdStep(gain, ggain, ht, lr);
  sgdStep(bias, gbias, ht, lr);
  return true;
}

/** One thread's share of a step, between the start barrier and barrier 2 (included). */
function part(ctl: usize, plan: usize): void {
  forwardPart(ctl, plan);
  barrier(ctl); // 1: every partial logits written
  backwardPart(ctl, plan);
  barrier(ctl); // 2: every partial dembcat written; every thread done with b2 and C
}

/** The minibatch's contexts, targets and embeddings (thread 0, before the start barrier); false on an index out of range. */
function gather(plan: usize): bool {
  const b = num(plan, NB), k = num(plan, NK), e = num(plan, NE), v = num(plan, NV);
  const xb = slot(plan, XB);
  gatherRows(xb, slot(plan, X), slot(plan, IX), b, k, num(plan, ROWS));
  if (errIndex >= 0) return false;
  gatherRows(slot(plan, YB), slot(plan, Y), slot(plan, IX), b, 1, num(plan, ROWS));
  if (errIndex >= 0) return false;
  gatherRows(slot(plan, EMB), slot(plan, C), xb, b * k, e, v);
  return errIndex < 0;
}

/** After barrier 2 (thread 0): dembcat summed over the slices, C's gradient, the C and b2 updates; returns the loss. */
function finish(ctl: usize, plan: usize): f64 {
  store<i32>(ctl + RELOAD, 0);
  const loss = load<f64>(ctl + LOSS);
  if (loss < 0 || !isFinite(loss)) return loss;
  const b = num(plan, NB), k = num(plan, NK), e = num(plan, NE), v = num(plan, NV);
  const demb = slot(plan, DEMB), gc = slot(plan, GC);
  sumParts(demb, slot(plan, PDEMB), load<i32>(ctl + NTHREADS), b * k * e);
  memory.fill(gc, 0, <usize>(v * e) << 2);
  scatterAddRows(gc, demb, slot(plan, XB), b * k, e, v);
  sgdStep(slot(plan, C), gc, v * e, load<f64>(ctl + LR));
  sgdStep(slot(plan, B2), slot(plan, GB2), v, load<f64>(ctl + LR));
  return loss;
}

/**
 * Thread 0's step (the caller's thread): gathers the minibatch, starts the other threads, does its
 * part, then the embedding's gradient and the C and b2 updates. Returns the loss, or −1 − i when
 * index i of a gather or target i is out of range (nothing updated).
 */
export function threadedStepMain(ctl: usize, plan: usize): f64 {
  if (!gather(plan)) return <f64>(-1 - errIndex);
  barrier(ctl); // start
  part(ctl, plan);
  return finish(ctl, plan);
}

/**
 * The same step with every slice on the caller's thread, in thread order (the other threads stay
 * parked at the start barrier): the same numbers as threadedStepMain, for when the other cores are
 * busy with other work and a barrier would wait for a thread that is off the CPU. `plans`: the
 * threads' plan addresses (u32 each).
 */
export function threadedStepSolo(ctl: usize, plans: usize): f64 {
  const nt = load<i32>(ctl + NTHREADS);
  const plan0 = planAt(plans, 0);
  if (!gather(plan0)) return <f64>(-1 - errIndex);
  for (let t = 0; t < nt; t++) forwardPart(ctl, planAt(plans, t));
  for (let t = 0; t < nt; t++) if (!backwardPart(ctl, planAt(plans, t))) break;
  return finish(ctl, plan0);
}

/** A worker thread's loop: one part per step until the quit flag is set. */
export function threadedStepWorker(ctl: usize, plan: usize): void {
  while (true) {
    barrier(ctl); // start
    if (atomic.load<i32>(ctl + QUIT) != 0) return;
    part(ctl, plan);
  }
}

/** Releases the worker threads from their loop (they return from threadedStepWorker). */
export function threadedStepQuit(ctl: usize): void {
  atomic.store<i32>(ctl + QUIT, 1);
  barrier(ctl);
}
