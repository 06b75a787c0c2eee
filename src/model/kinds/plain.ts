// The lecture's model before batch norm (makemore part 3, first half), from nn layers:
//   Embedding → Flatten → [Linear(bias) → Tanh] × layers → Linear(bias)
// with the lecture's initialisation steps or the seed notebook's (config.init, see init.ts):
//   naive        W1, b1, W2, b2 ~ N(0, 1)                 initial loss ~27 (confident, wrong)
//   fix-softmax  W2·0.01, b2·0                             initial loss ~3.3 (= -log(1/27))
//   fix-tanh     also W1·0.2, b1·0.01                      tanh no longer saturated
//   kaiming      W1·(5/3)/√fanIn, b1·0.01, W2·0.01, b2·0   the principled scale
//   seed         kaiming W1, b1 = rand/√H, Xavier W2, b2 = rand/√V (the seed notebook's cell 4)
// Parameters are drawn in the lecture's order C, W1, b1, W2, b2 from one generator, W1 and W2 in
// its (in × out) layout and stored in PyTorch's (out × in), so the same seed gives the same
// numbers as the lecture's PyTorch code.
import type { Generator } from '../../random/index.js';
import { Embedding, Linear, Sequential, Tanh, type Module } from '../../nn/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { InitScheme, ModelConfig } from '../config.js';
import { drawValues, initDraws } from '../init.js';
import { EmbeddingMLP } from '../embeddingMlp.js';
import { defineKind } from '../kind.js';
import { mlpWeights } from '../size.js';

export class PlainMLP extends EmbeddingMLP {
  readonly embedding: Embedding;
  readonly layers: Sequential;
  readonly init: InitScheme;

  constructor(readonly config: ModelConfig, g: Generator) {
    super();
    const { vocabSize: V, blockSize: B, embedDim: E, hidden: H } = config;
    const fanIn = B * E;
    this.init = config.init ?? 'kaiming';
    const s = initDraws(this.init, fanIn, H, V);
    this.embedding = this.registerModule('embedding', new Embedding(V, E, { generator: g }));
    const l1 = new Linear(fanIn, H, { init: false });
    fillTransposed(l1.weight, drawValues(g, fanIn * H, s.W1), fanIn, H);
    l1.bias!.floatData.set(drawValues(g, H, s.b1));
    const mods: Module[] = [l1, new Tanh()];
    // Deeper variants (and folded batch-norm networks): more Linear → Tanh blocks of H units,
    // drawn after b1 with the same scheme at fan-in H, so one layer stays the lecture's model.
    for (let l = 1; l < config.layers; l++) {
      const hs = initDraws(this.init, H, H, V);
      const lin = new Linear(H, H, { init: false });
      fillTransposed(lin.weight, drawValues(g, H * H, hs.W1), H, H);
      lin.bias!.floatData.set(drawValues(g, H, hs.b1));
      mods.push(lin, new Tanh());
    }
    const out = new Linear(H, V, { init: false });
    fillTransposed(out.weight, drawValues(g, H * V, s.W2), H, V);
    out.bias!.floatData.set(drawValues(g, V, s.b2));
    this.layers = this.registerModule('layers', new Sequential(...mods, out));
  }

  /** The Linear layers in order (folding fills them). */
  linears(): Linear[] {
    return this.layers.layers.filter((m): m is Linear => m instanceof Linear);
  }
}

export const plainKind = defineKind<PlainMLP>({
  norms: ['none'],
  description: 'the lecture\'s MLP before batch norm: Embedding → [Linear → Tanh] × layers → Linear (--init)',
  options: ['init'],
  create: (config, g) => new PlainMLP(config, g),
  foldRefusal: () => 'has no batch norm to fold',
  minFileValues: mlpWeights,
  title: (c) => `no batch norm (${c.init ?? 'kaiming'} init)`,
  configRows: (c) => ({ init: c.init ?? 'kaiming' }),
});

/** dst (out × in) = transpose of the drawn values (in × out). */
function fillTransposed(dst: Tensor, values: Float32Array, fanIn: number, fanOut: number): void {
  const w = dst.floatData;
  for (let i = 0; i < fanIn; i++) for (let o = 0; o < fanOut; o++) w[o * fanIn + i] = values[i * fanOut + o];
}
