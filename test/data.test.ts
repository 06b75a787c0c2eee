// Data: parsing and reading word lists, the vocabulary, fixed-context datasets and the
// notebook's 80/10/10 split of names.txt.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Vocab, buildDataset, buildSplits, parseWords, readWords, splitWords } from '../src/data/index.js';
import { MakemoreError } from '../src/errors.js';

// dist/test/data.test.js → the repository root is two levels up.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NAMES = join(ROOT, 'data', 'names.txt');
const tmp = mkdtempSync(join(tmpdir(), 'makemore-data-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array): string => {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
};
const ALPHABET = new Vocab(['.', ...'abcdefghijklmnopqrstuvwxyz']);

describe('parseWords', () => {
  test('LF, CRLF, CR, blank lines and surrounding whitespace', () => {
    assert.deepEqual(parseWords('emma\nolivia\n', 'x'), ['emma', 'olivia']);
    assert.deepEqual(parseWords('emma\r\nolivia\r\n', 'x'), ['emma', 'olivia']);
    assert.deepEqual(parseWords('emma\rolivia', 'x'), ['emma', 'olivia']);
    assert.deepEqual(parseWords('\n\n  emma \t\n\n\tava\n   \n', 'x'), ['emma', 'ava']);
    assert.deepEqual(parseWords('no newline at end', 'x'), ['no newline at end']);
  });
  test('keeps non-ASCII words as they are', () => {
    assert.deepEqual(parseWords('zoë\n😀a\n', 'x'), ['zoë', '😀a']);
  });
  test("a '.' inside a word is rejected with the source and line number", () => {
    assert.throws(() => parseWords('emma\n\nann.a\n', 'names.txt'), (e: unknown) => {
      assert.ok(e instanceof MakemoreError);
      assert.match(e.message, /^names\.txt:3: /);
      assert.match(e.message, /"ann\.a"/);
      assert.match(e.message, /"\."/);
      return true;
    });
    assert.throws(() => parseWords('.', 'f'), /f:1:/);
  });
  test('NUL is rejected with the line number', () => {
    assert.throws(() => parseWords('ok\nbad\u0000word\n', 'bin'), (e: unknown) => {
      assert.ok(e instanceof MakemoreError);
      assert.match(e.message, /^bin:2: .*NUL/);
      return true;
    });
  });
  test('empty and blank-only text is rejected', () => {
    assert.throws(() => parseWords('', 'e'), (e: unknown) => e instanceof MakemoreError && /e: no words found/.test(e.message));
    assert.throws(() => parseWords(' \n\r\n\t\n', 'e'), /no words found/);
  });
});

describe('readWords', () => {
  test('reads a UTF-8 file, with or without a BOM', () => {
    assert.deepEqual(readWords(file('ok.txt', 'emma\r\nava\n')), ['emma', 'ava']);
    assert.deepEqual(readWords(file('bom.txt', '\uFEFFemma\nava\n')), ['emma', 'ava']);
  });
  test('missing file', () => {
    const p = join(tmp, 'does-not-exist.txt');
    assert.throws(() => readWords(p), (e: unknown) => e instanceof MakemoreError && e.message === `${p}: no such file`);
  });
  test('directory', () => {
    assert.throws(() => readWords(tmp), (e: unknown) => e instanceof MakemoreError && /is a directory/.test(e.message) && e.message.startsWith(tmp));
  });
  test('empty file', () => {
    const p = file('empty.txt', '');
    assert.throws(() => readWords(p), (e: unknown) => e instanceof MakemoreError && e.message.startsWith(`${p}: no words found`));
  });
  test('invalid UTF-8 names its line', () => {
    const bytes = Buffer.concat([Buffer.from('emma\nava\nbo'), Buffer.from([0xff, 0xfe]), Buffer.from('b\nzed\n')]);
    const p = file('latin.txt', bytes);
    assert.throws(() => readWords(p), (e: unknown) => e instanceof MakemoreError && e.message === `${p}:3: is not valid UTF-8`);
    // a truncated multi-byte sequence on the last line (no trailing newline)
    const q = file('trunc.txt', Buffer.concat([Buffer.from('a\nb\n'), Buffer.from([0xc3])]));
    assert.throws(() => readWords(q), (e: unknown) => e instanceof MakemoreError && e.message === `${q}:3: is not valid UTF-8`);
  });
  test('a valid UTF-8 file containing U+FFFD is not reported as invalid UTF-8', () => {
    const p = file('fffd.txt', 'emma\nx\uFFFDy\n');
    // Either accepted as a word, or refused with a message that does not misdiagnose the encoding.
    let words: string[] | null = null;
    try { words = readWords(p); } catch (e) { assert.doesNotMatch((e as Error).message, /not valid UTF-8/); }
    if (words !== null) assert.deepEqual(words, ['emma', 'x\uFFFDy']);
  });
  test('invalid UTF-8 line numbers count CR-only line breaks as parseWords does', () => {
    const p = file('cr.txt', Buffer.concat([Buffer.from('emma\rava\rbo'), Buffer.from([0xff]), Buffer.from('\r')]));
    assert.throws(() => readWords(p), (e: unknown) => e instanceof MakemoreError && e.message === `${p}:3: is not valid UTF-8`);
    // the '.' error in the same layout says line 3
    assert.throws(() => readWords(file('cr-dot.txt', 'emma\rava\rb.o\r')), /:3: /);
  });
  test('a binary file with NUL bytes', () => {
    const p = file('bin.dat', Buffer.from([0x61, 0x0a, 0x62, 0x00, 0x63, 0x0a]));
    assert.throws(() => readWords(p), (e: unknown) => e instanceof MakemoreError && e.message.startsWith(`${p}:2:`) && /NUL/.test(e.message));
  });
});

describe('Vocab', () => {
  test("'.' is 0, then characters sorted by code point", () => {
    const v = Vocab.fromWords(['emma', 'Zoë', 'bob']);
    assert.deepEqual([...v.itos], ['.', 'Z', 'a', 'b', 'e', 'm', 'o', 'ë']);
    assert.equal(v.size, 8);
    assert.equal(v.stoi('.'), 0);
    assert.equal(v.stoi('Z'), 1);
    assert.equal(v.stoi('q'), undefined);
    assert.deepEqual(v.encode('emma'), [4, 5, 5, 2]);
    assert.equal(v.decode([4, 5, 5, 2]), 'emma');
    assert.equal(v.toString(), 'Zabemoë');
  });
  test('names.txt gives the 27-character alphabet', () => {
    const v = Vocab.fromWords(readWords(NAMES));
    assert.ok(v.equals(ALPHABET));
    assert.equal(v.stoi('a'), 1);
    assert.equal(v.stoi('z'), 26);
  });
  test('an emoji (astral code point) is one character, sorted after BMP characters', () => {
    const v = Vocab.fromWords(['a😀', '\uFFFDb', '😀😀']);
    assert.deepEqual([...v.itos], ['.', 'a', 'b', '\uFFFD', '😀']);
    assert.deepEqual(v.encode('😀a😀'), [4, 1, 4]);
    assert.equal(v.decode([4, 1]), '😀a');
  });
  test('encode of an unknown character throws naming it', () => {
    assert.throws(() => ALPHABET.encode('emmé'), (e: unknown) => {
      assert.ok(e instanceof MakemoreError);
      assert.match(e.message, /"é"/);
      assert.match(e.message, /U\+00E9/);
      assert.match(e.message, /"emmé"/);
      return true;
    });
    assert.throws(() => ALPHABET.encode('a😀'), /"😀" \(U\+1F600\)/);
  });
  test('construction errors', () => {
    assert.throws(() => new Vocab(['a', 'b']), /starts with "\."/);
    assert.throws(() => new Vocab(['.', 'a', 'a']), /repeat/);
  });
});

describe('buildDataset', () => {
  test("['emma'] with block 3", () => {
    const { X, Y } = buildDataset(['emma'], ALPHABET, 3);
    assert.equal(X.dtype, 'int32');
    assert.equal(Y.dtype, 'int32');
    assert.deepEqual(X.toArray(), [[0, 0, 0], [0, 0, 5], [0, 5, 13], [5, 13, 13], [13, 13, 1]]);
    assert.deepEqual(Y.toArray(), [5, 13, 13, 1, 0]);
  });
  test('two words, block 2: the context resets per word', () => {
    const { X, Y } = buildDataset(['ab', 'c'], ALPHABET, 2);
    assert.deepEqual(X.toArray(), [[0, 0], [0, 1], [1, 2], [0, 0], [0, 3]]);
    assert.deepEqual(Y.toArray(), [1, 2, 0, 3, 0]);
  });
  test('block 1 and a block longer than the word', () => {
    assert.deepEqual(buildDataset(['ab'], ALPHABET, 1).X.toArray(), [[0], [1], [2]]);
    const { X, Y } = buildDataset(['z'], ALPHABET, 4);
    assert.deepEqual(X.toArray(), [[0, 0, 0, 0], [0, 0, 0, 26]]);
    assert.deepEqual(Y.toArray(), [26, 0]);
  });
  test('unknown characters throw', () => {
    assert.throws(() => buildDataset(['ok', 'nö'], ALPHABET, 3), MakemoreError);
  });
  test('no words gives empty tensors', () => {
    const { X, Y } = buildDataset([], ALPHABET, 3);
    assert.deepEqual([...X.shape], [0, 3]);
    assert.deepEqual([...Y.shape], [0]);
  });
});

describe('splits of names.txt', () => {
  test('seed 42: 182,625 / 22,655 / 22,866 examples and the shuffled order', () => {
    const words = readWords(NAMES);
    assert.equal(words.length, 32033);
    const vocab = Vocab.fromWords(words);
    const s = buildSplits(words, vocab, 3, 42);
    assert.equal(s.train.Y.numel, 182625);
    assert.equal(s.val.Y.numel, 22655);
    assert.equal(s.test.Y.numel, 22866);
    assert.equal(s.train.Y.numel + s.val.Y.numel + s.test.Y.numel, 228146);
    assert.deepEqual([...s.train.X.shape], [182625, 3]);
    assert.deepEqual(s.words.train.slice(0, 5), ['yuheng', 'diondre', 'xavien', 'jori', 'juanluis']);
    assert.equal(s.words.train.length, 25626);
    assert.equal(s.words.val.length, 3203);
    assert.equal(s.words.test.length, 3204);
    // the split is a permutation of the words
    assert.deepEqual([...s.words.train, ...s.words.val, ...s.words.test].sort(), [...words].sort());
    // the input list is not shuffled in place
    assert.equal(words[0], 'emma');
  });
  test('splitWords is deterministic per seed', () => {
    const words = Array.from({ length: 50 }, (_, i) => `w${i}`);
    assert.deepEqual(splitWords(words, 7), splitWords(words, 7));
    assert.notDeepEqual(splitWords(words, 7).train, splitWords(words, 8).train);
    const s = splitWords(words, 1);
    assert.deepEqual([s.train.length, s.val.length, s.test.length], [40, 5, 5]);
  });
  test('too few words throws', () => {
    for (const n of [1, 2, 3, 4, 5]) {
      const words = Array.from({ length: n }, (_, i) => `w${i}`);
      assert.throws(() => splitWords(words, 42), (e: unknown) => e instanceof MakemoreError && /split needs/.test(e.message), `n = ${n}`);
    }
    // ten words give 8/1/1
    const s = splitWords(Array.from({ length: 10 }, (_, i) => `w${i}`), 42);
    assert.deepEqual([s.train.length, s.val.length, s.test.length], [8, 1, 1]);
  });
});
