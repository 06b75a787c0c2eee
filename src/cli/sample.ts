// `makemore sample`: load a model file and print sampled words (or JSON).
import type { Command } from 'commander';
import { loadModel } from '../model/io.js';
import { Generator } from '../random/index.js';
import { sampleWords } from '../sample/index.js';
import { integer, positiveInt, positiveNumber } from './parse.js';

export interface SampleFlags {
  model: string;
  count: number;
  seed: number;
  temperature: number;
  prefix: string;
  maxLen: number;
  json?: boolean;
}

export function runSample(flags: SampleFlags, seedGiven = true): void {
  const { model, vocab, info } = loadModel(flags.model);
  // Without --seed, sample as `train` did after training: continue the saved generator (the seed
  // preset, cell 34) or seed one with the training seed + 10 (the lecture).
  const continued = !seedGiven && info.train?.sampleGenerator === 'continue' && info.generator !== undefined;
  const seed = seedGiven || info.train === undefined ? flags.seed : info.train.seed + 10;
  const generator = continued ? Generator.fromState(info.generator!) : new Generator(seed);
  const words = sampleWords(model, vocab, {
    count: flags.count, generator, temperature: flags.temperature, prefix: flags.prefix, maxLen: flags.maxLen,
  });
  if (flags.json) console.log(JSON.stringify({ model: flags.model, seed: continued ? 'continued' : seed, temperature: flags.temperature, prefix: flags.prefix, words }));
  else for (const w of words) console.log(w);
}

export function registerSample(program: Command): void {
  program.command('sample')
    .description('sample words from a trained model file')
    .requiredOption('--model <file>', 'model file written by `makemore train --out`')
    .option('--count <n>', 'number of words', positiveInt, 10)
    .option('--seed <n>', 'generator seed (default: as train sampled: the saved generator continued, or the training seed + 10)', integer, 2147483647 + 10)
    .option('--temperature <x>', 'softmax temperature (<1 sharper, >1 more random)', positiveNumber, 1)
    .option('--prefix <text>', 'every word starts with this', '')
    .option('--max-len <n>', 'stop a word after this many characters', positiveInt, 50)
    .option('--json', 'print one JSON object instead of a word per line')
    .action(function (this: Command, flags: SampleFlags) { runSample(flags, this.getOptionValueSource('seed') === 'cli'); });
}
