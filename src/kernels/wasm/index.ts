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
import type { Backend } from '../types.js';
import { jsBackend } from '../js/index.js';
import { BINDINGS, MAX_DIMS, type BindingContext, type BindingTable, type ElemType, type Exports, type Io, type KernelSpec } from './bindings.js';
import { wasmBase64 } from './binary.js';
import { wasmFastBase64 } from './binaryFast.js';
import { wasmFmaBase64 } from './binaryFma.js';
import { WasmHeap, type HeapStats, type WasmArray } from './memory.js';

export { WasmHeap, type HeapStats, type WasmArray } from './memory.js';

/**
 * The three builds of assembly/*.ts (scripts/build-wasm.mjs):
 *   - 'exact': plain SIMD, PyTorch's numbers; the multiply-adds PyTorch's kernels fuse (SLEEF's
 *     tanh, exp and log, tanh's and the cross-entropy's backward) emulated in f64;
 *   - 'exactFma': the same numbers, those fused multiply-adds done by the CPU's FMA
 *     (f32x4.relaxed_madd), loaded only where a probe shows relaxed_madd rounds once;
 *   - 'fast': matmul's multiply-adds fused too and a rational tanh (not SLEEF's), so the last bits
 *     differ from PyTorch's.
 */
export type WasmVariant = 'exact' | 'exactFma' | 'fast';
const BASE64: Record<WasmVariant, string> = { exact: wasmBase64, exactFma: wasmFmaBase64, fast: wasmFastBase64 };
const cachedBytes = new Map<WasmVariant, Uint8Array<ArrayBuffer>>();
const cachedModule = new Map<WasmVariant, WebAssembly.Module>();

function wasmBytes(v: WasmVariant): Uint8Array<ArrayBuffer> {
  let bytes = cachedBytes.get(v);
  if (bytes === undefined) {
    const s = atob(BASE64[v]);
    bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    cachedBytes.set(v, bytes);
  }
  return bytes;
}

function compiled(v: WasmVariant): WebAssembly.Module {
  let module = cachedModule.get(v);
  if (module === undefined) {
    module = new WebAssembly.Module(wasmBytes(v));
    cachedModule.set(v, module);
  }
  return module;
}

function validates(v: WasmVariant): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(wasmBytes(v));
  } catch {
    return false;
  }
}

/**
 * Whether this engine runs the fast kernel module (relaxed SIMD; on Node 20 only after
 * enableRelaxedSimd, before anything is compiled).
 */
export function fastWasmSupported(): boolean { return validates('fast'); }

/** Whether this engine runs the kernel module (WebAssembly with SIMD). */
export function wasmSupported(): boolean { return validates('exact'); }

let fusedFma: boolean | null = null;

/**
 * Whether the 'exactFma' module gives PyTorch's numbers here: the engine has relaxed SIMD (on
 * Node 20 only after enableRelaxedSimd) and its relaxed_madd rounds once, which the module's
 * fmaProbe shows on one product: (1 + 2⁻¹²)² − 1 is 2⁻¹¹ + 2⁻²⁴ fused and 2⁻¹¹ when the product
 * is rounded first (a CPU without FMA, where V8 emits a multiply and an add).
 */
export function fusedFmaSupported(): boolean {
  if (fusedFma !== null) return fusedFma;
  if (!validates('exactFma')) return false; // not cached: Node 20 may enable relaxed SIMD later
  const instance = new WebAssembly.Instance(compiled('exactFma'), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
  const probe = instance.exports.fmaProbe as (a: number, b: number, c: number) => number;
  const a = 1 + 2 ** -12;
  fusedFma = probe(a, a, -1) === 2 ** -11 + 2 ** -24;
  return fusedFma;
}

export interface WasmBackendOptions {
  /** Initial linear memory in MiB (default 64); it grows when needed. */
  initialMiB?: number;
  /**
   * Fast mode: the module built with relaxed SIMD (a rational tanh, matmul's multiply-add fused
   * where the CPU has FMA), so results differ from PyTorch's in the last bits. Needs
   * fastWasmSupported().
   */
  fast?: boolean;
  /**
   * Exact mode only: use the CPU's FMA for the multiply-adds PyTorch fuses, where
   * fusedFmaSupported() (default true). false: their f64 emulation. The numbers are the same.
   */
  fma?: boolean;
}

/** The backend plus the allocator of its memory. */
export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  /** Built from the fast (relaxed-SIMD) module. */
  readonly fast: boolean;
  /** Which build of the kernels runs. */
  readonly variant: WasmVariant;
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
  /**
   * A module export by name (fused steps that run many kernels in one call, on addresses the
   * caller owns; no argument checks), or undefined where the module has no such export.
   */
  exportFn(name: string): ((...args: number[]) => number) | undefined;
}

/** Creates a backend with its own memory and module instance (synchronous). */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  // The Backend methods are installed on the prototype from the binding table (end of file).
  return new WasmKernels(options) as unknown as WasmBackend;
}


type Arg = WasmArray | null;
const IN = 1;
const OUT = 2;
const IO_MODE: Record<Io, number> = { in: IN, out: OUT, inout: IN | OUT };

function lengthError(what: string, have: number, need: number): RangeError {
  return new RangeError(`wasm backend: ${what} has ${have} elements, needs ${need}`);
}

const isSize = (d: unknown): boolean => Number.isInteger(d) && (d as number) >= 0 && (d as number) <= 0x7fffffff;

/** Throws unless the size arguments at `dims` (numbers, or arrays of numbers) are non-negative integers. */
function checkDims(args: readonly unknown[], dims: readonly number[] | undefined): void {
  if (dims === undefined) return;
  for (let i = 0; i < dims.length; i++) {
    const d = args[dims[i]];
    if (typeof d === 'number') { if (!isSize(d)) throw new RangeError(`wasm backend: bad size ${d}`); continue; }
    for (const e of d as readonly number[]) if (!isSize(e)) throw new RangeError(`wasm backend: bad size ${e}`);
  }
}

/** Whether `a` has an element type the kernel takes in wasm memory (any buffer). */
function typeOk(a: WasmArray, t: ElemType): boolean {
  if (a instanceof Float32Array) return t !== 'i32';
  if (a instanceof Int32Array) return t === 'i32' || t === 'word';
  return t === 'f32|f64';
}

class WasmKernels implements BindingContext {
  readonly name = 'wasm' as const;
  readonly fast: boolean;
  readonly variant: WasmVariant;
  readonly memory: WebAssembly.Memory;
  readonly heap: WasmHeap;
  readonly meta: number; // scratch for binary's shape/strides (i32[4·MAX_DIMS])
  private readonly k: Exports;
  private scratchPtr = 0;
  private scratchBytes = 0;
  private packAt = 0;
  private packBytes = 0;

  constructor(options: WasmBackendOptions) {
    this.fast = options.fast === true;
    this.variant = this.fast ? 'fast' : options.fma !== false && fusedFmaSupported() ? 'exactFma' : 'exact';
    const module = compiled(this.variant);
    const pages = Math.max(1, Math.ceil(((options.initialMiB ?? 64) * 1024 * 1024) / 65536));
    this.memory = new WebAssembly.Memory({ initial: pages });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.k = instance.exports as unknown as Exports;
    this.heap = new WasmHeap(this.memory, this.k.heapBase());
    this.meta = this.heap.allocBytes(16 * MAX_DIMS);
  }

  // ---- allocator ----
  allocFloat32(n: number): Float32Array { return this.heap.alloc(Float32Array, n); }
  allocInt32(n: number): Int32Array { return this.heap.alloc(Int32Array, n); }
  allocFloat64(n: number): Float64Array { return this.heap.alloc(Float64Array, n); }
  free(a: WasmArray): void { this.heap.free(a); }
  isWasm(a: ArrayLike<number>): boolean { return (a as WasmArray).buffer === this.heap.buffer; }
  refresh<T extends WasmArray>(a: T): T { return this.heap.refresh(a); }
  onGrow(listener: () => void): () => void { return this.heap.onGrow(listener); }
  stats(): HeapStats { return this.heap.stats(); }
  exportFn(name: string): ((...args: number[]) => number) | undefined {
    const f = this.k[name];
    return typeof f === 'function' ? f as (...args: number[]) => number : undefined;
  }

  // ---- BindingContext ----
  metaView(n: number): Int32Array { return new Int32Array(this.heap.buffer, this.meta, n); }
  packPtr(k: number, n: number): number { return this.packBytes >= 4 * k * n ? this.packAt : 0; }
  reservePack(m: number, k: number, n: number): void {
    const bytes = 4 * k * n;
    if (bytes <= this.packBytes || !Number.isInteger(bytes) || bytes < 0 || !(this.k.transBPacks as (...a: number[]) => number)(m, k, n)) return;
    // Growing memory now would detach argument views the heap cannot re-create (a tensor's
    // storage): the call runs unpacked when the scratch does not fit without growth.
    if (!this.heap.fitsWithoutGrowth(Math.max(bytes, 16384))) return;
    if (this.packBytes > 0) this.heap.freeBytesAt(this.packAt);
    this.packBytes = 0;
    const size = Math.max(bytes, 16384);
    this.packAt = this.heap.allocBytes(size);
    this.packBytes = size;
  }
  checkIndex(idx: Int32Array, what: string, bound: number): void {
    const e = this.k.errIndex.value as number;
    if (e >= 0) throw new RangeError(`wasm backend: ${what}: index ${idx[e]} at position ${e} is outside [0, ${bound})`);
  }

  /**
   * One kernel call as its table entry describes it. Fast path: every array a live view into
   * wasm memory of the right type and length → the export runs on their addresses. Otherwise:
   * Float64Array arguments go to the JS backend; detached views are re-created; sizes are checked
   * (RangeError); JS-heap arrays go through scratch memory.
   */
  invoke<A extends unknown[], R>(name: string, spec: KernelSpec<A, R>, ptrs: number[], args: A): R {
    if (spec.before !== undefined) spec.before(this, args); // may grow memory: look at the arguments only after it
    if (spec.js !== undefined && spec.js(args, this)) return this.onJs(name, spec, args);
    const arrays = spec.arrays;
    const buf = this.heap.buffer;
    for (let j = 0; j < arrays.length; j++) {
      const s = arrays[j];
      const a = args[s.at] as Arg;
      if (a === null) {
        if (!s.nullable) return this.slow(name, spec, args);
        ptrs[j] = 0;
      } else if (a.buffer === buf && typeOk(a, s.type) && a.length >= s.len(args)) {
        ptrs[j] = a.byteOffset;
      } else {
        return this.slow(name, spec, args);
      }
    }
    if (spec.dims !== undefined) checkDims(args, spec.dims);
    if (spec.skip !== undefined && spec.skip(args)) return undefined as R;
    if (spec.check !== undefined) spec.check(args);
    return spec.call(this.k, ptrs, args, this);
  }

  private slow<A extends unknown[], R>(name: string, spec: KernelSpec<A, R>, args: A): R {
    const arrays = spec.arrays;
    if (arrays.some((s) => args[s.at] instanceof Float64Array && s.type !== 'f32|f64')) return this.onJs(name, spec, args);
    const resolved = this.resolveAll(spec, args);
    for (const s of arrays) {
      const a = resolved[s.at] as Arg;
      if (a === null) { if (!s.nullable) throw new TypeError(`wasm backend: ${s.name} is null`); continue; }
      if (!typeOk(a, s.type)) throw new TypeError(`wasm backend: ${s.name} is a ${a.constructor.name}, which this kernel does not take`);
    }
    checkDims(resolved, spec.dims);
    if (spec.skip?.(resolved)) return undefined as R;
    for (const s of arrays) {
      const a = resolved[s.at] as Arg;
      const need = s.len(resolved);
      if (a !== null && a.length < need) throw lengthError(s.name, a.length, need);
    }
    spec.check?.(resolved);
    // Copying JS-heap arrays in may grow memory: the call sees the wasm views re-created after it
    // (by address and length, so subarrays too), as a binding may read their lengths.
    const spots = arrays.map((s) => { const a = resolved[s.at] as Arg; return a !== null && a.buffer === this.heap.buffer ? [a.byteOffset, a.length] as const : null; });
    return this.marshal(arrays.map((s) => resolved[s.at] as Arg), arrays.map((s) => IO_MODE[s.io]),
      (p) => spec.call(this.k, p, this.afterGrowth(spec, resolved, spots), this));
  }

  /** `args` with each wasm view that a growth detached since `spots` were taken re-created at its address. */
  private afterGrowth<A extends unknown[]>(spec: KernelSpec<A, unknown>, args: A, spots: readonly (readonly [number, number] | null)[]): A {
    const buf = this.heap.buffer;
    let out: A | null = null;
    spec.arrays.forEach((s, j) => {
      const spot = spots[j];
      const a = args[s.at] as Arg;
      if (spot === null || a === null || a.buffer === buf) return;
      out ??= [...args] as A;
      const ctor = a.constructor as new (b: ArrayBufferLike, off: number, n: number) => WasmArray;
      out[s.at] = new ctor(buf, spot[0], spot[1]);
    });
    return out ?? args;
  }

  /** The arguments with views detached by memory growth re-created. */
  private resolveAll<A extends unknown[]>(spec: KernelSpec<A, unknown>, args: A): A {
    const resolved = [...args] as A;
    for (const s of spec.arrays) {
      const a = args[s.at] as Arg;
      if (a !== null) resolved[s.at] = this.heap.resolve(a);
    }
    return resolved;
  }

  /** The call on the JS backend's kernel (Float64Array arguments, or the binding's `js` cases). */
  private onJs<A extends unknown[], R>(name: string, spec: KernelSpec<A, R>, args: A): R {
    return (jsBackend[name as keyof typeof jsBackend] as unknown as (...a: unknown[]) => R)(...this.resolveAll(spec, args));
  }

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
}

/**
 * A table entry with every field present, in one order, and its arrays likewise: the driver's
 * property reads then see one object shape (monomorphic), which keeps the per-call cost low.
 */
function normalized(spec: KernelSpec<unknown[], unknown>): KernelSpec<unknown[], unknown> {
  return {
    arrays: spec.arrays.map((a) => ({ at: a.at, name: a.name, io: a.io, type: a.type, nullable: a.nullable === true, len: a.len })),
    dims: spec.dims,
    before: spec.before,
    skip: spec.skip,
    js: spec.js,
    check: spec.check,
    call: spec.call,
  };
}

// Every Backend method, installed from the table: `backend.matmul(...)` is invoke('matmul', ...).
for (const name of Object.keys(BINDINGS) as (keyof BindingTable)[]) {
  const spec = normalized(BINDINGS[name] as KernelSpec<unknown[], unknown>);
  const ptrs = new Array<number>(spec.arrays.length).fill(0); // the fast path's addresses, reused
  Object.defineProperty(WasmKernels.prototype, name, {
    value(this: WasmKernels, ...args: unknown[]): unknown { return this.invoke(name, spec, ptrs, args); },
    writable: true,
    configurable: true,
  });
}
