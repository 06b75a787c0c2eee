// Evaluation: the mean cross-entropy over a whole split in eval mode (running statistics),
// computed in chunks so memory stays bounded for any split size; in one piece for a model that
// normalises with the batch's own statistics (bnEval "batch": the seed's cell 9).
import type { Dataset } from '../data/index.js';
import { modelKind, type LanguageModel } from '../model/index.js';
import { Tensor, crossEntropy, noGrad, tidy } from '../tensor/index.js';

/** The bytes the activations of one chunk of evaluation may take (the wasm heap is 4 GiB). */
export const EVAL_CHUNK_BYTES = 256 * 2 ** 20;

/**
 * Rows per evaluation chunk: 8,192, or fewer when a row's activations are wide (--hidden 20000,
 * a 100k-character vocabulary), so that a chunk stays within EVAL_CHUNK_BYTES.
 */
export function evalChunkRows(model: LanguageModel): number {
  const { blockSize: B, embedDim: E, hidden: H, layers: L, vocabSize: V } = model.config;
  // float32: embedding, every hidden layer's pre-activation, normalized and tanh outputs, logits and probabilities
  const rowBytes = 4 * (B * E + 4 * L * H + 3 * V);
  return Math.max(1, Math.min(8192, Math.floor(EVAL_CHUNK_BYTES / rowBytes)));
}

export function splitLoss(model: LanguageModel, data: Dataset, chunk = evalChunkRows(model)): number {
  const n = data.Y.numel;
  if (n === 0) return Number.NaN;
  const block = data.X.shape[1];
  if (modelKind(model.config).wholeSplitEval?.(model.config) === true) chunk = n;
  const wasTraining = model.training;
  model.eval();
  try {
    // The same numbers in one kernel call per chunk, unless a hook must see the forward pass.
    if (!model.hasHooks()) {
      const fused = model.fusedEval?.(data.X, data.Y, chunk) ?? null;
      if (fused !== null) return fused;
    }
    return noGrad(() => {
      let total = 0;
      for (let s = 0; s < n; s += chunk) {
        const e = Math.min(n, s + chunk);
        const X = new Tensor(data.X.i.subarray(s * block, e * block), [e - s, block], 'int32');
        const Y = new Tensor(data.Y.i.subarray(s, e), [e - s], 'int32');
        total += tidy(() => crossEntropy(model.forward(X), Y).item()) * (e - s);
      }
      return total / n;
    });
  } finally {
    model.train(wasTraining);
  }
}
