// Fault injection: `makemore train` with checkpoints and a report, killed (kill -9 or SIGTERM) at
// random moments of start-up, training, checkpointing, evaluation and report writing, 50 times.
// After every kill each file on disk is the old good one or the new good one: the model loads,
// the report is absent or complete; after SIGTERM the run says where it saved and exits 143.
// Random moments rarely fall inside a write, so a second test lands the signal in each phase by
// name (MAKEMORE_FAULT, src/faultPoint.ts): half-way through a temporary file, between it and the
// rename, right after the rename (of the first checkpoint, the final model and the report), at
// the final evaluation, before the report and at a training step; and checks which version each
// file holds: the old good one or the new good one, as the phase decides.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, makemore, ROOT } from './helpers/cli.js';
import { loadModel } from '../src/model/io.js';

const SECOND_PASS = process.env.MAKEMORE_BACKEND === 'js' && 'backend-independent: runs in the first pass of npm test';
const RUNS = 50;
const tmp = mkdtempSync(join(tmpdir(), 'makemore-faults-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const WORDS = readFileSync(join(ROOT, 'data', 'names.txt'), 'utf8').split('\n').slice(0, 300).join('\n') + '\n';
const ARGS = ['train', '--data', 'w.txt', '--steps', '200', '--checkpoint-every', '20', '--out', 'm.safetensors', '--report', 'r.html', '--samples', '0'];

/** A seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome { code: number | null; signal: NodeJS.Signals | null; stdout: string }

/**
 * Start the run in `dir`, send `signal` `ms` after its start (`fromStart`) or after its first
 * line of output (so that the moments fall in training, checkpoints, evaluation and report
 * writing however slow the machine is), wait for its end.
 */
function killedRun(dir: string, signal: NodeJS.Signals, ms: number, fromStart: boolean, fault?: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.MAKEMORE_DEBUG;
    delete env.MAKEMORE_FAULT;
    if (fault !== undefined) env.MAKEMORE_FAULT = fault;
    const child = spawn(process.execPath, [BIN, ...ARGS], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => { if (fault === undefined) timer ??= setTimeout(() => child.kill(signal), ms); };
    if (fromStart) arm();
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); arm(); });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code, sig) => { clearTimeout(timer); resolve({ code, signal: sig, stdout }); });
  });
}

/** Every file in `dir` is a good old or new version; returns the model's step. */
function assertGoodFiles(dir: string, what: string): number {
  const step = loadModel(join(dir, 'm.safetensors')).info.step; // throws on a partial file
  if (existsSync(join(dir, 'r.html'))) {
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    assert.match(html, /^<!DOCTYPE html>/, `${what}: report start`);
    assert.match(html, /<\/html>\n$/, `${what}: report end`);
  }
  for (const name of readdirSync(dir)) {
    // Left only by kill -9: a temporary file (removed by the next write) and a stale lock (taken over).
    assert.match(name, /^(w\.txt|m\.safetensors|r\.html|\.(m\.safetensors|r\.html)\.\d+\.tmp|\.m\.safetensors\.lock)$/, `${what}: unexpected file ${name}`);
  }
  return step;
}

test(`fault injection: ${RUNS} kills (kill -9 and SIGTERM) at random moments leave only good files`, { skip: SECOND_PASS, timeout: 600_000 }, async () => {
  const random = rng(42);
  // Two lanes in their own folders, each starting from a good model.
  const lanes = [0, 1].map((k) => join(tmp, `lane${k}`));
  for (const dir of lanes) {
    mkdirSync(dir);
    writeFileSync(join(dir, 'w.txt'), WORDS);
    const r = makemore(dir, 'train', '--data', 'w.txt', '--steps', '20', '--samples', '0', '--out', 'm.safetensors');
    assert.equal(r.status, 0, r.stderr);
  }
  // One run in five is killed during start-up, the others from 0 to 1 s after their first line.
  const plan = Array.from({ length: RUNS }, (_, i) => ({ i, signal: (i % 4 < 2 ? 'SIGKILL' : 'SIGTERM') as NodeJS.Signals, fromStart: i % 5 === 4, ms: Math.floor(random() * 1000) }));
  const seen = { terminatedAndSaved: 0, finished: 0, killed: 0 };
  await Promise.all(lanes.map(async (dir, lane) => {
    for (const { i, signal, ms, fromStart } of plan.filter((p) => p.i % 2 === lane)) {
      const o = await killedRun(dir, signal, ms, fromStart);
      const what = `run ${i} (${signal} ${ms} ms after ${fromStart ? 'its start' : 'its first line'}; exit ${o.code ?? o.signal})`;
      const step = assertGoodFiles(dir, what);
      if (o.code === 143) {
        // SIGTERM caught: the run names the checkpoint it wrote, the file holds that step, no lock is left.
        const m = /interrupted at step (\d+): saved m\.safetensors; continue with --resume m\.safetensors \(SIGTERM (during|after) training\)/.exec(o.stdout);
        assert.ok(m, `${what}: ${o.stdout}`);
        assert.equal(step, Number(m[1]), what);
        assert.ok(!existsSync(join(dir, '.m.safetensors.lock')), `${what}: lock left`);
        seen.terminatedAndSaved++;
      } else if (o.code === 0) {
        assert.equal(step, 200, what);
        seen.finished++;
      } else {
        // killed by the signal itself: kill -9, or SIGTERM during start-up before the handler
        assert.ok(o.signal === 'SIGKILL' || o.signal === 'SIGTERM', what);
        seen.killed++;
      }
    }
  }));
  assert.ok(seen.terminatedAndSaved > 0, `no SIGTERM was caught: ${JSON.stringify(seen)}`);
  console.log(`fault injection: ${JSON.stringify(seen)}`);
});

/**
 * Each phase by name, with both signals. `ckpt`: the first checkpoint (step 20) over the old
 * model (step 10); `final`: the model saved after the last step (the 10th write of m.safetensors:
 * 9 checkpoints before it); `report`: r.html over the old report. After kill -9 the expected
 * versions follow from the phase; after SIGTERM the run finishes the write, saves and exits 143.
 */
const PHASES: { fault: string; step: number; report: 'old' | 'new' }[] = [
  { fault: 'step:*:50', step: 40, report: 'old' },
  { fault: 'write-partial:m.safetensors:1', step: 10, report: 'old' },
  { fault: 'write-before-rename:m.safetensors:1', step: 10, report: 'old' },
  { fault: 'write-after-rename:m.safetensors:1', step: 20, report: 'old' },
  { fault: 'write-partial:m.safetensors:10', step: 180, report: 'old' },
  { fault: 'write-before-rename:m.safetensors:10', step: 180, report: 'old' },
  { fault: 'write-after-rename:m.safetensors:10', step: 200, report: 'old' },
  { fault: 'evaluate:*:1', step: 200, report: 'old' },
  { fault: 'report:*:1', step: 200, report: 'old' },
  { fault: 'write-partial:r.html:1', step: 200, report: 'old' },
  { fault: 'write-before-rename:r.html:1', step: 200, report: 'old' },
  { fault: 'write-after-rename:r.html:1', step: 200, report: 'new' },
];

test(`fault injection by phase: ${PHASES.length} phases × (kill -9, SIGTERM) leave the old or the new good files`, { skip: SECOND_PASS, timeout: 600_000 }, async () => {
  // The old good files: a 10-step model and its report.
  const base = join(tmp, 'phases-base');
  mkdirSync(base);
  writeFileSync(join(base, 'w.txt'), WORDS);
  const r = makemore(base, 'train', '--data', 'w.txt', '--steps', '10', '--samples', '0', '--out', 'm.safetensors', '--report', 'r.html');
  assert.equal(r.status, 0, r.stderr);
  const oldReport = readFileSync(join(base, 'r.html'), 'utf8');
  const cases = PHASES.flatMap((p) => (['SIGKILL', 'SIGTERM'] as const).map((signal) => ({ ...p, signal })));
  await Promise.all([0, 1].map(async (lane) => {
    for (const [k, c] of cases.entries()) {
      if (k % 2 !== lane) continue;
      const dir = join(tmp, `phase${k}`);
      mkdirSync(dir);
      for (const f of ['w.txt', 'm.safetensors', 'r.html']) copyFileSync(join(base, f), join(dir, f));
      const o = await killedRun(dir, c.signal, 0, false, `${c.fault}:${c.signal}`);
      const what = `${c.signal} at ${c.fault} (exit ${o.code ?? o.signal})`;
      const step = assertGoodFiles(dir, what);
      const report = readFileSync(join(dir, 'r.html'), 'utf8');
      if (c.signal === 'SIGKILL') {
        assert.equal(o.signal, 'SIGKILL', `${what}: the fault point was reached`);
        assert.equal(step, c.step, `${what}: model step`);
        if (c.report === 'old') assert.equal(report, oldReport, `${what}: the old report`);
        else assert.notEqual(report, oldReport, `${what}: the new report`);
      } else {
        // The handler runs once the write under way is done: the run saves where it stopped.
        assert.equal(o.code, 143, `${what}: ${o.stdout}`);
        const m = /interrupted at step (\d+): saved m\.safetensors; continue with --resume m\.safetensors \(SIGTERM (during|after) training\)/.exec(o.stdout);
        assert.ok(m, `${what}: ${o.stdout}`);
        assert.equal(step, Number(m[1]), what);
        if (c.step === 200) assert.equal(step, 200, what);
        assert.ok(!existsSync(join(dir, '.m.safetensors.lock')), `${what}: lock left`);
      }
    }
  }));
});
