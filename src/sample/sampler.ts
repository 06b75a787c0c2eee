// Sampling words: start from an all-'.' context, take softmax(logits / temperature), draw the
// next index with torch.multinomial semantics, shift the context, stop at '.' (index 0).
import type { Vocab } from '../data/index.js';
import { SEPARATOR, previewWord } from '../data/words.js';
import type { LanguageModel } from '../model/index.js';
import type { Generator } from '../random/index.js';
import { Tensor, noGrad, softmax, tidy } from '../tensor/index.js';
import { MakemoreError } from '../errors.js';

export interface SampleOptions {
  count: number;
  generator: Generator;
  temperature?: number;
  /** Stop a word after this many characters even if '.' never comes. */
  maxLen?: number;
  /** Every word starts with these characters (they must be in the vocabulary). */
  prefix?: string;
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
  const maxLen = opts.maxLen ?? 50;
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new MakemoreError(`temperature must be a positive number, got ${temperature}`);
  const block = model.config.blockSize;
  if ((opts.prefix ?? '').includes(SEPARATOR)) throw new MakemoreError(`the prefix "${previewWord(opts.prefix!)}" contains "${SEPARATOR}", the start/end token; it cannot be inside a word`);
  const prefix = vocab.encode(opts.prefix ?? '');
  if (!Number.isInteger(maxLen) || maxLen <= 0) throw new MakemoreError(`max length must be a positive integer, got ${maxLen}`);
  if (prefix.length > maxLen) throw new MakemoreError(`the prefix is longer than the maximum length ${maxLen}`);
  const wasTraining = model.training;
  model.eval();
  try {
    for (let s = 0; s < opts.count; s++) {
      yield noGrad(() => {
        const context = new Int32Array(block);
        const out: number[] = [];
        for (const ix of prefix) {
          out.push(ix);
          context.copyWithin(0, 1);
          context[block - 1] = ix;
        }
        while (out.length < maxLen) {
          const p32 = contextProbs(model, context, temperature);
          let ix: number;
          try {
            ix = opts.generator.multinomial(p32, 1, p32.length, 1, false)[0];
          } catch (e) {
            const after = out.length === 0 ? 'at the start of a word' : `after "${previewWord(vocab.decode(out))}"`;
            throw new MakemoreError(`cannot sample: the model's next-character probabilities ${after} are invalid (${(e as Error).message}); the model file may be corrupt or its training diverged`);
          }
          if (ix === 0) break;
          out.push(ix);
          context.copyWithin(0, 1);
          context[block - 1] = ix;
        }
        return vocab.decode(out);
      });
    }
  } finally {
    model.train(wasTraining);
  }
}

/** softmax(model(context) / temperature) for one context (1 × block), in eval mode as the caller set it. */
function contextProbs(model: LanguageModel, context: Int32Array, temperature: number): Float32Array {
  return tidy(() => {
    const raw = model.forward(new Tensor(context.slice(), [1, context.length], 'int32'));
    const p = Float32Array.from(softmax(temperature !== 1 ? raw.div(temperature) : raw, -1).f);
    // A tiny temperature overflows logits / T in float32 although the model is fine.
    return temperature !== 1 && !p.every(Number.isFinite) ? softmaxScaled(raw.f, temperature) : p;
  });
}

/**
 * The model's next-character probabilities after `prefix` (the start of a word), at a temperature:
 * what sampling draws from at that point. Index k is `vocab.itos[k]`; index 0, ".", ends the word.
 */
export function nextCharProbs(model: LanguageModel, vocab: Vocab, prefix: string, temperature = 1): Float32Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new MakemoreError(`temperature must be a positive number, got ${temperature}`);
  if (prefix.includes(SEPARATOR)) throw new MakemoreError(`the prefix "${previewWord(prefix)}" contains "${SEPARATOR}", the start/end token; it cannot be inside a word`);
  const context = new Int32Array(model.config.blockSize);
  for (const ix of vocab.encode(prefix)) {
    context.copyWithin(0, 1);
    context[context.length - 1] = ix;
  }
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => contextProbs(model, context, temperature));
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
