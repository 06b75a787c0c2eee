// makemore.py's data pipeline (create_datasets, CharDataset): the words split by torch.randperm on
// the run's generator (the one that then draws the model's parameters), a test set of
// min(1000, 10%) words, and each word padded to the longest word + 1 positions.
import { MakemoreError } from '../errors.js';
import { randperm, type Generator } from '../random/index.js';
import { Tensor } from '../tensor/index.js';
import type { Dataset, WordSplit } from './dataset.js';
import type { Vocab } from './vocab.js';

/** The longest word in characters (code points, as Python's len). */
export function maxWordLength(words: readonly string[]): number {
  let max = 0;
  for (const w of words) max = Math.max(max, Array.from(w).length);
  return max;
}

/** makemore.py's block size: the longest word + 1 (the start token, then the word). */
export function makemoreBlockSize(words: readonly string[]): number {
  return maxWordLength(words) + 1;
}

/**
 * makemore.py's split: `rp = torch.randperm(len(words))` drawn from `g`, the last
 * min(1000, int(10%)) words of the permutation are the test set, the rest the training set.
 * makemore.py has no validation set: `val` is the test set (it picks its best model by test loss).
 */
export function splitWordsMakemore(words: readonly string[], g: Generator, source?: string): WordSplit {
  const testSize = Math.min(1000, Math.trunc(words.length * 0.1));
  if (testSize === 0) throw new MakemoreError(`${source !== undefined ? `${source}: ` : ''}makemore.py's split needs at least 10 words (its test set is 10% of them); got ${words.length}`);
  const rp = randperm(words.length, g);
  const cut = words.length - testSize;
  const train = Array.from(rp.subarray(0, cut), (i) => words[i]);
  const test = Array.from(rp.subarray(cut), (i) => words[i]);
  return { train, val: test, test };
}

/**
 * CharDataset's rows: X (n × blockSize) = 0, then the word, then 0s; Y (n × blockSize) = the word,
 * then 0 (the end), then −1 (positions the loss ignores). int32.
 */
export function buildWordDataset(words: readonly string[], vocab: Vocab, blockSize: number): Dataset {
  const n = words.length;
  const bytes = 8 * n * blockSize;
  if (bytes > 2 ** 31) throw new MakemoreError(`${n} words padded to ${blockSize} positions need ${(bytes / 2 ** 30).toFixed(1)} GiB; use fewer or shorter words`);
  const X = new Int32Array(n * blockSize);
  const Y = new Int32Array(n * blockSize);
  for (let r = 0; r < n; r++) {
    const ix = vocab.encode(words[r]);
    if (ix.length >= blockSize) throw new MakemoreError(`the word "${words[r]}" has ${ix.length} characters; a block of ${blockSize} holds words of at most ${blockSize - 1}`);
    const row = r * blockSize;
    for (let k = 0; k < ix.length; k++) {
      X[row + 1 + k] = ix[k];
      Y[row + k] = ix[k];
    }
    // Y[row + ix.length] stays 0, the end token
    for (let k = ix.length + 1; k < blockSize; k++) Y[row + k] = -1;
  }
  return { X: new Tensor(X, [n, blockSize], 'int32'), Y: new Tensor(Y, [n, blockSize], 'int32') };
}
