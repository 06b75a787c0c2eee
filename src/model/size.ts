// The weight count of the MLP kinds' matrices (embedding, hidden layers, output), for sanity
// checks before allocating: a file or a run claiming a model this large must hold this many values.
import type { ModelConfig } from './config.js';

export function mlpWeights(c: ModelConfig): number {
  return c.vocabSize * c.embedDim + c.blockSize * c.embedDim * c.hidden + (c.layers - 1) * c.hidden * c.hidden + c.hidden * c.vocabSize;
}
