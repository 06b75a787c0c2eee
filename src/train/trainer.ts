// The training loop of the notebook: minibatches drawn uniformly with replacement by randint on
// the model's generator, forward, cross-entropy, backward, SGD with a step learning-rate decay.
// makemore.py's family (output "sequence") draws rows of padded words the same way (from its
// sampler's generator, train/data.ts) and takes the loss over every position (loss.ts).
import type { Dataset } from '../data/index.js';
import type { FusedTrainStep, LanguageModel } from '../model/index.js';
import { learningRate, modelKind, validateTrainConfig, type TrainConfig } from '../model/index.js';
import { clipGradNorm, SGD, type Optimizer } from '../optim/index.js';
import { createOptimizer } from './optimizer.js';
import type { Generator } from '../random/index.js';
import { index, randint, tidy } from '../tensor/index.js';
import { trainingLoss } from './loss.js';
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
  /** The optimizer to step (a resumed one, with its state); default: a new one from the config. */
  optimizer?: Optimizer;
  /**
   * A one-call step to take instead of the model's own `fusedTrainStep`, where that would apply
   * (no afterBackward hook, plain SGD): fast mode's step on every core (parallel/stepThreads.ts).
   */
  fusedStep?: FusedTrainStep;
}

export interface TrainResult {
  /** log10 of the loss of every step run (the notebook's `lossi`), from startStep on. */
  lossLog10: Float32Array;
  /** The loss of the last step. */
  lastLoss: number;
  /** The step after the last one run: cfg.steps, or less when stopped early. */
  nextStep: number;
}

/** Whether the minibatch rows `ix` of contexts X (rows × width) are all one context. */
function sameContext(X: Int32Array, width: number, ix: Int32Array): boolean {
  const first = ix[0] * width;
  for (let b = 1; b < ix.length; b++) {
    const row = ix[b] * width;
    for (let k = 0; k < width; k++) if (X[row + k] !== X[first + k]) return false;
  }
  return true;
}

/** A training run, one step at a time: `train` runs it to the end, `trainAsync` in slices. */
export class Trainer {
  readonly opt: Optimizer;
  private readonly n: number;
  private readonly start: number;
  private readonly lossLog10: Float32Array;
  private step: number;
  private lastLoss = Number.NaN;
  /** Last step whose minibatch held one context only (batch norm's batch std is 0 there). */
  private lastIdentical = -1;
  /** The model divides by a batch std without a floor: watch for minibatches of one context. */
  private readonly zeroBatchStdFails: boolean;
  /** The model's one-call training step (same numbers), unless hooks need the step's tensors. */
  private readonly fused: FusedTrainStep | null;

  constructor(readonly model: LanguageModel, readonly data: Dataset, readonly cfg: TrainConfig, readonly g: Generator,
    readonly hooks: TrainHooks = {}, options: TrainOptions = {}) {
    this.zeroBatchStdFails = modelKind(model.config).zeroBatchStdFails === true;
    validateTrainConfig(cfg);
    this.n = data.Y.shape[0];
    if (this.n === 0) throw new MakemoreError('the training split has no examples');
    this.start = options.startStep ?? 0;
    this.step = this.start;
    this.opt = options.optimizer ?? createOptimizer(model.parameters(), cfg);
    this.lossLog10 = new Float32Array(Math.max(cfg.steps - this.start, 0));
    // The fused step does plain SGD: any other update goes through autograd and the optimizer.
    const plain = this.opt instanceof SGD && this.opt.isPlain && cfg.clipGradNorm === undefined;
    this.fused = hooks.afterBackward === undefined && plain ? options.fusedStep ?? model.fusedTrainStep?.(cfg.batchSize, data.X, data.Y) ?? null : null;
  }

  /** The one-call step this trainer takes (options.fusedStep, the model's own), or null: autograd. */
  get fusedStep(): FusedTrainStep | null {
    return this.fused;
  }

  /** True when every step ran or a hook asked to stop. */
  get done(): boolean {
    return this.step >= this.cfg.steps || (this.hooks.shouldStop?.() ?? false);
  }

  /** Run one step; returns its loss. */
  runStep(): number {
    const { model, data, cfg, g, hooks, opt, n } = this;
    const i = this.step;
    const lr = learningRate(cfg, i);
    model.train();
    // One scope per step: every activation and scratch buffer is released at its end, so the
    // next step reuses the same memory.
    const loss = tidy(() => {
      const ix = randint(0, n, [cfg.batchSize], { generator: g });
      // The fused step skips forward(): a module hook someone registered must still see each step.
      if (this.fused !== null && !model.hasHooks()) {
        const value = this.fused.step(ix, lr);
        this.checkLoss(value, ix.intData, i, lr);
        return value;
      }
      const Xb = index(data.X, ix);
      const Yb = index(data.Y, ix);
      const lossT = trainingLoss(model, Xb, Yb);
      const value = lossT.item();
      this.checkLoss(value, ix.intData, i, lr);
      opt.zeroGrad();
      lossT.backward();
      hooks.afterBackward?.({ step: i, loss: value, lr });
      if (cfg.clipGradNorm !== undefined) clipGradNorm(opt.params, cfg.clipGradNorm);
      opt.step(lr);
      return value;
    });
    this.lossLog10[i - this.start] = Math.log10(loss);
    this.lastLoss = loss;
    this.step = i + 1;
    hooks.onStep?.({ step: i, loss, lr });
    return loss;
  }

  /** Throws when the loss is not finite (before the update), naming the cause. */
  private checkLoss(value: number, ix: Int32Array, i: number, lr: number): void {
    const { cfg, data } = this;
    // A minibatch of one repeated context has a zero batch std: without eps the forward divides
    // by it; with eps (the seed's `std + 1e-5`) the std's gradient is 0/0 and NaN reaches the
    // weights at the update, so the loss is NaN one step later. Name that cause.
    if (this.zeroBatchStdFails && sameContext(data.X.intData, data.X.shape[1], ix)) this.lastIdentical = i;
    // A NaN/Inf loss would spread into every weight at the update: stop before it.
    if (!Number.isFinite(value)) {
      if (this.lastIdentical >= 0 && i - this.lastIdentical <= 1) {
        throw new MakemoreError(`training stopped: the loss is ${value} at step ${i} because the ${cfg.batchSize} examples of the minibatch at step ${this.lastIdentical} have the same context, so batch norm's batch standard deviation is zero (no gradient exists there); use more (or more varied) words, a larger --batch-size, or --norm batchnorm1d`);
      }
      throw new MakemoreError(`training diverged: the loss is ${value} at step ${i} (learning rate ${lr}); try a smaller --lr`);
    }
  }

  result(): TrainResult {
    return { lossLog10: this.lossLog10.subarray(0, this.step - this.start), lastLoss: this.lastLoss, nextStep: this.step };
  }
}

/** Train to the end (or until shouldStop), synchronously. */
export function train(model: LanguageModel, data: Dataset, cfg: TrainConfig, g: Generator, hooks: TrainHooks = {}, options: TrainOptions = {}): TrainResult {
  const t = new Trainer(model, data, cfg, g, hooks, options);
  while (!t.done) t.runStep();
  return t.result();
}

/**
 * Train, returning to the event loop every `sliceMs` so signals (Ctrl-C), timers (progress
 * bars) and a browser's UI keep running. Same steps, same numbers as `train`.
 */
export async function trainAsync(model: LanguageModel, data: Dataset, cfg: TrainConfig, g: Generator, hooks: TrainHooks = {}, options: TrainOptions & { sliceMs?: number } = {}): Promise<TrainResult> {
  const t = new Trainer(model, data, cfg, g, hooks, options);
  const slice = options.sliceMs ?? 50;
  while (!t.done) {
    const end = performance.now() + slice;
    do t.runStep(); while (!t.done && performance.now() < end);
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  return t.result();
}
