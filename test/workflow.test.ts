// makemore.py's workflow on the MLP models: evaluation every N steps, the work directory (best
// model by val loss, log.jsonl), resuming into it, sample --top-k and sample --mark.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitWords } from '../src/data/index.js';
import { loadModel } from '../src/model/io.js';
import { Generator } from '../src/random/index.js';
import { sampleWords } from '../src/sample/index.js';
import { inProcess, makemore, ROOT } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'makemore-workflow-'));
const words = join(tmp, 'words.txt');
writeFileSync(words, readFileSync(join(ROOT, 'data/names.txt'), 'utf8').split('\n').slice(0, 1500).join('\n'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const train = (...args: string[]): ReturnType<typeof makemore> => makemore(tmp, 'train', '--data', words, '--hidden', '32', '--samples', '0', ...args);

interface Row { step: number; loss?: number; lr?: number; val_loss?: number; train_loss?: number; best_val_loss?: number }
const rows = (dir: string): Row[] => readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

test('--work-dir: log.jsonl has every step and evaluation; model.safetensors is the model of the best val loss', () => {
  const dir = join(tmp, 'wd');
  const r = train('--steps', '300', '--optimizer', 'adamw', '--lr', '0.02', '--eval-every', '100', '--work-dir', dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, / {4}100\/ {4}300: val \d\.\d{4}, train \d\.\d{4} \(first \d+ examples\)/);
  const log = rows(dir);
  const steps = log.filter((x) => x.loss !== undefined);
  assert.deepEqual(steps.map((x) => x.step), Array.from({ length: 300 }, (_, i) => i + 1));
  assert.ok(steps.every((x) => x.lr === 0.02 && Number.isFinite(x.loss)));
  const evals = log.filter((x) => x.val_loss !== undefined);
  assert.deepEqual(evals.map((x) => x.step), [0, 100, 200, 300]);
  const best = evals.reduce((a, b) => (b.val_loss! < a.val_loss! ? b : a));
  assert.equal(evals.at(-1)!.best_val_loss, best.val_loss);
  const saved = loadModel(join(dir, 'model.safetensors'));
  assert.equal(saved.info.step, best.step);
  assert.equal(Number(saved.metadata.val_loss), best.val_loss);
  // the printed val loss after training is the last evaluation's
  assert.match(r.stdout, new RegExp(`^val ${evals.at(-1)!.val_loss!.toFixed(4)}$`, 'm'));
});

test('resuming into a work directory keeps the log up to the checkpoint and continues it, and the best so far', () => {
  const dir = join(tmp, 'wd-resume');
  const ckpt = join(tmp, 'ckpt.safetensors');
  assert.equal(train('--steps', '200', '--lr-decay-step', '1000', '--eval-every', '100', '--work-dir', dir, '--out', ckpt).status, 0);
  // rows of steps past the checkpoint (an interrupted run's) are dropped on resume
  writeFileSync(join(dir, 'log.jsonl'), `${readFileSync(join(dir, 'log.jsonl'), 'utf8')}{"step":250,"loss":9}\n{"step":2`);
  const bestBefore = Number(loadModel(join(dir, 'model.safetensors')).metadata.val_loss);
  const r = train('--resume', ckpt, '--steps', '400', '--eval-every', '100', '--work-dir', dir);
  assert.equal(r.status, 0, r.stderr);
  const log = rows(dir);
  assert.deepEqual(log.filter((x) => x.loss !== undefined).map((x) => x.step), Array.from({ length: 400 }, (_, i) => i + 1));
  assert.deepEqual(log.filter((x) => x.val_loss !== undefined).map((x) => x.step), [0, 100, 200, 300, 400]);
  const best = Number(loadModel(join(dir, 'model.safetensors')).metadata.val_loss);
  assert.ok(best <= bestBefore);
  assert.equal(best, Math.min(...log.filter((x) => x.val_loss !== undefined).map((x) => x.val_loss!)));
});

test('--work-dir refusals: no evaluations, a file in the way', async () => {
  const r = await inProcess('train', '--data', words, '--steps', '1', '--work-dir', join(tmp, 'x'), '--eval-every', '0');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--work-dir keeps the model with the best val loss at the evaluations: it needs --eval-every above 0/);
  const r2 = await inProcess('train', '--data', words, '--steps', '1', '--work-dir', words);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /is a file, not a folder; give --work-dir a folder name/);
});

test('sample --top-k 1 is greedy (the same word whatever the seed); --top-k K ≥ vocabulary draws from every character', () => {
  const model = join(tmp, 'wd', 'model.safetensors');
  const { model: m, vocab } = loadModel(model);
  const greedy = [1, 2, 3].map((s) => sampleWords(m, vocab, { count: 2, generator: new Generator(s), topK: 1 }));
  for (const w of greedy.flat()) assert.equal(w, greedy[0][0]);
  const all = sampleWords(m, vocab, { count: 30, generator: new Generator(5), topK: vocab.size });
  assert.ok(new Set(all).size > 10, all.join());
  // top-k 2: every character is one of the two most likely after its context (checked on the first)
  const two = sampleWords(m, vocab, { count: 40, generator: new Generator(9), topK: 2 });
  const firsts = new Set(two.map((w) => w[0]));
  assert.ok(firsts.size <= 2, [...firsts].join());
  assert.throws(() => sampleWords(m, vocab, { count: 1, generator: new Generator(1), topK: 0 }), /top-k must be a positive integer, got 0/);
});

test('sample --mark groups the words as makemore.py prints them: in train, in val, in test, new', () => {
  const model = join(tmp, 'wd', 'model.safetensors');
  const r = makemore(tmp, 'sample', '--model', model, '--count', '40', '--mark', '--temperature', '0.3');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], '-'.repeat(80));
  assert.equal(lines.at(-1), '-'.repeat(80));
  const split = splitWords(readFileSync(words, 'utf8').split('\n').filter((w) => w !== ''), 42);
  const groups: Record<string, string[]> = {};
  let current = '';
  for (const l of lines.slice(1, -1)) {
    const m = /^(\d+) samples that are (in train|in val|in test|new):$/.exec(l);
    if (m) { current = m[2]; groups[current] = []; continue; }
    groups[current].push(l);
  }
  assert.deepEqual(Object.keys(groups), ['in train', 'in val', 'in test', 'new']);
  assert.equal(Object.values(groups).flat().length, 40);
  for (const w of groups['in train']) assert.ok(split.train.includes(w), w);
  for (const w of groups['in val']) assert.ok(split.val.includes(w) && !split.train.includes(w), w);
  for (const w of groups['in test']) assert.ok(split.test.includes(w), w);
  for (const w of groups.new) assert.ok(!split.train.includes(w) && !split.val.includes(w) && !split.test.includes(w), w);
  assert.ok(groups['in train'].length > 0, r.stdout);
  const j = makemore(tmp, 'sample', '--model', model, '--count', '5', '--mark', '--json');
  const doc = JSON.parse(j.stdout) as { words: string[]; marks: string[] };
  assert.equal(doc.marks.length, 5);
});
