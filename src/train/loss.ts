// The training loss of a model's output: cross-entropy per context row, or, for makemore.py's
// family (output "sequence"), over every position of (B, T, V) with the padding's −1 targets ignored.
import type { LanguageModel } from '../model/index.js';
import { crossEntropy, type Tensor } from '../tensor/index.js';

/** The mean loss of `logits` (n × V, or n × T × V) against `Y` (n, or n × T). */
export function modelLoss(model: LanguageModel, logits: Tensor, Y: Tensor): Tensor {
  if (model.output !== 'sequence') return crossEntropy(logits, Y);
  const V = logits.shape[logits.ndim - 1];
  // makemore.py: F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1)
  return crossEntropy(logits.reshape(-1, V), Y.reshape(-1), { ignoreIndex: -1 });
}

/**
 * The training loss of inputs X against Y: modelLoss(forward(X), Y), or the model's fused loss
 * (the same numbers) unless a hook must see forward().
 */
export function trainingLoss(model: LanguageModel, X: Tensor, Y: Tensor): Tensor {
  if (model.fusedLoss !== undefined && !model.hasHooks()) return model.fusedLoss(X, Y);
  return modelLoss(model, model.forward(X), Y);
}

/** How many targets a loss over Y averages: its rows, or its positions other than −1. */
export function countedTargets(model: LanguageModel, Y: Tensor): number {
  if (model.output !== 'sequence') return Y.shape[0];
  let n = 0;
  for (const y of Y.intData) if (y !== -1) n++;
  return n;
}
