// The norms lab on a tiny grid: every cell trained once on worker threads, results.jsonl one
// line per cell, results.md / report.html / PNGs written; a rerun trains nothing, a cut-off last
// line reruns only its cell, and resuming with another budget is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.js';
import type { CellResult } from '../src/experiments/normsGrid.js';

const LAB = join(ROOT, 'dist', 'src', 'experiments', 'norms.js');

function lab(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [LAB, '--quick', '--variants', 'layernorm,seed-batchnorm', '--batch-sizes', '4,8', '--examples', '160', '--seeds', '2', '--workers', '2', ...args], { encoding: 'utf8', timeout: 240_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('experiment:norms: a 2 × 2 × 2 grid, resumable, with its tables, report and plots', () => {
  const dir = mkdtempSync(join(tmpdir(), 'makemore-lab-'));
  try {
    const r = lab('--out', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /8 cells \(2 norms × batch 4, 8 × 2 seeds\), 160 training examples each; 0 done, 8 to run on 2 threads/);
    const jsonl = join(dir, 'results.jsonl');
    const lines = readFileSync(jsonl, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 8);
    const results = lines.map((l) => JSON.parse(l) as CellResult);
    assert.equal(new Set(results.map((x) => `${x.variant}/${x.batchSize}/${x.seed}`)).size, 8);
    for (const x of results) {
      assert.equal(x.steps, 160 / x.batchSize);
      assert.equal(x.lr, 0.1 * x.batchSize / 32);
      assert.ok(x.diverged || (x.val > 1 && x.val < 4), `${x.variant} ${x.val}`);
      if (x.variant === 'layernorm') assert.equal(x.coupling!.maxLogitShift, 0);
    }
    const md = readFileSync(join(dir, 'results.md'), 'utf8');
    assert.match(md, /\| layernorm \| \d\.\d{4} ± \d\.\d{4} \| \d\.\d{4} ± \d\.\d{4} \|/);
    assert.match(md, /Batch coupling at batch 8/);
    assert.match(md, /\| layernorm \| 0 \(exactly\) \|/);
    assert.match(md, /\| seed-batchnorm \| (\d\.\d\de[+-]\d|–) \|/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /vis-val-vs-batch/);
    assert.match(html, /vis-coupling/);
    for (const png of ['val-vs-batch.png', 'coupling.png']) {
      assert.deepEqual([...readFileSync(join(dir, png)).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    }

    const again = lab('--out', dir);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /8 done, 0 to run/);
    assert.equal(readFileSync(jsonl, 'utf8'), `${lines.join('\n')}\n`);

    // A kill mid-write leaves a cut-off last line: that cell, and only it, runs again.
    const text = readFileSync(jsonl, 'utf8');
    writeFileSync(jsonl, text.slice(0, text.length - 20));
    const resumed = lab('--out', dir);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /7 done, 1 to run/);
    const after = readFileSync(jsonl, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as CellResult);
    assert.equal(after.length, 8);

    const other = lab('--out', dir, '--examples', '320');
    assert.equal(other.status, 1);
    assert.match(other.stderr, /^experiment:norms: .*grid\.json: this folder holds a grid of 160 examples per run, .*use another --out/);
    assert.ok(existsSync(join(dir, 'results.md')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('experiment:norms: bad options are one line', () => {
  for (const [args, re] of [
    [['--variants', 'batchnorm'], /unknown norm variant "batchnorm"; choose from none, seed-batchnorm/],
    [['--batch-sizes', '1,8'], /--batch-sizes: each must be at least 2/],
    [['--examples', 'x'], /--examples must be a positive integer, got x/],
  ] as const) {
    const r = lab('--out', join(tmpdir(), 'makemore-lab-never'), ...args);
    assert.equal(r.status, 1);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  }
});
