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
import type { Generator } from '../random/index.js';
import { BatchNorm1d, Embedding, Flatten, Linear, Module, Sequential, Tanh, createNorm, type NormLayerKind } from '../nn/index.js';
import { calculateGain } from '../nn/init.js';
import { randn, type Tensor } from '../tensor/index.js';
import type { ModelConfig } from './config.js';

export class ModuleMLP extends Module {
  readonly embedding: Embedding;
  readonly flatten = new Flatten();
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
      head.weight!.f.fill(0.1);
      mods.push(lectureLinear(fanIn, V, tanhGain, false, g), head);
    } else {
      mods.push(lectureLinear(fanIn, V, 0.1, true, g));
    }
    this.layers = this.registerModule('layers', new Sequential(...mods));
  }

  /** X: (n, blockSize) int32 → logits (n, vocab) */
  forward(X: Tensor): Tensor {
    return this.layers.forward(this.flatten.forward(this.embedding.forward(X)));
  }

  /** The Tanh layers, for activation statistics. */
  tanhLayers(): Tanh[] {
    return this.layers.layers.filter((m): m is Tanh => m instanceof Tanh);
  }
}

/** randn((fanIn, fanOut))·gain/√fanIn in the lecture's order; a bias starts at zero (no draws). */
function lectureLinear(fanIn: number, fanOut: number, gain: number, bias: boolean, g: Generator): Linear {
  const lin = new Linear(fanIn, fanOut, { bias, init: false });
  const draws = randn([fanIn, fanOut], { generator: g }).f; // lecture layout (in × out)
  const w = lin.weight.f;
  const k = Math.fround(gain / Math.sqrt(fanIn));
  for (let i = 0; i < fanIn; i++) for (let o = 0; o < fanOut; o++) w[o * fanIn + i] = Math.fround(draws[i * fanOut + o] * k);
  return lin;
}
