// Fixed-length contexts: every word w yields len(w)+1 examples (context of blockSize previous
// indexes, padded with '.', → next index), the last one predicting '.'.
import { Tensor } from '../tensor/index.js';
import { PythonRandom } from '../random/index.js';
import { MakemoreError } from '../errors.js';
import type { Vocab } from './vocab.js';

export interface Dataset {
  /** Contexts (n × blockSize), int32. */
  X: Tensor;
  /** Next-character targets (n), int32. */
  Y: Tensor;
}

export function buildDataset(words: readonly string[], vocab: Vocab, blockSize: number): Dataset {
  const encoded = words.map((w) => vocab.encode(w));
  const n = encoded.reduce((s, e) => s + e.length + 1, 0);
  const X = new Int32Array(n * blockSize);
  const Y = new Int32Array(n);
  const context = new Int32Array(blockSize);
  let row = 0;
  for (const ixs of encoded) {
    context.fill(0);
    for (let k = 0; k <= ixs.length; k++) {
      const ix = k < ixs.length ? ixs[k] : 0;
      X.set(context, row * blockSize);
      Y[row] = ix;
      context.copyWithin(0, 1);
      context[blockSize - 1] = ix;
      row++;
    }
  }
  return { X: new Tensor(X, [n, blockSize], 'int32'), Y: new Tensor(Y, [n], 'int32') };
}

export interface WordSplit {
  train: string[];
  val: string[];
  test: string[];
}

/**
 * The notebook's split: random.seed(seed); random.shuffle(words); then 80/10/10 at
 * int(0.8·n) and int(0.9·n). Python-compatible, so the same seed gives the same words.
 */
export function splitWords(words: readonly string[], seed: number): WordSplit {
  const shuffled = [...words];
  new PythonRandom(seed).shuffle(shuffled);
  const n1 = Math.trunc(0.8 * shuffled.length);
  const n2 = Math.trunc(0.9 * shuffled.length);
  if (n1 === 0 || n2 === n1 || n2 === shuffled.length) {
    throw new MakemoreError(`an 80/10/10 split needs at least 10 words so that every part has one; got ${shuffled.length}`);
  }
  return { train: shuffled.slice(0, n1), val: shuffled.slice(n1, n2), test: shuffled.slice(n2) };
}

export type SplitName = 'train' | 'val' | 'test';

export interface Splits {
  vocab: Vocab;
  words: WordSplit;
  train: Dataset;
  val: Dataset;
  test: Dataset;
}

export function buildSplits(words: readonly string[], vocab: Vocab, blockSize: number, seed: number): Splits {
  const split = splitWords(words, seed);
  return {
    vocab,
    words: split,
    train: buildDataset(split.train, vocab, blockSize),
    val: buildDataset(split.val, vocab, blockSize),
    test: buildDataset(split.test, vocab, blockSize),
  };
}
