// The norms lab's outputs: results.md (val loss mean ± std per cell, µs per step, tanh
// saturation, the coupling table), a self-contained report.html and PNGs (val loss against batch
// size, one line per norm; the coupling table).
import { join } from 'node:path';
import { writeFileAtomic } from '../model/fileio.js';
import { CONFIG, SCHEMA, writePlots, writeReport, type Plot, type ReportTable, type VegaLiteSpec } from '../report/index.js';
import { markdownTable } from './init.js';
import { NORM_VARIANTS, gridLr, type CellResult, type GridSpec } from './normsGrid.js';

export interface CellSummary {
  variant: string;
  batchSize: number;
  /** Seeds that finished without diverging. */
  n: number;
  diverged: number;
  valMean: number;
  valStd: number;
  usPerStep: number;
  saturation: number;
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  // sample std over seeds (n − 1), 0 for one seed
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, std };
}

export function summarize(results: readonly CellResult[], spec: GridSpec): CellSummary[] {
  const out: CellSummary[] = [];
  for (const variant of spec.variants) {
    for (const batchSize of spec.batchSizes) {
      const rs = results.filter((r) => r.variant === variant && r.batchSize === batchSize);
      if (rs.length === 0) continue;
      const ok = rs.filter((r) => !r.diverged);
      const { mean, std } = meanStd(ok.map((r) => r.val));
      out.push({
        variant, batchSize, n: ok.length, diverged: rs.length - ok.length, valMean: mean, valStd: std,
        usPerStep: meanStd(ok.map((r) => r.usPerStep)).mean, saturation: meanStd(ok.map((r) => r.saturation)).mean,
      });
    }
  }
  return out;
}

/** The batch size the coupling table reports: 32 (the notebook's) when the grid has it. */
export function couplingBatch(spec: GridSpec): number {
  return spec.batchSizes.includes(32) ? 32 : spec.batchSizes[spec.batchSizes.length - 1];
}

function grid(title: string, spec: GridSpec, cells: readonly CellSummary[], fmt: (c: CellSummary) => string): ReportTable {
  return {
    title,
    header: ['norm', ...spec.batchSizes.map((b) => `batch ${b}`)],
    rows: spec.variants.map((v) => [v, ...spec.batchSizes.map((b) => {
      const c = cells.find((x) => x.variant === v && x.batchSize === b);
      return c === undefined ? '' : fmt(c);
    })]),
  };
}

export function tables(results: readonly CellResult[], spec: GridSpec): ReportTable[] {
  const cells = summarize(results, spec);
  const val = grid('Val loss (eval mode), mean ± std over seeds', spec, cells, (c) => {
    const d = c.diverged > 0 ? ` (${c.diverged} of ${c.n + c.diverged} stopped early)` : '';
    return c.n === 0 ? `no result${d}` : `${c.valMean.toFixed(4)} ± ${c.valStd.toFixed(4)}${c.n < spec.seeds.length && c.diverged === 0 ? ` (${c.n} seeds)` : d}`;
  });
  const us = grid('µs per training step (mean over seeds, threads sharing the cores)', spec, cells, (c) => c.usPerStep.toFixed(0));
  const sat = grid('Tanh saturation after training: % of |t| > 0.97 (eval mode, 4,096 val rows)', spec, cells, (c) => c.saturation.toFixed(2));
  const B = couplingBatch(spec);
  const f4 = (x: number): string => x.toFixed(4);
  const coupling: ReportTable = {
    title: `Batch coupling at batch ${B} (val examples; mean over seeds, largest shift over seeds)`,
    // logit shift: max |Δ logit| of an example when the rest of its batch is replaced
    header: ['norm', 'logit shift', 'train-mode loss', 'eval-mode loss', 'train − eval', 'alone, eval mode', 'alone, train mode'],
    rows: spec.variants.map((v) => {
      const cs = results.filter((r) => r.variant === v && r.batchSize === B && r.coupling !== null).map((r) => r.coupling!);
      if (cs.length === 0) return [v, '–', '–', '–', '–', '–', '–'];
      const m = (f: (c: (typeof cs)[number]) => number): number => meanStd(cs.map(f)).mean;
      const shift = Math.max(...cs.map((c) => c.maxLogitShift));
      const single = cs.every((c) => c.singleTrainLoss !== null) ? f4(m((c) => c.singleTrainLoss!)) : 'undefined (no std of 1 row)';
      return [v, shift === 0 ? '0 (exactly)' : shift.toExponential(2), f4(m((c) => c.trainModeLoss)), f4(m((c) => c.evalModeLoss)),
        (m((c) => c.trainModeLoss) - m((c) => c.evalModeLoss)).toFixed(4).replace(/^-(0\.0+)$/, '$1'), f4(m((c) => c.singleEvalLoss)), single];
    }),
  };
  return [val, coupling, us, sat];
}

export function normsPlots(results: readonly CellResult[], spec: GridSpec, couplingTable: ReportTable): Plot[] {
  const cells = summarize(results, spec).filter((c) => c.n > 0);
  const domain = spec.variants.filter((v) => cells.some((c) => c.variant === v));
  const color = { field: 'norm', type: 'nominal', title: 'norm', scale: { domain } } as const;
  const x = { field: 'batch', type: 'quantitative', title: 'batch size', scale: { type: 'log', base: 2 }, axis: { values: [...spec.batchSizes] } } as const;
  const pts = cells.map((c) => ({ norm: c.variant, batch: c.batchSize, val: c.valMean, lo: c.valMean - c.valStd, hi: c.valMean + c.valStd, n: c.n }));
  const couplingCells = couplingTable.rows.flatMap((row) => row.slice(1).map((text, i) => ({ norm: row[0], column: couplingTable.header[i + 1], text })));
  return [
    {
      id: 'val-vs-batch', title: 'Val loss against batch size, one line per norm',
      caption: `Each run sees ${spec.examples.toLocaleString('en-US')} training examples; lr = 0.1·B/32 capped at ${spec.lrCap}, a tenth for the second half. Bars: ± one std over ${spec.seeds.length} seed(s). Lower is better.`,
      spec: {
        $schema: SCHEMA, config: CONFIG, width: 640, height: 380,
        layer: [
          { data: { values: pts }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'val', type: 'quantitative', title: 'val loss', scale: { zero: false } }, color, tooltip: [{ field: 'norm' }, { field: 'batch' }, { field: 'val', format: '.4f' }, { field: 'n', title: 'seeds' }] } },
          { data: { values: pts }, mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
        ],
      } as VegaLiteSpec,
    },
    {
      id: 'coupling', title: couplingTable.title,
      caption: 'Logit shift: the largest |Δ logit| of an example in train mode when the other examples of its batch are replaced (same batch size). The train/eval loss gap, and the loss of one example alone (one row per forward) in eval and train mode.',
      spec: {
        $schema: SCHEMA, config: CONFIG, width: 980, height: 30 * couplingTable.rows.length, data: { values: couplingCells },
        mark: { type: 'text', align: 'center', fontSize: 12 },
        encoding: {
          x: { field: 'column', type: 'ordinal', sort: couplingTable.header.slice(1), title: null, axis: { orient: 'top', labelAngle: 0, labelLimit: 200, labelFontSize: 11 } },
          y: { field: 'norm', type: 'ordinal', sort: couplingTable.rows.map((r) => r[0]), title: null },
          text: { field: 'text' },
        },
      } as VegaLiteSpec,
    },
  ];
}

export function normsMarkdown(results: readonly CellResult[], spec: GridSpec): string {
  const t = tables(results, spec);
  const lrs = spec.batchSizes.map((b) => `${b}: ${gridLr(b, spec.lrCap)}`).join(', ');
  const head = [
    `Norms lab: ${spec.variants.length} norms × batch sizes ${spec.batchSizes.join(', ')} × seeds ${spec.seeds.join(', ')}; every run trains on ${spec.examples.toLocaleString('en-US')} examples (steps = examples / batch size).`,
    `Model: block 3, embedding 10, one hidden layer of 200, tanh. Learning rate by batch size (linear scaling from 0.1 at 32, capped at ${spec.lrCap}; a tenth from half the steps): ${lrs}.`,
    '',
    ...NORM_VARIANTS.filter((v) => spec.variants.includes(v.name)).map((v) => `- \`${v.name}\`: ${v.description}`),
  ].join('\n');
  const stopped = results.filter((r) => r.stopped !== undefined).map((r) => `- ${r.variant}, batch ${r.batchSize}, seed ${r.seed}: ${r.stopped}`);
  const notes = stopped.length > 0 ? `\n\nRuns that stopped early:\n\n${stopped.join('\n')}` : '';
  return `${head}\n\n${t.map((x) => `### ${x.title}\n\n${markdownTable(x)}`).join('\n\n')}${notes}\n`;
}

/** results.md, report.html and the PNG/SVG plots into `out`; returns the paths written. */
export async function writeNormsReport(results: readonly CellResult[], spec: GridSpec, out: string): Promise<string[]> {
  const md = join(out, 'results.md');
  writeFileAtomic(md, new TextEncoder().encode(normsMarkdown(results, spec)));
  const t = tables(results, spec);
  const plots = normsPlots(results, spec, t[1]);
  const html = join(out, 'report.html');
  writeReport(html, {
    title: 'makemore: batch norm and its alternatives (the norms lab)',
    config: { norms: spec.variants.join(', '), 'batch sizes': spec.batchSizes.join(', '), seeds: spec.seeds.join(', '), 'training examples per run': spec.examples, 'lr rule': `0.1·B/32, capped at ${spec.lrCap}`, hidden: 200, embedding: 10, 'block size': 3 },
    val: [],
    stats: [],
    notes: NORM_VARIANTS.filter((v) => spec.variants.includes(v.name)).map((v) => `${v.name}: ${v.description}`),
  }, plots, t);
  const written = await writePlots(plots, out);
  return [md, html, ...written.map((w) => w.png)];
}
