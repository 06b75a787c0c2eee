// Shape ops: view/reshape (shared storage), transpose (a copy), and row gather `C[X]`.
import { kernels } from '../../kernels/index.js';
import { gradOf, record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { inferShape, numelOf, shapeString } from '../shape.js';
import { Storage } from '../storage.js';
import { outputFloat } from './alloc.js';
import { transposeDims } from './layout.js';

export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const s = inferShape(shape, a.numel, a.shape);
  const out = new Tensor(a.storage, s, a.dtype);
  return record(out, 'ViewBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) kernels().axpy(ga.floatData, g.floatData, 1);
  });
}

/** 2-D transpose (`a.T`), or torch.transpose(a, dim0, dim1) on any rank (layout.ts). */
export function transpose(a: Tensor, dim0?: number, dim1?: number): Tensor {
  if (dim0 !== undefined || dim1 !== undefined) return transposeDims(a, dim0 ?? 0, dim1 ?? 1);
  if (a.ndim !== 2) throw new RangeError(`transpose needs a 2-D tensor, got shape ${shapeString(a.shape)}`);
  const [r, c] = a.shape;
  const out = new Tensor(Storage.alloc(a.dtype, r * c, false), [c, r], a.dtype);
  kernels().transpose(out.data, a.data, r, c, false);
  return record(out, 'TransposeBackward', [a], (g) => {
    const ga = gradOf(a);
    if (ga !== null) kernels().transpose(ga.floatData, g.floatData, c, r, true);
  });
}

/** Throws PyTorch's message at the first index outside [0, rows). */
export function checkRowIndexes(ix: Int32Array, rows: number): void {
  for (let b = 0; b < ix.length; b++) {
    if (ix[b] < 0 || ix[b] >= rows) throw new RangeError(`index ${ix[b]} is out of bounds for dimension 0 with size ${rows}`);
  }
}

/**
 * `table[idx]`: gathers rows of `table` (dim 0) by an int tensor of any shape; the result has
 * shape idx.shape + table.shape[1:]. Backward scatter-adds into the rows that were read.
 */
export function index(table: Tensor, idx: Tensor): Tensor {
  if (idx.dtype !== 'int32') throw new TypeError(`index needs an int32 index tensor, got ${idx.dtype}`);
  if (table.ndim < 1) throw new RangeError('cannot index a 0-d tensor');
  const rows = table.shape[0];
  const ix = idx.intData;
  checkRowIndexes(ix, rows);
  const rowLen = numelOf(table.shape.slice(1));
  const shape = [...idx.shape, ...table.shape.slice(1)];
  if (table.dtype === 'int32') {
    const out = new Tensor(Storage.alloc('int32', ix.length * rowLen, false), shape, 'int32');
    kernels().gatherRows(out.intData, table.intData, idx.intData, rowLen);
    return out;
  }
  const out = outputFloat(table.dtype, shape);
  kernels().gatherRows(out.floatData, table.floatData, idx.intData, rowLen);
  return record(out, 'IndexBackward', [table], (g) => {
    const gt = gradOf(table);
    if (gt !== null) kernels().scatterAddRows(gt.floatData, g.floatData, idx.intData, rowLen);
  }, [idx]);
}
