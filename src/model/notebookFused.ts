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

/**
 * The fused step for `model` at `batchSize` on the examples (X, Y), or null where it does not
 * apply: the JS backend, a batch of one, a tensor outside wasm memory.
 */
export function notebookFusedStep(model: NotebookMLP, batchSize: number, X: Tensor, Y: Tensor): FusedTrainStep | null {
  const k = kernels();
  if (k.name !== 'wasm') return null;
  const wasm = k as WasmBackend;
  const run = wasm.exportFn('fusedNotebookStep');
  const size = wasm.exportFn('fusedNotebookWorkspace');
  if (run === undefined || size === undefined || batchSize < 2) return null;
  const { blockSize: K, embedDim: E, hidden: H, vocabSize: V } = model.config;
  const params = [model.C, model.W1, model.b1, model.W2, model.b2, model.bngain, model.bnbias];
  const buffers = [model.bnmeanRunning, model.bnstdRunning];
  if (![...params, ...buffers].every((t) => t === null || wasm.isWasm(t.data))) return null;
  if (X.dtype !== 'int32' || Y.dtype !== 'int32' || X.numel !== Y.numel * K) return null;
  const grads = params.map((p) => (p === null ? null : gradOf(p)));
  const heap = wasm.heap;
  // The examples, in wasm memory once (a dataset's tensors are on the JS heap; they never change)
  const inWasm = (a: Int32Array): number => {
    const at = heap.allocBytes(4 * Math.max(a.length, 1));
    new Int32Array(heap.buffer, at, a.length).set(a);
    return at;
  };
  const xAt = inWasm(X.i), yAt = inWasm(Y.i);
  const ixAt = heap.allocBytes(4 * batchSize); // each step's row indexes are copied here
  const ws = heap.allocBytes(4 * size(batchSize, K, E, H, V));
  const meta = heap.allocBytes(64); // binary's shape, strides and odometer for 2 dimensions
  const pack = heap.allocBytes(4 * Math.max(H * V, K * E * H)); // matmulTransB's transposed b
  const plan = heap.allocBytes(4 * PLAN_SLOTS);
  const addr = (t: Tensor | null): number => {
    if (t === null) return 0;
    const a = t.data;
    if (!wasm.isWasm(a)) throw new Error('fused step: a tensor is not in wasm memory');
    return a.byteOffset;
  };
  const fused: FusedTrainStep = {
    step(ix: Tensor, lr: number): number {
      const p = new Uint32Array(heap.buffer, plan, PLAN_SLOTS);
      new Int32Array(heap.buffer, ixAt, batchSize).set(ix.i);
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
