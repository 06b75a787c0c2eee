// Bad input, model files and sampling (docs/errors.md): every malformation of a model file is a
// MakemoreError naming the file (never another exception, never a large allocation, never a
// silently wrong model), and sampling from a broken model stops with an error or at --max-len.
// model.test.ts already covers the plain safetensors header errors one by one; these tests go
// through decodeModel with a real model file and add the rows it lacks.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Vocab } from '../src/data/index.js';
import { createModel, NotebookMLP, type ModelConfig } from '../src/model/index.js';
import { decodeModel, encodeModel } from '../src/model/file.js';
import { Generator } from '../src/random/index.js';
import { sampleWords } from '../src/sample/index.js';
import { MakemoreError } from '../src/errors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'makemore.js');
const tmp = mkdtempSync(join(tmpdir(), 'makemore-errors-model-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const VOCAB = new Vocab(['.', ...'abcdefghijklmnopqrstuvwxyz']);
const CONFIG: ModelConfig = { vocabSize: 27, blockSize: 3, embedDim: 2, hidden: 4, layers: 1, norm: 'notebook' };
const TRAIN = { batchSize: 32, steps: 10, lr: 0.1, lrFinal: 0.01, lrDecayStep: 5, seed: 1, splitSeed: 42 };

function smallModel(config: ModelConfig = CONFIG): NotebookMLP {
  return createModel(config, new Generator(1)) as NotebookMLP;
}
/** A valid model file: the notebook model, with training state. */
function validFile(config: ModelConfig = CONFIG): Uint8Array {
  const g = new Generator(1);
  const m = createModel(config, g);
  return encodeModel(m, VOCAB, { step: 5, generator: g.getState(), train: TRAIN });
}

/** The header object and data bytes of a safetensors file. */
function split(bytes: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const hlen = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen))), data: bytes.subarray(8 + hlen) };
}
function join8(header: unknown, data: Uint8Array, hlenOverride?: bigint): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, hlenOverride ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
/** A valid file with its header edited by `edit`. */
function edited(edit: (h: Record<string, any>, data: Uint8Array) => void, bytes = validFile()): Uint8Array {
  const { header, data } = split(bytes);
  const copy = new Uint8Array(data);
  edit(header, copy);
  return join8(header, copy);
}

/** decodeModel refuses with a one-line MakemoreError naming the file and matching `re`. */
function refused(bytes: Uint8Array, re: RegExp): void {
  assert.throws(() => decodeModel(bytes, 'm.safetensors'), (e: unknown) => {
    assert.ok(e instanceof MakemoreError, `not a MakemoreError: ${String(e)}`);
    assert.match(e.message, /^m\.safetensors: /);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, re);
    return true;
  });
}

describe('model files: every malformation is a clear error', () => {
  test('the valid file decodes', () => {
    const { model, info } = decodeModel(validFile(), 'm.safetensors');
    assert.deepEqual(model.config, CONFIG);
    assert.equal(info.step, 5);
  });
  test('wrong magic / not a safetensors file: a word list, a PNG, zeros, too short', () => {
    refused(new TextEncoder().encode('emma\nolivia\nava\nisabella\n'), /not a valid safetensors model file: header length \d+ is larger than|runs past the end/);
    refused(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), /not a valid safetensors model file/);
    refused(new Uint8Array(64), /header length 0 is too short for a JSON header/);
    refused(new Uint8Array(5), /5 bytes, too short/);
  });
  test('truncated at every length: always refused, never decoded', () => {
    const bytes = validFile();
    for (let n = 0; n < bytes.length; n++) refused(bytes.subarray(0, n), /not a valid safetensors model file|is missing|not a makemore-ts/);
  });
  test('header offsets out of range, inverted, or overlapping', () => {
    refused(edited((h) => { h['layers.3.bias'].data_offsets[1] += 4; }), /data_offsets .* run past|bytes but shape/);
    refused(edited((h) => { const [s, t] = h['layers.0.weight'].data_offsets; h['layers.0.weight'].data_offsets = [t, s]; }), /invalid data_offsets/);
    refused(edited((h) => { h['layers.1.bias'].data_offsets = h['layers.1.weight'].data_offsets; }), /overlap/);
    refused(edited((h) => { h['embedding.weight'].data_offsets = [0, 2 ** 53]; }), /invalid data_offsets/);
    refused(edited((h) => { h['embedding.weight'].data_offsets = [0, 1e300]; }), /invalid data_offsets/);
  });
  test('bytes after the last tensor (an append, two files run together): refused', () => {
    const bytes = validFile();
    for (const extra of [1, 8, bytes.length]) {
      const longer = new Uint8Array(bytes.length + extra);
      longer.set(bytes);
      longer.set(bytes.subarray(0, Math.min(extra, bytes.length)), bytes.length);
      refused(longer, new RegExp(`${extra} bytes after the last tensor's data belong to no tensor`));
    }
  });
  test('unknown dtype, and integers where the model needs floats', () => {
    refused(edited((h) => { h['layers.0.weight'].dtype = 'BF16'; }), /tensor "layers\.0\.weight" has unsupported dtype "BF16"/);
    refused(edited((h) => { h['layers.0.weight'].dtype = 'toString'; }), /unsupported dtype "toString"/);
    // same byte count, I32 instead of F32: was a TypeError (not a MakemoreError) from the loader
    refused(edited((h) => { h['layers.0.weight'].dtype = 'I32'; }), /tensor "layers\.0\.weight" holds integers but the model needs floating point numbers/);
  });
  test('shapes that do not match the config (transposed weight, edited config)', () => {
    refused(edited((h) => { h['layers.0.weight'].shape = [6, 4]; }), /tensor "layers\.0\.weight" has shape \(6, 4\) but the config needs \(4, 6\)/);
    refused(edited((h) => { h.__metadata__.config = JSON.stringify({ ...JSON.parse(h.__metadata__.config), embedDim: 1, hidden: 4 }); }), /has shape .* but the config needs/);
    refused(edited((h) => { h.__metadata__.vocab = 'abcdefghijklmnopqrstuvwxy'; }), /has shape \(27, 2\) but the config needs \(26, 2\)/);
    refused(edited((h) => { delete h['layers.1.running_std']; }), /tensor "layers\.1\.running_std" is missing/);
    refused(edited((h) => { h.extra = { dtype: 'F32', shape: [0], data_offsets: [0, 0] }; }), /unexpected tensor "extra"/);
  });
  test('a header or config claiming gigabytes: refused before any large allocation', () => {
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    // header length 2^63 and 50 MiB on a small file
    const bytes = validFile();
    const big = new Uint8Array(bytes);
    new DataView(big.buffer).setBigUint64(0, 2n ** 63n, true);
    refused(big, /header length 9223372036854775808 is larger than the 104857600-byte limit/);
    new DataView(big.buffer).setBigUint64(0, 50n * 2n ** 20n, true);
    refused(big, /header length 52428800 runs past the end/);
    // a tensor of 10^10 floats
    refused(edited((h) => { h['layers.0.weight'].shape = [100000, 100000]; h['layers.0.weight'].data_offsets[1] = h['layers.0.weight'].data_offsets[0] + 4e10; }), /run past/);
    // a config of 10^12 weights in a small file: refused before the model is built
    refused(edited((h) => { h.__metadata__.config = JSON.stringify({ ...JSON.parse(h.__metadata__.config), hidden: 1e6, embedDim: 1e6 }); }), /config claims at least \d+ weights but the file holds \d+ values/);
    assert.ok(performance.now() - t0 < 2000, 'refused at once');
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20, 'no large allocation');
  });
  test('values: NaN, infinities, a negative running variance', () => {
    const f32At = (h: Record<string, any>, data: Uint8Array, name: string, v: number): void => {
      new DataView(data.buffer, data.byteOffset).setFloat32(h[name].data_offsets[0], v, true);
    };
    refused(edited((h, d) => f32At(h, d, 'layers.0.weight', Number.NaN)), /tensor "layers\.0\.weight" holds NaN at index 0; a model's values must be finite/);
    refused(edited((h, d) => f32At(h, d, 'embedding.weight', Number.POSITIVE_INFINITY)), /tensor "embedding\.weight" holds Infinity/);
    refused(edited((h, d) => f32At(h, d, 'layers.1.running_std', -1)), /tensor "layers\.1\.running_std" holds the negative value -1 at index 0/);
    refused(edited((h, d) => f32At(h, d, 'layers.1.running_var', -1)), /running_var" holds the negative value/);
    const bn = validFile({ ...CONFIG, norm: 'batchnorm1d', layers: 2 });
    refused(edited((h, d) => f32At(h, d, 'layers.4.running_var', -2), bn), /tensor "layers\.4\.running_var" holds the negative value -2/);
  });
  test('metadata: format, version, vocabulary, config, step, generator and train state', () => {
    refused(edited((h) => { delete h.__metadata__.format; }), /is not a makemore-ts model file/);
    refused(edited((h) => { h.__metadata__.format_version = '2'; }), /format version "2"; this makemore-ts reads version 1/);
    refused(edited((h) => { h.__metadata__.vocab = 'abcdefghijklmnopqrstuvwxy\n'; }), /metadata "vocab" holds a control character/);
    refused(edited((h) => { h.__metadata__.vocab = 'abcdefghijklmnopqrstuvwxya'; }), /metadata "vocab" is invalid/);
    refused(edited((h) => { h.__metadata__.config = '"notebook"'; }), /metadata "config" is not a JSON object/);
    refused(edited((h) => { h.__metadata__.config = '{'; }), /metadata "config" is not valid JSON/);
    refused(edited((h) => { h.__metadata__.config = JSON.stringify({ ...JSON.parse(h.__metadata__.config), norm: 'weightnorm' }); }), /unknown norm "weightnorm"/);
    refused(edited((h) => { h.__metadata__.config = JSON.stringify({ ...JSON.parse(h.__metadata__.config), blockSize: '3' }); }), /config is invalid: block size must be a positive integer/);
    for (const step of ['-1', '1.5', '1e3', '', 'NaN', '99999999999999999999']) refused(edited((h) => { h.__metadata__.step = step; }), /metadata "step" is .*, not a step count/);
    refused(edited((h) => { h.__metadata__.generator = '{"version":1}'; }), /metadata "generator" is not a generator state/);
    refused(edited((h) => { h.__metadata__.generator = 'null'; }), /metadata "generator" is not a generator state/);
    refused(edited((h) => { h.__metadata__.train = '[]'; }), /metadata "train" is not a JSON object/);
    refused(edited((h) => { h.__metadata__.train = JSON.stringify({ ...TRAIN, lr: -1 }); }), /metadata "train" is invalid: learning rate must be a positive number/);
    refused(edited((h) => { h.__metadata__ = ['format']; }), /__metadata__ must map strings to strings/);
  });
  test('a JSON parser excerpt with line breaks still gives a one-line message', () => {
    const h = new TextEncoder().encode('{"a":\n\n\u2028 nope}');
    const bytes = new Uint8Array(8 + h.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(h.length), true);
    bytes.set(h, 8);
    refused(bytes, /the header is not JSON/);
  });
});

describe('sampling from a broken model', () => {
  test('a NaN probability row stops with an error naming the context, not a loop', () => {
    const m = smallModel();
    // every context containing 'x' has NaN logits
    m.C.floatData.fill(Number.NaN, VOCAB.stoi('x')! * 2, VOCAB.stoi('x')! * 2 + 2);
    assert.throws(() => sampleWords(m, VOCAB, { count: 3, generator: new Generator(1), prefix: 'ax' }),
      (e: unknown) => e instanceof MakemoreError && /^cannot sample: the model's next-character probabilities after "ax" are invalid \(multinomial: .*(nan|NaN)/.test(e.message));
    m.b2.floatData.fill(Number.NaN);
    assert.throws(() => sampleWords(m, VOCAB, { count: 1, generator: new Generator(1) }), (e: unknown) => e instanceof MakemoreError && /at the start of a word/.test(e.message));
  });
  test('infinite logits (a huge bias) also stop with an error, at any temperature', () => {
    const m = smallModel();
    m.b2.floatData[3] = Infinity;
    m.b2.floatData[4] = Infinity;
    assert.throws(() => sampleWords(m, VOCAB, { count: 1, generator: new Generator(1), temperature: 1e-3 }), (e: unknown) => e instanceof MakemoreError && /cannot sample/.test(e.message));
  });
  test("a model that never emits '.' stops at the maximum length (default 50)", () => {
    const m = smallModel();
    m.b2.floatData[0] = -1e4;
    const words = sampleWords(m, VOCAB, { count: 4, generator: new Generator(1) });
    assert.deepEqual(words.map((w) => w.length), [50, 50, 50, 50]);
    assert.deepEqual(sampleWords(m, VOCAB, { count: 2, generator: new Generator(1), maxLen: 7 }).map((w) => w.length), [7, 7]);
    assert.throws(() => sampleWords(m, VOCAB, { count: 1, generator: new Generator(1), maxLen: 0 }), MakemoreError);
    assert.throws(() => sampleWords(m, VOCAB, { count: 1, generator: new Generator(1), maxLen: 2, prefix: 'abc' }), /longer than the maximum length 2/);
    assert.throws(() => sampleWords(m, VOCAB, { count: 1, generator: new Generator(1), prefix: 'a.b' }), (e: unknown) => e instanceof MakemoreError && /the prefix "a\.b" contains "\."/.test(e.message));
  });
  test('through the command: --max-len, and a NaN model file refused by sample', () => {
    const m = smallModel();
    m.b2.floatData[0] = -1e4;
    const endless = join(tmp, 'endless.safetensors');
    writeFileSync(endless, encodeModel(m, VOCAB, { step: 0 }));
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const r = run('sample', '--model', endless, '--count', '3', '--max-len', '7', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { words: string[] }).words.map((w) => w.length), [7, 7, 7]);
    m.W2.floatData[5] = Number.NaN;
    const nan = join(tmp, 'nan.safetensors');
    writeFileSync(nan, encodeModel(m, VOCAB, { step: 0 }));
    const bad = run('sample', '--model', nan, '--max-len', 'abc');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--max-len.*expected a positive integer, got "abc"/);
    const r2 = run('sample', '--model', nan);
    assert.equal(r2.status, 1);
    assert.equal(r2.stderr, `makemore: error: ${nan}: tensor "layers.3.weight" holds NaN at index 20; a model's values must be finite\n`);
  });
});
