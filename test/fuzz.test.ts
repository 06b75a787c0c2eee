// Fuzz tests (fast-check) of the two readers of untrusted bytes: model files (decodeSafetensors,
// decodeModel) and word lists (decodeWords: what readWords does with a file's bytes, and
// parseWords). Every case either decodes to something valid or throws a MakemoreError with a
// one-line message; never another exception, never a hang, never an allocation of gigabytes.
//
// FUZZ_RUNS (default 10,000) sets the cases per property, FUZZ_SEED (default 42: reproducible CI)
// the seed. They are backend-independent and run in the first pass of `npm test` only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SEPARATOR, Vocab, decodeWords, parseWords } from '../src/data/index.js';
import { createModel, type ModelConfig } from '../src/model/index.js';
import { decodeModel, encodeModel } from '../src/model/file.js';
import { decodeSafetensors, encodeSafetensors } from '../src/model/safetensors.js';
import { Generator } from '../src/random/index.js';
import { Tensor, noGrad } from '../src/tensor/index.js';
import { MakemoreError } from '../src/errors.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 42);
const SKIP = process.env.MAKEMORE_BACKEND === 'js' && 'backend-independent: runs in the first pass of npm test';
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Cases counted per property, the slowest case, for the report and the no-hang check. */
const stats = new Map<string, { cases: number; decoded: number; slowestMs: number }>();

/** Run `f`; a throw must be a one-line MakemoreError starting with `source`. Returns f's value or null. */
function guarded<T>(name: string, source: string, f: () => T): T | null {
  let s = stats.get(name);
  if (s === undefined) { s = { cases: 0, decoded: 0, slowestMs: 0 }; stats.set(name, s); }
  s.cases++;
  const t0 = performance.now();
  try {
    const v = f();
    s.decoded++;
    return v;
  } catch (e) {
    if (!(e instanceof MakemoreError)) throw new Error(`not a MakemoreError: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
    if (e.message.includes('\n') || CONTROL.test(e.message)) throw new Error(`message is not one printable line: ${JSON.stringify(e.message)}`);
    if (!e.message.startsWith(source)) throw new Error(`message does not name ${source}: ${e.message}`);
    return null;
  } finally {
    s.slowestMs = Math.max(s.slowestMs, performance.now() - t0);
  }
}

function report(t: { diagnostic(m: string): void }, name: string): void {
  const s = stats.get(name)!;
  t.diagnostic(`${name}: ${s.cases} cases, ${s.decoded} decoded, slowest ${s.slowestMs.toFixed(1)} ms`);
  assert.ok(s.cases >= RUNS, `${s.cases} cases`);
  // no hang: every case is quick (the largest input here is a few kB)
  assert.ok(s.slowestMs < 2000, `slowest case ${s.slowestMs} ms`);
}

const VOCAB = new Vocab(['.', ...'abcdefghijklmnopqrstuvwxyz']);
const CONFIG: ModelConfig = { vocabSize: 27, blockSize: 3, embedDim: 2, hidden: 4, layers: 1, norm: 'notebook' };
const g = new Generator(1);
const VALID = encodeModel(createModel(CONFIG, g), VOCAB, {
  step: 5, generator: g.getState(), train: { batchSize: 32, steps: 10, lr: 0.1, lrFinal: 0.01, lrDecayStep: 5, seed: 1, splitSeed: 42 },
});
const HLEN = Number(new DataView(VALID.buffer).getBigUint64(0, true));
const HEADER = JSON.parse(new TextDecoder().decode(VALID.subarray(8, 8 + HLEN))) as Record<string, unknown>;
const DATA = VALID.subarray(8 + HLEN);

function withHeader(header: unknown, data: Uint8Array = DATA): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

// ---- model files ----

/** A model that decoded must be usable: its logits on a context are finite (or it has NaN-free weights). */
function checkDecodedModel(bytes: Uint8Array): void {
  const r = guarded('decodeModel', 'fuzz.safetensors', () => decodeModel(bytes, 'fuzz.safetensors'));
  if (r === null) return;
  assert.equal(r.vocab.size, r.model.config.vocabSize);
  for (const [, t] of r.model.stateDict()) if (t.dtype !== 'int32') assert.ok(t.floatData.every(Number.isFinite));
  r.model.eval();
  const logits = noGrad(() => r.model.forward(new Tensor(new Int32Array(r.model.config.blockSize), [1, r.model.config.blockSize], 'int32')));
  assert.deepEqual([...logits.shape], [1, r.vocab.size]);
}

/** Mutations of the valid file: bit flips, byte writes, truncation, extension, header-length edits. */
const mutation = fc.oneof(
  fc.array(fc.nat({ max: VALID.length * 8 - 1 }), { minLength: 1, maxLength: 8 }).map((bits) => (b: Uint8Array) => {
    for (const bit of bits) b[bit >> 3] ^= 1 << (bit & 7);
    return b;
  }),
  fc.array(fc.tuple(fc.nat({ max: VALID.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((writes) => (b: Uint8Array) => {
    for (const [at, v] of writes) b[at] = v;
    return b;
  }),
  // bytes inside the header: JSON structure characters and digits
  fc.array(fc.tuple(fc.nat({ max: HLEN - 1 }), fc.constantFrom(...'{}[]",:0123456789-eE. tfn'.split('').map((c) => c.charCodeAt(0)))), { minLength: 1, maxLength: 4 }).map((writes) => (b: Uint8Array) => {
    for (const [at, v] of writes) b[8 + at] = v;
    return b;
  }),
  fc.nat({ max: VALID.length - 1 }).map((n) => (b: Uint8Array) => b.subarray(0, n)),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((extra) => (b: Uint8Array) => {
    const out = new Uint8Array(b.length + extra.length);
    out.set(b);
    out.set(extra, b.length);
    return out;
  }),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((hlen) => (b: Uint8Array) => {
    new DataView(b.buffer, b.byteOffset).setBigUint64(0, hlen, true);
    return b;
  }),
);

/** JSON values that header fields could be replaced with. */
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer({ min: -10, max: 1000 }),
  fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, 1e300, -0, 0.5, 'F32', 'F64', 'I32', 'I64', 'BF16', '__proto__', 'constructor', null, [], {}),
  fc.array(fc.oneof(fc.integer({ min: -2, max: 300 }), fc.constantFrom(1e10, 2 ** 53, 0.5)), { maxLength: 4 }),
);
const METADATA_KEYS = ['format', 'format_version', 'config', 'vocab', 'step', 'generator', 'train'];
const CONFIG_KEYS = ['blockSize', 'embedDim', 'hidden', 'layers', 'norm', 'init'];
const TENSOR_NAMES = Object.keys(HEADER).filter((k) => k !== '__metadata__');
const TRAIN_KEYS = ['batchSize', 'steps', 'lr', 'lrFinal', 'lrDecayStep', 'seed', 'splitSeed'];

/** Edits of the header that keep it valid JSON: a field of a tensor, the config, the train state or the metadata replaced. */
const headerEdit = fc.oneof(
  fc.tuple(fc.constantFrom(...TENSOR_NAMES), fc.constantFrom('dtype', 'shape', 'data_offsets', 'extra'), jsonish).map(([name, field, v]) => (h: any) => { h[name] = { ...h[name], [field]: v }; }),
  fc.tuple(fc.constantFrom(...TENSOR_NAMES), fc.nat({ max: 1 }), fc.integer({ min: -8, max: 8 })).map(([name, i, d]) => (h: any) => { h[name].data_offsets[i] += 4 * d; }),
  fc.tuple(fc.constantFrom(...TENSOR_NAMES), fc.constantFrom(...TENSOR_NAMES)).map(([a, b]) => (h: any) => { h[a] = { ...h[a], data_offsets: h[b].data_offsets }; }),
  fc.constantFrom(...TENSOR_NAMES).map((name) => (h: any) => { delete h[name]; }),
  fc.tuple(fc.constantFrom(...CONFIG_KEYS), jsonish).map(([k, v]) => (h: any) => { h.__metadata__.config = JSON.stringify({ ...JSON.parse(h.__metadata__.config), [k]: v }); }),
  fc.tuple(fc.constantFrom(...TRAIN_KEYS), jsonish).map(([k, v]) => (h: any) => { h.__metadata__.train = JSON.stringify({ ...JSON.parse(h.__metadata__.train), [k]: v }); }),
  fc.tuple(fc.constantFrom(...METADATA_KEYS), fc.oneof(fc.string({ maxLength: 40 }), jsonish.map((v) => JSON.stringify(v) ?? ''))).map(([k, v]) => (h: any) => { h.__metadata__[k] = v; }),
  fc.tuple(fc.constantFrom(...METADATA_KEYS), jsonish).map(([k, v]) => (h: any) => { h.__metadata__[k] = v; }),
  jsonish.map((v) => (h: any) => { h.__metadata__ = v; }),
  fc.tuple(fc.string({ maxLength: 12 }), jsonish).map(([k, v]) => (h: any) => { h[k] = v; }),
);

test(`fuzz decodeModel: ${RUNS} mutations of a valid model file (bit flips, byte writes, truncation, header length)`, { skip: SKIP }, (t) => {
  fc.assert(fc.property(mutation, (mutate) => { checkDecodedModel(mutate(new Uint8Array(VALID))); }), { numRuns: RUNS, seed: SEED });
  report(t, 'decodeModel');
  stats.delete('decodeModel');
});

test(`fuzz decodeModel: ${RUNS} header edits that keep valid JSON (offsets, dtypes, shapes, config, metadata)`, { skip: SKIP }, (t) => {
  fc.assert(fc.property(fc.array(headerEdit, { minLength: 1, maxLength: 3 }), (edits) => {
    const h = structuredClone(HEADER);
    // an edit that no longer applies (its field was replaced by an earlier one) is skipped
    for (const edit of edits) try { edit(h); } catch { /* skipped */ }
    checkDecodedModel(withHeader(h));
  }), { numRuns: RUNS, seed: SEED });
  report(t, 'decodeModel');
});

test(`fuzz decodeSafetensors: ${RUNS} random byte strings and ${RUNS} random headers`, { skip: SKIP }, (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
    guarded('decodeSafetensors bytes', 'fuzz', () => decodeSafetensors(bytes, 'fuzz'));
  }), { numRuns: RUNS, seed: SEED });
  report(t, 'decodeSafetensors bytes');
  // random headers of well-formed length over random data
  const entry = fc.record({ dtype: fc.oneof(fc.constantFrom('F32', 'F64', 'I32', 'I64', 'F16', 'toString'), jsonish), shape: fc.oneof(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }), jsonish), data_offsets: fc.oneof(fc.tuple(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 64 })), jsonish) }, { requiredKeys: [] });
  const header = fc.dictionary(fc.oneof(fc.constantFrom('__metadata__', 'a', 'b', '__proto__'), fc.string({ maxLength: 8 })), fc.oneof(entry, jsonish, fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }))), { maxKeys: 4 });
  fc.assert(fc.property(header, fc.uint8Array({ maxLength: 64 }), (h, data) => {
    const r = guarded('decodeSafetensors headers', 'fuzz', () => decodeSafetensors(withHeader(h, data), 'fuzz'));
    if (r !== null) {
      // what decoded round-trips
      for (const [, tensor] of r.tensors) assert.equal(tensor.numel, tensor.data.length);
      const again = decodeSafetensors(encodeSafetensors(r.tensors, r.metadata), 'again');
      assert.deepEqual([...again.tensors.keys()], [...r.tensors.keys()]);
    }
  }), { numRuns: RUNS, seed: SEED });
  report(t, 'decodeSafetensors headers');
});

// ---- word lists ----

/** A decoded word list is words: non-empty, trimmed, one line, no '.', no control character. */
function checkWords(words: string[] | null): void {
  if (words === null) return;
  assert.ok(words.length > 0);
  for (const w of words) {
    assert.ok(w.length > 0 && w === w.trim(), JSON.stringify(w));
    assert.ok(!w.includes(SEPARATOR) && !CONTROL.test(w), JSON.stringify(w));
  }
  // and they make a vocabulary whose characters encode every word
  const v = Vocab.fromWords(words);
  for (const w of words) assert.equal(v.decode(v.encode(w)), w);
}

/** Bytes biased towards what matters to a word-list reader: line breaks, '.', NUL, BOM, UTF-8 lead and continuation bytes. */
const wordBytes = fc.array(fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x61, max: 0x7a }) },
  { weight: 2, arbitrary: fc.constantFrom(0x0a, 0x0d, 0x20, 0x09, 0x2e, 0x00, 0x1b, 0x7f) },
  { weight: 2, arbitrary: fc.constantFrom(0xc3, 0xa9, 0xe2, 0x80, 0xa8, 0xf0, 0x9f, 0x98, 0x80, 0xef, 0xbb, 0xbf, 0xc2, 0x85) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
), { maxLength: 200 }).map((a) => Uint8Array.from(a));

test(`fuzz decodeWords (readWords' decoding): ${RUNS} byte strings`, { skip: SKIP }, (t) => {
  fc.assert(fc.property(wordBytes, (bytes) => {
    checkWords(guarded('decodeWords', 'fuzz.txt', () => decodeWords(bytes, 'fuzz.txt')));
  }), { numRuns: RUNS, seed: SEED });
  report(t, 'decodeWords');
});

test(`fuzz parseWords: ${RUNS} Unicode strings`, { skip: SKIP }, (t) => {
  const text = fc.array(fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    { weight: 2, arbitrary: fc.constantFrom('\n', '\r\n', '\r', ' ', '.', '\u0000', '\t', '\u2028', '\u0085', '\uFEFF', '\u00a0') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  ), { maxLength: 30 }).map((parts) => parts.join(''));
  fc.assert(fc.property(text, (s) => {
    checkWords(guarded('parseWords', 'fuzz.txt', () => parseWords(s, 'fuzz.txt')));
  }), { numRuns: RUNS, seed: SEED });
  report(t, 'parseWords');
});

test('no fuzz case allocated gigabytes: peak RSS of this test process', { skip: SKIP }, (t) => {
  const peak = process.resourceUsage().maxRSS * 1024;
  t.diagnostic(`peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
  assert.ok(peak < 1024 * 2 ** 20, `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
});
