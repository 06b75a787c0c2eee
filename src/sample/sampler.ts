// Sampling words: start from an all-'.' context, take softmax(logits / temperature), draw the
// next index with torch.multinomial semantics, shift the context, stop at '.' (index 0).
// makemore.py's family (output "sequence") reads the word so far as its generate() does: [0]
// then the word, cropped to the last blockSize tokens, and draws from the last position's logits.
import type { Vocab } from '../data/index.js';
import { SEPARATOR, previewWord } from '../data/words.js';
import type { LanguageModel } from '../model/index.js';
import type { Generator } from '../random/index.js';
import { Tensor, noGrad, select, softmax, tidy } from '../tensor/index.js';
import { MakemoreError } from '../errors.js';

export interface SampleOptions {
  count: number;
  generator: Generator;
  temperature?: number;
  /**
   * Stop a word after this many characters even if '.' never comes (default 50; makemore.py's
   * family: blockSize − 1, the longest training word, as makemore.py generates).
   */
  maxLen?: number;
  /** Every word starts with these characters (they must be in the vocabulary). */
  prefix?: string;
  /**
   * Draw from the k most likely characters only (makemore.py's top_k: logits below the k-th
   * largest are set to −∞ before the softmax; ties with it stay).
   */
  topK?: number;
}

/** Logits below the k-th largest set to −∞ (a copy; the order is that of logits / temperature). */
function keepTopK(logits: Float32Array, k: number): Float32Array {
  const kth = Float32Array.from(logits).sort()[Math.max(logits.length - k, 0)];
  return logits.map((x) => (x < kth ? -Infinity : x));
}

/** `opts.count` sampled words. */
export function sampleWords(model: LanguageModel, vocab: Vocab, opts: SampleOptions): string[] {
  return [...sampleWordsIter(model, vocab, opts)];
}

/**
 * The same words one at a time, as they are drawn (a caller can print each at once and stop
 * early). The options are checked at the first `next()`.
 */
export function* sampleWordsIter(model: LanguageModel, vocab: Vocab, opts: SampleOptions): IterableIterator<string> {
  const temperature = opts.temperature ?? 1;
  const maxLen = opts.maxLen ?? (model.output === 'sequence' ? Math.max(model.config.blockSize - 1, 1) : 50);
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new MakemoreError(`temperature must be a positive number, got ${temperature}`);
  const topK = opts.topK;
  if (topK !== undefined && !(Number.isSafeInteger(topK) && topK > 0)) throw new MakemoreError(`top-k must be a positive integer, got ${topK}`);
  if ((opts.prefix ?? '').includes(SEPARATOR)) throw new MakemoreError(`the prefix "${previewWord(opts.prefix!)}" contains "${SEPARATOR}", the start/end token; it cannot be inside a word`);
  const prefix = vocab.encode(opts.prefix ?? '');
  if (!Number.isInteger(maxLen) || maxLen <= 0) throw new MakemoreError(`max length must be a positive integer, got ${maxLen}`);
  if (prefix.length > maxLen) throw new MakemoreError(`the prefix is longer than the maximum length ${maxLen}`);
  const wasTraining = model.training;
  model.eval();
  try {
    for (let s = 0; s < opts.count; s++) {
      yield noGrad(() => {
        const out: number[] = [...prefix];
        while (out.length < maxLen) {
          const p32 = probsAfter(model, out, temperature, topK);
          let ix: number;
          try {
            ix = opts.generator.multinomial(p32, 1, p32.length, 1, false)[0];
          } catch (e) {
            const after = out.length === 0 ? 'at the start of a word' : `after "${previewWord(vocab.decode(out))}"`;
            throw new MakemoreError(`cannot sample: the model's next-character probabilities ${after} are invalid (${(e as Error).message}); the model file may be corrupt or its training diverged`);
          }
          if (ix === 0) break;
          out.push(ix);
        }
        return vocab.decode(out);
      });
    }
  } finally {
    model.train(wasTraining);
  }
}

/**
 * The model's input after the word so far: its last blockSize characters as a '.'-padded context
 * (1 × block), or for makemore.py's family [0, ...word] cropped to the last blockSize (1 × t).
 */
function inputAfter(model: LanguageModel, word: readonly number[]): Tensor {
  const block = model.config.blockSize;
  if (model.output === 'sequence') {
    const seq = [0, ...word].slice(-block);
    return new Tensor(Int32Array.from(seq), [1, seq.length], 'int32');
  }
  const context = new Int32Array(block);
  const tail = word.slice(-block);
  context.set(tail, block - tail.length);
  return new Tensor(context, [1, block], 'int32');
}

/** The next-character logits after the word so far (1 × V): the last position's for the family. */
function logitsAfter(model: LanguageModel, word: readonly number[]): Tensor {
  const x = inputAfter(model, word);
  const raw = model.forward(x);
  return model.output === 'sequence' ? select(raw, 1, x.shape[1] - 1) : raw;
}

/** softmax(next-character logits / temperature), of the top k logits only where topK is set, after the word so far, in eval mode as the caller set it. */
function probsAfter(model: LanguageModel, word: readonly number[], temperature: number, topK?: number): Float32Array {
  return tidy(() => {
    const raw = logitsAfter(model, word);
    // top-k: the kept logits' softmax in double (−∞ is exact there)
    if (topK !== undefined) return softmaxScaled(keepTopK(Float32Array.from(raw.floatData), topK), temperature);
    const p = Float32Array.from(softmax(temperature !== 1 ? raw.div(temperature) : raw, -1).floatData);
    // A tiny temperature overflows logits / T in float32 although the model is fine.
    return temperature !== 1 && !p.every(Number.isFinite) ? softmaxScaled(raw.floatData, temperature) : p;
  });
}

/**
 * The model's next-character probabilities after `prefix` (the start of a word), at a temperature:
 * what sampling draws from at that point. Index k is `vocab.itos[k]`; index 0, ".", ends the word.
 */
export function nextCharProbs(model: LanguageModel, vocab: Vocab, prefix: string, temperature = 1): Float32Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new MakemoreError(`temperature must be a positive number, got ${temperature}`);
  if (prefix.includes(SEPARATOR)) throw new MakemoreError(`the prefix "${previewWord(prefix)}" contains "${SEPARATOR}", the start/end token; it cannot be inside a word`);
  const word = vocab.encode(prefix);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => probsAfter(model, word, temperature));
  } finally {
    model.train(wasTraining);
  }
}

/**
 * softmax(logits / temperature) in double precision, shifted by the largest logit so that a
 * temperature near 0 gives the argmax instead of Infinity / Infinity. Non-finite logits stay
 * non-finite (a corrupt model is still reported as one).
 */
function softmaxScaled(logits: ArrayLike<number>, temperature: number): Float32Array {
  let max = -Infinity;
  for (let k = 0; k < logits.length; k++) max = Math.max(max, logits[k]);
  const e = Float64Array.from({ length: logits.length }, (_, k) => Math.exp((logits[k] - max) / temperature));
  const sum = e.reduce((a, b) => a + b, 0);
  return Float32Array.from(e, (v) => v / sum);
}
