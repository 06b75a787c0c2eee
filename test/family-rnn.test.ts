// makemore.py's RNN and GRU (src/model/kinds/rnn.ts) against its own classes on PyTorch 1.13's CPU
// (tools/rnn_reference.py → test/fixtures/rnn.json): state_dict names, shapes and init bit for bit
// for a seed; logits, the masked loss (targets −1 ignored) and every parameter's gradient on a
// fixed batch; gradients against float64 finite differences on a tiny config; a short AdamW run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vocab } from '../src/data/index.js';
import { createModel, modelKind, RNN, type ModelConfig } from '../src/model/index.js';
import { decodeModel, encodeModel, modelTensors } from '../src/model/file.js';
import { jsBackend, kernels, setBackend, useBackend, wasmSupported } from '../src/kernels/index.js';
import { AdamW } from '../src/optim/index.js';
import { Generator } from '../src/random/index.js';
import { Tensor, crossEntropy, gruSequence, noGrad, rnnSequence, tidy, type CellLinear } from '../src/tensor/index.js';
import { gradcheck, lcg, project, randT } from './helpers/gradcheck.js';
import { ROOT } from './helpers/cli.js';

interface PyConfig { vocab_size: number; block_size: number; n_embd: number; n_embd2: number }
interface Reference {
  default: { config: PyConfig; seed: number; parameters: number; state_dict: { name: string; shape: number[]; sum: number; sumsq: number }[] };
  small: {
    config: PyConfig; seed: number; x: number[][]; y: number[][]; init: Record<string, number[]>;
    logits_shape: number[]; logits: number[]; loss: number; grads: Record<string, number[]>;
  };
}
const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'rnn.json'), 'utf8')) as Record<'rnn' | 'gru', Reference>;

/** makemore.py's ModelConfig → ours (the contract's mapping; n_layer, n_head unused here). */
const configOf = (arch: 'rnn' | 'gru', c: PyConfig): ModelConfig => ({
  arch, norm: 'none', vocabSize: c.vocab_size, blockSize: c.block_size, embedDim: c.n_embd, hidden: c.n_embd2, layers: 1,
});
const ints = (rows: number[][]): Tensor => new Tensor(Int32Array.from(rows.flat()), [rows.length, rows[0].length], 'int32');

/** Cross-entropy over every position, padded targets (−1) ignored: makemore.py's loss. */
function maskedLoss(logits: Tensor, y: Tensor): Tensor {
  const [b, t, v] = logits.shape;
  return crossEntropy(logits.view(b * t, v), y.view(b * t), { ignoreIndex: -1 });
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: ${a} vs PyTorch ${e}`);
  }
}

for (const arch of ['rnn', 'gru'] as const) {
  const ref = fixture[arch];
  describe(`makemore.py's ${arch.toUpperCase()} against PyTorch`, () => {
    test(`state_dict names and shapes, and init bit for bit (default config, torch.manual_seed(${ref.default.seed}))`, () => {
      const model = createModel(configOf(arch, ref.default.config), new Generator().manualSeed(ref.default.seed));
      assert.ok(model instanceof RNN);
      assert.equal(model.output, 'sequence');
      assert.equal(model.numParameters(), ref.default.parameters);
      const sd = [...model.stateDict()];
      assert.deepEqual(sd.map(([name, t]) => [name, [...t.shape]]), ref.default.state_dict.map((r) => [r.name, r.shape]));
      for (const [i, [name, t]] of sd.entries()) {
        let s = 0, q = 0;
        for (const v of t.floatData) { s += v; q += v * v; }
        // float64 sums (torch adds in another order: 1e-12 relative; one float32 value off moves them far more)
        assertClose([s], [ref.default.state_dict[i].sum], 1e-12, 1e-12, `${name} sum`);
        assertClose([q], [ref.default.state_dict[i].sumsq], 1e-12, 0, `${name} sum of squares`);
      }
    });

    test(`every parameter value at init equals PyTorch's (small config, seed ${ref.small.seed})`, () => {
      const model = createModel(configOf(arch, ref.small.config), new Generator().manualSeed(ref.small.seed));
      const params = new Map(model.namedParameters());
      assert.deepEqual([...params.keys()], Object.keys(ref.small.init));
      for (const [name, values] of Object.entries(ref.small.init)) assert.deepEqual([...params.get(name)!.floatData], values, name);
    });

    test('logits, the masked loss and every gradient on a padded batch equal PyTorch\'s (float32 tolerance)', () => {
      const model = createModel(configOf(arch, ref.small.config), new Generator().manualSeed(ref.small.seed));
      const x = ints(ref.small.x), y = ints(ref.small.y);
      assert.ok(ref.small.y.flat().includes(-1), 'the batch has padded targets');
      const logits = model.forward(x);
      assert.deepEqual([...logits.shape], ref.small.logits_shape);
      assertClose(logits.floatData, ref.small.logits, 1e-5, 1e-6, 'logits');
      const loss = maskedLoss(logits, y);
      assertClose([loss.item()], [ref.small.loss], 1e-6, 0, 'loss');
      loss.backward();
      for (const [name, p] of model.namedParameters()) {
        assert.ok(p.grad !== null, `${name} has a gradient`);
        assertClose(p.grad.floatData, ref.small.grads[name], 1e-4, 1e-6, `grad ${name}`);
      }
    });

    test('the fused sequence op gives the step-by-step forward\'s logits and gradients (forwardSteps, makemore.py\'s loop)', () => {
      const config: ModelConfig = { arch, norm: 'none', vocabSize: 27, blockSize: 9, embedDim: 16, hidden: 24, layers: 1 };
      const x = ints(ref.small.x), y = ints(ref.small.y);
      const run = (steps: boolean): Map<string, Float32Array> => {
        const model = createModel(config, new Generator(5)) as RNN;
        const logits = steps ? model.forwardSteps(x) : model.forward(x);
        maskedLoss(logits, y).backward();
        return new Map([['logits', Float32Array.from(logits.floatData)], ...model.namedParameters().map(([n, p]) => [n, Float32Array.from(p.grad!.floatData)] as [string, Float32Array])]);
      };
      const fused = run(false), steps = run(true);
      assert.equal(fused.size, steps.size);
      for (const [name, v] of steps) assertClose(fused.get(name)!, [...v], 1e-5, 1e-7, name);
    });

    test('gradients of every parameter against float64 finite differences, fused and step by step (tiny config)', () => {
      const config: ModelConfig = { arch, norm: 'none', vocabSize: 5, blockSize: 4, embedDim: 2, hidden: 3, layers: 1 };
      const model = createModel(config, new Generator(7)) as RNN;
      // Swap each parameter field for a float64 leaf with random values; forward reads the fields.
      const leaves: Tensor[] = [];
      const names: string[] = [];
      const swap = (obj: object, key: string, seed: number): void => {
        const o = obj as Record<string, Tensor>;
        const r = lcg(seed);
        o[key] = new Tensor(Float64Array.from(o[key].data, () => 0.8 * r()), o[key].shape, 'float64', true);
        leaves.push(o[key]);
        names.push(key);
      };
      swap(model, 'start', 11);
      swap(model.wte, 'weight', 12);
      for (const [i, [, lin]] of model.cell.namedChildren().entries()) { swap(lin, 'weight', 20 + i); swap(lin, 'bias', 30 + i); }
      swap(model.lm_head, 'weight', 13);
      swap(model.lm_head, 'bias', 14);
      const x = ints([[0, 1, 4, 2], [0, 3, 3, 0], [0, 2, 0, 0]]);
      const y = ints([[1, 4, 2, 0], [3, 3, 0, -1], [2, 0, -1, -1]]);
      for (const forward of [(i: Tensor) => model.forward(i), (i: Tensor) => model.forwardSteps(i)]) {
        const r = gradcheck(() => maskedLoss(forward(x), y), leaves, { names });
        assert.equal(r.checked, leaves.reduce((n, t) => n + t.numel, 0));
      }
    });
  });
}

describe('the rnn and gru kinds', () => {
  test('are registered as archs rnn and gru (norm none) and name themselves after makemore.py', () => {
    for (const arch of ['rnn', 'gru'] as const) {
      const kind = modelKind({ arch, norm: 'none' });
      assert.equal(kind.title(configOf(arch, fixture[arch].small.config)), `makemore.py ${arch}`);
    }
    const gru = createModel(configOf('gru', fixture.gru.small.config), new Generator(1)) as RNN;
    assert.deepEqual(gru.cell.namedChildren().map(([n]) => n), ['xh_to_z', 'xh_to_r', 'xh_to_hbar']);
  });

  test('a model file holds makemore.py\'s state_dict names and reads back into the same model', () => {
    const vocab = Vocab.fromWords(['abcdefghijklmnopqrstuvwxyz']);
    for (const arch of ['rnn', 'gru'] as const) {
      const model = createModel(configOf(arch, fixture[arch].small.config), new Generator(9));
      assert.deepEqual([...modelTensors(model).keys()], Object.keys(fixture[arch].small.init));
      const back = decodeModel(encodeModel(model, vocab, { step: 0 }), 'test');
      assert.equal(back.model.config.arch, arch);
      const x = ints(fixture[arch].small.x);
      assert.deepEqual([...back.model.forward(x).floatData], [...model.forward(x).floatData]);
    }
  });

  test('a GRU trained with AdamW on a few names: the masked loss falls', () => {
    const config: ModelConfig = { arch: 'gru', norm: 'none', vocabSize: 27, blockSize: 9, embedDim: 16, hidden: 16, layers: 1 };
    const model = createModel(config, new Generator(3));
    const ref = fixture.gru.small;
    const x = ints(ref.x), y = ints(ref.y);
    const opt = new AdamW(model.parameters(), { lr: 1e-2, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.01 });
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      losses.push(tidy(() => {
        const loss = maskedLoss(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
      }));
    }
    assert.ok(losses[0] > 3, `initial loss ${losses[0]} near ln 27`);
    assert.ok(losses[59] < 0.5 * losses[0], `loss fell from ${losses[0]} to ${losses[59]}`);
  });
});

describe('rnnSequence and gruSequence (tensor/ops/recurrent.ts)', () => {
  const [B, T, E, H] = [3, 4, 2, 3];
  const lin = (seed: number): CellLinear => ({ weight: randT([H, E + H], seed), bias: randT([H], seed + 1) });
  const gru = (seed: number) => ({ z: lin(seed), r: lin(seed + 2), hbar: lin(seed + 4) });
  const leaves = (c: CellLinear[]): Tensor[] => c.flatMap((l) => [l.weight, l.bias]);

  test('gradients w.r.t. x, h0 (a different state per example) and the Linears against float64 finite differences', () => {
    const cell = lin(40);
    gradcheck((x, h0) => project(rnnSequence(x, h0, cell)), [randT([B, T, E], 41), randT([B, H], 42), ...leaves([cell])]);
    const g = gru(50);
    gradcheck((x, h0) => project(gruSequence(x, h0, g)), [randT([B, T, E], 51), randT([B, H], 52), ...leaves([g.z, g.r, g.hbar])]);
  });

  test('the wasm and js backends give the same hiddens and gradients', { skip: !wasmSupported() && 'WebAssembly SIMD is not supported here' }, () => {
    const before = kernels();
    const run = (): number[][] => {
      const f32 = (t: Tensor): Tensor => new Tensor(Float32Array.from(t.data), t.shape, 'float32', true);
      const x = f32(randT([B, T, E], 61)), h0 = f32(randT([B, H], 62));
      const c = { z: lin(63), r: lin(65), hbar: lin(67) };
      const g = { z: { weight: f32(c.z.weight), bias: f32(c.z.bias) }, r: { weight: f32(c.r.weight), bias: f32(c.r.bias) }, hbar: { weight: f32(c.hbar.weight), bias: f32(c.hbar.bias) } };
      const cr = { weight: f32(c.z.weight), bias: f32(c.z.bias) };
      const y = gruSequence(x, h0, g).add(rnnSequence(x, h0, cr));
      project(y).backward();
      return [y, x, h0, ...leaves([g.z, g.r, g.hbar, cr])].map((t, i) => [...(i === 0 ? t.data : t.grad!.data)]);
    };
    try {
      setBackend(jsBackend);
      const js = run();
      useBackend('wasm');
      const wasm = run();
      js.forEach((v, i) => assertClose(wasm[i], v, 1e-5, 1e-6, `tensor ${i}`));
    } finally {
      setBackend(before);
    }
  });

  test('no graph under noGrad; bad shapes are refused with the shapes named', () => {
    const cell = lin(70);
    assert.equal(noGrad(() => rnnSequence(randT([B, T, E], 71), randT([B, H], 72), cell)).gradFn, null);
    assert.throws(() => rnnSequence(randT([B, E], 73), randT([B, H], 74), cell), /needs x \(B, T, E\) and h0 \(B, H\), got \(3, 2\) and \(3, 3\)/);
    assert.throws(() => rnnSequence(randT([B, T, E], 75), randT([B + 1, H], 76), cell), /got \(3, 4, 2\) and \(4, 3\)/);
    assert.throws(() => gruSequence(randT([B, T, E + 1], 77), randT([B, H], 78), gru(79)), /weight \(3, 6\) and bias \(3\), got \(3, 5\)/);
  });
});
