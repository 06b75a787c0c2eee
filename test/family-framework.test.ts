// What every model of makemore.py's family gets from the framework, checked on the bigram (whose
// logits table can be set by hand): the per-token split loss with the padding ignored, training on
// padded words, and sampling as makemore.py's generate (start from [0], the last position's logits,
// the input cropped to blockSize, a word at most blockSize − 1 long by default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWordDataset, Vocab } from '../src/data/index.js';
import { createModel, type LanguageModel, type ModelConfig } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import { nextCharProbs, sampleWords } from '../src/sample/index.js';
import { crossEntropy, noGrad } from '../src/tensor/index.js';
import { splitLoss, train } from '../src/train/index.js';

const vocab = Vocab.fromWords(['abc']);
const config: ModelConfig = { arch: 'bigram', vocabSize: vocab.size, blockSize: 5, embedDim: 1, hidden: 1, layers: 1, norm: 'none' };

/** A bigram whose table row i is `rows[i]`. */
function bigram(rows: number[][]): LanguageModel {
  const model = createModel(config, new Generator(0));
  model.stateDict().get('logits')!.floatData.set(rows.flat());
  return model;
}

const logSoftmax = (row: number[], k: number): number => row[k] - Math.log(row.reduce((s, x) => s + Math.exp(x), 0));

test('splitLoss: the mean over every target position but the −1 padding', () => {
  const rows = [[0.1, 1, -1, 0.5], [0.3, -0.2, 2, 0], [1, 0, 0, -1], [0, 0.7, 0.2, 0.4]];
  const model = bigram(rows);
  const words = ['ab', 'c', 'abca'];
  const data = buildWordDataset(words, vocab, 5);
  let sum = 0;
  let n = 0;
  for (const w of words) {
    const ix = [0, ...vocab.encode(w), 0];
    for (let t = 0; t + 1 < ix.length; t++) { sum -= logSoftmax(rows[ix[t]], ix[t + 1]); n++; }
  }
  assert.equal(n, 3 + 2 + 5);
  assert.ok(Math.abs(splitLoss(model, data) - sum / n) < 1e-6, `${splitLoss(model, data)} vs ${sum / n}`);
  // in chunks of one word: the same per-token mean, not a mean of word means
  assert.ok(Math.abs(splitLoss(model, data, 1) - sum / n) < 1e-6);
});

test('splitLoss in chunks is one F.cross_entropy(…, ignore_index=-1) over the whole split, bit for bit', () => {
  // a trained bigram on words of many lengths (padding at every position of the cascade's levels)
  const words = Array.from({ length: 300 }, (_, i) => 'abc'.repeat(1 + (i % 5)).slice(0, 1 + ((i * 7) % 13)));
  const data = buildWordDataset(words, vocab, 16);
  const model = createModel({ ...config, blockSize: 16 }, new Generator(3));
  train(model, data, { batchSize: 8, steps: 30, lr: 0.5, lrFinal: 0.5, lrDecayStep: 30, seed: 1, splitSeed: 1 }, new Generator(1));
  const whole = noGrad(() => {
    const logits = model.forward(data.X);
    return crossEntropy(logits.reshape(-1, vocab.size), data.Y.reshape(-1), { ignoreIndex: -1 }).item();
  });
  for (const chunk of [1, 7, 64, 300]) assert.equal(splitLoss(model, data, chunk), whole, `chunks of ${chunk} words`);
});

test('training on padded words lowers the loss (the trainer takes the masked loss over (B·T, V))', () => {
  const model = createModel(config, new Generator(0));
  const data = buildWordDataset(['abc', 'ab', 'cab', 'ba'], vocab, 5);
  const before = splitLoss(model, data);
  train(model, data, { batchSize: 4, steps: 50, lr: 0.5, lrFinal: 0.5, lrDecayStep: 50, seed: 1, splitSeed: 1 }, new Generator(1));
  assert.ok(splitLoss(model, data) < before - 0.3, `${before} → ${splitLoss(model, data)}`);
});

test('sampling: [0] then the word, the last position\'s logits; top-k; at most blockSize − 1 characters', () => {
  const big = 30;
  // . → a, a → b, b → ., c → c: every draw is certain
  const model = bigram([[0, big, 0, 0], [0, 0, big, 0], [big, 0, 0, 0], [0, 0, 0, big]]);
  assert.deepEqual(sampleWords(model, vocab, { count: 2, generator: new Generator(1) }), ['ab', 'ab']);
  // from c the word never ends: cut at blockSize − 1 = 4 characters (makemore.py's generate), or at maxLen
  assert.deepEqual(sampleWords(model, vocab, { count: 1, generator: new Generator(1), prefix: 'c' }), ['cccc']);
  assert.deepEqual(sampleWords(model, vocab, { count: 1, generator: new Generator(1), prefix: 'c', maxLen: 9 }), ['ccccccccc']);
  const p = nextCharProbs(model, vocab, 'a');
  assert.ok(p[2] > 0.999 && Math.abs(p.reduce((s, x) => s + x, 0) - 1) < 1e-6);
  const flat = bigram([[0, 1, 2, 3], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
  const top1 = nextCharProbs(flat, vocab, '');
  top1.forEach((x, k) => assert.ok(Math.abs(x - Math.exp(logSoftmax([0, 1, 2, 3], k))) < 1e-6, `p[${k}] = ${x}`));
  assert.deepEqual(sampleWords(flat, vocab, { count: 3, generator: new Generator(2), topK: 1, maxLen: 1 }), ['c', 'c', 'c']);
});
