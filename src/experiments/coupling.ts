// Batch coupling in numbers (the seed's "easy to shoot yourself in the foot"): does an example's
// output depend on the other examples of its batch? For a trained model, on rows drawn from a
// split as training draws its minibatches:
//   logit shift   max |Δ logit| of row 0 of a batch when its other B − 1 rows are replaced by
//                 other examples; both batches have B rows (on wasm a batch under 8 rows sums
//                 its matmul in another order than one of 8 or more, so sizes must match)
//   train / eval  the mean loss in train mode (batches of B, batch statistics) and in eval mode
//   single        the loss of each example alone, in eval mode and (where a norm allows one row:
//                 not batch norm, whose batch std of one row is undefined) in train mode
// Train-mode forwards update a batch norm's running statistics: they are restored afterwards.
import type { Dataset } from '../data/index.js';
import type { LanguageModel } from '../model/index.js';
import { Generator } from '../random/index.js';
import { Tensor, crossEntropy, index, noGrad, randint, tidy } from '../tensor/index.js';
import { splitLoss } from '../train/index.js';

export interface CouplingOptions {
  /** Rows per batch (train mode). */
  batchSize: number;
  /** Examples drawn from the split (rounded down to a multiple of batchSize). */
  examples: number;
  /** Seed of the generator that draws the examples. */
  seed?: number;
}

export interface CouplingResult {
  batchSize: number;
  examples: number;
  /** Largest |Δ logit| of an example when the rest of its batch is replaced (0: no coupling). */
  maxLogitShift: number;
  /** Mean over the probed examples of their largest |Δ logit|. */
  meanLogitShift: number;
  trainModeLoss: number;
  evalModeLoss: number;
  /** Eval mode, one example per forward. */
  singleEvalLoss: number;
  /** Train mode, one example per forward; null for batch norm (no statistics of one row). */
  singleTrainLoss: number | null;
}

/** Whether the model normalises with batch statistics in train mode (it has batch-norm sites). */
export function usesBatchStatistics(model: LanguageModel): boolean {
  return model.batchNormSites().length > 0;
}

function rows(d: Dataset, from: number, to: number): Dataset {
  const b = d.X.shape[1];
  return {
    X: new Tensor(d.X.intData.subarray(from * b, to * b), [to - from, b], 'int32'),
    Y: new Tensor(d.Y.intData.subarray(from, to), [to - from], 'int32'),
  };
}

function concatRows(a: Dataset, b: Dataset): Dataset {
  const w = a.X.shape[1], n = a.Y.numel + b.Y.numel;
  const X = new Int32Array(n * w), Y = new Int32Array(n);
  X.set(a.X.intData); X.set(b.X.intData, a.X.intData.length);
  Y.set(a.Y.intData); Y.set(b.Y.intData, a.Y.intData.length);
  return { X: new Tensor(X, [n, w], 'int32'), Y: new Tensor(Y, [n], 'int32') };
}

/** Mean cross-entropy of `d` in the model's current mode, `chunk` rows per forward. */
function chunkedLoss(model: LanguageModel, d: Dataset, chunk: number): number {
  const n = d.Y.numel;
  let total = 0;
  for (let s = 0; s + chunk <= n; s += chunk) {
    const part = rows(d, s, s + chunk);
    total += tidy(() => crossEntropy(model.forward(part.X), part.Y).item()) * chunk;
  }
  return total / n;
}

export function measureCoupling(model: LanguageModel, split: Dataset, o: CouplingOptions): CouplingResult {
  const B = o.batchSize;
  if (!Number.isInteger(B) || B < 2) throw new Error(`coupling needs a batch size of at least 2, got ${B}`);
  const m = Math.floor(o.examples / B) * B;
  if (m < 2 * B) throw new Error(`coupling needs at least ${2 * B} examples for batch size ${B}, got ${o.examples}`);
  const g = new Generator(o.seed ?? 1);
  // Drawn as training draws minibatches: uniformly with replacement.
  // Copied out of the kernels' heap: views into it are detached when it grows.
  const d: Dataset = tidy(() => {
    const ix = randint(0, split.Y.numel, [m], { generator: g });
    const X = index(split.X, ix), Y = index(split.Y, ix);
    return { X: new Tensor(X.intData.slice(), X.shape, 'int32'), Y: new Tensor(Y.intData.slice(), Y.shape, 'int32') };
  });
  const saved = model.buffers().map((t) => Array.from(t.data)); // running statistics, step counts
  const wasTraining = model.training;
  try {
    return noGrad(() => {
      model.train();
      // Batch k: rows [kB, kB + B). Its row 0 again, with the other B − 1 rows of batch k + 1.
      let maxShift = 0, sumShift = 0, probes = 0;
      for (let s = 0; s + 2 * B <= m; s += 2 * B) {
        const a = rows(d, s, s + B);
        const b = concatRows(rows(d, s, s + 1), rows(d, s + B + 1, s + 2 * B));
        const shift = tidy(() => {
          const la = model.forward(a.X).floatData.slice(); // a copy: the next forward may grow the heap
          const lb = model.forward(b.X).floatData;
          const V = la.length / B;
          let worst = 0;
          for (let j = 0; j < V; j++) worst = Math.max(worst, Math.abs(la[j] - lb[j]));
          return worst;
        });
        maxShift = Math.max(maxShift, shift);
        sumShift += shift;
        probes++;
      }
      const trainModeLoss = chunkedLoss(model, d, B);
      const singleTrainLoss = usesBatchStatistics(model) ? null : chunkedLoss(model, d, 1);
      model.eval();
      const singleEvalLoss = chunkedLoss(model, d, 1);
      return {
        batchSize: B, examples: m, maxLogitShift: maxShift, meanLogitShift: sumShift / probes,
        trainModeLoss, evalModeLoss: splitLoss(model, d), singleEvalLoss, singleTrainLoss,
      };
    });
  } finally {
    model.buffers().forEach((t, i) => { const d = t.data; for (let k = 0; k < d.length; k++) d[k] = saved[i][k]; });
    model.train(wasTraining);
  }
}
