// The module model with batch-independent norms (--norm layernorm | groupnorm | rmsnorm):
// structure and PyTorch names, the head, train = eval, one example alone = inside any batch, and
// the config errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModuleMLP, createModel, validateModelConfig, type ModelConfig } from '../src/model/index.js';
import { foldBatchNorm } from '../src/model/index.js';
import { GroupNorm, LayerNorm, Linear, RMSNorm } from '../src/nn/index.js';
import { Generator } from '../src/random/index.js';
import { Tensor, noGrad } from '../src/tensor/index.js';
import { kernels } from '../src/kernels/index.js';
import { MakemoreError } from '../src/errors.js';

const base: ModelConfig = { vocabSize: 27, blockSize: 3, embedDim: 10, hidden: 40, layers: 3, norm: 'layernorm' };
const NORMS = [['layernorm', LayerNorm], ['groupnorm', GroupNorm], ['rmsnorm', RMSNorm]] as const;

function contexts(n: number, seed: number): Tensor {
  const g = new Generator(seed);
  const x = new Int32Array(n * 3);
  for (let i = 0; i < x.length; i++) x[i] = g.nextUint32() % 27;
  return new Tensor(x, [n, 3], 'int32');
}

test('Linear → norm → Tanh per hidden layer, then a Linear head with bias: PyTorch names and shapes', () => {
  for (const [norm, Layer] of NORMS) {
    const m = createModel({ ...base, norm, ...(norm === 'groupnorm' ? { groups: 5 } : {}) }, new Generator(1)) as ModuleMLP;
    assert.ok(m instanceof ModuleMLP);
    const norms = m.layers.layers.filter((x) => x instanceof Layer);
    assert.equal(norms.length, 3, norm);
    if (norm === 'groupnorm') assert.equal((norms[0] as GroupNorm).numGroups, 5);
    const names = m.namedParameters().map(([n, t]) => `${n} ${t.shape.join('x')}`);
    const expected = ['embedding.weight 27x10'];
    for (let l = 0; l < 3; l++) {
      expected.push(`layers.${3 * l}.weight 40x${l === 0 ? 30 : 40}`, `layers.${3 * l + 1}.weight 40`);
      if (norm !== 'rmsnorm') expected.push(`layers.${3 * l + 1}.bias 40`);
    }
    expected.push('layers.9.weight 27x40', 'layers.9.bias 27');
    assert.deepEqual(names, expected, norm);
    assert.deepEqual(m.namedBuffers(), [], `${norm} keeps no running statistics`);
    const head = m.layers.layers.at(-1) as Linear;
    assert.ok(head instanceof Linear);
    assert.ok(Array.from(head.bias!.floatData).every((v) => v === 0));
  }
});

test('the head is randn·0.1/sqrt(fan_in), drawn where the batch-norm model draws its head', () => {
  const ln = createModel({ ...base, layers: 1 }, new Generator(5)) as ModuleMLP;
  const bn = createModel({ ...base, layers: 1, norm: 'batchnorm1d' }, new Generator(5)) as ModuleMLP;
  const wl = (ln.layers.layers[3] as Linear).weight.floatData, wb = (bn.layers.layers[3] as Linear).weight.floatData;
  // same draws, scaled by 0.1/√40 instead of (5/3)/√40
  const ratio = 0.1 / (5 / 3);
  for (const i of [0, 17, 500, wl.length - 1]) assert.ok(Math.abs(wl[i] - wb[i] * ratio) <= 1e-6 * Math.abs(wl[i]) + 1e-9, `head[${i}]`);
  assert.deepEqual(Array.from((ln.layers.layers[0] as Linear).weight.floatData), Array.from((bn.layers.layers[0] as Linear).weight.floatData));
});

test('batch-independent models: train and eval mode give the same logits; one example alone = inside any batch', () => {
  const X = contexts(24, 3);
  for (const [norm] of NORMS) {
    const m = createModel({ ...base, norm }, new Generator(11)) as ModuleMLP;
    // move the norm parameters off their ones/zeros init so the affine part counts
    const g = new Generator(12);
    for (const p of m.parameters()) { const d = new Float32Array(p.numel); g.normal(d); for (let i = 0; i < d.length; i++) p.floatData[i] += 0.1 * d[i]; }
    noGrad(() => {
      m.train();
      const train = Array.from(m.forward(X).floatData);
      m.eval();
      assert.deepEqual(Array.from(m.forward(X).floatData), train, `${norm}: eval ≠ train`);
      m.train();
      for (const i of [0, 9, 23]) {
        const one = Array.from(m.forward(new Tensor(X.intData.slice(3 * i, 3 * i + 3), [1, 3], 'int32')).floatData);
        const inBatch = train.slice(27 * i, 27 * i + 27);
        // The norms are exact per example; the wasm matmul (x·Wᵀ with a short shared axis) sums in
        // another order below 8 rows than from 8 rows on, so there a lone example agrees to
        // float32 rounding only. The JS kernels and equal batch sizes (below) agree bit for bit.
        if (kernels().name === 'js') assert.deepEqual(one, inBatch, `${norm}: example ${i} alone`);
        else one.forEach((v, j) => assert.ok(Math.abs(v - inBatch[j]) <= 1e-6 * (1 + Math.abs(v)), `${norm}: example ${i} alone, logit ${j}: ${v} vs ${inBatch[j]}`));
      }
      // a batch of 8 built from examples 0..7 gives their rows of the batch of 24 exactly
      assert.deepEqual(Array.from(m.forward(new Tensor(X.intData.slice(0, 24), [8, 3], 'int32')).floatData), train.slice(0, 8 * 27), `${norm}: first 8 of 24`);
      // the same example among other examples (a different batch)
      const other = contexts(24, 4);
      other.intData.set(X.intData.slice(0, 3), 3 * 7);
      const mixed = m.forward(other).floatData;
      assert.deepEqual(Array.from(mixed.slice(27 * 7, 27 * 8)), train.slice(0, 27), `${norm}: example 0 in another batch`);
    });
  }
});

test('config: groups must divide hidden and only goes with groupnorm; instancenorm names the alternative; no folding', () => {
  const err = (c: ModelConfig, re: RegExp): void => assert.throws(() => validateModelConfig(c), (e: unknown) => e instanceof MakemoreError && re.test(e.message));
  err({ ...base, norm: 'groupnorm', groups: 3 }, /groups 3 does not divide the hidden size 40; choose one of 1, 2, 4, 5, 8, 10, 20, 40/);
  err({ ...base, norm: 'layernorm', groups: 4 }, /groups applies only to norm groupnorm, not layernorm/);
  err({ ...base, norm: 'instancenorm' as never }, /InstanceNorm1d .* hidden features \(N, 40\) have none; use layernorm or groupnorm/);
  validateModelConfig({ ...base, norm: 'groupnorm' });
  validateModelConfig({ ...base, norm: 'groupnorm', groups: 8 });
  const m = createModel({ ...base, norm: 'rmsnorm' }, new Generator(1));
  assert.throws(() => foldBatchNorm(m), /a rmsnorm model cannot be folded/);
});
