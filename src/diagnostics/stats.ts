// The statistics of the lecture's diagnostics, as pure functions on flat arrays (sums in
// double). std is PyTorch's default, unbiased (n − 1); histograms are torch.histogram's: equal
// bins over [min, max], the last bin closed.

export type Values = ArrayLike<number>;

export interface Moments {
  mean: number;
  /** Unbiased standard deviation (PyTorch's `t.std()`); NaN for fewer than 2 values. */
  std: number;
}

/** Mean and unbiased std, two passes in double (as exact as float32 input allows). */
export function moments(a: Values): Moments {
  const n = a.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  const mean = s / n;
  if (n < 2) return { mean, std: Number.NaN };
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] - mean;
    ss += d * d;
  }
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

export function std(a: Values): number {
  return moments(a).std;
}

/** Percentage of values with |t| > threshold: the lecture's `(t.abs() > 0.97).float().mean()·100`. */
export function saturationPercent(a: Values, threshold = 0.97): number {
  const n = a.length;
  if (n === 0) return Number.NaN;
  let k = 0;
  for (let i = 0; i < n; i++) if (Math.abs(a[i]) > threshold) k++;
  return (100 * k) / n;
}

/** std(grad) / std(data): how large the gradient is next to the values it changes. */
export function gradDataRatio(grad: Values, data: Values): number {
  return std(grad) / std(data);
}

/**
 * The update:data ratio of one SGD step, log10(std(lr·grad) / std(data)); the lecture's guide
 * line is −3 (updates about 1/1000 of the values).
 */
export function updateDataRatioLog10(lr: number, grad: Values, data: Values): number {
  return Math.log10((Math.abs(lr) * std(grad)) / std(data));
}

export interface Histogram {
  /** Left edge of the first bin and the bin width; bin i covers [lo + i·width, lo + (i+1)·width). */
  lo: number;
  width: number;
  counts: number[];
  /** counts / (n·width): integrates to 1 (torch.histogram(density=True)). */
  density: number[];
}

/**
 * torch.histogram(t, bins) over [min, max] (the last bin includes max). All-equal values (or
 * none) give bins over [v − 0.5, v + 0.5], as torch does for an empty range. Non-finite values
 * are skipped.
 */
export function histogram(a: Values, bins = 100, range?: [number, number]): Histogram {
  if (!Number.isInteger(bins) || bins <= 0) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let lo = Number.POSITIVE_INFINITY, hi = Number.NEGATIVE_INFINITY, finite = 0;
  if (range) {
    [lo, hi] = range;
  } else {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(lo <= hi)) { lo = 0; hi = 0; }
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isFinite(v) || v < lo || v > hi) continue;
    let b = Math.floor((v - lo) / width);
    if (b >= bins) b = bins - 1;
    counts[b]++;
    finite++;
  }
  const density = counts.map((c) => (finite > 0 ? c / (finite * width) : 0));
  return { lo, width, counts, density };
}

/** Bin centres of a histogram, for plotting it as a line (the lecture's `plt.plot(hx[:-1], hy)`). */
export function binCenters(h: Histogram): number[] {
  return h.counts.map((_, i) => h.lo + (i + 0.5) * h.width);
}

/**
 * The smooth loss curve: means of consecutive windows of `window` values (the lecture's
 * `lossi.view(-1, 1000).mean(1)`); a last partial window is averaged over what it has.
 */
export function windowMeans(values: Values, window = 1000): number[] {
  if (!Number.isInteger(window) || window <= 0) throw new RangeError(`window must be a positive integer, got ${window}`);
  const out: number[] = [];
  for (let s = 0; s < values.length; s += window) {
    const e = Math.min(values.length, s + window);
    let t = 0;
    for (let i = s; i < e; i++) t += values[i];
    out.push(t / (e - s));
  }
  return out;
}

/** Largest |a − b| and mean |a − b| over two equal-length arrays. */
export function absDiff(a: Values, b: Values): { max: number; mean: number } {
  if (a.length !== b.length) throw new RangeError(`length mismatch: ${a.length} vs ${b.length}`);
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max) max = d;
    sum += d;
  }
  return { max, mean: a.length > 0 ? sum / a.length : 0 };
}
