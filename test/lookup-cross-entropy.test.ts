// lookupCrossEntropy (the bigram's training loss): cross-entropy of table rows picked by idx, each
// row's log-softmax taken once. It must give crossEntropy(index(table, idx), …)'s value and
// gradient bit for bit (on the active backend; npm test runs this file on wasm and again on js),
// the wasm kernels the JS kernels' bits, float64 finite differences, and errors that name the
// bad index or target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, crossEntropy, index, lookupCrossEntropy } from '../src/tensor/index.js';
import { jsBackend } from '../src/kernels/js/index.js';
import { createWasmBackend, wasmSupported } from '../src/kernels/wasm/index.js';
import { createModel } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import { modelLoss, trainingLoss } from '../src/train/index.js';
import { gradcheck, lcg } from './helpers/gradcheck.js';

const ints = (a: ArrayLike<number>, shape: readonly number[] = [a.length]): Tensor => new Tensor(Int32Array.from(a), shape, 'int32');

/** A table (rows × cols, values in ±spread), n positions' indexes (repeats) and targets (every 4th ignored). */
function problem(rows: number, cols: number, n: number, seed: number, spread = 3) {
  const r = lcg(seed);
  const table = Float32Array.from({ length: rows * cols }, () => spread * r());
  const idx = Int32Array.from({ length: n }, () => Math.floor(((r() + 1) / 2) * rows) % rows);
  const targets = Int32Array.from({ length: n }, (_, p) => (p % 4 === 3 ? -1 : Math.floor(((r() + 1) / 2) * cols) % cols));
  return { table, idx, targets };
}

const SHAPES: [number, number, number][] = [[27, 27, 512], [5, 3, 40], [9, 8, 33], [4, 65, 21], [30, 1, 7], [2, 13, 300]];

test('lookupCrossEntropy gives crossEntropy(index(table, idx))\'s loss and table gradient bit for bit', () => {
  for (const [rows, cols, n] of SHAPES) {
    for (const ignore of [true, false]) {
      const p = problem(rows, cols, n, rows * 100 + cols);
      const targets = ignore ? p.targets : p.targets.map((t, i) => (t < 0 ? i % cols : t));
      const opts = ignore ? { ignoreIndex: -1 } : {};
      const a = new Tensor(p.table.slice(), [rows, cols], 'float32', true);
      const b = new Tensor(p.table.slice(), [rows, cols], 'float32', true);
      // as makemore.py's Bigram: idx (B, T) → logits (B, T, V) → view(−1, V)
      const la = crossEntropy(index(a, ints(p.idx)).reshape(-1, cols), ints(targets), opts);
      const lb = lookupCrossEntropy(b, ints(p.idx), ints(targets), opts);
      const what = `${rows}×${cols}, ${n} positions${ignore ? ', some ignored' : ''}`;
      assert.ok(Object.is(lb.item(), la.item()), `${what}: loss ${lb.item()} vs ${la.item()}`);
      la.backward();
      lb.backward();
      const ga = a.grad!.floatData, gb = b.grad!.floatData;
      for (let i = 0; i < ga.length; i++) assert.ok(Object.is(gb[i], ga[i]), `${what}: grad[${i}] ${gb[i]} vs ${ga[i]}`);
    }
  }
  // every target ignored: NaN, as PyTorch
  assert.ok(Number.isNaN(lookupCrossEntropy(new Tensor(new Float32Array(6), [2, 3], 'float32'), ints([0, 1]), ints([-1, -1]), { ignoreIndex: -1 }).item()));
});

test('lookupCrossEntropy\'s gradient matches float64 finite differences', () => {
  const { table, idx, targets } = problem(6, 5, 23, 9);
  const t = new Tensor(Float64Array.from(table), [6, 5], 'float64', true);
  gradcheck((x) => lookupCrossEntropy(x, ints(idx), ints(targets), { ignoreIndex: -1 }), [t], { names: ['table'], rtol: 1e-5, atol: 1e-7 });
});

test('errors name the bad index or target', () => {
  const table = new Tensor(new Float32Array(12), [4, 3], 'float32');
  assert.throws(() => lookupCrossEntropy(table, ints([0, 4]), ints([1, 1])), /index 4 is out of bounds for dimension 0 with size 4/);
  assert.throws(() => lookupCrossEntropy(table, ints([0, 1]), ints([1, 3])), /target 3 is out of bounds for 3 classes/);
  assert.throws(() => lookupCrossEntropy(table, ints([0, 1]), ints([-1, 1])), /target -1 is out of bounds for 3 classes/); // −1 counts without ignoreIndex
  assert.throws(() => lookupCrossEntropy(table, ints([0, 1]), ints([1])), /as many targets as indexes/);
  for (const k of wasmSupported() ? [jsBackend, createWasmBackend({ initialMiB: 1 })] : [jsBackend]) {
    const saved = new Float32Array(24);
    assert.throws(() => k.lookupCrossEntropyForward(saved, new Float32Array(12), Int32Array.from([0, 5]), Int32Array.from([1, 1]), 4, 3, -1),
      /lookupCrossEntropyForward idx: index 5 at position 1 is outside \[0, 4\)/);
    assert.throws(() => k.lookupCrossEntropyBackward(new Float32Array(12), saved, Int32Array.from([0, 1, 2]), Int32Array.from([1, -1, 7]), 4, 3, -1, 1),
      /lookupCrossEntropyBackward target: index 7 at position 2 is outside \[0, 3\)/);
  }
});

test('the wasm lookup kernels give the JS kernels\' bits (in wasm memory and on the JS heap)', { skip: wasmSupported() ? false : 'no WebAssembly SIMD' }, () => {
  const W = createWasmBackend({ initialMiB: 8 });
  for (const inWasm of [true, false]) {
    const put = (a: Float32Array): Float32Array => { if (!inWasm) return a.slice(); const b = W.allocFloat32(a.length); b.set(a); return b; };
    for (const [rows, cols, n] of SHAPES) {
      const { table, idx, targets } = problem(rows, cols, n, 7 * rows + cols);
      const what = `${rows}×${cols} (${inWasm ? 'wasm memory' : 'JS heap'})`;
      const sj = new Float32Array(2 * rows * cols), sw = put(new Float32Array(2 * rows * cols));
      const lj = jsBackend.lookupCrossEntropyForward(sj, table, idx, targets, rows, cols, -1);
      const lw = W.lookupCrossEntropyForward(sw, put(table), idx, targets, rows, cols, -1);
      assert.ok(Object.is(lw, lj), `${what}: loss ${lw} vs ${lj}`);
      for (const r of new Set(idx)) { // the rows idx names: their log-softmax and exps
        for (const o of [r * cols, (rows + r) * cols]) {
          for (let c = 0; c < cols; c++) assert.ok(Object.is(sw[o + c], sj[o + c]), `${what}: saved[${o + c}] ${sw[o + c]} vs ${sj[o + c]}`);
        }
      }
      const g0 = Float32Array.from({ length: rows * cols }, (_, i) => (i % 5) / 8), gj = g0.slice(), gw = put(g0);
      jsBackend.lookupCrossEntropyBackward(gj, sj, idx, targets, rows, cols, -1, 0.7);
      W.lookupCrossEntropyBackward(gw, put(sj), idx, targets, rows, cols, -1, 0.7);
      for (let i = 0; i < gj.length; i++) assert.ok(Object.is(gw[i], gj[i]), `${what}: grad[${i}] ${gw[i]} vs ${gj[i]}`);
    }
  }
});

test('the bigram\'s training loss is its fused loss, with modelLoss(forward)\'s numbers; with a hook registered, training takes forward()', () => {
  const config = { arch: 'bigram', vocabSize: 27, blockSize: 16, embedDim: 64, hidden: 64, layers: 4, norm: 'none' };
  const model = createModel(config as Parameters<typeof createModel>[0], new Generator(1));
  const r = lcg(3);
  model.parameters()[0].floatData.set(Float32Array.from({ length: 27 * 27 }, () => r()));
  const { idx, targets } = problem(27, 27, 32 * 16, 11);
  const X = ints(idx, [32, 16]), Y = ints(targets, [32, 16]);
  assert.equal(typeof model.fusedLoss, 'function');
  const grads = (loss: Tensor): number[] => { model.zeroGrad(); loss.backward(); return [...model.parameters()[0].grad!.floatData]; };
  const plain = modelLoss(model, model.forward(X), Y);
  const plainValue = plain.item(), plainGrad = grads(plain);
  const fused = trainingLoss(model, X, Y);
  assert.ok(Object.is(fused.item(), plainValue));
  assert.deepEqual(grads(fused), plainGrad);
  // a hook anywhere in the model: training must go op by op (the fused loss skips forward())
  const fusedLoss = model.fusedLoss!;
  let fusedCalls = 0;
  model.fusedLoss = (x, y) => { fusedCalls++; return fusedLoss.call(model, x, y); };
  trainingLoss(model, X, Y);
  assert.equal(fusedCalls, 1);
  const h = model.registerForwardHook(() => {});
  assert.ok(Object.is(trainingLoss(model, X, Y).item(), plainValue));
  h.remove();
  assert.equal(fusedCalls, 1, 'with a hook, training goes through forward()');
});
