// The hierarchical "WaveNet" MLP of makemore part 5 against the lecture's code on PyTorch 1.13's
// CPU (tools/wavenet_reference.py → test/fixtures/wavenet-reference.json): parameters at init,
// loss lines, split losses and samples; its 3-D ops against float64 finite differences; the
// preset through the CLI (train, eval, sample, info, export --fold-batchnorm); the tree's rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSplits, readWords, Vocab } from '../src/data/index.js';
import { batchNormCalibration } from '../src/diagnostics/index.js';
import { BatchNorm1d, FlattenConsecutive, Linear } from '../src/nn/index.js';
import { functional as F } from '../src/nn/index.js';
import { createModel, foldBatchNorm, WaveNet, type ModelConfig } from '../src/model/index.js';
import { decodeModel, encodeModel } from '../src/model/file.js';
import { Generator } from '../src/random/index.js';
import { sampleWords } from '../src/sample/index.js';
import { Tensor, batchNormTrain, linear, mean, noGrad, reshape, sub, tensor } from '../src/tensor/index.js';
import { lossLine, pyFloat, splitLoss, train } from '../src/train/index.js';
import { kernels } from '../src/kernels/index.js';
import { gradcheck, project, randT } from './helpers/gradcheck.js';
import { bitEqual, f32s } from './helpers/bits.js';
import { inProcess, makemoreWithin, ROOT } from './helpers/cli.js';

interface Checksum { shape: number[]; sum: number; sumsq: number }
interface Run {
  max_steps: number; print_every: number; lr_decay_step: number; parameters: number; init: Record<string, Checksum>;
  loss_lines: string[]; losses: number[]; split_loss: Record<'train' | 'val' | 'test', number>; samples: string[]; final: Record<string, Checksum>;
}
const ref = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'wavenet-reference.json'), 'utf8')) as { run: Run; short: Run };

const words = readWords(join(ROOT, 'data', 'names.txt'));
const vocab = Vocab.fromWords(words);
const LECTURE: ModelConfig = { arch: 'wavenet', vocabSize: vocab.size, blockSize: 8, embedDim: 24, hidden: 128, layers: 3, norm: 'batchnorm1d' };

function close(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-12, `${what}: ${actual} vs PyTorch ${expected}`);
}

describe('the lecture\'s model against PyTorch', () => {
  test('parameters at init: names, (out × in) shapes, sums and sums of squares of torch.manual_seed(42)\'s draws', () => {
    const model = createModel(LECTURE, new Generator(42));
    assert.equal(model.numParameters(), ref.run.parameters);
    const params = new Map(model.namedParameters());
    assert.deepEqual([...params.keys()].sort(), Object.keys(ref.run.init).sort());
    for (const [name, r] of Object.entries(ref.run.init)) {
      const t = params.get(name)!;
      // the lecture's Linear weight is (fan_in, fan_out); PyTorch's nn.Linear (and the file) (out, in)
      assert.deepEqual(t.shape, name.endsWith('.weight') && r.shape.length === 2 && name !== 'layers.0.weight' ? [r.shape[1], r.shape[0]] : r.shape, name);
      let s = 0, q = 0;
      for (const v of t.floatData) { s += v; q += v * v; }
      close(s, r.sum, 1e-12, `${name} sum`);
      close(q, r.sumsq, 1e-12, `${name} sum of squares`);
    }
  });

  test(`${ref.short.max_steps} steps: PyTorch's float32 losses, split losses and final parameters bit for bit, and the 20 samples that continue the generator`, () => {
    const r = ref.short;
    const g = new Generator(42);
    const model = createModel(LECTURE, g);
    const splits = buildSplits(words, vocab, 8, 42);
    const lines: string[] = [];
    const losses: number[] = [];
    train(model, splits.train, { batchSize: 32, steps: r.max_steps, lr: 0.1, lrFinal: 0.01, lrDecayStep: r.lr_decay_step, seed: 42, splitSeed: 42 }, g, {
      onStep: ({ step, loss }) => { if (step % r.print_every === 0) { lines.push(lossLine(step, r.max_steps, loss)); losses.push(loss); } },
    });
    assert.deepEqual(lines, r.loss_lines);
    // every op is PyTorch's float32 arithmetic in PyTorch's order, so the numbers are the same bits
    assert.deepEqual(losses, r.losses, 'the loss at every printed step');
    for (const split of ['train', 'val', 'test'] as const) assert.equal(splitLoss(model, splits[split]), r.split_loss[split], `${split} loss`);
    const params = new Map(model.namedParameters());
    for (const [name, p] of Object.entries(r.final)) {
      let s = 0, q = 0;
      for (const v of params.get(name)!.floatData) { s += v; q += v * v; }
      // float64 sums of the float32 values: one value off by an ulp moves them far more than 1e-12
      close(s, p.sum, 1e-12, `${name} sum after ${r.max_steps} steps`);
      close(q, p.sumsq, 1e-12, `${name} sum of squares after ${r.max_steps} steps`);
    }
    assert.deepEqual(sampleWords(model, vocab, { count: 20, generator: g }).map((w) => `${w}.`), r.samples);
  });
});

// One level of the tree, PyTorch 1.13 CPU's float32 numbers (tools/wavenet_ops_reference.py):
// every value equal bit for bit, on both kernel backends.
interface OpsFixture { shape: { B: number; T: number; in: number; out: number }; inputs: Record<string, string>; outputs: Record<string, string> }
const ops = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'wavenet-ops.json'), 'utf8')) as OpsFixture;
/** (rows × cols) row-major → (cols × rows) */
function transposed(a: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

describe('one level of the tree, bit for bit as PyTorch 1.13 computes it on the CPU', () => {
  const { B, T, in: I, out: C } = ops.shape;
  const inp = Object.fromEntries(Object.entries(ops.inputs).map(([k, v]) => [k, f32s(v)]));
  const out = Object.fromEntries(Object.entries(ops.outputs).map(([k, v]) => [k, f32s(v)]));

  test('Linear on (B, T, in) + the lecture\'s BatchNorm1d: outputs, running statistics, every gradient, eval mode', () => {
    const lin = new Linear(I, C);
    lin.weight.floatData.set(transposed(inp.W, I, C)); // the lecture's (in × out) → PyTorch's (out × in)
    lin.bias!.floatData.set(inp.b);
    const bn = new BatchNorm1d(C, { unbiased: true });
    bn.weight!.floatData.set(inp.gamma);
    bn.bias!.floatData.set(inp.beta);
    const x = new Tensor(Float32Array.from(inp.x), [B, T, I], 'float32', true);
    const h = lin.call(x).retainGrad();
    const y = bn.call(h);
    y.backward(new Tensor(Float32Array.from(inp.dy), [B, T, C], 'float32'));
    bitEqual(h.floatData, out.h, 'h = x @ W + b');
    bitEqual(y.floatData, out.y, 'batch norm output');
    bitEqual(bn.runningMean!.floatData, out.running_mean, 'running mean');
    bitEqual(bn.runningVar!.floatData, out.running_var, 'running var');
    bitEqual(h.grad!.floatData, out.dh, 'batch norm dx');
    bitEqual(bn.weight!.grad!.floatData, out.dgamma, 'dgamma');
    bitEqual(bn.bias!.grad!.floatData, out.dbeta, 'dbeta');
    bitEqual(x.grad!.floatData, out.dx, 'Linear dx');
    bitEqual(transposed(lin.weight.grad!.floatData, C, I), out.dW, 'Linear dW');
    bitEqual(lin.bias!.grad!.floatData, out.db, 'Linear db (column sums in ATen\'s cascade order)');
    bn.eval();
    bitEqual(noGrad(() => bn.call(h)).floatData, out.y_eval, 'eval mode (running statistics)');
  });

  test('tanh forward: SLEEF\'s tanhf as torch.tanh, on z and on the batch norm\'s output (the hidden activations)', () => {
    bitEqual(tensor(inp.tanh_x).view(B, T, C).tanh().floatData, inp.tanh_y, 'tanh(z)');
    bitEqual(tensor(out.y).view(B, T, C).tanh().floatData, out.tanh_bn, 'tanh(batch norm output)');
  });

  test('tanh backward: dy·(1 − y²) with 1 − y² one fused multiply-add, as aten::tanh_backward', () => {
    const dx = new Float32Array(B * T * C);
    kernels().tanhBackward(dx, inp.tanh_dy, inp.tanh_y);
    bitEqual(dx, out.tanh_dx, 'tanh backward');
  });
});

describe('3-D ops: gradients against float64 finite differences', () => {
  test('linear on (B, T, in): one matmul over B·T rows, the same as on the (B·T, in) view', () => {
    gradcheck((x, w, b) => project(linear(x, w, b)), [randT([2, 3, 4], 201), randT([5, 4], 202), randT([5], 203)], { names: ['x', 'W', 'b'] });
    const x = randT([2, 3, 4], 204);
    const w = randT([5, 4], 205);
    const y = linear(x, w);
    assert.deepEqual(y.shape, [2, 3, 5]);
    assert.deepEqual(Array.from(y.floatData), Array.from(linear(reshape(x, [6, 4]), w).floatData));
  });

  test('FlattenConsecutive: (B, T, C) → (B, T/n, C·n) as a view, T/n = 1 squeezed; its gradient', () => {
    const x = randT([2, 4, 3], 211);
    const f2 = new FlattenConsecutive(2);
    const y = f2.call(x);
    assert.deepEqual(y.shape, [2, 2, 6]);
    assert.equal(y.storage, x.storage, 'a view of the same storage');
    // position pairs side by side: y[b, t] = x[b, 2t] ++ x[b, 2t + 1]
    assert.deepEqual(y.toArray(), (x.toArray() as number[][][]).map((rows) => [[...rows[0], ...rows[1]], [...rows[2], ...rows[3]]]));
    assert.deepEqual(new FlattenConsecutive(4).call(x).shape, [2, 12]);
    gradcheck((t) => project(new FlattenConsecutive(2).call(t).tanh()), [randT([2, 4, 3], 212)]);
    gradcheck((t) => project(new FlattenConsecutive(4).call(t).tanh()), [randT([2, 4, 3], 213)]);
    assert.throws(() => f2.call(randT([2, 3, 3], 214)), /T a multiple of 2/);
  });

  test('batch norm over (B, T, C): statistics over batch and positions (the lecture\'s), unbiased variance; gradients', () => {
    const x = randT([3, 4, 5], 221, -2, 2);
    const { out, stats } = batchNormTrain(x, null, null, 1e-5, 1);
    assert.deepEqual(out.shape, [3, 4, 5]);
    // the lecture: xmean = x.mean((0, 1)), xvar = x.var((0, 1)) (÷ n − 1)
    const flat = reshape(x, [12, 5]);
    const m = mean(flat, 0, true);
    const d = sub(flat, m);
    const v = d.mul(d).sum(0, true).div(11);
    for (let c = 0; c < 5; c++) {
      close(stats.mean.floatData[c], m.floatData[c], 1e-12, `mean ${c}`);
      close(stats.var.floatData[c], v.floatData[c], 1e-12, `var ${c}`);
    }
    gradcheck((t, g, b) => project(batchNormTrain(t, g, b, 1e-5, 1).out), [x, randT([5], 222, 0.5, 1.5), randT([5], 223)], { names: ['x', 'gain', 'bias'] });
  });

  test('BatchNorm1d({ unbiased: true }) on (B, T, C): the lecture\'s class, running statistics included; gradients in train and eval mode', () => {
    const bn = new BatchNorm1d(5, { unbiased: true });
    const x = randT([3, 4, 5], 231, -2, 2);
    const x64 = new Tensor(Float64Array.from(x.floatData), x.shape, 'float64');
    const y = noGrad(() => bn.call(x64));
    const { out, stats } = batchNormTrain(x64, null, null, 1e-5, 1);
    assert.deepEqual(Array.from(y.floatData), Array.from(out.floatData));
    for (let c = 0; c < 5; c++) {
      close(bn.runningMean!.floatData[c], 0.1 * stats.mean.floatData[c], 1e-6, `running mean ${c}`);
      close(bn.runningVar!.floatData[c], 0.9 + 0.1 * stats.var.floatData[c], 1e-6, `running var ${c}`);
    }
    gradcheck((t) => project(F.batchNorm(t, null, null, { training: true, correction: 1 })), [x]);
    const rm = tensor([0.1, -0.2, 0.3, 0, 0.5], { dtype: 'float64' });
    const rv = tensor([1.5, 0.7, 1, 2, 0.9], { dtype: 'float64' });
    gradcheck((t) => project(F.batchNorm(t, rm, rv, { training: false })), [randT([3, 4, 5], 232)]);
    assert.throws(() => bn.call(randT([3, 5, 4], 233)), /channels-last \(B, T, 5\)/);
  });
});

describe('the tree', () => {
  const small = (over: Partial<ModelConfig>): ModelConfig => ({ ...LECTURE, embedDim: 4, hidden: 8, ...over });

  test('levels merge T/2^(levels−1) positions, then 2: Linear fan-ins and the forward\'s shapes', () => {
    for (const [blockSize, layers, fanIns] of [[8, 3, [8, 16, 16]], [8, 1, [32]], [8, 4, [4, 16, 16, 16]], [16, 2, [32, 16]], [1, 1, [4]]] as const) {
      const m = createModel(small({ blockSize, layers }), new Generator(1)) as WaveNet;
      assert.deepEqual(m.linears().map((l) => l.inFeatures), [...fanIns, 8], `block ${blockSize}, ${layers} levels`);
      const X = new Tensor(new Int32Array(5 * blockSize).fill(3), [5, blockSize], 'int32');
      assert.deepEqual(noGrad(() => m.forward(X)).shape, [5, vocab.size]);
    }
  });

  test('a block size that is not a power of two, or too few positions for the levels: one-line errors', async () => {
    assert.throws(() => createModel(small({ blockSize: 6 }), new Generator(1)), /block size must be a power of two.*got 6/);
    assert.throws(() => createModel(small({ blockSize: 4, layers: 4 }), new Generator(1)), /4 levels needs a block size of at least 8, got 4/);
    assert.throws(() => createModel(small({ norm: 'notebook' }), new Generator(1)), /norm of the wavenet model must be one of batchnorm1d, layernorm, rmsnorm, none/);
    for (const [args, message] of [
      [['--preset', 'wavenet', '--block-size', '12'], /power of two/],
      [['--arch', 'wavenet', '--layers', '5'], /5 levels needs a block size of at least 16, got 8/],
      [['--preset', 'wavenet', '--arch', 'mlp'], /--arch mlp conflicts with --preset wavenet/],
      [['--preset', 'lecture', '--arch', 'wavenet'], /--preset lecture is a preset of the mlp model/],
    ] as const) {
      const r = await inProcess('train', ...args, '--steps', '1');
      assert.equal(r.status, 1);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  for (const norm of ['layernorm', 'rmsnorm', 'none'] as const) {
    test(`norm ${norm} in the tree: trains, no running statistics, a model file round trip`, () => {
      const g = new Generator(3);
      const model = createModel(small({ norm }), g);
      assert.ok(!model.namedBuffers().some(([n]) => n.includes('running')));
      const splits = buildSplits(words.slice(0, 2000), vocab, 8, 42);
      const r = train(model, splits.train, { batchSize: 32, steps: 60, lr: 0.1, lrFinal: 0.01, lrDecayStep: 45, seed: 3, splitSeed: 42 }, g);
      assert.ok(r.lastLoss < Math.log(vocab.size), `loss ${r.lastLoss} fell below uniform`);
      const back = decodeModel(encodeModel(model, vocab, { step: 60 }), 'test');
      assert.equal(back.model.config.arch, 'wavenet');
      close(splitLoss(back.model, splits.val), splitLoss(model, splits.val), 0, 'val loss after the round trip');
    });
  }

  test('a model file records arch wavenet; a file without arch is an MLP; an unknown arch is refused', () => {
    const model = createModel(small({}), new Generator(1));
    const bytes = encodeModel(model, vocab, { step: 0 });
    assert.equal(JSON.parse(decodeModel(bytes, 't').metadata.config).arch, 'wavenet');
    const mlp = createModel({ vocabSize: vocab.size, blockSize: 3, embedDim: 4, hidden: 8, layers: 1, norm: 'batchnorm1d' }, new Generator(1));
    const m2 = decodeModel(encodeModel(mlp, vocab, { step: 0 }), 't');
    assert.equal(JSON.parse(m2.metadata.config).arch, undefined);
    assert.equal(m2.model.constructor.name, 'ModuleMLP');
    // only the config names it (the same length: the header stays valid)
    const edited = Buffer.from(Buffer.from(bytes).toString('latin1').replace(/wavenet/g, 'wavenex'), 'latin1');
    assert.throws(() => decodeModel(new Uint8Array(edited), 'x.safetensors'), /x\.safetensors: config has unknown arch "wavenex"/);
  });

  test('diagnostics: each level\'s Tanh and batch norm by module path; calibration over batch × positions', () => {
    const model = createModel(small({}), new Generator(2));
    assert.deepEqual(model.activationProbes().map((p) => p.layer), ['layers.4 (Tanh)', 'layers.8 (Tanh)', 'layers.12 (Tanh)']);
    assert.deepEqual(model.batchNormSites().map((s) => s.name), ['layers.3', 'layers.7', 'layers.11']);
    const splits = buildSplits(words.slice(0, 500), vocab, 8, 42);
    const cal = batchNormCalibration(model, splits.train)!;
    // The first level's full-split mean, by hand: its batch norm input is (n, 4, 8) → (4n, 8) rows.
    const lin = (model as WaveNet).linears()[0];
    const emb = (model as WaveNet).layers.layers[0];
    const pre = noGrad(() => reshape(lin.call(new FlattenConsecutive(2).call(emb.call(splits.train.X))), [-1, 8]));
    const m = noGrad(() => mean(pre, 0));
    for (let c = 0; c < 8; c++) close(cal.layers[0].fullMean[c], m.floatData[c], 1e-5, `full-batch mean ${c}`);
  });

  test('folding: a norm-"none" tree with biases, the same eval-mode logits within 1e-5', () => {
    const g = new Generator(4);
    const model = createModel(small({}), g);
    const splits = buildSplits(words.slice(0, 2000), vocab, 8, 42);
    train(model, splits.train, { batchSize: 32, steps: 100, lr: 0.1, lrFinal: 0.01, lrDecayStep: 75, seed: 4, splitSeed: 42 }, g);
    const folded = foldBatchNorm(model);
    assert.equal(folded.config.norm, 'none');
    assert.equal(folded.config.arch, 'wavenet');
    assert.ok((folded as WaveNet).linears().every((l: Linear) => l.bias !== null));
    model.eval();
    const X = splits.val.X;
    const [a, b] = noGrad(() => [model.forward(X).floatData, folded.forward(X).floatData]);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst < 1e-5, `max |logit difference| ${worst}`);
  });
});

const SECOND_PASS = process.env.MAKEMORE_BACKEND === 'js' && 'the 1,000-step run takes minutes on the JS kernels; the 200-step run above checks them against PyTorch';

test(`makemore train --preset wavenet --steps ${ref.run.max_steps}: PyTorch's loss line, split losses and samples; eval, sample, info and export --fold-batchnorm of its file`, { skip: SECOND_PASS }, () => {
  const r = ref.run;
  const tmp = mkdtempSync(join(tmpdir(), 'wavenet-'));
  const run = (...args: string[]): ReturnType<typeof makemoreWithin> => makemoreWithin(600_000, ROOT, ...args);
  try {
    const file = join(tmp, 'w.safetensors');
    const t = run('train', '--preset', 'wavenet', '--steps', String(r.max_steps), '--lr-decay-step', String(r.lr_decay_step), '--out', file);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, new RegExp(`model: wavenet batchnorm1d, block 8, embed 24, hidden 128 × 3, ${r.parameters} parameters`));
    const lines = t.stdout.split('\n');
    assert.deepEqual(lines.filter((l) => /^ *\d+\/ *\d+: /.test(l)), [r.loss_lines[0]]);
    // printed in full, as the lecture prints them (Python's repr of PyTorch's float32 loss)
    for (const split of ['train', 'val', 'test'] as const) assert.ok(lines.includes(`${split} ${pyFloat(r.split_loss[split])}`), `${split} ${pyFloat(r.split_loss[split])}`);
    const samples = lines.slice(lines.indexOf('samples:') + 1).filter((l) => l.startsWith('  ')).map((l) => `${l.trim()}.`);
    assert.deepEqual(samples, r.samples);
    const ev = run('eval', '--model', file, '--split', 'all', '--json');
    assert.equal(ev.status, 0, ev.stderr);
    const losses = (JSON.parse(ev.stdout) as { losses: Record<string, number> }).losses;
    for (const split of ['train', 'val', 'test'] as const) close(losses[split], r.split_loss[split], 1e-6, split);
    const sa = run('sample', '--model', file, '--count', '20');
    assert.equal(sa.status, 0, sa.stderr);
    assert.deepEqual(sa.stdout.trim().split('\n').map((w) => `${w}.`), r.samples);
    const info = run('info', '--model', file);
    assert.match(info.stdout, /model: wavenet batchnorm1d/);
    const folded = join(tmp, 'f.safetensors');
    const ex = run('export', '--model', file, '--fold-batchnorm', '--out', folded);
    assert.equal(ex.status, 0, ex.stderr);
    const fe = run('eval', '--model', folded, '--split', 'val', '--json');
    assert.equal(fe.status, 0, fe.stderr);
    close((JSON.parse(fe.stdout) as { losses: Record<string, number> }).losses.val, r.split_loss.val, 1e-5, 'folded val');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
