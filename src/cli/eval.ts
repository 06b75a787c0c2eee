// `makemore eval`: losses of a saved model in eval mode on the splits of a word list. The split
// is recomputed from the seed saved in the model and the data, so it is the one trained on.
import { Option, type Command } from 'commander';
import { loadModel } from '../model/io.js';
import { DEFAULT_TRAIN } from '../model/index.js';
import { runSplits } from '../train/index.js';
import { EvalPool } from '../parallel/evalThreads.js';
import { MakemoreError } from '../errors.js';
import { wordsForModel } from './modelData.js';
import { positiveInt } from './parse.js';

export interface EvalFlags {
  model: string;
  data?: string;
  split: 'train' | 'val' | 'test' | 'all';
  json?: boolean;
  /** Threads (default: every core). */
  threads?: number;
}

export async function runEval(flags: EvalFlags): Promise<void> {
  const pool = EvalPool.start(flags.threads); // its threads load their kernels while the model and data load here
  try {
    await evaluate(flags, pool);
  } finally {
    await pool.close();
  }
}

async function evaluate(flags: EvalFlags, pool: EvalPool): Promise<void> {
  const { model, vocab, info } = loadModel(flags.model);
  const { data, words } = wordsForModel(info, vocab, flags.model, flags.data);
  const splits = runSplits(words, vocab, model, info.train ?? DEFAULT_TRAIN, data);
  const names = flags.split === 'all' ? (['train', 'val', 'test'] as const) : [flags.split];
  const losses: Record<string, number> = {};
  for (const s of names) losses[s] = await pool.splitLoss(model, splits[s]);
  const bad = names.find((s) => !Number.isFinite(losses[s]));
  if (bad !== undefined) throw new MakemoreError(`${flags.model}: its ${bad} loss is ${losses[bad]}; the model's predictions are not finite on ${data} (its training diverged, or its batch-norm statistics are degenerate)`);
  if (flags.json) console.log(JSON.stringify({ model: flags.model, data, step: info.step, losses }));
  else for (const s of names) console.log(`${s} ${losses[s].toFixed(4)}`);
}

export function registerEval(program: Command): void {
  program.command('eval')
    .description("a saved model's losses in eval mode on the train/val/test split of a word list")
    .requiredOption('--model <file>', 'model file')
    .option('--data <file>', 'word list (default: the one the model was trained on)')
    .addOption(new Option('--split <name>', 'which split').choices(['train', 'val', 'test', 'all']).default('all'))
    .option('--json', 'print JSON')
    .option('--threads <n>', 'threads (default: every core; the losses are the same on any number)', positiveInt)
    .action((flags: EvalFlags) => runEval(flags));
}
