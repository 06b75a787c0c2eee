// `makemore train` diagnostics flags: --stats-every, --eval-every, --report, --plots. Builds the
// TrainHooks for the run and, after it, prints the tables and writes the report and the plots.
import type { Command } from 'commander';
import type { Splits } from '../data/index.js';
import {
  TrainingDiagnostics, batchNormCalibration, batchNormTable, configRows, diagnosticsMetadata, statsReport,
  type DiagnosticsRecord, type FinalLosses, type StepStats,
} from '../diagnostics/index.js';
import { modelKind, type LanguageModel, type TrainConfig } from '../model/index.js';
import { buildPlots, writePlotsSync, writeReport } from '../report/index.js';
import type { StepInfo, TrainHooks } from '../train/index.js';
import { nonNegativeInt } from './parse.js';

export interface DiagnosticsFlags {
  /** Layer statistics every n steps (0 / undefined: off). */
  statsEvery?: number;
  /** Validation loss every n steps (0 / undefined: off). */
  evalEvery?: number;
  /** Write the HTML report here. */
  report?: string;
  /** Write the plots as PNG (and SVG) files into this folder. */
  plots?: string;
}

export function addDiagnosticsOptions(cmd: Command): Command {
  return cmd
    .option('--stats-every <n>', 'activation/gradient statistics every n steps (and at the last step); 0: off', nonNegativeInt)
    .option('--eval-every <n>', 'validation loss (eval mode), and the loss on as many training examples, every n steps; 0: off (default 500 with --work-dir)', nonNegativeInt)
    .option('--report <file>', 'write a self-contained HTML report (loss curves, histograms, ratios)')
    .option('--plots <dir>', 'write the report\'s plots as PNG and SVG files into this folder');
}

export interface DiagnosticsContext {
  /** Print a line during training without breaking the progress bar (default console.log). finish() prints with console.log. */
  log?: (line: string) => void;
  /** Title of the report (default: "makemore: <norm> model"). */
  title?: string;
  /** Extra config rows (the data file, ...). */
  extraConfig?: Record<string, string | number>;
  /** First step (resuming). */
  startStep?: number;
  /** Called after each evaluation's line is printed (the work directory keeps the best model). */
  onEval?(step: number, valLoss: number, trainLoss: number): void;
}

export interface DiagnosticsRun {
  hooks: TrainHooks;
  /** Print the tables and build the record. Call after training with the final losses. */
  finish(final: FinalLosses): void;
  /** Write the report and the plots (after finish(), once the model is saved). */
  writeFiles(): void;
  /** The record built by finish() (null before). */
  record(): DiagnosticsRecord | null;
  /** Model file metadata carrying the loss curves and statistics (for `makemore report --model`); after finish(). */
  metadata(): Record<string, string>;
}

/** Are any diagnostics asked for? */
export function diagnosticsRequested(flags: DiagnosticsFlags): boolean {
  return (flags.statsEvery ?? 0) > 0 || (flags.evalEvery ?? 0) > 0 || flags.report !== undefined || flags.plots !== undefined;
}

/**
 * The diagnostics of a training run, or null when no flag asks for any (then training pays
 * nothing). The hooks must be passed to train() (merge them with the caller's: mergeHooks).
 */
export function createTrainDiagnostics(flags: DiagnosticsFlags, model: LanguageModel, splits: Splits, trainCfg: TrainConfig, ctx: DiagnosticsContext = {}): DiagnosticsRun | null {
  if (!diagnosticsRequested(flags)) return null;
  const log = ctx.log ?? ((line: string) => console.log(line));
  const statsEvery = flags.statsEvery ?? 0;
  let printed = 0;
  const diag = new TrainingDiagnostics(model, {
    steps: trainCfg.steps,
    startStep: ctx.startStep,
    statsEvery,
    evalEvery: flags.evalEvery,
    val: splits.val,
    train: splits.train,
    // lr·grad is the update of plain SGD only
    measuredUpdates: (trainCfg.optimizer ?? 'sgd') !== 'sgd' || (trainCfg.momentum ?? 0) > 0 || (trainCfg.weightDecay ?? 0) > 0 || trainCfg.clipGradNorm !== undefined,
    onStats: (s: StepStats) => {
      // The first statistics step in full; the last one is printed by finish().
      if (printed++ === 0) log(statsReport(s));
    },
    onEval: (step, loss, trainLoss = NaN) => {
      log(`${String(step).padStart(7)}/${String(trainCfg.steps).padStart(7)}: val ${loss.toFixed(4)}, train ${trainLoss.toFixed(4)} (first ${Math.min(splits.val.Y.shape[0], splits.train.Y.shape[0])} ${model.output === 'sequence' ? 'words' : 'examples'})`);
      ctx.onEval?.(step, loss, trainLoss);
    },
  });
  let record: DiagnosticsRecord | null = null;
  return {
    hooks: diag.hooks,
    record: () => record,
    metadata: () => (record === null ? {} : diagnosticsMetadata(record)),
    finish(final: FinalLosses): void {
      const log = (line: string): void => console.log(line);
      diag.close();
      const last = diag.stats.at(-1);
      if (last !== undefined && diag.stats.length > 1) log(statsReport(last));
      const wantsBn = statsEvery > 0 || flags.report !== undefined || flags.plots !== undefined;
      const batchNorm = wantsBn ? batchNormCalibration(model, splits.train, { val: splits.val }) ?? undefined : undefined;
      if (batchNorm !== undefined && statsEvery > 0) log(['batch norm: running statistics vs the full training split', ...batchNormTable(batchNorm).map((l) => `  ${l}`)].join('\n'));
      record = {
        title: ctx.title ?? `makemore: ${modelKind(model.config).title(model.config)}`,
        config: { ...configRows(model, trainCfg), ...ctx.extraConfig },
        numParameters: model.numParameters(),
        loss: diag.lossCurve(),
        val: diag.val,
        final,
        stats: diag.stats,
        batchNorm,
      };
    },
    writeFiles(): void {
      if (record === null) return;
      const log = (line: string): void => console.log(line);
      if (flags.report !== undefined) {
        writeReport(flags.report, record);
        log(`report: ${flags.report}`);
      }
      if (flags.plots !== undefined) {
        const written = writePlotsSync(buildPlots(record), flags.plots);
        log(`plots: ${written.map((w) => w.png).join(', ')}`);
      }
    },
  };
}

/** One TrainHooks calling each given hook in turn (undefined entries are skipped). */
export function mergeHooks(...all: (TrainHooks | undefined | null)[]): TrainHooks {
  const hs = all.filter((h): h is TrainHooks => h !== undefined && h !== null);
  const after = hs.filter((h) => h.afterBackward !== undefined);
  const on = hs.filter((h) => h.onStep !== undefined);
  const stop = hs.filter((h) => h.shouldStop !== undefined);
  const merged: TrainHooks = {};
  if (after.length > 0) merged.afterBackward = (i: StepInfo) => { for (const h of after) h.afterBackward!(i); };
  if (on.length > 0) merged.onStep = (i: StepInfo) => { for (const h of on) h.onStep!(i); };
  if (stop.length > 0) merged.shouldStop = () => stop.some((h) => h.shouldStop!());
  return merged;
}
