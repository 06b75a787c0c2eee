// Evaluation: the mean cross-entropy over a whole split in eval mode (running statistics),
// computed in chunks so memory stays bounded for any split size; in one piece for a model that
// normalises with the batch's own statistics (bnEval "batch": the seed's cell 9).
import { datasetRows, type Dataset } from '../data/index.js';
import { modelKind, type LanguageModel } from '../model/index.js';
import { crossEntropyRows, nllLossMean, noGrad, Tensor, tidy } from '../tensor/index.js';

/** The bytes the activations of one chunk of evaluation may take (the wasm heap is 4 GiB). */
export const EVAL_CHUNK_BYTES = 256 * 2 ** 20;

/**
 * Rows per evaluation chunk: 8,192, or fewer when a row's activations are wide (--hidden 20000,
 * a 100k-character vocabulary), so that a chunk stays within EVAL_CHUNK_BYTES.
 */
export function evalChunkRows(model: LanguageModel): number {
  const { blockSize: B, embedDim: E, hidden: H, layers: L, vocabSize: V } = model.config;
  // float32: embedding, every hidden layer's pre-activation, normalized and tanh outputs, logits and probabilities
  const contextBytes = 4 * (B * E + 4 * L * H + 3 * V);
  // makemore.py's family: a row is a padded word, T = B positions, each about a context's worth
  // (the MLP embeds B characters at each; attention adds T per head)
  const rowBytes = model.output === 'sequence' ? B * (contextBytes + 4 * B * (model.config.heads ?? 1) * L) : contextBytes;
  return Math.max(1, Math.min(8192, Math.floor(EVAL_CHUNK_BYTES / rowBytes)));
}

/**
 * The mean loss over a split in eval mode: per row (context models), or per target position for
 * makemore.py's family (output "sequence": every position but the −1 padding counts once). makemore.py's
 * own `evaluate` averages the means of (up to 11 shuffled) batches of 100 words instead, which weighs
 * a short word's positions more: tools/makemore_reference.py reports both.
 */
export function splitLoss(model: LanguageModel, data: Dataset, chunk = evalChunkRows(model)): number {
  const n = data.Y.shape[0];
  if (n === 0) return Number.NaN;
  if (modelKind(model.config).wholeSplitEval?.(model.config) === true) chunk = n;
  const wasTraining = model.training;
  model.eval();
  try {
    // The same numbers in one kernel call per chunk, unless a hook must see the forward pass.
    if (!model.hasHooks()) {
      const fused = model.fusedEval?.(data.X, data.Y, chunk) ?? null;
      if (fused !== null) return fused;
    }
    return noGrad(() => (model.output === 'sequence' ? tokenLoss(model, data, chunk) : rowLoss(model, data, chunk)));
  } finally {
    model.train(wasTraining);
  }
}

/**
 * F.cross_entropy over the whole split as one call computes it: each row's loss, chunk by chunk,
 * then nll_loss's mean reduction over all of them (float32 cascade, as PyTorch adds them).
 */
function rowLoss(model: LanguageModel, data: Dataset, chunk: number): number {
  const rows = data.Y.shape[0];
  let nll: Float32Array | Float64Array | null = null;
  for (let s = 0; s < rows; s += chunk) {
    const e = Math.min(rows, s + chunk);
    const { X, Y } = datasetRows(data, s, e);
    tidy(() => {
      const r = crossEntropyRows(model.forward(X), Y).floatData;
      nll ??= r instanceof Float32Array ? new Float32Array(rows) : new Float64Array(rows);
      nll.set(r, s);
    });
  }
  return nllLossMean(nll!);
}

/**
 * makemore.py's family: the mean over every target position but the −1 padding, as one
 * F.cross_entropy(logits.view(-1, V), Y.view(-1), ignore_index=-1) over the whole split adds it:
 * each position's loss, chunk by chunk, then nll_loss's mean over the kept ones.
 */
function tokenLoss(model: LanguageModel, data: Dataset, chunk: number): number {
  const rows = data.Y.shape[0];
  const positions = data.Y.numel;
  const perRow = positions / rows;
  let nll: Float32Array | Float64Array | null = null;
  const kept = new Uint8Array(positions);
  for (let s = 0; s < rows; s += chunk) {
    const e = Math.min(rows, s + chunk);
    const { X, Y } = datasetRows(data, s, e);
    // the padding's targets become 0 for the per-row kernel; `kept` leaves them out of the mean
    const y = Int32Array.from(Y.intData, (t, i) => { kept[s * perRow + i] = t === -1 ? 0 : 1; return t === -1 ? 0 : t; });
    tidy(() => {
      const logits = model.forward(X);
      const V = logits.shape[logits.ndim - 1];
      const r = crossEntropyRows(logits.reshape(-1, V), new Tensor(y, [y.length], 'int32')).floatData;
      nll ??= r instanceof Float32Array ? new Float32Array(positions) : new Float64Array(positions);
      nll.set(r, s * perRow);
    });
  }
  return nllLossMean(nll!, kept);
}
