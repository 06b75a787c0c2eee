// The lecture's model before batch norm (makemore part 3, first half), from nn layers:
//   Embedding → Flatten → [Linear(bias) → Tanh] × layers → Linear(bias)
// with the lecture's initialisation steps (config.init):
//   naive        W1, b1, W2, b2 ~ N(0, 1)                 initial loss ~27 (confident, wrong)
//   fix-softmax  W2·0.01, b2·0                             initial loss ~3.3 (= -log(1/27))
//   fix-tanh     also W1·0.2, b1·0.01                      tanh no longer saturated
//   kaiming      W1·(5/3)/√fanIn, b1·0.01, W2·0.01, b2·0   the principled scale
// Parameters are drawn in the lecture's order C, W1, b1, W2, b2 from one generator, W1 and W2 in
// its (in × out) layout and stored in PyTorch's (out × in), so the same seed gives the same
// numbers as the lecture's PyTorch code.
import type { Generator } from '../random/index.js';
import { Embedding, Flatten, Linear, Sequential, Tanh, Module } from '../nn/index.js';
import { randn, type Tensor } from '../tensor/index.js';
import type { InitScheme, ModelConfig } from './config.js';

interface Scales {
  /** W1 = randn·w1[0]/w1[1] (two float32 ops, as `randn(...) * (5/3) / fanIn**0.5`). */
  w1: [number, number];
  b1: number;
  w2: number;
  b2: number;
}

function scales(init: InitScheme, fanIn: number): Scales {
  switch (init) {
    case 'naive': return { w1: [1, 1], b1: 1, w2: 1, b2: 1 };
    case 'fix-softmax': return { w1: [1, 1], b1: 1, w2: 0.01, b2: 0 };
    case 'fix-tanh': return { w1: [0.2, 1], b1: 0.01, w2: 0.01, b2: 0 };
    case 'kaiming': return { w1: [5 / 3, Math.sqrt(fanIn)], b1: 0.01, w2: 0.01, b2: 0 };
  }
}

export class PlainMLP extends Module {
  readonly embedding: Embedding;
  readonly flatten = new Flatten();
  readonly layers: Sequential;
  readonly init: InitScheme;

  constructor(readonly config: ModelConfig, g: Generator) {
    super();
    const { vocabSize: V, blockSize: B, embedDim: E, hidden: H } = config;
    const fanIn = B * E;
    this.init = config.init ?? 'kaiming';
    const s = scales(this.init, fanIn);
    this.embedding = this.registerModule('embedding', new Embedding(V, E, { generator: g }));
    const l1 = new Linear(fanIn, H, { init: false });
    fillTransposed(l1.weight, randn([fanIn, H], { generator: g }).f, fanIn, H, s.w1[0], s.w1[1]);
    fillScaled(l1.bias!, randn([H], { generator: g }).f, s.b1);
    const mods: Module[] = [l1, new Tanh()];
    // Deeper variants (and folded batch-norm networks): more Linear → Tanh blocks of H units,
    // drawn after b1 with the same scheme at fan-in H, so one layer stays the lecture's model.
    for (let l = 1; l < config.layers; l++) {
      const hs = scales(this.init, H);
      const lin = new Linear(H, H, { init: false });
      fillTransposed(lin.weight, randn([H, H], { generator: g }).f, H, H, hs.w1[0], hs.w1[1]);
      fillScaled(lin.bias!, randn([H], { generator: g }).f, hs.b1);
      mods.push(lin, new Tanh());
    }
    const out = new Linear(H, V, { init: false });
    fillTransposed(out.weight, randn([H, V], { generator: g }).f, H, V, s.w2, 1);
    fillScaled(out.bias!, randn([V], { generator: g }).f, s.b2);
    this.layers = this.registerModule('layers', new Sequential(...mods, out));
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

/** dst (out × in) = transpose of draws (in × out), each ·mul then /div in float32 as torch. */
function fillTransposed(dst: Tensor, draws: ArrayLike<number>, fanIn: number, fanOut: number, mul: number, div: number): void {
  const w = dst.f;
  const m = Math.fround(mul), d = Math.fround(div);
  for (let i = 0; i < fanIn; i++) {
    for (let o = 0; o < fanOut; o++) {
      let v = draws[i * fanOut + o];
      if (mul !== 1) v = Math.fround(v * m);
      if (div !== 1) v = Math.fround(v / d);
      w[o * fanIn + i] = v;
    }
  }
}

function fillScaled(dst: Tensor, draws: ArrayLike<number>, mul: number): void {
  const b = dst.f;
  const m = Math.fround(mul);
  for (let i = 0; i < b.length; i++) b[i] = mul === 1 ? draws[i] : Math.fround(draws[i] * m);
}
