// The module form of the model (the lecture's deeper network), from nn layers:
//   Embedding → Flatten → [Linear(bias=false) → BatchNorm1d → Tanh] × layers
//   → Linear(bias=false) → BatchNorm1d (gain 0.1: a less confident start)
// Weights are drawn as the lecture does, randn((fanIn, fanOut))·gain/√fanIn with the tanh gain
// 5/3, and stored in PyTorch's (out × in) layout.
import type { Generator } from '../random/index.js';
import { BatchNorm1d, Embedding, Flatten, Linear, Module, Sequential, Tanh } from '../nn/index.js';
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
    for (let l = 0; l < config.layers; l++) {
      mods.push(lectureLinear(fanIn, H, g), new BatchNorm1d(H), new Tanh());
      fanIn = H;
    }
    const head = new BatchNorm1d(V);
    head.weight!.f.fill(0.1);
    mods.push(lectureLinear(fanIn, V, g), head);
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

function lectureLinear(fanIn: number, fanOut: number, g: Generator): Linear {
  const lin = new Linear(fanIn, fanOut, { bias: false, init: false });
  const draws = randn([fanIn, fanOut], { generator: g }).f; // lecture layout (in × out)
  const w = lin.weight.f;
  const k = Math.fround(calculateGain('tanh') / Math.sqrt(fanIn));
  for (let i = 0; i < fanIn; i++) for (let o = 0; o < fanOut; o++) w[o * fanIn + i] = Math.fround(draws[i * fanOut + o] * k);
  return lin;
}
