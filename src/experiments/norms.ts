// The norms lab (issue 13): the seed's open question, measured. Trains a grid of norms × batch
// sizes × seeds on an equal budget of training examples, on every core (worker threads), and
// writes results.md, report.html and PNGs. Resumable: each finished cell is one line of
// results.jsonl and is never rerun.
// Run: npm run experiment:norms -- [--quick] [--out runs/experiment-norms] [--examples n]
//      [--seeds n] [--workers n] [--lr-cap x] [--data file] [--variants a,b] [--batch-sizes 2,4]
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createProgress } from '../cli/progress.js';
import { writeFileAtomic } from '../model/fileio.js';
import { BATCH_SIZES, NORM_VARIANTS, cellKey, variantByName, gridCells, type Cell, type CellResult, type GridSpec } from './normsGrid.js';
import { writeNormsReport } from './normsReport.js';

export interface LabArgs {
  out: string;
  data: string;
  workers: number;
  spec: GridSpec;
}

const FULL: Omit<GridSpec, 'seeds'> = { variants: NORM_VARIANTS.map((v) => v.name), batchSizes: BATCH_SIZES, examples: 96_000, lrCap: 0.2, couplingExamples: 2048 };

export function parseLabArgs(argv: readonly string[]): LabArgs {
  const quick = argv.includes('--quick');
  const spec: GridSpec = quick
    ? { ...FULL, batchSizes: [2, 8, 32, 128], seeds: [1], examples: 32_000, couplingExamples: 1024 }
    : { ...FULL, seeds: [1, 2, 3] };
  const a: LabArgs = {
    out: quick ? 'runs/experiment-norms-quick' : 'runs/experiment-norms',
    data: fileURLToPath(new URL('../../../data/names.txt', import.meta.url)),
    workers: availableParallelism(),
    spec,
  };
  const rest = argv.filter((x) => x !== '--quick');
  const num = (k: string, v: string, int: boolean): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0 || (int && !Number.isInteger(x))) throw new Error(`${k} must be a positive ${int ? 'integer' : 'number'}, got ${v}`);
    return x;
  };
  for (let i = 0; i < rest.length; i += 2) {
    const [k, v] = [rest[i], rest[i + 1]];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--out') a.out = v;
    else if (k === '--data') a.data = v;
    else if (k === '--workers') a.workers = num(k, v, true);
    else if (k === '--examples') a.spec.examples = num(k, v, true);
    else if (k === '--seeds') a.spec.seeds = Array.from({ length: num(k, v, true) }, (_, s) => s + 1);
    else if (k === '--lr-cap') a.spec.lrCap = num(k, v, false);
    else if (k === '--variants') a.spec.variants = v.split(',').map((name) => variantByName(name).name);
    else if (k === '--batch-sizes') a.spec.batchSizes = v.split(',').map((b) => num(k, b, true)).map((b) => { if (b < 2) throw new Error(`--batch-sizes: each must be at least 2 (batch statistics), got ${b}`); return b; });
    else throw new Error(`unknown option ${k} (use --quick, --out, --data, --workers, --examples, --seeds, --lr-cap, --variants, --batch-sizes)`);
  }
  return a;
}

/** The finished cells of results.jsonl (a line cut off by a kill is skipped: its cell reruns). */
export function readResults(path: string): CellResult[] {
  if (!existsSync(path)) return [];
  const out: CellResult[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as CellResult);
    } catch {
      // a partial last line
    }
  }
  return out;
}

/** The grid's settings are saved beside the results: resuming with other settings is refused. */
function checkSpec(out: string, spec: GridSpec): void {
  const path = join(out, 'grid.json');
  const budget = { examples: spec.examples, lrCap: spec.lrCap, couplingExamples: spec.couplingExamples };
  if (existsSync(path)) {
    const old = JSON.parse(readFileSync(path, 'utf8')) as typeof budget;
    if (old.examples !== budget.examples || old.lrCap !== budget.lrCap || old.couplingExamples !== budget.couplingExamples) {
      throw new Error(`${path}: this folder holds a grid of ${old.examples} examples per run, lr cap ${old.lrCap}, coupling on ${old.couplingExamples} examples; use another --out for ${budget.examples}, ${budget.lrCap}, ${budget.couplingExamples}`);
    }
  }
  writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(budget)}\n`));
}

function fmtCell(r: CellResult): string {
  const c = r.coupling;
  return `${r.variant.padEnd(14)} batch ${String(r.batchSize).padStart(3)} seed ${r.seed}: ${r.diverged ? 'stopped early' : `val ${r.val.toFixed(4)}`}, ${r.usPerStep.toFixed(0)} µs/step${c ? `, logit shift ${c.maxLogitShift.toExponential(1)}` : ''}`;
}

/** Train the cells not yet in results.jsonl on `workers` threads; resolves with every result. */
async function runGrid(a: LabArgs, resultsPath: string): Promise<CellResult[]> {
  const done = readResults(resultsPath);
  // Rewrite without a cut-off last line, so the next append starts on a line of its own.
  if (existsSync(resultsPath) && !readFileSync(resultsPath, 'utf8').endsWith('\n')) {
    writeFileAtomic(resultsPath, new TextEncoder().encode(done.map((r) => `${JSON.stringify(r)}\n`).join('')));
  }
  const finished = new Set(done.map(cellKey));
  const wanted = new Set(gridCells(a.spec).map(cellKey));
  const todo = gridCells(a.spec).filter((c) => !finished.has(cellKey(c)));
  const kept = done.filter((r) => wanted.has(cellKey(r)));
  console.log(`norms lab: ${wanted.size} cells (${a.spec.variants.length} norms × batch ${a.spec.batchSizes.join(', ')} × ${a.spec.seeds.length} seeds), ${a.spec.examples} training examples each; ${kept.length} done, ${todo.length} to run on ${Math.min(a.workers, todo.length)} threads → ${a.out}`);
  if (todo.length === 0) return kept;
  // Weight by steps (batch 2 runs 64× the steps of batch 128) for a fair progress bar.
  const weight = (c: Cell): number => a.spec.examples / c.batchSize + 200;
  const total = todo.reduce((s, c) => s + weight(c), 0);
  const progress = createProgress(Math.round(total));
  let doneWeight = 0;
  const queue = [...todo];
  const results = [...kept];
  const worker = new URL('./normsWorker.js', import.meta.url);
  await new Promise<void>((resolve, reject) => {
    let live = 0;
    const start = (): void => {
      const w = new Worker(worker, { workerData: { data: a.data, spec: a.spec } });
      live++;
      const next = (): void => {
        const cell = queue.shift();
        if (cell === undefined) { void w.terminate(); return; }
        w.postMessage({ cell });
        current = cell;
      };
      let current: Cell | undefined;
      w.on('message', (m: { result?: CellResult; error?: string }) => {
        if (m.error !== undefined) { reject(new Error(m.error)); void w.terminate(); return; }
        const r = m.result!;
        appendFileSync(resultsPath, `${JSON.stringify(r)}\n`);
        results.push(r);
        doneWeight += weight(current!);
        progress.log(fmtCell(r));
        progress.update(Math.round(doneWeight));
        next();
      });
      w.on('error', reject);
      w.on('exit', () => { if (--live === 0) resolve(); });
      next();
    };
    for (let i = 0; i < Math.min(a.workers, todo.length); i++) start();
  });
  progress.stop();
  return results;
}

export async function main(argv: readonly string[]): Promise<void> {
  const a = parseLabArgs(argv);
  mkdirSync(a.out, { recursive: true });
  checkSpec(a.out, a.spec);
  const t0 = performance.now();
  const results = await runGrid(a, join(a.out, 'results.jsonl'));
  console.log(`grid done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const written = await writeNormsReport(results, a.spec, a.out);
  console.log(`\n${readFileSync(join(a.out, 'results.md'), 'utf8')}\nwrote ${written.join(', ')}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`experiment:norms: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
