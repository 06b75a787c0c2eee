// The hierarchical "WaveNet" MLP of makemore part 5 (arch "wavenet"), the lecture's model as a
// torch.nn.Sequential (so its file names are PyTorch's: layers.0.weight, layers.2.weight, ...):
//   Embedding → [FlattenConsecutive(n) → Linear(bias=false) → norm → Tanh] × levels → Linear
// Each level merges n neighbouring positions: the first level T/2^(levels−1), every later one 2
// (the lecture's tree, block 8 and 3 levels: 8 → 4 → 2 → 1 positions). One level is the
// lecture's flat network (FlattenConsecutive(T)). Shapes: (B, T) → (B, T, E) →
// (B, T/n, n·E) → (B, T/n, H) … → (B, H) → (B, V); a (B, T, C) Linear is one matmul over B·T rows.
// Norms: "batchnorm1d" is the lecture's class: statistics over batch and positions, normalised
// with the unbiased variance (nn.BatchNorm1d with `unbiased`); "layernorm", "rmsnorm" normalise
// each position's features; "none" has Linears with bias (the folded form).
// Init as the lecture's classes: Embedding randn(V, E); Linear randn(fan_in, fan_out)/√fan_in,
// drawn in that (in × out) order and stored (out × in); the last Linear's weight ×0.1, its bias 0.
import { MakemoreError } from '../../errors.js';
import { Generator } from '../../random/index.js';
import { BatchNorm1d, Embedding, FlattenConsecutive, LayerNorm, Linear, Module, RMSNorm, Sequential, Tanh } from '../../nn/index.js';
import { Tensor, randn } from '../../tensor/index.js';
import type { ModelConfig } from '../config.js';
import { foldPair, withoutBatchNormOptions } from '../fold.js';
import { defineKind, type ActivationProbe, type BatchNormSite, type LanguageModel } from '../kind.js';

export type WaveNetNorm = 'batchnorm1d' | 'layernorm' | 'rmsnorm' | 'none';
export const WAVENET_NORMS: readonly WaveNetNorm[] = ['batchnorm1d', 'layernorm', 'rmsnorm', 'none'];

/** Positions the first level merges: the rest of the tree merges 2 at a time. */
export function firstMerge(blockSize: number, levels: number): number {
  return blockSize / 2 ** (levels - 1);
}

export class WaveNet extends Module implements LanguageModel {
  readonly layers: Sequential;

  constructor(readonly config: ModelConfig, g: Generator) {
    super();
    const { vocabSize: V, blockSize: T, embedDim: E, hidden: H, layers: L } = config;
    const norm = config.norm as WaveNetNorm;
    const mods: Module[] = [new Embedding(V, E, { generator: g })];
    let width = E;
    for (let l = 0; l < L; l++) {
      const n = l === 0 ? firstMerge(T, L) : 2;
      mods.push(new FlattenConsecutive(n), lectureLinear(width * n, H, norm === 'none', g));
      if (norm !== 'none') mods.push(createLevelNorm(norm, H));
      mods.push(new Tanh());
      width = H;
    }
    const head = lectureLinear(H, V, true, g);
    // with torch.no_grad(): model.layers[-1].weight *= 0.1 (float32 multiply)
    const w = head.weight.floatData;
    const k = Math.fround(0.1);
    for (let i = 0; i < w.length; i++) w[i] = Math.fround(w[i] * k);
    mods.push(head);
    this.layers = this.registerModule('layers', new Sequential(...mods));
  }

  /** X: (n, blockSize) int32 → logits (n, vocab) */
  forward(X: Tensor): Tensor {
    return this.layers.call(X);
  }

  /** Every level's Tanh, by module path ("layers.4 (Tanh)"). */
  activationProbes(): ActivationProbe[] {
    const out: ActivationProbe[] = [];
    this.layers.layers.forEach((m, i) => {
      if (m instanceof Tanh) out.push({ layer: `layers.${i} (Tanh)`, watch: (fn) => m.registerForwardHook((_, __, y) => fn(y)) });
    });
    return out;
  }

  /** Every level's batch norm; its input is seen as (rows × features), rows = batch · positions. */
  batchNormSites(): BatchNormSite[] {
    const out: BatchNormSite[] = [];
    this.layers.layers.forEach((m, i) => {
      if (!(m instanceof BatchNorm1d) || m.runningMean === null || m.runningVar === null) return;
      const f = m.numFeatures;
      out.push({
        name: `layers.${i}`, kind: 'var', runningMean: m.runningMean, running: m.runningVar,
        watchInput: (fn) => m.registerForwardHook((_, x) => fn(x.ndim === 2 ? x : new Tensor(x.storage, [x.numel / f, f], x.dtype))),
      });
    });
    return out;
  }

  /** The Linear layers in order (folding fills them). */
  linears(): Linear[] {
    return this.layers.layers.filter((m): m is Linear => m instanceof Linear);
  }
}

function createLevelNorm(norm: Exclude<WaveNetNorm, 'none'>, features: number): Module {
  switch (norm) {
    case 'batchnorm1d': return new BatchNorm1d(features, { unbiased: true });
    case 'layernorm': return new LayerNorm(features);
    case 'rmsnorm': return new RMSNorm(features);
  }
}

/** The lecture's Linear: randn((fanIn, fanOut)) / fanIn**0.5 in float32, bias zeros; stored (out × in). */
function lectureLinear(fanIn: number, fanOut: number, bias: boolean, g: Generator): Linear {
  const lin = new Linear(fanIn, fanOut, { bias, init: false });
  const draws = randn([fanIn, fanOut], { generator: g }).floatData;
  const w = lin.weight.floatData;
  const d = Math.fround(Math.sqrt(fanIn));
  for (let i = 0; i < fanIn; i++) for (let o = 0; o < fanOut; o++) w[o * fanIn + i] = Math.fround(draws[i * fanOut + o] / d);
  return lin;
}

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/** Values of the weight matrices (embedding, Linears): a file claiming this config holds at least these. */
function wavenetWeights(c: ModelConfig): number {
  const n = firstMerge(c.blockSize, c.layers);
  return c.vocabSize * c.embedDim + n * c.embedDim * c.hidden + (c.layers - 1) * 2 * c.hidden * c.hidden + c.hidden * c.vocabSize;
}

export const wavenetKind = defineKind<WaveNet>({
  arch: 'wavenet',
  norms: WAVENET_NORMS,
  description: 'the part-5 lecture\'s hierarchical MLP: Embedding → [FlattenConsecutive → Linear → norm → Tanh] × levels → Linear',
  options: [],
  validate(c) {
    if (!isPowerOfTwo(c.blockSize)) throw new MakemoreError(`the wavenet model merges positions in pairs: its block size must be a power of two (1, 2, 4, 8, 16, ...), got ${c.blockSize}`);
    if (2 ** (c.layers - 1) > c.blockSize) {
      throw new MakemoreError(`a wavenet tree of ${c.layers} levels needs a block size of at least ${2 ** (c.layers - 1)}, got ${c.blockSize}; use --layers ${Math.log2(c.blockSize) + 1} or fewer`);
    }
  },
  create: (config, g) => new WaveNet(config, g),
  foldRefusal: (c) => (c.norm === 'batchnorm1d' ? null : c.norm === 'none' ? 'has no batch norm to fold' : `a ${c.norm} model cannot be folded: its norm takes each position's own statistics, which no fixed Linear can hold`),
  // Each Linear → BatchNorm1d pair becomes one Linear with bias of a norm "none" tree.
  fold(model) {
    const folded = new WaveNet({ ...withoutBatchNormOptions(model.config), norm: 'none' }, new Generator(0));
    const mods = model.layers.layers;
    const linears = folded.linears();
    (folded.layers.layers[0] as Embedding).weight.floatData.set((mods[0] as Embedding).weight.floatData);
    let k = 0;
    for (let i = 0; i < mods.length; i++) {
      const lin = mods[i];
      if (!(lin instanceof Linear)) continue;
      const bn = mods[i + 1];
      if (bn instanceof BatchNorm1d && bn.runningMean !== null && bn.runningVar !== null) {
        const rv = bn.runningVar.floatData;
        const pair = foldPair(lin.weight.floatData, lin.inFeatures, lin.outFeatures, false, bn.weight?.floatData ?? null, bn.bias?.floatData ?? null, bn.runningMean.floatData, (j) => Math.sqrt(rv[j] + bn.eps));
        linears[k].weight.floatData.set(pair.weight);
        linears[k].bias!.floatData.set(pair.bias);
      } else {
        linears[k].weight.floatData.set(lin.weight.floatData);
        if (lin.bias !== null) linears[k].bias!.floatData.set(lin.bias.floatData);
      }
      k++;
    }
    return folded;
  },
  minFileValues: wavenetWeights,
  title: (c) => `wavenet model (${c.norm}, ${c.layers} levels)`,
  configRows: (c) => ({ arch: 'wavenet', levels: c.layers }),
  setupNotes: (c) => (c.norm === 'batchnorm1d' ? ['the lecture\'s BatchNorm1d (statistics over batch and positions, unbiased variance)'] : []),
});
