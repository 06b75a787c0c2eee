// The batch-independent norm layers: PyTorch 1.13 fixtures (LayerNorm, GroupNorm,
// InstanceNorm1d; forward within 1e-6, gradients within 1e-5), RMSNorm against its formula,
// float64 finite differences, the wasm kernels against the JS ones, batch independence and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GroupNorm, InstanceNorm1d, LayerNorm, RMSNorm, createNorm, functional as F, type Module } from '../src/nn/index.js';
import { Tensor, noGrad, reshape } from '../src/tensor/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import { createWasmBackend, wasmSupported } from '../src/kernels/wasm/index.js';
import { gradcheck, lcg, project, randT } from './helpers/gradcheck.js';

interface Case {
  layer: 'LayerNorm' | 'GroupNorm' | 'InstanceNorm1d';
  shape: number[]; normalizedShape?: number[]; numGroups?: number; eps: number; affine: boolean;
  x: number[]; dy: number[]; y: number[]; dx: number[];
  weight?: number[]; bias?: number[]; dweight?: number[]; dbias?: number[];
  /** InstanceNorm1d with running statistics: training inputs first, then the case runs in eval mode. */
  trackRunningStats?: boolean; momentum?: number; trainInputs?: number[][]; runningMean?: number[]; runningVar?: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/norms-reference.json', import.meta.url), 'utf8')) as { cases: Case[] };

const f32 = (a: readonly number[], shape: readonly number[], grad = false): Tensor => new Tensor(Float32Array.from(a), shape, 'float32', grad);

function build(c: Case): Module {
  if (c.layer === 'LayerNorm') return new LayerNorm(c.normalizedShape!, { eps: c.eps, elementwiseAffine: c.affine });
  if (c.layer === 'GroupNorm') return new GroupNorm(c.numGroups!, c.shape[1], { eps: c.eps, affine: c.affine });
  return new InstanceNorm1d(c.shape[1], { eps: c.eps, affine: c.affine, trackRunningStats: c.trackRunningStats, momentum: c.momentum });
}

/** max |a − b| over the elements, failing on a length mismatch. */
function maxDiff(a: ArrayLike<number>, b: readonly number[]): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - Math.fround(b[i])));
  return m;
}

test('LayerNorm, GroupNorm and InstanceNorm1d match PyTorch 1.13: forward within 1e-6, gradients within 1e-5', () => {
  assert.ok(fixture.cases.length >= 21);
  assert.equal(fixture.cases.filter((c) => c.trackRunningStats).length, 2);
  for (const c of fixture.cases) {
    const tag = `${c.layer} ${c.shape.join('×')} ${c.normalizedShape ?? c.numGroups ?? ''} affine=${c.affine}${c.trackRunningStats ? ' running stats, eval' : ''}`;
    const m = build(c);
    const params = new Map(m.namedParameters());
    assert.equal(params.size, c.affine ? 2 : 0, tag);
    if (c.affine) {
      params.get('weight')!.floatData.set(Float32Array.from(c.weight!));
      params.get('bias')!.floatData.set(Float32Array.from(c.bias!));
    }
    if (c.trackRunningStats) {
      noGrad(() => { for (const t of c.trainInputs!) m.forward(f32(t, c.shape)); });
      const buf = new Map(m.namedBuffers());
      assert.deepEqual([...buf.keys()], ['running_mean', 'running_var', 'num_batches_tracked'], tag);
      assert.ok(maxDiff(buf.get('running_mean')!.floatData, c.runningMean!) <= 1e-6, `${tag} running_mean`);
      assert.ok(maxDiff(buf.get('running_var')!.floatData, c.runningVar!) <= 1e-6, `${tag} running_var`);
      assert.equal(buf.get('num_batches_tracked')!.item(), 2);
      m.eval();
    }
    const x = f32(c.x, c.shape, true);
    const y = m.forward(x);
    assert.deepEqual(y.shape, c.shape, tag);
    assert.ok(maxDiff(y.floatData, c.y) <= 1e-6, `${tag} forward: max diff ${maxDiff(y.floatData, c.y)}`);
    y.backward(f32(c.dy, c.shape));
    assert.ok(maxDiff(x.grad!.floatData, c.dx) <= 1e-5, `${tag} dx: max diff ${maxDiff(x.grad!.floatData, c.dx)}`);
    if (c.affine) {
      const dw = maxDiff(params.get('weight')!.grad!.floatData, c.dweight!), db = maxDiff(params.get('bias')!.grad!.floatData, c.dbias!);
      assert.ok(dw <= 1e-5, `${tag} dweight: max diff ${dw}`);
      assert.ok(db <= 1e-5, `${tag} dbias: max diff ${db}`);
    }
  }
});

test('RMSNorm matches its formula x / sqrt(mean(x²) + eps) · weight (forward and gradients)', () => {
  const r = lcg(7);
  for (const [shape, norm] of [[[6, 12], [12]], [[3, 4, 5], [4, 5]], [[5, 200], [200]]] as const) {
    const n = shape.reduce((a, b) => a * b, 1), cols = norm.reduce((a, b) => a * b, 1);
    const xs = Float32Array.from({ length: n }, () => 2 * r() + 0.3), ws = Float32Array.from({ length: cols }, () => 1 + 0.5 * r());
    const dys = Float32Array.from({ length: n }, () => r());
    for (const eps of [undefined, 1e-3]) {
      const m = new RMSNorm(norm, { eps });
      m.weight!.floatData.set(ws);
      const x = new Tensor(xs.slice(), shape, 'float32', true);
      const y = m.forward(x);
      y.backward(new Tensor(dys, shape, 'float32'));
      const e = eps ?? 2 ** -23;
      // the formula in double: y = x·s·w with s = (mean(x²) + eps)^−½; dx = s·(dyw − x·s²·mean(dyw·x))
      const dw = new Float64Array(cols);
      for (let o = 0; o < n; o += cols) {
        let ms = 0;
        for (let j = 0; j < cols; j++) ms += xs[o + j] ** 2;
        const s = 1 / Math.sqrt(ms / cols + e);
        let c = 0;
        for (let j = 0; j < cols; j++) c += dys[o + j] * ws[j] * xs[o + j];
        for (let j = 0; j < cols; j++) {
          const want = xs[o + j] * s * ws[j];
          assert.ok(Math.abs(y.floatData[o + j] - want) <= 1e-6, `rms y ${shape} [${o + j}]: ${y.floatData[o + j]} vs ${want}`);
          const gx = s * (dys[o + j] * ws[j] - xs[o + j] * s * s * c / cols);
          assert.ok(Math.abs(x.grad!.floatData[o + j] - gx) <= 1e-5, `rms dx ${shape} [${o + j}]: ${x.grad!.floatData[o + j]} vs ${gx}`);
          dw[j] += dys[o + j] * xs[o + j] * s;
        }
      }
      for (let j = 0; j < cols; j++) assert.ok(Math.abs(m.weight!.grad!.floatData[j] - dw[j]) <= 1e-5, `rms dweight ${shape} [${j}]`);
    }
  }
});

test('the norms\' gradients match float64 finite differences', () => {
  const cases: [string, Tensor[], (...t: Tensor[]) => Tensor][] = [
    ['layerNorm (N, C)', [randT([5, 7], 1, -2, 2), randT([7], 2, 0.5, 1.5), randT([7], 3)], (x, w, b) => F.layerNorm(x, [7], w, b)],
    ['layerNorm (N, L, C) over (L, C)', [randT([3, 4, 5], 4, -2, 2), randT([4, 5], 5, 0.5, 1.5), randT([4, 5], 6)], (x, w, b) => F.layerNorm(x, [4, 5], w, b, 1e-3)],
    ['layerNorm no affine', [randT([4, 9], 7, -2, 2)], (x) => F.layerNorm(x, [9])],
    ['groupNorm (N, C) G=3', [randT([4, 12], 8, -2, 2), randT([12], 9, 0.5, 1.5), randT([12], 10)], (x, w, b) => F.groupNorm(x, 3, w, b)],
    ['groupNorm (N, C, L) G=2', [randT([3, 6, 5], 11, -2, 2), randT([6], 12, 0.5, 1.5), randT([6], 13)], (x, w, b) => F.groupNorm(x, 2, w, b)],
    ['instanceNorm affine', [randT([3, 4, 6], 14, -2, 2), randT([4], 15, 0.5, 1.5), randT([4], 16)], (x, w, b) => F.instanceNorm(x, w, b)],
    ['instanceNorm', [randT([2, 3, 7], 17, -2, 2)], (x) => F.instanceNorm(x)],
    ['rmsNorm (N, C)', [randT([5, 8], 18, -2, 2), randT([8], 19, 0.5, 1.5)], (x, w) => F.rmsNorm(x, [8], w)],
    ['rmsNorm (N, L, C), eps 1e-3', [randT([2, 3, 4], 20, -2, 2), randT([4], 21, 0.5, 1.5)], (x, w) => F.rmsNorm(x, [4], w, 1e-3)],
  ];
  for (const [name, inputs, fn] of cases) {
    const res = gradcheck((...t) => project(fn(...t)), inputs, { rtol: 1e-5, atol: 1e-7, names: [`${name} x`, `${name} weight`, `${name} bias`] });
    assert.ok(res.checked > 0, name);
  }
});

test('wasm norm kernels match the JS kernels (odd row lengths, periods, with and without affine, in place and copied)', { skip: wasmSupported() ? false : 'no WebAssembly SIMD' }, () => {
  const W = createWasmBackend({ initialMiB: 8 });
  const r = lcg(99);
  const rand = (n: number, lo = -1, hi = 1): Float32Array => Float32Array.from({ length: n }, () => lo + ((r() + 1) / 2) * (hi - lo));
  const put = (a: Float32Array, inWasm: boolean): Float32Array => { if (!inWasm) return a.slice(); const b = W.allocFloat32(a.length); b.set(a); return b; };
  for (const [rows, cols, period] of [[32, 200, 1], [8, 50, 4], [6, 3, 2], [5, 7, 5], [1, 1, 1], [12, 13, 3], [4, 2, 1]]) {
    for (const centered of [true, false]) {
      for (const affine of [true, false]) {
        for (const inWasm of [true, false]) {
          const tag = `${rows}×${cols} period ${period} centered=${centered} affine=${affine} wasm-memory=${inWasm}`;
          const x = rand(rows * cols, -3, 3), w = affine ? rand(period * cols, 0.5, 1.5) : null, b = affine ? rand(period * cols) : null;
          const ro = new Float32Array(rows * cols), rx = new Float32Array(rows * cols), ri = new Float32Array(rows);
          jsBackend.rowNormForward(ro, rx, ri, x, w, b, rows, cols, period, 1e-5, centered);
          const o = put(new Float32Array(rows * cols), inWasm), xh = put(new Float32Array(rows * cols), inWasm), inv = put(new Float32Array(rows), inWasm);
          W.rowNormForward(o, xh, inv, put(x, inWasm), w && put(w, inWasm), b && put(b, inWasm), rows, cols, period, 1e-5, centered);
          for (let i = 0; i < rows * cols; i++) {
            assert.ok(Math.abs(o[i] - ro[i]) <= 2e-6 * (1 + Math.abs(ro[i])), `${tag} out[${i}] ${o[i]} vs ${ro[i]}`);
            assert.ok(Math.abs(xh[i] - rx[i]) <= 2e-6 * (1 + Math.abs(rx[i])), `${tag} xhat[${i}]`);
          }
          for (let i = 0; i < rows; i++) assert.equal(inv[i], ri[i], `${tag} invStd[${i}]`);
          const dy = rand(rows * cols), dx0 = rand(rows * cols), dw0 = rand(period * cols), db0 = rand(period * cols);
          const edx = dx0.slice(), edw = dw0.slice(), edb = db0.slice();
          jsBackend.rowNormBackward(edx, affine ? edw : null, affine ? edb : null, dy, rx, ri, w, rows, cols, period, centered);
          const pdx = put(dx0, inWasm), pdw = put(dw0, inWasm), pdb = put(db0, inWasm);
          W.rowNormBackward(pdx, affine ? pdw : null, affine ? pdb : null, put(dy, inWasm), put(rx, inWasm), put(ri, inWasm), w && put(w, inWasm), rows, cols, period, centered);
          for (let i = 0; i < rows * cols; i++) assert.ok(Math.abs(pdx[i] - edx[i]) <= 1e-5 * (1 + Math.abs(edx[i])), `${tag} dx[${i}] ${pdx[i]} vs ${edx[i]}`);
          for (let i = 0; i < period * cols; i++) {
            assert.equal(pdw[i], edw[i], `${tag} dWeight[${i}]`);
            assert.equal(pdb[i], edb[i], `${tag} dBias[${i}]`);
          }
        }
      }
    }
  }
  assert.throws(() => W.rowNormForward(new Float32Array(5), new Float32Array(6), new Float32Array(2), new Float32Array(6), null, null, 2, 3, 1, 1e-5, true),
    /rowNormForward out has 5 elements, needs 6/);
});

test('batch-independent norms: one example alone gives the same output as inside any batch, and train = eval', () => {
  const x = randT([16, 20], 31, -2, 2);
  const x32 = new Tensor(Float32Array.from(x.data), [16, 20], 'float32');
  for (const kind of ['layernorm', 'groupnorm', 'rmsnorm'] as const) {
    const m = createNorm(kind, 20, { groups: 5 });
    for (const p of m.parameters()) p.floatData.set(Float32Array.from(randT(p.shape, 41, 0.5, 1.5).data));
    noGrad(() => {
      const full = m.forward(x32).floatData;
      m.eval();
      assert.deepEqual([...m.forward(x32).floatData], [...full], `${kind}: eval differs from train`);
      m.train();
      for (const i of [0, 7, 15]) {
        const alone = m.forward(new Tensor(x32.floatData.slice(i * 20, i * 20 + 20), [1, 20], 'float32')).floatData;
        assert.deepEqual([...alone], [...full.slice(i * 20, i * 20 + 20)], `${kind}: example ${i} alone differs`);
      }
    });
  }
  // batch norm couples the examples: the same check fails, as it should
  const bn = createNorm('batchnorm1d', 20);
  noGrad(() => {
    const full = bn.forward(x32).floatData.slice(0, 20);
    const half = bn.forward(new Tensor(x32.floatData.slice(0, 160), [8, 20], 'float32')).floatData.slice(0, 20);
    assert.notDeepEqual([...half], [...full]);
  });
});

test('norm errors name the problem; InstanceNorm1d on (N, C) names the alternative', () => {
  const x2 = new Tensor(new Float32Array(64), [4, 16], 'float32');
  assert.throws(() => new InstanceNorm1d(16).forward(x2),
    (e: Error) => /InstanceNorm1d\(16\) got input of shape \(4, 16\): a 2-D \(N, C\) input has no length axis to normalize over.*use LayerNorm or GroupNorm/.test(e.message) && !e.message.includes('\n'));
  assert.throws(() => new GroupNorm(3, 16), /num_channels 16 must be divisible by num_groups 3/);
  assert.throws(() => new GroupNorm(4, 16).forward(reshape(x2, [2, 32])), /GroupNorm\(4, 16\) got input of shape \(2, 32\)/);
  assert.throws(() => new LayerNorm(8).forward(x2), /layerNorm over \(8,\) needs an input ending in those dimensions, got \(4, 16\)/);
  assert.throws(() => new InstanceNorm1d(16, { trackRunningStats: true }).eval().forward(x2), /InstanceNorm1d\(16\) got input of shape \(4, 16\): a 2-D/);
  assert.throws(() => createNorm('instancenorm' as never, 16), /unknown norm "instancenorm"/);
});

test('norm layers keep PyTorch\'s names, shapes and defaults', () => {
  assert.deepEqual(new LayerNorm(8).namedParameters().map(([n, t]) => [n, t.shape]), [['weight', [8]], ['bias', [8]]]);
  assert.deepEqual(new LayerNorm([2, 4], { elementwiseAffine: false }).parameters(), []);
  assert.deepEqual(new GroupNorm(2, 8).namedParameters().map(([n]) => n), ['weight', 'bias']);
  assert.deepEqual(new InstanceNorm1d(8).parameters(), []);
  assert.deepEqual(new InstanceNorm1d(8, { affine: true }).namedParameters().map(([n]) => n), ['weight', 'bias']);
  assert.deepEqual(new RMSNorm(8).namedParameters().map(([n, t]) => [n, [...t.floatData]]), [['weight', [1, 1, 1, 1, 1, 1, 1, 1]]]);
  assert.equal(new LayerNorm(8).eps, 1e-5);
  assert.equal(new RMSNorm(8).eps, undefined);
  for (const m of [new LayerNorm(8), new GroupNorm(2, 8), new RMSNorm(8)]) assert.deepEqual(m.namedBuffers(), []);
});
