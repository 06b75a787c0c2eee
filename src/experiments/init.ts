// The lecture's initialisation experiment in one command (makemore part 3): the same MLP on
// names.txt, trained with the same seed and schedule, five ways:
//   naive        no batch norm, every parameter ~ N(0, 1): initial loss ~27, a "hockey stick"
//   fix-softmax  W2·0.01, b2·0: initial loss ~3.3 (uniform predictions)
//   fix-tanh     also W1·0.2, b1·0.01: the tanh no longer saturates
//   kaiming      W1·(5/3)/√fanIn: the principled scale
//   batchnorm    the notebook's model with batch norm
// Prints a table of initial/train/val loss, writes it as Markdown and one HTML report comparing
// the runs. Run: npm run experiment:init -- [--steps 200000] [--out runs/experiment-init]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSplits, readWords, Vocab, type Splits } from '../data/index.js';
import { TrainingDiagnostics, binCenters, type StepStats } from '../diagnostics/index.js';
import { DEFAULT_TRAIN, createModel, type InitScheme, type ModelConfig, type NormKind, type TrainConfig } from '../model/index.js';
import { Generator } from '../random/index.js';
import { CONFIG, SCHEMA, writeReport, type Plot, type ReportTable, type VegaLiteSpec } from '../report/index.js';
import { splitLoss, train } from '../train/index.js';

export interface Variant {
  name: string;
  description: string;
  norm: NormKind;
  init?: InitScheme;
}

export const VARIANTS: readonly Variant[] = [
  { name: 'naive', description: 'no batch norm, W ~ N(0, 1)', norm: 'none', init: 'naive' },
  { name: 'fix-softmax', description: 'W2·0.01, b2·0', norm: 'none', init: 'fix-softmax' },
  { name: 'fix-tanh', description: '+ W1·0.2, b1·0.01', norm: 'none', init: 'fix-tanh' },
  { name: 'kaiming', description: 'W1·(5/3)/√30', norm: 'none', init: 'kaiming' },
  { name: 'batchnorm', description: 'batch norm (the notebook)', norm: 'notebook' },
];

export interface VariantResult {
  variant: Variant;
  initialLoss: number;
  train: number;
  val: number;
  seconds: number;
  smoothLog10: number[];
  window: number;
  valCurve: { step: number; loss: number }[];
  stats: StepStats[];
}

export interface ExperimentOptions {
  steps: number;
  statsEvery: number;
  evalEvery: number;
  data: string;
  log?: (line: string) => void;
  variants?: readonly Variant[];
}

export function runVariant(v: Variant, splits: Splits, vocabSize: number, o: ExperimentOptions): VariantResult {
  const cfg: ModelConfig = { vocabSize, blockSize: 3, embedDim: 10, hidden: 200, layers: 1, norm: v.norm, ...(v.init ? { init: v.init } : {}) };
  const tc: TrainConfig = { ...DEFAULT_TRAIN, steps: o.steps, lrDecayStep: Math.floor(o.steps / 2) };
  const g = new Generator(tc.seed);
  const model = createModel(cfg, g);
  const window = Math.min(1000, Math.max(1, Math.floor(o.steps / 20)));
  const diag = new TrainingDiagnostics(model, { steps: o.steps, statsEvery: o.statsEvery, evalEvery: o.evalEvery, val: splits.val, window });
  let initialLoss = Number.NaN;
  const t0 = performance.now();
  const onStep = diag.hooks.onStep!;
  train(model, splits.train, tc, g, {
    ...diag.hooks,
    onStep: (info) => {
      if (info.step === 0) initialLoss = info.loss;
      onStep(info);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  diag.close();
  const curve = diag.lossCurve();
  return {
    variant: v, initialLoss, train: splitLoss(model, splits.train), val: splitLoss(model, splits.val), seconds,
    smoothLog10: curve.smoothLog10, window: curve.window, valCurve: diag.val, stats: diag.stats,
  };
}

export function resultsTable(results: readonly VariantResult[]): ReportTable {
  return {
    title: 'Results',
    header: ['variant', 'init', 'initial loss', 'train', 'val', 'tanh saturated at step 0', 'seconds'],
    rows: results.map((r) => [
      r.variant.name, r.variant.description, r.initialLoss.toFixed(4), r.train.toFixed(4), r.val.toFixed(4),
      r.stats[0]?.activations[0] ? `${r.stats[0].activations[0].saturation.toFixed(2)}%` : '–', r.seconds.toFixed(0),
    ]),
  };
}

export function markdownTable(t: ReportTable): string {
  return [`| ${t.header.join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** The last step any run reached (its final window's end). */
function lastStep(results: readonly VariantResult[]): number {
  return Math.max(0, ...results.map((r) => r.smoothLog10.length * r.window));
}

/** [lo, hi] widened by 5% of its span on each side. */
function padded(lo: number, hi: number): [number, number] {
  const m = Math.max(hi - lo, 1e-3) * 0.05;
  return [lo - m, hi + m];
}

export function comparisonPlots(results: readonly VariantResult[]): Plot[] {
  const domain = results.map((r) => r.variant.name);
  const color = { field: 'variant', type: 'nominal', title: 'variant', scale: { domain } } as const;
  const loss = results.flatMap((r) => r.smoothLog10.map((v, i) => ({ variant: r.variant.name, step: i * r.window + r.window / 2, log10: v })))
    .filter((x) => Number.isFinite(x.log10));
  const val = results.flatMap((r) => r.valCurve.filter((p) => p.loss > 0 && Number.isFinite(p.loss)).map((p) => ({ variant: r.variant.name, step: p.step, log10: Math.log10(p.loss) })));
  const hist = results.flatMap((r) => {
    const a = r.stats[0]?.activations[0];
    if (!a) return [];
    return binCenters(a.hist).map((x, i) => ({ variant: r.variant.name, x, density: a.hist.density[i] }));
  });
  const sat = results.flatMap((r) => r.stats.flatMap((s) => s.activations.map((a) => ({ variant: r.variant.name, step: s.step, saturation: a.saturation }))));
  const ud = results.flatMap((r) => r.stats.flatMap((s) => s.updates.filter((u) => (u.name === 'W1' || u.name === 'layers.0.weight') && Number.isFinite(u.log10)).map((u) => ({ variant: r.variant.name, step: s.step, log10: u.log10 }))));
  // The y axis spans what every run does after its first tenth of steps: the naive run's first
  // windows (loss ~27) would otherwise squeeze the other curves into a thin band (they are clipped).
  const settled = [...loss.filter((p) => p.step >= 0.1 * lastStep(results)), ...val].map((p) => p.log10);
  const yDomain = settled.length > 0 ? padded(Math.min(...settled), Math.max(...settled)) : undefined;
  const plots: Plot[] = [
    {
      id: 'loss', title: 'Training loss (log10, window means) and validation loss',
      caption: 'Solid: mean of log10 training loss over windows; points: validation loss (eval mode). The naive init wastes its first steps squashing the huge initial logits (the hockey stick, clipped at the top: the y axis spans the runs after their first tenth of steps).',
      spec: {
        $schema: SCHEMA, config: CONFIG, width: 720, height: 320,
        layer: [
          { data: { values: loss }, mark: { type: 'line', clip: true }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'log10', type: 'quantitative', title: 'log10(loss)', scale: yDomain === undefined ? { zero: false } : { zero: false, domain: yDomain } }, color } },
          { data: { values: val }, mark: { type: 'point', filled: true, size: 30, clip: true }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'log10', type: 'quantitative' }, color, tooltip: [{ field: 'variant' }, { field: 'step' }, { field: 'log10', format: '.4f' }] } },
        ],
      } as VegaLiteSpec,
    },
    {
      id: 'activations-init', title: 'Tanh outputs at initialisation',
      caption: 'Histogram of the hidden tanh outputs on the first minibatch: the naive and softmax-only inits pile up at ±1 (saturated, no gradient); the fixes spread them out.',
      spec: {
        $schema: SCHEMA, config: CONFIG, width: 720, height: 300, data: { values: hist }, mark: { type: 'line', strokeWidth: 1.6 },
        encoding: { x: { field: 'x', type: 'quantitative', title: 'tanh output' }, y: { field: 'density', type: 'quantitative' }, color },
      } as VegaLiteSpec,
    },
    {
      id: 'saturation', title: 'Tanh saturation over training',
      caption: '% of tanh outputs with |t| > 0.97 at each statistics step.',
      spec: {
        $schema: SCHEMA, config: CONFIG, width: 720, height: 260, data: { values: sat }, mark: { type: 'line', point: true },
        encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'saturation', type: 'quantitative', title: 'saturated (%)' }, color },
      } as VegaLiteSpec,
    },
    {
      id: 'update-ratio', title: 'Update:data ratio of the first weight (log10)',
      caption: 'log10(std(lr·grad)/std(W1)) at each statistics step; −3 is the guide.',
      spec: {
        $schema: SCHEMA, config: CONFIG, width: 720, height: 260, data: { values: ud }, mark: { type: 'line', point: true },
        encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'log10', type: 'quantitative', title: 'log10(update/data)', scale: { zero: false } }, color },
      } as VegaLiteSpec,
    },
  ];
  return plots.filter((p) => ((p.spec as { data?: { values?: unknown[] } }).data?.values?.length ?? 1) > 0);
}

function parseArgs(argv: readonly string[]): { steps: number; out: string; data: string; statsEvery?: number; evalEvery?: number } {
  const o: { steps: number; out: string; data: string; statsEvery?: number; evalEvery?: number } = {
    steps: 200_000, out: 'runs/experiment-init', data: fileURLToPath(new URL('../../../data/names.txt', import.meta.url)),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--steps') o.steps = Number(v);
    else if (k === '--out') o.out = v;
    else if (k === '--data') o.data = v;
    else if (k === '--stats-every') o.statsEvery = Number(v);
    else if (k === '--eval-every') o.evalEvery = Number(v);
    else throw new Error(`unknown option ${k} (use --steps, --out, --data, --stats-every, --eval-every)`);
  }
  if (!Number.isInteger(o.steps) || o.steps <= 0) throw new Error(`--steps must be a positive integer, got ${o.steps}`);
  return o;
}

export function main(argv: readonly string[]): void {
  const a = parseArgs(argv);
  const words = readWords(a.data);
  const vocab = Vocab.fromWords(words);
  const splits = buildSplits(words, vocab, 3, DEFAULT_TRAIN.splitSeed);
  const statsEvery = a.statsEvery ?? Math.max(1, Math.floor(a.steps / 20));
  const evalEvery = a.evalEvery ?? Math.max(1, Math.floor(a.steps / 20));
  const opts: ExperimentOptions = { steps: a.steps, statsEvery, evalEvery, data: a.data };
  console.log(`initialisation experiment: ${VARIANTS.length} runs of ${a.steps} steps on ${a.data}`);
  const results: VariantResult[] = [];
  for (const v of VARIANTS) {
    const r = runVariant(v, splits, vocab.size, opts);
    results.push(r);
    console.log(`${v.name.padEnd(12)} initial ${r.initialLoss.toFixed(4)}  train ${r.train.toFixed(4)}  val ${r.val.toFixed(4)}  (${r.seconds.toFixed(0)} s)`);
  }
  const table = resultsTable(results);
  const md = `Initialisation experiment: ${a.steps} steps each (lr ${DEFAULT_TRAIN.lr}, then ${DEFAULT_TRAIN.lrFinal} from step ${Math.floor(a.steps / 2)}), batch 32, seed ${DEFAULT_TRAIN.seed}, hidden 200.\n\n${markdownTable(table)}\n`;
  mkdirSync(a.out, { recursive: true });
  writeFileSync(join(a.out, 'results.md'), md);
  const reportPath = join(a.out, 'report.html');
  writeReport(reportPath, {
    title: 'makemore: initialisation experiment (makemore part 3)',
    config: { data: a.data, steps: a.steps, 'batch size': DEFAULT_TRAIN.batchSize, lr: `${DEFAULT_TRAIN.lr} → ${DEFAULT_TRAIN.lrFinal} at step ${Math.floor(a.steps / 2)}`, seed: DEFAULT_TRAIN.seed, hidden: 200, embedding: 10, 'block size': 3, 'stats every': statsEvery, 'eval every': evalEvery },
    val: [],
    stats: [],
    notes: results.map((r) => `${r.variant.name}: ${r.variant.description}`),
  }, comparisonPlots(results), [table]);
  console.log(`\n${markdownTable(table)}\n\nwrote ${join(a.out, 'results.md')} and ${reportPath}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
