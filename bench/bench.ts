// `npm run bench`: µs per training step (best of interleaved rounds), steps/s, GFLOP/s, eval time per split and
// peak RSS, for each backend × configuration, each in its own process; PyTorch 1.13 on one thread
// in the same run when a Python with torch is present (Debian's python3-torch); memory flatness
// over a full 200,000-step run. Prints a table and writes runs/bench.json.
//   npm run bench [-- --steps N] [--rounds R] [--configs a,b] [--family] [--no-torch] [--no-js] [--no-memory]   (-- --help: each flag)
// makemore.py's family: one config per registered --type, named by it (--configs bigram,mlp or --family for all).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { allBenchConfigs, BENCH_CONFIGS, NORM_BASELINE, stepFlops, type BenchConfigName } from './configs.js';
import { describeMachine } from './machine.js';
import { Command } from 'commander';
import { positiveInt } from '../src/cli/parse.js';

const opts = new Command('npm run bench --')
  .description('Training-step and evaluation speed of makemore-ts (exact and fast mode) and of PyTorch, side by side; memory over a 200,000-step run. Writes runs/bench.json.')
  .option('--steps <n>', 'timed steps per round and backend (context models)', positiveInt, 3000)
  // makemore.py's family steps take 0.5 to 100 ms (the notebook's 0.15): fewer steps per round, no JS row
  // (the transformer's JS step takes seconds) and no evaluation of its 31,033 training words.
  .option('--family-steps <n>', "timed steps per round for makemore.py's family", positiveInt, 100)
  .option('--rounds <n>', 'interleaved rounds; each row keeps its best', positiveInt, 3)
  .option('--configs <names>', 'comma-separated configs (default: the context models)')
  .option('--family', "also makemore.py's family (one config per --type)")
  .option('--no-torch', 'skip PyTorch')
  .option('--no-js', 'skip the plain-JS backend')
  .option('--no-memory', 'skip the 200,000-step memory runs')
  .parse()
  .opts<{ steps: number; familySteps: number; rounds: number; configs?: string; family?: boolean; torch: boolean; js: boolean; memory: boolean }>();
const wasmSteps = opts.steps;
const familySteps = opts.familySteps;
const root = fileURLToPath(new URL('../../', import.meta.url));
const worker = fileURLToPath(new URL('./worker.js', import.meta.url));

interface Row {
  backend: string;
  config: BenchConfigName;
  usPerStep: number;
  runs: number[];
  evalSeconds: Record<string, number>;
  peakRssMiB?: number;
}

function runWorker(backend: string, config: BenchConfigName, steps: number, repeats: number, extra: string[] = [], nodeFlags: string[] = []): Record<string, unknown> {
  const out = execFileSync(process.execPath, [...nodeFlags, worker, backend, config, String(steps), String(repeats), ...extra], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

function torchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

const allConfigs = Object.keys(allBenchConfigs());
// by default the context models' configs; makemore.py's family by name (--configs bigram,mlp,...) or --family
const configs = opts.configs?.split(',') ?? [...Object.keys(BENCH_CONFIGS), ...(opts.family === true ? allConfigs.filter((c) => !(c in BENCH_CONFIGS)) : [])];
for (const c of configs) if (!allConfigs.includes(c)) throw new Error(`bench: unknown config "${c}"; known: ${allConfigs.join(', ')}`);

const machine = describeMachine();
const py = opts.torch ? torchPython() : null;
// The machine may be shared: every side is measured in each of `rounds` interleaved rounds
// (config by config: exact, fast, PyTorch 1 thread, PyTorch all threads), and each row keeps its
// best round. Load from other processes then slows both sides alike within a round, and the best
// round of each side is its least disturbed one. The JS backend (no ratio asked of it) runs once.
const rounds = opts.rounds;
// wasm-fast*: fast mode with the training step on every core (the notebook model's configs)
const wasmBackends = machine.relaxedSimdAvailable ? ['wasm', 'wasm-fast', 'wasm-fast*'] : ['wasm'];
let stepThreadsUsed = 1;
/** wasm-fast*: the largest share of a round's timed steps that ran with every slice on one thread (the step's 'auto' schedule). */
let soloShare = 0;
const torchVersion: Record<string, string> = {};
const samples = new Map<string, { backend: string; config: BenchConfigName; runs: number[]; evals: Record<string, number>[]; peakRssMiB?: number }>();
function record(backend: string, config: BenchConfigName, us: number, evalSeconds: Record<string, number>, peakRssMiB?: number): void {
  const key = `${backend} ${config}`;
  const s = samples.get(key) ?? { backend, config, runs: [], evals: [] };
  s.runs.push(us);
  s.evals.push(evalSeconds);
  if (peakRssMiB !== undefined) s.peakRssMiB = Math.max(s.peakRssMiB ?? 0, peakRssMiB);
  samples.set(key, s);
}
for (let round = 1; round <= rounds; round++) {
  for (const config of configs) {
    const family = !(config in BENCH_CONFIGS);
    const configSteps = family ? familySteps : wasmSteps;
    for (const backend of round === 1 && !family && opts.js ? [...wasmBackends, 'js'] : wasmBackends) {
      const steps = backend === 'js' ? Math.max(50, Math.round(wasmSteps / 10)) : configSteps;
      process.stderr.write(`bench: round ${round}/${rounds}: ${backend} ${config} (${steps} steps)…\n`);
      const r = runWorker(backend, config, steps, 1) as { skipped?: boolean; threads?: number; soloShare?: number; usPerStep: number[]; evalSeconds: Record<string, number>; peakRssMiB: number };
      if (r.skipped === true) continue; // no threaded step for this model
      stepThreadsUsed = Math.max(stepThreadsUsed, r.threads ?? 1);
      soloShare = Math.max(soloShare, r.soloShare ?? 0);
      record(backend, config, r.usPerStep[0], r.evalSeconds, r.peakRssMiB);
    }
    if (py === null) continue;
    // One thread (the baseline of every ratio), then PyTorch's default: every core.
    for (const [backend, threads] of [['pytorch', 1], ['pytorch*', 0]] as const) {
      process.stderr.write(`bench: round ${round}/${rounds}: PyTorch (${py}, ${threads === 1 ? '1 thread' : 'all threads'}) ${config} (${configSteps} steps)…\n`);
      const out = execFileSync(py, [`${root}tools/bench_torch.py`, '--data', `${root}data/names.txt`, '--steps', String(configSteps), '--repeats', '1', '--configs', config, '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const t = JSON.parse(out) as { torch_version: string; threads: number; configs: Record<string, { us_per_step: number; runs: number[]; eval_s: Record<string, number> }> };
      torchVersion[backend] = `${backend}: PyTorch ${t.torch_version} (CPU, ${t.threads} thread${t.threads === 1 ? '' : 's'})`;
      for (const [c, v] of Object.entries(t.configs)) record(backend, c as BenchConfigName, v.us_per_step, v.eval_s);
    }
  }
}
const best = (xs: number[]): number => Math.min(...xs);
const rows: Row[] = [...samples.values()].map((s) => ({
  backend: s.backend, config: s.config, usPerStep: best(s.runs), runs: s.runs,
  evalSeconds: Object.fromEntries(['train', 'val', 'test', 'train*', 'val*', 'test*'].map((k) => [k, best(s.evals.map((e) => e[k] ?? Number.NaN))])),
  peakRssMiB: s.peakRssMiB,
}));
const order = (b: string): number => ['wasm', 'wasm-fast', 'wasm-fast*', 'js', 'pytorch', 'pytorch*'].indexOf(b);
rows.sort((a, b) => order(a.backend) - order(b.backend) || configs.indexOf(a.config) - configs.indexOf(b.config));
let torchNote = 'PyTorch: not measured (--no-torch)';
if (py !== null) torchNote = `${Object.values(torchVersion).join('; ')}, measured in the same run, interleaved with makemore-ts`;
else if (opts.torch) torchNote = 'PyTorch: not measured (no python3 with torch; `apt-get install python3-torch`)';

interface MemoryResult { steps: number; seconds: number; rssMiB: Record<string, number>; heapMiB: Record<string, number> }
// Twice: with V8's defaults, where the young generation may grow once during the run (a step of
// about 8 MiB of RSS that is heap capacity, not data), and with it capped at 4 MiB
// (--max-semi-space-size=4), which shows what the program itself retains.
// Fast mode (where relaxed SIMD is there) once more, young generation capped.
const memory: Record<string, MemoryResult> | null = !opts.memory ? null : {
  'V8 defaults': measureMemory('wasm', []),
  'young generation capped at 4 MiB': measureMemory('wasm', ['--max-semi-space-size=4']),
  ...(machine.relaxedSimdAvailable ? {
    'fast mode, young generation capped at 4 MiB': measureMemory('wasm-fast', ['--max-semi-space-size=4']),
    'fast mode on every core (npm start -- --fast), young generation capped at 4 MiB': measureMemory('wasm-fast*', ['--max-semi-space-size=4']),
  } : {}),
};

function measureMemory(backend: string, flags: string[]): MemoryResult {
  process.stderr.write(`bench: memory over 200,000 ${backend} steps ${flags.join(' ')}…\n`);
  return runWorker(backend, 'notebook', 200_000, 1, ['--memory'], ['--expose-gc', ...flags]) as unknown as MemoryResult;
}

const pad = (s: string, n: number): string => s.padEnd(n);
console.log(`\n${machine.line}`);
console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${machine.cores} cores; a load above the core count means other processes shared the CPUs)`);
const cw = Math.max(10, ...configs.map((c) => c.length));
const num = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '-').padStart(8);
console.log(`\n${pad('backend', 9)} ${pad('config', cw)} ${'µs/step'.padStart(8)} ${'steps/s'.padStart(8)} ${'GFLOP/s'.padStart(8)} ${'of peak'.padStart(8)} ${'vs torch'.padStart(8)} ${'vs torch*'.padStart(9)} ${'eval tr'.padStart(8)} ${'eval va'.padStart(8)} ${'eval te'.padStart(8)} ${'peak RSS'.padStart(9)}`);
for (const r of rows) {
  const ratioTo = (torchBackend: string): string => {
    const torch = rows.find((t) => t.backend === torchBackend && t.config === r.config);
    return torch && !r.backend.startsWith('pytorch') ? `${(torch.usPerStep / r.usPerStep).toFixed(2)}×` : '';
  };
  const gflops = (stepFlops(r.config) / (r.usPerStep * 1e-6)) / 1e9;
  // makemore-ts runs on one core (wasm-fast*: stepThreadsUsed); PyTorch* on all of them
  // fast mode's fused multiply-add doubles the peak (2 FMAs of 4 lanes per cycle)
  const cores = r.backend === 'pytorch*' ? machine.cores : r.backend === 'wasm-fast*' ? stepThreadsUsed : 1;
  const peak = machine.peakGflopsPerCore * cores * (r.backend.startsWith('wasm-fast') ? 2 : 1);
  const share = !Number.isFinite(gflops) ? '-' : peak > 0 ? `${((100 * gflops) / peak).toFixed(1)}%` : '?';
  console.log(`${pad(r.backend, 9)} ${pad(r.config, cw)} ${num(r.usPerStep)} ${num(1e6 / r.usPerStep, 0)} ${Number.isFinite(gflops) ? num(gflops, 2) : '-'.padStart(8)} ${share.padStart(8)} ${ratioTo('pytorch').padStart(8)} ${ratioTo('pytorch*').padStart(9)} ${num(r.evalSeconds.train, 3)} ${num(r.evalSeconds.val, 3)} ${num(r.evalSeconds.test, 3)} ${r.peakRssMiB === undefined ? '        -' : `${r.peakRssMiB.toFixed(0).padStart(5)} MiB`}`);
}
console.log(`\nµs/step: the best of ${rounds} interleaved rounds (each a run of --steps steps after a warm-up; JS: one round); eval: seconds for one pass over the split in eval mode, best round. GFLOP/s: the matmuls' work per step (forward and both gradients) over its time; of peak: ${machine.peakNote}; × 2 for wasm-fast (FMA), × ${stepThreadsUsed} cores for wasm-fast*. vs torch: PyTorch on 1 thread ÷ this row; vs torch*: PyTorch on all threads ÷ this row. wasm: exact mode (PyTorch's numbers); wasm-fast: fast mode's kernels on one thread (relaxed-SIMD fused multiply-add in matmul, a rational tanh; last bits differ); wasm-fast*: fast mode as --fast runs it, the notebook model's step split over ${stepThreadsUsed} threads (src/parallel/stepThreads.ts; its 'auto' schedule ran up to ${(100 * soloShare).toFixed(1)}% of a round's timed steps with every slice on one thread, where that was faster). ${torchNote}.`);
// Evaluation on every core (makemore-ts: worker threads, the same losses; PyTorch*: its own threads).
const threadRows = rows.filter((r) => Number.isFinite(r.evalSeconds['train*']));
if (threadRows.length > 0) {
  console.log(`\neval on all ${machine.cores} cores (s; makemore-ts: src/parallel's worker threads, each split's loss checked equal to one thread's)`);
  console.log(`${pad('backend', 9)} ${pad('config', cw)} ${['train', 'val', 'test'].map((k) => `${k.padStart(8)} ${'vs torch'.padStart(9)} ${'vs torch*'.padStart(9)}`).join(' ')}`);
  for (const r of threadRows) {
    const cells = ['train', 'val', 'test'].map((k) => {
      const vs = (b: string): string => {
        const t = rows.find((x) => x.backend === b && x.config === r.config)?.evalSeconds[k];
        return t !== undefined && Number.isFinite(t) ? `${(t / r.evalSeconds[`${k}*`]).toFixed(2)}×` : '-';
      };
      return `${num(r.evalSeconds[`${k}*`], 3)} ${vs('pytorch').padStart(9)} ${vs('pytorch*').padStart(9)}`;
    });
    console.log(`${pad(r.backend, 9)} ${pad(r.config, cw)} ${cells.join(' ')}`);
  }
}
// Each norm's step against the batch-norm step of the same network, per backend.
const normRows = rows.filter((r) => NORM_BASELINE[r.config] !== undefined);
if (normRows.length > 0) console.log(`\n${pad('backend', 9)} ${pad('norm config', cw)} ${'µs/step'.padStart(8)} ${'baseline'.padStart(10)} ${'µs/step'.padStart(8)} ${'ratio'.padStart(6)}`);
for (const r of normRows) {
  const base = rows.find((b) => b.backend === r.backend && b.config === NORM_BASELINE[r.config]);
  if (base === undefined) continue;
  console.log(`${pad(r.backend, 9)} ${pad(r.config, cw)} ${num(r.usPerStep)} ${base.config.padStart(10)} ${num(base.usPerStep)} ${(r.usPerStep / base.usPerStep).toFixed(2).padStart(5)}×`);
}
for (const [label, r] of Object.entries(memory ?? {})) {
  const m = r.rssMiB;
  const h = r.heapMiB;
  console.log(`memory, ${label} (after a full GC): RSS ${m['10000'].toFixed(1)} MiB after 10,000 steps, ${m['200000'].toFixed(1)} MiB after 200,000 (Δ ${(m['200000'] - m['10000']).toFixed(1)} MiB); JS heap used ${h['10000'].toFixed(1)} → ${h['200000'].toFixed(1)} MiB; 200,000 steps took ${r.seconds.toFixed(1)} s`);
}
mkdirSync(`${root}runs`, { recursive: true });
writeFileSync(`${root}runs/bench.json`, `${JSON.stringify({ date: new Date().toISOString(), machine, rows, memory, torchNote }, null, 2)}\n`);
console.log('results: runs/bench.json');
