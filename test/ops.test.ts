// The sequence models' ops (batched matmul, permute/transpose, causal softmax, GELU, sigmoid,
// cat/stack, narrow/select/split, cross-entropy with ignoreIndex), on the active backend (npm test
// runs this file on wasm and again on js):
//  - PyTorch 1.13 fixtures (tools/ops_reference.py): outputs and input gradients within float32
//    tolerance 2e-6·(1 + |expected|) (the largest miss seen: 4.6e-7, the JS matmul); makemore.py's
//    transformer Block composed from these ops within 5e-6·(1 + |expected|) (a chain of ~20 ops,
//    each rounding in float32);
//  - every op's backward against float64 central finite differences (h 1e-6, tolerance 1e-6),
//    and against float32 finite differences on the active backend's float32 kernels (loose);
//  - each new kernel, wasm against JS (arrays in wasm memory and on the JS heap);
//  - errors name the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  Tensor, cat, causalSoftmax, crossEntropy, gelu, matmul, narrow, noGrad, permute, select, sigmoid, split, stack, transposeDims,
} from '../src/tensor/index.js';
import { functional as F } from '../src/nn/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import type { MatmulLayout } from '../src/kernels/types.js';
import { createWasmBackend, wasmSupported } from '../src/kernels/wasm/index.js';
import { gradcheck, lcg, project, randT } from './helpers/gradcheck.js';
import { blockForward, blockParamShapes } from './helpers/block.js';

interface Input { shape: number[]; data: number[] }
interface Output { shape: number[]; y: number[]; dy: number[] }
interface Case { op: string; args: Record<string, unknown>; inputs: Input[]; outputs: Output[]; grads: number[][] }
interface Param { shape: number[]; data: number[]; grad: number[] }
interface Block { B: number; T: number; C: number; nHead: number; x: number[]; dy: number[]; y: number[]; dx: number[]; params: Record<string, Param> }
const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/ops-reference.json', import.meta.url), 'utf8')) as { cases: Case[]; block: Block };

const f32 = (a: ArrayLike<number>, shape: readonly number[], grad = false): Tensor => new Tensor(Float32Array.from(a), shape, 'float32', grad);
const ints = (a: readonly number[]): Tensor => new Tensor(Int32Array.from(a), [a.length], 'int32');

/** Throws unless |actual − expected| ≤ tol·(1 + |expected|) everywhere; returns the largest relative miss. */
function close(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): number {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.fround(expected[i]);
    const d = Math.abs(actual[i] - e) / (1 + Math.abs(e));
    worst = Math.max(worst, d);
    if (!(d <= tol)) assert.fail(`${what}[${i}] = ${actual[i]}, PyTorch ${e} (|diff| ${Math.abs(actual[i] - e)})`);
  }
  return worst;
}

/** The op of a fixture case, on tensors. */
function apply(c: Case, xs: Tensor[]): Tensor[] {
  const a = c.args as Record<string, number & number[]>;
  switch (c.op) {
    case 'matmul': return [matmul(xs[0], xs[1])];
    case 'permute': return [permute(xs[0], a.dims)];
    case 'transpose': return [xs[0].transpose(a.dim0, a.dim1)];
    case 'causalSoftmax': return [F.softmax(xs[0], -1, { causal: true })];
    case 'gelu': return [F.gelu(xs[0])];
    case 'sigmoid': return [xs[0].sigmoid()];
    case 'cat': return [cat(xs, a.dim)];
    case 'stack': return [stack(xs, a.dim)];
    case 'narrow': return [xs[0].narrow(a.dim, a.start, a.length)];
    case 'select': return [xs[0].select(a.dim, a.index)];
    case 'split': return xs[0].split(a.size, a.dim);
    case 'crossEntropy': {
      const ignoreIndex = (c.args.ignoreIndex as number | null) ?? undefined;
      return [F.crossEntropy(xs[0], ints(c.args.targets as number[]), ignoreIndex === undefined ? {} : { ignoreIndex })];
    }
    default: throw new Error(`no op ${c.op}`);
  }
}

test('each op matches PyTorch 1.13: outputs and input gradients within 2e-6·(1 + |expected|)', () => {
  const ops = new Set(fixture.cases.map((c) => c.op));
  for (const op of ['matmul', 'permute', 'transpose', 'causalSoftmax', 'gelu', 'sigmoid', 'cat', 'stack', 'narrow', 'select', 'split', 'crossEntropy']) {
    assert.ok(ops.has(op), `the fixture has no ${op} case`);
  }
  for (const [n, c] of fixture.cases.entries()) {
    const tag = `case ${n} ${c.op} ${c.inputs.map((i) => `(${i.shape.join(',')})`).join(' ')} ${JSON.stringify(c.args)}`;
    const xs = c.inputs.map((i) => f32(i.data, i.shape, true));
    const ys = apply(c, xs);
    assert.equal(ys.length, c.outputs.length, tag);
    let loss: Tensor | null = null;
    for (const [i, o] of c.outputs.entries()) {
      assert.deepEqual([...ys[i].shape], o.shape, `${tag} output ${i} shape`);
      close(ys[i].f, o.y, 2e-6, `${tag} y${i}`);
      const part = ys[i].mul(f32(o.dy, o.shape)).sum();
      loss = loss === null ? part : loss.add(part);
    }
    loss!.backward();
    for (const [i, g] of c.grads.entries()) close(xs[i].grad!.f, g, 2e-6, `${tag} grad of input ${i}`);
  }
});

test('makemore.py\'s transformer Block (LayerNorm, causal self-attention, GELU MLP) from these ops matches PyTorch 1.13 within 5e-6', () => {
  const { B, T, C, nHead: H, params } = fixture.block;
  const p = new Map(Object.entries(params).map(([k, v]) => [k, f32(v.data, v.shape, true)]));
  const P = (k: string): Tensor => p.get(k)!;
  assert.deepEqual(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.shape])), blockParamShapes(C));
  const x = f32(fixture.block.x, [B, T, C], true);
  const out = blockForward(x, P, H);
  close(out.f, fixture.block.y, 5e-6, 'block y');
  out.backward(f32(fixture.block.dy, [B, T, C]));
  close(x.grad!.f, fixture.block.dx, 5e-6, 'block dx');
  for (const [name, v] of Object.entries(params)) close(P(name).grad!.f, v.grad, 5e-6, `block d${name}`);
});

test('cross-entropy with ignoreIndex: nothing ignored gives the unmasked loss and gradient bit for bit; all ignored gives NaN', () => {
  const r = lcg(5);
  const logits = Float32Array.from({ length: 10 * 27 }, () => 3 * r());
  const t = [1, 0, 26, 4, 4, 9, 13, 2, 7, 0];
  const a = f32(logits, [10, 27], true), b = f32(logits, [10, 27], true);
  const la = crossEntropy(a, ints(t)), lb = crossEntropy(b, ints(t), { ignoreIndex: -1 });
  assert.equal(lb.item(), la.item());
  la.backward(); lb.backward();
  assert.deepEqual([...b.grad!.f], [...a.grad!.f]);
  // ignored rows: no gradient, and the mean is over the others only
  const c = f32(logits, [10, 27], true);
  const masked = crossEntropy(c, ints(t.map((v, i) => (i % 3 === 0 ? -1 : v))), { ignoreIndex: -1 });
  const kept = f32(logits.filter((_, i) => Math.floor(i / 27) % 3 !== 0), [6, 27]);
  assert.ok(Math.abs(masked.item() - crossEntropy(kept, ints(t.filter((_, i) => i % 3 !== 0))).item()) < 1e-6);
  masked.backward();
  for (const row of [0, 3, 6, 9]) assert.ok(c.grad!.f.slice(row * 27, row * 27 + 27).every((g) => g === 0), `row ${row} is ignored`);
  assert.ok(Number.isNaN(crossEntropy(f32(logits.slice(0, 54), [2, 27]), ints([-1, -1]), { ignoreIndex: -1 }).item()));
});

test('every op\'s backward matches float64 finite differences (h 1e-6, tolerance 1e-6)', () => {
  const cases: [string, Tensor[], (...t: Tensor[]) => Tensor][] = [
    ['matmul (2,3,4,5) @ (2,3,5,3)', [randT([2, 3, 4, 5], 1), randT([2, 3, 5, 3], 2)], (a, b) => matmul(a, b)],
    ['matmul (3,4,5) @ (5,2)', [randT([3, 4, 5], 3), randT([5, 2], 4)], (a, b) => matmul(a, b)],
    ['matmul (4,5) @ (2,5,3)', [randT([4, 5], 5), randT([2, 5, 3], 6)], (a, b) => matmul(a, b)],
    ['matmul (2,1,3,4) @ (3,4,2) broadcast', [randT([2, 1, 3, 4], 7), randT([3, 4, 2], 8)], (a, b) => matmul(a, b)],
    ['permute (0,2,1,3)', [randT([2, 3, 4, 5], 9)], (a) => permute(a, [0, 2, 1, 3])],
    ['transpose(-2, -1)', [randT([2, 3, 4], 10)], (a) => transposeDims(a, -2, -1)],
    ['causalSoftmax (2,2,5,5)', [randT([2, 2, 5, 5], 11, -2, 2)], (a) => causalSoftmax(a)],
    ['causalSoftmax (3,4,4)', [randT([3, 4, 4], 12, -2, 2)], (a) => causalSoftmax(a)],
    ['gelu', [randT([5, 9], 13, -4, 4)], (a) => gelu(a)],
    ['sigmoid', [randT([5, 9], 14, -6, 6)], (a) => sigmoid(a)],
    ['cat dim 1', [randT([2, 3, 4], 15), randT([2, 2, 4], 16)], (a, b) => cat([a, b], 1)],
    ['cat dim -1', [randT([3, 2], 17), randT([3, 5], 18)], (a, b) => cat([a, b], -1)],
    ['stack dim 0', [randT([2, 3], 19), randT([2, 3], 20)], (a, b) => stack([a, b], 0)],
    ['stack dim 2', [randT([2, 3], 21), randT([2, 3], 22)], (a, b) => stack([a, b], 2)],
    ['narrow', [randT([3, 7, 4], 23)], (a) => narrow(a, 1, 2, 3)],
    ['select', [randT([3, 7, 4], 24)], (a) => select(a, 1, 5)],
    ['split, middle piece', [randT([2, 9], 25)], (a) => split(a, 4, 1)[1]],
  ];
  for (const [name, inputs, fn] of cases) {
    const res = gradcheck((...t) => project(fn(...t)), inputs, { names: inputs.map((_, i) => `${name} input ${i}`) });
    assert.ok(res.checked > 0, name);
  }
  const logits = randT([6, 5], 26, -2, 2);
  gradcheck((l) => crossEntropy(l, ints([1, -1, 4, 0, -1, 2]), { ignoreIndex: -1 }), [logits], { names: ['masked crossEntropy logits'] });
});

test('the float32 kernels of the active backend agree with float32 finite differences (h 1e-2, loose tolerance)', () => {
  const r32 = (shape: number[], seed: number, lo = -1, hi = 1): Tensor => f32(randT(shape, seed, lo, hi).f, shape, true);
  const cases: [string, Tensor[], (...t: Tensor[]) => Tensor][] = [
    ['matmul (2,3,4,5) @ (2,3,5,3)', [r32([2, 3, 4, 5], 31), r32([2, 3, 5, 3], 32)], (a, b) => matmul(a, b)],
    ['matmul (2,1,3,4) @ (3,4,2)', [r32([2, 1, 3, 4], 33), r32([3, 4, 2], 34)], (a, b) => matmul(a, b)],
    ['permute', [r32([2, 3, 4], 35)], (a) => permute(a, [2, 0, 1])],
    ['causalSoftmax', [r32([2, 5, 5], 36, -2, 2)], (a) => causalSoftmax(a)],
    ['gelu', [r32([4, 9], 37, -4, 4)], (a) => gelu(a)],
    ['sigmoid', [r32([4, 9], 38, -6, 6)], (a) => sigmoid(a)],
    ['cat', [r32([2, 3], 39), r32([2, 2], 40)], (a, b) => cat([a, b], 1)],
    ['narrow', [r32([3, 6], 41)], (a) => narrow(a, 1, 1, 4)],
    ['masked crossEntropy', [r32([6, 5], 42, -2, 2)], (l) => crossEntropy(l, ints([1, -1, 4, 0, -1, 2]), { ignoreIndex: -1 })],
  ];
  for (const [name, inputs, fn] of cases) {
    gradcheck((...t) => project(fn(...t)), inputs, { h: 1e-2, rtol: 2e-2, atol: 2e-3, names: inputs.map((_, i) => `${name} input ${i}`) });
  }
});

test('wasm kernels match the JS kernels (in wasm memory and on the JS heap)', { skip: wasmSupported() ? false : 'no WebAssembly SIMD' }, () => {
  const W = createWasmBackend({ initialMiB: 8 });
  const r = lcg(77);
  const rand = (n: number, lo = -1, hi = 1): Float32Array => Float32Array.from({ length: n }, () => lo + ((r() + 1) / 2) * (hi - lo));
  const near = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void => {
    assert.equal(a.length, b.length, what);
    for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])))) assert.fail(`${what}[${i}]: wasm ${a[i]}, js ${b[i]}`);
  };
  for (const inWasm of [true, false]) {
    const put = (a: Float32Array): Float32Array => { if (!inWasm) return a.slice(); const b = W.allocFloat32(a.length); b.set(a); return b; };
    const where = inWasm ? 'wasm memory' : 'JS heap';
    // batched matmul: each layout; batch (2, 3) with a broadcast along dim 0 for b, and an output
    // that repeats (stride 0, accumulating: a broadcast input's gradient)
    for (const layout of ['nn', 'tn', 'nt'] as MatmulLayout[]) {
      for (const [m, k, n] of [[5, 7, 3], [9, 16, 70], [1, 1, 1], [12, 8, 4]]) {
        const [so, sa, sb] = layout === 'nn' ? [m * n, m * k, k * n] : layout === 'tn' ? [k * n, m * k, m * n] : [m * k, m * n, k * n];
        const batch = [2, 3];
        for (const [oSt, aSt, bSt, acc] of [[[3 * so, so], [3 * sa, sa], [0, sb], false], [[0, so], [3 * sa, sa], [3 * sb, sb], true]] as [number[], number[], number[], boolean][]) {
          const tag = `matmulBatched ${layout} ${m}×${k}×${n} out strides ${oSt} (${where})`;
          const a = rand(6 * sa), b = rand(6 * sb), o0 = rand(6 * so);
          const want = o0.slice();
          jsBackend.matmulBatched(layout, want, a, b, m, k, n, batch, oSt, aSt, bSt, acc);
          const o = put(o0);
          W.matmulBatched(layout, o, put(a), put(b), m, k, n, batch, oSt, aSt, bSt, acc);
          near(o, want, 1e-5, tag);
        }
      }
    }
    // strided copies: a permute (2,3,4,5) → (0,2,1,3), and its backward accumulating
    const x = rand(120), shape = [2, 4, 3, 5], from = [60, 5, 20, 1], to = [60, 15, 5, 1];
    const want = new Float32Array(120), got = put(new Float32Array(120));
    jsBackend.copyStrided(want, x, shape, to, from, false);
    W.copyStrided(got, put(x), shape, to, from, false);
    near(got, want, 0, `copyStrided (${where})`);
    const back0 = rand(120), wantB = back0.slice(), gotB = put(back0);
    jsBackend.copyStrided(wantB, want, shape, from, to, true);
    W.copyStrided(gotB, put(want), shape, from, to, true);
    near(gotB, wantB, 0, `copyStrided accumulate (${where})`);
    // causal softmax: (2, T, T) rows and a rectangular (T, 9)
    for (const [rows, cols, period] of [[14, 7, 7], [10, 9, 5], [3, 1, 1], [32, 16, 16]]) {
      const xs = rand(rows * cols, -4, 4), w = new Float32Array(rows * cols), g = put(new Float32Array(rows * cols));
      jsBackend.causalSoftmaxRows(w, xs, rows, cols, period);
      W.causalSoftmaxRows(g, put(xs), rows, cols, period);
      near(g, w, 2e-6, `causalSoftmaxRows ${rows}×${cols}/${period} (${where})`);
      for (let q = 0; q < rows * cols; q++) if (q % cols > (Math.floor(q / cols) % period)) assert.equal(g[q], 0, 'masked entries are 0');
    }
    // GELU and sigmoid, forward and backward, over wide ranges and odd lengths
    for (const len of [1, 3, 37, 256]) {
      const xs = rand(len, -9, 9), dy = rand(len), dx0 = rand(len);
      for (const [f, fb, back] of [['gelu', 'geluBackward', 'x'], ['sigmoid', 'sigmoidBackward', 'y']] as const) {
        const w = new Float32Array(len), g = put(new Float32Array(len));
        jsBackend[f](w, xs);
        W[f](g, put(xs));
        near(g, w, 2e-6, `${f} ${len} (${where})`);
        const wd = dx0.slice(), gd = put(dx0);
        const arg = back === 'x' ? xs : w;
        jsBackend[fb](wd, dy, arg);
        W[fb](gd, put(dy), put(arg));
        near(gd, wd, 4e-6, `${fb} ${len} (${where})`);
      }
    }
    // cross-entropy with ignored targets
    for (const [rows, cols] of [[12, 27], [5, 3], [7, 65]]) {
      const logits = rand(rows * cols, -5, 5);
      const targets = Int32Array.from({ length: rows }, (_, i) => (i % 4 === 1 ? -1 : (i * 7) % cols));
      const wp = new Float32Array(rows * cols), gp = put(new Float32Array(rows * cols));
      const wl = jsBackend.crossEntropyMaskedForward(wp, logits, targets, rows, cols, -1);
      const gl = W.crossEntropyMaskedForward(gp, put(logits), targets, rows, cols, -1);
      assert.ok(Math.abs(gl - wl) <= 1e-6 * (1 + Math.abs(wl)), `crossEntropyMaskedForward ${rows}×${cols}: ${gl} vs ${wl}`);
      near(gp, wp, 2e-6, `crossEntropyMaskedForward probs (${where})`);
      const d0 = rand(rows * cols), wd = d0.slice(), gd = put(d0);
      jsBackend.crossEntropyMaskedBackward(wd, wp, targets, rows, cols, -1, 0.7);
      W.crossEntropyMaskedBackward(gd, put(wp), targets, rows, cols, -1, 0.7);
      near(gd, wd, 1e-6, `crossEntropyMaskedBackward (${where})`);
    }
  }
  assert.throws(() => W.crossEntropyMaskedForward(new Float32Array(6), new Float32Array(6), Int32Array.from([1, 3]), 2, 3, -1),
    /crossEntropyMaskedForward target: index 3 at position 1 is outside \[0, 3\)/);
  assert.throws(() => W.matmulBatched('nn', new Float32Array(7), new Float32Array(12), new Float32Array(6), 2, 3, 2, [2], [4], [6], [0], false),
    /matmulBatched out has 7 elements, needs 8/);
});

test('errors name the problem', () => {
  const x = f32(new Array(24).fill(0), [2, 3, 4]);
  assert.throws(() => matmul(x, f32(new Array(15).fill(0), [3, 5])), /matmul needs \(…, m, k\) @ \(…, k, n\), got \(2, 3, 4\) @ \(3, 5\)/);
  assert.throws(() => matmul(x, f32(new Array(60).fill(0), [3, 4, 5])), /batch dimensions of \(2, 3, 4\) and \(3, 4, 5\) cannot be broadcast/);
  assert.throws(() => permute(x, [0, 0, 1]), /permute needs each of the 3 dimensions once/);
  assert.throws(() => narrow(x, 1, 2, 2), /narrow: start 2 and length 2 are out of range for dimension 1 of size 3/);
  assert.throws(() => select(x, 2, 4), /select: index 4 is out of range for dimension 2 of size 4/);
  assert.deepEqual(narrow(f32([0, 1, 2, 3, 4], [5]), 0, -2, 2).toArray(), [3, 4]); // negative start counts from the end
  assert.deepEqual(select(f32([0, 1, 2, 3, 4, 5], [2, 3]), 1, -1).toArray(), [2, 5]);
  assert.throws(() => cat([x, f32(new Array(8).fill(0), [2, 1, 4])], 2), /cat: shapes \(2, 3, 4\), \(2, 1, 4\) differ outside dimension 2/);
  assert.throws(() => stack([x, f32(new Array(8).fill(0), [2, 1, 4])]), /stack needs tensors of one shape/);
  assert.throws(() => F.softmax(x, 1, { causal: true }), /causal softmax is over the last dimension only/);
  assert.throws(() => crossEntropy(f32(new Array(6).fill(0), [2, 3]), ints([1, -2]), { ignoreIndex: -1 }), /target -2 is out of bounds for 3 classes/);
  noGrad(() => assert.equal(crossEntropy(f32(new Array(6).fill(0), [2, 3]), ints([1, -1]), { ignoreIndex: -1 }).item(), Math.fround(Math.log(3))));
});

