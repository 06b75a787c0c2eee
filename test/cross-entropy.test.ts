// F.cross_entropy and F.log_softmax on float32, bit for bit as PyTorch 1.13 computes them on the CPU
// (tools/cross_entropy_reference.py → test/fixtures/cross-entropy.json), on the active backend:
// `npm test` runs this file on the wasm kernels and again on the JS ones.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, crossEntropy, crossEntropyRows, logSoftmax, nllLossMean, noGrad } from '../src/tensor/index.js';
import { ROOT } from './helpers/cli.js';
import { bitEqual, f32s } from './helpers/bits.js';

interface Case { rows: number; classes: number; logits: string; targets: number[]; loss: string; nll_rows: string }
interface FullCase extends Case { log_probs: string; grad: string; grad_scaled: string; dy: string; log_softmax_grad: string }
const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'cross-entropy.json'), 'utf8')) as { scale: number; cases: FullCase[]; split: Case };

const leaf = (c: Case): Tensor => new Tensor(f32s(c.logits), [c.rows, c.classes], 'float32', true);
const targets = (c: Case): Tensor => new Tensor(Int32Array.from(c.targets), [c.rows], 'int32');

describe('cross-entropy and log-softmax, bit for bit as PyTorch 1.13 on the CPU', () => {
  for (const c of fixture.cases) {
    test(`${c.rows} rows × ${c.classes} classes: loss, log-probabilities, gradients, per-row losses`, () => {
      const x = leaf(c);
      const loss = crossEntropy(x, targets(c));
      bitEqual([loss.item()], f32s(c.loss), 'mean loss');
      loss.backward();
      bitEqual(x.grad!.floatData, f32s(c.grad), 'gradient of the mean loss');

      const xs = leaf(c);
      crossEntropy(xs, targets(c)).backward(new Tensor(Float32Array.of(fixture.scale), [], 'float32'));
      bitEqual(xs.grad!.floatData, f32s(c.grad_scaled), `gradient of ${fixture.scale}·loss`);

      const xl = leaf(c);
      const ls = logSoftmax(xl, 1);
      bitEqual(ls.floatData, f32s(c.log_probs), 'log_softmax');
      ls.backward(new Tensor(f32s(c.dy), [c.rows, c.classes], 'float32'));
      bitEqual(xl.grad!.floatData, f32s(c.log_softmax_grad), 'log_softmax backward');

      bitEqual(noGrad(() => crossEntropyRows(x, targets(c))).floatData, f32s(c.nll_rows), "reduction 'none'");
    });
  }

  test('a split evaluated in chunks gives the loss of one call over all of it (nll_loss\'s cascade)', () => {
    const c = fixture.split;
    const logits = f32s(c.logits);
    const nll = new Float32Array(c.rows);
    for (let s = 0; s < c.rows; s += 1000) {
      const e = Math.min(c.rows, s + 1000);
      const x = new Tensor(logits.slice(s * c.classes, e * c.classes), [e - s, c.classes], 'float32');
      nll.set(crossEntropyRows(x, new Tensor(Int32Array.from(c.targets.slice(s, e)), [e - s], 'int32')).floatData, s);
    }
    bitEqual(nll, f32s(c.nll_rows), 'per-row losses');
    bitEqual([nllLossMean(nll)], f32s(c.loss), 'the mean over the split');
    bitEqual([crossEntropy(leaf(c), targets(c)).item()], f32s(c.loss), 'one call');
  });
});
