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

test('coupling --model: 0 logit shift for a layernorm model, > 0 for the seed batch norm; one-line errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'makemore-coupling-'));
  try {
    const shifts: Record<string, number> = {};
    for (const norm of ['layernorm', 'notebook']) {
      const out = join(dir, `${norm}.safetensors`);
      const t = makemore(dir, 'train', '--norm', norm, '--hidden', '20', '--steps', '50', '--samples', '0', '--out', out);
      assert.equal(t.status, 0, t.stderr);
      const r = makemore(dir, 'coupling', '--model', out, '--batch-size', '16', '--examples', '512', '--json');
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout) as { norm: string; batchSize: number; examples: number; maxLogitShift: number; trainModeLoss: number; evalModeLoss: number; singleTrainLoss: number | null };
      assert.equal(j.norm, norm);
      assert.equal(j.examples, 512);
      shifts[norm] = j.maxLogitShift;
      assert.equal(j.singleTrainLoss === null, norm === 'notebook');
      const text = makemore(dir, 'coupling', '--model', out);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /^model: \w+; 4096 val examples in batches of 32\nlogit shift when the rest of the batch changes: max .+\ntrain-mode loss \d\.\d{4}, eval-mode loss \d\.\d{4}, gap -?\d\.\d{4}\none example alone: eval mode \d\.\d{4}, train mode .+\n$/);
    }
    assert.equal(shifts.layernorm, 0);
    assert.ok(shifts.notebook > 0, String(shifts.notebook));
    const bad = makemore(dir, 'coupling', '--model', join(dir, 'layernorm.safetensors'), '--batch-size', '1');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^makemore: error: --batch-size must be at least 2 \(an example and the rest of its batch\), got 1\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
