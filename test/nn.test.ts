// nn: the Module API (names, parameters vs buffers, train/eval, state dicts), BatchNorm1d's
// PyTorch semantics, Linear/Embedding/Flatten/Tanh, and the init functions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchNorm1d, Embedding, Flatten, Linear, Module, Sequential, Tanh, functional as F, init } from '../src/nn/index.js';
import { Tensor, tensor, zeros } from '../src/tensor/index.js';
import { Generator } from '../src/random/index.js';

const close = (a: number, b: number, tol: number, what = ''): void => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);

class Net extends Module {
  readonly layers: Sequential;
  readonly emb: Embedding;
  constructor(g: Generator) {
    super();
    this.emb = this.registerModule('emb', new Embedding(5, 2, { generator: g }));
    this.layers = this.registerModule('layers', new Sequential(
      new Linear(4, 3, { generator: g }),
      new BatchNorm1d(3),
      new Tanh(),
      new Linear(3, 2, { bias: false, generator: g }),
    ));
  }
  forward(x: Tensor): Tensor {
    return this.layers.forward(new Flatten().forward(this.emb.forward(x)));
  }
}

function stats(a: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let ss = 0;
  for (let i = 0; i < a.length; i++) ss += (a[i] - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (a.length - 1)) };
}

describe('Module API', () => {
  test('namedParameters use PyTorch-style dotted names', () => {
    const net = new Net(new Generator(1));
    assert.deepEqual(net.namedParameters().map(([n]) => n), [
      'emb.weight', 'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.3.weight',
    ]);
    assert.deepEqual(net.namedBuffers().map(([n]) => n), [
      'layers.1.running_mean', 'layers.1.running_var', 'layers.1.num_batches_tracked',
    ]);
    const shapes = Object.fromEntries([...net.stateDict()].map(([n, t]) => [n, [...t.shape]]));
    assert.deepEqual(shapes, {
      'emb.weight': [5, 2], 'layers.0.weight': [3, 4], 'layers.0.bias': [3], 'layers.1.weight': [3], 'layers.1.bias': [3],
      'layers.3.weight': [2, 3], 'layers.1.running_mean': [3], 'layers.1.running_var': [3], 'layers.1.num_batches_tracked': [],
    });
    assert.deepEqual(net.namedChildren().map(([n]) => n), ['emb', 'layers']);
  });
  test('parameters require grad, buffers do not', () => {
    const net = new Net(new Generator(1));
    assert.equal(net.parameters().length, 6);
    assert.ok(net.parameters().every((p) => p.requiresGrad && p.isLeaf));
    assert.equal(net.buffers().length, 3);
    assert.ok(net.buffers().every((b) => !b.requiresGrad));
    assert.equal(net.layers.layers[1] instanceof BatchNorm1d && (net.layers.layers[1] as BatchNorm1d).numBatchesTracked!.dtype, 'int32');
    assert.equal(net.numParameters(), 10 + 12 + 3 + 3 + 3 + 6);
  });
  test('train() / eval() recurse into children', () => {
    const net = new Net(new Generator(1));
    assert.equal(net.training, true);
    assert.equal(net.eval(), net);
    const all = (): boolean[] => [net.training, net.emb.training, net.layers.training, ...net.layers.layers.map((m) => m.training)];
    assert.ok(all().every((t) => t === false));
    net.train();
    assert.ok(all().every((t) => t === true));
    net.train(false);
    assert.ok(all().every((t) => t === false));
  });
  test('zeroGrad forgets gradients', () => {
    const net = new Net(new Generator(1));
    const X = tensor([[0, 1], [2, 3], [4, 0]], { dtype: 'int32' });
    F.crossEntropy(net.forward(X), tensor([0, 1, 1], { dtype: 'int32' })).backward();
    assert.ok(net.parameters().every((p) => p.grad !== null));
    net.zeroGrad();
    assert.ok(net.parameters().every((p) => p.grad === null));
  });
  test('stateDict / loadStateDict round trip copies every parameter and buffer', () => {
    const a = new Net(new Generator(1));
    const X = tensor([[0, 1], [2, 3], [4, 0], [1, 1]], { dtype: 'int32' });
    a.forward(X); // move the running statistics
    const b = new Net(new Generator(2));
    assert.notDeepEqual(Array.from(b.emb.weight.data), Array.from(a.emb.weight.data));
    b.loadStateDict(a.stateDict());
    for (const [name, t] of a.stateDict()) {
      assert.deepEqual(Array.from(b.stateDict().get(name)!.data), Array.from(t.data), name);
    }
    // a copy, not an alias
    a.emb.weight.data[0] = 123;
    assert.notEqual(b.emb.weight.data[0], 123);
    // the same outputs in eval mode
    a.emb.weight.data[0] = b.emb.weight.data[0];
    a.eval(); b.eval();
    assert.deepEqual(Array.from(a.forward(X).data), Array.from(b.forward(X).data));
  });
  test('loadStateDict errors: missing, unexpected, mis-shaped', () => {
    const a = new Net(new Generator(1));
    const missing = a.stateDict();
    missing.delete('layers.1.running_var');
    assert.throws(() => new Net(new Generator(2)).loadStateDict(missing), /missing "layers\.1\.running_var"/);
    const extra = a.stateDict();
    extra.set('layers.9.weight', zeros([1]));
    assert.throws(() => new Net(new Generator(2)).loadStateDict(extra), /unexpected "layers\.9\.weight"/);
    const shaped = a.stateDict();
    shaped.set('layers.0.weight', zeros([4, 3]));
    assert.throws(() => new Net(new Generator(2)).loadStateDict(shaped), /"layers\.0\.weight" has shape \(4, 3\) but the model expects \(3, 4\)/);
    const sized = a.stateDict();
    sized.set('layers.0.bias', zeros([4]));
    assert.throws(() => new Net(new Generator(2)).loadStateDict(sized), /layers\.0\.bias/);
  });
});

describe('BatchNorm1d matches PyTorch', () => {
  // columns: [1, 3, 5, 7] (mean 4, Σd² 20) and [2, 6, 10, 2] (mean 5, Σd² 44)
  const batch = (): Tensor => tensor([[1, 2], [3, 6], [5, 10], [7, 2]]);
  test('one training forward: running stats with momentum 0.1, output with biased var + eps', () => {
    const bn = new BatchNorm1d(2);
    assert.equal(bn.eps, 1e-5);
    assert.equal(bn.momentum, 0.1);
    assert.deepEqual(Array.from(bn.runningMean!.data), [0, 0]);
    assert.deepEqual(Array.from(bn.runningVar!.data), [1, 1]);
    assert.equal(bn.numBatchesTracked!.item(), 0);
    const y = bn.forward(batch());
    // running_mean = 0.9·0 + 0.1·mean; running_var = 0.9·1 + 0.1·unbiased var
    close(bn.runningMean!.data[0], 0.4, 1e-6, 'rm0');
    close(bn.runningMean!.data[1], 0.5, 1e-6, 'rm1');
    close(bn.runningVar!.data[0], 0.9 + 0.1 * (20 / 3), 1e-6, 'rv0');
    close(bn.runningVar!.data[1], 0.9 + 0.1 * (44 / 3), 1e-6, 'rv1');
    assert.equal(bn.numBatchesTracked!.item(), 1);
    // output: (x − mean)/sqrt(biased var + eps), weight 1, bias 0
    const x = batch().toArray() as number[][];
    const mean = [4, 5], bvar = [5, 11];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 2; j++) close(y.data[i * 2 + j], (x[i][j] - mean[j]) / Math.sqrt(bvar[j] + 1e-5), 1e-6, `y[${i},${j}]`);
    }
    bn.forward(batch());
    assert.equal(bn.numBatchesTracked!.item(), 2);
    close(bn.runningMean!.data[0], 0.9 * 0.4 + 0.1 * 4, 1e-6, 'rm0 after 2');
  });
  test('weight and bias scale and shift the output', () => {
    const bn = new BatchNorm1d(2);
    bn.weight!.data.set([2, -1]);
    bn.bias!.data.set([0.5, 3]);
    const y = bn.forward(batch());
    close(y.data[0], 2 * (-3 / Math.sqrt(5 + 1e-5)) + 0.5, 1e-5);
    close(y.data[1], -1 * (-3 / Math.sqrt(11 + 1e-5)) + 3, 1e-5);
  });
  test('eval uses the running statistics and leaves them alone', () => {
    const bn = new BatchNorm1d(2);
    bn.runningMean!.data.set([1, -2]);
    bn.runningVar!.data.set([4, 0.25]);
    bn.weight!.data.set([3, 1]);
    bn.bias!.data.set([0, 1]);
    bn.eval();
    const y = bn.forward(tensor([[3, 0], [1, -2]]));
    close(y.data[0], 3 * (2 / Math.sqrt(4 + 1e-5)), 1e-5);
    close(y.data[1], 2 / Math.sqrt(0.25 + 1e-5) + 1, 1e-5);
    close(y.data[2], 0, 1e-6);
    close(y.data[3], 1, 1e-6);
    assert.deepEqual(Array.from(bn.runningMean!.data), [1, -2]);
    assert.deepEqual(Array.from(bn.runningVar!.data), [4, 0.25]);
    assert.equal(bn.numBatchesTracked!.item(), 0);
    // a single example works in eval mode
    assert.deepEqual([...bn.forward(tensor([[1, -2]])).shape], [1, 2]);
  });
  test('momentum and eps options', () => {
    const bn = new BatchNorm1d(2, { momentum: 0.5, eps: 0.1 });
    const y = bn.forward(batch());
    close(bn.runningMean!.data[0], 2, 1e-6);
    close(bn.runningVar!.data[1], 0.5 + 0.5 * (44 / 3), 1e-5);
    close(y.data[0], -3 / Math.sqrt(5.1), 1e-6);
  });
  test('affine false has no parameters; trackRunningStats false has no buffers and always uses batch stats', () => {
    const a = new BatchNorm1d(2, { affine: false });
    assert.equal(a.parameters().length, 0);
    assert.deepEqual(a.namedBuffers().map(([n]) => n), ['running_mean', 'running_var', 'num_batches_tracked']);
    const t = new BatchNorm1d(2, { trackRunningStats: false });
    assert.deepEqual(t.namedParameters().map(([n]) => n), ['weight', 'bias']);
    assert.equal(t.buffers().length, 0);
    t.eval();
    const y = t.forward(batch());
    close(y.data[0], -3 / Math.sqrt(5 + 1e-5), 1e-6);
  });
  test('a training batch of one example throws, as PyTorch ("Expected more than 1 value per channel when training")', () => {
    const bn = new BatchNorm1d(2);
    assert.throws(() => bn.forward(tensor([[1, 2]])), RangeError);
  });
  test('wrong input shapes and too-small training batches throw', () => {
    const bn = new BatchNorm1d(2);
    assert.throws(() => bn.forward(zeros([4, 3])), /BatchNorm1d\(2\) got input of shape \(4, 3\)/);
    assert.throws(() => bn.forward(zeros([4])), /BatchNorm1d/);
    assert.throws(() => bn.forward(zeros([0, 2])), RangeError);
  });
});

describe('layers', () => {
  test('Linear default init: U(±1/sqrt(fan_in)) for weight and bias', () => {
    const lin = new Linear(50, 300, { generator: new Generator(42) });
    const bound = 1 / Math.sqrt(50);
    const w = Array.from(lin.weight.data);
    assert.ok(w.every((v) => Math.abs(v) <= bound), 'weights within the bound');
    assert.ok(Math.max(...w.map(Math.abs)) > 0.98 * bound, 'weights fill the range');
    close(stats(w).std, bound / Math.sqrt(3), 0.05 * bound, 'uniform std');
    const b = Array.from(lin.bias!.data);
    assert.ok(b.every((v) => Math.abs(v) <= bound));
    assert.ok(Math.max(...b.map(Math.abs)) > 0.9 * bound);
    assert.deepEqual([...lin.weight.shape], [300, 50]);
    // deterministic from the generator
    assert.deepEqual(Array.from(new Linear(50, 300, { generator: new Generator(42) }).weight.data), w);
    // init: false leaves zeros; bias: false has no bias
    assert.ok(Array.from(new Linear(3, 2, { init: false }).weight.data).every((v) => v === 0));
    assert.equal(new Linear(3, 2, { bias: false }).bias, null);
    assert.deepEqual(new Linear(3, 2, { bias: false }).namedParameters().map(([n]) => n), ['weight']);
  });
  test('Linear forward is x·Wᵀ + b', () => {
    const lin = new Linear(2, 3, { init: false });
    lin.weight.data.set([1, 2, 3, 4, 5, 6]);
    lin.bias!.data.set([0.5, 0, -1]);
    assert.deepEqual(lin.call(tensor([[1, 1], [2, 0]])).toArray(), [[3.5, 7, 10], [2.5, 6, 9]]);
    assert.throws(() => lin.forward(zeros([2, 3])), /linear needs/);
  });
  test('Embedding: N(0,1) init, row lookup, shape idx.shape + [dim]', () => {
    const emb = new Embedding(1000, 20, { generator: new Generator(3) });
    const s = stats(emb.weight.data);
    close(s.mean, 0, 0.03);
    close(s.std, 1, 0.03);
    const out = emb.forward(tensor([[1, 2, 1]], { dtype: 'int32' }));
    assert.deepEqual([...out.shape], [1, 3, 20]);
    assert.deepEqual(Array.from(out.data.subarray(0, 20)), Array.from(emb.weight.data.subarray(20, 40)));
    assert.deepEqual(Array.from(out.data.subarray(40, 60)), Array.from(emb.weight.data.subarray(20, 40)));
  });
  test('Flatten and Tanh', () => {
    assert.deepEqual([...new Flatten().forward(zeros([4, 3, 2])).shape], [4, 6]);
    const t = new Tanh();
    let seen: Tensor | null = null;
    const handle = t.registerForwardHook((_, __, out) => { seen = out; });
    const y = t.call(tensor([0, 1]));
    assert.equal(seen, y);
    handle.remove();
    t.call(tensor([0]));
    assert.equal(seen, y);
    assert.deepEqual(Array.from(y.data), [0, Math.fround(Math.tanh(1))]);
  });
  test('Sequential runs its layers in order', () => {
    const l = new Linear(1, 1, { init: false });
    l.weight.data[0] = 2;
    l.bias!.data[0] = -1;
    const seq = new Sequential(l, new Tanh());
    close(seq.forward(tensor([[1]])).item(), Math.tanh(1), 1e-7);
    assert.deepEqual(seq.namedParameters().map(([n]) => n), ['0.weight', '0.bias']);
  });
});

describe('init', () => {
  test('calculateGain', () => {
    assert.equal(init.calculateGain('tanh'), 5 / 3);
    assert.equal(init.calculateGain('relu'), Math.SQRT2);
    assert.equal(init.calculateGain('linear'), 1);
    assert.equal(init.calculateGain('sigmoid'), 1);
  });
  test('fans of an (out × in) weight', () => {
    assert.deepEqual(init.fans(zeros([30, 200])), [200, 30]);
    assert.throws(() => init.fans(zeros([3])), /at least 2 dimensions/);
  });
  for (const [nl, gain] of [['tanh', 5 / 3], ['relu', Math.SQRT2], ['linear', 1]] as const) {
    test(`kaimingNormal(${nl}): std ≈ gain/sqrt(fan_in)`, () => {
      const t = zeros([300, 400]); // fan_in 400; 120000 draws: the sample std is within ~0.5%
      init.kaimingNormal(t, nl, new Generator(11));
      const s = stats(t.data);
      const want = gain / Math.sqrt(400);
      close(s.std, want, 0.02 * want, 'std');
      close(s.mean, 0, 0.02 * want, 'mean');
    });
  }
  test('xavierNormal: std ≈ gain·sqrt(2/(fan_in + fan_out))', () => {
    const t = zeros([100, 700]);
    init.xavierNormal(t, 2, new Generator(12));
    const s = stats(t.data);
    const want = 2 * Math.sqrt(2 / 800);
    close(s.std, want, 0.02 * want, 'std');
    close(s.mean, 0, 0.02 * want, 'mean');
  });
  test('init functions are deterministic given the generator', () => {
    const a = init.kaimingNormal(zeros([10, 10]), 'tanh', new Generator(5));
    const b = init.kaimingNormal(zeros([10, 10]), 'tanh', new Generator(5));
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
  });
  test('uniform fills [low, high) on float32 and float64 tensors', () => {
    const a = init.uniform(zeros([1000]), -2, 3, new Generator(1));
    assert.ok(Array.from(a.data).every((v) => v >= -2 && v < 3));
    const d = init.uniform(zeros([1000], { dtype: 'float64' }), -2, 3, new Generator(1));
    assert.deepEqual(Array.from(d.data), Array.from(a.data));
  });
});

describe('hooks', () => {
  test('registerFullBackwardHook sees the gradients of the output and of a computed input', () => {
    const x = tensor([[0.5, -1]]).requiresGrad_();
    const lin = new Linear(2, 2, { init: false });
    lin.weight.data.set([1, 2, 3, 4]);
    const t = new Tanh();
    const calls: [number[] | null, number[]][] = [];
    const handle = t.registerFullBackwardHook((m, gin, gout) => { assert.equal(m, t); calls.push([gin === null ? null : Array.from(gin.floatData), Array.from(gout.floatData)]); });
    const h = lin.call(x);
    const y = t.call(h);
    y.sum().backward();
    assert.equal(calls.length, 1);
    const out = Array.from(y.floatData);
    assert.deepEqual(calls[0][1], [1, 1]);
    calls[0][0]!.forEach((g, i) => close(g, 1 - out[i] * out[i], 1e-6)); // d tanh = 1 − y²
    handle.remove();
    t.call(lin.call(x)).sum().backward();
    assert.equal(calls.length, 1);
  });
  test('a leaf input: gradInput is null; registerHook on a tensor sees its complete gradient', () => {
    const x = tensor([1, 2]).requiresGrad_();
    const t = new Tanh();
    let gin: Tensor | null | undefined;
    t.registerFullBackwardHook((_, gi) => { gin = gi; });
    const y = t.call(x);
    const seen: number[][] = [];
    const z = y.mul(2);
    z.registerHook((g) => seen.push(Array.from(g.floatData)));
    z.add(z).sum().backward(); // z is used twice: its hook sees the sum of both
    assert.equal(gin, null);
    assert.deepEqual(seen, [[2, 2]]);
  });
  test('observe: a hand-written forward hands named intermediates to registerIntermediateHook', () => {
    class Twice extends Module {
      forward(x: Tensor): Tensor { return this.observe('double', x.mul(2)).add(1); }
    }
    const m = new Twice();
    const seen: number[][] = [];
    const handle = m.registerIntermediateHook('double', (t) => seen.push(Array.from(t.floatData)));
    m.registerIntermediateHook('other', () => assert.fail('a hook of another name ran'));
    m.forward(tensor([1, 3]));
    handle.remove();
    m.forward(tensor([5]));
    assert.deepEqual(seen, [[2, 6]]);
  });
  test('loadStateDict(strict = false) returns the missing and unexpected names', () => {
    const a = new Sequential(new Linear(2, 2, { bias: false }), new BatchNorm1d(2));
    const state = new Map([['0.weight', zeros([2, 2])], ['extra', zeros([1])]]);
    assert.throws(() => a.loadStateDict(state), /missing "1.weight"/);
    const r = a.loadStateDict(state, false);
    assert.deepEqual(r.unexpectedKeys, ['extra']);
    assert.deepEqual(r.missingKeys, ['1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
    assert.deepEqual(Array.from(a.layers[0].namedParameters()[0][1].floatData), [0, 0, 0, 0]);
  });
});
