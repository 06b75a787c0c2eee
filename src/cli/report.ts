// `makemore report --model m.safetensors --out report.html`: the report of a saved model. From
// the file alone: config, weight histograms, and the loss curves and statistics of its training
// when `makemore train` stored them (metadata "diagnostics"). With the word list it was trained
// on (--data, else the one recorded in the file, else the bundled names): the final losses, the
// batch-norm running statistics against the full training split, and (when the file has no
// statistics of its own) the statistics of one minibatch at the saved weights.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Splits } from '../data/index.js';
import {
  StatsCollector, batchNormCalibration, batchNormTable, configRows, diagnosticsFromMetadata, statsReport,
  type DiagnosticsRecord, type FinalLosses, type StepStats,
} from '../diagnostics/index.js';
import { loadModel } from '../model/io.js';
import { DEFAULT_TRAIN, learningRate, type LanguageModel } from '../model/index.js';
import { Generator } from '../random/index.js';
import { buildPlots, writePlotsSync, writeReport } from '../report/index.js';
import { index, randint, tidy } from '../tensor/index.js';
import { modelLoss, runSplits, splitLoss } from '../train/index.js';
import { MakemoreError } from '../errors.js';
import { recordedData, wordsForModel } from './modelData.js';
import { integer } from './parse.js';
import { checkPlotsApart, checkPlotsDir, checkReportPath } from './outputs.js';

export interface ReportFlags {
  model: string;
  out: string;
  data?: string;
  plots?: string;
  seed: number;
}

/** Statistics of one training-mode step (forward, backward, no update) on a minibatch. */
export function minibatchStats(model: LanguageModel, splits: Splits, step: number, lr: number, seed: number, batchSize = 32): StepStats {
  const collector = new StatsCollector(model);
  const g = new Generator(seed);
  const wasTraining = model.training;
  model.train();
  collector.retainGrads(true);
  try {
    return tidy(() => {
      const n = splits.train.Y.shape[0];
      const ix = randint(0, n, [Math.min(batchSize, n)], { generator: g });
      const loss = modelLoss(model, model.forward(index(splits.train.X, ix)), index(splits.train.Y, ix));
      model.zeroGrad();
      loss.backward();
      const s = collector.capture(step, lr, loss.item());
      model.zeroGrad();
      return s;
    });
  } finally {
    collector.retainGrads(false);
    model.train(wasTraining);
  }
}

export function runReport(flags: ReportFlags): void {
  // Before any work: the report must not replace the model, the word list or any other file.
  checkPlotsApart(flags.plots, [['--out', flags.out, 'report']]);
  checkReportPath(flags.out, '--out');
  if (flags.plots !== undefined) checkPlotsDir(flags.plots);
  const { model, vocab, info, metadata } = loadModel(flags.model);
  const stored = diagnosticsFromMetadata(metadata);
  const notes: string[] = [];
  let splits: Splits | null = null;
  const data = flags.data ?? recordedData(info);
  if (flags.data === undefined && !existsSync(data)) {
    notes.push(`The word list ${data} recorded in the model file was not found: no losses or batch-norm check (pass --data).`);
  } else {
    // The recorded list when it no longer serves the model: a note, not other losses.
    let words: string[] | null = null;
    try {
      words = wordsForModel(info, vocab, flags.model, flags.data).words;
    } catch (e) {
      if (flags.data !== undefined || !(e instanceof MakemoreError)) throw e;
      notes.push(`${e.message}: no losses or batch-norm check.`);
    }
    if (words !== null) splits = runSplits(words, vocab, model, info.train ?? DEFAULT_TRAIN, data);
  }

  let final: FinalLosses | undefined = stored?.final;
  let batchNorm: DiagnosticsRecord['batchNorm'];
  let stats: StepStats[] = stored?.stats ?? [];
  if (splits !== null) {
    final = { train: splitLoss(model, splits.train), val: splitLoss(model, splits.val), test: splitLoss(model, splits.test) };
    batchNorm = batchNormCalibration(model, splits.train, { val: splits.val }) ?? undefined;
    if (batchNorm) console.log(['batch norm: running statistics vs the full training split', ...batchNormTable(batchNorm).map((l) => `  ${l}`)].join('\n'));
    if (stats.length === 0) {
      // Last: a training-mode forward updates the running statistics (of this copy only).
      const lr = info.train ? learningRate(info.train, Math.max(0, info.step - 1)) : DEFAULT_TRAIN.lrFinal;
      const s = minibatchStats(model, splits, info.step, lr, flags.seed);
      stats = [s];
      notes.push(`Statistics of one minibatch of 32 at the saved weights (generator seed ${flags.seed}), forward and backward in training mode, no update.`);
      console.log(statsReport(s));
    }
  }
  if (stored === null) notes.push('The model file holds no training diagnostics (train with --stats-every/--eval-every and --out to store the loss curves).');
  const collector = new StatsCollector(model);
  const record: DiagnosticsRecord = {
    title: `makemore report: ${flags.model}`,
    config: { ...configRows(model, info.train), step: info.step, ...(splits !== null ? { data } : {}) },
    numParameters: model.numParameters(),
    loss: stored?.loss,
    val: stored?.val ?? [],
    final,
    stats,
    batchNorm,
    parameters: collector.parameterValues(),
    notes,
  };
  writeReport(flags.out, record);
  console.log(`report: ${flags.out}`);
  if (flags.plots !== undefined) {
    const written = writePlotsSync(buildPlots(record), flags.plots);
    console.log(`plots: ${written.map((w) => w.png).join(', ')}`);
  }
}

export function registerReport(program: Command): void {
  program.command('report')
    .description('write an HTML report (loss curves, histograms, batch-norm check) of a saved model')
    .requiredOption('--model <file>', 'model file written by `makemore train --out`')
    .requiredOption('--out <file>', 'HTML file to write')
    .option('--data <file>', 'word list (default: the one the model was trained on)')
    .option('--plots <dir>', 'also write the plots as PNG and SVG files into this folder')
    .option('--seed <n>', 'generator seed of the minibatch for the statistics', integer, 2147483647)
    .action((flags: ReportFlags) => runReport(flags));
}
