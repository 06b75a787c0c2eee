// Shape arithmetic: element counts, broadcasting, strides, dimension normalisation.

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function shapeString(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Contiguous row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) { st[d] = s; s *= shape[d]; }
  return st;
}

/** The broadcast shape of a and b (NumPy/PyTorch rules), or an error naming both. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const da = a[a.length - nd + i] ?? 1;
    const db = b[b.length - nd + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`shapes ${shapeString(a)} and ${shapeString(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `shape` read as if broadcast to `target`: 0 along broadcast dimensions. */
export function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const st = stridesOf(shape);
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let d = 0; d < shape.length; d++) out[d + off] = shape[d] === 1 ? 0 : st[d];
  return out;
}

/** A dimension index in [0, ndim), accepting negatives as PyTorch does. */
export function normDim(dim: number, ndim: number): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!Number.isInteger(d) || d < 0 || d >= Math.max(ndim, 1)) {
    throw new RangeError(`dimension ${dim} is out of range for a tensor with ${ndim} dimensions`);
  }
  return d;
}

/** Sizes before, at and after `dim`: the (outer × dim × inner) view used by reductions. */
export function splitAt(shape: readonly number[], dim: number): [number, number, number] {
  return [numelOf(shape.slice(0, dim)), shape[dim] ?? 1, numelOf(shape.slice(dim + 1))];
}

/** Resolve one -1 in a requested view shape. */
export function inferShape(shape: readonly number[], numel: number, from: readonly number[]): number[] {
  const out = [...shape];
  const neg = out.indexOf(-1);
  if (neg !== out.lastIndexOf(-1)) throw new RangeError('only one dimension can be inferred (-1)');
  if (neg >= 0) {
    const rest = numelOf(out.filter((_, i) => i !== neg));
    if (rest === 0 || numel % rest !== 0) throw new RangeError(`shape ${shapeString(shape)} is invalid for a tensor of shape ${shapeString(from)}`);
    out[neg] = numel / rest;
  }
  if (out.some((s) => !Number.isInteger(s) || s < 0) || numelOf(out) !== numel) {
    throw new RangeError(`shape ${shapeString(shape)} is invalid for a tensor of shape ${shapeString(from)}`);
  }
  return out;
}
