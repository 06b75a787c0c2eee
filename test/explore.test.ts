// The explorer's library parts: next-character probabilities after a prefix (what sampling draws
// from) and the embedding table in two dimensions (principal components).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vocab } from '../src/data/index.js';
import { embedding2d } from '../src/diagnostics/index.js';
import { createModel } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import { nextCharProbs, sampleWords } from '../src/sample/index.js';
import { Tensor, noGrad, softmax } from '../src/tensor/index.js';

const vocab = Vocab.fromWords(['emma', 'olivia', 'ava', 'isabella', 'sophia', 'charlotte', 'mia', 'amelia', 'harper', 'evelyn']);

test('nextCharProbs: softmax(model(context) / T) in eval mode, the context padded with "." and cut to the block', () => {
  const model = createModel({ vocabSize: vocab.size, blockSize: 3, embedDim: 4, hidden: 16, layers: 1, norm: 'notebook', init: 'seed', bnEps: 1e-5 }, new Generator(7));
  model.train();
  for (const [prefix, context] of [['', [0, 0, 0]], ['e', [0, 0, vocab.stoi('e')!]], ['emma', [vocab.stoi('m')!, vocab.stoi('m')!, vocab.stoi('a')!]]] as const) {
    for (const T of [1, 0.5, 2]) {
      const p = nextCharProbs(model, vocab, prefix, T);
      model.eval();
      const want = noGrad(() => softmax(model.forward(new Tensor(Int32Array.from(context), [1, 3], 'int32')).div(T), -1).f);
      model.train();
      assert.deepEqual(Array.from(p), Array.from(want), `prefix "${prefix}", T ${T}`);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    }
  }
  assert.equal(model.training, true, 'the model is back in training mode');
  // A lower temperature sharpens: the top probability grows.
  const top = (T: number): number => Math.max(...nextCharProbs(model, vocab, 'e', T));
  assert.ok(top(0.3) > top(1) && top(1) > top(3));
  assert.throws(() => nextCharProbs(model, vocab, 'e.m'), /start\/end token/);
  assert.throws(() => nextCharProbs(model, vocab, 'e', 0), /temperature must be a positive number/);
  assert.throws(() => nextCharProbs(model, vocab, 'ez'), /"z"/);
});

test('nextCharProbs agrees with sampling: a temperature near 0 draws the most likely character', () => {
  const model = createModel({ vocabSize: vocab.size, blockSize: 3, embedDim: 4, hidden: 16, layers: 1, norm: 'none', init: 'kaiming' }, new Generator(3));
  const p = nextCharProbs(model, vocab, 'a', 1e-3);
  const best = p.indexOf(Math.max(...p));
  const [word] = sampleWords(model, vocab, { count: 1, generator: new Generator(1), temperature: 1e-3, prefix: 'a', maxLen: 2 });
  assert.equal(word.length === 1 ? 0 : vocab.stoi(word[1]), best);
});

test('embedding2d: a 2-wide table as it is; a wider one on its principal components', () => {
  const two = embedding2d([1, 2, 3, 4, 5, 6], 3, 2);
  assert.deepEqual([two.x, two.y, two.explained], [[1, 3, 5], [2, 4, 6], 1]);

  // Rows on a line in 5-D: one component explains everything, the second is ~0.
  const dir = [1, -2, 0.5, 3, 1];
  const line = Array.from({ length: 8 }, (_, i) => dir.map((d) => 0.25 + (i - 3) * d)).flat();
  const l = embedding2d(line, 8, 5);
  assert.ok(l.explained > 1 - 1e-9);
  for (const y of l.y) assert.ok(Math.abs(y) < 1e-6);
  const norm = Math.hypot(...dir);
  // distances along the line are kept
  assert.ok(Math.abs(Math.abs(l.x[7] - l.x[0]) - 7 * norm) < 1e-6);

  // Random rows: the two axes are uncorrelated, the first has the larger variance, and together
  // they keep no more variance than the table has (and the top two eigenvalues' share of it).
  const g = new Generator(11);
  const rows = 27, cols = 10;
  const buf = new Float32Array(rows * cols);
  g.normal(buf);
  const t = Array.from(buf);
  const e = embedding2d(t, rows, cols);
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const cov = (a: number[], b: number[]): number => { const ma = mean(a), mb = mean(b); return mean(a.map((x, i) => (x - ma) * (b[i] - mb))); };
  assert.ok(Math.abs(cov(e.x, e.y)) < 1e-9, 'uncorrelated axes');
  assert.ok(cov(e.x, e.x) >= cov(e.y, e.y));
  let total = 0;
  for (let j = 0; j < cols; j++) { const c = Array.from({ length: rows }, (_, i) => t[i * cols + j]); total += cov(c, c); }
  assert.ok(Math.abs(e.explained - (cov(e.x, e.x) + cov(e.y, e.y)) / total) < 1e-9);
  // no direction beats the first component: try the coordinate axes
  for (let j = 0; j < cols; j++) { const c = Array.from({ length: rows }, (_, i) => t[i * cols + j]); assert.ok(cov(c, c) <= cov(e.x, e.x) + 1e-9); }
  assert.deepEqual(embedding2d(t, rows, cols), e, 'deterministic');
});
