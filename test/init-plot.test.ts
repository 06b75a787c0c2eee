// The init experiment's loss plot: the naive run's first windows (loss ~27) do not set the y axis,
// so the other runs' curves are not squeezed into a thin band.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonPlots, VARIANTS, type VariantResult } from '../src/experiments/init.js';

test('init experiment: the loss plot\'s y axis spans the runs after their first tenth of steps', () => {
  const run = (i: number, first: number): VariantResult => ({
    variant: VARIANTS[i], initialLoss: first, train: 2.1, val: 2.15, seconds: 1, window: 100,
    // 20 windows: the first at `first`, then down from 2.6 to 2.1
    smoothLog10: Array.from({ length: 20 }, (_, k) => Math.log10(k === 0 ? first : 2.6 - (0.5 * k) / 19)),
    valCurve: [{ step: 1000, loss: 2.3 }, { step: 2000, loss: 2.15 }], stats: [],
  });
  const results = [run(0, 3.3), run(VARIANTS.findIndex((v) => v.name === 'naive'), 27)];
  const loss = comparisonPlots(results).find((p) => p.id === 'loss');
  assert.ok(loss !== undefined);
  const layer = (loss.spec as unknown as { layer: { encoding: { y: { scale: { domain?: [number, number] } } } }[] }).layer[0];
  const domain = layer.encoding.y.scale.domain;
  assert.ok(domain !== undefined, 'an explicit y domain');
  assert.ok(domain[1] < Math.log10(3), `top ${10 ** domain[1]} is below the naive run's first windows`);
  assert.ok(domain[0] < Math.log10(2.1) && domain[1] > Math.log10(2.5), 'every settled point is inside');
});
