// The notebooks' hand-written batch-norm model, exactly (makemore part 3, and the seed notebook):
//   emb = C[X]; hpreact = emb.view(n, -1) @ W1 (+ b1 when config.bias1: seed cell 7)
//   hpreact = bngain * (hpreact - mean) / (std + bnEps) + bnbias   (batch mean, unbiased std;
//             bnEps 0 in the lecture, 1e-5 in the seed's cell 11)
//   h = tanh(hpreact); logits = h @ W2 + b2
// Running mean and std (of the std without eps) with momentum 0.001. Eval mode normalises with
// them (no eps), or with the statistics of the batch given (config.bnEval "batch", seed cell 9).
// Parameters are drawn in the order C, W1, (b1), W2, b2 from one generator as config.init says
// (init.ts; default "kaiming": the lecture's W2·0.01, b2 = randn·0).
// Named sub-steps for hooks (registerIntermediateHook): "hpreact" (the batch norm's input) and "h".
//
// In files it maps onto Embedding → Linear(bias=False; bias=True with b1) → BatchNorm1d(eps=0) →
// Tanh → Linear: W1 and W2 are transposed, b1 is layers.0.bias, bngain/bnbias become
// layers.1.weight/bias, and its running std is stored exactly as layers.1.running_std (for
// resuming bit for bit) and as layers.1.running_var = std² (for PyTorch, which normalises by
// sqrt(running_var + eps)).
import { MakemoreError } from '../../errors.js';
import { Generator } from '../../random/index.js';
import { Module } from '../../nn/index.js';
import { Tensor, addmm, batchNormEval, batchNormTrain, index, matmul, ones, randn, reshape, zeros } from '../../tensor/index.js';
import type { ModelConfig } from '../config.js';
import { foldPair, withoutBatchNormOptions } from '../fold.js';
import { drawValues, initDraws, type Draw } from '../init.js';
import { defineKind, type ActivationProbe, type BatchNormSite, type LanguageModel } from '../kind.js';
import { mlpWeights } from '../size.js';
import type { NetworkLayer } from '../layers.js';
import { PlainMLP } from './plain.js';
import { notebookFusedEvalRows, notebookFusedStep, type FusedTrainStep } from '../notebookFused.js';

const MOMENTUM = Math.fround(0.001);
const KEEP = Math.fround(0.999);

export class NotebookMLP extends Module implements LanguageModel {
  readonly C: Tensor; // (vocab, embed)
  readonly W1: Tensor; // (block·embed, hidden)
  readonly b1: Tensor | null; // (hidden), when config.bias1
  readonly W2: Tensor; // (hidden, vocab)
  readonly b2: Tensor; // (vocab)
  readonly bngain: Tensor; // (1, hidden)
  readonly bnbias: Tensor; // (1, hidden)
  readonly bnmeanRunning: Tensor; // (1, hidden)
  readonly bnstdRunning: Tensor; // (1, hidden)

  constructor(readonly config: ModelConfig, g: Generator) {
    super();
    const { vocabSize: V, blockSize: B, embedDim: E, hidden: H } = config;
    const fanIn = B * E;
    const d = initDraws(config.init ?? 'kaiming', fanIn, H, V);
    const drawn = (shape: number[], draw: Draw): Tensor => {
      const t = zeros(shape); // on the backend's memory
      t.floatData.set(drawValues(g, t.numel, draw));
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

  /** Each row's eval-mode loss, one wasm call per chunk, the same numbers; null on the JS backend. */
  fusedEvalRows(X: Tensor, Y: Tensor, chunkRows: number): Float32Array | null {
    return notebookFusedEvalRows(this, X, Y, chunkRows);
  }

  /** The whole training step (forward, backward, SGD) as one wasm call, the same numbers; null on the JS backend. */
  fusedTrainStep(batchSize: number, X: Tensor, Y: Tensor): FusedTrainStep | null {
    return notebookFusedStep(this, batchSize, X, Y);
  }

  /** X: (n, blockSize) int32 → logits (n, vocab) */
  forward(X: Tensor): Tensor {
    const n = X.shape[0];
    const embcat = reshape(index(this.C, X), [n, -1]); // (n, block·embed)
    const hpre = this.observe('hpreact', this.b1 === null ? matmul(embcat, this.W1) : addmm(this.b1, embcat, this.W1)); // (n, hidden)
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
      const rm = this.bnmeanRunning.floatData, rs = this.bnstdRunning.floatData, bm = stats.mean.floatData, bv = stats.var.floatData;
      for (let j = 0; j < rm.length; j++) {
        rm[j] = Math.fround(Math.fround(KEEP * rm[j]) + Math.fround(MOMENTUM * bm[j]));
        rs[j] = Math.fround(Math.fround(KEEP * rs[j]) + Math.fround(MOMENTUM * Math.fround(Math.sqrt(bv[j]))));
      }
    } else {
      hpreact = batchNormEval(hpre, this.bnmeanRunning, this.bnstdRunning, true, this.bngain, this.bnbias, 0);
    }
    const h = this.observe('h', hpreact.tanh());
    return addmm(this.b2, h, this.W2); // h @ W2 + b2
  }

  /** The notebook's steps as layers: C[X] → view → @ W1 (+ b1) → batch norm → tanh → @ W2 + b2. */
  networkLayers(): NetworkLayer[] {
    const { blockSize: T, embedDim: E, hidden: H, vocabSize: V } = this.config;
    const layer = (name: string, type: string, shape: number[], tensors: Tensor[], names: string[], statistics: string | null = null): NetworkLayer =>
      ({ name, type, shape, parameters: tensors.reduce((s, t) => s + t.numel, 0), tensors: names, statistics });
    return [
      layer('C', 'Embedding', [T, E], [this.C], ['C']),
      layer('view', 'Flatten', [T * E], [], []),
      this.b1 === null ? layer('W1', 'Linear', [H], [this.W1], ['W1']) : layer('W1', 'Linear', [H], [this.W1, this.b1], ['W1', 'b1']),
      layer('bn', 'BatchNorm1d', [H], [this.bngain, this.bnbias], ['bngain', 'bnbias']),
      layer('tanh', 'Tanh', [H], [], [], 'layer 2 (Tanh)'),
      layer('W2', 'Linear', [V], [this.W2, this.b2], ['W2', 'b2']),
    ];
  }

  /** Its tanh is "layer 2" of Embedding → Linear → BatchNorm1d → Tanh → Linear, as in the files. */
  activationProbes(): ActivationProbe[] {
    return [{ layer: 'layer 2 (Tanh)', watch: (fn) => this.registerIntermediateHook('h', fn) }];
  }

  batchNormSites(): BatchNormSite[] {
    return [{ name: 'layers.1', kind: 'std', runningMean: this.bnmeanRunning, running: this.bnstdRunning, watchInput: (fn) => this.registerIntermediateHook('hpreact', fn) }];
  }
}

function transposed(src: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = src[i * cols + j];
  return out;
}

const f32 = (data: ArrayLike<number>, shape: number[]): Tensor => new Tensor(Float32Array.from(data), shape, 'float32');

export const notebookKind = defineKind<NotebookMLP>({
  norms: ['notebook'],
  description: 'the notebook\'s hand-written batch-norm MLP (one hidden layer; --preset seed|lecture)',
  options: ['init', 'bnEps', 'bias1', 'bnEval'],
  labels: { notebook: 'notebook batch norm' },
  fixedLayers: 1,
  validate(c) {
    if (c.layers !== 1) throw new MakemoreError(`the notebook model has exactly one hidden layer; use --norm batchnorm1d for ${c.layers} layers`);
  },
  create: (config, g) => new NotebookMLP(config, g),
  fileTensors(model) {
    const { vocabSize: V, hidden: H } = model.config;
    const fanIn = model.W1.shape[0];
    const std = Float32Array.from(model.bnstdRunning.floatData);
    return new Map<string, Tensor>([
      ['embedding.weight', f32(model.C.floatData, [...model.C.shape])],
      ['layers.0.weight', f32(transposed(model.W1.floatData, fanIn, H), [H, fanIn])],
      ...(model.b1 === null ? [] : [['layers.0.bias', f32(model.b1.floatData, [H])] as [string, Tensor]]),
      ['layers.1.weight', f32(model.bngain.floatData, [H])],
      ['layers.1.bias', f32(model.bnbias.floatData, [H])],
      ['layers.1.running_mean', f32(model.bnmeanRunning.floatData, [H])],
      ['layers.1.running_var', f32(std.map((s) => s * s), [H])],
      ['layers.1.running_std', f32(std, [H])],
      ['layers.3.weight', f32(transposed(model.W2.floatData, H, V), [V, H])],
      ['layers.3.bias', f32(model.b2.floatData, [V])],
    ]);
  },
  loadFileTensors(model, get) {
    const { vocabSize: V, hidden: H } = model.config;
    const fanIn = model.W1.shape[0];
    model.C.floatData.set(get('embedding.weight').floatData);
    model.W1.floatData.set(transposed(get('layers.0.weight').floatData, H, fanIn));
    if (model.b1 !== null) model.b1.floatData.set(get('layers.0.bias').floatData);
    model.bngain.floatData.set(get('layers.1.weight').floatData);
    model.bnbias.floatData.set(get('layers.1.bias').floatData);
    model.bnmeanRunning.floatData.set(get('layers.1.running_mean').floatData);
    model.bnstdRunning.floatData.set(get('layers.1.running_std').floatData);
    model.W2.floatData.set(transposed(get('layers.3.weight').floatData, V, H));
    model.b2.floatData.set(get('layers.3.bias').floatData);
  },
  foldRefusal: (c) => (c.bnEval === 'batch' ? 'this model normalises with each batch\'s own statistics (--bn-eval batch): there are no fixed statistics to fold' : null),
  // W1·γ/σ and β − μ·γ/σ (+ b1·γ/σ) into the folded model's first Linear; W2, b2 as they are.
  fold(model) {
    const c = model.config;
    const folded = new PlainMLP({ ...withoutBatchNormOptions(c), norm: 'none', init: 'kaiming' }, new Generator(0));
    folded.embedding.weight.floatData.set(model.C.floatData);
    const [first, out] = folded.linears();
    const std = model.bnstdRunning.floatData;
    const pair = foldPair(model.W1.floatData, c.blockSize * c.embedDim, c.hidden, true, model.bngain.floatData, model.bnbias.floatData, model.bnmeanRunning.floatData, (j) => std[j]);
    if (model.b1 !== null) for (let o = 0; o < c.hidden; o++) pair.bias[o] += model.b1.floatData[o] * (model.bngain.floatData[o] / std[o]);
    first.weight.floatData.set(pair.weight);
    first.bias!.floatData.set(pair.bias);
    out.weight.floatData.set(transposed(model.W2.floatData, c.hidden, c.vocabSize));
    out.bias!.floatData.set(model.b2.floatData);
    return folded;
  },
  wholeSplitEval: (c) => c.bnEval === 'batch',
  zeroBatchStdFails: true,
  minFileValues: mlpWeights,
  title: () => 'notebook model',
});
