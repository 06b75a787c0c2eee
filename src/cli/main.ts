// The `makemore` command: a thin layer of argument parsing over the library.
import { Command, CommanderError, Option } from 'commander';
import { NORM_KINDS } from '../model/index.js';
import { integer, nonNegativeInt, positiveInt, positiveNumber } from './parse.js';
import { runSample } from './sample.js';
import { runTrain, TRAIN_DEFAULTS, type TrainFlags } from './train.js';

export function buildProgram(): Command {
  const program = new Command('makemore')
    .description('Character-level MLP language models with batch normalization (PyTorch-compatible numbers)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const d = TRAIN_DEFAULTS;

  program.command('train')
    .description('train a model on a word list, report train/val/test loss and sample words')
    .option('--data <file>', 'word list, one word per line (UTF-8)', 'data/names.txt')
    .option('--steps <n>', 'training steps', positiveInt, d.steps)
    .option('--batch-size <n>', 'examples per minibatch', positiveInt, d.batchSize)
    .option('--block-size <n>', 'characters of context', positiveInt, d.blockSize)
    .option('--embed <n>', 'embedding dimension per character', positiveInt, d.embedDim)
    .option('--hidden <n>', 'units per hidden layer', positiveInt, d.hidden)
    .option('--layers <n>', 'hidden layers (notebook norm: 1)', positiveInt, d.layers)
    .addOption(new Option('--norm <kind>', 'model form').choices(NORM_KINDS).default(d.norm))
    .option('--lr <x>', 'learning rate before the decay step', positiveNumber, d.lr)
    .option('--lr-final <x>', 'learning rate from the decay step on', positiveNumber, d.lrFinal)
    .option('--lr-decay-step <n>', 'first step with --lr-final (default: half the steps)', nonNegativeInt)
    .option('--seed <n>', 'generator seed for parameters and minibatches', integer, d.seed)
    .option('--split-seed <n>', 'seed of the word shuffle for the train/val/test split', integer, d.splitSeed)
    .option('--samples <n>', 'words to sample after training', nonNegativeInt, 10)
    .option('--out <file>', 'save the trained model (safetensors)')
    .action((flags: TrainFlags) => runTrain(flags));

  program.command('sample')
    .description('sample words from a trained model file')
    .requiredOption('--model <file>', 'model file written by `makemore train --out`')
    .option('--count <n>', 'number of words', positiveInt, 10)
    .option('--seed <n>', 'generator seed', integer, 2147483647 + 10)
    .option('--temperature <x>', 'softmax temperature (<1 sharper, >1 more random)', positiveNumber, 1)
    .action((flags: { model: string; count: number; seed: number; temperature: number }) => runSample(flags));

  return program;
}

/** Run the CLI; returns the exit code. Errors are one line on stderr, no stack trace. */
export function main(argv: readonly string[]): number {
  const program = buildProgram();
  try {
    program.parse([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander already printed the message
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`makemore: error: ${msg}\n`);
    if (process.env.MAKEMORE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
