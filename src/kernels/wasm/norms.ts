// The wasm bindings of the per-row norm kernels (assembly/norms.ts). Like every method of the
// wasm backend: float32 arrays in wasm memory run in place, JS-heap float32 arrays go through
// scratch memory (host.marshal), any Float64Array delegates to the JS backend; sizes are checked
// before the kernel touches memory.
import { jsBackend } from '../js/index.js';
import type { Backend, FloatArray } from '../types.js';
import type { WasmArray } from './memory.js';

/** The two exports of the kernel module (addresses are byte offsets; 0 = null). */
interface NormExports {
  rowNormForward(out: number, xhat: number, invStd: number, x: number, weight: number, bias: number,
    rows: number, cols: number, period: number, eps: number, centered: boolean): void;
  rowNormBackward(dx: number, dWeight: number, dBias: number, dy: number, xhat: number, invStd: number,
    weight: number, rows: number, cols: number, period: number, centered: boolean): void;
}

/** What the backend lends these bindings: its module exports and its argument marshalling. */
export interface NormHost {
  readonly exports: NormExports;
  /** Runs fn with byte addresses of args; modes[i]: 1 copy in, 2 copy out, 3 both (JS-heap arrays only). */
  marshal(args: readonly (WasmArray | null)[], modes: readonly number[], fn: (p: number[]) => void): void;
  /** A live view of an array the heap allocated (memory growth detaches views). */
  resolve<T extends WasmArray>(a: T | null): T | null;
}

export type NormKernels = Pick<Backend, 'rowNormForward' | 'rowNormBackward'>;

const IN = 1, OUT = 2, INOUT = 3;

function checkSizes(what: string, names: readonly string[], args: readonly (FloatArray | null)[], sizes: readonly number[],
  rows: number, cols: number, period: number): void {
  for (const d of [rows, cols, period]) {
    if (!Number.isInteger(d) || d < 0 || d > 0x7fffffff) throw new RangeError(`wasm backend: bad size ${d}`);
  }
  if (period < 1) throw new RangeError(`wasm backend: ${what} period must be at least 1, got ${period}`);
  args.forEach((a, i) => {
    if (a !== null && a.length < sizes[i]) throw new RangeError(`wasm backend: ${what} ${names[i]} has ${a.length} elements, needs ${sizes[i]}`);
  });
}

const isF64 = (a: FloatArray | null): boolean => a instanceof Float64Array;

export function normKernels(host: NormHost): NormKernels {
  const k = host.exports;
  return {
    rowNormForward(out, xhat, invStd, x, weight, bias, rows, cols, period, eps, centered) {
      if ([out, xhat, invStd, x, weight, bias].some(isF64)) {
        jsBackend.rowNormForward(out, xhat, invStd, x, weight, bias, rows, cols, period, eps, centered);
        return;
      }
      const args = [out, xhat, invStd, x, weight, bias].map((a) => host.resolve(a as Float32Array | null));
      const n = rows * cols, p = period * cols;
      checkSizes('rowNormForward', ['out', 'xhat', 'invStd', 'x', 'weight', 'bias'], args, [n, n, rows, n, p, p], rows, cols, period);
      host.marshal(args, [OUT, OUT, OUT, IN, IN, IN], (q) =>
        k.rowNormForward(q[0], q[1], q[2], q[3], q[4], q[5], rows, cols, period, eps, centered));
    },
    rowNormBackward(dx, dWeight, dBias, dy, xhat, invStd, weight, rows, cols, period, centered) {
      if ([dx, dWeight, dBias, dy, xhat, invStd, weight].some(isF64)) {
        jsBackend.rowNormBackward(dx, dWeight, dBias, dy, xhat, invStd, weight, rows, cols, period, centered);
        return;
      }
      const args = [dx, dWeight, dBias, dy, xhat, invStd, weight].map((a) => host.resolve(a as Float32Array | null));
      const n = rows * cols, p = period * cols;
      checkSizes('rowNormBackward', ['dx', 'dWeight', 'dBias', 'dy', 'xhat', 'invStd', 'weight'], args, [n, p, p, n, n, rows, p], rows, cols, period);
      host.marshal(args, [INOUT, INOUT, INOUT, IN, IN, IN, IN], (q) =>
        k.rowNormBackward(q[0], q[1], q[2], q[3], q[4], q[5], q[6], rows, cols, period, centered));
    },
  };
}
