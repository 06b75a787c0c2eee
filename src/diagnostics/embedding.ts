// The embedding table seen in two dimensions, as the lectures plot it: a 2-wide table as it is
// (C[:, 0], C[:, 1]); a wider one projected on its two principal components (the directions of
// most variance of the rows around their mean), in float64.

export interface Embedding2d {
  x: number[];
  y: number[];
  /** "columns 0 and 1" (a 2-wide table) or "principal components 1 and 2". */
  axes: string;
  /** Share of the rows' variance the two axes show (1 for a 2-wide table). */
  explained: number;
}

/** Rows × cols table (row-major) → one point per row. */
export function embedding2d(table: ArrayLike<number>, rows: number, cols: number): Embedding2d {
  if (table.length !== rows * cols) throw new RangeError(`embedding2d: ${table.length} values are not ${rows} × ${cols}`);
  const at = (i: number, j: number): number => table[i * cols + j];
  if (cols === 1) return { x: Array.from({ length: rows }, (_, i) => at(i, 0)), y: new Array<number>(rows).fill(0), axes: 'column 0', explained: 1 };
  if (cols === 2) return { x: Array.from({ length: rows }, (_, i) => at(i, 0)), y: Array.from({ length: rows }, (_, i) => at(i, 1)), axes: 'columns 0 and 1', explained: 1 };
  // covariance of the centred rows (cols × cols)
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += at(i, j) / rows;
  const cov = new Float64Array(cols * cols);
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < cols; a++) {
      const da = at(i, a) - mean[a];
      for (let b = 0; b < cols; b++) cov[a * cols + b] += (da * (at(i, b) - mean[b])) / rows;
    }
  }
  let total = 0;
  for (let j = 0; j < cols; j++) total += cov[j * cols + j];
  const first = topEigen(cov, cols);
  // deflate: remove the first component, then the top of what is left is the second
  for (let a = 0; a < cols; a++) for (let b = 0; b < cols; b++) cov[a * cols + b] -= first.value * first.vector[a] * first.vector[b];
  const second = topEigen(cov, cols, first.vector);
  const project = (v: Float64Array): number[] => Array.from({ length: rows }, (_, i) => {
    let s = 0;
    for (let j = 0; j < cols; j++) s += (at(i, j) - mean[j]) * v[j];
    return s;
  });
  return { x: project(first.vector), y: project(second.vector), axes: 'principal components 1 and 2', explained: total > 0 ? (first.value + second.value) / total : 0 };
}

/**
 * The largest eigenvalue of a symmetric positive semi-definite matrix and its unit eigenvector
 * (power iteration), orthogonal to `not` where given (the deflated matrix's rounding noise must
 * not pull the second axis back towards the first).
 */
function topEigen(m: Float64Array, n: number, not?: Float64Array): { value: number; vector: Float64Array } {
  const orthogonal = (w: Float64Array): void => {
    if (not === undefined) return;
    let d = 0;
    for (let j = 0; j < n; j++) d += w[j] * not[j];
    for (let j = 0; j < n; j++) w[j] -= d * not[j];
  };
  // a fixed start that is not orthogonal to any axis: deterministic output
  let v = Float64Array.from({ length: n }, (_, j) => 1 + j / n);
  orthogonal(v);
  let value = 0;
  for (let it = 0; it < 500; it++) {
    const w = new Float64Array(n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) w[a] += m[a * n + b] * v[b];
    orthogonal(w);
    const norm = Math.hypot(...w);
    if (norm === 0) return { value: 0, vector: v.map(() => 0) };
    const next = w.map((x) => x / norm);
    const change = Math.hypot(...next.map((x, j) => x - v[j]));
    v = next;
    value = norm;
    if (change < 1e-12) break;
  }
  // sign: the largest coordinate positive, so the picture does not flip between calls
  let big = 0;
  for (let j = 1; j < n; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
  if (v[big] < 0) v = v.map((x) => -x);
  return { value, vector: v };
}
