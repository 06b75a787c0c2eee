// The lecture notebook's model, exactly (makemore part 3, "BatchNorm" section):
//   emb = C[X]; hpreact = emb.view(n, -1) @ W1
//   hpreact = bngain * (hpreact - mean) / std + bnbias   (batch mean and unbiased std, no eps)
//   h = tanh(hpreact); logits = h @ W2 + b2
// Parameters are drawn in the order C, W1, W2, b2 from one generator (b2 = randn·0, as written).
import type { Generator } from '../random/index.js';
import { Module } from '../nn/index.js';
import { Tensor, addmm, batchNormEval, batchNormTrain, index, matmul, ones, randn, reshape, zeros } from '../tensor/index.js';
import type { ModelConfig } from './config.js';

const MOMENTUM = Math.fround(0.001);
const KEEP = Math.fround(0.999);

export class NotebookMLP extends Module {
  readonly C: Tensor; // (vocab, embed)
  readonly W1: Tensor; // (block·embed, hidden)
  readonly W2: Tensor; // (hidden, vocab)
  readonly b2: Tensor; // (vocab)
  readonly bngain: Tensor; // (1, hidden)
  readonly bnbias: Tensor; // (1, hidden)
  readonly bnmeanRunning: Tensor; // (1, hidden)
  readonly bnstdRunning: Tensor; // (1, hidden)
  /** The tanh output of the last forward, for diagnostics (valid within a step). */
  lastHidden: Tensor | null = null;
  /** Keep the gradient of the tanh output after backward() (diagnostics: `lastHidden.grad`). */
  retainHiddenGrad = false;

  constructor(readonly config: ModelConfig, g: Generator) {
    super();
    const { vocabSize: V, blockSize: B, embedDim: E, hidden: H } = config;
    const fanIn = B * E;
    this.C = this.registerParameter('C', randn([V, E], { generator: g }));
    // `randn(...) * (5/3) / fanIn**0.5` is two float32 tensor ops in PyTorch, rounded in turn.
    this.W1 = this.registerParameter('W1', divided(scaled(randn([fanIn, H], { generator: g }), 5 / 3), Math.sqrt(fanIn)));
    this.W2 = this.registerParameter('W2', scaled(randn([H, V], { generator: g }), 0.01));
    this.b2 = this.registerParameter('b2', scaled(randn([V], { generator: g }), 0)); // randn·0, as written
    this.bngain = this.registerParameter('bngain', ones([1, H]));
    this.bnbias = this.registerParameter('bnbias', zeros([1, H]));
    this.bnmeanRunning = this.registerBuffer('bnmean_running', zeros([1, H]));
    this.bnstdRunning = this.registerBuffer('bnstd_running', ones([1, H]));
  }

  /** X: (n, blockSize) int32 → logits (n, vocab) */
  forward(X: Tensor): Tensor {
    const n = X.shape[0];
    const embcat = reshape(index(this.C, X), [n, -1]); // (n, block·embed)
    const hpre = matmul(embcat, this.W1); // (n, hidden)
    let hpreact: Tensor;
    if (this.training) {
      const { out, stats } = batchNormTrain(hpre, this.bngain, this.bnbias, 0, 1);
      hpreact = out;
      // running = 0.999·running + 0.001·batch, in float32 as the notebook's tensor arithmetic
      const rm = this.bnmeanRunning.f, rs = this.bnstdRunning.f, bm = stats.mean.f, bv = stats.var.f;
      for (let j = 0; j < rm.length; j++) {
        rm[j] = Math.fround(Math.fround(KEEP * rm[j]) + Math.fround(MOMENTUM * bm[j]));
        rs[j] = Math.fround(Math.fround(KEEP * rs[j]) + Math.fround(MOMENTUM * Math.fround(Math.sqrt(bv[j]))));
      }
    } else {
      hpreact = batchNormEval(hpre, this.bnmeanRunning, this.bnstdRunning, true, this.bngain, this.bnbias, 0);
    }
    const h = hpreact.tanh();
    if (this.retainHiddenGrad && h.requiresGrad) h.retainGrad();
    this.lastHidden = h;
    return addmm(this.b2, h, this.W2); // h @ W2 + b2
  }
}

/** t·s in float32, the scalar rounded to float32 first as torch does. */
function scaled(t: Tensor, s: number): Tensor {
  const f = t.f;
  const k = Math.fround(s);
  for (let i = 0; i < f.length; i++) f[i] = Math.fround(f[i] * k);
  return t;
}

/** t/d in float32, the scalar rounded to float32 first. */
function divided(t: Tensor, d: number): Tensor {
  const f = t.f;
  const k = Math.fround(d);
  for (let i = 0; i < f.length; i++) f[i] = Math.fround(f[i] / k);
  return t;
}
