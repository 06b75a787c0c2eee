// The optimizers against PyTorch 1.13 (test/fixtures/optim-reference.json, written by
// tools/optim_reference.py): AdamW, SGD with momentum / dampening / nesterov / weight decay, and
// clip_grad_norm_, a few steps on fixed tensors; the seed-sized MLP trained with AdamW. Float32
// tolerance: each parameter within 5e-7·(1 + |p|) of PyTorch's after every step (a few ulps; the
// update order differs from PyTorch's vectorised kernels only in rounding). Also: the wasm
// kernels bit-identical to the JS ones, state dicts that resume exactly, the schedules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSplits, readWords, Vocab } from '../src/data/index.js';
import { TrainingDiagnostics, type StepStats } from '../src/diagnostics/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import { createWasmBackend, wasmSupported } from '../src/kernels/wasm/index.js';
import { createModel, DEFAULT_MODEL, DEFAULT_TRAIN, PRESETS, type TrainConfig } from '../src/model/index.js';
import { AdamW, clipGradNorm, learningRate, SGD, type Optimizer } from '../src/optim/index.js';
import { Generator } from '../src/random/index.js';
import { tensor, type Tensor } from '../src/tensor/index.js';
import { splitLoss, train } from '../src/train/index.js';
import { ROOT } from './helpers/cli.js';

interface Step { grads: number[][]; total_norm: number | null; params: number[][] }
interface Case {
  name: string; optimizer: 'adamw' | 'sgd'; lr: number; betas?: [number, number]; eps?: number; weight_decay?: number;
  momentum?: number; dampening?: number; nesterov?: boolean; clip?: number;
  shapes: number[][]; init: number[][]; steps: Step[]; state: Record<string, Record<string, number | number[]>>;
}
interface Fixture {
  cases: Case[];
  mlp: { steps: number; lr: number; betas: [number, number]; eps: number; weight_decay: number; losses: number[]; split_loss: Record<'train' | 'val' | 'test', number> };
}
const ref = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'optim-reference.json'), 'utf8')) as Fixture;

const TOL = 5e-7;
function closeArrays(got: ArrayLike<number>, want: readonly number[], what: string, tol = TOL): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${what}[${i}]: ${got[i]} vs PyTorch ${want[i]}`);
  }
}

function optimizerFor(c: Case, params: Tensor[]): Optimizer {
  if (c.optimizer === 'adamw') return new AdamW(params, { lr: c.lr, betas: c.betas, eps: c.eps, weightDecay: c.weight_decay });
  return new SGD(params, { lr: c.lr, momentum: c.momentum, dampening: c.dampening, weightDecay: c.weight_decay, nesterov: c.nesterov });
}

const PT_STATE_NAMES: Record<string, string> = { exp_avg: 'exp_avg', exp_avg_sq: 'exp_avg_sq', momentum_buffer: 'momentum_buffer' };

for (const c of ref.cases) {
  test(`${c.name}: ${c.steps.length} steps match torch.optim within float32 rounding`, () => {
    // the updates are elementwise: flat parameters stand for PyTorch's shapes
    const ps = c.init.map((v) => tensor(v, { requiresGrad: true }));
    const opt = optimizerFor(c, ps);
    for (const [s, step] of c.steps.entries()) {
      ps.forEach((p, i) => { p.grad = tensor(step.grads[i]); });
      if (c.clip !== undefined) {
        const total = clipGradNorm(ps, c.clip);
        assert.ok(Math.abs(total - step.total_norm!) <= 1e-6 * step.total_norm!, `step ${s} total norm ${total} vs ${step.total_norm}`);
      }
      opt.step();
      ps.forEach((p, i) => closeArrays(p.floatData, step.params[i], `step ${s} param ${i}`));
    }
    const sd = opt.stateDict();
    // PyTorch's plain SGD keeps {momentum_buffer: None} per parameter: no state
    const held = Object.entries(c.state).filter(([, s]) => Object.keys(s).length > 0);
    assert.deepEqual([...sd.state.keys()].map(String).sort(), held.map(([i]) => i).sort());
    for (const [i, want] of held) {
      const got = sd.state.get(Number(i))!;
      for (const [k, v] of Object.entries(want)) {
        if (k === 'step') assert.equal(got.step, v, `state ${i} step`);
        else closeArrays(got.buffers[PT_STATE_NAMES[k]].floatData, v as number[], `state ${i}.${k}`, 1e-5);
      }
    }
  });
}

test('the seed-sized MLP trained with AdamW: every loss within 1e-5 of PyTorch\'s, split losses within 1e-5', () => {
  const m = ref.mlp;
  const words = readWords(join(ROOT, 'data', 'names.txt'));
  const vocab = Vocab.fromWords(words);
  const splits = buildSplits(words, vocab, 3, 42);
  const g = new Generator(DEFAULT_TRAIN.seed);
  const { init, bnEps, bias1, bnEval } = PRESETS.seed;
  const model = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size, init, bnEps, bias1, bnEval }, g);
  const cfg: TrainConfig = { ...DEFAULT_TRAIN, steps: m.steps, lr: m.lr, lrFinal: m.lr, lrDecayStep: m.steps, optimizer: 'adamw', betas: m.betas, eps: m.eps, weightDecay: m.weight_decay };
  const r = train(model, splits.train, cfg, g);
  const losses = Array.from(r.lossLog10, (x) => 10 ** x);
  closeArrays(losses, m.losses, 'loss', 1e-5);
  for (const split of ['train', 'val', 'test'] as const) {
    const got = splitLoss(model, splits[split]);
    assert.ok(Math.abs(got - m.split_loss[split]) <= 1e-5, `${split} ${got} vs PyTorch ${m.split_loss[split]}`);
  }
});

test('stateDict / loadStateDict: a restored optimizer continues bit for bit (AdamW and SGD with momentum)', () => {
  for (const make of [(p: Tensor[]) => new AdamW(p, { lr: 0.01 }), (p: Tensor[]) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })]) {
    const c = ref.cases[0];
    const a = c.init.map((v) => tensor(v, { requiresGrad: true }));
    const optA = make(a);
    const grads = (s: number): number[][] => c.steps[s].grads;
    const stepWith = (ps: Tensor[], opt: Optimizer, s: number): void => { ps.forEach((p, i) => { p.grad = tensor(grads(s)[i]); }); opt.step(); };
    for (let s = 0; s < 3; s++) stepWith(a, optA, s);
    const sd = optA.stateDict();
    const b = a.map((p) => tensor(Array.from(p.floatData), { requiresGrad: true }));
    const optB = make(b);
    optB.loadStateDict(sd);
    for (let s = 3; s < 5; s++) { stepWith(a, optA, s); stepWith(b, optB, s); }
    a.forEach((p, i) => assert.deepEqual(Array.from(b[i].floatData), Array.from(p.floatData), `${optA.name} param ${i}`));
    // the snapshot was a copy: later steps did not change it
    assert.equal(sd.state.get(0)!.step ?? 3, 3);
  }
});

test('loadStateDict refuses state of the wrong shape, naming it', () => {
  const opt = new AdamW([tensor([1, 2, 3], { requiresGrad: true })]);
  assert.throws(() => opt.loadStateDict({ state: new Map([[0, { step: 1, buffers: { exp_avg: tensor([1, 2]) } }]]), paramGroups: [{ lr: 1 }] }), /exp_avg has shape \(2\) but its parameter has \(3\)/);
});

test('learning-rate schedules: the step decay as before, cosine after a linear warm-up', () => {
  const cfg = { steps: 100, lr: 0.1, lrFinal: 0.01, lrDecayStep: 50 };
  assert.equal(learningRate(cfg, 49), 0.1);
  assert.equal(learningRate(cfg, 50), 0.01);
  const cos = { ...cfg, schedule: 'cosine' as const, warmup: 10 };
  assert.ok(Math.abs(learningRate(cos, 0) - 0.01) < 1e-15); // lr·1/10
  assert.ok(Math.abs(learningRate(cos, 9) - 0.1) < 1e-15);
  assert.ok(Math.abs(learningRate(cos, 10) - 0.1) < 1e-15); // the peak, then decay
  assert.ok(Math.abs(learningRate(cos, 55) - 0.055) < 1e-12); // halfway: the mean of lr and lrFinal
  for (let i = 11; i < 100; i++) assert.ok(learningRate(cos, i) < learningRate(cos, i - 1), `decreasing at ${i}`);
  assert.ok(learningRate(cos, 99) > 0.01);
});

test('optimizer kernels: wasm bit-identical to JS (odd lengths, every option)', { skip: wasmSupported() ? false : 'no WebAssembly SIMD' }, () => {
  const wasm = createWasmBackend({ initialMiB: 4 });
  let seed = 7;
  const r = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31 * 2 - 1; };
  for (const n of [1, 3, 4, 5, 17, 203]) {
    const base = [0, 1, 2, 3].map(() => Float32Array.from({ length: n }, r));
    base[3] = base[3].map(Math.abs); // v ≥ 0
    const twice = (): Float32Array[][] => [base.map((a) => a.slice()), base.map((a) => a.slice())];
    for (const t of [1, 2, 50]) {
      const [x, y] = twice();
      jsBackend.adamwStep(x[0], x[1], x[2], x[3], 0.01, 0.9, 0.99, 1e-8, 0.1, t);
      wasm.adamwStep(y[0], y[1], y[2], y[3], 0.01, 0.9, 0.99, 1e-8, 0.1, t);
      for (const k of [0, 2, 3]) assert.deepEqual(y[k], x[k], `adamw n=${n} t=${t} array ${k}`);
    }
    for (const [momentum, dampening, wd, nesterov, first] of [[0.9, 0, 0, false, true], [0.9, 0.1, 0.01, false, false], [0.9, 0, 0.001, true, false], [0, 0, 0.1, false, true]] as const) {
      const [x, y] = twice();
      jsBackend.sgdMomentumStep(x[0], x[1], x[2], 0.1, momentum, dampening, wd, nesterov, first);
      wasm.sgdMomentumStep(y[0], y[1], y[2], 0.1, momentum, dampening, wd, nesterov, first);
      assert.deepEqual(y[0], x[0], `sgd n=${n} p`);
      assert.deepEqual(y[2], x[2], `sgd n=${n} buf`);
    }
    assert.equal(wasm.sumSquares(base[1]), jsBackend.sumSquares(base[1]));
  }
});

test('the AdamW kernel in float64 against the update written out', () => {
  const p = Float64Array.of(0.5, -1.25), g = Float64Array.of(0.1, -2), m = Float64Array.of(0.01, 0.2), v = Float64Array.of(0.001, 0.5);
  const [lr, b1, b2, eps, wd, t] = [0.01, 0.9, 0.99, 1e-8, 0.1, 3];
  const want = [0, 1].map((i) => {
    const p1 = p[i] * (1 - lr * wd);
    const mi = b1 * m[i] + (1 - b1) * g[i];
    const vi = b2 * v[i] + (1 - b2) * g[i] ** 2;
    return p1 - (lr * (mi / (1 - b1 ** t))) / (Math.sqrt(vi / (1 - b2 ** t)) + eps);
  });
  jsBackend.adamwStep(p, g, m, v, lr, b1, b2, eps, wd, t);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(p[i] - want[i]) < 1e-15, `${p[i]} vs ${want[i]}`);
});

test('update:data ratios measured (measuredUpdates): plain SGD\'s equal lr·grad\'s; AdamW\'s first step is lr·sign(grad)', () => {
  const words = readWords(join(ROOT, 'data', 'names.txt')).slice(0, 500);
  const vocab = Vocab.fromWords(words);
  const splits = buildSplits(words, vocab, 3, 42);
  const { init, bnEps, bias1, bnEval } = PRESETS.seed;
  const run = (extra: Partial<TrainConfig>, measured: boolean): { stats: StepStats; model: ReturnType<typeof createModel> } => {
    const g = new Generator(3);
    const model = createModel({ ...DEFAULT_MODEL, hidden: 20, vocabSize: vocab.size, init, bnEps, bias1, bnEval }, g);
    const diag = new TrainingDiagnostics(model, { steps: 1, statsEvery: 1, measuredUpdates: measured });
    train(model, splits.train, { ...DEFAULT_TRAIN, steps: 1, lrDecayStep: 1, ...extra }, g, diag.hooks);
    diag.close();
    return { stats: diag.stats[0], model };
  };
  const byLr = run({}, false).stats.updates;
  const measured = run({}, true).stats.updates;
  assert.deepEqual(measured.map((u) => u.name), byLr.map((u) => u.name));
  // (bngain starts as ones: std 0, a ratio of Infinity either way)
  const near = (a: number, b: number): boolean => a === b || Math.abs(a - b) < 1e-3;
  measured.forEach((u, i) => assert.ok(near(u.log10, byLr[i].log10), `${u.name}: ${u.log10} vs ${byLr[i].log10}`));
  // AdamW's first update is −lr·g/(|g| + eps) (m̂ = g, v̂ = g²): std(Δp) = lr·std(sign g)
  const lr = 0.01;
  const { stats, model } = run({ optimizer: 'adamw', lr, lrFinal: lr, weightDecay: 0, eps: 1e-8 }, true);
  const params = new Map(model.namedParameters());
  for (const u of stats.updates) {
    const p = params.get(u.name)!;
    const g = p.grad!.floatData;
    const step = Float64Array.from(g, (x) => -lr * x / (Math.abs(x) + 1e-8));
    const before = Float64Array.from(p.floatData, (x, k) => x - step[k]);
    const sd = (a: ArrayLike<number>): number => { const m = Array.from(a).reduce((s, x) => s + x, 0) / a.length; return Math.sqrt(Array.from(a).reduce((s, x) => s + (x - m) ** 2, 0) / (a.length - 1)); };
    // a parameter that starts constant (bngain, bnbias) has std 0 before the step: Infinity
    const want = sd(before) < 1e-6 ? Infinity : Math.log10(sd(step) / sd(before));
    assert.ok(near(u.log10, want), `${u.name}: ${u.log10} vs ${want}`);
  }
});
