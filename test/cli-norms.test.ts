// `makemore train --norm layernorm|groupnorm|rmsnorm [--groups G]`: a short run saves a model
// whose file holds the norm's parameters under PyTorch names; bad combinations are one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../src/model/io.js';
import { inProcess, makemore } from './helpers/cli.js';

test('train --norm groupnorm --groups 5 saves GroupNorm(5, 20) layers; info and eval read the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'makemore-norms-'));
  try {
    const out = join(dir, 'g.safetensors');
    const r = makemore(dir, 'train', '--norm', 'groupnorm', '--groups', '5', '--layers', '2', '--hidden', '20', '--steps', '50', '--samples', '2', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /model: groupnorm, block 3, embed 10, hidden 20 × 2/);
    const { model } = loadModel(out);
    assert.equal(model.config.groups, 5);
    assert.deepEqual(model.namedParameters().map(([n]) => n).filter((n) => n.startsWith('layers.1.') || n.startsWith('layers.6.')),
      ['layers.1.weight', 'layers.1.bias', 'layers.6.weight', 'layers.6.bias']);
    assert.deepEqual(model.namedBuffers(), []);
    const e = makemore(dir, 'eval', '--model', out, '--split', 'val');
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stdout, /val \d\.\d{4}/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('norm flag errors are one line: instancenorm names the alternative, --groups must divide --hidden and needs groupnorm', async () => {
  for (const [args, re] of [
    [['--norm', 'instancenorm'], /^makemore: error: norm "instancenorm" cannot apply here: .*use layernorm or groupnorm\n$/],
    [['--norm', 'groupnorm', '--groups', '3'], /^makemore: error: groups 3 does not divide the hidden size 200; choose one of 1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 200\n$/],
    [['--norm', 'rmsnorm', '--groups', '4'], /^makemore: error: groups applies only to norm groupnorm, not rmsnorm\n$/],
  ] as const) {
    const r = await inProcess('train', ...args, '--steps', '1');
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, re);
  }
});
