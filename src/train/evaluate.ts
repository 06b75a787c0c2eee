// Evaluation: the mean cross-entropy over a whole split in eval mode (running statistics),
// computed in chunks so memory stays bounded for any split size; in one piece for a model that
// normalises with the batch's own statistics (bnEval "batch": the seed's cell 9).
import { datasetRows, type Dataset } from '../data/index.js';
import { modelKind, type LanguageModel } from '../model/index.js';
import { crossEntropyRows, nllLossMean, noGrad, Tensor, tidy } from '../tensor/index.js';

/**
 * The bytes the activations of one chunk of evaluation may take: small enough that a layer's
 * output is still in cache when the next layer reads it (the 5×100 network's val split took 0.17 s
 * in 8,192-row chunks of 69 MB, 0.13 s in chunks of 16 MiB; smaller chunks paid more per call).
 */
export const EVAL_CHUNK_BYTES = 16 * 2 ** 20;

/**
 * Rows per evaluation chunk: 8,192, or fewer when a row's activations are wide (5 layers of 100
 * take about 2,000; --hidden 20000 or a 100k-character vocabulary fewer), so that a chunk stays
 * within EVAL_CHUNK_BYTES.
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

/**
 * The chunks of `rows` rows: [start, end) of `chunk` rows each, the last one ending at `rows` and
 * overlapping the one before it by `skip` rows, whose losses it recomputes and drops. So every
 * chunk of every split has one size: the storage pools (tensor/storage.ts, kept by exact size)
 * hand the same blocks back, where a split's shorter last chunk took fresh memory (pages touched
 * for the first time: the first pass over the 5×100 network's val split took 0.28 s, the next
 * 0.14 s) and kept it.
 */
export function evalChunks(rows: number, chunk: number): { start: number; end: number; skip: number }[] {
  const out: { start: number; end: number; skip: number }[] = [];
  for (let s = 0; s < rows; s += chunk) {
    const start = Math.max(0, Math.min(s, rows - chunk));
    out.push({ start, end: Math.min(rows, start + chunk), skip: s - start });
  }
  return out;
}

/** Each row's loss, chunk by chunk. */
function rowLosses(model: LanguageModel, data: Dataset, chunk: number): RowLosses {
  const rows = data.Y.shape[0];
  let nll: Float32Array | Float64Array | null = null;
  for (const { start, end, skip } of evalChunks(rows, chunk)) {
    const { X, Y } = datasetRows(data, start, end);
    tidy(() => {
      const r = crossEntropyRows(model.forward(X), Y).floatData;
      nll ??= r instanceof Float32Array ? new Float32Array(rows) : new Float64Array(rows);
      nll.set(r.subarray(skip), start + skip);
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
  for (const { start, end, skip } of evalChunks(rows, chunk)) {
    const { X, Y } = datasetRows(data, start, end);
    // the padding's targets become 0 for the per-row kernel; `kept` leaves them out of the mean
    const y = Int32Array.from(Y.intData, (t, i) => { kept[start * perRow + i] = t === -1 ? 0 : 1; return t === -1 ? 0 : t; });
    tidy(() => {
      const logits = model.forward(X);
      const V = logits.shape[logits.ndim - 1];
      const r = crossEntropyRows(logits.reshape(-1, V), new Tensor(y, [y.length], 'int32')).floatData;
      nll ??= r instanceof Float32Array ? new Float32Array(positions) : new Float64Array(positions);
      nll.set(r.subarray(skip * perRow), (start + skip) * perRow);
    });
  }
  return { nll: nll!, kept };
}
