// Bad input, word lists (docs/errors.md): every row of the table is a test here, in process
// (decodeWords/readWords/buildSplits) and through the `makemore` command where the message and
// exit code matter. data.test.ts already covers missing files, folders, empty files, NUL bytes and
// invalid UTF-8 in readWords; these tests add the rows it lacks and the command's answers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Vocab, buildDataset, buildSplits, decodeWords, parseWords, readWords } from '../src/data/index.js';
import { MakemoreError } from '../src/errors.js';
import { inProcess, makemore as runMakemore, type Run } from './helpers/cli.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'makemore.js');
/** Backend-independent and slow rows run once, in the first (wasm) pass of `npm test`. */
const SECOND_PASS = process.env.MAKEMORE_BACKEND === 'js' && 'backend-independent: runs in the first pass of npm test';
const tmp = mkdtempSync(join(tmpdir(), 'makemore-errors-words-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array): string => {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
};

const makemore = (...args: string[]): Run => runMakemore(ROOT, ...args);
/** Exit 1, exactly one line `makemore: error: …` on stderr matching `re`, no stack trace. */
function assertFails(r: Run, re: RegExp): void {
  assert.equal(r.status, 1, `expected exit 1, got ${r.status}; stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace on stderr:\n${r.stderr}`);
  const errLines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(errLines.length, 1, `expected one error line, got:\n${r.stderr}`);
  assert.match(errLines[0], /^makemore: error: /);
  assert.match(errLines[0], re);
}
/** A MakemoreError whose one-line message matches `re`. */
const refuses = (re: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof MakemoreError, `not a MakemoreError: ${String(e)}`);
  assert.doesNotMatch(e.message, /\n/);
  assert.match(e.message, re);
  return true;
};

/** n distinct short words over a-z. */
const someWords = (n: number): string[] => Array.from({ length: n }, (_, i) => `w${i.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)])}`);

describe('word lists: the rows data.test.ts lacks', () => {
  test('only blank lines (spaces, tabs, CRLF) → "no words found"', () => {
    const p = file('blank.txt', ' \n\t\r\n\n   \r\n');
    assert.throws(() => readWords(p), refuses(new RegExp(`^${p}: no words found`)));
  });
  test('mixed line ends in one file (LF, CRLF, lone CR) give the same words and line numbers', () => {
    const p = file('mixed.txt', 'emma\r\nava\nbob\rcy\r\n\r\nzed');
    assert.deepEqual(readWords(p), ['emma', 'ava', 'bob', 'cy', 'zed']);
    // line numbers count every kind of break: the '.' is on line 4
    assert.throws(() => readWords(file('mixed-dot.txt', 'emma\r\nava\nbob\rc.y\r\n')), refuses(/mixed-dot\.txt:4: word "c\.y"/));
  });
  test('binary data: control characters other than NUL are refused with their code point and line', () => {
    const p = file('ctrl.txt', Buffer.from([0x61, 0x0a, 0x62, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x0a]));
    // the escape is shown as <U+001B>, so the message stays one printable line
    assert.throws(() => readWords(p), refuses(/ctrl\.txt:2: word "b<U\+001B>\[31m" contains the control character U\+001B/));
    assert.throws(() => parseWords('ok\nta\tb\n', 'tsv'), refuses(/^tsv:2: .*U\+0009/));
    assert.throws(() => parseWords('ok\na\u2028b\n', 's'), refuses(/^s:2: .*U\+2028/));
    // a random binary blob is refused (NUL, control character or invalid UTF-8), never read as words
    const blob = new Uint8Array(4096);
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 2654435761) >>> 24;
    assert.throws(() => readWords(file('blob.bin', blob)), refuses(/blob\.bin:\d+: /));
  });
  test('a folder on the path that is a file', () => {
    const f = file('plain.txt', 'a\n');
    assert.throws(() => readWords(join(f, 'words.txt')), refuses(/plain\.txt\/words\.txt: no such file/));
  });
  test('a 100,000-character line is one word: kept, and error messages quote at most 40 characters of it', () => {
    const long = 'ab'.repeat(50_000);
    const words = [long, ...someWords(20)];
    const p = file('long.txt', `${words.join('\n')}\n`);
    assert.deepEqual(readWords(p), words);
    const vocab = Vocab.fromWords(words);
    const { X, Y } = buildDataset([long], vocab, 3);
    assert.equal(Y.numel, 100_001);
    assert.deepEqual([...X.shape], [100_001, 3]);
    // a '.' at its end: the message names the line and shows a 40-character preview
    assert.throws(() => readWords(file('long-dot.txt', `ok\n${long}.\n`)), (e: unknown) => {
      refuses(/long-dot\.txt:2: word "(ab){20}… \(100001 characters\)" contains "\."/)(e);
      assert.ok((e as Error).message.length < 300);
      return true;
    });
    // an unknown character in a long word (sampling with a prefix, eval on another list)
    assert.throws(() => new Vocab(['.', 'a', 'b']).encode(`${long}z`), (e: unknown) => refuses(/"z" \(U\+007A\) in "(ab){20}…/)(e) && (e as Error).message.length < 300);
  });
  test('more examples than memory can hold: a clear error, not a RangeError', () => {
    const v = Vocab.fromWords(['ab']);
    assert.throws(() => buildDataset(['ab', 'ba'], v, 2 ** 31), refuses(/^6 examples with a context of 2147483648 characters need 48\.0 GiB, more than the 2 GiB makemore-ts allows for a dataset; use fewer words or a smaller --block-size$/));
  });
  test('one word, and fewer words than the 80/10/10 split needs', () => {
    assert.throws(() => buildSplits(['solo'], Vocab.fromWords(['solo']), 3, 42), refuses(/split needs at least 6 words .*got 1$/));
    const five = someWords(5);
    assert.throws(() => buildSplits(five, Vocab.fromWords(five), 3, 42), refuses(/split needs at least 6 words .*got 5$/));
    // six is the fewest that give every part a word: 4/1/1
    const six = someWords(6);
    const s = buildSplits(six, Vocab.fromWords(six), 3, 42);
    assert.deepEqual([s.words.train.length, s.words.val.length, s.words.test.length], [4, 1, 1]);
  });
  test('non-ASCII letters: every code point is a character, case and accents kept, no normalisation', () => {
    const words = decodeWords(new TextEncoder().encode('\uFEFFÉmile\nstraße\nZoë\nzoe\u0308\n😀x\n👩‍👩‍👧\n'), 'u');
    assert.deepEqual(words, ['Émile', 'straße', 'Zoë', 'zoe\u0308', '😀x', '👩‍👩‍👧']);
    const v = Vocab.fromWords(words);
    // 'ë' precomposed (U+00EB) and 'e' + combining diaeresis (U+0308) are different characters;
    // the family emoji is three people joined by two zero-width joiners: 5 code points, 3 distinct
    assert.deepEqual([...v.itos], ['.', 'Z', 'a', 'e', 'i', 'l', 'm', 'o', 'r', 's', 't', 'x', 'z', 'É', 'ß', 'ë', '\u0308', '\u200D', '👧', '👩', '😀']);
    assert.equal(v.size, 21);
    assert.deepEqual(buildDataset(['😀x'], v, 2).Y.toArray(), [v.stoi('😀'), v.stoi('x'), 0]);
  });
});

describe('word lists through `makemore train`: exit 1 and one line naming the file and line', () => {
  const dir = () => tmp;
  test('missing path, folder, empty, blank-only, NUL, invalid UTF-8, one word', async () => {
    const cases: [string, RegExp][] = [
      [join(dir(), 'nope.txt'), /nope\.txt: no such file$/],
      [dir(), /: is a directory, not a word list file$/],
      [file('e.txt', ''), /e\.txt: no words found/],
      [file('b.txt', '\n \r\n'), /b\.txt: no words found/],
      [file('nul.txt', Buffer.from('ab\ncd\u0000ef\n')), /nul\.txt:2: contains a NUL byte/],
      [file('latin1.txt', Buffer.from([0x61, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a])), /latin1\.txt:2: is not valid UTF-8$/],
      [file('one.txt', 'solo\n'), /one\.txt: an 80\/10\/10 split needs at least 6 words .*got 1$/],
    ];
    // one as a child process (the real command), the others through main() in this process
    assertFails(makemore('train', '--data', cases[0][0], '--steps', '1', '--samples', '0'), cases[0][1]);
    for (const [path, re] of cases.slice(1)) assertFails(await inProcess('train', '--data', path, '--steps', '1', '--samples', '0'), re);
  });
  test('uppercase, accents, ß and emoji train: the vocabulary size is shown, samples use its characters', async () => {
    const words = ['Émile', 'straße', 'Zoë', 'ÅSA', 'naïve', 'jürgen', 'björk', '😀mo', 'mo😀', 'łukasz', 'Ωmega', 'zoë'];
    const p = file('intl.txt', `${words.join('\r\n')}\r\n`);
    const v = Vocab.fromWords(words);
    const out = join(tmp, 'intl.safetensors');
    const r = makemore('train', '--data', p, '--steps', '20', '--batch-size', '8', '--hidden', '16', '--samples', '5', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^data: .*intl\\.txt: 12 words, vocabulary of ${v.size} characters$`, 'm'));
    const samples = r.stdout.split('\n').slice(r.stdout.split('\n').indexOf('samples:') + 1).filter((l) => l !== '');
    assert.equal(samples.length, 5);
    for (const s of samples) for (const ch of s.trim()) assert.ok(v.stoi(ch) !== undefined, `sampled "${ch}" is in the vocabulary`);
    // the model file keeps the vocabulary: info shows it, sampling with an emoji prefix works
    const info = makemore('info', '--model', out);
    assert.equal(info.status, 0, info.stderr);
    assert.ok(info.stdout.includes(`vocabulary (${v.size}): .${v.toString()}`));
    const s = makemore('sample', '--model', out, '--prefix', '😀', '--count', '2');
    assert.equal(s.status, 0, s.stderr);
    for (const w of s.stdout.trim().split('\n')) assert.ok(w.startsWith('😀'));
    assertFails(await inProcess('sample', '--model', out, '--prefix', 'q'), /character "q" \(U\+0071\) in "q" is not in the model's vocabulary/);
  });
});

describe('5 million words: memory stays bounded', { skip: SECOND_PASS }, () => {
  let path: string;
  before(() => {
    // 5,000,000 names (names.txt cycled), 35.6 MB
    const names = readWords(join(ROOT, 'data', 'names.txt'));
    const chunk = `${names.join('\n')}\n`;
    const reps = Math.ceil(5_000_000 / names.length);
    const lines = `${chunk.repeat(reps - 1)}${names.slice(0, 5_000_000 - (reps - 1) * names.length).join('\n')}\n`;
    path = file('five-million.txt', lines);
  });
  test('readWords + vocabulary + 80/10/10 datasets in a child process: peak RSS under the bound', (t) => {
    const script = `
      import { readWords, Vocab, buildSplits } from ${JSON.stringify(join(ROOT, 'dist', 'src', 'data', 'index.js'))};
      const words = readWords(process.argv[1]);
      const vocab = Vocab.fromWords(words);
      const s = buildSplits(words, vocab, 3, 42);
      const examples = s.train.Y.numel + s.val.Y.numel + s.test.Y.numel;
      console.log(JSON.stringify({ words: words.length, vocab: vocab.size, examples, maxRssKiB: process.resourceUsage().maxRSS }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, path], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout) as { words: number; vocab: number; examples: number; maxRssKiB: number };
    assert.equal(m.words, 5_000_000);
    assert.equal(m.vocab, 27);
    // The bound: the datasets themselves (X and Y, 4·(3+1) bytes per example: 570 MB here), 100
    // bytes per word for the words as JS strings and the arrays holding them (the list, its shuffled
    // copy, the three splits), and 150 MB for Node itself and the file's bytes and text.
    // Measured: about 810 MB; before the two-pass dataset builder (per-word arrays) it was 1.85 GB.
    const bound = 16 * m.examples + 100 * m.words + 150 * 2 ** 20;
    const peak = m.maxRssKiB * 1024;
    t.diagnostic(`5M words: ${m.examples} examples, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (bound ${(bound / 2 ** 20).toFixed(0)} MiB)`);
    assert.ok(peak < bound, `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB over the bound ${(bound / 2 ** 20).toFixed(0)} MiB`);
  });
});
