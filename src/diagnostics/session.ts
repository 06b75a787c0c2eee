// Diagnostics of one training run as TrainHooks: the loss of every step, the validation loss
// every `evalEvery` steps, and the layer statistics every `statsEvery` steps. A statistics step
// costs a few passes over the activations and gradients; the other steps pay one array store
// (the loss) and, with statsEvery, two integer tests. Output gradients are retained only for
// the forward of a statistics step.
import { datasetRows, type Dataset } from '../data/index.js';
import type { LanguageModel } from '../model/index.js';
import type { StepInfo, TrainHooks } from '../train/index.js';
import { splitLoss } from '../train/index.js';
import { StatsCollector } from './collector.js';
import { windowMeans } from './stats.js';
import type { LossCurve, StepStats } from './types.js';

export interface TrainingDiagnosticsOptions {
  /** Steps of the run: statistics are also taken at the last one. */
  steps: number;
  /** First step (resuming). */
  startStep?: number;
  /** Take layer statistics at every step that is a multiple of this (0 or undefined: never). */
  statsEvery?: number;
  /** Validation loss after every this many steps (0 or undefined: never); needs `val`. */
  evalEvery?: number;
  val?: Dataset;
  /**
   * The training split: each evaluation then also reports the loss on its first examples, as
   * many as `val` holds (makemore.py's estimate on a sample; the split's words are shuffled).
   */
  train?: Dataset;
  /** Window of the smooth loss curve (default 1000 steps). */
  window?: number;
  bins?: number;
  /** Called with each statistics step (e.g. to print the tables). */
  onStats?(s: StepStats): void;
  /** Called with each validation loss (and the training sample's, given `train`). */
  onEval?(step: number, loss: number, trainLoss?: number): void;
  /**
   * Measure each update:data ratio as the change the optimizer applied (std(Δp)/std(p)) instead
   * of lr·std(grad)/std(p), which is the update of plain SGD only (AdamW, momentum, clipping).
   */
  measuredUpdates?: boolean;
  /** Most loss points kept in the record's loss curve (default 20,000: thinned by a stride above). */
  maxLossPoints?: number;
}

/** The first n examples of a dataset (views, no copy). */
function firstRows(d: Dataset, n: number): Dataset {
  return datasetRows(d, 0, Math.min(n, d.Y.shape[0]));
}

export class TrainingDiagnostics {
  readonly stats: StepStats[] = [];
  readonly val: { step: number; loss: number }[] = [];
  readonly hooks: TrainHooks;
  private readonly lossLog10: Float32Array;
  private recorded = 0;
  private readonly start: number;
  private readonly collector: StatsCollector | null;
  private readonly trainSample: Dataset | null;

  constructor(readonly model: LanguageModel, readonly options: TrainingDiagnosticsOptions) {
    const { steps } = options;
    this.start = options.startStep ?? 0;
    this.lossLog10 = new Float32Array(Math.max(0, steps - this.start));
    const every = options.statsEvery ?? 0;
    const evalEvery = options.evalEvery ?? 0;
    const val = options.val;
    this.trainSample = options.train !== undefined && val !== undefined ? firstRows(options.train, val.Y.shape[0]) : null;
    this.collector = every > 0 ? new StatsCollector(model, { bins: options.bins }) : null;
    const last = steps - 1;
    const isStatsStep = (i: number): boolean => i % every === 0 || i === last;
    const collector = this.collector;
    if (collector !== null && isStatsStep(this.start)) collector.retainGrads(true);
    if (evalEvery > 0 && val !== undefined && this.start === 0) this.evaluate(0);

    /** A statistics step's stats and the parameters before its update (measuredUpdates). */
    let pending: { s: StepStats; before: Float32Array[] } | null = null;
    const hooks: TrainHooks = {
      onStep: (info: StepInfo) => {
        if (pending !== null && collector !== null) {
          collector.measureUpdates(pending.s, pending.before);
          options.onStats?.(pending.s);
          pending = null;
        }
        const k = info.step - this.start;
        if (k >= 0 && k < this.lossLog10.length) {
          this.lossLog10[k] = Math.log10(info.loss);
          this.recorded = k + 1;
        }
        if (collector !== null) {
          // Retain the output gradients exactly for the forward of the next statistics step.
          const next = info.step + 1;
          if (isStatsStep(next)) collector.retainGrads(true);
          else if (isStatsStep(info.step)) collector.retainGrads(false);
        }
        if (evalEvery > 0 && val !== undefined && ((info.step + 1) % evalEvery === 0 || info.step === last)) this.evaluate(info.step + 1);
      },
    };
    if (collector !== null) {
      hooks.afterBackward = (info: StepInfo) => {
        if (!isStatsStep(info.step)) return;
        const s = collector.capture(info.step, info.lr, info.loss);
        this.stats.push(s);
        if (options.measuredUpdates === true) {
          // the ratios are final after the update: report the step then
          pending = { s, before: collector.snapshot() };
          return;
        }
        options.onStats?.(s);
      };
    }
    this.hooks = hooks;
  }

  private evaluate(step: number): void {
    if (this.val.length > 0 && this.val[this.val.length - 1].step === step) return;
    const loss = splitLoss(this.model, this.options.val!);
    this.val.push({ step, loss });
    this.options.onEval?.(step, loss, this.trainSample !== null ? splitLoss(this.model, this.trainSample) : undefined);
  }

  /** Stop retaining gradients and remove the hooks (after training, or when it stopped early). */
  close(): void {
    this.collector?.retainGrads(false);
    this.collector?.detach();
  }

  /** The loss curve so far: per step (thinned above maxLossPoints) and its window means. */
  lossCurve(): LossCurve {
    const all = this.lossLog10.subarray(0, this.recorded);
    const window = this.options.window ?? 1000;
    const max = this.options.maxLossPoints ?? 20_000;
    const stride = Math.max(1, Math.ceil(all.length / max));
    const lossLog10: number[] = [];
    for (let i = 0; i < all.length; i += stride) lossLog10.push(all[i]);
    return { startStep: this.start, stride, lossLog10, window, smoothLog10: windowMeans(all, window) };
  }
}
