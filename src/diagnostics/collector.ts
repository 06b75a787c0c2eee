// Reading the statistics out of a live model: its Tanh outputs (and their gradients) and its
// parameters' gradients, at the moment after backward() and before the update. Everything is
// copied into plain numbers, so nothing outlives the training step's tidy() scope.
import type { ActivationProbe, LanguageModel } from '../model/index.js';
import type { HookHandle } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { gradDataRatio, histogram, moments, saturationPercent, std } from './stats.js';
import type { ActivationStats, OutputGradStats, ParameterStats, StepStats, UpdateRatio, WeightGradStats } from './types.js';

/** The weights the lecture watches: 2-D parameters (not the (1 × n) batch-norm gain/bias of the notebook). */
export function isWeight(t: Tensor): boolean {
  return t.ndim === 2 && t.shape[0] > 1 && t.shape[1] > 1;
}

export function activationStats(layer: string, t: ArrayLike<number>, bins = 100): ActivationStats {
  const { mean, std: s } = moments(t);
  return { layer, mean, std: s, saturation: saturationPercent(t), hist: histogram(t, bins) };
}

export function outputGradStats(layer: string, g: ArrayLike<number>, bins = 100): OutputGradStats {
  const { mean, std: s } = moments(g);
  return { layer, mean, std: s, hist: histogram(g, bins) };
}

export function weightGradStats(name: string, shape: readonly number[], grad: ArrayLike<number>, data: ArrayLike<number>, bins = 100): WeightGradStats {
  const { mean, std: s } = moments(grad);
  return { name, shape: [...shape], mean, std: s, gradData: gradDataRatio(grad, data), hist: histogram(grad, bins) };
}

export function parameterStats(name: string, shape: readonly number[], data: ArrayLike<number>, bins = 100): ParameterStats {
  const { mean, std: s } = moments(data);
  return { name, shape: [...shape], mean, std: s, hist: histogram(data, bins) };
}

export interface CollectorOptions {
  /** Histogram bins (torch.histogram's default is 100). */
  bins?: number;
}

/** Takes the statistics of a model at chosen steps. */
export class StatsCollector {
  readonly probes: ActivationProbe[];
  readonly bins: number;
  private readonly params: [string, Tensor][];
  /** Each probe's output of the last forward (valid within a step), kept by a forward hook. */
  private readonly outputs: (Tensor | null)[];
  private readonly handles: HookHandle[];
  private retaining = false;

  constructor(readonly model: LanguageModel, options: CollectorOptions = {}) {
    this.probes = model.activationProbes();
    this.bins = options.bins ?? 100;
    this.params = model.namedParameters();
    this.outputs = this.probes.map(() => null);
    this.handles = this.probes.map((p, k) => p.watch((out) => {
      if (this.retaining && out.requiresGrad) out.retainGrad();
      this.outputs[k] = out;
    }));
  }

  /** Keep (or stop keeping) the Tanh outputs' gradients in the next backward(). */
  retainGrads(on: boolean): void {
    this.retaining = on;
  }

  /** The probes' outputs of the last forward (their `.grad` after backward() while retaining). */
  lastOutputs(): readonly (Tensor | null)[] {
    return this.outputs;
  }

  /** Remove the hooks from the model. */
  detach(): void {
    for (const h of this.handles) h.remove();
  }

  /**
   * The statistics now: call after backward() and before the update (a TrainHooks.afterBackward),
   * with retainGrads(true) set before the forward for the output gradients.
   */
  capture(step: number, lr: number, loss: number): StepStats {
    const activations: ActivationStats[] = [];
    const outputGrads: OutputGradStats[] = [];
    for (const [k, p] of this.probes.entries()) {
      const t = this.outputs[k];
      if (t === null) continue;
      activations.push(activationStats(p.layer, t.floatData, this.bins));
      if (t.grad) outputGrads.push(outputGradStats(p.layer, t.grad.floatData, this.bins));
    }
    const weightGrads: WeightGradStats[] = [];
    const updates: UpdateRatio[] = [];
    for (const [name, t] of this.params) {
      const g = t.grad;
      if (!g) continue;
      const gf = g.floatData, df = t.floatData;
      if (isWeight(t)) weightGrads.push(weightGradStats(name, t.shape, gf, df, this.bins));
      updates.push({ name, shape: [...t.shape], log10: Math.log10((Math.abs(lr) * std(gf)) / std(df)) });
    }
    return { step, lr, loss, activations, outputGrads, weightGrads, updates };
  }

  /**
   * The parameters now (copies), to measure the update the optimizer then applies
   * (`measuredUpdates`): AdamW's or momentum's update is not lr·grad.
   */
  snapshot(): Float32Array[] {
    return this.params.map(([, t]) => Float32Array.from(t.floatData));
  }

  /** Replace the update ratios of `s` by std(p_after − p_before)/std(p_before), from a snapshot taken at capture. */
  measureUpdates(s: StepStats, before: readonly Float32Array[]): void {
    const byName = new Map(s.updates.map((u) => [u.name, u]));
    this.params.forEach(([name, t], k) => {
      const u = byName.get(name);
      if (u === undefined) return;
      const old = before[k];
      const now = t.floatData;
      u.log10 = Math.log10(std(Float32Array.from(now, (x, i) => x - old[i])) / std(old));
    });
  }

  /** Values of every 2-D weight (for a report from a model file, where there are no gradients). */
  parameterValues(): ParameterStats[] {
    return this.params.filter(([, t]) => isWeight(t)).map(([name, t]) => parameterStats(name, t.shape, t.floatData, this.bins));
  }
}
