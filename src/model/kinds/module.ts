// The module form of the model (the lecture's deeper network), from nn layers:
//   Embedding → Flatten → [Linear(bias=false) → norm → Tanh] × layers → head
// norm "batchnorm1d": BatchNorm1d, and the head is Linear(bias=false) → BatchNorm1d (gain 0.1: a
// less confident start), as the lecture. norm "layernorm" | "groupnorm" | "rmsnorm": that norm,
// and the head is a plain Linear with bias and weight ×0.1 (the lecture's deeper network before
// batch norm). A per-example norm on the logits would fix each example's logit spread, so the
// model could not be more sure of one next character than of another: the head has none.
// Hidden Linears have no bias: the norm's own bias shifts each feature after normalising.
// Weights are drawn as the lecture does, randn((fanIn, fanOut))·gain/√fanIn (gain 5/3 before tanh),
// and stored in PyTorch's (out × in) layout.
import { MakemoreError } from '../../errors.js';
import { Generator } from '../../random/index.js';
import { BatchNorm1d, DEFAULT_GROUPS, Embedding, Linear, Module, Sequential, Tanh, createNorm, type NormLayerKind } from '../../nn/index.js';
import { calculateGain } from '../../nn/init.js';
import { randn } from '../../tensor/index.js';
import type { ModelConfig } from '../config.js';
import { foldPair, withoutBatchNormOptions } from '../fold.js';
import { EmbeddingMLP } from '../embeddingMlp.js';
import { defineKind } from '../kind.js';
import { mlpWeights } from '../size.js';
import { PlainMLP } from './plain.js';

export class ModuleMLP extends EmbeddingMLP {
  readonly embedding: Embedding;
  readonly layers: Sequential;

  constructor(readonly config: ModelConfig, g: Generator) {
    super();
    const { vocabSize: V, blockSize: B, embedDim: E, hidden: H } = config;
    this.embedding = this.registerModule('embedding', new Embedding(V, E, { generator: g }));
    const mods: Module[] = [];
    let fanIn = B * E;
    const kind = config.norm as NormLayerKind;
    const tanhGain = calculateGain('tanh');
    for (let l = 0; l < config.layers; l++) {
      mods.push(lectureLinear(fanIn, H, tanhGain, false, g), createNorm(kind, H, { groups: config.groups }), new Tanh());
      fanIn = H;
    }
    if (kind === 'batchnorm1d') {
      const head = new BatchNorm1d(V);
      head.weight!.floatData.fill(0.1);
      mods.push(lectureLinear(fanIn, V, tanhGain, false, g), head);
    } else {
      mods.push(lectureLinear(fanIn, V, 0.1, true, g));
    }
    this.layers = this.registerModule('layers', new Sequential(...mods));
  }
}

/** randn((fanIn, fanOut))·gain/√fanIn in the lecture's order; a bias starts at zero (no draws). */
function lectureLinear(fanIn: number, fanOut: number, gain: number, bias: boolean, g: Generator): Linear {
  const lin = new Linear(fanIn, fanOut, { bias, init: false });
  const draws = randn([fanIn, fanOut], { generator: g }).floatData; // lecture layout (in × out)
  const w = lin.weight.floatData;
  const k = Math.fround(gain / Math.sqrt(fanIn));
  for (let i = 0; i < fanIn; i++) for (let o = 0; o < fanOut; o++) w[o * fanIn + i] = Math.fround(draws[i * fanOut + o] * k);
  return lin;
}

const isPositiveInt = (v: number): boolean => Number.isInteger(v) && v > 0;

export const moduleKind = defineKind<ModuleMLP>({
  norms: ['batchnorm1d', 'layernorm', 'groupnorm', 'rmsnorm'],
  description: 'nn modules: Embedding → [Linear → norm → Tanh] × layers → head (BatchNorm1d, LayerNorm, GroupNorm or RMSNorm)',
  options: ['groups'],
  labels: { batchnorm1d: 'BatchNorm1d (nn modules)', layernorm: 'LayerNorm (per example)', groupnorm: `GroupNorm, ${DEFAULT_GROUPS} groups (per example)`, rmsnorm: 'RMSNorm (per example)' },
  validate(c) {
    if (c.groups !== undefined && c.norm !== 'groupnorm') throw new MakemoreError(`groups applies only to norm groupnorm, not ${c.norm}`);
    if (c.norm !== 'groupnorm') return;
    const g = c.groups ?? DEFAULT_GROUPS;
    if (!isPositiveInt(g)) throw new MakemoreError(`groups must be a positive integer, got ${g}`);
    if (c.hidden % g !== 0) {
      const divisors = Array.from({ length: c.hidden }, (_, i) => i + 1).filter((d) => c.hidden % d === 0);
      throw new MakemoreError(`groups ${g} does not divide the hidden size ${c.hidden}; choose one of ${divisors.join(', ')}`);
    }
  },
  create: (config, g) => new ModuleMLP(config, g),
  foldRefusal: (c) => (c.norm === 'batchnorm1d' ? null : `a ${c.norm} model cannot be folded: its norm takes each example's own statistics, which no fixed Linear can hold`),
  // Every Linear → BatchNorm1d pair becomes one Linear of the folded model.
  fold(model) {
    const folded = new PlainMLP({ ...withoutBatchNormOptions(model.config), norm: 'none', init: 'kaiming' }, new Generator(0));
    folded.embedding.weight.floatData.set(model.embedding.weight.floatData);
    const linears = folded.linears();
    const mods = model.layers.layers;
    let k = 0;
    for (let i = 0; i < mods.length; i++) {
      const lin = mods[i];
      const bn = mods[i + 1];
      if (!(lin instanceof Linear)) continue;
      if (!(bn instanceof BatchNorm1d) || bn.runningMean === null || bn.runningVar === null) throw new Error('expected every Linear to be followed by a BatchNorm1d with running statistics');
      const rv = bn.runningVar.floatData;
      const pair = foldPair(lin.weight.floatData, lin.inFeatures, lin.outFeatures, false, bn.weight?.floatData ?? null, bn.bias?.floatData ?? null, bn.runningMean.floatData, (j) => Math.sqrt(rv[j] + bn.eps));
      if (lin.bias !== null) for (let o = 0; o < lin.outFeatures; o++) pair.bias[o] += lin.bias.floatData[o] * ((bn.weight?.floatData[o] ?? 1) / Math.sqrt(rv[o] + bn.eps));
      linears[k].weight.floatData.set(pair.weight);
      linears[k++].bias!.floatData.set(pair.bias);
    }
    return folded;
  },
  minFileValues: mlpWeights,
  title: (c) => `${c.norm} model`,
  defaults: (c) => (c.norm === 'groupnorm' ? { groups: DEFAULT_GROUPS } : {}),
});
