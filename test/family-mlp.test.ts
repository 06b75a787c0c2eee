// makemore.py's MLP (kinds/makemoreMlp.ts) against tools/family_reference.py --type mlp, and its
// shifted contexts (torch.roll with the blank token) on their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shiftedContexts } from '../src/model/index.js';
import { Tensor } from '../src/tensor/index.js';
import { familyContractTests } from './helpers/family.js';

familyContractTests('mlp', 'makemore-mlp');

test('shiftedContexts: position t holds tokens t, t−1, … and the blank before the start', () => {
  const idx = new Tensor(Int32Array.from([0, 5, 6, 0, 9, 8]), [2, 3], 'int32');
  const ctx = shiftedContexts(idx, 2, 27);
  assert.deepEqual([...ctx.shape], [2, 3, 2]);
  assert.deepEqual([...ctx.intData], [0, 27, 5, 0, 6, 5, 0, 27, 9, 0, 8, 9]);
});
