import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationStats } from '../examples/activation-stats.js';

test('activation statistics example reproduces the notebook (seed 2147483647)', () => {
  const s = activationStats();
  // Values PyTorch 1.13 prints for a.std(), b.std() (float32, exact), and c.std() to 7 digits.
  assert.equal(s.a, 0.9875972270965576);
  assert.equal(s.b, 1.0006722211837769);
  assert.equal(s.c.toPrecision(7), '31.01242');
});
