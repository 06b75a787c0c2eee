// The seed notebook against PyTorch 1.13 on the CPU (test/fixtures/seed-reference.json, written by
// tools/seed_reference.py from the seed's own code), and the lecture preset against its fixture
// (notebook-reference.json, run "1000"): every printed line identical (counts, shapes, loss lines,
// samples), float values within 1e-6 relative (1e-5 for the lecture's split losses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makemoreWithin, ROOT } from './helpers/cli.js';

// 4,000 steps and full-split evaluations: minutes on the JS kernels of a busy 2-core machine
const makemore = (cwd: string, ...args: string[]): ReturnType<typeof makemoreWithin> => makemoreWithin(600_000, cwd, ...args);

interface Cell { cell: number; lines: string[]; values: number[] }
interface SeedFixture { replay: { max_steps: number; cells: Cell[] }; train: { max_steps: number; cells: Cell[] } }
const seedRef = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'seed-reference.json'), 'utf8')) as SeedFixture;
const lectureRef = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'notebook-reference.json'), 'utf8')) as {
  runs: Record<string, { printed: string[]; split_loss: Record<'train' | 'val' | 'test', number>; samples: string[] }>;
};

/** Python float literals in a printed line (after its label). */
const FLOAT = /-?\d+\.\d+(?:e[-+]\d+)?|-?\d+e[-+]\d+/g;

function close(actual: number, expected: number, rel: number, what: string): void {
  // values that are 0 up to rounding (the standardized mean) get an absolute floor
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-8, `${what}: ${actual} vs PyTorch ${expected}`);
}

test('makemore notebook --steps 2000 prints what the seed\'s code prints on PyTorch\'s CPU', () => {
  const r = makemore(ROOT, 'notebook', '--steps', String(seedRef.replay.max_steps), '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { cells: Cell[] };
  assert.deepEqual(out.cells.map((c) => c.cell), seedRef.replay.cells.map((c) => c.cell));
  for (const [i, ref] of seedRef.replay.cells.entries()) {
    const got = out.cells[i];
    const hasFloats = ref.lines.some((l) => /^(Mean|Standard Deviation|train|val):/.test(l) || /^(train|val) /.test(l));
    if (!hasFloats) {
      // counts, shapes, loss lines (4 decimals), samples: identical
      assert.deepEqual(got.lines, ref.lines, `cell ${ref.cell}`);
      continue;
    }
    assert.deepEqual(got.lines.map((l) => l.replace(FLOAT, '#')), ref.lines.map((l) => l.replace(FLOAT, '#')), `cell ${ref.cell} labels`);
    assert.equal(got.values.length, ref.values.length);
    for (const [k, v] of ref.values.entries()) close(got.values[k], v, 1e-6, `cell ${ref.cell} value ${k}`);
  }
});

/** `makemore train` output: loss lines, split losses (4 decimals), samples. */
function parseTrain(stdout: string): { loss: string[]; split: Record<string, number>; samples: string[] } {
  const lines = stdout.split('\n');
  const loss = lines.filter((l) => /^ *\d+\/ *\d+: /.test(l));
  const split: Record<string, number> = {};
  for (const l of lines) {
    const m = /^(train|val|test) (\d+\.\d+)$/.exec(l);
    if (m) split[m[1]] = Number(m[2]);
  }
  const at = lines.indexOf('samples:');
  const samples = lines.slice(at + 1).filter((l) => l.startsWith('  ')).map((l) => l.trim());
  return { loss, split, samples };
}

test('train (the seed preset, the default) for 1000 steps prints PyTorch\'s loss lines, split losses and samples', () => {
  const ref = seedRef.train;
  const tmp = mkdtempSync(join(tmpdir(), 'seed-ref-'));
  try {
    const model = join(tmp, 'seed.safetensors');
    const r = makemore(ROOT, 'train', '--steps', String(ref.max_steps), '--lr-decay-step', '100000', '--out', model);
    assert.equal(r.status, 0, r.stderr);
    const out = parseTrain(r.stdout);
    const cell = (k: number): Cell => ref.cells.find((c) => c.cell === k)!;
    assert.ok(r.stdout.includes(`, ${cell(11).lines[0]} parameters`));
    assert.deepEqual(out.loss, cell(13).lines);
    const splits = cell(14);
    for (const [k, name] of ['train', 'val', 'test'].entries()) assert.equal(out.split[name].toFixed(4), splits.values[k].toFixed(4), name);
    // the notebook prints each word with its final '.'
    assert.deepEqual(out.samples.map((w) => `${w}.`), cell(34).lines);
    // split losses to 1e-6 and the same samples from the saved model (sample continues the saved generator)
    const ev = makemore(ROOT, 'eval', '--model', model, '--split', 'all', '--json');
    assert.equal(ev.status, 0, ev.stderr);
    const losses = JSON.parse(ev.stdout) as { losses: Record<string, number> };
    for (const [k, name] of ['train', 'val', 'test'].entries()) close(losses.losses[name], splits.values[k], 1e-6, name);
    const sa = makemore(ROOT, 'sample', '--model', model);
    assert.equal(sa.status, 0, sa.stderr);
    assert.deepEqual(sa.stdout.trim().split('\n').map((w) => `${w}.`), cell(34).lines);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('train --preset lecture for 1000 steps: PyTorch\'s loss line, split losses within 1e-5, all 20 samples', () => {
  const ref = lectureRef.runs['1000'];
  const tmp = mkdtempSync(join(tmpdir(), 'lecture-ref-'));
  try {
    const model = join(tmp, 'lecture.safetensors');
    const r = makemore(ROOT, 'train', '--preset', 'lecture', '--steps', '1000', '--lr-decay-step', '100000', '--samples', '20', '--out', model);
    assert.equal(r.status, 0, r.stderr);
    const out = parseTrain(r.stdout);
    assert.deepEqual(out.loss, ref.printed);
    assert.deepEqual(out.samples.map((w) => `${w}.`), ref.samples);
    const ev = makemore(ROOT, 'eval', '--model', model, '--split', 'all', '--json');
    assert.equal(ev.status, 0, ev.stderr);
    const losses = JSON.parse(ev.stdout) as { losses: Record<string, number> };
    for (const name of ['train', 'val', 'test'] as const) close(losses.losses[name], ref.split_loss[name], 1e-5, name);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
