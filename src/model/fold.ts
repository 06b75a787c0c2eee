// Folding eval-mode batch norm into the Linear before it: with σ the running std (notebook) or
// sqrt(running_var + eps) (BatchNorm1d), BN(x·Wᵀ) = x·W'ᵀ + b' with
//   W'[o,:] = W[o,:]·γ_o/σ_o,   b'_o = β_o − μ_o·γ_o/σ_o.
// The result is a model without batch norm (norm "none") whose logits equal the original's in
// eval mode up to float32 rounding: one matmul and a bias instead of matmul, normalise, scale.
import { Generator } from '../random/index.js';
import { MakemoreError } from '../errors.js';
import { BATCH_INDEPENDENT_NORMS, BatchNorm1d, Linear } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { createModel, type LanguageModel } from './index.js';
import { ModuleMLP } from './moduleMlp.js';
import { NotebookMLP } from './notebookMlp.js';
import { PlainMLP } from './plainMlp.js';

interface Folded {
  /** (out × in) */
  weight: Float32Array;
  bias: Float32Array;
}

/** W (out × in, or in × out when `inByOut`) and an eval-mode BN of `out` features → W', b'. */
function foldPair(w: ArrayLike<number>, fanIn: number, fanOut: number, inByOut: boolean,
  gain: ArrayLike<number> | null, beta: ArrayLike<number> | null, mean: ArrayLike<number>, sigma: (j: number) => number): Folded {
  const weight = new Float32Array(fanOut * fanIn);
  const bias = new Float32Array(fanOut);
  for (let o = 0; o < fanOut; o++) {
    const k = (gain === null ? 1 : gain[o]) / sigma(o);
    for (let i = 0; i < fanIn; i++) weight[o * fanIn + i] = (inByOut ? w[i * fanOut + o] : w[o * fanIn + i]) * k;
    bias[o] = (beta === null ? 0 : beta[o]) - mean[o] * k;
  }
  return { weight, bias };
}

function assign(lin: Linear, f: Folded): void {
  lin.weight.f.set(f.weight);
  lin.bias!.f.set(f.bias);
}

/** A batch-norm-free model computing the same eval-mode function as `model`. */
export function foldBatchNorm(model: LanguageModel): PlainMLP {
  if (model instanceof PlainMLP) throw new Error('this model has no batch norm to fold');
  const c = model.config;
  if ((BATCH_INDEPENDENT_NORMS as readonly string[]).includes(c.norm)) {
    throw new MakemoreError(`a ${c.norm} model cannot be folded: its norm takes each example's own statistics, which no fixed Linear can hold`);
  }
  if (c.bnEval === 'batch') throw new MakemoreError('this model normalises with each batch\'s own statistics (--bn-eval batch): there are no fixed statistics to fold');
  const { bnEps, bias1, bnEval, ...shape } = c; // batch-norm options: the folded model has none
  void bnEps; void bias1; void bnEval;
  const folded = createModel({ ...shape, norm: 'none', init: 'kaiming' }, new Generator(0)) as PlainMLP;
  folded.embedding.weight.f.set(model instanceof NotebookMLP ? model.C.f : model.embedding.weight.f);
  const linears = folded.layers.layers.filter((m): m is Linear => m instanceof Linear);
  if (model instanceof NotebookMLP) {
    const fanIn = c.blockSize * c.embedDim;
    const std = model.bnstdRunning.f;
    const first = foldPair(model.W1.f, fanIn, c.hidden, true, model.bngain.f, model.bnbias.f, model.bnmeanRunning.f, (j) => std[j]);
    if (model.b1 !== null) for (let o = 0; o < c.hidden; o++) first.bias[o] += model.b1.f[o] * (model.bngain.f[o] / std[o]);
    assign(linears[0], first);
    const out = linears[1];
    for (let v = 0; v < c.vocabSize; v++) for (let h = 0; h < c.hidden; h++) out.weight.f[v * c.hidden + h] = model.W2.f[h * c.vocabSize + v];
    out.bias!.f.set(model.b2.f);
    return folded;
  }
  const m = model as ModuleMLP;
  const mods = m.layers.layers;
  let k = 0;
  for (let i = 0; i < mods.length; i++) {
    const lin = mods[i];
    const bn = mods[i + 1];
    if (!(lin instanceof Linear)) continue;
    if (!(bn instanceof BatchNorm1d) || bn.runningMean === null || bn.runningVar === null) throw new Error('expected every Linear to be followed by a BatchNorm1d with running statistics');
    const rv = bn.runningVar.f;
    const pair = foldPair(lin.weight.f, lin.inFeatures, lin.outFeatures, false, bn.weight?.f ?? null, bn.bias?.f ?? null, bn.runningMean.f, (j) => Math.sqrt(rv[j] + bn.eps));
    if (lin.bias !== null) for (let o = 0; o < lin.outFeatures; o++) pair.bias[o] += lin.bias.f[o] * ((bn.weight?.f[o] ?? 1) / Math.sqrt(rv[o] + bn.eps));
    assign(linears[k++], pair);
  }
  return folded;
}

