// A model kind defined outside src/: the worked example of docs/ARCHITECTURE.md ("Adding a model
// kind"), compiled and run by test/model-kind.test.ts. Two kinds: "tiny-bn", one hidden layer
//   Embedding → Flatten → Linear(bias=false) → BatchNorm1d → Tanh → Linear
// and "tiny", the same without batch norm, which "tiny-bn" folds into.
import {
  BatchNorm1d, Embedding, EmbeddingMLP, Linear, Sequential, Tanh,
  Generator, defineKind, foldPair, registerModelKind, type ModelKind, type ModelConfig,
} from '../../src/index.js';

export class TinyMLP extends EmbeddingMLP {
  readonly embedding: Embedding;
  readonly layers: Sequential;

  constructor(readonly config: ModelConfig, g: Generator) {
    super();
    const { vocabSize: V, blockSize: B, embedDim: E, hidden: H } = config;
    const bn = config.norm === 'tiny-bn';
    this.embedding = this.registerModule('embedding', new Embedding(V, E, { generator: g }));
    const hidden = bn ? [new Linear(B * E, H, { bias: false, generator: g }), new BatchNorm1d(H)] : [new Linear(B * E, H, { generator: g })];
    this.layers = this.registerModule('layers', new Sequential(...hidden, new Tanh(), new Linear(H, V, { generator: g })));
  }
}

const tiny: ModelKind<TinyMLP> = {
  norms: ['tiny'],
  description: 'a one-layer MLP without batch norm (test kind)',
  options: [],
  validate(c) {
    if (c.layers !== 1) throw new Error('the tiny model has one hidden layer');
  },
  create: (config, g) => new TinyMLP(config, g),
  foldRefusal: () => 'has no batch norm to fold',
  title: () => 'tiny model',
};
export const tinyKind = defineKind(tiny);

export const tinyBatchNormKind = defineKind<TinyMLP>({
  ...tiny,
  norms: ['tiny-bn'],
  description: 'a one-layer MLP with BatchNorm1d (test kind)',
  foldRefusal: () => null,
  // Linear → BatchNorm1d (eval) is one Linear: W·γ/σ, β − μ·γ/σ with σ = sqrt(running_var + eps).
  fold(model) {
    // A fresh model of the folded shape (its draws are overwritten below).
    const folded = new TinyMLP({ ...model.config, norm: 'tiny' }, new Generator(0));
    const [lin, bn, , head] = model.layers.layers as [Linear, BatchNorm1d, Tanh, Linear];
    const [lin2, , head2] = folded.layers.layers as [Linear, Tanh, Linear];
    const rv = bn.runningVar!.floatData;
    const f = foldPair(lin.weight.floatData, lin.inFeatures, lin.outFeatures, false, bn.weight!.floatData, bn.bias!.floatData, bn.runningMean!.floatData, (j) => Math.sqrt(rv[j] + bn.eps));
    folded.embedding.weight.floatData.set(model.embedding.weight.floatData);
    lin2.weight.floatData.set(f.weight);
    lin2.bias!.floatData.set(f.bias);
    head2.weight.floatData.set(head.weight.floatData);
    head2.bias!.floatData.set(head.bias!.floatData);
    return folded;
  },
  title: () => 'tiny model with batch norm',
});

/** Make both kinds buildable by name (createModel, model files, folding, reports). */
export function registerTinyKinds(): void {
  registerModelKind(tinyKind);
  registerModelKind(tinyBatchNormKind);
}
