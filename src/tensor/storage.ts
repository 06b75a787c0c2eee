// Tensor storage and its lifetime.
//
// A backend may own memory (the WebAssembly backend keeps tensors in its linear memory so its
// kernels run without copies). Such memory is freed explicitly, not by the JS garbage collector:
//   - inside `tidy(fn)`, storage allocated during fn is released when fn returns, except what fn
//     returns or `keep()`s: a training step allocates the same blocks every step, so memory
//     stays flat and the allocator's free lists hand the same blocks back;
//   - storage allocated outside any scope (parameters, their gradients) is freed when its
//     Storage object is garbage collected (a FinalizationRegistry).
// Growing a WebAssembly memory detaches every typed-array view into it, so a Storage keeps the
// block's offset and re-creates its view when it finds it detached: always read `.data`, never
// keep a typed array across a call that may allocate.
import { kernels } from '../kernels/index.js';

export type StorageArray = Float32Array | Float64Array | Int32Array;
export type StorageKind = 'float32' | 'float64' | 'int32';

/** What a backend that owns memory provides (the WebAssembly backend). */
export interface MemoryOwner {
  /** The linear memory (a WebAssembly.Memory): views are made over its current buffer. */
  readonly memory: { readonly buffer: ArrayBuffer };
  /** Zero-filled arrays in the owner's memory. */
  allocFloat32(n: number): Float32Array;
  allocInt32(n: number): Int32Array;
  free(a: Float32Array | Int32Array): void;
}

function memoryOwnerOf(b: object): MemoryOwner | null {
  const m = b as Partial<MemoryOwner>;
  return typeof m.allocFloat32 === 'function' && typeof m.free === 'function' && m.memory !== undefined ? (m as MemoryOwner) : null;
}

interface Block {
  owner: MemoryOwner;
  kind: 'float32' | 'int32';
  ptr: number;
  length: number;
  /** A view of the block, re-created after memory growth. */
  view: Float32Array | Int32Array;
}

// Released blocks are kept for reuse, by owner and size (negative sizes: int32), instead of
// going back to the allocator: a training step asks for the same sizes every step, and reusing
// the block and its view costs a pop, where a fresh allocation creates a typed array.
const pools = new Map<MemoryOwner, Map<number, Block[]>>();

function poolOf(owner: MemoryOwner, kind: 'float32' | 'int32', n: number): Block[] {
  let byKey = pools.get(owner);
  if (byKey === undefined) { byKey = new Map(); pools.set(owner, byKey); }
  const key = kind === 'int32' ? -n : n;
  let list = byKey.get(key);
  if (list === undefined) { list = []; byKey.set(key, list); }
  return list;
}

const finalizer = new FinalizationRegistry<Block>((b) => recycle(b));

function liveView(b: Block): Float32Array | Int32Array {
  if (b.view.length === b.length) return b.view;
  const buf = b.owner.memory.buffer;
  b.view = b.kind === 'float32' ? new Float32Array(buf, b.ptr, b.length) : new Int32Array(buf, b.ptr, b.length);
  return b.view;
}

function recycle(b: Block): void {
  poolOf(b.owner, b.kind, b.length).push(b);
}

/** Give every pooled block back to its allocator (e.g. before dropping a backend). */
export function drainStoragePools(): void {
  for (const byKey of pools.values()) {
    for (const list of byKey.values()) for (const b of list) b.owner.free(liveView(b));
    byKey.clear();
  }
}

const EMPTY = new Float32Array(0);

export class Storage {
  private view: StorageArray;
  readonly length: number;
  /**
   * PyTorch's version counter: bumped by every in-place write through the library (in-place ops,
   * optimizer steps, running statistics, state-dict loads), shared by views of this storage.
   * Autograd compares it with the version a backward pass saved (see autograd.ts).
   */
  version = 0;
  /** A write that is due before the next read (see `defer`). */
  private pending: (() => void) | null = null;
  private block: Block | null;
  private released = false;
  private finalized = false;

  private constructor(view: StorageArray, block: Block | null) {
    this.view = view;
    this.length = view.length;
    this.block = block;
  }

  /** Wrap an existing array (JS heap, or a view the caller manages). */
  static wrap(a: StorageArray): Storage {
    return new Storage(a, null);
  }

  /**
   * New storage from the active backend's memory when it has its own, else the JS heap.
   * Zero-filled unless `zero` is false (for outputs a kernel overwrites entirely).
   */
  static alloc(kind: StorageKind, n: number, zero = true): Storage {
    const owner = kind === 'float64' || n === 0 ? null : memoryOwnerOf(kernels());
    if (owner === null) {
      return new Storage(kind === 'int32' ? new Int32Array(n) : kind === 'float64' ? new Float64Array(n) : new Float32Array(n), null);
    }
    const blockKind = kind === 'int32' ? 'int32' : 'float32';
    const pooled = poolOf(owner, blockKind, n).pop();
    let block: Block;
    if (pooled !== undefined) {
      block = pooled;
      if (zero) liveView(block).fill(0);
    } else {
      const view = blockKind === 'int32' ? owner.allocInt32(n) : owner.allocFloat32(n); // zeroed
      block = { owner, kind: blockKind, ptr: view.byteOffset, length: n, view };
    }
    const s = new Storage(liveView(block), block);
    const scope = scopes[scopes.length - 1];
    if (scope !== undefined) scope.push(s);
    else s.registerFinalizer();
    return s;
  }

  private registerFinalizer(): void {
    if (this.block === null || this.finalized) return;
    finalizer.register(this, this.block, this);
    this.finalized = true;
  }

  /** The typed array; re-created when a memory growth detached the old view. */
  get data(): StorageArray {
    const v = this.view;
    if (v.length === this.length && this.pending === null) return v;
    return this.refresh();
  }

  set data(a: StorageArray) {
    if (a.length !== this.length) throw new RangeError(`cannot replace storage of ${this.length} elements with ${a.length}`);
    this.data.set(a as never);
  }

  private refresh(): StorageArray {
    const write = this.pending;
    if (write !== null) {
      this.pending = null;
      write(); // it may read this.data: no longer pending
    }
    if (this.released) throw new Error('this tensor was freed at the end of a tidy() scope; keep() it or return it from the scope to use it later');
    if (this.block === null) return this.view;
    this.view = liveView(this.block);
    return this.view;
  }

  /**
   * Defer a write of this storage's contents until someone reads them (`data`, which every
   * kernel, op and copy goes through), or cancel it (null). Fast mode's threaded step leaves the
   * updated parameters in its own memory and copies them in only when the model is read (an
   * evaluation, a checkpoint, the end of training), not after every step.
   */
  defer(write: (() => void) | null): void {
    this.pending = write;
  }

  /** Record an in-place write (see `version`). */
  bumpVersion(): void {
    this.version++;
  }

  /** Give the block back to its allocator now. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.block !== null) {
      if (this.finalized) finalizer.unregister(this);
      recycle(this.block);
      this.block = null;
    }
    this.view = EMPTY;
  }

  /** Move out of the current scope: its lifetime becomes the parent scope's (or the GC's). */
  promote(): void {
    if (this.block === null || this.released) return;
    for (let i = scopes.length - 1; i >= 0; i--) {
      const k = scopes[i].indexOf(this);
      if (k < 0) continue;
      scopes[i].splice(k, 1);
      if (i > 0) scopes[i - 1].push(this);
      else this.registerFinalizer();
      return;
    }
  }
}

const scopes: Storage[][] = [];

/** Is a tidy() scope open? */
export function inScope(): boolean {
  return scopes.length > 0;
}

/**
 * Run fn; release the backend memory it allocated, except the storage of the tensors it
 * returns (and of those passed to keep()). TensorFlow.js's `tidy`. On the plain JS backend it
 * is a no-op: the garbage collector frees JS arrays.
 */
export function tidy<T>(fn: () => T, kept: (result: T) => readonly { storage: Storage }[] = defaultKept): T {
  scopes.push([]);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    for (const s of scopes.pop()!) s.release();
    throw e;
  }
  for (const t of kept(result)) t.storage.promote();
  for (const s of scopes.pop()!) s.release();
  return result;
}

function defaultKept<T>(result: T): readonly { storage: Storage }[] {
  const out: { storage: Storage }[] = [];
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    if (v instanceof Array) { v.forEach(visit); return; }
    const s = (v as { storage?: unknown }).storage;
    if (s instanceof Storage) out.push(v as { storage: Storage });
  };
  visit(result);
  return out;
}

/** Keep storage alive past every open tidy() scope (freed by the GC once unreachable). */
export function keepStorage(s: Storage): void {
  while (inScopeOf(s)) s.promote();
}

function inScopeOf(s: Storage): boolean {
  return scopes.some((sc) => sc.includes(s));
}
