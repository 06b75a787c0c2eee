// makemore.py's MLP (Bengio et al. 2003) over makemore.py's padded words: at every position t the
// embeddings of the characters t, t−1, …, t−blockSize+1 (a <BLANK> token, index vocabSize, before
// the word's start), concatenated, then Linear → Tanh → Linear. Parameters as makemore.py's:
// wte.weight ((vocab + 1) × n_embd), mlp.0 (n_embd2 × blockSize·n_embd), mlp.2 (vocab × n_embd2).
import { Embedding, Linear, Sequential, Tanh } from '../../nn/index.js';
import type { Generator } from '../../random/index.js';
import { Storage, Tensor } from '../../tensor/index.js';
import type { ModelConfig } from '../config.js';
import { SequenceModel, defineSequenceKind } from './sequence.js';

/**
 * The token at t − k for every position t and k < block (B, T, block), `blank` before position 0:
 * what makemore.py's loop of torch.roll(idx, 1, 1) with idx[:, 0] = <BLANK> feeds its embedding.
 * Integer bookkeeping on the input (no gradient), so a plain loop.
 */
export function shiftedContexts(idx: Tensor, block: number, blank: number): Tensor {
  const [B, T] = idx.shape;
  const t3 = new Tensor(Storage.alloc('int32', B * T * block, false), [B, T, block], 'int32');
  const src = idx.intData;
  const out = t3.intData;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const at = (b * T + t) * block;
      for (let k = 0; k < block; k++) out[at + k] = t - k >= 0 ? src[b * T + t - k] : blank;
    }
  }
  return t3;
}

export class MakemoreMLP extends SequenceModel {
  readonly wte: Embedding;
  readonly mlp: Sequential;
  constructor(config: ModelConfig, g: Generator) {
    super(config);
    const { vocabSize: V, blockSize, embedDim: E, hidden: H } = config;
    // makemore.py's construction order: wte, then mlp.0 (weight, bias), then mlp.2
    this.wte = this.registerModule('wte', new Embedding(V + 1, E, { generator: g }));
    this.mlp = this.registerModule('mlp', new Sequential(new Linear(blockSize * E, H, { generator: g }), new Tanh(), new Linear(H, V, { generator: g })));
  }
  /** idx (B, T) → logits (B, T, V). */
  forward(idx: Tensor): Tensor {
    const { vocabSize: V, blockSize, embedDim: E } = this.config;
    const [B, T] = idx.shape;
    // (B, T, block, E) → (B, T, block·E): torch.cat(embs, -1) with embs[k] the token t − k
    const x = this.wte.call(shiftedContexts(idx, blockSize, V)).reshape(B, T, blockSize * E);
    return this.mlp.call(x);
  }
}

export const makemoreMlpKind = defineSequenceKind({
  arch: 'makemore-mlp',
  description: "makemore.py's MLP: the embeddings of the last blockSize characters (a blank token before the start), Linear → Tanh → Linear",
  create: (config, g) => new MakemoreMLP(config, g),
});
