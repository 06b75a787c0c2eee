// The report's plots as Vega-Lite specs, data inline. The same specs are rendered by vega-embed
// in the HTML report and by vega (SVG) + resvg (PNG) for --plots.
import type { TopLevelSpec } from 'vega-lite';
import { binCenters, type Histogram } from '../diagnostics/stats.js';
import type { DiagnosticsRecord, StepStats } from '../diagnostics/types.js';
import { naturalOrder } from './naturalOrder.js';

export type VegaLiteSpec = TopLevelSpec;

export interface Plot {
  /** File-name-safe id: the PNG is `<id>.png`. */
  id: string;
  title: string;
  /** One sentence on what to look for. */
  caption: string;
  spec: VegaLiteSpec;
}

type Row = Record<string, string | number>;

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const WIDTH = 560;
const HEIGHT = 260;
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
export const CONFIG = {
  font: FONT,
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  background: 'white',
};

/** A legend of the rows' `field` values in natural order (layer 2 before layer 11; Vega-Lite sorts them as text). */
function legend(rows: readonly Row[], field: string, title: string | null) {
  return { field, type: 'nominal', title, sort: naturalOrder(rows.map((r) => String(r[field]))) } as const;
}

function finite(x: number): boolean {
  return typeof x === 'number' && Number.isFinite(x);
}

/** The statistics steps plotted as histograms: the first and the last. */
export function histogramSteps(stats: readonly StepStats[]): StepStats[] {
  if (stats.length === 0) return [];
  return stats.length === 1 ? [stats[0]] : [stats[0], stats[stats.length - 1]];
}

function histRows(series: string, stepLabel: string, step: number, h: Histogram): Row[] {
  const xs = binCenters(h);
  return xs.map((x, i) => ({ series, stepLabel, step, x, density: h.density[i] })).filter((r) => finite(r.x) && finite(r.density));
}

function histogramFacetSpec(title: string, xTitle: string, rows: Row[], legendTitle: string, independentX: boolean): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title,
    data: { values: rows },
    config: CONFIG,
    facet: { column: { field: 'stepLabel', type: 'ordinal', title: null, sort: { field: 'step' } } },
    resolve: { scale: { x: independentX ? 'independent' : 'shared', y: 'independent' } },
    spec: {
      width: 360,
      height: HEIGHT,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xTitle, axis: { format: '~g' } },
        y: { field: 'density', type: 'quantitative', title: 'density' },
        color: legend(rows, 'series', legendTitle),
        tooltip: [{ field: 'series', type: 'nominal' }, { field: 'x', type: 'quantitative', format: '.4g' }, { field: 'density', type: 'quantitative', format: '.4g' }],
      },
    },
  } as VegaLiteSpec;
}

function lossPlot(r: DiagnosticsRecord): Plot | null {
  const loss = r.loss;
  if (!loss || loss.lossLog10.length === 0) return null;
  const rows: Row[] = [];
  const raw = `train, per step${loss.stride > 1 ? ` (every ${loss.stride})` : ''}`;
  loss.lossLog10.forEach((v, i) => { if (finite(v)) rows.push({ series: raw, step: loss.startStep + i * loss.stride, log10: v }); });
  const smooth = `train, mean of ${loss.window} steps`;
  loss.smoothLog10.forEach((v, i) => {
    if (finite(v)) rows.push({ series: smooth, step: loss.startStep + i * loss.window + loss.window / 2, log10: v });
  });
  const val = 'val (eval mode)';
  for (const p of r.val) if (finite(p.loss) && p.loss > 0) rows.push({ series: val, step: p.step, log10: Math.log10(p.loss), loss: p.loss });
  const domain = [raw, smooth, val];
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain, range: ['#b8c7dc', '#1f4e99', '#e4572e'] }, legend: { orient: 'top-right' } };
  const x = { field: 'step', type: 'quantitative', title: 'step' };
  const tooltip = [{ field: 'series', type: 'nominal' }, { field: 'step', type: 'quantitative' }, { field: 'log10', type: 'quantitative', format: '.4f' }];
  return {
    id: 'loss',
    title: 'Loss (log10)',
    caption: `log10 of the training loss per step (light), its mean over windows of ${loss.window} steps (the smooth curve) and the validation loss in eval mode.`,
    spec: {
      $schema: SCHEMA,
      width: WIDTH + 160,
      height: HEIGHT + 40,
      config: CONFIG,
      data: { values: rows },
      encoding: { x, y: { field: 'log10', type: 'quantitative', title: 'log10(loss)', scale: { zero: false } }, color, tooltip },
      layer: [
        { transform: [{ filter: { field: 'series', equal: raw } }], mark: { type: 'line', strokeWidth: 0.6, clip: true } },
        { transform: [{ filter: { field: 'series', oneOf: [smooth, val] } }], mark: { type: 'line', strokeWidth: 2.2, clip: true } },
      ],
    } as VegaLiteSpec,
  };
}

function activationHistPlot(r: DiagnosticsRecord): Plot | null {
  const rows: Row[] = [];
  for (const s of histogramSteps(r.stats)) for (const a of s.activations) rows.push(...histRows(a.layer, `step ${s.step}`, s.step, a.hist));
  if (rows.length === 0) return null;
  return {
    id: 'activations',
    title: 'Activation distribution (tanh outputs)',
    caption: 'Histogram of every Tanh output at the first and the last statistics step (mean, std and saturation in the tables below). Mass piled at ±1 means saturated units, whose gradient vanishes.',
    spec: histogramFacetSpec('', 'tanh output', rows, 'layer', false),
  };
}

function trendPlot(r: DiagnosticsRecord): Plot | null {
  const rows: Row[] = [];
  for (const s of r.stats) {
    for (const a of s.activations) {
      if (finite(a.saturation)) rows.push({ series: a.layer, step: s.step, measure: 'saturated (%)', value: a.saturation });
      if (finite(a.std)) rows.push({ series: a.layer, step: s.step, measure: 'std', value: a.std });
    }
  }
  if (rows.length === 0) return null;
  return {
    id: 'activations-over-time',
    title: 'Tanh outputs over training',
    caption: 'Saturation (% of |t| > 0.97) and standard deviation of every Tanh output at each statistics step.',
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      data: { values: rows },
      facet: { column: { field: 'measure', type: 'nominal', title: null } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 360,
        height: HEIGHT,
        mark: { type: 'line', point: rows.length < 400 },
        encoding: {
          x: { field: 'step', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative', title: null },
          color: legend(rows, 'series', 'layer'),
          tooltip: [{ field: 'series', type: 'nominal' }, { field: 'step', type: 'quantitative' }, { field: 'value', type: 'quantitative', format: '.4g' }],
        },
      },
    } as VegaLiteSpec,
  };
}

function outputGradPlot(r: DiagnosticsRecord): Plot | null {
  const rows: Row[] = [];
  for (const s of histogramSteps(r.stats)) for (const g of s.outputGrads) rows.push(...histRows(g.layer, `step ${s.step}`, s.step, g.hist));
  if (rows.length === 0) return null;
  return {
    id: 'gradients',
    title: 'Gradient distribution (of the tanh outputs)',
    caption: 'Histogram of the gradient of every Tanh output. Layers should have similar spreads: shrinking or growing from layer to layer means vanishing or exploding gradients.',
    spec: histogramFacetSpec('', 'gradient', rows, 'layer', true),
  };
}

function weightGradPlot(r: DiagnosticsRecord): Plot | null {
  const rows: Row[] = [];
  for (const s of histogramSteps(r.stats)) for (const w of s.weightGrads) rows.push(...histRows(`${w.name} (${w.shape.join(', ')})`, `step ${s.step}`, s.step, w.hist));
  if (rows.length === 0) return null;
  return {
    id: 'weight-gradients',
    title: 'Weight gradient distribution',
    caption: 'Histogram of the gradient of every 2-D weight (its grad:data ratio std(grad)/std(weight) is in the tables below).',
    spec: histogramFacetSpec('', 'gradient', rows, 'weight', true),
  };
}

function updateRatioPlot(r: DiagnosticsRecord): Plot | null {
  const rows: Row[] = [];
  const weights = new Set<string>();
  for (const s of r.stats) for (const w of s.weightGrads) weights.add(w.name);
  for (const s of r.stats) for (const u of s.updates) if (weights.has(u.name) && finite(u.log10)) rows.push({ series: `${u.name} (${u.shape.join(', ')})`, step: s.step, log10: u.log10 });
  if (rows.length === 0) return null;
  const steps = rows.map((x) => x.step as number);
  const lo = Math.min(...steps), hi = Math.max(...steps);
  return {
    id: 'update-ratio',
    title: 'Update:data ratio (log10)',
    caption: 'log10(std(lr·grad) / std(weight)) for every 2-D weight at each statistics step. Around −3 (the dashed line) is healthy; far below learns too slowly, far above too fast.',
    spec: {
      $schema: SCHEMA,
      width: WIDTH + 160,
      height: HEIGHT + 40,
      config: CONFIG,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', point: rows.length < 400 },
          encoding: {
            x: { field: 'step', type: 'quantitative', title: 'step' },
            y: { field: 'log10', type: 'quantitative', title: 'log10(update / data)', scale: { zero: false } },
            color: legend(rows, 'series', 'weight'),
            tooltip: [{ field: 'series', type: 'nominal' }, { field: 'step', type: 'quantitative' }, { field: 'log10', type: 'quantitative', format: '.3f' }],
          },
        },
        {
          data: { values: [{ step: lo, y: -3 }, { step: hi, y: -3 }] },
          mark: { type: 'line', strokeDash: [6, 4], color: 'black', strokeWidth: 1.2 },
          encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
        },
      ],
    } as VegaLiteSpec,
  };
}

function batchNormPlot(r: DiagnosticsRecord): Plot | null {
  const bn = r.batchNorm;
  if (!bn || bn.layers.length === 0) return null;
  const rows: Row[] = [];
  for (const l of bn.layers) {
    l.runningMean.forEach((v, i) => { if (finite(v) && finite(l.fullMean[i])) rows.push({ layer: l.name, measure: 'mean', full: l.fullMean[i], running: v, unit: i }); });
    l.running.forEach((v, i) => { if (finite(v) && finite(l.full[i])) rows.push({ layer: l.name, measure: l.kind, full: l.full[i], running: v, unit: i }); });
  }
  if (rows.length === 0) return null;
  return {
    id: 'batchnorm',
    title: 'Batch norm: running estimates vs full training split',
    caption: `Each point is one unit: its running estimate kept during training against the statistic over all ${bn.examples} training examples. On the diagonal, calibrating at the end changes nothing.`,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      data: { values: rows },
      facet: { column: { field: 'measure', type: 'nominal', title: null } },
      resolve: { scale: { x: 'independent', y: 'independent' } },
      spec: {
        width: 320,
        height: 300,
        layer: [
          {
            mark: { type: 'point', filled: true, size: 18, opacity: 0.7 },
            encoding: {
              x: { field: 'full', type: 'quantitative', title: 'full training split', scale: { zero: false } },
              y: { field: 'running', type: 'quantitative', title: 'running estimate', scale: { zero: false } },
              color: legend(rows, 'layer', 'layer'),
              tooltip: [{ field: 'layer', type: 'nominal' }, { field: 'unit', type: 'quantitative' }, { field: 'full', type: 'quantitative', format: '.4g' }, { field: 'running', type: 'quantitative', format: '.4g' }],
            },
          },
          {
            mark: { type: 'line', color: '#888', strokeDash: [4, 3] },
            transform: [{ aggregate: [{ op: 'min', field: 'full', as: 'lo' }, { op: 'max', field: 'full', as: 'hi' }] }, { fold: ['lo', 'hi'], as: ['end', 'v'] }],
            encoding: { x: { field: 'v', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } },
          },
        ],
      },
    } as VegaLiteSpec,
  };
}

function parameterPlot(r: DiagnosticsRecord): Plot | null {
  const rows: Row[] = [];
  for (const p of r.parameters ?? []) rows.push(...histRows(`${p.name} (${p.shape.join(', ')})`, 'values', 0, p.hist));
  if (rows.length === 0) return null;
  return {
    id: 'weights',
    title: 'Weight distribution',
    caption: 'Histogram of the values of every 2-D weight.',
    spec: {
      $schema: SCHEMA,
      width: WIDTH + 160,
      height: HEIGHT + 40,
      config: CONFIG,
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'value' },
        y: { field: 'density', type: 'quantitative', title: 'density' },
        color: legend(rows, 'series', 'weight'),
      },
    } as VegaLiteSpec,
  };
}

/** Every plot the record has data for, in report order. */
export function buildPlots(r: DiagnosticsRecord): Plot[] {
  return [lossPlot, activationHistPlot, trendPlot, outputGradPlot, weightGradPlot, updateRatioPlot, batchNormPlot, parameterPlot]
    .map((f) => f(r))
    .filter((p): p is Plot => p !== null);
}
