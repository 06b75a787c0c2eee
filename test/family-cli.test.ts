// makemore.py's family end to end through the CLI, for every registered type (familyTypes(): the
// registry decides, no type is named here): train with makemore.py's defaults on a small word
// list, --resume bit-identical to an uninterrupted run, eval (val is makemore.py's test set),
// sample with --top-k and the train/test/new marks, info, and a --work-dir with --eval-every.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archOfType, familyTypes, modelKind, modelKindNames } from '../src/model/index.js';
import { loadModel } from '../src/model/io.js';
import { makemore, ROOT } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'makemore-family-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const words = readFileSync(join(ROOT, 'data', 'names.txt'), 'utf8').split('\n').slice(0, 400).join('\n');
const data = join(tmp, 'words.txt');
writeFileSync(data, words);

/** Small shapes (the heads only for a kind that reads them). */
function shapeFlags(type: string): string[] {
  const arch = archOfType(type);
  const heads = modelKind({ arch, norm: modelKindNames(arch)[0] }).options.includes('heads');
  return ['--n-embd', '8', '--n-embd2', '8', '--n-layer', '1', ...(heads ? ['--n-head', '2'] : [])];
}

function ok(r: { status: number | null; stdout: string; stderr: string }): string {
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('every registered family type is offered by --type', () => {
  assert.ok(familyTypes().includes('bigram') && familyTypes().includes('mlp'), familyTypes().join(','));
});

for (const type of familyTypes()) {
  describe(`makemore train --type ${type}`, () => {
    const run = (...args: string[]): string => ok(makemore(tmp, 'train', '--type', type, '--data', data, ...shapeFlags(type), '--samples', '0', ...args));
    const full = join(tmp, `${type}-full.safetensors`);
    const half = join(tmp, `${type}-half.safetensors`);

    test('makemore.py\'s defaults: its split, AdamW at 5e-4, seed 3407, block = longest word + 1', () => {
      const out = run('--steps', '40', '--out', full);
      assert.match(out, /words: train 360, val 40, test 40 \(makemore\.py's split: val is the test set\)/);
      const { model, info } = loadModel(full);
      assert.equal(model.config.arch, archOfType(type));
      assert.equal(model.output, 'sequence');
      assert.equal(model.config.blockSize, Math.max(...words.split('\n').map((w) => w.length)) + 1);
      assert.equal(info.train?.split, 'makemore');
      assert.equal(info.train?.optimizer, 'adamw');
      assert.equal(info.train?.lr, 5e-4);
      assert.equal(info.train?.seed, 3407);
      assert.equal(info.step, 40);
    });

    test('20 steps, then --resume to 40: the same file as 40 steps in one run', () => {
      run('--steps', '20', '--out', half);
      ok(makemore(tmp, 'train', '--resume', half, '--steps', '40', '--samples', '0', '--out', half));
      assert.deepEqual(readFileSync(half), readFileSync(full));
    });

    test('eval, sample --top-k --mark, info', () => {
      const losses = JSON.parse(ok(makemore(tmp, 'eval', '--model', full, '--json'))) as { losses: Record<string, number> };
      assert.ok(losses.losses.train > 0 && losses.losses.train < 4, JSON.stringify(losses));
      assert.equal(losses.losses.val, losses.losses.test);
      const marked = ok(makemore(tmp, 'sample', '--model', full, '--count', '6', '--top-k', '3', '--mark'));
      assert.match(marked, /samples that are in train:/);
      assert.match(marked, /samples that are in test:/);
      assert.doesNotMatch(marked, /in val/);
      const counts = [...marked.matchAll(/^(\d+) samples/gm)].map((m) => Number(m[1]));
      assert.equal(counts.reduce((a, b) => a + b, 0), 6);
      assert.match(ok(makemore(tmp, 'info', '--model', full)), new RegExp(`model: makemore\\.py ${type}, block \\d+, n_embd 8, n_embd2 8, n_layer 1`));
      // the context models' tools refuse in one line
      const c = makemore(tmp, 'coupling', '--model', full);
      assert.equal(c.status, 1);
      assert.match(c.stderr, /^makemore: error: .*coupling measures the context models/);
      const f = makemore(tmp, 'export', '--model', full, '--fold-batchnorm', '--out', join(tmp, 'folded.safetensors'));
      assert.equal(f.status, 1);
      assert.match(f.stderr, /has no batch norm to fold/);
    });

    test('--work-dir keeps the best model by val (= test) loss, --eval-every sets the interval', () => {
      const dir = join(tmp, `${type}-work`);
      run('--steps', '30', '--work-dir', dir, '--eval-every', '10');
      assert.ok(existsSync(join(dir, 'model.safetensors')));
      const evals = readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>).filter((r) => r.val_loss !== undefined);
      assert.deepEqual(evals.map((r) => r.step), [0, 10, 20, 30]);
    });
  });
}

test('--type refuses what makemore.py\'s models do not take, in one line', () => {
  const r = makemore(tmp, 'train', '--type', 'bigram', '--data', data, '--block-size', '3');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^makemore: error: --block-size 3: makemore\.py's bigram reads whole words/);
  const few = join(tmp, 'few.txt');
  writeFileSync(few, 'ab\ncd\nef\n');
  const f = makemore(tmp, 'train', '--type', 'bigram', '--data', few);
  assert.equal(f.status, 1);
  assert.match(f.stderr, /makemore\.py's split needs at least 10 words/);
});
