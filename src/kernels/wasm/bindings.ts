// The WebAssembly backend's bindings, as one table: for each Backend method, which of its
// arguments are arrays (element type, in/out, length needed, nullable) and how the module's export
// is called with their addresses. The driver in ./index.ts reads the table: zero-copy calls on
// arrays in wasm memory, copies through scratch memory for JS-heap arrays, the JS backend for
// Float64Array arguments, size checks before any kernel touches memory. The table is checked
// against the Backend interface by the compiler (argument tuples come from Parameters<Backend[K]>).
import type { Backend, BinaryOp, MatmulLayout, UnaryOp } from '../types.js';
import { blockSizes } from '../js/batched.js';

/** The module's exports: kernels take byte addresses and sizes (see assembly/index.ts). */
export interface Exports {
  heapBase(): number;
  errIndex: WebAssembly.Global;
  [kernel: string]: ((...args: number[]) => number) | WebAssembly.Global | (() => number);
}

/** What a binding may ask of the backend besides the exports. */
export interface BindingContext {
  /** Address of i32[4·MAX_DIMS] scratch for binary's shape and strides. */
  readonly meta: number;
  /** i32 view of the current memory (re-read on every use: growth replaces it). */
  metaView(n: number): Int32Array;
  /** Address of matmulTransB's transpose scratch for (m, k, n), or 0 (see reserve). */
  packPtr(k: number, n: number): number;
  /** Grows the transpose scratch of matmulTransB before its arguments are looked at. */
  reservePack(m: number, k: number, n: number): void;
  /** Whether `a` is a live view into wasm memory. */
  isWasm(a: ArrayLike<number>): boolean;
  /** Throws when the last gather/scatter/cross-entropy call met an index outside [0, bound). */
  checkIndex(idx: Int32Array, what: string, bound: number): void;
}

export const MAX_DIMS = 32;

/** Element types an array argument may have in wasm memory. 'word': float32 or int32, moved bit for bit. */
export type ElemType = 'f32' | 'i32' | 'word' | 'f32|f64';
/** in: copied into scratch memory when on the JS heap; out: copied back; inout: both. */
export type Io = 'in' | 'out' | 'inout';

export interface ArraySpec<A> {
  /** Position in the method's arguments. */
  readonly at: number;
  readonly name: string;
  readonly io: Io;
  readonly type: ElemType;
  readonly nullable?: boolean;
  /** Elements the kernel reads or writes, from the (resolved) arguments. */
  len(args: A): number;
}

export interface KernelSpec<A extends unknown[], R> {
  readonly arrays: readonly ArraySpec<A>[];
  /** Positions of the size arguments (a number, or an array of them): non-negative integers. */
  readonly dims?: readonly number[];
  /** Runs first, before the arguments are looked at (it may grow memory); once per call. */
  before?(ctx: BindingContext, args: A): void;
  /** Nothing to do (empty work); checked after the sizes. */
  skip?(args: A): boolean;
  /** Hand the call to the JS backend (cases the wasm kernel does not cover, or covers badly). */
  js?(args: A, ctx: BindingContext): boolean;
  /** Extra argument checks; throw a RangeError. */
  check?(args: A): void;
  /** Calls the export with the arrays' addresses `p` (0 for null), in `arrays` order. */
  call(k: Exports, p: readonly number[], args: A, ctx: BindingContext): R;
}

type Method = Exclude<keyof Backend, 'name'>;
type Args<K extends Method> = Parameters<Backend[K]>;
export type BindingTable = { readonly [K in Method]: KernelSpec<Args<K>, ReturnType<Backend[K]>> };

export const BINARY_OPS: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };
export const MATMUL_LAYOUTS: Record<MatmulLayout, number> = { nn: 0, tn: 1, nt: 2 };
export const UNARY_OPS: Record<UnaryOp, number> = { neg: 0, exp: 1, log: 2, log10: 3, tanh: 4, sqrt: 5, abs: 6 };

type Fn = (...args: number[]) => number;
const fn = (k: Exports, name: string): Fn => k[name] as Fn;
const b = (x: boolean): number => (x ? 1 : 0);

/** An array argument; `len` defaults to the length of argument 0 (elementwise kernels). */
function arr<A extends unknown[]>(at: number, name: string, io: Io, len: (args: A) => number, type: ElemType = 'f32', nullable = false): ArraySpec<A> {
  return { at, name, io, type, nullable, len };
}
const lenOf0 = (a: readonly unknown[]): number => (a[0] as ArrayLike<number>).length;
const lenOf1 = (a: readonly unknown[]): number => (a[1] as ArrayLike<number>).length;

function opCode<T extends string>(codes: Record<T, number>, op: T, what: string): number {
  const c = codes[op];
  if (c === undefined) throw new Error(`wasm backend: unknown ${what} op ${op}`);
  return c;
}

/** Highest (or, with `low`, lowest) element offset a strided n-d walk reaches (binary's broadcast inputs). */
function reach(strides: readonly number[], shape: readonly number[], low = false): number {
  let lo = 0, hi = 0;
  for (let d = 0; d < shape.length; d++) {
    const s = shape[d], st = strides[d];
    if (!Number.isInteger(st)) throw new RangeError('wasm backend: binary strides must be integers');
    if (s > 0) { if (st > 0) hi += st * (s - 1); else lo += st * (s - 1); }
  }
  return low ? lo : hi;
}
/** Both int32 or both float: 'word' arguments are moved bit for bit, never converted. */
function sameKind(x: ArrayLike<number>, y: ArrayLike<number>, what: string): void {
  if ((x instanceof Int32Array) !== (y instanceof Int32Array)) throw new TypeError(`wasm backend: ${what} needs arrays of one kind (both float32 or both int32)`);
}
function total(shape: readonly number[]): number {
  let t = 1;
  for (let d = 0; d < shape.length; d++) t *= shape[d];
  return t;
}

/** Elements a strided walk over `shape` reads: its highest offset plus one block (0 when empty). */
function stridedLen(shape: readonly number[], strides: readonly number[], block: number): number {
  return total(shape) === 0 || block === 0 ? 0 : reach(strides, shape) + block;
}
/** matmulBatched's block sizes of out, a, b. */
const mmBlocks = (a: Args<'matmulBatched'>): [number, number, number] => blockSizes(a[0], a[4], a[5], a[6]);

const mmLayout = (name: string, lens: (m: number, k: number, n: number) => [number, number, number]) => ({
  arrays: [
    arr<Args<'matmul'>>(0, `${name} out`, 'inout', (a) => lens(a[3], a[4], a[5])[0]),
    arr<Args<'matmul'>>(1, `${name} a`, 'in', (a) => lens(a[3], a[4], a[5])[1]),
    arr<Args<'matmul'>>(2, `${name} b`, 'in', (a) => lens(a[3], a[4], a[5])[2]),
  ],
  dims: [3, 4, 5],
});

export const BINDINGS: BindingTable = {
  // ---- matmul family ----
  matmul: { ...mmLayout('matmul', (m, k, n) => [m * n, m * k, k * n]), call: (k, p, a) => { fn(k, 'matmul')(p[0], p[1], p[2], a[3], a[4], a[5], b(a[6])); } },
  matmulTransA: { ...mmLayout('matmulTransA', (m, k, n) => [k * n, m * k, m * n]), call: (k, p, a) => { fn(k, 'matmulTransA')(p[0], p[1], p[2], a[3], a[4], a[5], b(a[6])); } },
  matmulTransB: {
    ...mmLayout('matmulTransB', (m, k, n) => [m * k, m * n, k * n]),
    // The kernel transposes b into scratch when the shared axis is short: reserve it first.
    before: (ctx, a) => ctx.reservePack(a[3], a[4], a[5]),
    call: (k, p, a, ctx) => { fn(k, 'matmulTransB')(p[0], p[1], p[2], a[3], a[4], a[5], b(a[6]), ctx.packPtr(a[4], a[5])); },
  },
  transpose: {
    arrays: [arr(0, 'transpose out', 'inout', (a) => a[2] * a[3], 'word'), arr(1, 'transpose a', 'in', (a) => a[2] * a[3], 'word')],
    dims: [2, 3],
    check: (a) => {
      sameKind(a[0], a[1], 'transpose');
      if (a[4] && a[0] instanceof Int32Array) throw new TypeError('wasm backend: transpose accumulates floats only');
    },
    call: (k, p, a) => { fn(k, 'transpose')(p[0], p[1], a[2], a[3], b(a[4])); },
  },

  // ---- elementwise ----
  binary: {
    arrays: [
      arr(1, 'binary out', 'out', (a) => total(a[6])),
      arr(2, 'binary a', 'in', (a) => reach(a[3], a[6]) + 1),
      arr(4, 'binary b', 'in', (a) => reach(a[5], a[6]) + 1),
    ],
    dims: [6],
    js: (a) => a[6].length > MAX_DIMS,
    skip: (a) => total(a[6]) === 0,
    check: (a) => {
      if (reach(a[3], a[6], true) < 0 || reach(a[5], a[6], true) < 0) throw new RangeError('wasm backend: binary strides must not reach below the start of an input');
    },
    call: (k, p, a, ctx) => {
      const [op, , , aSt, , bSt, shape] = a;
      const nd = shape.length;
      const meta = ctx.metaView(3 * nd);
      for (let d = 0; d < nd; d++) { meta[d] = shape[d]; meta[nd + d] = aSt[d]; meta[2 * nd + d] = bSt[d]; }
      fn(k, 'binary')(opCode(BINARY_OPS, op, 'binary'), p[0], p[1], p[2], nd, ctx.meta);
    },
  },
  binaryScalar: {
    arrays: [arr(1, 'binaryScalar out', 'out', lenOf1), arr(2, 'binaryScalar a', 'in', lenOf1)],
    call: (k, p, a) => { fn(k, 'binaryScalar')(opCode(BINARY_OPS, a[0], 'binary'), p[0], p[1], a[1].length, a[3], b(a[4])); },
  },
  unary: {
    arrays: [arr(1, 'unary out', 'out', lenOf1), arr(2, 'unary a', 'in', lenOf1)],
    call: (k, p, a) => { fn(k, 'unary')(opCode(UNARY_OPS, a[0], 'unary'), p[0], p[1], a[1].length); },
  },
  mulInto: {
    arrays: [arr(0, 'mulInto out', 'inout', lenOf0), arr(1, 'mulInto a', 'in', lenOf0), arr(2, 'mulInto b', 'in', lenOf0)],
    call: (k, p, a) => { fn(k, 'mulInto')(p[0], p[1], p[2], a[0].length, b(a[3])); },
  },
  axpy: {
    arrays: [arr(0, 'axpy out', 'inout', lenOf0), arr(1, 'axpy a', 'in', lenOf0)],
    call: (k, p, a) => { fn(k, 'axpy')(p[0], p[1], a[0].length, a[2]); },
  },
  tanhBackward: {
    arrays: [arr(0, 'tanhBackward dx', 'inout', lenOf0), arr(1, 'tanhBackward dy', 'in', lenOf0), arr(2, 'tanhBackward y', 'in', lenOf0)],
    call: (k, p, a) => { fn(k, 'tanhBackward')(p[0], p[1], p[2], a[0].length); },
  },
  unaryBackward: {
    arrays: [arr(1, 'unaryBackward dx', 'inout', lenOf1), arr(2, 'unaryBackward dy', 'in', lenOf1),
      arr(3, 'unaryBackward x', 'in', lenOf1), arr(4, 'unaryBackward y', 'in', lenOf1)],
    call: (k, p, a) => {
      const n = a[1].length;
      // exp and tanh have their kernels already: dy·y and dy·(1 − y²)
      if (a[0] === 'exp') fn(k, 'mulInto')(p[0], p[1], p[3], n, 1);
      else if (a[0] === 'tanh') fn(k, 'tanhBackward')(p[0], p[1], p[3], n);
      else fn(k, 'unaryBackward')(opCode(UNARY_OPS, a[0], 'unary'), p[0], p[1], p[2], p[3], n);
    },
  },
  powScalar: {
    arrays: [arr(0, 'powScalar out', 'out', lenOf0), arr(1, 'powScalar a', 'in', lenOf0)],
    call: (k, p, a) => { fn(k, 'powScalar')(p[0], p[1], a[0].length, a[2]); },
  },
  powBackward: {
    arrays: [arr(0, 'powBackward dx', 'inout', lenOf0), arr(1, 'powBackward dy', 'in', lenOf0), arr(2, 'powBackward x', 'in', lenOf0)],
    call: (k, p, a) => { fn(k, 'powBackward')(p[0], p[1], p[2], a[0].length, a[3]); },
  },
  sgdStep: {
    arrays: [arr(0, 'sgdStep p', 'inout', lenOf0), arr(1, 'sgdStep g', 'in', lenOf0)],
    call: (k, p, a) => { fn(k, 'sgdStep')(p[0], p[1], a[0].length, a[2]); },
  },

  // ---- reductions over (outer × dim × inner) ----
  sumAxis: {
    arrays: [arr(0, 'sumAxis out', 'inout', (a) => a[2] * a[4]), arr(1, 'sumAxis a', 'in', (a) => a[2] * a[3] * a[4])],
    dims: [2, 3, 4],
    call: (k, p, a) => { fn(k, 'sumAxis')(p[0], p[1], a[2], a[3], a[4], b(a[5])); },
  },
  broadcastAxis: {
    arrays: [arr(0, 'broadcastAxis out', 'inout', (a) => a[2] * a[3] * a[4]), arr(1, 'broadcastAxis g', 'in', (a) => a[2] * a[4])],
    dims: [2, 3, 4],
    call: (k, p, a) => { fn(k, 'broadcastAxis')(p[0], p[1], a[2], a[3], a[4], a[5]); },
  },
  varAxis: {
    arrays: [arr(0, 'varAxis var', 'out', (a) => a[3] * a[5]), arr(1, 'varAxis mean', 'out', (a) => a[3] * a[5]),
      arr(2, 'varAxis a', 'in', (a) => a[3] * a[4] * a[5])],
    dims: [3, 4, 5],
    call: (k, p, a) => { fn(k, 'varAxis')(p[0], p[1], p[2], a[3], a[4], a[5], a[6]); },
  },
  varBackward: {
    arrays: [arr(0, 'varBackward dx', 'inout', (a) => a[5] * a[6] * a[7]), arr(1, 'varBackward g', 'in', (a) => a[5] * a[7]),
      arr(2, 'varBackward a', 'in', (a) => a[5] * a[6] * a[7]), arr(3, 'varBackward mean', 'in', (a) => a[5] * a[7]),
      arr(4, 'varBackward std', 'in', (a) => a[5] * a[7], 'f32', true)],
    dims: [5, 6, 7],
    call: (k, p, a) => { fn(k, 'varBackward')(p[0], p[1], p[2], p[3], p[4], a[5], a[6], a[7], a[8]); },
  },

  // ---- fused layers ----
  gatherRows: {
    arrays: [arr(0, 'gatherRows out', 'inout', (a) => a[2].length * a[3], 'word'), arr(1, 'gatherRows table', 'in', () => 0, 'word'),
      arr(2, 'gatherRows idx', 'in', () => 0, 'i32')],
    dims: [3],
    // A table on the JS heap (the dataset's contexts): the JS kernel reads only the rows it
    // needs, where a copy into wasm memory would move the whole table every call.
    js: (a, ctx) => {
      if (ctx.isWasm(a[1])) return false;
      const rows = a[3] > 0 ? Math.floor(a[1].length / a[3]) : 0;
      a[2].forEach((t, b) => { if (!(t >= 0 && t < rows)) throw new RangeError(`wasm backend: gatherRows: index ${t} at position ${b} is outside [0, ${rows})`); });
      return true;
    },
    skip: (a) => a[3] === 0,
    check: (a) => sameKind(a[0], a[1], 'gatherRows'),
    call: (k, p, a, ctx) => {
      const rows = Math.floor(a[1].length / a[3]);
      fn(k, 'gatherRows')(p[0], p[1], p[2], a[2].length, a[3], rows);
      ctx.checkIndex(a[2], 'gatherRows', rows);
    },
  },
  scatterAddRows: {
    arrays: [arr(0, 'scatterAddRows gradTable', 'inout', () => 0), arr(1, 'scatterAddRows g', 'in', (a) => a[2].length * a[3]),
      arr(2, 'scatterAddRows idx', 'in', () => 0, 'i32')],
    dims: [3],
    skip: (a) => a[3] === 0,
    call: (k, p, a, ctx) => {
      const rows = Math.floor(a[0].length / a[3]);
      fn(k, 'scatterAddRows')(p[0], p[1], p[2], a[2].length, a[3], rows);
      ctx.checkIndex(a[2], 'scatterAddRows', rows);
    },
  },
  batchNormTrain: {
    arrays: [arr(0, 'batchNormTrain out', 'out', (a) => a[8] * a[9]), arr(1, 'batchNormTrain xhat', 'out', (a) => a[8] * a[9]),
      arr(2, 'batchNormTrain mean', 'out', (a) => a[9]), arr(3, 'batchNormTrain var', 'out', (a) => a[9]),
      arr(4, 'batchNormTrain invStd', 'out', (a) => a[9], 'f32|f64'), arr(5, 'batchNormTrain x', 'in', (a) => a[8] * a[9]),
      arr(6, 'batchNormTrain gain', 'in', (a) => a[9], 'f32', true), arr(7, 'batchNormTrain bias', 'in', (a) => a[9], 'f32', true)],
    dims: [8, 9],
    call: (k, p, a) => { fn(k, 'batchNormTrain')(p[0], p[1], p[2], p[3], p[4], b(a[4] instanceof Float64Array), p[5], p[6], p[7], a[8], a[9], a[10], a[11], a[12] ?? 0); },
  },
  batchNormEval: {
    arrays: [arr(0, 'batchNormEval out', 'out', (a) => a[7] * a[8]), arr(1, 'batchNormEval x', 'in', (a) => a[7] * a[8]),
      arr(2, 'batchNormEval mean', 'in', (a) => a[8]), arr(3, 'batchNormEval varOrStd', 'in', (a) => a[8]),
      arr(5, 'batchNormEval gain', 'in', (a) => a[8], 'f32', true), arr(6, 'batchNormEval bias', 'in', (a) => a[8], 'f32', true)],
    dims: [7, 8],
    call: (k, p, a) => { fn(k, 'batchNormEval')(p[0], p[1], p[2], p[3], b(a[4]), p[4], p[5], a[7], a[8], a[9]); },
  },
  batchNormBackward: {
    arrays: [arr(0, 'batchNormBackward dx', 'inout', (a) => a[7] * a[8], 'f32', true), arr(1, 'batchNormBackward dGain', 'inout', (a) => a[8], 'f32', true),
      arr(2, 'batchNormBackward dBias', 'inout', (a) => a[8], 'f32', true), arr(3, 'batchNormBackward dy', 'in', (a) => a[7] * a[8]),
      arr(4, 'batchNormBackward xhat', 'in', (a) => a[7] * a[8]), arr(5, 'batchNormBackward invStd', 'in', (a) => a[8], 'f32|f64'),
      arr(6, 'batchNormBackward gain', 'in', (a) => a[8], 'f32', true)],
    dims: [7, 8],
    call: (k, p, a) => { fn(k, 'batchNormBackward')(p[0], p[1], p[2], p[3], p[4], p[5], b(a[5] instanceof Float64Array), p[6], a[7], a[8], a[9], a[10] ?? 0); },
  },
  // PyTorch-order column sums and the lecture's op-by-op batch norm (assembly/stepwise.ts): the
  // same float32 numbers as js/stepwise.ts bit for bit, four columns per f32x4.
  sumRows: {
    arrays: [arr(0, 'sumRows out', 'inout', (a) => a[3]), arr(1, 'sumRows a', 'in', (a) => a[2] * a[3])],
    dims: [2, 3],
    call: (k, p, a) => { fn(k, 'sumRows')(p[0], p[1], a[2], a[3], b(a[4])); },
  },
  batchNormStepwise: {
    arrays: [arr(0, 'batchNormStepwise out', 'out', (a) => a[8] * a[9]), arr(1, 'batchNormStepwise xhat', 'out', (a) => a[8] * a[9]),
      arr(2, 'batchNormStepwise mean', 'out', (a) => a[9]), arr(3, 'batchNormStepwise var', 'out', (a) => a[9]),
      arr(4, 'batchNormStepwise den', 'out', (a) => a[9]), arr(5, 'batchNormStepwise x', 'in', (a) => a[8] * a[9]),
      arr(6, 'batchNormStepwise gain', 'in', (a) => a[9], 'f32', true), arr(7, 'batchNormStepwise bias', 'in', (a) => a[9], 'f32', true)],
    dims: [8, 9],
    call: (k, p, a) => { fn(k, 'batchNormStepwise')(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], a[8], a[9], a[10]); },
  },
  batchNormStepwiseBackward: {
    // scratch is the JS kernel's; the wasm one recomputes what it would hold
    arrays: [arr(0, 'batchNormStepwiseBackward dx', 'inout', (a) => a[9] * a[10], 'f32', true),
      arr(1, 'batchNormStepwiseBackward dGain', 'inout', (a) => a[10], 'f32', true), arr(2, 'batchNormStepwiseBackward dBias', 'inout', (a) => a[10], 'f32', true),
      arr(3, 'batchNormStepwiseBackward dy', 'in', (a) => a[9] * a[10]), arr(4, 'batchNormStepwiseBackward x', 'in', (a) => a[9] * a[10]),
      arr(5, 'batchNormStepwiseBackward xhat', 'in', (a) => a[9] * a[10]), arr(6, 'batchNormStepwiseBackward mean', 'in', (a) => a[10]),
      arr(7, 'batchNormStepwiseBackward den', 'in', (a) => a[10]), arr(8, 'batchNormStepwiseBackward gain', 'in', (a) => a[10], 'f32', true)],
    dims: [9, 10],
    call: (k, p, a) => { fn(k, 'batchNormStepwiseBackward')(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], a[9], a[10]); },
  },
  batchNormEvalStepwise: {
    arrays: [arr(0, 'batchNormEvalStepwise out', 'out', (a) => a[6] * a[7]), arr(1, 'batchNormEvalStepwise x', 'in', (a) => a[6] * a[7]),
      arr(2, 'batchNormEvalStepwise mean', 'in', (a) => a[7]), arr(3, 'batchNormEvalStepwise var', 'in', (a) => a[7]),
      arr(4, 'batchNormEvalStepwise gain', 'in', (a) => a[7], 'f32', true), arr(5, 'batchNormEvalStepwise bias', 'in', (a) => a[7], 'f32', true)],
    dims: [6, 7],
    call: (k, p, a) => { fn(k, 'batchNormEvalStepwise')(p[0], p[1], p[2], p[3], p[4], p[5], a[6], a[7], a[8]); },
  },
  runningAverageStepwise: {
    arrays: [arr(0, 'runningAverageStepwise running', 'inout', lenOf0), arr(1, 'runningAverageStepwise batch', 'in', lenOf0)],
    call: (k, p, a) => { fn(k, 'runningAverageStepwise')(p[0], p[1], a[0].length, a[2]); },
  },
  batchNormEvalBackward: {
    arrays: [arr(0, 'batchNormEvalBackward dx', 'inout', (a) => a[9] * a[10], 'f32', true),
      arr(1, 'batchNormEvalBackward dGain', 'inout', (a) => a[10], 'f32', true), arr(2, 'batchNormEvalBackward dBias', 'inout', (a) => a[10], 'f32', true),
      arr(3, 'batchNormEvalBackward dy', 'in', (a) => a[9] * a[10]), arr(4, 'batchNormEvalBackward x', 'in', (a) => a[9] * a[10]),
      arr(5, 'batchNormEvalBackward mean', 'in', (a) => a[10]), arr(6, 'batchNormEvalBackward varOrStd', 'in', (a) => a[10]),
      arr(8, 'batchNormEvalBackward gain', 'in', (a) => a[10], 'f32', true)],
    dims: [9, 10],
    call: (k, p, a) => { fn(k, 'batchNormEvalBackward')(p[0], p[1], p[2], p[3], p[4], p[5], p[6], b(a[7]), p[7], a[9], a[10], a[11]); },
  },
  runningAverage: {
    arrays: [arr(0, 'runningAverage running', 'inout', lenOf0), arr(1, 'runningAverage batch', 'in', lenOf0)],
    call: (k, p, a) => { fn(k, 'runningAverage')(p[0], p[1], a[0].length, a[2], a[3]); },
  },
  // Per-row norms (LayerNorm, GroupNorm, InstanceNorm, RMSNorm): weight/bias hold period·cols values.
  rowNormForward: {
    arrays: [arr(0, 'rowNormForward out', 'out', (a) => a[6] * a[7]), arr(1, 'rowNormForward xhat', 'out', (a) => a[6] * a[7]),
      arr(2, 'rowNormForward invStd', 'out', (a) => a[6]), arr(3, 'rowNormForward x', 'in', (a) => a[6] * a[7]),
      arr(4, 'rowNormForward weight', 'in', (a) => a[8] * a[7], 'f32', true), arr(5, 'rowNormForward bias', 'in', (a) => a[8] * a[7], 'f32', true)],
    dims: [6, 7, 8],
    check: (a) => { if (a[8] < 1) throw new RangeError(`wasm backend: rowNormForward period must be at least 1, got ${a[8]}`); },
    call: (k, p, a) => { fn(k, 'rowNormForward')(p[0], p[1], p[2], p[3], p[4], p[5], a[6], a[7], a[8], a[9], b(a[10])); },
  },
  rowNormBackward: {
    arrays: [arr(0, 'rowNormBackward dx', 'inout', (a) => a[7] * a[8], 'f32', true), arr(1, 'rowNormBackward dWeight', 'inout', (a) => a[9] * a[8], 'f32', true),
      arr(2, 'rowNormBackward dBias', 'inout', (a) => a[9] * a[8], 'f32', true), arr(3, 'rowNormBackward dy', 'in', (a) => a[7] * a[8]),
      arr(4, 'rowNormBackward xhat', 'in', (a) => a[7] * a[8]), arr(5, 'rowNormBackward invStd', 'in', (a) => a[7]),
      arr(6, 'rowNormBackward weight', 'in', (a) => a[9] * a[8], 'f32', true)],
    dims: [7, 8, 9],
    check: (a) => { if (a[9] < 1) throw new RangeError(`wasm backend: rowNormBackward period must be at least 1, got ${a[9]}`); },
    call: (k, p, a) => { fn(k, 'rowNormBackward')(p[0], p[1], p[2], p[3], p[4], p[5], p[6], a[7], a[8], a[9], b(a[10])); },
  },
  softmaxRows: rowsKernel('softmaxRows'),
  logSoftmaxRows: rowsKernel('logSoftmaxRows'),
  softmaxBackward: rowsBackward('softmaxBackward'),
  logSoftmaxBackward: rowsBackward('logSoftmaxBackward'),
  crossEntropyForward: {
    arrays: [arr(0, 'crossEntropyForward logProbs', 'out', (a) => a[3] * a[4]), arr(1, 'crossEntropyForward logits', 'in', (a) => a[3] * a[4]),
      arr(2, 'crossEntropyForward targets', 'in', (a) => a[3], 'i32')],
    dims: [3, 4],
    call: (k, p, a, ctx) => {
      const loss = fn(k, 'crossEntropyForward')(p[0], p[1], p[2], a[3], a[4]);
      ctx.checkIndex(a[2], 'crossEntropyForward target', a[4]);
      return loss;
    },
  },
  crossEntropyRows: {
    arrays: [arr(0, 'crossEntropyRows nll', 'out', (a) => a[3]), arr(1, 'crossEntropyRows logits', 'in', (a) => a[3] * a[4]),
      arr(2, 'crossEntropyRows targets', 'in', (a) => a[3], 'i32')],
    dims: [3, 4],
    call: (k, p, a) => {
      const bad = fn(k, 'crossEntropyRows')(p[0], p[1], p[2], a[3], a[4]);
      if (bad >= 0) throw new RangeError(`wasm backend: crossEntropyRows: target ${a[2][bad]} at row ${bad} is outside [0, ${a[4]})`);
    },
  },
  crossEntropyBackward: {
    arrays: [arr(0, 'crossEntropyBackward dlogits', 'inout', (a) => a[3] * a[4]), arr(1, 'crossEntropyBackward logProbs', 'in', (a) => a[3] * a[4]),
      arr(2, 'crossEntropyBackward targets', 'in', (a) => a[3], 'i32')],
    dims: [3, 4],
    call: (k, p, a) => {
      const bad = fn(k, 'crossEntropyBackward')(p[0], p[1], p[2], a[3], a[4], a[5]);
      if (bad >= 0) throw new RangeError(`wasm backend: crossEntropyBackward: target ${a[2][bad]} at row ${bad} is outside [0, ${a[4]})`);
    },
  },

  // ---- the sequence models' ops ----
  matmulBatched: {
    arrays: [
      arr(1, 'matmulBatched out', 'inout', (a) => stridedLen(a[7], a[8], mmBlocks(a)[0])),
      arr(2, 'matmulBatched a', 'in', (a) => stridedLen(a[7], a[9], mmBlocks(a)[1])),
      arr(3, 'matmulBatched b', 'in', (a) => stridedLen(a[7], a[10], mmBlocks(a)[2])),
    ],
    dims: [4, 5, 6, 7, 8, 9, 10],
    before: (ctx, a) => { if (a[0] === 'nt') ctx.reservePack(a[4], a[5], a[6]); },
    js: (a) => a[7].length > MAX_DIMS,
    skip: (a) => total(a[7]) === 0 || mmBlocks(a)[0] === 0,
    check: (a) => { if (a[8].length !== a[7].length || a[9].length !== a[7].length || a[10].length !== a[7].length) throw new RangeError('wasm backend: matmulBatched needs one stride per batch dimension'); },
    call: (k, p, a, ctx) => {
      const [layout, , , , m, kk, n, shape, os, as, bs] = a;
      const nd = shape.length;
      const meta = ctx.metaView(4 * nd);
      for (let d = 0; d < nd; d++) { meta[d] = shape[d]; meta[nd + d] = os[d]; meta[2 * nd + d] = as[d]; meta[3 * nd + d] = bs[d]; }
      fn(k, 'matmulBatched')(opCode(MATMUL_LAYOUTS, layout, 'matmul layout'), p[0], p[1], p[2], m, kk, n, nd, ctx.meta, b(a[11]), layout === 'nt' ? ctx.packPtr(kk, n) : 0);
    },
  },
  copyStrided: {
    arrays: [arr(0, 'copyStrided out', 'inout', (a) => stridedLen(a[2], a[3], 1)), arr(1, 'copyStrided a', 'in', (a) => stridedLen(a[2], a[4], 1))],
    dims: [2, 3, 4],
    js: (a) => a[2].length > MAX_DIMS || a[2].length === 0,
    skip: (a) => total(a[2]) === 0,
    check: (a) => { if (a[3].length !== a[2].length || a[4].length !== a[2].length) throw new RangeError('wasm backend: copyStrided needs one stride per dimension'); },
    call: (k, p, a, ctx) => {
      const [, , shape, os, as] = a;
      const nd = shape.length;
      const meta = ctx.metaView(3 * nd);
      for (let d = 0; d < nd; d++) { meta[d] = shape[d]; meta[nd + d] = os[d]; meta[2 * nd + d] = as[d]; }
      fn(k, 'copyStrided')(p[0], p[1], nd, ctx.meta, b(a[5]));
    },
  },
  causalSoftmaxRows: {
    arrays: [arr(0, 'causalSoftmaxRows out', 'out', (a) => a[2] * a[3]), arr(1, 'causalSoftmaxRows x', 'in', (a) => a[2] * a[3])],
    dims: [2, 3, 4],
    check: (a) => { if (a[4] < 1) throw new RangeError(`wasm backend: causalSoftmaxRows period must be at least 1, got ${a[4]}`); },
    call: (k, p, a) => { fn(k, 'causalSoftmaxRows')(p[0], p[1], a[2], a[3], a[4]); },
  },
  gelu: activation('gelu'),
  geluBackward: activationBackward('geluBackward', 'x'),
  sigmoid: activation('sigmoid'),
  sigmoidBackward: activationBackward('sigmoidBackward', 'y'),
  crossEntropyMaskedForward: {
    arrays: [arr(0, 'crossEntropyMaskedForward probs', 'out', (a) => a[3] * a[4]), arr(1, 'crossEntropyMaskedForward logits', 'in', (a) => a[3] * a[4]),
      arr(2, 'crossEntropyMaskedForward targets', 'in', (a) => a[3], 'i32')],
    dims: [3, 4],
    check: (a) => { if (!Number.isInteger(a[5])) throw new RangeError(`wasm backend: ignoreIndex must be an integer, got ${a[5]}`); },
    call: (k, p, a, ctx) => {
      const loss = fn(k, 'crossEntropyMaskedForward')(p[0], p[1], p[2], a[3], a[4], a[5]);
      ctx.checkIndex(a[2], 'crossEntropyMaskedForward target', a[4]);
      return loss;
    },
  },
  crossEntropyMaskedBackward: {
    arrays: [arr(0, 'crossEntropyMaskedBackward dlogits', 'inout', (a) => a[3] * a[4]), arr(1, 'crossEntropyMaskedBackward probs', 'in', (a) => a[3] * a[4]),
      arr(2, 'crossEntropyMaskedBackward targets', 'in', (a) => a[3], 'i32')],
    dims: [3, 4],
    check: (a) => { if (!Number.isInteger(a[5])) throw new RangeError(`wasm backend: ignoreIndex must be an integer, got ${a[5]}`); },
    call: (k, p, a, ctx) => {
      fn(k, 'crossEntropyMaskedBackward')(p[0], p[1], p[2], a[3], a[4], a[5], a[6]);
      ctx.checkIndex(a[2], 'crossEntropyMaskedBackward target', a[4]);
    },
  },

  lookupCrossEntropyForward: {
    arrays: [arr(0, 'lookupCrossEntropyForward saved', 'out', (a) => 2 * a[4] * a[5]), arr(1, 'lookupCrossEntropyForward table', 'in', (a) => a[4] * a[5]),
      arr(2, 'lookupCrossEntropyForward idx', 'in', (a) => a[2].length, 'i32'), arr(3, 'lookupCrossEntropyForward targets', 'in', (a) => a[2].length, 'i32')],
    dims: [4, 5],
    check: (a) => checkLookupArgs(a[2], a[3], a[6]),
    call: (k, p, a) => {
      const loss = fn(k, 'lookupCrossEntropyForward')(p[0], p[1], p[2], p[3], a[2].length, a[4], a[5], a[6]);
      throwLookupError(k, a[2], a[3], a[4], a[5], 'lookupCrossEntropyForward');
      return loss;
    },
  },
  lookupCrossEntropyBackward: {
    arrays: [arr(0, 'lookupCrossEntropyBackward gradTable', 'inout', (a) => a[4] * a[5]), arr(1, 'lookupCrossEntropyBackward saved', 'in', (a) => 2 * a[4] * a[5]),
      arr(2, 'lookupCrossEntropyBackward idx', 'in', (a) => a[2].length, 'i32'), arr(3, 'lookupCrossEntropyBackward targets', 'in', (a) => a[2].length, 'i32')],
    dims: [4, 5],
    check: (a) => checkLookupArgs(a[2], a[3], a[6]),
    call: (k, p, a) => {
      fn(k, 'lookupCrossEntropyBackward')(p[0], p[1], p[2], p[3], a[2].length, a[4], a[5], a[6], a[7]);
      throwLookupError(k, a[2], a[3], a[4], a[5], 'lookupCrossEntropyBackward');
    },
  },

  // ---- optimizer updates: the bias corrections (pow) are computed here, so both backends share them ----
  adamwStep: {
    arrays: [arr(0, 'adamwStep p', 'inout', lenOf0), arr(1, 'adamwStep g', 'in', lenOf0), arr(2, 'adamwStep m', 'inout', lenOf0),
      arr(3, 'adamwStep v', 'inout', lenOf0)],
    check: (a) => { if (!(Number.isInteger(a[9]) && a[9] >= 1)) throw new RangeError(`wasm backend: adamwStep step must be a positive integer, got ${a[9]}`); },
    call: (k, p, a) => {
      const [, , , , lr, beta1, beta2, eps, wd, t] = a;
      fn(k, 'adamwStep')(p[0], p[1], p[2], p[3], a[0].length, 1 - lr * wd, beta1, beta2, eps, lr / (1 - beta1 ** t), Math.sqrt(1 - beta2 ** t));
    },
  },
  sgdMomentumStep: {
    arrays: [arr(0, 'sgdMomentumStep p', 'inout', lenOf0), arr(1, 'sgdMomentumStep g', 'in', lenOf0), arr(2, 'sgdMomentumStep buf', 'inout', lenOf0)],
    call: (k, p, a) => { fn(k, 'sgdMomentumStep')(p[0], p[1], p[2], a[0].length, a[3], a[4], a[5], a[6], b(a[7]), b(a[8])); },
  },
  sumSquares: {
    arrays: [arr(0, 'sumSquares a', 'in', lenOf0)],
    call: (k, p, a) => fn(k, 'sumSquares')(p[0], a[0].length),
  },
};

function rowsKernel(name: 'softmaxRows' | 'logSoftmaxRows'): KernelSpec<Args<'softmaxRows'>, void> {
  return {
    arrays: [arr(0, `${name} out`, 'out', (a) => a[2] * a[3]), arr(1, `${name} x`, 'in', (a) => a[2] * a[3])],
    dims: [2, 3],
    call: (k, p, a) => { fn(k, name)(p[0], p[1], a[2], a[3]); },
  };
}

function rowsBackward(name: 'softmaxBackward' | 'logSoftmaxBackward'): KernelSpec<Args<'softmaxBackward'>, void> {
  return {
    arrays: [arr(0, `${name} dx`, 'inout', (a) => a[3] * a[4]), arr(1, `${name} dy`, 'in', (a) => a[3] * a[4]), arr(2, `${name} y`, 'in', (a) => a[3] * a[4])],
    dims: [3, 4],
    call: (k, p, a) => { fn(k, name)(p[0], p[1], p[2], a[3], a[4]); },
  };
}

function activation(name: 'gelu' | 'sigmoid'): KernelSpec<Args<'gelu'>, void> {
  return {
    arrays: [arr(0, `${name} out`, 'out', lenOf1), arr(1, `${name} a`, 'in', lenOf1)],
    call: (k, p, a) => { fn(k, name)(p[0], p[1], a[1].length); },
  };
}

/** dx += dy·f′, f′ from the input x (GELU) or the output y (sigmoid). */
function activationBackward(name: 'geluBackward' | 'sigmoidBackward', saved: 'x' | 'y'): KernelSpec<Args<'geluBackward'>, void> {
  return {
    arrays: [arr(0, `${name} dx`, 'inout', lenOf0), arr(1, `${name} dy`, 'in', lenOf0), arr(2, `${name} ${saved}`, 'in', lenOf0)],
    call: (k, p, a) => { fn(k, name)(p[0], p[1], p[2], a[0].length); },
  };
}

function checkLookupArgs(idx: ArrayLike<number>, targets: ArrayLike<number>, ignoreIndex: number): void {
  if (targets.length !== idx.length) throw new RangeError(`wasm backend: lookupCrossEntropy: ${idx.length} indexes but ${targets.length} targets`);
  if (!Number.isInteger(ignoreIndex)) throw new RangeError(`wasm backend: ignoreIndex must be an integer, got ${ignoreIndex}`);
}

/** The lookup kernels' errIndex: p at a bad idx[p], n + p at a bad targets[p]. */
function throwLookupError(k: Exports, idx: ArrayLike<number>, targets: ArrayLike<number>, rows: number, cols: number, what: string): void {
  const e = k.errIndex.value as number;
  if (e < 0) return;
  const n = idx.length;
  if (e < n) throw new RangeError(`wasm backend: ${what} idx: index ${idx[e]} at position ${e} is outside [0, ${rows})`);
  throw new RangeError(`wasm backend: ${what} target: index ${targets[e - n]} at position ${e - n} is outside [0, ${cols})`);
}
