// Tensor forward values against hand-computed numbers: factories, shapes, broadcasting,
// reductions, views, indexing, matmul and the errors each one raises.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Tensor, arange, full, matmul, ones, rand, randint, randn, tensor, zeros,
} from '../src/tensor/index.js';
import { Generator } from '../src/random/index.js';

const f32 = Math.fround;
const bitsToF32 = (bits: number[]): number[] => Array.from(new Float32Array(Uint32Array.from(bits).buffer));
const close = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('tensor() from values', () => {
  test('nested arrays give shape and row-major data', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual([...t.shape], [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.ok(t.data instanceof Float32Array);
    assert.deepEqual(Array.from(t.data), [1, 2, 3, 4, 5, 6]);
    assert.equal(t.ndim, 2);
    assert.equal(t.numel, 6);
    assert.equal(t.size(1), 3);
    assert.equal(t.size(-2), 2);
  });
  test('3-D and 0-D', () => {
    const t = tensor([[[1, 2]], [[3, 4]], [[5, 6]]]);
    assert.deepEqual([...t.shape], [3, 1, 2]);
    const s = tensor(7.5);
    assert.deepEqual([...s.shape], []);
    assert.equal(s.numel, 1);
    assert.equal(s.item(), 7.5);
  });
  test('typed arrays give a 1-D tensor', () => {
    const t = tensor(new Float64Array([1, 2, 3]), { dtype: 'float64' });
    assert.deepEqual([...t.shape], [3]);
    assert.equal(t.dtype, 'float64');
    assert.ok(t.data instanceof Float64Array);
  });
  test('float32 rounds, float64 keeps', () => {
    assert.equal(tensor([0.1]).data[0], f32(0.1));
    assert.equal(tensor([0.1], { dtype: 'float64' }).data[0], 0.1);
  });
  test('ragged arrays throw', () => {
    assert.throws(() => tensor([[1, 2], [3]]), /ragged/);
    assert.throws(() => tensor([[1, 2], 3] as never), /ragged/);
    assert.throws(() => tensor([1, [2]] as never), /ragged/);
    assert.throws(() => tensor([[[1], [2]], [[3]]]), /ragged/);
  });
  test('requiresGrad option', () => {
    assert.equal(tensor([1], { requiresGrad: true }).requiresGrad, true);
    assert.equal(tensor([1]).requiresGrad, false);
    assert.throws(() => tensor([1], { dtype: 'int32', requiresGrad: true }), TypeError);
  });
  test('constructor checks the element count', () => {
    assert.throws(() => new Tensor(new Float32Array(5), [2, 3]), /5 elements.*\(2, 3\)/);
  });
});

describe('int32 tensors', () => {
  test('int32 storage and dtype inference', () => {
    const t = tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    assert.equal(t.dtype, 'int32');
    assert.ok(t.data instanceof Int32Array);
    assert.equal(new Tensor(new Int32Array(2), [2]).dtype, 'int32');
    assert.equal(t.isFloat, false);
    assert.throws(() => t.f, TypeError);
    assert.throws(() => tensor([1]).i, TypeError);
  });
  test('index tensors gather rows, in any index shape', () => {
    const C = tensor([[0, 1], [10, 11], [20, 21]]);
    const X = tensor([[2, 0], [1, 1]], { dtype: 'int32' });
    const e = C.index(X);
    assert.deepEqual([...e.shape], [2, 2, 2]);
    assert.deepEqual(e.toArray(), [[[20, 21], [0, 1]], [[10, 11], [10, 11]]]);
    // an int32 table gathers int32 rows (minibatch selection of a dataset)
    const Y = tensor([5, 6, 7, 8], { dtype: 'int32' });
    const y = Y.index(tensor([3, 3, 0], { dtype: 'int32' }));
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(y.toArray(), [8, 8, 5]);
  });
  test('index errors: out of bounds, negative, float indexes', () => {
    const C = tensor([[0, 1], [10, 11], [20, 21]]);
    assert.throws(() => C.index(tensor([3], { dtype: 'int32' })), /index 3 is out of bounds for dimension 0 with size 3/);
    assert.throws(() => C.index(tensor([-1], { dtype: 'int32' })), /out of bounds/);
    assert.throws(() => C.index(tensor([0])), /int32/);
  });
  test('ops on int tensors promote to float32 (like PyTorch int + float)', () => {
    const t = tensor([1, 2], { dtype: 'int32' }).mul(0.5);
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(t.toArray(), [0.5, 1]);
  });
});

describe('factories', () => {
  test('zeros / ones / full', () => {
    const z = zeros([2, 3]);
    assert.deepEqual([...z.shape], [2, 3]);
    assert.equal(z.dtype, 'float32');
    assert.ok(Array.from(z.data).every((v) => v === 0));
    assert.deepEqual(ones([2], { dtype: 'float64' }).toArray(), [1, 1]);
    assert.equal(ones([2], { dtype: 'float64' }).dtype, 'float64');
    assert.deepEqual(full([2, 2], 2.5).toArray(), [[2.5, 2.5], [2.5, 2.5]]);
    assert.deepEqual(full([], 3).toArray(), 3);
    assert.deepEqual(zeros([0, 3]).toArray(), []);
    assert.equal(zeros([3], { dtype: 'int32' }).dtype, 'int32');
    assert.throws(() => zeros([-1]), /invalid tensor shape/);
    assert.throws(() => ones([1.5]), /invalid tensor shape/);
  });
  test('arange', () => {
    const a = arange(5);
    assert.equal(a.dtype, 'int32');
    assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(arange(3, { dtype: 'float64' }).toArray(), [0, 1, 2]);
    assert.deepEqual(arange(0).toArray(), []);
  });
  test('randn with a Generator is deterministic and matches torch.randn', () => {
    const a = randn([5], { generator: new Generator(2147483647) });
    const b = randn([5], { generator: new Generator(2147483647) });
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    // torch.manual_seed(2147483647); torch.randn(5)
    assert.deepEqual(Array.from(a.data), bitsToF32([3212501443, 3218355292, 3177850659, 3199108206, 1074157711]));
    const c = randn([5], { generator: new Generator(1) });
    assert.notDeepEqual(Array.from(a.data), Array.from(c.data));
    // the generator advances: a second draw differs from the first
    const g = new Generator(3);
    assert.notDeepEqual(Array.from(randn([4], { generator: g }).data), Array.from(randn([4], { generator: g }).data));
    // float64 widens the float32 draws
    const d = randn([5], { generator: new Generator(2147483647), dtype: 'float64' });
    assert.equal(d.dtype, 'float64');
    assert.deepEqual(Array.from(d.data), Array.from(a.data));
  });
  test('randn statistics', () => {
    const x = randn([20000], { generator: new Generator(123) });
    close(x.mean().item(), 0, 0.05);
    close(x.std().item(), 1, 0.05);
  });
  test('rand with a Generator is deterministic, in [0, 1), and matches torch.rand', () => {
    // torch.manual_seed(2147483647); torch.rand(1); torch.rand(7)
    const g = new Generator(2147483647);
    assert.deepEqual(Array.from(rand([1], { generator: g }).data), bitsToF32([1060456431]));
    const a = rand([7], { generator: g });
    assert.deepEqual(Array.from(a.data), bitsToF32([1052073684, 1037561064, 1058636364, 1035549384, 1035472704, 1063377648, 1065164072]));
    const big = rand([5000], { generator: new Generator(9) });
    assert.ok(Array.from(big.data).every((v) => v >= 0 && v < 1));
    assert.deepEqual(Array.from(big.data), Array.from(rand([5000], { generator: new Generator(9) }).data));
  });
  test('randint with a Generator is deterministic and in [low, high)', () => {
    // the notebook's first minibatch: torch.manual_seed(2147483647), the parameters
    // C, W1, W2, b2 drawn by randn, then torch.randint(0, 182625, (32,))
    const g = new Generator(2147483647);
    for (const shape of [[27, 10], [30, 200], [200, 27], [27]]) randn(shape, { generator: g });
    const a = randint(0, 182625, [32], { generator: g });
    assert.equal(a.dtype, 'int32');
    assert.deepEqual(Array.from(a.data).slice(0, 5), [5197, 99677, 101728, 53213, 114200]);
    const b = randint(-3, 4, [1000], { generator: new Generator(5) });
    assert.ok(Array.from(b.data).every((v) => v >= -3 && v < 4));
    assert.deepEqual(new Set(b.data), new Set([-3, -2, -1, 0, 1, 2, 3]));
    assert.deepEqual(Array.from(b.data), Array.from(randint(-3, 4, [1000], { generator: new Generator(5) }).data));
  });
});

describe('values', () => {
  test('item() on a one-element tensor, throws otherwise', () => {
    assert.equal(tensor([[4]]).item(), 4);
    assert.throws(() => tensor([1, 2]).item(), /item\(\) needs a tensor with one element, got shape \(2,\)/);
    assert.throws(() => zeros([0]).item(), RangeError);
  });
  test('toArray nesting', () => {
    assert.deepEqual(tensor(3).toArray(), 3);
    assert.deepEqual(tensor([1, 2]).toArray(), [1, 2]);
    assert.deepEqual(tensor([[1, 2], [3, 4], [5, 6]]).toArray(), [[1, 2], [3, 4], [5, 6]]);
    assert.deepEqual(arange(8).view(2, 2, 2).toArray(), [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]);
    assert.deepEqual(arange(4).view(4, 1).toArray(), [[0], [1], [2], [3]]);
  });
  test('clone copies, detach shares', () => {
    const t = tensor([1, 2]);
    const c = t.clone();
    const d = t.detach();
    t.data[0] = 9;
    assert.equal(c.data[0], 1);
    assert.equal(d.data[0], 9);
  });
});

describe('broadcasting', () => {
  const shapeOf = (a: number[], b: number[]): number[] => [...zeros(a).add(zeros(b)).shape];
  test('result shapes', () => {
    assert.deepEqual(shapeOf([3, 1], [1, 4]), [3, 4]);
    assert.deepEqual(shapeOf([2, 3, 4], [4]), [2, 3, 4]);
    assert.deepEqual(shapeOf([2, 3, 4], [3, 1]), [2, 3, 4]);
    assert.deepEqual(shapeOf([], [2, 2]), [2, 2]);
    assert.deepEqual(shapeOf([1], [5]), [5]);
    assert.deepEqual(shapeOf([5, 1, 3], [1, 4, 1]), [5, 4, 3]);
  });
  test('values of a column times a row (outer product)', () => {
    const col = tensor([[1], [2], [3]]);
    const row = tensor([[10, 20]]);
    assert.deepEqual(col.mul(row).toArray(), [[10, 20], [20, 40], [30, 60]]);
    assert.deepEqual(row.sub(col).toArray(), [[9, 19], [8, 18], [7, 17]]);
    assert.deepEqual(tensor([[1, 2], [3, 4]]).div(tensor([2, 4])).toArray(), [[0.5, 0.5], [1.5, 1]]);
  });
  test('incompatible shapes throw with a clear message naming both', () => {
    assert.throws(() => zeros([3, 4]).add(zeros([3])), /shapes \(3, 4\) and \(3,\) cannot be broadcast together/);
    assert.throws(() => zeros([2, 3]).mul(zeros([3, 2])), /\(2, 3\) and \(3, 2\) cannot be broadcast/);
    assert.throws(() => zeros([2, 3, 4]).div(zeros([2, 4, 4])), /cannot be broadcast/);
  });
  test('float64 with float32 promotes to float64', () => {
    const t = tensor([1], { dtype: 'float64' }).add(tensor([2]));
    assert.equal(t.dtype, 'float64');
  });
  test('scalar ops', () => {
    const t = tensor([1, 2, 4]);
    assert.deepEqual(t.add(1).toArray(), [2, 3, 5]);
    assert.deepEqual(t.sub(1).toArray(), [0, 1, 3]);
    assert.deepEqual(t.mul(3).toArray(), [3, 6, 12]);
    assert.deepEqual(t.div(2).toArray(), [0.5, 1, 2]);
    assert.deepEqual(t.neg().toArray(), [-1, -2, -4]);
    assert.deepEqual(t.pow(2).toArray(), [1, 4, 16]);
    assert.deepEqual(t.sqrt().toArray(), [1, f32(Math.SQRT2), 2]);
    assert.deepEqual(t.log10().toArray(), [0, f32(Math.log10(2)), f32(Math.log10(4))]);
  });
});

describe('reductions', () => {
  const x = (): Tensor => tensor([[1, 2, 3], [4, 6, 8]], { dtype: 'float64' });
  test('sum and mean over dims and all, keepdim', () => {
    assert.deepEqual(x().sum().toArray(), 24);
    assert.deepEqual([...x().sum().shape], []);
    assert.deepEqual(x().sum(0).toArray(), [5, 8, 11]);
    assert.deepEqual(x().sum(1).toArray(), [6, 18]);
    assert.deepEqual(x().sum(-1, true).toArray(), [[6], [18]]);
    assert.deepEqual(x().sum(0, true).toArray(), [[5, 8, 11]]);
    assert.deepEqual(x().mean(1).toArray(), [2, 6]);
    assert.deepEqual(x().mean(undefined, true).toArray(), [[4]]);
    assert.throws(() => x().sum(2), /dimension 2 is out of range/);
    assert.throws(() => x().sum(-3), /out of range/);
  });
  test('var/std: unbiased by default, as torch', () => {
    const v = tensor([1, 2, 3, 4], { dtype: 'float64' });
    // torch.tensor([1., 2, 3, 4]).var() = 1.6667; .var(unbiased=False) = 1.25
    close(v.var().item(), 5 / 3, 1e-15);
    close(v.var(undefined, { unbiased: false }).item(), 1.25, 1e-15);
    close(v.var(0, { correction: 0 }).item(), 1.25, 1e-15);
    close(v.std().item(), Math.sqrt(5 / 3), 1e-15);
    close(v.std(0, { correction: 0 }).item(), Math.sqrt(1.25), 1e-15);
    // float32 values as torch prints them: tensor(1.2910)
    close(tensor([1, 2, 3, 4]).std().item(), 1.2909944, 1e-6);
  });
  test('var/std per dimension', () => {
    // torch.tensor([[1., 2, 3], [4, 6, 8]]).var(0) = [4.5, 8.0, 12.5]; .var(1) = [1, 4]
    assert.deepEqual(x().var(0).toArray(), [4.5, 8, 12.5]);
    assert.deepEqual(x().var(1).toArray(), [1, 4]);
    assert.deepEqual(x().var(1, { keepdim: true }).toArray(), [[1], [4]]);
    assert.deepEqual(x().var(0, { correction: 0 }).toArray(), [2.25, 4, 6.25]);
    assert.deepEqual(x().std(1).toArray(), [1, 2]);
    // all elements: mean 4, squared deviations 9+4+1+0+4+16 = 34
    close(x().var().item(), 34 / 5, 1e-15);
  });
  test('var of one element with correction 1 is NaN (as torch)', () => {
    assert.ok(Number.isNaN(tensor([3], { dtype: 'float64' }).var().item()));
  });
  test('3-D reduction over the middle dimension', () => {
    const t = arange(12, { dtype: 'float64' }).view(2, 3, 2);
    assert.deepEqual(t.sum(1).toArray(), [[6, 9], [24, 27]]);
    assert.deepEqual(t.mean(1, true).toArray(), [[[2, 3]], [[8, 9]]]);
  });
});

describe('views and shape ops', () => {
  test('view with -1', () => {
    const t = arange(12);
    assert.deepEqual([...t.view(3, -1).shape], [3, 4]);
    assert.deepEqual([...t.view(-1, 6).shape], [2, 6]);
    assert.deepEqual([...t.view(2, -1, 3).shape], [2, 2, 3]);
    assert.deepEqual([...t.view(3, 4).view(-1).shape], [12]);
    assert.deepEqual(t.view(3, 4).toArray(), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
  });
  test('a view shares storage', () => {
    const t = zeros([2, 3]);
    const v = t.view(6);
    v.data[4] = 7;
    assert.equal(t.data[4], 7);
  });
  test('invalid views throw', () => {
    const t = arange(12);
    assert.throws(() => t.view(5), /shape \(5,\) is invalid for a tensor of shape \(12,\)/);
    assert.throws(() => t.view(5, -1), /invalid/);
    assert.throws(() => t.view(-1, -1), /only one dimension can be inferred/);
    assert.throws(() => t.view(0, -1), /invalid/);
    assert.throws(() => t.reshape(3, 3), /invalid/);
  });
  test('transpose', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(t.T.toArray(), [[1, 4], [2, 5], [3, 6]]);
    assert.deepEqual(t.T.T.toArray(), t.toArray());
    assert.throws(() => tensor([1, 2]).T, /transpose needs a 2-D tensor/);
  });
});

describe('matmul', () => {
  test('values', () => {
    const a = tensor([[1, 2], [3, 4], [5, 6]]);
    const b = tensor([[1, 0, -1], [2, 1, 0]]);
    assert.deepEqual(matmul(a, b).toArray(), [[5, 2, -1], [11, 4, -3], [17, 6, -5]]);
    assert.deepEqual(a.T.matmul(a).toArray(), [[35, 44], [44, 56]]);
  });
  test('shape errors', () => {
    assert.throws(() => zeros([2, 3]).matmul(zeros([2, 3])), /matmul needs \(m×k\) @ \(k×n\), got \(2, 3\) @ \(2, 3\)/);
    assert.throws(() => zeros([3]).matmul(zeros([3, 2])), /matmul needs/);
    assert.throws(() => zeros([2, 2, 3]).matmul(zeros([2, 2])), /matmul needs/); // batched (3-D) operands: test/ops.test.ts
    assert.throws(() => zeros([2, 2]).matmul(zeros([2, 2], { dtype: 'float64' })), TypeError);
    assert.throws(() => zeros([2, 2], { dtype: 'int32' }).matmul(zeros([2, 2], { dtype: 'int32' })), TypeError);
  });
});

describe('softmax and cross-entropy forward values', () => {
  test('softmax rows sum to one, values by hand', () => {
    const p = tensor([[0, Math.log(3)], [1, 1]], { dtype: 'float64' }).softmax().f;
    [0.25, 0.75, 0.5, 0.5].forEach((v, i) => close(p[i], v, 1e-15));
    assert.throws(() => zeros([2, 2]).softmax(0), /last dimension/);
  });
  test('logSoftmax by hand', () => {
    const l = tensor([[0, Math.log(3)]], { dtype: 'float64' }).logSoftmax().f;
    close(l[0], Math.log(0.25), 1e-15);
    close(l[1], Math.log(0.75), 1e-15);
  });
});
