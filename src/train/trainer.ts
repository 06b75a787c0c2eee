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
  /**
   * Inside a step, after backward() and before the update: gradients, activations (and their
   * retained gradients) are live here and freed when the step ends. For diagnostics.
   */
  afterBackward?(info: StepInfo): void;
  /** After every step. */
  onStep?(info: StepInfo): void;
  /** Checked before every step: true ends training early (Ctrl-C). */
  shouldStop?(): boolean;
}

export interface TrainOptions {
  /** First step to run (resuming): the learning-rate schedule continues from it. */
  startStep?: number;
}

export interface TrainResult {
  /** log10 of the loss of every step run (the notebook's `lossi`), from startStep on. */
  lossLog10: Float32Array;
  /** The loss of the last step. */
  lastLoss: number;
  /** The step after the last one run: cfg.steps, or less when stopped early. */
  nextStep: number;
}

export function train(model: LanguageModel, data: Dataset, cfg: TrainConfig, g: Generator, hooks: TrainHooks = {}, options: TrainOptions = {}): TrainResult {
  validateTrainConfig(cfg);
  const n = data.Y.numel;
  if (n === 0) throw new MakemoreError('the training split has no examples');
  const start = options.startStep ?? 0;
  const opt = new SGD(model.parameters(), cfg.lr);
  const lossLog10 = new Float32Array(Math.max(cfg.steps - start, 0));
  let lastLoss = Number.NaN;
  let i = start;
  model.train();
  for (; i < cfg.steps; i++) {
    if (hooks.shouldStop?.()) break;
    const lr = learningRate(cfg, i);
    // One scope per step: every activation and scratch buffer is released at its end, so the
    // next step reuses the same memory.
    lastLoss = tidy(() => {
      const ix = randint(0, n, [cfg.batchSize], { generator: g });
      const Xb = index(data.X, ix);
      const Yb = index(data.Y, ix);
      const loss = crossEntropy(model.forward(Xb), Yb);
      const value = loss.item();
      // A NaN/Inf loss would spread into every weight at the update: stop before it.
      if (!Number.isFinite(value)) {
        throw new MakemoreError(`training diverged: the loss is ${value} at step ${i} (learning rate ${lr}); try a smaller --lr`);
      }
      opt.zeroGrad();
      loss.backward();
      hooks.afterBackward?.({ step: i, loss: value, lr });
      opt.step(lr);
      return value;
    });
    lossLog10[i - start] = Math.log10(lastLoss);
    hooks.onStep?.({ step: i, loss: lastLoss, lr });
  }
  return { lossLog10: lossLog10.subarray(0, i - start), lastLoss, nextStep: i };
}
