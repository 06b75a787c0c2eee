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

/** The losses a split's mean is taken over: each row's, or each position's for makemore.py's family, `kept` marking the non-padding ones. */
export interface RowLosses {
  nll: Float32Array | Float64Array;
  /** The positions that count (null: every row counts). */
  kept: Uint8Array | null;
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
  if (wholeSplit(model)) chunk = n;
  return meanLoss(splitRowLosses(model, data, 0, n, chunk));
}

/** Whether the model must see the whole split at once (batch statistics in eval mode: the seed's cell 9). */
export function wholeSplit(model: LanguageModel): boolean {
  return modelKind(model.config).wholeSplitEval?.(model.config) === true;
}

/**
 * F.cross_entropy's mean over the losses of a split as one call over it computes it: nll_loss's
 * mean reduction (float32 cascade, as PyTorch adds them) over every row, or the kept positions.
 */
export function meanLoss(r: RowLosses): number {
  return nllLossMean(r.nll, r.kept);
}

/**
 * The eval-mode losses of rows [start, end) of a split, chunk by chunk: each row's, as
 * F.cross_entropy(…, reduction='none') over the whole split gives it, whatever the chunks (so a
 * split's rows can be evaluated in pieces, on several threads, with the same numbers).
 */
export function splitRowLosses(model: LanguageModel, data: Dataset, start = 0, end = data.Y.shape[0], chunk = evalChunkRows(model)): RowLosses {
  const part = start === 0 && end === data.Y.shape[0] ? data : datasetRows(data, start, end);
  const wasTraining = model.training;
  model.eval();
  try {
    // The same numbers in one kernel call per chunk, unless a hook must see the forward pass.
    if (!model.hasHooks()) {
      const fused = model.fusedEvalRows?.(part.X, part.Y, chunk) ?? null;
      if (fused !== null) return { nll: fused, kept: null };
    }
    return noGrad(() => (model.output === 'sequence' ? tokenLosses(model, part, chunk) : rowLosses(model, part, chunk)));
  } finally {
    model.train(wasTraining);
  }
}

/** Each row's loss, chunk by chunk. */
function rowLosses(model: LanguageModel, data: Dataset, chunk: number): RowLosses {
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
  return { nll: nll!, kept: null };
}

/**
 * makemore.py's family: each position's loss, chunk by chunk, `kept` marking all but the −1
 * padding (F.cross_entropy(logits.view(-1, V), Y.view(-1), ignore_index=-1) leaves it out).
 */
function tokenLosses(model: LanguageModel, data: Dataset, chunk: number): RowLosses {
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
  return { nll: nll!, kept };
}
