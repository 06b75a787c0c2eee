// Python's print() of floats and the notebook's loss line, as the replay prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lossLine, pyFloat } from '../src/train/index.js';

test('pyFloat prints as Python repr(float)', () => {
  const cases: [number, string][] = [
    [2.0727899074554443, '2.0727899074554443'], [0, '0.0'], [-0, '-0.0'], [1, '1.0'], [-3, '-3.0'], [12097, '12097.0'],
    [1e-5, '1e-05'], [0.0001, '0.0001'], [0.00012, '0.00012'], [2.2351741291171123e-10, '2.2351741291171123e-10'],
    [-1.5e-7, '-1.5e-07'], [1e16, '1e+16'], [1.2345e16, '1.2345e+16'], [9999999999999998, '9999999999999998.0'],
    [123.5, '123.5'], [1e22, '1e+22'], [1.5e300, '1.5e+300'], [5e-324, '5e-324'], [Number.NaN, 'nan'], [-Infinity, '-inf'],
    [Math.fround(0.1), '0.10000000149011612'],
  ];
  for (const [x, want] of cases) assert.equal(pyFloat(x), want, String(x));
});

test("lossLine is f'{i:7d}/{steps:7d}: {loss:.4f}'", () => {
  assert.equal(lossLine(0, 200000, 3.3239), '      0/ 200000: 3.3239');
  assert.equal(lossLine(190000, 200000, 2.17071), ' 190000/ 200000: 2.1707');
});
