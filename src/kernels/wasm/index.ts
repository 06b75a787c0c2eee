// The WebAssembly SIMD backend: the kernels of assembly/*.ts (AssemblyScript, f32x4), compiled by
// scripts/build-wasm.mjs into ./binary.ts and instantiated synchronously.
//
// Arguments. Every method accepts any Float32Array / Float64Array / Int32Array, like the JS backend:
//   - all float arguments float32 (int arguments int32) and views into this backend's memory
//     (allocFloat32 / allocInt32): the kernel runs on them in place, no copies;
//   - any Float64Array among the float arguments (gradient checks): the JS backend does the call
//     (batch norm's invStd is the exception: a float64 invStd is supported by the wasm kernels);
//   - float32/int32 arrays on the JS heap: copied into scratch wasm memory, run, copied back.
// Sizes are checked before a kernel touches memory (RangeError), and so are gather/scatter
// indexes and cross-entropy targets, which the JS backend would read out of range as NaN.
//
// Memory growth detaches views: see ./memory.ts. The backend itself takes fresh views of
// memory.buffer on every call, and accepts views detached by growth that it allocated.
import type { Backend, BinaryOp, FloatArray, IntArray, UnaryOp } from '../types.js';
import { jsBackend } from '../js/index.js';
import { wasmBase64 } from './binary.js';
import { WasmHeap, type HeapStats, type WasmArray } from './memory.js';
import { normKernels, type NormHost, type NormKernels } from './norms.js';

export { WasmHeap, type HeapStats, type WasmArray } from './memory.js';

interface Kernels {
  heapBase(): number;
  errIndex: WebAssembly.Global;
  matmul(out: number, a: number, b: number, m: number, k: number, n: number, acc: boolean): void;
  matmulTransA(out: number, a: number, b: number, m: number, k: number, n: number, acc: boolean): void;
  matmulTransB(out: number, a: number, b: number, m: number, k: number, n: number, acc: boolean, scratch: number): void;
  transBPacks(m: number, k: number, n: number): number;
  binary(op: number, out: number, a: number, b: number, nd: number, meta: number): void;
  binaryScalar(op: number, out: number, a: number, n: number, s: number, rev: boolean): void;
  unary(op: number, out: number, a: number, n: number): void;
  mulInto(out: number, a: number, b: number, n: number, acc: boolean): void;
  axpy(out: number, a: number, n: number, s: number): void;
  sgdStep(p: number, g: number, n: number, lr: number): void;
  tanhBackward(dx: number, dy: number, y: number, n: number): void;
  sumAxis(out: number, a: number, outer: number, dim: number, inner: number, acc: boolean): void;
  broadcastAxis(out: number, g: number, outer: number, dim: number, inner: number, scale: number): void;
  varAxis(varOut: number, meanOut: number, a: number, outer: number, dim: number, inner: number, correction: number): void;
  batchNormTrain(out: number, xhat: number, mean: number, vr: number, invStd: number, invF64: boolean,
    x: number, gain: number, bias: number, n: number, f: number, eps: number, correction: number): void;
  batchNormEval(out: number, x: number, mean: number, varOrStd: number, isStd: boolean,
    gain: number, bias: number, n: number, f: number, eps: number): void;
  batchNormBackward(dx: number, dGain: number, dBias: number, dy: number, xhat: number, invStd: number, invF64: boolean,
    gain: number, n: number, f: number, correction: number): void;
  gatherRows(out: number, table: number, idx: number, count: number, rowLen: number, rows: number): void;
  scatterAddRows(grad: number, g: number, idx: number, count: number, rowLen: number, rows: number): void;
  softmaxRows(out: number, x: number, rows: number, cols: number): void;
  logSoftmaxRows(out: number, x: number, rows: number, cols: number): void;
  crossEntropyForward(probs: number, logits: number, targets: number, rows: number, cols: number): number;
  crossEntropyBackward(dlogits: number, probs: number, targets: number, rows: number, cols: number, scale: number): number;
}

const BINARY_OPS: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };
const UNARY_OPS: Record<UnaryOp, number> = { neg: 0, exp: 1, log: 2, log10: 3, tanh: 4, sqrt: 5, abs: 6 };
const MAX_DIMS = 32;

let cachedBytes: Uint8Array<ArrayBuffer> | null = null;
let cachedModule: WebAssembly.Module | null = null;

function wasmBytes(): Uint8Array<ArrayBuffer> {
  if (cachedBytes === null) {
    const s = atob(wasmBase64);
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    cachedBytes = b;
  }
  return cachedBytes;
}

/** Whether this engine runs the kernel module (WebAssembly with SIMD). */
export function wasmSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(wasmBytes());
  } catch {
    return false;
  }
}

export interface WasmBackendOptions {
  /** Initial linear memory in MiB (default 64); it grows when needed. */
  initialMiB?: number;
}

/** The backend plus the allocator of its memory. */
export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** The linear memory. Growth replaces memory.buffer and detaches views into the old one. */
  readonly memory: WebAssembly.Memory;
  readonly heap: WasmHeap;
  /** A zeroed float32 array in wasm memory: kernels on such arrays run without copies. */
  allocFloat32(n: number): Float32Array;
  allocInt32(n: number): Int32Array;
  allocFloat64(n: number): Float64Array;
  /** Returns an array from alloc* (also after growth detached it); reuses the block later. */
  free(a: WasmArray): void;
  /** Whether `a` is a live view into wasm memory (kernels on it need no copies). */
  isWasm(a: WasmArray): boolean;
  /** A fresh view of an alloc* array after memory growth (the same array if still live). */
  refresh<T extends WasmArray>(a: T): T;
  /** Calls `listener` after each memory growth; returns an unsubscribe function. */
  onGrow(listener: () => void): () => void;
  stats(): HeapStats;
}

/** Creates a backend with its own memory and module instance (synchronous). */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  return new WasmKernels(options);
}

const IN = 1;
const OUT = 2;
const INOUT = 3;

type Arg = WasmArray | null;

function lengthError(what: string, have: number, need: number): RangeError {
  return new RangeError(`wasm backend: ${what} has ${have} elements, needs ${need}`);
}

function checkDims(...dims: number[]): void {
  for (const d of dims) if (!Number.isInteger(d) || d < 0 || d > 0x7fffffff) throw new RangeError(`wasm backend: bad size ${d}`);
}

// The per-row norm methods come from ./norms.ts (assigned in the constructor).
interface WasmKernels extends NormKernels {}

class WasmKernels implements WasmBackend {
  readonly name = 'wasm' as const;
  readonly memory: WebAssembly.Memory;
  readonly heap: WasmHeap;
  private readonly k: Kernels;
  private readonly meta: number; // scratch for binary's shape/strides (i32[4·MAX_DIMS])
  private scratchPtr = 0;
  private scratchBytes = 0;
  private packPtr = 0;
  private packBytes = 0;

  constructor(options: WasmBackendOptions) {
    if (cachedModule === null) cachedModule = new WebAssembly.Module(wasmBytes());
    const pages = Math.max(1, Math.ceil(((options.initialMiB ?? 64) * 1024 * 1024) / 65536));
    this.memory = new WebAssembly.Memory({ initial: pages });
    const instance = new WebAssembly.Instance(cachedModule, { env: { memory: this.memory } });
    this.k = instance.exports as unknown as Kernels;
    this.heap = new WasmHeap(this.memory, this.k.heapBase());
    this.meta = this.heap.allocBytes(16 * MAX_DIMS);
    Object.assign(this, normKernels({ exports: this.k as unknown as NormHost['exports'], marshal: (a, m, fn) => this.marshal(a, m, fn), resolve: (a) => this.res(a) }));
  }

  // ---- allocator ----
  allocFloat32(n: number): Float32Array { return this.heap.alloc(Float32Array, n); }
  allocInt32(n: number): Int32Array { return this.heap.alloc(Int32Array, n); }
  allocFloat64(n: number): Float64Array { return this.heap.alloc(Float64Array, n); }
  free(a: WasmArray): void { this.heap.free(a); }
  isWasm(a: WasmArray): boolean { return a.buffer === this.heap.buffer; }
  refresh<T extends WasmArray>(a: T): T { return this.heap.refresh(a); }
  onGrow(listener: () => void): () => void { return this.heap.onGrow(listener); }
  stats(): HeapStats { return this.heap.stats(); }

  // ---- argument marshalling (the slow path) ----

  /**
   * Runs `fn` with the byte addresses of `args`: views into wasm memory by address, JS-heap arrays
   * through scratch wasm memory (copied in when mode has IN, back when it has OUT). Null → 0.
   */
  private marshal<R>(args: readonly Arg[], modes: readonly number[], fn: (p: number[]) => R): R {
    const n = args.length;
    const ptrs = new Array<number>(n).fill(0);
    const copied: number[] = [];
    let need = 0;
    for (let i = 0; i < n; i++) {
      const a = args[i];
      if (a === null) continue;
      if (a.buffer === this.heap.buffer) ptrs[i] = a.byteOffset;
      else { copied.push(i); need += Math.ceil(a.byteLength / 16) * 16; }
    }
    if (copied.length > 0) {
      const base = this.scratch(need); // may grow memory: addresses stay valid, views do not
      let off = base;
      for (const i of copied) {
        const a = args[i]!;
        ptrs[i] = off;
        if (modes[i] & IN) this.viewLike(a, off).set(a as never);
        off += Math.ceil(a.byteLength / 16) * 16;
      }
    }
    const r = fn(ptrs);
    for (const i of copied) {
      if (modes[i] & OUT) {
        const a = args[i]!;
        a.set(this.viewLike(a, ptrs[i]) as never);
      }
    }
    return r;
  }

  private viewLike(a: WasmArray, ptr: number): WasmArray {
    const buf = this.heap.buffer;
    if (a instanceof Float32Array) return new Float32Array(buf, ptr, a.length);
    if (a instanceof Int32Array) return new Int32Array(buf, ptr, a.length);
    return new Float64Array(buf, ptr, a.length);
  }

  private scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchBytes > 0) this.heap.freeBytesAt(this.scratchPtr);
      const size = Math.max(bytes, this.scratchBytes * 2, 4096);
      this.scratchPtr = this.heap.allocBytes(size);
      this.scratchBytes = size;
    }
    return this.scratchPtr;
  }

  /** Re-creates views this heap allocated that growth has detached. */
  private res<T extends WasmArray>(a: T): T;
  private res<T extends WasmArray>(a: T | null): T | null;
  private res<T extends WasmArray>(a: T | null): T | null { return a === null ? null : this.heap.resolve(a); }

  private f32(a: FloatArray): a is Float32Array { return a.buffer === this.heap.buffer && a instanceof Float32Array; }
  private i32(a: IntArray): boolean { return a.buffer === this.heap.buffer && a instanceof Int32Array; }

  // ---- matmul family ----

  matmul(out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number, accumulate: boolean): void {
    this.mm(0, out, a, b, m, k, n, accumulate);
  }

  matmulTransA(out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number, accumulate: boolean): void {
    this.mm(1, out, a, b, m, k, n, accumulate);
  }

  matmulTransB(out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number, accumulate: boolean): void {
    this.mm(2, out, a, b, m, k, n, accumulate);
  }

  private mm(layout: number, out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number, acc: boolean): void {
    const no = layout === 0 ? m * n : layout === 1 ? k * n : m * k;
    const na = layout === 2 ? m * n : m * k;
    const nb = layout === 1 ? m * n : k * n;
    // matmulTransB with a short shared axis transposes b into a scratch block first. Reserve it
    // before looking at the arguments: if that grows memory, they are re-resolved below.
    if (layout === 2) this.packFor(m, k, n);
    if (this.f32(out) && this.f32(a) && this.f32(b)) {
      if (out.length < no || a.length < na || b.length < nb) this.mmSizes(out, a, b, no, na, nb, m, k, n);
      this.mmCall(layout, out.byteOffset, a.byteOffset, b.byteOffset, m, k, n, acc);
      return;
    }
    if (out instanceof Float64Array || a instanceof Float64Array || b instanceof Float64Array) {
      const js = layout === 0 ? jsBackend.matmul : layout === 1 ? jsBackend.matmulTransA : jsBackend.matmulTransB;
      js(out, a, b, m, k, n, acc);
      return;
    }
    out = this.res(out); a = this.res(a); b = this.res(b);
    this.mmSizes(out, a, b, no, na, nb, m, k, n);
    this.marshal([out, a, b], [acc ? INOUT : OUT, IN, IN], (p) => this.mmCall(layout, p[0], p[1], p[2], m, k, n, acc));
  }

  private mmSizes(out: FloatArray, a: FloatArray, b: FloatArray, no: number, na: number, nb: number, m: number, k: number, n: number): void {
    checkDims(m, k, n);
    if (out.length < no) throw lengthError('matmul out', out.length, no);
    if (a.length < na) throw lengthError('matmul a', a.length, na);
    if (b.length < nb) throw lengthError('matmul b', b.length, nb);
  }

  private mmCall(layout: number, out: number, a: number, b: number, m: number, k: number, n: number, acc: boolean): void {
    if (layout === 0) this.k.matmul(out, a, b, m, k, n, acc);
    else if (layout === 1) this.k.matmulTransA(out, a, b, m, k, n, acc);
    else this.k.matmulTransB(out, a, b, m, k, n, acc, this.packBytes >= 4 * k * n ? this.packPtr : 0);
  }

  /** Makes the transpose scratch of matmulTransB big enough when the kernel will want it. */
  private packFor(m: number, k: number, n: number): void {
    const bytes = 4 * k * n;
    if (bytes <= this.packBytes || !Number.isInteger(bytes) || !this.k.transBPacks(m, k, n)) return;
    if (this.packBytes > 0) this.heap.freeBytesAt(this.packPtr);
    this.packBytes = 0;
    const size = Math.max(bytes, 16384);
    this.packPtr = this.heap.allocBytes(size);
    this.packBytes = size;
  }

  // ---- elementwise ----

  binary(op: BinaryOp, out: FloatArray, a: FloatArray, aStrides: readonly number[], b: FloatArray, bStrides: readonly number[], shape: readonly number[]): void {
    const nd = shape.length;
    if (out instanceof Float64Array || a instanceof Float64Array || b instanceof Float64Array || nd > MAX_DIMS) {
      jsBackend.binary(op, out, a, aStrides, b, bStrides, shape);
      return;
    }
    const code = BINARY_OPS[op];
    if (code === undefined) throw new Error(`wasm backend: unknown binary op ${op}`);
    // Bounds: the output is contiguous over prod(shape); inputs are reached through their strides.
    let total = 1, aLo = 0, aHi = 0, bLo = 0, bHi = 0;
    for (let d = 0; d < nd; d++) {
      const s = shape[d], sa = aStrides[d], sb = bStrides[d];
      checkDims(s);
      if (!Number.isInteger(sa) || !Number.isInteger(sb)) throw new RangeError('wasm backend: binary strides must be integers');
      total *= s;
      if (s > 0) {
        if (sa > 0) aHi += sa * (s - 1); else aLo += sa * (s - 1);
        if (sb > 0) bHi += sb * (s - 1); else bLo += sb * (s - 1);
      }
    }
    if (total === 0) return;
    if (!this.f32(out) || !this.f32(a) || !this.f32(b)) { out = this.res(out); a = this.res(a); b = this.res(b); }
    if (out.length < total) throw lengthError('binary out', out.length, total);
    if (aLo < 0 || a.length <= aHi) throw lengthError('binary a', a.length, aHi + 1);
    if (bLo < 0 || b.length <= bHi) throw lengthError('binary b', b.length, bHi + 1);
    const meta = new Int32Array(this.heap.buffer, this.meta, 3 * nd);
    for (let d = 0; d < nd; d++) { meta[d] = shape[d]; meta[nd + d] = aStrides[d]; meta[2 * nd + d] = bStrides[d]; }
    if (this.f32(out) && this.f32(a) && this.f32(b)) {
      this.k.binary(code, out.byteOffset, a.byteOffset, b.byteOffset, nd, this.meta);
      return;
    }
    // The scratch may grow memory, but meta is read by address, so it survives.
    this.marshal([out, a, b], [OUT, IN, IN], (p) => this.k.binary(code, p[0], p[1], p[2], nd, this.meta));
  }

  binaryScalar(op: BinaryOp, out: FloatArray, a: FloatArray, s: number, reversed: boolean): void {
    const code = BINARY_OPS[op];
    if (code === undefined) throw new Error(`wasm backend: unknown binary op ${op}`);
    if (this.f32(out) && this.f32(a) && a.length >= out.length) {
      this.k.binaryScalar(code, out.byteOffset, a.byteOffset, out.length, s, reversed);
      return;
    }
    if (out instanceof Float64Array || a instanceof Float64Array) { jsBackend.binaryScalar(op, out, a, s, reversed); return; }
    out = this.res(out); a = this.res(a);
    const n = out.length;
    if (a.length < n) throw lengthError('binaryScalar a', a.length, n);
    this.marshal([out, a], [OUT, IN], (p) => this.k.binaryScalar(code, p[0], p[1], n, s, reversed));
  }

  unary(op: UnaryOp, out: FloatArray, a: FloatArray): void {
    const code = UNARY_OPS[op];
    if (code === undefined) throw new Error(`wasm backend: unknown unary op ${op}`);
    if (this.f32(out) && this.f32(a) && a.length >= out.length) {
      this.k.unary(code, out.byteOffset, a.byteOffset, out.length);
      return;
    }
    if (out instanceof Float64Array || a instanceof Float64Array) { jsBackend.unary(op, out, a); return; }
    out = this.res(out); a = this.res(a);
    const n = out.length;
    if (a.length < n) throw lengthError('unary a', a.length, n);
    this.marshal([out, a], [OUT, IN], (p) => this.k.unary(code, p[0], p[1], n));
  }

  mulInto(out: FloatArray, a: FloatArray, b: FloatArray, accumulate: boolean): void {
    if (this.f32(out) && this.f32(a) && this.f32(b) && a.length >= out.length && b.length >= out.length) {
      this.k.mulInto(out.byteOffset, a.byteOffset, b.byteOffset, out.length, accumulate);
      return;
    }
    if (out instanceof Float64Array || a instanceof Float64Array || b instanceof Float64Array) { jsBackend.mulInto(out, a, b, accumulate); return; }
    out = this.res(out); a = this.res(a); b = this.res(b);
    const n = out.length;
    if (a.length < n) throw lengthError('mulInto a', a.length, n);
    if (b.length < n) throw lengthError('mulInto b', b.length, n);
    this.marshal([out, a, b], [accumulate ? INOUT : OUT, IN, IN], (p) => this.k.mulInto(p[0], p[1], p[2], n, accumulate));
  }

  axpy(out: FloatArray, a: FloatArray, s: number): void {
    if (this.f32(out) && this.f32(a) && a.length >= out.length) {
      this.k.axpy(out.byteOffset, a.byteOffset, out.length, s);
      return;
    }
    if (out instanceof Float64Array || a instanceof Float64Array) { jsBackend.axpy(out, a, s); return; }
    out = this.res(out); a = this.res(a);
    const n = out.length;
    if (a.length < n) throw lengthError('axpy a', a.length, n);
    this.marshal([out, a], [INOUT, IN], (p) => this.k.axpy(p[0], p[1], n, s));
  }

  tanhBackward(dx: FloatArray, dy: FloatArray, y: FloatArray): void {
    if (this.f32(dx) && this.f32(dy) && this.f32(y) && dy.length >= dx.length && y.length >= dx.length) {
      this.k.tanhBackward(dx.byteOffset, dy.byteOffset, y.byteOffset, dx.length);
      return;
    }
    if (dx instanceof Float64Array || dy instanceof Float64Array || y instanceof Float64Array) { jsBackend.tanhBackward(dx, dy, y); return; }
    dx = this.res(dx); dy = this.res(dy); y = this.res(y);
    const n = dx.length;
    if (dy.length < n) throw lengthError('tanhBackward dy', dy.length, n);
    if (y.length < n) throw lengthError('tanhBackward y', y.length, n);
    this.marshal([dx, dy, y], [INOUT, IN, IN], (p) => this.k.tanhBackward(p[0], p[1], p[2], n));
  }

  sgdStep(p: FloatArray, g: FloatArray, lr: number): void {
    if (this.f32(p) && this.f32(g) && g.length >= p.length) {
      this.k.sgdStep(p.byteOffset, g.byteOffset, p.length, lr);
      return;
    }
    if (p instanceof Float64Array || g instanceof Float64Array) { jsBackend.sgdStep(p, g, lr); return; }
    p = this.res(p); g = this.res(g);
    const n = p.length;
    if (g.length < n) throw lengthError('sgdStep g', g.length, n);
    this.marshal([p, g], [INOUT, IN], (q) => this.k.sgdStep(q[0], q[1], n, lr));
  }

  // ---- reductions ----

  sumAxis(out: FloatArray, a: FloatArray, outer: number, dim: number, inner: number, accumulate: boolean): void {
    if (out instanceof Float64Array || a instanceof Float64Array) { jsBackend.sumAxis(out, a, outer, dim, inner, accumulate); return; }
    checkDims(outer, dim, inner);
    if (!this.f32(out) || !this.f32(a)) { out = this.res(out); a = this.res(a); }
    if (out.length < outer * inner) throw lengthError('sumAxis out', out.length, outer * inner);
    if (a.length < outer * dim * inner) throw lengthError('sumAxis a', a.length, outer * dim * inner);
    if (this.f32(out) && this.f32(a)) { this.k.sumAxis(out.byteOffset, a.byteOffset, outer, dim, inner, accumulate); return; }
    this.marshal([out, a], [accumulate ? INOUT : OUT, IN], (p) => this.k.sumAxis(p[0], p[1], outer, dim, inner, accumulate));
  }

  broadcastAxis(out: FloatArray, g: FloatArray, outer: number, dim: number, inner: number, scale: number): void {
    if (out instanceof Float64Array || g instanceof Float64Array) { jsBackend.broadcastAxis(out, g, outer, dim, inner, scale); return; }
    checkDims(outer, dim, inner);
    if (!this.f32(out) || !this.f32(g)) { out = this.res(out); g = this.res(g); }
    if (out.length < outer * dim * inner) throw lengthError('broadcastAxis out', out.length, outer * dim * inner);
    if (g.length < outer * inner) throw lengthError('broadcastAxis g', g.length, outer * inner);
    if (this.f32(out) && this.f32(g)) { this.k.broadcastAxis(out.byteOffset, g.byteOffset, outer, dim, inner, scale); return; }
    this.marshal([out, g], [INOUT, IN], (p) => this.k.broadcastAxis(p[0], p[1], outer, dim, inner, scale));
  }

  varAxis(varOut: FloatArray, meanOut: FloatArray, a: FloatArray, outer: number, dim: number, inner: number, correction: number): void {
    if (varOut instanceof Float64Array || meanOut instanceof Float64Array || a instanceof Float64Array) {
      jsBackend.varAxis(varOut, meanOut, a, outer, dim, inner, correction);
      return;
    }
    checkDims(outer, dim, inner);
    if (!this.f32(varOut) || !this.f32(meanOut) || !this.f32(a)) { varOut = this.res(varOut); meanOut = this.res(meanOut); a = this.res(a); }
    if (varOut.length < outer * inner) throw lengthError('varAxis var', varOut.length, outer * inner);
    if (meanOut.length < outer * inner) throw lengthError('varAxis mean', meanOut.length, outer * inner);
    if (a.length < outer * dim * inner) throw lengthError('varAxis a', a.length, outer * dim * inner);
    if (this.f32(varOut) && this.f32(meanOut) && this.f32(a)) {
      this.k.varAxis(varOut.byteOffset, meanOut.byteOffset, a.byteOffset, outer, dim, inner, correction);
      return;
    }
    this.marshal([varOut, meanOut, a], [OUT, OUT, IN], (p) => this.k.varAxis(p[0], p[1], p[2], outer, dim, inner, correction));
  }

  // ---- fused layers ----

  gatherRows(out: FloatArray, table: FloatArray, idx: IntArray, rowLen: number): void {
    if (out instanceof Float64Array || table instanceof Float64Array) { jsBackend.gatherRows(out, table, idx, rowLen); return; }
    checkDims(rowLen);
    if (rowLen === 0) return;
    if (!this.f32(out) || !this.f32(table) || !this.i32(idx)) { out = this.res(out); table = this.res(table); idx = this.res(idx); }
    const count = idx.length, rows = Math.floor(table.length / rowLen);
    if (out.length < count * rowLen) throw lengthError('gatherRows out', out.length, count * rowLen);
    if (this.f32(out) && this.f32(table) && this.i32(idx)) this.k.gatherRows(out.byteOffset, table.byteOffset, idx.byteOffset, count, rowLen, rows);
    else this.marshal([out, table, idx], [INOUT, IN, IN], (p) => this.k.gatherRows(p[0], p[1], p[2], count, rowLen, rows));
    this.checkIndex(idx, 'gatherRows', rows);
  }

  scatterAddRows(gradTable: FloatArray, g: FloatArray, idx: IntArray, rowLen: number): void {
    if (gradTable instanceof Float64Array || g instanceof Float64Array) { jsBackend.scatterAddRows(gradTable, g, idx, rowLen); return; }
    checkDims(rowLen);
    if (rowLen === 0) return;
    if (!this.f32(gradTable) || !this.f32(g) || !this.i32(idx)) { gradTable = this.res(gradTable); g = this.res(g); idx = this.res(idx); }
    const count = idx.length, rows = Math.floor(gradTable.length / rowLen);
    if (g.length < count * rowLen) throw lengthError('scatterAddRows g', g.length, count * rowLen);
    if (this.f32(gradTable) && this.f32(g) && this.i32(idx)) this.k.scatterAddRows(gradTable.byteOffset, g.byteOffset, idx.byteOffset, count, rowLen, rows);
    else this.marshal([gradTable, g, idx], [INOUT, IN, IN], (p) => this.k.scatterAddRows(p[0], p[1], p[2], count, rowLen, rows));
    this.checkIndex(idx, 'scatterAddRows', rows);
  }

  private checkIndex(idx: IntArray, what: string, bound: number): void {
    const e = this.k.errIndex.value as number;
    if (e >= 0) throw new RangeError(`wasm backend: ${what}: index ${idx[e]} at position ${e} is outside [0, ${bound})`);
  }

  batchNormTrain(out: FloatArray, xhat: FloatArray, meanOut: FloatArray, varOut: FloatArray, invStd: FloatArray,
    x: FloatArray, gain: FloatArray | null, bias: FloatArray | null, n: number, f: number, eps: number, correction: number): void {
    const invF64 = invStd instanceof Float64Array;
    if (this.f32(out) && this.f32(xhat) && this.f32(meanOut) && this.f32(varOut) && this.f32(x)
      && (gain === null || this.f32(gain)) && (bias === null || this.f32(bias)) && invStd.buffer === this.heap.buffer
      && out.length >= n * f && xhat.length >= n * f && x.length >= n * f && meanOut.length >= f && varOut.length >= f
      && invStd.length >= f && (gain === null || gain.length >= f) && (bias === null || bias.length >= f)) {
      this.k.batchNormTrain(out.byteOffset, xhat.byteOffset, meanOut.byteOffset, varOut.byteOffset, invStd.byteOffset, invF64,
        x.byteOffset, gain === null ? 0 : gain.byteOffset, bias === null ? 0 : bias.byteOffset, n, f, eps, correction);
      return;
    }
    if (out instanceof Float64Array || xhat instanceof Float64Array || meanOut instanceof Float64Array || varOut instanceof Float64Array
      || x instanceof Float64Array || gain instanceof Float64Array || bias instanceof Float64Array) {
      jsBackend.batchNormTrain(out, xhat, meanOut, varOut, invStd, x, gain, bias, n, f, eps, correction);
      return;
    }
    checkDims(n, f);
    const args = [out, xhat, meanOut, varOut, invStd, x, gain, bias].map((a) => this.res(a));
    const sizes = [n * f, n * f, f, f, f, n * f, f, f];
    const names = ['out', 'xhat', 'mean', 'var', 'invStd', 'x', 'gain', 'bias'];
    args.forEach((a, i) => { if (a !== null && a.length < sizes[i]) throw lengthError(`batchNormTrain ${names[i]}`, a.length, sizes[i]); });
    this.marshal(args, [OUT, OUT, OUT, OUT, OUT, IN, IN, IN], (p) =>
      this.k.batchNormTrain(p[0], p[1], p[2], p[3], p[4], invF64, p[5], p[6], p[7], n, f, eps, correction));
  }

  batchNormEval(out: FloatArray, x: FloatArray, mean: FloatArray, varOrStd: FloatArray, isStd: boolean,
    gain: FloatArray | null, bias: FloatArray | null, n: number, f: number, eps: number): void {
    if (out instanceof Float64Array || x instanceof Float64Array || mean instanceof Float64Array || varOrStd instanceof Float64Array
      || gain instanceof Float64Array || bias instanceof Float64Array) {
      jsBackend.batchNormEval(out, x, mean, varOrStd, isStd, gain, bias, n, f, eps);
      return;
    }
    checkDims(n, f);
    const args = [out, x, mean, varOrStd, gain, bias].map((a) => this.res(a));
    const sizes = [n * f, n * f, f, f, f, f];
    const names = ['out', 'x', 'mean', 'varOrStd', 'gain', 'bias'];
    args.forEach((a, i) => { if (a !== null && a.length < sizes[i]) throw lengthError(`batchNormEval ${names[i]}`, a.length, sizes[i]); });
    this.marshal(args, [OUT, IN, IN, IN, IN, IN], (p) =>
      this.k.batchNormEval(p[0], p[1], p[2], p[3], isStd, p[4], p[5], n, f, eps));
  }

  batchNormBackward(dx: FloatArray | null, dGain: FloatArray | null, dBias: FloatArray | null,
    dy: FloatArray, xhat: FloatArray, invStd: FloatArray, gain: FloatArray | null, n: number, f: number, correction: number): void {
    const invF64 = invStd instanceof Float64Array;
    if ((dx === null || this.f32(dx)) && (dGain === null || this.f32(dGain)) && (dBias === null || this.f32(dBias))
      && this.f32(dy) && this.f32(xhat) && invStd.buffer === this.heap.buffer && (gain === null || this.f32(gain))
      && (dx === null || dx.length >= n * f) && dy.length >= n * f && xhat.length >= n * f && invStd.length >= f
      && (dGain === null || dGain.length >= f) && (dBias === null || dBias.length >= f) && (gain === null || gain.length >= f)) {
      this.k.batchNormBackward(dx === null ? 0 : dx.byteOffset, dGain === null ? 0 : dGain.byteOffset, dBias === null ? 0 : dBias.byteOffset,
        dy.byteOffset, xhat.byteOffset, invStd.byteOffset, invF64, gain === null ? 0 : gain.byteOffset, n, f, correction);
      return;
    }
    if (dx instanceof Float64Array || dGain instanceof Float64Array || dBias instanceof Float64Array || dy instanceof Float64Array
      || xhat instanceof Float64Array || gain instanceof Float64Array) {
      jsBackend.batchNormBackward(dx, dGain, dBias, dy, xhat, invStd, gain, n, f, correction);
      return;
    }
    checkDims(n, f);
    const args = [dx, dGain, dBias, dy, xhat, invStd, gain].map((a) => this.res(a));
    const sizes = [n * f, f, f, n * f, n * f, f, f];
    const names = ['dx', 'dGain', 'dBias', 'dy', 'xhat', 'invStd', 'gain'];
    args.forEach((a, i) => { if (a !== null && a.length < sizes[i]) throw lengthError(`batchNormBackward ${names[i]}`, a.length, sizes[i]); });
    this.marshal(args, [INOUT, INOUT, INOUT, IN, IN, IN, IN], (p) =>
      this.k.batchNormBackward(p[0], p[1], p[2], p[3], p[4], p[5], invF64, p[6], n, f, correction));
  }

  softmaxRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
    this.rowsOp(0, out, x, rows, cols);
  }

  logSoftmaxRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void {
    this.rowsOp(1, out, x, rows, cols);
  }

  private rowsOp(kind: number, out: FloatArray, x: FloatArray, rows: number, cols: number): void {
    const fn = kind === 0 ? this.k.softmaxRows : this.k.logSoftmaxRows;
    const nn = rows * cols;
    if (this.f32(out) && this.f32(x) && out.length >= nn && x.length >= nn && Number.isInteger(nn) && nn >= 0) {
      fn(out.byteOffset, x.byteOffset, rows, cols);
      return;
    }
    if (out instanceof Float64Array || x instanceof Float64Array) {
      (kind === 0 ? jsBackend.softmaxRows : jsBackend.logSoftmaxRows)(out, x, rows, cols);
      return;
    }
    checkDims(rows, cols);
    out = this.res(out); x = this.res(x);
    if (out.length < nn) throw lengthError('softmax out', out.length, nn);
    if (x.length < nn) throw lengthError('softmax x', x.length, nn);
    this.marshal([out, x], [OUT, IN], (p) => fn(p[0], p[1], rows, cols));
  }

  crossEntropyForward(probs: FloatArray, logits: FloatArray, targets: IntArray, rows: number, cols: number): number {
    if (probs instanceof Float64Array || logits instanceof Float64Array) return jsBackend.crossEntropyForward(probs, logits, targets, rows, cols);
    checkDims(rows, cols);
    if (!this.f32(probs) || !this.f32(logits) || !this.i32(targets)) { probs = this.res(probs); logits = this.res(logits); targets = this.res(targets); }
    if (probs.length < rows * cols) throw lengthError('crossEntropyForward probs', probs.length, rows * cols);
    if (logits.length < rows * cols) throw lengthError('crossEntropyForward logits', logits.length, rows * cols);
    if (targets.length < rows) throw lengthError('crossEntropyForward targets', targets.length, rows);
    const loss = this.f32(probs) && this.f32(logits) && this.i32(targets)
      ? this.k.crossEntropyForward(probs.byteOffset, logits.byteOffset, targets.byteOffset, rows, cols)
      : this.marshal([probs, logits, targets], [OUT, IN, IN], (p) => this.k.crossEntropyForward(p[0], p[1], p[2], rows, cols));
    this.checkIndex(targets, 'crossEntropyForward target', cols);
    return loss;
  }

  crossEntropyBackward(dlogits: FloatArray, probs: FloatArray, targets: IntArray, rows: number, cols: number, scale: number): void {
    if (dlogits instanceof Float64Array || probs instanceof Float64Array) { jsBackend.crossEntropyBackward(dlogits, probs, targets, rows, cols, scale); return; }
    checkDims(rows, cols);
    if (!this.f32(dlogits) || !this.f32(probs) || !this.i32(targets)) { dlogits = this.res(dlogits); probs = this.res(probs); targets = this.res(targets); }
    if (dlogits.length < rows * cols) throw lengthError('crossEntropyBackward dlogits', dlogits.length, rows * cols);
    if (probs.length < rows * cols) throw lengthError('crossEntropyBackward probs', probs.length, rows * cols);
    if (targets.length < rows) throw lengthError('crossEntropyBackward targets', targets.length, rows);
    const bad = this.f32(dlogits) && this.f32(probs) && this.i32(targets)
      ? this.k.crossEntropyBackward(dlogits.byteOffset, probs.byteOffset, targets.byteOffset, rows, cols, scale)
      : this.marshal([dlogits, probs, targets], [INOUT, IN, IN], (p) => this.k.crossEntropyBackward(p[0], p[1], p[2], rows, cols, scale));
    if (bad >= 0) throw new RangeError(`wasm backend: crossEntropyBackward: target ${targets[bad]} at row ${bad} is outside [0, ${cols})`);
  }
}
