// makemore.py's data pipeline against PyTorch 1.13 (tools/makemore_data_reference.py →
// test/fixtures/makemore-data.json): torch.randperm bit for bit, create_datasets' split of
// data/names.txt after torch.manual_seed(3407), CharDataset's padded rows, the MLP's parameters
// drawn next from the same generator, and the first minibatches of its InfiniteDataLoader.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWordDataset, makemoreBlockSize, readWords, splitWordsMakemore, Vocab } from '../src/data/index.js';
import { createModel, type ModelConfig } from '../src/model/index.js';
import { Generator, randperm } from '../src/random/index.js';
import { index, randint } from '../src/tensor/index.js';
import { batchGenerator, runWordSplit } from '../src/train/index.js';
import { ROOT } from './helpers/cli.js';

interface Batch { X: number[][]; Y: number[][] }
const ref = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'makemore-data.json'), 'utf8')) as {
  randperm: { n: number; seed: number; perm: number[] }[];
  randpermBig: { n: number; seed: number; sha256: string; first: number[]; last: number[] };
  pipeline: {
    seed: number; vocabSize: number; blockSize: number; trainCount: number; testCount: number; trainFirst: string[]; testFirst: string[];
    trainSha256: string; testSha256: string; row0: { word: string; X: number[]; Y: number[] };
    mlp: { 'wte.weight.first': number[]; 'mlp.2.bias.last': number[] }; batches: Batch[];
  };
};
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('torch.randperm', () => {
  test('small n, several seeds: the permutations PyTorch draws', () => {
    for (const { n, seed, perm } of ref.randperm) assert.deepEqual([...randperm(n, new Generator(seed))], perm, `randperm(${n}) seed ${seed}`);
  });
  test('n = 32033 (names.txt) seed 3407: the same permutation (SHA-256 of its values)', () => {
    const { n, seed, sha256, first, last } = ref.randpermBig;
    const p = randperm(n, new Generator(seed));
    assert.deepEqual([...p.subarray(0, 20)], first);
    assert.deepEqual([...p.subarray(n - 20)], last);
    assert.equal(sha([...p].join(',')), sha256);
  });
});

describe('makemore.py\'s pipeline on names.txt, seed 3407', () => {
  const r = ref.pipeline;
  const words = readWords(join(ROOT, 'data', 'names.txt'));
  const vocab = Vocab.fromWords(words);
  const g = new Generator(r.seed);
  const split = splitWordsMakemore(words, g);
  test('the split: sizes, words and order as create_datasets; val is the test set', () => {
    assert.equal(split.train.length, r.trainCount);
    assert.equal(split.test.length, r.testCount);
    assert.deepEqual(split.train.slice(0, 5), r.trainFirst);
    assert.deepEqual(split.test.slice(0, 5), r.testFirst);
    assert.equal(sha(split.train.join('\n')), r.trainSha256);
    assert.equal(sha(split.test.join('\n')), r.testSha256);
    assert.equal(split.val, split.test);
    assert.deepEqual(runWordSplit(words, { split: 'makemore', seed: r.seed, splitSeed: 42 }), split);
  });
  test('vocab and block size; CharDataset\'s row: X = 0 then the word, Y = the word, 0, then −1', () => {
    assert.equal(vocab.size, r.vocabSize);
    assert.equal(makemoreBlockSize(words), r.blockSize);
    const ds = buildWordDataset(split.train, vocab, r.blockSize);
    assert.deepEqual([...ds.X.shape], [r.trainCount, r.blockSize]);
    assert.deepEqual([...ds.X.intData.subarray(0, r.blockSize)], r.row0.X);
    assert.deepEqual([...ds.Y.intData.subarray(0, r.blockSize)], r.row0.Y);
  });
  test('the MLP drawn next from the same generator, then the InfiniteDataLoader\'s first minibatches', () => {
    const config: ModelConfig = { arch: 'makemore-mlp', vocabSize: vocab.size, blockSize: r.blockSize, embedDim: 64, hidden: 64, layers: 4, norm: 'none' };
    const model = createModel(config, g);
    const sd = model.stateDict();
    assert.deepEqual([...sd.get('wte.weight')!.floatData.subarray(0, 8)], r.mlp['wte.weight.first'].map(Math.fround));
    const bias = sd.get('mlp.2.bias')!.floatData;
    assert.deepEqual([...bias.subarray(bias.length - 8)], r.mlp['mlp.2.bias.last'].map(Math.fround));
    const bg = batchGenerator(g, { split: 'makemore' });
    assert.notEqual(bg, g);
    const ds = buildWordDataset(split.train, vocab, r.blockSize);
    for (const [k, batch] of r.batches.entries()) {
      const ix = randint(0, split.train.length, [32], { generator: bg });
      assert.deepEqual([...index(ds.X, ix).intData], batch.X.flat(), `batch ${k}: X`);
      assert.deepEqual([...index(ds.Y, ix).intData], batch.Y.flat(), `batch ${k}: Y`);
    }
  });
  test('too few words for a test set of 10% is a one-line error', () => {
    assert.throws(() => splitWordsMakemore(['a', 'b', 'c'], new Generator(1), 'w.txt'), /w\.txt: makemore\.py's split needs at least 10 words/);
  });
});
