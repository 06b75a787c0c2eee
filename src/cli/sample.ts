// `makemore sample`: load a model file and print sampled words (or JSON).
import type { Command } from 'commander';
import { runWordSplit } from '../train/index.js';
import { DEFAULT_TRAIN } from '../model/index.js';
import { loadModel } from '../model/io.js';
import { Generator } from '../random/index.js';
import { sampleWordsIter } from '../sample/index.js';
import { wordsForModel } from './modelData.js';
import { integer, positiveInt, positiveNumber } from './parse.js';
import { stdoutClosed, stdoutFailure } from './stdout.js';

export interface SampleFlags {
  model: string;
  count: number;
  seed: number;
  temperature: number;
  prefix: string;
  maxLen?: number;
  topK?: number;
  json?: boolean;
  /** Group the words as makemore.py prints them: in the training split, in val, in test, or new. */
  mark?: boolean;
  /** The word list --mark compares with (default: the one the model was trained on). */
  data?: string;
}

export type Mark = 'train' | 'val' | 'test' | 'new';
export const MARKS: readonly Mark[] = ['train', 'val', 'test', 'new'];

/** makemore.py's grouping: "N samples that are in train:", the words, ... "new:". */
export function markedLines(words: readonly string[], marks: readonly Mark[], groups: readonly Mark[] = MARKS): string[] {
  const lines = ['-'.repeat(80)];
  for (const m of groups) {
    const group = words.filter((_, i) => marks[i] === m);
    lines.push(`${group.length} samples that are ${m === 'new' ? 'new' : `in ${m}`}:`, ...group);
  }
  lines.push('-'.repeat(80));
  return lines;
}

/**
 * Prints each word as it is drawn (`sample --count 1000000000 | head -3` shows words at once),
 * and stops quietly, exit 0, when the reader closes the pipe (EPIPE).
 */
export async function runSample(flags: SampleFlags, seedGiven = true): Promise<void> {
  const { model, vocab, info } = loadModel(flags.model);
  // Without --seed, sample as `train` did after training: continue the saved generator (the seed
  // preset, cell 34) or seed one with the training seed + 10 (the lecture).
  const continued = !seedGiven && info.train?.sampleGenerator === 'continue' && info.generator !== undefined;
  const seed = seedGiven || info.train === undefined ? flags.seed : info.train.seed + 10;
  const generator = continued ? Generator.fromState(info.generator!) : new Generator(seed);
  // The word list and its split are read before sampling, so a missing list fails at once.
  const parts = flags.mark ? runWordSplit(wordsForModel(info, vocab, flags.model, flags.data).words, info.train ?? DEFAULT_TRAIN) : null;
  const split = parts !== null ? { train: new Set(parts.train), val: new Set(parts.val), test: new Set(parts.test) } : null;
  const words = sampleWordsIter(model, vocab, {
    count: flags.count, generator, temperature: flags.temperature, prefix: flags.prefix, maxLen: flags.maxLen, topK: flags.topK,
  });
  // makemore.py's split has no val set of its own (val is test): its words are marked test, as makemore.py prints them
  const groups = parts !== null && parts.val === parts.test ? MARKS.filter((m) => m !== 'val') : MARKS;
  const markOf = (w: string): Mark => {
    for (const m of ['train', 'test', 'val'] as const) if (groups.includes(m) && split![m].has(w)) return m;
    return 'new';
  };
  if (flags.json) {
    const all = [...words];
    console.log(JSON.stringify({ model: flags.model, seed: continued ? 'continued' : seed, temperature: flags.temperature, prefix: flags.prefix,
      ...(flags.topK !== undefined ? { topK: flags.topK } : {}), words: all, ...(split !== null ? { marks: all.map(markOf) } : {}) }));
    return;
  }
  if (split !== null) {
    const all = [...words];
    console.log(markedLines(all, all.map(markOf), groups).join('\n'));
    return;
  }
  let n = 0;
  for (const w of words) {
    process.stdout.write(`${w}\n`);
    // Let a pending write error arrive now and then: stop when the reader went away (`| head`)
    // or writing failed (main reports it).
    if (++n % 64 === 0 && await new Promise<boolean>((res) => setImmediate(() => res(stdoutClosed() || stdoutFailure() !== null)))) break;
  }
}

export function registerSample(program: Command): void {
  program.command('sample')
    .description('sample words from a trained model file')
    .requiredOption('--model <file>', 'model file written by `makemore train --out`')
    .option('--count <n>', 'number of words', positiveInt, 10)
    .option('--seed <n>', 'generator seed (default: as train sampled: the saved generator continued, or the training seed + 10)', integer, 2147483647 + 10)
    .option('--temperature <x>', 'softmax temperature (<1 sharper, >1 more random)', positiveNumber, 1)
    .option('--prefix <text>', 'every word starts with this', '')
    .option('--max-len <n>', 'stop a word after this many characters (default 50; makemore.py\'s models: the longest training word, as makemore.py)', positiveInt)
    .option('--top-k <k>', 'draw each character from the k most likely only (makemore.py\'s --top-k)', positiveInt)
    .option('--mark', 'group the words as makemore.py prints them: in the training split, in val, in test, or new')
    .option('--data <file>', 'with --mark: the word list to compare with (default: the one the model was trained on)')
    .option('--json', 'print one JSON object instead of a word per line')
    .action(async function (this: Command, flags: SampleFlags) { await runSample(flags, this.getOptionValueSource('seed') === 'cli'); });
}
