// The notebook's "calibrate the batch norm at the end of training" check: the mean and spread of
// every batch-norm input over the whole training split, against the running estimates the model
// kept during training; and the validation loss with either.
//
// The inputs are those of an eval-mode forward (earlier layers normalised with their running
// estimates, i.e. what the model sees at inference), accumulated in double over chunks.
import type { Dataset } from '../data/index.js';
import type { LanguageModel } from '../model/index.js';
import { Tensor, noGrad, tidy } from '../tensor/index.js';
import { splitLoss } from '../train/index.js';
import { absDiff } from './stats.js';
import type { BatchNormCalibration, BatchNormCheck } from './types.js';

export interface CalibrationOptions {
  /** Also compute the validation loss with the running and with the full-batch statistics. */
  val?: Dataset;
  chunk?: number;
}

/** Full-batch statistics of every batch-norm input over `train`; null for a model without batch norm. */
export function batchNormCalibration(model: LanguageModel, train: Dataset, options: CalibrationOptions = {}): BatchNormCalibration | null {
  const ss = model.batchNormSites();
  if (ss.length === 0) return null;
  const chunk = options.chunk ?? 8192;
  const n = train.Y.numel;
  const block = train.X.shape[1];
  const sums = ss.map((s) => new Float64Array(s.runningMean.numel));
  const sq = ss.map((s) => new Float64Array(s.runningMean.numel));
  // Rows each input had: examples, or examples × positions for a channels-last (B, T, C) one.
  const rowsSeen = ss.map(() => 0);
  const wasTraining = model.training;
  // Each batch norm's input, accumulated by a forward hook during eval-mode forwards of the split.
  const handles = ss.map((site, k) => site.watchInput((x) => {
    const f = x.floatData, [rows, cols] = x.shape, S = sums[k], Q = sq[k];
    rowsSeen[k] += rows;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let c = 0; c < cols; c++) {
        const v = f[o + c];
        S[c] += v;
        Q[c] += v * v;
      }
    }
  }));
  model.eval();
  try {
    noGrad(() => {
      for (let s = 0; s < n; s += chunk) {
        const e = Math.min(n, s + chunk);
        const X = new Tensor(train.X.intData.subarray(s * block, e * block), [e - s, block], 'int32');
        tidy(() => { model.forward(X); });
      }
    });
  } finally {
    for (const h of handles) h.remove();
    model.train(wasTraining);
  }
  const layers: BatchNormCheck[] = ss.map((site, k) => {
    const fullMean: number[] = [], full: number[] = [];
    const rows = rowsSeen[k];
    for (let c = 0; c < sums[k].length; c++) {
      const mean = sums[k][c] / rows;
      const variance = Math.max(0, (sq[k][c] - rows * mean * mean) / (rows - 1)); // unbiased, as both running estimates
      fullMean.push(mean);
      full.push(site.kind === 'std' ? Math.sqrt(variance) : variance);
    }
    const runningMean = Array.from(site.runningMean.floatData);
    const running = Array.from(site.running.floatData);
    return {
      name: site.name, kind: site.kind, runningMean, fullMean, running, full,
      meanDiff: absDiff(runningMean, fullMean), spreadDiff: absDiff(running, full),
    };
  });
  const result: BatchNormCalibration = { layers, examples: n };
  if (options.val !== undefined && options.val.Y.numel > 0) {
    result.valRunning = splitLoss(model, options.val);
    // Swap in the full-batch statistics, evaluate, swap back.
    const saved = ss.map((s) => [Float32Array.from(s.runningMean.floatData), Float32Array.from(s.running.floatData)] as const);
    try {
      ss.forEach((s, k) => { s.runningMean.floatData.set(layers[k].fullMean); s.running.floatData.set(layers[k].full); });
      result.valCalibrated = splitLoss(model, options.val);
    } finally {
      ss.forEach((s, k) => { s.runningMean.floatData.set(saved[k][0]); s.running.floatData.set(saved[k][1]); });
    }
  }
  return result;
}
