// makemore.py's bag-of-words and transformer types (src/model/kinds/bow.ts, transformer.ts) against
// makemore.py's own classes on PyTorch 1.13 (tools/transformer_reference.py → test/fixtures/transformer.json):
// init bit-identical for a seed, state_dict names and shapes, forward logits, the masked loss and
// every parameter's gradient on a batch with padded (−1) targets; the whole model's gradients
// against float64 finite differences; the causal-attention op against the op-by-op form.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MakemoreError } from '../src/errors.js';
import { Vocab } from '../src/data/index.js';
import { createModel, type ModelConfig } from '../src/model/index.js';
import { decodeModel, encodeModel } from '../src/model/file.js';
import { BoW } from '../src/model/kinds/bow.js';
import { Block, Transformer } from '../src/model/kinds/transformer.js';
import type { SequenceModel } from '../src/model/kinds/sequence.js';
import { Embedding, LayerNorm, Linear, functional as F } from '../src/nn/index.js';
import { Generator } from '../src/random/index.js';
import { AdamW } from '../src/optim/index.js';
import { Tensor, causalAttention, crossEntropy, noGrad, tensor, tidy } from '../src/tensor/index.js';
import { attentionOpByOp } from './helpers/block.js';
import { gradcheck, project, randT } from './helpers/gradcheck.js';
import { ROOT } from './helpers/cli.js';

type PyConfig = Record<'vocab_size' | 'block_size' | 'n_layer' | 'n_head' | 'n_embd' | 'n_embd2', number>;
interface Small {
  config: PyConfig; seed: number;
  state: { name: string; shape: number[]; values: number[] }[];
  parameters: string[];
  x: number[][]; y: number[][];
  logits: number[]; loss: number; grads: { name: string; values: number[] }[];
  shortLogits: number[];
}
interface Default { config: PyConfig; seed: number; tensors: { name: string; shape: number[]; sum: number; sumSq: number; head: number[] }[] }
const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'transformer.json'), 'utf8')) as {
  types: Record<'bow' | 'transformer', { small: Small; default: Default }>;
};

/** makemore.py's ModelConfig in this project's names. */
const configOf = (arch: 'bow' | 'transformer', c: PyConfig): ModelConfig => ({
  arch, norm: arch === 'transformer' ? 'layernorm' : 'none', vocabSize: c.vocab_size, blockSize: c.block_size,
  embedDim: c.n_embd, hidden: c.n_embd2, layers: c.n_layer, ...(arch === 'transformer' ? { heads: c.n_head } : {}),
});
const build = (arch: 'bow' | 'transformer', c: PyConfig, seed: number): SequenceModel =>
  createModel(configOf(arch, c), new Generator(seed)) as SequenceModel;

const ints = (rows: number[][]): Tensor => tensor(rows.flat(), { dtype: 'int32' }).view(rows.length, rows[0].length);

/** Every |a − e| ≤ rel·max|e| + atol (float32 sums in another order). */
function allClose(actual: ArrayLike<number>, expected: readonly number[], what: string, rel = 1e-5, atol = 1e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    assert.ok(err <= rel * scale + atol, `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`);
  }
}

/** forward + masked cross-entropy as makemore.py: logits.view(−1, V) against targets.view(−1), ignore −1. */
function lossOf(model: SequenceModel, X: Tensor, Y: Tensor): { logits: Tensor; loss: Tensor } {
  const logits = model.forward(X);
  const [B, T, V] = logits.shape;
  return { logits, loss: crossEntropy(logits.view(B * T, V), Y.view(B * T), { ignoreIndex: -1 }) };
}

/** The model's state_dict against makemore.py's: the same names and shapes; each fixture entry with its tensor. */
function matchStateDict<S extends { name: string; shape: number[] }>(model: SequenceModel, expected: readonly S[]): [S, Tensor][] {
  const sd = model.stateDict();
  assert.deepEqual([...sd.keys()].sort(), expected.map((s) => s.name).sort());
  return expected.map((s) => {
    const t = sd.get(s.name)!;
    assert.deepEqual([...t.shape], s.shape, `${s.name} shape`);
    return [s, t];
  });
}

for (const arch of ['bow', 'transformer'] as const) {
  const { small, default: dflt } = fixture.types[arch];
  describe(`${arch} against makemore.py`, () => {
    test('init: every state_dict tensor bit-identical to torch.manual_seed + makemore.py\'s constructor (small config)', () => {
      for (const [s, t] of matchStateDict(build(arch, small.config, small.seed), small.state)) assert.deepEqual([...t.data], s.values, `${s.name} values`);
    });

    test('init at makemore.py\'s defaults (n_layer 4, n_head 4, n_embd 64, n_embd2 64): names, shapes, sums, first values', () => {
      for (const [s, t] of matchStateDict(build(arch, dflt.config, dflt.seed), dflt.tensors)) {
        assert.deepEqual([...t.data.subarray(0, 8)], s.head, `${s.name} first values`);
        let sum = 0, sumSq = 0;
        for (const v of t.data) { sum += v; sumSq += v * v; }
        assert.ok(Math.abs(sum - s.sum) <= 1e-9 * Math.max(1, Math.abs(s.sum)), `${s.name} sum ${sum} vs ${s.sum}`);
        assert.ok(Math.abs(sumSq - s.sumSq) <= 1e-9 * Math.max(1, s.sumSq), `${s.name} sum of squares ${sumSq} vs ${s.sumSq}`);
      }
    });

    test('parameters in makemore.py\'s named_parameters order', () => {
      const model = build(arch, small.config, small.seed);
      assert.deepEqual(model.namedParameters().map(([n]) => n), small.parameters);
    });

    test('forward logits, masked loss (targets −1 ignored) and every parameter\'s gradient', () => {
      const model = build(arch, small.config, small.seed);
      const X = ints(small.x), Y = ints(small.y);
      assert.ok(small.y.flat().includes(-1), 'the batch has padded targets');
      const { logits, loss } = lossOf(model, X, Y);
      assert.deepEqual([...logits.shape], [small.x.length, small.x[0].length, small.config.vocab_size]);
      allClose(logits.data, small.logits, 'logits');
      allClose([loss.item()], [small.loss], 'loss');
      loss.backward();
      const params = new Map(model.namedParameters());
      for (const g of small.grads) allClose(params.get(g.name)!.grad!.data, g.values, `grad ${g.name}`, 1e-5, 1e-7);
    });

    test('a sequence shorter than the block (sampling) gives the same logits as PyTorch', () => {
      const model = build(arch, small.config, small.seed);
      const X = ints(small.x.map((r) => r.slice(0, 3)));
      const logits = noGrad(() => model.forward(X));
      allClose(logits.data, small.shortLogits, 'logits at T = 3');
    });

    test('causal: the logits at position t do not depend on later tokens (every prefix length, T = 1 included)', () => {
      const model = build(arch, small.config, small.seed);
      const X = ints(small.x);
      const [B, T] = [small.x.length, small.x[0].length], V = small.config.vocab_size;
      const full = noGrad(() => model.forward(X)).data;
      for (let t = 1; t < T; t++) {
        const part = noGrad(() => model.forward(ints(small.x.map((r) => r.slice(0, t))))).data;
        for (let b = 0; b < B; b++) {
          allClose(part.subarray(b * t * V, (b + 1) * t * V), [...full.subarray(b * T * V, b * T * V + t * V)], `T = ${t} row ${b}`, 1e-6);
        }
      }
    });

    test('a sequence longer than the block size is refused with a one-line error', () => {
      const model = build(arch, small.config, small.seed);
      const T = small.config.block_size + 1;
      assert.throws(() => model.forward(ints([new Array<number>(T).fill(1)])), (e: Error) => e instanceof MakemoreError && /block size is only 6/.test(e.message));
    });
  });
}

/** Every Linear/Embedding/LayerNorm parameter of `model` replaced by a float64 leaf with random values. */
function toFloat64(model: SequenceModel): Tensor[] {
  const ps: Tensor[] = [];
  let seed = 1;
  for (const [, m] of model.namedModules()) {
    if (!(m instanceof Linear || m instanceof Embedding || m instanceof LayerNorm)) continue;
    const o = m as unknown as Record<'weight' | 'bias', Tensor | null | undefined>;
    for (const key of ['weight', 'bias'] as const) {
      const old = o[key];
      if (!(old instanceof Tensor)) continue; // Linear(bias=false), Embedding
      // LayerNorm weights near 1, the rest around 0
      const t = randT(old.shape, seed++, m instanceof LayerNorm && key === 'weight' ? 0.5 : -0.8, m instanceof LayerNorm && key === 'weight' ? 1.5 : 0.8);
      o[key] = t;
      ps.push(t);
    }
  }
  return ps;
}

describe('gradients against float64 finite differences (tiny configs, every parameter)', () => {
  const X = ints([[0, 1, 2, 3], [0, 3, 3, 0], [0, 2, 0, 0]]);
  const Y = ints([[1, 2, 3, 0], [3, 3, 0, -1], [2, 0, -1, -1]]);
  for (const arch of ['bow', 'transformer'] as const) {
    test(arch, () => {
      const config: ModelConfig = { ...configOf(arch, { vocab_size: 4, block_size: 5, n_layer: 2, n_head: 2, n_embd: 4, n_embd2: 3 }) };
      const model = createModel(config, new Generator(3)) as SequenceModel;
      const ps = toFloat64(model);
      assert.equal(ps.length, model.parameters().length, 'every parameter swapped');
      const r = gradcheck(() => lossOf(model, X, Y).loss, ps, { rtol: 1e-5, atol: 1e-7 });
      assert.equal(r.checked, ps.reduce((s, p) => s + p.numel, 0));
    });
  }
});

describe('the transformer Block module against PyTorch (tools/makemore_block.py\'s fixture in ops-reference.json)', () => {
  interface BlockFixture { B: number; T: number; C: number; nHead: number; x: number[]; y: number[]; dy: number[]; dx: number[];
    params: Record<string, { shape: number[]; data: number[]; grad: number[] }> }
  const block = (JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'ops-reference.json'), 'utf8')) as { block: BlockFixture }).block;
  // the fixture's short names → makemore.py's Block state_dict names
  const rename: Record<string, string> = { ln1: 'ln_1', ln2: 'ln_2', c_attn: 'attn.c_attn', c_fc: 'mlp.c_fc' };
  const nameOf = (k: string): string => { const [head, ...rest] = k.split('.'); return [rename[head] ?? head, ...rest].join('.'); };
  test('y, dx and every parameter gradient within 5e-6 of PyTorch', () => {
    const { B, T, C, nHead } = block;
    const m = new Block(C, nHead, T, new Generator(1));
    const f32 = (v: number[], shape: number[], grad = false): Tensor => new Tensor(Float32Array.from(v), shape, 'float32', grad);
    const missing = m.loadStateDict(new Map(Object.entries(block.params).map(([k, v]) => [nameOf(k), f32(v.data, v.shape)])), false).missingKeys;
    assert.deepEqual(missing, ['attn.bias'], 'every parameter loaded');
    const x = f32(block.x, [B, T, C], true);
    const y = m.forward(x);
    allClose(y.data, block.y, 'y', 5e-6);
    y.backward(f32(block.dy, [B, T, C]));
    allClose(x.grad!.data, block.dx, 'dx', 5e-6);
    const params = new Map(m.namedParameters());
    for (const [k, v] of Object.entries(block.params)) allClose(params.get(nameOf(k))!.grad!.data, v.grad, `d${nameOf(k)}`, 5e-6);
  });
});

describe('causalAttention', () => {
  test('equals the op-by-op form forward and backward (float32, 3 heads of 5)', () => {
    const qkv = new Tensor(Float32Array.from(randT([2, 7, 45], 11, -2, 2).data), [2, 7, 45], 'float32', true);
    const a = causalAttention(qkv, 3);
    const b = attentionOpByOp(qkv, 3);
    allClose(a.data, [...b.data], 'y');
    project(a, 12).backward();
    const ga = Float32Array.from(qkv.grad!.data);
    qkv.grad = null;
    project(b, 12).backward();
    allClose(ga, [...qkv.grad!.data], 'dqkv');
  });
  test('float64 finite differences', () => {
    gradcheck((qkv) => project(causalAttention(qkv, 2)), [randT([2, 4, 12], 13, -2, 2)]);
  });
  test('a head count that does not divide the width is refused', () => {
    assert.throws(() => causalAttention(randT([1, 2, 12], 14), 5), /heads dividing C/);
    assert.throws(() => createModel({ ...configOf('transformer', fixture.types.transformer.small.config), heads: 3 }, new Generator(1)),
      (e: Error) => e instanceof MakemoreError && e.message === 'heads (3) must divide the embedding size (8)');
  });
  test('the transformer kind defaults to 4 heads; bow refuses a heads option', () => {
    const m = createModel({ arch: 'transformer', norm: 'layernorm', vocabSize: 5, blockSize: 4, embedDim: 8, hidden: 8, layers: 1 }, new Generator(1));
    assert.equal((m as Transformer).transformer.h.layers.length, 1);
    assert.throws(() => createModel({ arch: 'bow', norm: 'none', vocabSize: 5, blockSize: 4, embedDim: 8, hidden: 8, layers: 1, heads: 2 }, new Generator(1)), MakemoreError);
    assert.ok(createModel({ arch: 'bow', norm: 'none', vocabSize: 5, blockSize: 4, embedDim: 8, hidden: 8, layers: 1 }, new Generator(1)) instanceof BoW);
  });
});

describe('training with AdamW (own loop: forward, masked loss, backward, step)', () => {
  const words = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'amelia', 'ella'];
  const chars = [...new Set(words.join(''))].sort();
  const T = Math.max(...words.map((w) => w.length)) + 1;
  // makemore.py's CharDataset: x = 0, w…, 0…; y = w…, 0, −1…
  const X = ints(words.map((w) => [0, ...[...w].map((c) => chars.indexOf(c) + 1), ...new Array<number>(T - 1 - w.length).fill(0)]));
  const Y = ints(words.map((w) => [...[...w].map((c) => chars.indexOf(c) + 1), 0, ...new Array<number>(T - 1 - w.length).fill(-1)]));
  for (const arch of ['bow', 'transformer'] as const) {
    test(`${arch}: the loss on a tiny word list falls well below its start in 100 steps`, () => {
      const model = build(arch, { vocab_size: chars.length + 1, block_size: T, n_layer: 2, n_head: 2, n_embd: 16, n_embd2: 16 }, 42);
      const opt = new AdamW(model.parameters(), { lr: 1e-2 });
      const losses: number[] = [];
      for (let i = 0; i < 100; i++) {
        tidy(() => {
          const { loss } = lossOf(model, X, Y);
          losses.push(loss.item());
          opt.zeroGrad();
          loss.backward();
          opt.step();
        });
      }
      assert.ok(losses.every(Number.isFinite), 'finite losses');
      // uniform guessing is ln(vocab) ≈ 2.7; memorising 8 words takes it far lower
      assert.ok(losses[0] > 2, `start ${losses[0]}`);
      assert.ok(losses[99] < 0.5 * losses[0], `loss ${losses[0]} → ${losses[99]}`);
    });
  }
});

describe('model files', () => {
  for (const arch of ['bow', 'transformer'] as const) {
    test(`${arch}: save and load give the same tensors under makemore.py's names and the same logits`, () => {
      const vocab = Vocab.fromWords(['abc', 'bcd', 'ef']);
      const model = build(arch, { vocab_size: vocab.size, block_size: 4, n_layer: 2, n_head: 2, n_embd: 8, n_embd2: 6 }, 5);
      const loaded = decodeModel(encodeModel(model, vocab, { step: 3 }), 'model.safetensors');
      assert.deepEqual(loaded.model.config, model.config);
      const a = model.stateDict(), b = loaded.model.stateDict();
      assert.deepEqual([...b.keys()], [...a.keys()]);
      for (const [k, t] of a) assert.deepEqual([...b.get(k)!.data], [...t.data], k);
      const X = ints([[0, 1, 2, 3], [0, 4, 5, 0]]);
      assert.deepEqual([...noGrad(() => loaded.model.forward(X)).data], [...noGrad(() => model.forward(X)).data]);
    });
  }
});
