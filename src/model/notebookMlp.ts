// The notebooks' hand-written batch-norm model, exactly (makemore part 3, and the seed notebook):
//   emb = C[X]; hpreact = emb.view(n, -1) @ W1 (+ b1 when config.bias1: seed cell 7)
//   hpreact = bngain * (hpreact - mean) / (std + bnEps) + bnbias   (batch mean, unbiased std;
//             bnEps 0 in the lecture, 1e-5 in the seed's cell 11)
//   h = tanh(hpreact); logits = h @ W2 + b2
// Running mean and std (of the std without eps) with momentum 0.001. Eval mode normalises with
// them (no eps), or with the statistics of the batch given (config.bnEval "batch", seed cell 9).
// Parameters are drawn in the order C, W1, (b1), W2, b2 from one generator as config.init says
// (init.ts; default "kaiming": the lecture's W2·0.01, b2 = randn·0).
import type { Generator } from '../random/index.js';
import { Module } from '../nn/index.js';
import { Tensor, addmm, batchNormEval, batchNormTrain, index, matmul, ones, randn, reshape, zeros } from '../tensor/index.js';
import type { ModelConfig } from './config.js';
import { drawValues, initDraws, type Draw } from './init.js';
import { notebookFusedStep, type FusedTrainStep } from './notebookFused.js';

const MOMENTUM = Math.fround(0.001);
const KEEP = Math.fround(0.999);

export class NotebookMLP extends Module {
  readonly C: Tensor; // (vocab, embed)
  readonly W1: Tensor; // (block·embed, hidden)
  readonly b1: Tensor | null; // (hidden), when config.bias1
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
    const d = initDraws(config.init ?? 'kaiming', fanIn, H, V);
    const drawn = (shape: number[], draw: Draw): Tensor => {
      const t = zeros(shape); // on the backend's memory
      t.f.set(drawValues(g, t.numel, draw));
      return t;
    };
    this.C = this.registerParameter('C', randn([V, E], { generator: g }));
    this.W1 = this.registerParameter('W1', drawn([fanIn, H], d.W1));
    this.b1 = config.bias1 === true ? this.registerParameter('b1', drawn([H], d.b1)) : null;
    this.W2 = this.registerParameter('W2', drawn([H, V], d.W2));
    this.b2 = this.registerParameter('b2', drawn([V], d.b2));
    this.bngain = this.registerParameter('bngain', ones([1, H]));
    this.bnbias = this.registerParameter('bnbias', zeros([1, H]));
    this.bnmeanRunning = this.registerBuffer('bnmean_running', zeros([1, H]));
    this.bnstdRunning = this.registerBuffer('bnstd_running', ones([1, H]));
  }

  /** The whole training step (forward, backward, SGD) as one wasm call, the same numbers; null on the JS backend. */
  fusedTrainStep(batchSize: number, X: Tensor, Y: Tensor): FusedTrainStep | null {
    return notebookFusedStep(this, batchSize, X, Y);
  }

  /** X: (n, blockSize) int32 → logits (n, vocab) */
  forward(X: Tensor): Tensor {
    const n = X.shape[0];
    const embcat = reshape(index(this.C, X), [n, -1]); // (n, block·embed)
    const hpre = this.b1 === null ? matmul(embcat, this.W1) : addmm(this.b1, embcat, this.W1); // (n, hidden)
    const eps = this.config.bnEps ?? 0;
    let hpreact: Tensor;
    // "batch" eval needs at least two rows for an unbiased std; a single context (sampling)
    // falls back to the running statistics.
    if (!this.training && this.config.bnEval === 'batch' && n > 1) {
      hpreact = batchNormTrain(hpre, this.bngain, this.bnbias, 0, 1, eps).out;
    } else if (this.training) {
      const { out, stats } = batchNormTrain(hpre, this.bngain, this.bnbias, 0, 1, eps);
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
