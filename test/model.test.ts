// Models: the notebook MLP's exact initialisation and first loss on names.txt, determinism,
// running statistics, the module MLP's structure, and model files (safetensors).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Vocab, buildSplits, readWords, type Dataset, type Splits } from '../src/data/index.js';
import { DEFAULT_TRAIN, ModuleMLP, NotebookMLP, createModel, type ModelConfig, type TrainConfig } from '../src/model/index.js';
import { loadModel, saveModel } from '../src/model/io.js';
import { decodeSafetensors, encodeSafetensors } from '../src/model/safetensors.js';
import { BatchNorm1d } from '../src/nn/index.js';
import { Generator } from '../src/random/index.js';
import { Tensor, noGrad, tensor } from '../src/tensor/index.js';
import { splitLoss, train } from '../src/train/index.js';
import { sampleWords } from '../src/sample/index.js';
import { MakemoreError } from '../src/errors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NAMES = join(ROOT, 'data', 'names.txt');
const SEED = 2147483647;
const tmp = mkdtempSync(join(tmpdir(), 'makemore-model-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let splits: Splits;
before(() => {
  const words = readWords(NAMES);
  splits = buildSplits(words, Vocab.fromWords(words), 3, 42);
});

const notebookConfig: ModelConfig = { vocabSize: 27, blockSize: 3, embedDim: 10, hidden: 200, layers: 1, norm: 'notebook' };
const cfg = (steps: number, extra: Partial<TrainConfig> = {}): TrainConfig => ({ ...DEFAULT_TRAIN, steps, ...extra });
/** The first n examples of a dataset. */
const head = (d: Dataset, n: number): Dataset => {
  const b = d.X.shape[1];
  return { X: new Tensor(d.X.intData.slice(0, n * b), [n, b], 'int32'), Y: new Tensor(d.Y.intData.slice(0, n), [n], 'int32') };
};

describe('NotebookMLP on names.txt (seed 2147483647)', () => {
  test('initial parameters are torch-exact', () => {
    const m = new NotebookMLP(notebookConfig, new Generator(SEED));
    assert.equal(m.C.data[0], 1.5673619508743286);
    assert.equal(m.C.data[1], -0.2372923195362091);
    assert.equal(m.C.data[2], -0.027384605258703232);
    assert.equal(m.numParameters(), 12097);
    assert.deepEqual(m.namedParameters().map(([n, t]) => [n, [...t.shape]]), [
      ['C', [27, 10]], ['W1', [30, 200]], ['W2', [200, 27]], ['b2', [27]], ['bngain', [1, 200]], ['bnbias', [1, 200]],
    ]);
    assert.deepEqual(m.namedBuffers().map(([n, t]) => [n, [...t.shape]]), [['bnmean_running', [1, 200]], ['bnstd_running', [1, 200]]]);
    assert.ok(Array.from(m.b2.data).every((v) => v === 0));
    assert.ok(Array.from(m.bngain.data).every((v) => v === 1));
    assert.ok(m.parameters().every((p) => p.dtype === 'float32'));
  });
  test('the first training step: loss 3.3239', () => {
    const g = new Generator(SEED);
    const m = createModel(notebookConfig, g);
    const losses: number[] = [];
    const r = train(m, splits.train, cfg(1), g, { onStep: ({ step, loss, lr }) => { losses.push(loss); assert.equal(step, 0); assert.equal(lr, 0.1); } });
    assert.equal(losses.length, 1);
    assert.equal(r.lastLoss.toFixed(4), '3.3239');
    // the notebook's float32 loss was 3.3238625526428223
    assert.ok(Math.abs(r.lastLoss - 3.3238625526428223) < 1e-5, String(r.lastLoss));
    assert.equal(r.lossLog10[0], Math.fround(Math.log10(r.lastLoss)));
  });
  test('two runs with the same seed give bit-identical loss histories; running stats are used in eval', () => {
    const run = (): { m: NotebookMLP; log: Float32Array } => {
      const g = new Generator(SEED);
      const m = createModel(notebookConfig, g) as NotebookMLP;
      return { m, log: train(m, splits.train, cfg(200), g).lossLog10 };
    };
    const a = run();
    const b = run();
    assert.equal(a.log.length, 200);
    assert.deepEqual(Array.from(a.log), Array.from(b.log));
    assert.ok(a.log[199] < a.log[0], 'the loss went down');
    for (const [name, t] of a.m.stateDict()) assert.deepEqual(Array.from(t.data), Array.from(b.m.stateDict().get(name)!.data), name);

    // running statistics moved away from their initial 0 and 1
    const m = a.m;
    assert.ok(Array.from(m.bnmeanRunning.data).some((v) => v !== 0));
    assert.ok(Array.from(m.bnstdRunning.data).some((v) => v !== 1));
    // eval uses them: logits = tanh(gain·(x·W1 − mean_r)/std_r + bias)·W2 + b2, by hand in float64
    const X = head(splits.val, 5).X;
    m.eval();
    const logits = noGrad(() => m.forward(X));
    const C = m.C.data, W1 = m.W1.data, W2 = m.W2.data, b2 = m.b2.data, rm = m.bnmeanRunning.data, rs = m.bnstdRunning.data;
    for (let r = 0; r < 5; r++) {
      const emb: number[] = [];
      for (let k = 0; k < 3; k++) for (let e = 0; e < 10; e++) emb.push(C[X.intData[r * 3 + k] * 10 + e]);
      const h: number[] = [];
      for (let j = 0; j < 200; j++) {
        let s = 0;
        for (let i = 0; i < 30; i++) s += emb[i] * W1[i * 200 + j];
        h.push(Math.tanh(m.bngain.data[j] * (s - rm[j]) / rs[j] + m.bnbias.data[j]));
      }
      for (let c = 0; c < 27; c++) {
        let s = b2[c];
        for (let j = 0; j < 200; j++) s += h[j] * W2[j * 27 + c];
        assert.ok(Math.abs(logits.data[r * 27 + c] - s) < 1e-4, `logit ${r},${c}: ${logits.data[r * 27 + c]} vs ${s}`);
      }
    }
    // eval does not touch the running statistics; a single example works
    const before = Array.from(rm);
    noGrad(() => m.forward(head(splits.val, 1).X));
    assert.deepEqual(Array.from(m.bnmeanRunning.data), before);
    // in eval mode the output depends on the running mean; in training mode it does not
    const y0 = Array.from(noGrad(() => m.forward(X)).data);
    m.bnmeanRunning.data[0] += 1;
    assert.notDeepEqual(Array.from(noGrad(() => m.forward(X)).data), y0);
    m.train();
    const t0 = Array.from(noGrad(() => m.forward(X)).data);
    m.bnmeanRunning.data[0] += 1;
    assert.deepEqual(Array.from(noGrad(() => m.forward(X)).data), t0);
  });
  test('the notebook model has exactly one hidden layer', () => {
    assert.throws(() => createModel({ ...notebookConfig, layers: 2 }, new Generator(1)), MakemoreError);
  });
});

describe('ModuleMLP', () => {
  const config: ModelConfig = { vocabSize: 27, blockSize: 3, embedDim: 10, hidden: 100, layers: 5, norm: 'batchnorm1d' };
  test('layers 5, hidden 100: names of parameters and buffers', () => {
    const m = createModel(config, new Generator(SEED));
    assert.ok(m instanceof ModuleMLP);
    const params = m.namedParameters().map(([n, t]) => `${n} ${t.shape.join('x')}`);
    const expected = ['embedding.weight 27x10'];
    const bns: number[] = [];
    for (let l = 0; l < 5; l++) {
      expected.push(`layers.${3 * l}.weight 100x${l === 0 ? 30 : 100}`, `layers.${3 * l + 1}.weight 100`, `layers.${3 * l + 1}.bias 100`);
      bns.push(3 * l + 1);
    }
    expected.push('layers.15.weight 27x100', 'layers.16.weight 27', 'layers.16.bias 27');
    bns.push(16);
    assert.deepEqual(params, expected);
    assert.deepEqual(m.namedBuffers().map(([n]) => n), bns.flatMap((i) => [`layers.${i}.running_mean`, `layers.${i}.running_var`, `layers.${i}.num_batches_tracked`]));
    assert.equal(m.numParameters(), 270 + 3000 + 4 * 10000 + 2700 + 5 * 200 + 54);
  });
  test('the last BatchNorm weight is initialised to 0.1, the others to 1', () => {
    const m = new ModuleMLP(config, new Generator(SEED));
    const bns = m.layers.layers.filter((x): x is BatchNorm1d => x instanceof BatchNorm1d);
    assert.equal(bns.length, 6);
    assert.ok(Array.from(bns[5].weight!.data).every((v) => v === Math.fround(0.1)));
    assert.ok(Array.from(bns[5].bias!.data).every((v) => v === 0));
    for (const bn of bns.slice(0, 5)) assert.ok(Array.from(bn.weight!.data).every((v) => v === 1));
    assert.equal(m.activationProbes().length, 5);
  });
  test('Linear weights are randn·(5/3)/sqrt(fan_in), stored (out × in)', () => {
    const m = new ModuleMLP({ ...config, layers: 1 }, new Generator(SEED));
    const g = new Generator(SEED);
    const embed = new Float32Array(270); g.normal(embed);
    assert.deepEqual(Array.from(m.embedding.weight.data), Array.from(embed));
    const draws = new Float32Array(30 * 100); g.normal(draws);
    const k = Math.fround((5 / 3) / Math.sqrt(30));
    const w = (m.layers.layers[0] as unknown as { weight: Tensor }).weight;
    // lecture layout: draws (in × out); PyTorch layout: w (out × in)
    assert.equal(w.data[7 * 30 + 2], Math.fround(draws[2 * 100 + 7] * k));
  });
  test('training moves num_batches_tracked and the running statistics', () => {
    const g = new Generator(3);
    const m = createModel({ ...config, layers: 2, hidden: 16 }, g);
    train(m, splits.train, cfg(5, { batchSize: 8 }), g);
    const sd = m.stateDict();
    assert.equal(sd.get('layers.1.num_batches_tracked')!.item(), 5);
    assert.ok(Array.from(sd.get('layers.1.running_mean')!.data).some((v) => v !== 0));
  });
});

describe('model files (safetensors)', () => {
  const shape = { vocabSize: 27, blockSize: 3, embedDim: 4, hidden: 16 };
  const roundTrips: [string, ModelConfig][] = [
    ['notebook', { ...shape, layers: 1, norm: 'notebook' }],
    ['batchnorm1d', { ...shape, layers: 2, norm: 'batchnorm1d' }],
    ['notebook, the seed preset', { ...shape, layers: 1, norm: 'notebook', init: 'seed', bnEps: 1e-5, bias1: false, bnEval: 'running' }],
    ['notebook, b1 and batch statistics (seed cell 7)', { ...shape, layers: 1, norm: 'notebook', init: 'seed', bnEps: 0, bias1: true, bnEval: 'batch' }],
    ['none, seed init (seed cell 4)', { ...shape, layers: 1, norm: 'none', init: 'seed' }],
    ['layernorm', { ...shape, layers: 2, norm: 'layernorm' }],
    ['groupnorm', { ...shape, layers: 2, norm: 'groupnorm', groups: 4 }],
    ['rmsnorm', { ...shape, layers: 2, norm: 'rmsnorm' }],
  ];
  for (const [norm, config] of roundTrips) {
    test(`saveModel / loadModel round trip (${norm}): same tensors, losses and samples`, () => {
      const g = new Generator(7);
      const m = createModel(config, g);
      train(m, splits.train, cfg(20, { batchSize: 16 }), g);
      const path = join(tmp, `${norm}.safetensors`);
      saveModel(path, m, splits.vocab, { step: 20 });
      const { model, vocab, metadata } = loadModel(path);
      assert.ok(vocab.equals(splits.vocab));
      assert.deepEqual(model.config, config);
      assert.equal(metadata.format, 'makemore-ts');
      assert.equal(metadata.step, '20');
      const a = m.stateDict(), b = model.stateDict();
      assert.deepEqual([...b.keys()], [...a.keys()]);
      for (const [name, t] of a) {
        const u = b.get(name)!;
        assert.equal(u.dtype, t.dtype, name);
        assert.deepEqual([...u.shape], [...t.shape], name);
        assert.deepEqual(Array.from(u.data), Array.from(t.data), name);
      }
      const val = head(splits.val, 3000);
      assert.equal(splitLoss(model, val), splitLoss(m, val));
      const words = (x: typeof m): string[] => sampleWords(x, splits.vocab, { count: 5, generator: new Generator(11) });
      assert.deepEqual(words(model), words(m));
    });
  }
  test('loadModel rejects files that are not makemore models', () => {
    const plain = join(tmp, 'plain.safetensors');
    writeFileSync(plain, encodeSafetensors(new Map([['x', tensor([1, 2])]])));
    assert.throws(() => loadModel(plain), (e: unknown) => e instanceof MakemoreError && /not a makemore-ts model file/.test(e.message));
    assert.throws(() => loadModel(NAMES), MakemoreError);
    assert.throws(() => loadModel(join(tmp, 'nope.safetensors')), (e: unknown) => e instanceof MakemoreError && /no such file/.test(e.message));
    // a config in the metadata that does not match the tensors
    const g = new Generator(1);
    const m = createModel({ vocabSize: 27, blockSize: 3, embedDim: 4, hidden: 8, layers: 1, norm: 'notebook' }, g);
    const path = join(tmp, 'wrong.safetensors');
    saveModel(path, m, splits.vocab, { step: 0, extra: { config: JSON.stringify({ blockSize: 3, embedDim: 4, hidden: 9, layers: 1, norm: 'notebook' }) } });
    assert.throws(() => loadModel(path), (e: unknown) => e instanceof MakemoreError && /has shape .* but the config needs/.test(e.message));
  });
  test('loadModel with a corrupt vocabulary in the metadata throws a MakemoreError naming the file', () => {
    const m = createModel({ vocabSize: 27, blockSize: 3, embedDim: 2, hidden: 4, layers: 1, norm: 'notebook' }, new Generator(1));
    const path = join(tmp, 'dupvocab.safetensors');
    saveModel(path, m, splits.vocab, { step: 0, extra: { vocab: 'aacdefghijklmnopqrstuvwxyz' } });
    assert.throws(() => loadModel(path), (e: unknown) => e instanceof MakemoreError && e.message.startsWith(path));
    const dot = join(tmp, 'dotvocab.safetensors');
    saveModel(dot, m, splits.vocab, { step: 0, extra: { vocab: '.bcdefghijklmnopqrstuvwxyz' } });
    assert.throws(() => loadModel(dot), (e: unknown) => e instanceof MakemoreError && e.message.startsWith(dot));
  });
  test('encode / decode round trip of float32, float64, int32 and metadata', () => {
    const tensors = new Map<string, Tensor>([
      ['a', tensor([[1.5, -2], [3, 4]])],
      ['b', tensor([0.1, 0.2, 0.3], { dtype: 'float64' })],
      ['c', tensor(7, { dtype: 'int32' })],
      ['empty', tensor([])],
    ]);
    const bytes = encodeSafetensors(tensors, { hello: 'wörld' });
    const hlen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + hlen) % 8, 0, 'data is 8-byte aligned');
    const back = decodeSafetensors(bytes, 'mem');
    assert.deepEqual(back.metadata, { hello: 'wörld' });
    for (const [name, t] of tensors) {
      const u = back.tensors.get(name)!;
      assert.equal(u.dtype, t.dtype);
      assert.deepEqual(u.toArray(), t.toArray());
    }
  });
  test('decode of I64 tensors narrows to int32, and refuses values that do not fit', () => {
    const mk = (v: bigint): Uint8Array => {
      const data = new Uint8Array(new BigInt64Array([v]).buffer);
      return build(JSON.stringify({ n: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }), data);
    };
    assert.equal(decodeSafetensors(mk(5n), 'm').tensors.get('n')!.item(), 5);
    assert.throws(() => decodeSafetensors(mk(2n ** 40n), 'm'), MakemoreError);
  });

  /** safetensors bytes from a header string and data bytes. */
  function build(header: string, data: Uint8Array = new Uint8Array(0), hlenOverride?: number): Uint8Array {
    const h = Buffer.from(header, 'utf8');
    const out = new Uint8Array(8 + h.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(hlenOverride ?? h.length), true);
    out.set(h, 8);
    out.set(data, 8 + h.length);
    return out;
  }
  const rejects = (bytes: Uint8Array, re: RegExp): void => {
    assert.throws(() => decodeSafetensors(bytes, 'bad.safetensors'), (e: unknown) => {
      assert.ok(e instanceof MakemoreError, `not a MakemoreError: ${String(e)}`);
      assert.match(e.message, /^bad\.safetensors: not a valid safetensors model file: /);
      assert.match(e.message, re);
      return true;
    });
  };
  const f32x2 = new Uint8Array(new Float32Array([1, 2]).buffer);
  test('decodeSafetensors rejects: too short', () => {
    rejects(new Uint8Array(0), /0 bytes, too short/);
    rejects(new Uint8Array(7), /7 bytes, too short/);
  });
  test('decodeSafetensors rejects: header length past the end', () => {
    rejects(build('{}', new Uint8Array(0), 100), /header length 100 runs past the end of the 10-byte file/);
    rejects(build('{}', new Uint8Array(0), 2 ** 40), /larger than/);
  });
  test('decodeSafetensors rejects: non-JSON and non-object headers', () => {
    rejects(build('{not json'), /not JSON/);
    rejects(build('[1, 2]'), /not a JSON object/);
    rejects(build('null'), /not a JSON object/);
    rejects(build('"x"'), /not a JSON object/);
  });
  test('decodeSafetensors rejects: unknown dtype', () => {
    rejects(build(JSON.stringify({ x: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] } }), new Uint8Array(4)), /tensor "x" has unsupported dtype "BF16"/);
    rejects(build(JSON.stringify({ x: { shape: [2], data_offsets: [0, 8] } }), f32x2), /unsupported dtype/);
  });
  test('decodeSafetensors rejects: offsets out of range or malformed', () => {
    rejects(build(JSON.stringify({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }), new Uint8Array(4)), /run past the 4 bytes of data/);
    rejects(build(JSON.stringify({ x: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }), f32x2), /invalid data_offsets/);
    rejects(build(JSON.stringify({ x: { dtype: 'F32', shape: [2], data_offsets: [-4, 4] } }), f32x2), /invalid data_offsets/);
    rejects(build(JSON.stringify({ x: { dtype: 'F32', shape: [2], data_offsets: [0] } }), f32x2), /invalid data_offsets/);
    rejects(build(JSON.stringify({ x: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }), f32x2), /invalid shape/);
  });
  test('decodeSafetensors rejects: overlapping offsets', () => {
    const header = JSON.stringify({
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    });
    rejects(build(header, new Uint8Array(12)), /tensors "a" and "b" overlap/);
  });
  test('decodeSafetensors rejects: shape / bytes mismatch', () => {
    rejects(build(JSON.stringify({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }), f32x2), /tensor "x" has 8 bytes but shape \[3\] of F32 needs 12/);
    rejects(build(JSON.stringify({ x: { dtype: 'F64', shape: [2], data_offsets: [0, 8] } }), f32x2), /needs 16/);
  });
  test('decodeSafetensors rejects: bad metadata', () => {
    rejects(build(JSON.stringify({ __metadata__: { a: 1 } })), /__metadata__/);
  });
  test('a saved model file starts with a JSON header', () => {
    const g = new Generator(1);
    const m = createModel({ vocabSize: 27, blockSize: 3, embedDim: 2, hidden: 4, layers: 1, norm: 'notebook' }, g);
    const path = join(tmp, 'h.safetensors');
    saveModel(path, m, splits.vocab, { step: 0 });
    const buf = readFileSync(path);
    const hlen = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + hlen).toString('utf8'));
    // PyTorch's names and layouts: C is the embedding, W1 (6×4) is stored as layers.0.weight (4×6)
    assert.equal(header['embedding.weight'].dtype, 'F32');
    assert.deepEqual(header['embedding.weight'].shape, [27, 2]);
    assert.deepEqual(header['layers.0.weight'].shape, [4, 6]);
    assert.equal(header.__metadata__.vocab, 'abcdefghijklmnopqrstuvwxyz');
  });
});
