// makemore.py's Bigram: a table of next-character logits for each character, `logits` (V × V),
// initialised to zeros (nn.Parameter(torch.zeros((n, n)))); forward is a row lookup.
import { zeros, index, lookupCrossEntropy, type Tensor } from '../../tensor/index.js';
import type { ModelConfig } from '../config.js';
import { SequenceModel, defineSequenceKind } from './sequence.js';

export class Bigram extends SequenceModel {
  /** (vocab × vocab): row i holds the logits of the character after i. */
  readonly logits: Tensor;
  constructor(config: ModelConfig) {
    super(config);
    this.logits = this.registerParameter('logits', zeros([config.vocabSize, config.vocabSize]));
  }
  /** idx (B, T) → logits (B, T, V) = logits[idx]. */
  forward(idx: Tensor): Tensor {
    return index(this.logits, idx);
  }
  /**
   * The training loss F.cross_entropy(logits[idx], targets, ignore_index=−1) with its numbers,
   * each table row's log-softmax taken once instead of once per position (32 × 16 → 27 rows).
   */
  fusedLoss(idx: Tensor, targets: Tensor): Tensor {
    return lookupCrossEntropy(this.logits, idx, targets, { ignoreIndex: -1 });
  }
}

export const bigramKind = defineSequenceKind({
  arch: 'bigram',
  description: "makemore.py's bigram: a table of next-character logits (vocab × vocab)",
  // No random draws: makemore.py's Bigram starts at zeros.
  create: (config) => new Bigram(config),
});
