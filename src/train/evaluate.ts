// Evaluation: the mean cross-entropy over a whole split in eval mode (running statistics),
// computed in chunks so memory stays bounded for any split size; in one piece for a model that
// normalises with the batch's own statistics (bnEval "batch": the seed's cell 9).
import type { Dataset } from '../data/index.js';
import type { LanguageModel } from '../model/index.js';
import { Tensor, crossEntropy, noGrad, tidy } from '../tensor/index.js';

export function splitLoss(model: LanguageModel, data: Dataset, chunk = 8192): number {
  const n = data.Y.numel;
  if (n === 0) return Number.NaN;
  const block = data.X.shape[1];
  if (model.config.bnEval === 'batch' && model.config.norm === 'notebook') chunk = n;
  const wasTraining = model.training;
  model.eval();
  try {
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
