// PyTorch's safety nets for library users: the autograd version counter (a tensor written in
// place after the graph saved it makes backward() throw), in-place ops, tied parameters counted
// once, nn.functional's forms, and BatchNorm1d's momentum (0.1 and null, the cumulative average)
// against PyTorch 1.13's numbers (test/fixtures/batchnorm1d.json, tools/gen_batchnorm_fixture.py).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BatchNorm1d, Embedding, Linear, Module, Sequential, functional as F } from '../src/nn/index.js';
import { SGD } from '../src/optim/index.js';
import { Tensor, crossEntropy, index, noGrad, tensor } from '../src/tensor/index.js';
import { randT } from './helpers/gradcheck.js';

const INPLACE = /one of the variables needed for gradient computation has been modified by an inplace operation/;

describe('version counter', () => {
  test('in-place ops bump the version, shared by views', () => {
    const t = tensor([1, 2, 3, 4]);
    const v = t.view(2, 2);
    assert.equal(t.version, 0);
    t.add_(1);
    assert.equal(t.version, 1);
    v.mul_(tensor([2, 3])); // broadcast over rows
    assert.equal(t.version, 2);
    assert.deepEqual([...t.data], [4, 9, 8, 15]);
    t.zero_();
    assert.deepEqual([...t.data], [0, 0, 0, 0]);
    t.copy_(tensor([5, 6, 7, 8]));
    assert.deepEqual([...v.data], [5, 6, 7, 8]);
    assert.equal(v.version, 4);
  });

  test('an input saved by the graph, written in place before backward(): PyTorch\'s error, no gradient', () => {
    const a = randT([2, 3], 1), b = randT([3, 2], 2);
    const y = a.matmul(b).sum();
    noGrad(() => b.mul_(2));
    assert.throws(() => y.backward(), (e: Error) => INPLACE.test(e.message) && /float64 \(3, 2\)/.test(e.message)
      && /MatmulBackward/.test(e.message) && /is at version 1; expected version 0 instead/.test(e.message));
  });

  test('an output saved by its backward (exp), written in place: the same error', () => {
    const x = randT([4], 3);
    const y = x.exp();
    const loss = y.sum();
    noGrad(() => y.add_(1));
    assert.throws(() => loss.backward(), INPLACE);
  });

  test('an input the backward does not read (add) may be written: backward works, as in PyTorch', () => {
    const a = randT([3], 4), b = randT([3], 5);
    const loss = a.add(b).sum();
    noGrad(() => b.add_(1));
    loss.backward();
    assert.deepEqual([...a.grad!.data], [1, 1, 1]);
  });

  test('an optimizer step between forward and backward makes backward throw', () => {
    const lin = new Linear(3, 2);
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const loss = crossEntropy(lin.forward(x), new Tensor(Int32Array.from([0, 1]), [2]));
    const opt = new SGD(lin.parameters(), 0.1);
    loss.backward();
    opt.step();
    const loss2 = crossEntropy(lin.forward(x), new Tensor(Int32Array.from([0, 1]), [2]));
    opt.step(); // parameters change after loss2's graph saved the weight
    assert.throws(() => loss2.backward(), INPLACE);
  });

  test('in-place ops on tensors that require grad throw with grad mode on', () => {
    const p = randT([3], 6);
    assert.throws(() => p.add_(1), /requires grad is being used in an in-place operation/);
    assert.throws(() => tensor([1, 2, 3]).add_(p), /in-place operation/);
    noGrad(() => p.add_(1)); // allowed, as torch.no_grad()
    assert.equal(p.version, 1);
  });

  test('in-place ops check shapes and dtypes', () => {
    assert.throws(() => tensor([1, 2]).add_(tensor([1, 2, 3])), /cannot be broadcast/);
    assert.throws(() => tensor([1, 2]).add_(tensor([[1, 2], [3, 4]])), /does not broadcast to \(2,\)/);
    assert.throws(() => tensor([1, 2]).copy_(tensor([1, 2, 3])), /numbers of elements differ/);
    assert.throws(() => new Tensor(Int32Array.from([1]), [1]).add_(1), /floating point/);
  });
});

describe('tied parameters', () => {
  test('parameters() yields a shared tensor once; stateDict() names it under each name', () => {
    const emb = new Embedding(5, 4);
    const tied = new Sequential(emb, emb);
    assert.equal(tied.parameters().length, 1);
    assert.deepEqual(tied.namedParameters().map(([n]) => n), ['0.weight']);
    assert.deepEqual(tied.namedParameters('', false).map(([n]) => n), ['0.weight', '1.weight']);
    assert.deepEqual([...tied.stateDict().keys()], ['0.weight', '1.weight']);
    assert.equal(tied.numParameters(), 20);
  });

  test('SGD updates a tied weight once per step', () => {
    class TiedHead extends Module {
      readonly a: Linear;
      readonly b: Linear;
      constructor() {
        super();
        this.a = this.registerModule('a', new Linear(2, 2, { bias: false }));
        this.b = this.registerModule('b', this.a); // the same layer under two names
      }
      forward(x: Tensor): Tensor { return this.b.forward(this.a.forward(x)); }
    }
    const m = new TiedHead();
    const before = Float32Array.from(m.a.weight.data);
    m.a.weight.grad = tensor([[1, 1], [1, 1]]);
    new SGD(m.parameters(), 0.5).step();
    assert.deepEqual([...m.a.weight.data], [...before].map((w) => Math.fround(w - 0.5)));
  });
});

describe('nn.functional', () => {
  test('embedding, tanh, linear, softmax and crossEntropy are the ops', () => {
    const w = randT([5, 3], 7);
    const ids = new Tensor(Int32Array.from([4, 0, 2]), [3]);
    assert.deepEqual(F.embedding(ids, w).toArray(), index(w, ids).toArray());
    const x = randT([2, 3], 8);
    assert.deepEqual(F.tanh(x).toArray(), x.tanh().toArray());
    const lin = new Linear(3, 4);
    assert.deepEqual(F.linear(tensor([[1, 2, 3]]), lin.weight, lin.bias).toArray(), lin.forward(tensor([[1, 2, 3]])).toArray());
    assert.deepEqual(F.softmax(x).toArray(), x.softmax().toArray());
    assert.equal(F.crossEntropy, crossEntropy);
  });

  test('batchNorm: training with running statistics = BatchNorm1d; evaluation uses them; errors', () => {
    const x = tensor([[1, 2], [3, 5], [0, -1], [2, 2]]);
    const bn = new BatchNorm1d(2);
    const rm = tensor([0, 0]), rv = tensor([1, 1]);
    const y = F.batchNorm(x, rm, rv, { weight: bn.weight, bias: bn.bias, training: true });
    assert.deepEqual(y.toArray(), bn.forward(x).toArray());
    assert.deepEqual([...rm.data], [...bn.runningMean!.data]);
    assert.deepEqual([...rv.data], [...bn.runningVar!.data]);
    assert.equal(rm.version, 1);
    bn.eval();
    assert.deepEqual(F.batchNorm(x, rm, rv).toArray(), bn.forward(x).toArray());
    assert.throws(() => F.batchNorm(x, null, null), /needs runningMean and runningVar/);
    assert.throws(() => F.batchNorm(tensor([[1, 2]]), null, null, { training: true }), /more than 1 value per feature/);
  });
});

interface BnFixture {
  n: number;
  features: number;
  cases: {
    momentum: number | null;
    steps: { x: number[]; y: number[]; running_mean: number[]; running_var: number[]; num_batches_tracked: number }[];
    eval_x: number[];
    eval_y: number[];
  }[];
}
const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/batchnorm1d.json', import.meta.url), 'utf8')) as BnFixture;

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`);
  }
}

describe('BatchNorm1d momentum, against PyTorch 1.13', () => {
  for (const c of fixture.cases) {
    test(`momentum ${c.momentum}: outputs, running statistics, num_batches_tracked, eval output`, () => {
      const { n, features: f } = fixture;
      const bn = new BatchNorm1d(f, { momentum: c.momentum });
      assert.equal(bn.momentum, c.momentum);
      c.steps.forEach((s, k) => {
        const y = bn.forward(new Tensor(Float32Array.from(s.x), [n, f]));
        assertClose(y.data, s.y, 1e-5, `step ${k} output`);
        assertClose(bn.runningMean!.data, s.running_mean, 1e-6, `step ${k} running_mean`);
        assertClose(bn.runningVar!.data, s.running_var, 1e-6, `step ${k} running_var`);
        assert.equal(bn.numBatchesTracked!.item(), s.num_batches_tracked);
      });
      bn.eval();
      assertClose(bn.forward(new Tensor(Float32Array.from(c.eval_x), [n, f])).data, c.eval_y, 1e-5, 'eval output');
    });
  }

  test('momentum null: the running mean is the average of the batch means (the first batch replaces the init)', () => {
    const { n, features: f } = fixture;
    const c = fixture.cases.find((k) => k.momentum === null)!;
    const bn = new BatchNorm1d(f, { momentum: null });
    const means: number[][] = [];
    for (const s of c.steps) {
      bn.forward(new Tensor(Float32Array.from(s.x), [n, f]));
      means.push(Array.from({ length: f }, (_, j) => s.x.filter((_, i) => i % f === j).reduce((a, v) => a + v, 0) / n));
      const avg = Array.from({ length: f }, (_, j) => means.reduce((a, m) => a + m[j], 0) / means.length);
      assertClose(bn.runningMean!.data, avg, 1e-6, `after ${means.length} batches`);
    }
    assert.throws(() => new BatchNorm1d(2, { momentum: 1.5 }), /momentum must be in \[0, 1\] or null/);
  });
});
