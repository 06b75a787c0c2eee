// Dropout (src/tensor/ops/dropout.ts, src/nn/dropout.ts) and the transformer's --dropout against
// PyTorch 1.13 (tools/dropout_reference.py → test/fixtures/dropout.json): F.dropout's output, gradient
// and generator stream bit for bit; makemore.py's transformer with minGPT's dropouts put back: the
// same keep masks in the same order from the generator that drew the parameters, the logits, loss
// and gradients to float32 tolerance; eval mode draws nothing; the gradient against finite
// differences; the config's checks and the model file's round trip.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vocab } from '../src/data/index.js';
import { MakemoreError } from '../src/errors.js';
import { createModel, validateModelConfig, type ModelConfig } from '../src/model/index.js';
import { decodeModel, encodeModel } from '../src/model/file.js';
import { Dropout, dropoutGenerator, setDropoutGenerator } from '../src/nn/index.js';
import { Generator } from '../src/random/index.js';
import { Tensor, crossEntropy, dropout, noGrad, rand, tensor } from '../src/tensor/index.js';
import { gradcheck, project, randT } from './helpers/gradcheck.js';
import { ROOT, inProcess } from './helpers/cli.js';

interface OpCase { seed: number; p: number; shape: number[]; x: number[]; gradOut: number[]; y: number[]; grad: number[]; after: number[] }
interface Pass { logits: number[]; loss: number; masks: { name: string; keep: number[] }[]; grads?: { name: string; values: number[] }[] }
interface TransformerCase {
  config: Record<'vocab_size' | 'block_size' | 'n_layer' | 'n_head' | 'n_embd' | 'n_embd2', number>;
  seed: number; p: number; x: number[][]; y: number[][]; passes: Pass[]; evalLogits: number[]; evalMasks: number; after: number[];
}
const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'dropout.json'), 'utf8')) as { ops: OpCase[]; transformer: TransformerCase };

const f32 = (v: readonly number[], shape: readonly number[], grad = false): Tensor => new Tensor(Float32Array.from(v), shape, 'float32', grad);
const ints = (rows: number[][]): Tensor => tensor(rows.flat(), { dtype: 'int32' }).view(rows.length, rows[0].length);

/** Every value the same float32 bits; with `signedZero` false, −0 and 0 count as one. */
function bitsEqual(actual: ArrayLike<number>, expected: readonly number[], what: string, signedZero = true): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const same = signedZero ? Object.is(actual[i], expected[i]) : actual[i] === expected[i];
    assert.ok(same, `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`);
  }
}

/** Every |a − e| ≤ rel·max|e| + atol (float32 sums in another order). */
function allClose(actual: ArrayLike<number>, expected: readonly number[], what: string, rel = 1e-5, atol = 1e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= rel * scale + atol, `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`);
}

describe('F.dropout against PyTorch', () => {
  for (const c of fixture.ops) {
    test(`p = ${c.p}, shape (${c.shape.join(', ')}): output, gradient and the generator after it, bit for bit`, () => {
      const x = f32(c.x, c.shape, true);
      const g = new Generator(c.seed);
      const y = dropout(x, c.p, true, g);
      bitsEqual(y.data, c.y, 'y');
      y.backward(f32(c.gradOut, c.shape));
      // a leaf's .grad accumulates into zeros here (PyTorch hands the first gradient over as is): a dropped −0 reads 0
      bitsEqual(x.grad!.data, c.grad, 'grad', false);
      bitsEqual(rand([4], { generator: g }).data, c.after, 'torch.rand(4) after');
    });
  }

  test('the p = 0.021 case tells fround(1 / fround(1 − p)), the kept scale, from fround(1 / (1 − p))', () => {
    const c = fixture.ops.find((o) => o.p === 0.021)!;
    const [s32, s64] = [Math.fround(1 / Math.fround(1 - c.p)), Math.fround(1 / (1 - c.p))];
    const kept = c.y.map((v, i) => i).filter((i) => c.y[i] !== 0);
    assert.ok(kept.length > 250, `${kept.length} kept`);
    assert.ok(kept.every((i) => c.y[i] === Math.fround(c.x[i] * s32)));
    assert.ok(kept.some((i) => c.y[i] !== Math.fround(c.x[i] * s64)));
  });

  test('eval mode, p = 0 and an empty tensor: the input itself, no draws', () => {
    const x = f32([1, 2, 3], [3]);
    const g = new Generator(1);
    const fresh = new Generator(1);
    assert.equal(dropout(x, 0.5, false, g), x);
    assert.equal(dropout(x, 0, true, g), x);
    assert.equal(dropout(f32([], [0]), 0.5, true, g).numel, 0);
    assert.equal(g.nextUint32(), fresh.nextUint32());
  });

  test('p outside [0, 1] is refused with its value; an int tensor is refused', () => {
    assert.throws(() => dropout(f32([1], [1]), 1.5), /dropout probability has to be between 0 and 1, but got 1\.5/);
    assert.throws(() => dropout(f32([1], [1]), Number.NaN), /got NaN/);
    assert.throws(() => dropout(tensor([1, 2], { dtype: 'int32' }), 0.5), /dropout needs a floating point tensor/);
  });

  test('float64: the gradient against central finite differences (the same mask each call)', () => {
    const x = randT([6, 7], 21);
    const r = gradcheck((t) => project(dropout(t, 0.3, true, new Generator(5))), [x]);
    assert.equal(r.checked, 42);
    // and the mask is not trivial: some dropped, some kept (scaled by 1/0.7 in float64)
    const y = noGrad(() => dropout(x, 0.3, true, new Generator(5)));
    const ratios = [...y.data].map((v, i) => v / Number(x.data[i]));
    assert.ok(ratios.some((v) => v === 0) && ratios.some((v) => Math.abs(v - 1 / 0.7) < 1e-12), ratios.join());
  });

  test('nn.Dropout: the functional form in training mode, the identity in eval mode', () => {
    const x = f32(fixture.ops[0].x, fixture.ops[0].shape);
    const m = new Dropout(0.1, { generator: new Generator(fixture.ops[0].seed) });
    bitsEqual(m.call(x).data, fixture.ops[0].y, 'Dropout(0.1)');
    assert.equal(m.eval().call(x), x);
    assert.equal(m.namedParameters().length + m.namedBuffers().length, 0);
    assert.throws(() => new Dropout(-0.1), /got -0\.1/);
  });
});

describe('the transformer with dropout against makemore.py + minGPT\'s dropouts', () => {
  const t = fixture.transformer;
  const config: ModelConfig = {
    arch: 'transformer', norm: 'layernorm', vocabSize: t.config.vocab_size, blockSize: t.config.block_size,
    embedDim: t.config.n_embd, hidden: t.config.n_embd2, layers: t.config.n_layer, heads: t.config.n_head, dropout: t.p,
  };

  test('two training passes: the same keep masks in call order, logits, loss and gradients; eval draws nothing', () => {
    const g = new Generator(t.seed);
    const model = createModel(config, g);
    assert.equal(dropoutGenerator(model), g);
    const masks: { name: string; keep: number[] }[] = [];
    for (const [name, m] of model.namedModules()) {
      if (m instanceof Dropout) m.registerForwardHook((_m, _x, y) => masks.push({ name, keep: [...y.data].map((v) => (v !== 0 ? 1 : 0)) }));
    }
    const X = ints(t.x);
    const Y = ints(t.y);
    t.passes.forEach((pass, i) => {
      masks.length = 0;
      model.zeroGrad();
      const logits = model.forward(X);
      const [B, T, V] = logits.shape;
      const loss = crossEntropy(logits.view(B * T, V), Y.view(B * T), { ignoreIndex: -1 });
      loss.backward();
      assert.deepEqual(masks.map((m) => m.name), pass.masks.map((m) => m.name), `pass ${i}: dropouts in call order`);
      for (let k = 0; k < masks.length; k++) assert.deepEqual(masks[k].keep, pass.masks[k].keep, `pass ${i}: mask of ${masks[k].name}`);
      allClose(logits.data, pass.logits, `pass ${i} logits`);
      allClose([loss.item()], [pass.loss], `pass ${i} loss`);
      if (pass.grads !== undefined) {
        const params = new Map(model.namedParameters());
        for (const gr of pass.grads) allClose(params.get(gr.name)!.grad!.data, gr.values, `grad ${gr.name}`, 1e-5, 1e-7);
      }
    });
    model.eval();
    masks.length = 0;
    allClose(noGrad(() => model.forward(X)).data, t.evalLogits, 'eval logits');
    assert.equal(masks.length, t.evalMasks);
    // the stream stands where PyTorch's does: the masks were drawn and eval drew nothing
    bitsEqual(rand([4], { generator: g }).data, t.after, 'torch.rand(4) after');
  });

  test('dropout adds no state_dict entries; p = 0 adds no modules and no draws', () => {
    const withP = createModel(config, new Generator(1));
    const without = createModel({ ...config, dropout: undefined }, new Generator(1));
    assert.deepEqual([...withP.stateDict().keys()], [...without.stateDict().keys()]);
    const zero = createModel({ ...config, dropout: 0 }, new Generator(1));
    assert.equal(dropoutGenerator(zero), null);
    assert.equal(zero.namedModules().length, without.namedModules().length);
    assert.deepEqual(withP.namedModules().filter(([, m]) => m instanceof Dropout).map(([n]) => n),
      ['transformer.drop', 'transformer.h.0.attn.resid_dropout', 'transformer.h.0.mlp.dropout', 'transformer.h.1.attn.resid_dropout', 'transformer.h.1.mlp.dropout']);
  });

  test('setDropoutGenerator points every dropout at one generator', () => {
    const model = createModel(config, new Generator(1));
    const g = new Generator(2);
    setDropoutGenerator(model, g);
    assert.ok(model.namedModules().every(([, m]) => !(m instanceof Dropout) || m.generator === g));
  });

  test('the model file keeps the dropout in its config', () => {
    const vocab = Vocab.fromWords(['abcdef']);
    const model = createModel(config, new Generator(3));
    const back = decodeModel(encodeModel(model, vocab, { step: 0 }), 'test.safetensors');
    assert.equal(back.model.config.dropout, t.p);
    assert.ok(dropoutGenerator(back.model) !== null);
  });

  test('the config refuses a dropout outside [0, 1) or on another model, in one line naming the value', () => {
    for (const p of [1, -0.1, 1.5, Number.NaN]) {
      assert.throws(() => validateModelConfig({ ...config, dropout: p }), (e: Error) => e instanceof MakemoreError && e.message === `dropout must be a number in [0, 1), got ${p}`);
    }
    assert.throws(() => validateModelConfig({ ...config, dropout: '0.1' as unknown as number }), /dropout must be a number in \[0, 1\), got 0\.1/);
    assert.throws(() => validateModelConfig({ arch: 'bigram', norm: 'none', vocabSize: 7, blockSize: 6, embedDim: 8, hidden: 8, layers: 1, dropout: 0.1 }), /dropout applies only to the transformer, not bigram/);
  });

  test('makemore train --dropout: refused outside [0, 1) and for other types, in one line (docs/errors.md)', async () => {
    const bigram = await inProcess('train', '--type', 'bigram', '--dropout', '0.1', '--steps', '1');
    assert.equal(bigram.status, 1);
    assert.equal(bigram.stderr, 'makemore: error: dropout applies only to the transformer, not bigram\n');
    const one = await inProcess('train', '--type', 'transformer', '--dropout', '1', '--steps', '1');
    assert.equal(one.status, 1);
    assert.match(one.stderr, /^error: option '--dropout <p>' argument '1' is invalid\. expected a number in \[0, 1\), got "1"\n/);
  });
});
