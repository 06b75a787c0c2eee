// The page's charts, drawn by uPlot: the loss curve, the tanh histograms, the update:data ratios.
// Each chart keeps its data in plain arrays and redraws on demand (the page throttles redraws).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LoadedCurves, StatsPoint } from './protocol.js';
import { thin } from './thin.js';

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Most per-step points drawn (the rest are thinned by a stride, as the CLI's report does). */
const MAX_POINTS = 20_000;
const WINDOW = 1000;
/** Most validation dots drawn: more hide the 1,000-step mean (a 200,000-step run has 201). */
const MAX_VAL_POINTS = 40;

/** Step ticks: 100,000 → "100k", so long runs' labels do not run together. */
const stepValues = (_u: uPlot, ticks: number[]): string[] => ticks.map((t) => (Math.abs(t) >= 1000 ? `${t / 1000}k` : String(t)));

/** Mantissas of the loss ticks, coarse to fine: the first set with at least 4 ticks in view is used. */
const TICK_SETS = [[1, 2, 5], [1, 1.5, 2, 3, 4, 5, 7], [1, 1.2, 1.5, 2, 2.2, 2.5, 3, 3.5, 4, 5, 6, 8], Array.from({ length: 90 }, (_, i) => 1 + i / 10)];

/** Ticks of a log-scaled loss axis whose data are log10(loss): nice loss values (2, 2.5, 3…), as log10. */
export function lossTicks(min: number, max: number): number[] {
  let best: number[] = [];
  for (const set of TICK_SETS) {
    best = [];
    for (let d = Math.floor(min) - 1; d <= Math.ceil(max); d++) {
      for (const m of set) {
        const t = Math.log10(m) + d;
        if (t >= min - 1e-9 && t <= max + 1e-9) best.push(t);
      }
    }
    if (best.length >= 4) break;
  }
  return best;
}
const lossLabel = (t: number): string => {
  const v = 10 ** t;
  return v >= 10 ? v.toFixed(0) : Number(v.toPrecision(2)).toString();
};

function size(el: HTMLElement, height: number): { width: number; height: number } {
  return { width: Math.max(240, Math.floor(el.clientWidth)), height };
}

function autoResize(plot: uPlot, el: HTMLElement, height: number): void {
  new ResizeObserver(() => plot.setSize(size(el, height))).observe(el);
}

const fmt = (digits: number) => (_u: uPlot, v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? '–' : v.toFixed(digits));
/** The legend's value of a log10(loss) point: the loss. */
const lossValue = (_u: uPlot, v: number | null | undefined): string => (v == null || !Number.isFinite(v) ? '–' : (10 ** v).toFixed(4));

/**
 * Per-step loss, its 1,000-step means and the validation losses against the step, on a log scale
 * of the loss: the data are log10(loss), the ticks and the legend show the loss itself.
 */
export class LossChart {
  readonly plot: uPlot;
  /** log10 loss of every step run so far, from step `offset` (0, or where a continued run started). */
  private loss = new Float32Array(1 << 14);
  private n = 0;
  private offset = 0;
  private val: { step: number; loss: number }[] = [];
  /** Steps left out at the start (the first steps' high loss flattens the rest). */
  private skip = 0;
  /** The curve of a loaded model file (thinned: every `stride` steps, means given), drawn instead. */
  private stored: LoadedCurves['loss'] | null = null;

  constructor(readonly el: HTMLElement) {
    const opts: uPlot.Options = {
      ...size(el, 320),
      scales: { x: { time: false } },
      axes: [
        { label: 'step', values: stepValues },
        { label: 'loss (log scale)', size: 56, splits: (_u, _i, min, max) => lossTicks(min, max), values: (_u, ticks) => ticks.map(lossLabel) },
      ],
      series: [
        { label: 'step', value: (_u, v) => (v == null ? '–' : String(Math.round(v))) },
        { label: 'loss per step', stroke: 'rgba(31,119,180,0.35)', width: 1, value: lossValue, points: { show: false } },
        { label: `${WINDOW}-step mean`, stroke: '#d62728', width: 2.5, spanGaps: true, value: lossValue, points: { show: false } },
        { label: 'val (eval mode)', stroke: '#2ca02c', width: 0, paths: () => null, points: { show: true, size: 5, fill: '#2ca02c', stroke: '#2ca02c' }, value: lossValue },
      ],
      legend: { live: true },
    };
    this.plot = new uPlot(opts, [[], [], [], []], el);
    autoResize(this.plot, el, 320);
  }

  reset(): void {
    this.n = 0;
    this.offset = 0;
    this.val = [];
    this.stored = null;
    this.redraw();
  }

  /** Shows a model file's stored curves (the per-step loss thinned by its stride, the window means, val). */
  load(curves: LoadedCurves): void {
    this.n = 0;
    this.offset = 0;
    this.stored = curves.loss ?? null;
    this.val = [...curves.val];
    this.redraw();
  }

  /** A continued run: its steps from `step` on are drawn after the stored curve of the loaded file. */
  continueAt(step: number): void {
    this.n = 0;
    this.offset = step;
    this.redraw();
  }

  append(fromStep: number, lossLog10: Float32Array): void {
    const from = fromStep - this.offset;
    const end = from + lossLog10.length;
    if (end > this.loss.length) {
      const grown = new Float32Array(Math.max(end, this.loss.length * 2));
      grown.set(this.loss.subarray(0, this.n));
      this.loss = grown;
    }
    this.loss.set(lossLog10, from);
    this.n = end;
  }

  addVal(points: { step: number; loss: number }[]): void {
    this.val.push(...points);
  }

  /** Leaves the first `steps` steps out of the drawing (the data are kept). */
  setSkip(steps: number): void {
    this.skip = Math.max(0, Math.floor(steps));
    this.redraw();
  }

  get steps(): number {
    return this.offset + this.n;
  }

  /** Means of log10 loss over windows of 1,000 steps (the last one partial), at the window centres. */
  windowMeans(): { x: number[]; y: number[] } {
    const x: number[] = [], y: number[] = [];
    for (let s = 0; s < this.n; s += WINDOW) {
      const e = Math.min(this.n, s + WINDOW);
      let t = 0;
      for (let i = s; i < e; i++) t += this.loss[i];
      x.push(this.offset + (s + e - 1) / 2);
      y.push(t / (e - s));
    }
    return { x, y };
  }

  redraw(): void {
    const first = this.skip;
    const xs: number[] = [], ys: number[] = [];
    // the stored curve of a loaded file, up to where a continued run took over
    const c = this.stored;
    const until = this.n > 0 ? this.offset : Infinity;
    if (c != null) {
      c.lossLog10.forEach((y, i) => {
        const x = c.startStep + i * c.stride;
        if (x >= first && x < until && Number.isFinite(y)) { xs.push(x); ys.push(y); }
      });
    }
    const from = Math.max(0, first - this.offset);
    const stride = Math.max(1, Math.ceil((this.n - from) / MAX_POINTS));
    for (let i = from; i < this.n; i += stride) {
      xs.push(this.offset + i);
      ys.push(this.loss[i]);
    }
    const live = this.windowMeans();
    const storedMeans = c != null
      ? { x: c.smoothLog10.map((_, i) => c.startStep + i * c.window + c.window / 2), y: c.smoothLog10 }
      : { x: [], y: [] };
    const keep = storedMeans.x.map((x) => x < until);
    const all = {
      x: [...storedMeans.x.filter((_, i) => keep[i]), ...live.x],
      y: [...storedMeans.y.filter((_, i) => keep[i]), ...live.y],
    };
    const m = { x: all.x.filter((x) => x >= first), y: all.y.filter((_, i) => all.x[i] >= first) };
    const v = thin(this.val.filter((p) => p.step >= first), MAX_VAL_POINTS);
    const data = uPlot.join([
      [xs, ys],
      [m.x, m.y],
      [v.map((p) => p.step), v.map((p) => Math.log10(p.loss))],
    ] as uPlot.AlignedData[]);
    this.plot.setData(data);
  }
}

/** The tanh outputs' histograms (density over 100 bins, as torch.histogram), one line per layer. */
export class HistogramChart {
  plot: uPlot;
  private layers: string[] = [];

  constructor(readonly el: HTMLElement) {
    this.plot = this.make([]);
  }

  private make(layers: string[]): uPlot {
    this.el.replaceChildren();
    this.layers = layers;
    const opts: uPlot.Options = {
      ...size(this.el, 240),
      scales: { x: { time: false, range: [-1, 1] } },
      axes: [{ label: 'tanh output', splits: () => [-1, -0.5, 0, 0.5, 1] }, { label: 'density' }],
      series: [
        { label: 'value', value: fmt(2) },
        ...layers.map((l, i) => ({ label: l, stroke: PALETTE[i % PALETTE.length], width: 1.5, value: fmt(3), spanGaps: true, points: { show: false } })),
      ],
    };
    const plot = new uPlot(opts, [[], ...layers.map(() => [])] as uPlot.AlignedData, this.el);
    autoResize(plot, this.el, 240);
    return plot;
  }

  reset(): void {
    this.plot.destroy();
    this.plot = this.make([]);
  }

  show(s: StatsPoint): void {
    const layers = s.activations.map((a) => a.layer);
    if (layers.join('|') !== this.layers.join('|')) {
      this.plot.destroy();
      this.plot = this.make(layers);
    }
    const tables = s.activations.map((a) => [a.centers, a.density]) as uPlot.AlignedData[];
    // A model without tanh layers the lecture watches (makemore.py's family) has no histograms.
    if (tables.length === 0) return;
    this.plot.setData(tables.length === 1 ? tables[0] : uPlot.join(tables));
  }
}

/** log10 update:data ratio of each 2-D weight over the statistics steps, with the lecture's guide at −3. */
export class UpdateChart {
  plot: uPlot;
  private names: string[] = [];
  private steps: number[] = [];
  private values: (number | null)[][] = [];
  /** Called with the parameter whose line the chart lights (hover, or `highlight`), or null. */
  onFocus: ((name: string | null) => void) | null = null;

  constructor(readonly el: HTMLElement) {
    this.plot = this.make([]);
  }

  private make(names: string[]): uPlot {
    this.el.replaceChildren();
    this.names = names;
    const opts: uPlot.Options = {
      ...size(this.el, 240),
      scales: { x: { time: false } },
      axes: [{ label: 'step', values: stepValues }, { label: 'log10 update:data' }],
      focus: { alpha: 0.2 },
      // the network diagram lights the layer of the line in focus
      hooks: { setSeries: [(_u, i, o) => { const f = (o as { focus?: boolean }).focus; if (f !== undefined) this.onFocus?.(i == null || !f ? null : this.names[i - 1] ?? null); }] },
      series: [
        { label: 'step', value: (_u, v) => (v == null ? '–' : String(Math.round(v))) },
        ...names.map((n, i) => ({ label: n, stroke: PALETTE[i % PALETTE.length], width: 1.5, value: fmt(2), points: { show: false } })),
        { label: 'guide −3', stroke: '#333', dash: [6, 4], width: 1, value: fmt(0), points: { show: false } },
      ],
    };
    const plot = new uPlot(opts, [[], ...names.map(() => []), []] as uPlot.AlignedData, this.el);
    autoResize(plot, this.el, 240);
    return plot;
  }

  reset(): void {
    this.steps = [];
    this.values = [];
    this.plot.destroy();
    this.plot = this.make([]);
  }

  /** The line colour of a parameter this chart plots (null: not plotted). */
  colorOf(name: string): string | null {
    const i = this.names.indexOf(name);
    return i < 0 ? null : PALETTE[i % PALETTE.length];
  }

  /** Lights one parameter's line (the others dim), or none. */
  highlight(name: string | null): void {
    const i = name === null ? -1 : this.names.indexOf(name);
    this.plot.setSeries(i < 0 ? null : i + 1, { focus: true });
  }

  append(points: StatsPoint[]): void {
    for (const s of points) {
      const ws = s.updates.filter((u) => u.weight);
      const names = ws.map((u) => u.name);
      if (names.join('|') !== this.names.join('|')) {
        this.plot.destroy();
        this.plot = this.make(names);
        this.steps = [];
        this.values = names.map(() => []);
      }
      this.steps.push(s.step);
      ws.forEach((u, i) => this.values[i].push(Number.isFinite(u.log10) ? u.log10 : null));
    }
  }

  redraw(): void {
    this.plot.setData([this.steps, ...this.values, this.steps.map(() => -3)] as uPlot.AlignedData);
  }
}
