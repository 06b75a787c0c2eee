// The diagnostics of a run as plain data (JSON-serialisable): what the tables print, what the
// report plots, what a model file can carry.
import type { Histogram } from './stats.js';

/** Statistics of one Tanh layer's output (the lecture's "activation distribution"). */
export interface ActivationStats {
  /** e.g. "layer 2 (Tanh)": the index in the model's Sequential (PyTorch's names). */
  layer: string;
  mean: number;
  std: number;
  /** % of |t| > 0.97. */
  saturation: number;
  hist: Histogram;
}

/** Statistics of the gradient of one layer's output (the lecture's "gradient distribution"). */
export interface OutputGradStats {
  layer: string;
  mean: number;
  std: number;
  hist: Histogram;
}

/** Statistics of the gradient of one 2-D weight. */
export interface WeightGradStats {
  name: string;
  shape: number[];
  mean: number;
  std: number;
  /** std(grad) / std(data). */
  gradData: number;
  hist: Histogram;
}

/** log10(std(lr·grad) / std(data)) of one parameter at one step (NaN when undefined). */
export interface UpdateRatio {
  name: string;
  shape: number[];
  log10: number;
}

/** Everything measured at one statistics step. */
export interface StepStats {
  step: number;
  lr: number;
  loss: number;
  activations: ActivationStats[];
  outputGrads: OutputGradStats[];
  weightGrads: WeightGradStats[];
  updates: UpdateRatio[];
}

/** One batch-norm layer: its running estimates against the statistics of the whole training split. */
export interface BatchNormCheck {
  /** e.g. "layers.1" (PyTorch's name of the BatchNorm1d). */
  name: string;
  /** "std": the notebook's running std (unbiased); "var": BatchNorm1d's running var (unbiased). */
  kind: 'std' | 'var';
  runningMean: number[];
  fullMean: number[];
  running: number[];
  full: number[];
  meanDiff: { max: number; mean: number };
  spreadDiff: { max: number; mean: number };
}

export interface BatchNormCalibration {
  layers: BatchNormCheck[];
  /** Examples the full statistics were computed over. */
  examples: number;
  /** Validation loss in eval mode with the running estimates, and with the full-batch statistics. */
  valRunning?: number;
  valCalibrated?: number;
}

/** Values (not gradients) of one parameter: for a report from a model file. */
export interface ParameterStats {
  name: string;
  shape: number[];
  mean: number;
  std: number;
  hist: Histogram;
}

export interface LossCurve {
  /** Step of lossLog10[0]. */
  startStep: number;
  /** Steps between consecutive entries of lossLog10 (1 unless thinned for size). */
  stride: number;
  /** log10 of the training loss (per step, or every `stride` steps). */
  lossLog10: number[];
  /** Window of the smooth curve, in steps. */
  window: number;
  /** Mean of log10 loss over each window of `window` steps. */
  smoothLog10: number[];
}

export interface FinalLosses {
  train?: number;
  val?: number;
  test?: number;
}

export interface DiagnosticsRecord {
  title: string;
  /** Model config, train config and anything else worth showing, as key → value. */
  config: Record<string, string | number | boolean>;
  numParameters?: number;
  loss?: LossCurve;
  /** Validation loss (eval mode) at chosen steps. */
  val: { step: number; loss: number }[];
  final?: FinalLosses;
  stats: StepStats[];
  batchNorm?: BatchNormCalibration;
  parameters?: ParameterStats[];
  notes?: string[];
}
