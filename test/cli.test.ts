// The `makemore` command end to end, as a child process: training output, model files,
// sampling, and one-line errors without stack traces.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/cli.test.js → the repository root is two levels up.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'makemore.js');
const tmp = mkdtempSync(join(tmpdir(), 'makemore-cli-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Run { status: number | null; stdout: string; stderr: string }
function makemore(...args: string[]): Run {
  const env = { ...process.env };
  delete env.MAKEMORE_DEBUG;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 180_000 }); // JS-kernel runs on a loaded machine take minutes
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const lines = (s: string): string[] => s.split('\n').filter((l, i, a) => !(l === '' && i === a.length - 1));

/** A failed run: non-zero exit, one error line on stderr (commander's usage hint aside) matching `re`, no stack. */
function assertFails(r: Run, re: RegExp): void {
  assert.notEqual(r.status, 0, `expected a failure, got exit ${r.status}; stdout: ${r.stdout}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace on stderr:\n${r.stderr}`);
  const errLines = lines(r.stderr).filter((l) => l !== '(add --help for usage)');
  assert.equal(errLines.length, 1, `expected one error line, got:\n${r.stderr}`);
  assert.match(errLines[0], /error: /);
  assert.match(errLines[0], re);
}

test('makemore --version prints the version of package.json and exits 0', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = makemore(flag);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${pkg.version}\n`);
  }
});

describe('makemore train and sample', () => {
  const model = join(tmp, 'model.safetensors');
  let trainRun: Run;
  before(() => {
    trainRun = makemore('train', '--steps', '200', '--samples', '3', '--out', model);
  });
  test('train --steps 200 --samples 3 --out: loss lines, split losses, samples, exit 0, quiet stderr', () => {
    const r = trainRun;
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    // the default is the seed preset: PyTorch's first loss for the seed's cell 11 model (seed-reference.json)
    assert.match(r.stdout, /^      0\/    200: 3\.6438$/m);
    for (const split of ['train', 'val', 'test']) assert.match(r.stdout, new RegExp(`^${split} \\d+\\.\\d{4}$`, 'm'), split);
    assert.match(r.stdout, /^examples: train 182625, val 22655, test 22866$/m);
    assert.match(r.stdout, /12097 parameters/);
    assert.ok(r.stdout.includes(`saved ${model}`));
    const out = lines(r.stdout);
    const at = out.indexOf('samples:');
    assert.ok(at >= 0, 'a samples: header');
    const samples = out.slice(at + 1);
    assert.equal(samples.length, 3);
    for (const s of samples) assert.match(s, /^  [a-z]*$/);
  });
  test('sample --model <file> --count 5 prints 5 words, deterministically', () => {
    const r = makemore('sample', '--model', model, '--count', '5');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    const words = lines(r.stdout);
    assert.equal(words.length, 5);
    for (const w of words) assert.match(w, /^[a-z]*$/);
    assert.equal(makemore('sample', '--model', model, '--count', '5').stdout, r.stdout);
    // the default sample seed is the one `train` samples with: the first three words agree
    const trained = lines(trainRun.stdout);
    assert.deepEqual(words.slice(0, 3), trained.slice(trained.indexOf('samples:') + 1).map((s) => s.trim()));
    const other = makemore('sample', '--model', model, '--count', '5', '--seed', '1');
    assert.equal(other.status, 0);
    assert.notEqual(other.stdout, r.stdout);
  });
});

describe('makemore errors: non-zero exit, one line on stderr, no stack trace', () => {
  const empty = join(tmp, 'empty.txt');
  const dotted = join(tmp, 'dotted.txt');
  const few = join(tmp, 'few.txt');
  before(() => {
    writeFileSync(empty, '');
    writeFileSync(dotted, 'emma\nann.a\n');
    writeFileSync(few, 'ab\ncd\n');
  });
  test('missing data file', () => {
    const missing = join(tmp, 'no-such-file.txt');
    const r = makemore('train', '--data', missing, '--steps', '1');
    assertFails(r, /no such file/);
    assert.ok(r.stderr.includes(missing));
  });
  test('empty data file', () => { assertFails(makemore('train', '--data', empty, '--steps', '1'), /no words found/); });
  test('data file is a directory', () => { assertFails(makemore('train', '--data', tmp, '--steps', '1'), /is a directory/); });
  test("a word containing '.' names the line", () => { assertFails(makemore('train', '--data', dotted, '--steps', '1'), /dotted\.txt:2: .*"ann\.a"/); });
  test('too few words to split', () => { assertFails(makemore('train', '--data', few, '--steps', '1'), /split needs/); });
  test('--steps 0', () => { assertFails(makemore('train', '--steps', '0'), /--steps.*positive integer.*"0"/); });
  test('--steps abc', () => { assertFails(makemore('train', '--steps', 'abc'), /--steps.*"abc"/); });
  test('--batch-size -1', () => { assertFails(makemore('train', '--batch-size', '-1'), /--batch-size.*"-1"/); });
  test('--batch-size 1 (batch statistics need 2)', () => { assertFails(makemore('train', '--batch-size', '1', '--steps', '1'), /batch size must be at least 2/); });
  test('--norm foo', () => { assertFails(makemore('train', '--norm', 'foo'), /--norm.*foo.*notebook, batchnorm1d/); });
  test('--layers 2 with the notebook model', () => { assertFails(makemore('train', '--layers', '2', '--steps', '1'), /exactly one hidden layer/); });
  test('unknown flag', () => { assertFails(makemore('train', '--bogus'), /unknown option '--bogus'/); });
  test('unknown command', () => { assertFails(makemore('fly'), /unknown command 'fly'/); });
  test('sample --model of a non-model file', () => {
    const r = makemore('sample', '--model', join(ROOT, 'data', 'names.txt'));
    assertFails(r, /names\.txt: not a valid safetensors model file/);
  });
  test('sample --model of a missing file', () => { assertFails(makemore('sample', '--model', join(tmp, 'nope.safetensors')), /no such file/); });
  test('sample without --model', () => { assertFails(makemore('sample'), /--model/); });
  test('sample --count 0', () => { assertFails(makemore('sample', '--model', 'x', '--count', '0'), /--count/); });
  test('sample --temperature -1', () => { assertFails(makemore('sample', '--model', 'x', '--temperature', '-1'), /--temperature/); });
  test('--out into a folder that does not exist', () => {
    const small = join(tmp, 'small.txt');
    writeFileSync(small, Array.from({ length: 40 }, (_, i) => `w${'abcdefgh'[i % 8]}${'xyz'[i % 3]}`).join('\n'));
    const out = join(tmp, 'no-such-dir', 'm.safetensors');
    const r = makemore('train', '--data', small, '--steps', '2', '--batch-size', '4', '--samples', '0', '--out', out);
    assertFails(r, /cannot write .*no-such-dir.*the folder does not exist/);
  });
});
