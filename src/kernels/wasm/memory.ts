// The allocator behind the WebAssembly backend: typed-array views into one WebAssembly.Memory.
//
// Design: a bump pointer over the linear memory above the module's static data, plus one free list
// per block size (sizes rounded up to 16 bytes). `free` pushes a block on the list of its exact size
// and the next allocation of that size pops it, so a training loop that allocates the same shapes
// every step keeps reusing the same blocks (LIFO: the most recently freed block comes back first)
// and the memory stops growing after the first step. Blocks are never split or merged; a workload
// whose sizes keep changing keeps growing the heap (acceptable for this library's fixed shapes).
//
// Growth: memory is reserved up front (64 MiB by default) and grown only when the bump pointer
// runs out (by at least half the current size, so growth is rare). GROWING DETACHES EVERY TYPED-
// ARRAY VIEW INTO THE OLD ArrayBuffer: such a view then reads as length 0 and its byteOffset as 0.
// This allocator therefore remembers the block of every view it hands out (a WeakMap from view to
// pointer), so
//   - `refresh(view)` returns a fresh view of the same block on the current buffer;
//   - `free(view)` and the kernels keep working with views detached by growth (kernels address
//     memory by pointer, and the backend always takes fresh views of memory.buffer itself);
//   - `onGrow(listener)` tells owners of long-lived views (parameters, tensors) to re-create them.
// A view you derived yourself (e.g. `subarray`) is not remembered: re-derive it after growth.

/** Typed arrays the allocator hands out. */
export type WasmArray = Float32Array | Float64Array | Int32Array;

const PAGE = 65536;
const ALIGN = 16;

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

export interface HeapStats {
  /** Bytes in blocks handed out and not freed. */
  inUse: number;
  /** Bytes sitting in free lists. */
  free: number;
  /** High-water mark of the bump pointer (bytes from address 0). */
  top: number;
  /** Current size of the linear memory in bytes. */
  memoryBytes: number;
  /** How many times the memory has grown. */
  grows: number;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** memory.buffer as of the last growth; compare `view.buffer === heap.buffer` for a live view. */
  buffer: ArrayBuffer;
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly live = new Map<number, number>(); // ptr → block bytes
  private readonly blockOfView = new WeakMap<WasmArray, { ptr: number; length: number }>();
  private readonly oldBuffers = new WeakSet<ArrayBuffer>();
  private readonly listeners = new Set<() => void>();
  private inUse = 0;
  private freeBytes = 0;
  private grows = 0;

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.buffer = memory.buffer;
    this.top = align(Math.max(base, ALIGN));
  }

  /** A block of at least `bytes` bytes, 16-byte aligned; returns its address. */
  allocBytes(bytes: number): number {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new RangeError(`cannot allocate ${bytes} bytes`);
    const size = Math.max(ALIGN, align(bytes));
    const list = this.freeLists.get(size);
    let ptr: number;
    if (list !== undefined && list.length > 0) {
      ptr = list.pop()!;
      this.freeBytes -= size;
    } else {
      this.reserve(this.top + size);
      ptr = this.top;
      this.top += size;
    }
    this.live.set(ptr, size);
    this.inUse += size;
    return ptr;
  }

  /** Whether allocBytes(bytes) would succeed without growing the memory (so without detaching views). */
  fitsWithoutGrowth(bytes: number): boolean {
    const size = Math.max(ALIGN, align(bytes));
    return (this.freeLists.get(size)?.length ?? 0) > 0 || this.top + size <= this.memory.buffer.byteLength;
  }

  /** Returns a block from allocBytes. */
  freeBytesAt(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`wasm heap: ${ptr} is not an allocated block (double free?)`);
    this.live.delete(ptr);
    this.inUse -= size;
    this.freeBytes += size;
    let list = this.freeLists.get(size);
    if (list === undefined) { list = []; this.freeLists.set(size, list); }
    list.push(ptr);
  }

  /** Makes the memory at least `end` bytes long, growing it (and detaching all views) if needed. */
  reserve(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > 4 * 1024 * 1024 * 1024) throw new RangeError('wasm heap: out of memory (4 GiB address space)');
    const havePages = have / PAGE;
    const needPages = Math.ceil(end / PAGE) - havePages;
    const maxPages = 65536 - havePages;
    const pages = Math.min(maxPages, Math.max(needPages, Math.ceil(havePages / 2)));
    this.oldBuffers.add(this.buffer);
    this.memory.grow(pages);
    this.buffer = this.memory.buffer;
    this.grows++;
    for (const l of this.listeners) l();
  }

  alloc<T extends WasmArray>(ctor: { new(buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number }, n: number, zero = true): T {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`cannot allocate ${n} elements`);
    const ptr = this.allocBytes(n * ctor.BYTES_PER_ELEMENT);
    const view = new ctor(this.buffer, ptr, n);
    if (zero) view.fill(0);
    this.blockOfView.set(view, { ptr, length: n });
    return view;
  }

  /** Frees the block behind a view from `alloc` (or from `refresh` of one), detached or not. */
  free(view: WasmArray): void {
    const ptr = this.blockOfView.get(view)?.ptr ?? (view.buffer === this.buffer ? view.byteOffset : -1);
    if (ptr < 0) throw new Error('wasm heap: free of an array that is not in wasm memory');
    this.freeBytesAt(ptr);
    this.blockOfView.delete(view);
  }

  /** The block address of a view this heap handed out (works on detached views too). */
  pointerOf(view: WasmArray): number | undefined {
    return view.buffer === this.buffer ? view.byteOffset : this.blockOfView.get(view)?.ptr;
  }

  /**
   * A kernel argument as the backend should use it: a live view into wasm memory or a JS-heap
   * array as is; a view this heap handed out that growth has detached, re-created on the current
   * buffer. Throws on any other view into an old, detached wasm buffer.
   */
  resolve<T extends WasmArray>(view: T): T {
    if (view.buffer === this.buffer) return view;
    if (this.blockOfView.has(view)) return this.refresh(view);
    if (this.oldBuffers.has(view.buffer as ArrayBuffer)) {
      throw new Error('wasm heap: typed array detached by memory growth; re-create it (heap.refresh, or from its pointer and length)');
    }
    return view;
  }

  /**
   * A view of the same block on the current buffer (same type, address and length). A view this
   * heap handed out keeps working after growth through this call; a live view is returned as is.
   */
  refresh<T extends WasmArray>(view: T): T {
    if (view.buffer === this.buffer) return view;
    const block = this.blockOfView.get(view);
    if (block === undefined) throw new Error('wasm heap: refresh of an array this heap did not allocate');
    if (!this.live.has(block.ptr)) throw new Error('wasm heap: refresh of a freed array');
    const ctor = view.constructor as new (b: ArrayBuffer, o: number, n: number) => T;
    const fresh = new ctor(this.buffer, block.ptr, block.length);
    this.blockOfView.set(fresh, block);
    return fresh;
  }

  /** Calls `listener` after every growth; returns an unsubscribe function. */
  onGrow(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  stats(): HeapStats {
    return { inUse: this.inUse, free: this.freeBytes, top: this.top, memoryBytes: this.memory.buffer.byteLength, grows: this.grows };
  }
}
