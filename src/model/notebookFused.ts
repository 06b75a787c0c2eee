// The notebook model's training step as one WebAssembly call (assembly/fusedStep.ts): the same
// kernels in the same order as the op-by-op path (forward ops, autograd's backward, SGD), so the
// same numbers bit for bit, without the JS↔wasm crossings and the autograd bookkeeping.
// Available with the wasm backend only; the trainer uses it when nothing needs the step's tensors.
import { kernels, type WasmBackend } from '../kernels/index.js';
import type { Tensor } from '../tensor/index.js';
import { gradOf } from '../tensor/autograd.js';
import { MakemoreError } from '../errors.js';
import type { NotebookMLP } from './kinds/notebook.js';

/** One SGD step on the minibatch X[ix], Y[ix]; see NotebookMLP.fusedTrainStep. */
export interface FusedTrainStep {
  /**
   * Runs the step and returns its loss (float32). A non-finite loss leaves the parameters as
   * they were (the running statistics are updated, as the op-by-op forward does).
   */
  step(ix: Tensor, lr: number): number;
  /** The contexts of the last step's minibatch (batch × block), a view valid until the next step. */
  lastContexts(): Int32Array;
}

// plan slots, as in assembly/fusedStep.ts
const PLAN_SLOTS = 23;

type WasmFn = (...args: number[]) => number;

/** The model's parameters (C, W1, b1, W2, b2, bngain, bnbias) and running statistics, in plan order. */
function notebookTensors(model: NotebookMLP): { params: (Tensor | null)[]; buffers: Tensor[] } {
  return { params: [model.C, model.W1, model.b1, model.W2, model.b2, model.bngain, model.bnbias], buffers: [model.bnmeanRunning, model.bnstdRunning] };
}

/**
 * The wasm backend and its exports `names`, where the backend is wasm, the module has them and
 * every tensor given lives in its memory; else null (the caller takes the op-by-op path).
 */
function fusedKernels(tensors: readonly (Tensor | null)[], names: readonly string[]): { wasm: WasmBackend; fns: WasmFn[] } | null {
  const k = kernels();
  if (k.name !== 'wasm') return null;
  const wasm = k as WasmBackend;
  const fns = names.map((n) => wasm.exportFn(n));
  if (fns.some((f) => f === undefined)) return null;
  if (!tensors.every((t) => t === null || wasm.isWasm(t.data))) return null;
  return { wasm, fns: fns as WasmFn[] };
}

/** A tensor's byte address in wasm memory (0 for an absent one), read when the plan is written (memory growth moves views). */
function addressOf(wasm: WasmBackend, t: Tensor | null): number {
  if (t === null) return 0;
  const a = t.data;
  if (!wasm.isWasm(a)) throw new Error('fused step: a tensor is not in wasm memory');
  return a.byteOffset;
}

/**
 * The fused step for `model` at `batchSize` on the examples (X, Y), or null where it does not
 * apply: the JS backend, a batch of one, a tensor outside wasm memory.
 */
export function notebookFusedStep(model: NotebookMLP, batchSize: number, X: Tensor, Y: Tensor): FusedTrainStep | null {
  if (batchSize < 2) return null;
  const { params, buffers } = notebookTensors(model);
  const found = fusedKernels([...params, ...buffers], ['fusedNotebookStep', 'fusedNotebookWorkspace']);
  if (found === null) return null;
  const { wasm, fns: [run, size] } = found;
  const { blockSize: K, embedDim: E, hidden: H, vocabSize: V } = model.config;
  if (X.dtype !== 'int32' || Y.dtype !== 'int32' || X.numel !== Y.numel * K) return null;
  const grads = params.map((p) => (p === null ? null : gradOf(p)));
  const heap = wasm.heap;
  // The examples, in wasm memory once (a dataset's tensors are on the JS heap; they never change)
  const inWasm = (a: Int32Array): number => {
    const at = heap.allocBytes(4 * Math.max(a.length, 1));
    new Int32Array(heap.buffer, at, a.length).set(a);
    return at;
  };
  const xAt = inWasm(X.intData), yAt = inWasm(Y.intData);
  const ixAt = heap.allocBytes(4 * batchSize); // each step's row indexes are copied here
  const ws = heap.allocBytes(4 * size(batchSize, K, E, H, V));
  const meta = heap.allocBytes(64); // binary's shape, strides and odometer for 2 dimensions
  const pack = heap.allocBytes(4 * Math.max(H * V, K * E * H)); // matmulTransB's transposed b
  const plan = heap.allocBytes(4 * PLAN_SLOTS);
  const addr = (t: Tensor | null): number => addressOf(wasm, t);
  const fused: FusedTrainStep = {
    step(ix: Tensor, lr: number): number {
      const p = new Uint32Array(heap.buffer, plan, PLAN_SLOTS);
      new Int32Array(heap.buffer, ixAt, batchSize).set(ix.intData);
      p.set([xAt, yAt, ixAt, Y.numel, ...params.map(addr), ...buffers.map(addr), ...grads.map(addr), ws, meta, pack]);
      if (ix.numel !== batchSize || ix.dtype !== 'int32') throw new RangeError(`fused step: built for batches of ${batchSize}, got ${ix.numel}`);
      const loss = run(plan, batchSize, K, E, H, V, model.config.bnEps ?? 0, lr);
      // losses are ≥ 0: a negative result is −1 − the position of an index out of range
      if (loss < 0) throw new MakemoreError(`training data: index at position ${-1 - loss} of a minibatch gather is out of range (a context or target outside the vocabulary)`);
      for (const t of [...params, ...buffers]) t?.storage.bumpVersion(); // written in place
      return loss;
    },
    lastContexts(): Int32Array { return new Int32Array(heap.buffer, ws, batchSize * K); },
  };
  released.register(fused, { heap, blocks: [ws, meta, pack, plan, xAt, yAt, ixAt] });
  return fused;
}

/** The wasm blocks of a fused step go back to the heap when the step object is collected. */
const released = new FinalizationRegistry<{ heap: WasmBackend['heap']; blocks: number[] }>(({ heap, blocks }) => {
  for (const b of blocks) heap.freeBytesAt(b);
});

// plan slots of fusedNotebookEval, as in assembly/fusedStep.ts
const EVAL_PLAN_SLOTS = 14;

/**
 * The notebook model's eval-mode loss of each example of (X, Y) in one wasm call per chunk of
 * `chunkRows` rows (the kernel works through a chunk in cache-sized blocks), as splitRowLosses
 * computes them op by op, bit for bit. Null where it does not apply: the JS backend,
 * batch-statistics evaluation, a parameter outside wasm memory.
 */
export function notebookFusedEvalRows(model: NotebookMLP, X: Tensor, Y: Tensor, chunkRows: number): Float32Array | null {
  if (model.config.bnEval === 'batch') return null;
  const { params, buffers } = notebookTensors(model);
  const tensors = [...params, ...buffers];
  const found = fusedKernels(tensors, ['fusedNotebookEval', 'fusedNotebookEvalWorkspace']);
  if (found === null) return null;
  const { wasm, fns: [run, size] } = found;
  const { blockSize: K, embedDim: E, hidden: H, vocabSize: V } = model.config;
  const n = Y.numel;
  if (X.dtype !== 'int32' || Y.dtype !== 'int32' || X.numel !== n * K || n === 0) return null;
  const heap = wasm.heap;
  const chunk = Math.max(1, Math.min(chunkRows, n));
  const xAt = heap.allocBytes(4 * chunk * K), yAt = heap.allocBytes(4 * chunk);
  const ws = heap.allocBytes(4 * size(K, E, H, V));
  const meta = heap.allocBytes(64);
  const plan = heap.allocBytes(4 * EVAL_PLAN_SLOTS);
  const nllAt = heap.allocBytes(4 * chunk);
  try {
    const xs = X.intData, ys = Y.intData;
    new Uint32Array(heap.buffer, plan, EVAL_PLAN_SLOTS).set([xAt, yAt, ...tensors.map((t) => addressOf(wasm, t)), ws, meta, nllAt]);
    const nll = new Float32Array(n);
    for (let s = 0; s < n; s += chunk) {
      const e = Math.min(n, s + chunk);
      new Int32Array(heap.buffer, xAt, (e - s) * K).set(xs.subarray(s * K, e * K));
      new Int32Array(heap.buffer, yAt, e - s).set(ys.subarray(s, e));
      const status = run(plan, e - s, K, E, H, V);
      if (status < 0) {
        const at = -1 - status;
        throw new MakemoreError(at < e - s
          ? `evaluation data: target ${s + at} is out of range for a vocabulary of ${V} characters`
          : `evaluation data: context index ${s * K + at - (e - s)} is out of range for a vocabulary of ${V} characters`);
      }
      nll.set(new Float32Array(heap.buffer, nllAt, e - s), s);
    }
    return nll;
  } finally {
    for (const b of [xAt, yAt, ws, meta, plan, nllAt]) heap.freeBytesAt(b);
  }
}
