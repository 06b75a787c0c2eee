// Folding batch norm: the folded model's eval-mode logits equal the original's within 1e-5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSplits, readWords, Vocab } from '../src/data/index.js';
import { createModel, DEFAULT_TRAIN, type ModelConfig } from '../src/model/index.js';
import { foldBatchNorm } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import { Tensor, noGrad } from '../src/tensor/index.js';
import { train } from '../src/train/index.js';

const words = readWords(new URL('../../data/names.txt', import.meta.url).pathname);
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, 42);

for (const [name, cfg] of [
  ['notebook', { blockSize: 3, embedDim: 10, hidden: 64, layers: 1, norm: 'notebook' }],
  ['batchnorm1d, 3 layers', { blockSize: 3, embedDim: 10, hidden: 32, layers: 3, norm: 'batchnorm1d' }],
] as const) {
  test(`folding ${name}: same logits within 1e-5, no batch norm left`, () => {
    const g = new Generator(5);
    const model = createModel({ ...cfg, vocabSize: vocab.size } as ModelConfig, g);
    train(model, splits.train, { ...DEFAULT_TRAIN, steps: 300, lrDecayStep: 150 }, g);
    const folded = foldBatchNorm(model);
    assert.equal(folded.config.norm, 'none');
    assert.ok(!folded.namedBuffers().some(([n]) => n.includes('running')), 'no running statistics');
    const n = 2000;
    const X = new Tensor(splits.val.X.intData.slice(0, n * 3), [n, 3], 'int32');
    model.eval();
    folded.eval();
    const [a, b] = noGrad(() => [model.forward(X).floatData, folded.forward(X).floatData]);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst < 1e-5, `max |logit difference| ${worst}`);
    assert.ok(worst > 0 || a.length > 0);
  });
}

test('folding a model without batch norm is refused', () => {
  const m = createModel({ vocabSize: vocab.size, blockSize: 3, embedDim: 4, hidden: 8, layers: 1, norm: 'none' }, new Generator(1));
  assert.throws(() => foldBatchNorm(m), /no batch norm/);
});
