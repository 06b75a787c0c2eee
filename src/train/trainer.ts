// The training loop of the notebook: minibatches drawn uniformly with replacement by randint on
// the model's generator, forward, cross-entropy, backward, SGD with a step learning-rate decay.
import type { Dataset } from '../data/index.js';
import type { LanguageModel } from '../model/index.js';
import { learningRate, validateTrainConfig, type TrainConfig } from '../model/index.js';
import { SGD } from '../optim/index.js';
import type { Generator } from '../random/index.js';
import { crossEntropy, index, randint, tidy } from '../tensor/index.js';
import { MakemoreError } from '../errors.js';

export interface StepInfo {
  step: number;
  loss: number;
  lr: number;
}

export interface TrainHooks {
  /** After every step. */
  onStep?(info: StepInfo): void;
}

export interface TrainResult {
  /** log10 of the loss at every step (the notebook's `lossi`). */
  lossLog10: Float32Array;
  /** The loss of the last step. */
  lastLoss: number;
}

export function train(model: LanguageModel, data: Dataset, cfg: TrainConfig, g: Generator, hooks: TrainHooks = {}): TrainResult {
  validateTrainConfig(cfg);
  const n = data.Y.numel;
  if (n === 0) throw new MakemoreError('the training split has no examples');
  const opt = new SGD(model.parameters(), cfg.lr);
  const lossLog10 = new Float32Array(cfg.steps);
  let lastLoss = Number.NaN;
  model.train();
  for (let i = 0; i < cfg.steps; i++) {
    const lr = learningRate(cfg, i);
    // One scope per step: every activation and scratch buffer is released at its end, so the
    // next step reuses the same memory.
    lastLoss = tidy(() => {
      const ix = randint(0, n, [cfg.batchSize], { generator: g });
      const Xb = index(data.X, ix);
      const Yb = index(data.Y, ix);
      const loss = crossEntropy(model.forward(Xb), Yb);
      opt.zeroGrad();
      loss.backward();
      opt.step(lr);
      return loss.item();
    });
    lossLog10[i] = Math.log10(lastLoss);
    hooks.onStep?.({ step: i, loss: lastLoss, lr });
  }
  return { lossLog10, lastLoss };
}
