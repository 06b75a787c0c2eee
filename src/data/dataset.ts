// Fixed-length contexts: every word w yields len(w)+1 examples (context of blockSize previous
// indexes, padded with '.', → next index), the last one predicting '.'.
import { Tensor } from '../tensor/index.js';
import { PythonRandom } from '../random/index.js';
import { MakemoreError } from '../errors.js';
import type { Vocab } from './vocab.js';
import { buildWordDataset } from './makemore.js';

export interface Dataset {
  /** Contexts (n × blockSize), int32. */
  X: Tensor;
  /**
   * Next-character targets (n), int32; for makemore.py's family (data/makemore.ts) X and Y are
   * padded words (n × T) and Y's −1 entries are positions the loss ignores.
   */
  Y: Tensor;
}

/**
 * The most bytes one dataset's tensors (X and Y) may take: with the model and the other splits
 * a run stays within a few GiB (--block-size 5000 on 32k names would need 4.6 GiB for training's alone).
 */
export const MAX_DATASET_BYTES = 2 * 2 ** 30;

export function buildDataset(words: readonly string[], vocab: Vocab, blockSize: number): Dataset {
  // Two passes over the words and no per-word arrays, so memory is the tensors themselves
  // (4·(blockSize+1) bytes per example) even for millions of words.
  const table = bmpTable(vocab);
  let n = 0;
  for (const w of words) {
    for (let k = 0; k < w.length; k++) if (table[w.charCodeAt(k)] < 0) checkWord(w, vocab);
    n += codePoints(w) + 1;
  }
  const bytes = 4 * n * (blockSize + 1);
  if (bytes > MAX_DATASET_BYTES) {
    throw new MakemoreError(`${n} examples with a context of ${blockSize} characters need ${(bytes / 2 ** 30).toFixed(1)} GiB, more than the ${MAX_DATASET_BYTES / 2 ** 30} GiB makemore-ts allows for a dataset; use fewer words or a smaller --block-size`);
  }
  let X: Int32Array;
  let Y: Int32Array;
  try {
    X = new Int32Array(n * blockSize);
    Y = new Int32Array(n);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new MakemoreError(`${n} examples with a context of ${blockSize} characters need ${(4 * n * (blockSize + 1) / 2 ** 30).toFixed(1)} GiB, more than this process can allocate; use fewer words or a smaller --block-size`);
  }
  const context = new Int32Array(blockSize);
  const last = blockSize - 1;
  let row = 0;
  let at = 0;
  for (const w of words) {
    context.fill(0);
    for (let k = 0; k <= w.length; k++) {
      let ix = 0;
      if (k < w.length) {
        ix = table[w.charCodeAt(k)];
        if (ix < 0) {
          // a surrogate: the code point is one character
          const width = w.codePointAt(k)! > 0xffff ? 2 : 1;
          ix = vocab.stoi(w.slice(k, k + width))!;
          k += width - 1;
        }
      }
      for (let j = 0; j < blockSize; j++) X[at + j] = context[j];
      at += blockSize;
      Y[row++] = ix;
      for (let j = 0; j < last; j++) context[j] = context[j + 1];
      context[last] = ix;
    }
  }
  return { X: new Tensor(X, [n, blockSize], 'int32'), Y: new Tensor(Y, [n], 'int32') };
}

/** Rows [start, end) of a dataset (views, no copy): contexts or padded words, with their targets. */
export function datasetRows(d: Dataset, start: number, end: number): Dataset {
  const x = d.X.shape[1];
  const yShape = d.Y.shape.slice(1);
  const y = yShape.reduce((a, b) => a * b, 1);
  return {
    X: new Tensor(d.X.intData.subarray(start * x, end * x), [end - start, x], 'int32'),
    Y: new Tensor(d.Y.intData.subarray(start * y, end * y), [end - start, ...yShape], 'int32'),
  };
}

/** Index of every BMP character of the vocabulary, -1 elsewhere and for surrogates. */
function bmpTable(vocab: Vocab): Int32Array {
  const table = new Int32Array(0x10000).fill(-1);
  vocab.itos.forEach((ch, i) => { if (ch.length === 1 && !(ch >= '\ud800' && ch <= '\udfff')) table[ch.charCodeAt(0)] = i; });
  return table;
}

/** Every character of w is in the vocabulary (else throws naming it). */
function checkWord(w: string, vocab: Vocab): void {
  for (const ch of w) if (vocab.stoi(ch) === undefined) vocab.unknown(ch, w);
}

/** Number of code points of a string (an astral character is one). */
function codePoints(w: string): number {
  let n = w.length;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < w.length) {
      const d = w.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
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
export function splitWords(words: readonly string[], seed: number, source?: string): WordSplit {
  const shuffled = [...words];
  new PythonRandom(seed).shuffle(shuffled);
  const n1 = Math.trunc(0.8 * shuffled.length);
  const n2 = Math.trunc(0.9 * shuffled.length);
  if (n1 === 0 || n2 === n1 || n2 === shuffled.length) {
    throw new MakemoreError(`${source !== undefined ? `${source}: ` : ''}an 80/10/10 split needs at least 6 words so that every part has one; got ${shuffled.length}`);
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

export function buildSplits(words: readonly string[], vocab: Vocab, blockSize: number, seed: number, source?: string): Splits {
  return datasetsOf(splitWords(words, seed, source), vocab, blockSize);
}

/**
 * The datasets of a word split: contexts for the context models, or (`sequence`) makemore.py's
 * padded words (data/makemore.ts) for its family of models.
 */
export function datasetsOf(split: WordSplit, vocab: Vocab, blockSize: number, format: 'context' | 'sequence' = 'context'): Splits {
  const build = format === 'sequence' ? buildWordDataset : buildDataset;
  return {
    vocab,
    words: split,
    train: build(split.train, vocab, blockSize),
    val: build(split.val, vocab, blockSize),
    test: build(split.test, vocab, blockSize),
  };
}
