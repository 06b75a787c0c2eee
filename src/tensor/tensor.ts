// Tensor: a contiguous row-major array with a shape, a dtype and (for floats) an autograd record.
// Tensors are always contiguous: `view` shares storage, everything else writes a new array.
// The methods are thin: each op lives in ops/, with its backward beside its forward.
import type { FloatArray } from '../kernels/index.js';
import { backward as runBackward, type GradFn } from './autograd.js';
import { add, div, mul, neg, pow, sub, unaryOp } from './ops/elementwise.js';
import { addInPlace, copyInPlace, divInPlace, fillInPlace, mulInPlace, subInPlace } from './ops/inplace.js';
import { mean, std, sum, variance, type VarOptions } from './ops/reduce.js';
import { matmul } from './ops/matmul.js';
import { index, reshape, transpose } from './ops/shape.js';
import { logSoftmax, softmax } from './ops/softmax.js';
import { narrow, permute, select, split } from './ops/layout.js';
import { sigmoid } from './ops/activations.js';
import { numelOf, shapeString } from './shape.js';
import { Storage, keepStorage, type StorageArray } from './storage.js';

export type FloatDType = 'float32' | 'float64';
export type DType = FloatDType | 'int32';
/** Nested arrays of numbers, as `toArray()` returns them. */
export type NestedArray = number | NestedArray[];

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Where the values live (shared by views); see storage.ts for lifetimes. */
  storage: Storage;
  /** Gradient of the last `backward()`; set on leaves that require grad and on `retainGrad()` tensors. */
  grad: Tensor | null = null;
  /** How this tensor was computed; null for leaves. */
  gradFn: GradFn | null = null;
  private requires: boolean;
  private retains = false;
  /** Gradient hooks (`registerHook`), called once the gradient is complete in `backward()`. */
  gradHooks: ((grad: Tensor) => void)[] | null = null;

  constructor(data: StorageArray | Storage, shape: readonly number[], dtype?: DType, requiresGrad = false) {
    const n = numelOf(shape);
    const storage = data instanceof Storage ? data : Storage.wrap(data);
    if (storage.length !== n) throw new RangeError(`tensor data has ${storage.length} elements but shape ${shapeString(shape)} needs ${n}`);
    const arr = storage.data;
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype ?? (arr instanceof Int32Array ? 'int32' : arr instanceof Float64Array ? 'float64' : 'float32');
    if (requiresGrad && this.dtype === 'int32') throw new TypeError('only floating point tensors can require gradients');
    this.requires = requiresGrad;
  }

  /** The flat row-major values. Writing into them bypasses autograd (like `.data` in PyTorch). */
  get data(): StorageArray { return this.storage.data; }
  set data(a: StorageArray) {
    if (a.length !== this.numel) throw new RangeError(`cannot set data of ${a.length} elements on a tensor of shape ${shapeString(this.shape)}`);
    this.storage = Storage.wrap(a);
  }

  // ---- facts ----
  get ndim(): number { return this.shape.length; }
  get numel(): number { return this.storage.length; }
  size(dim?: number): number | readonly number[] {
    return dim === undefined ? this.shape : this.shape[dim < 0 ? dim + this.ndim : dim];
  }
  get isFloat(): boolean { return this.dtype !== 'int32'; }
  /** The storage as a float array; throws for int tensors. */
  get f(): FloatArray {
    const d = this.storage.data;
    if (d instanceof Int32Array) throw new TypeError('expected a floating point tensor, got int32');
    return d;
  }
  /** The storage as an int array; throws for float tensors. */
  get i(): Int32Array {
    const d = this.storage.data;
    if (!(d instanceof Int32Array)) throw new TypeError(`expected an int32 tensor, got ${this.dtype}`);
    return d;
  }

  // ---- autograd ----
  get requiresGrad(): boolean { return this.requires; }
  set requiresGrad(v: boolean) {
    if (v && this.dtype === 'int32') throw new TypeError('only floating point tensors can require gradients');
    if (!v && this.gradFn !== null) throw new Error('requiresGrad can only be turned off on leaf tensors; use detach()');
    this.requires = v;
  }
  /** PyTorch's `requires_grad_()`: sets the flag and returns this tensor. */
  requiresGrad_(v = true): this { this.requiresGrad = v; return this; }
  get isLeaf(): boolean { return this.gradFn === null; }
  /** Keep `.grad` on this non-leaf tensor after `backward()`. */
  retainGrad(): this {
    if (!this.requires) throw new Error('retainGrad() on a tensor that does not require grad');
    this.retains = true;
    return this;
  }
  /**
   * PyTorch's `register_hook`: `fn(grad)` runs in `backward()` when this tensor's gradient is
   * complete (before it is freed on a non-leaf). Returns a handle whose `remove()` detaches it.
   */
  registerHook(fn: (grad: Tensor) => void): { remove(): void } {
    if (!this.requires) throw new Error('registerHook() on a tensor that does not require grad');
    (this.gradHooks ??= []).push(fn);
    return { remove: () => { this.gradHooks = this.gradHooks?.filter((h) => h !== fn) ?? null; } };
  }
  get retainsGrad(): boolean { return this.retains || (this.isLeaf && this.requires); }
  /**
   * PyTorch's `_version`: how many in-place writes the storage has had (shared by views). A
   * backward pass that saved this tensor throws when it changed since.
   */
  get version(): number { return this.storage.version; }
  /** Backpropagate from this tensor (a scalar, or with an explicit output gradient). */
  backward(gradient?: Tensor): void { runBackward(this, gradient); }
  /** Forget the gradient (PyTorch's `p.grad = None`). */
  zeroGrad(): void { this.grad = null; }
  /** The same storage, cut from the graph. */
  detach(): Tensor { return new Tensor(this.storage, this.shape, this.dtype, false); }
  /** Keep this tensor's memory past the enclosing tidy() scopes. */
  keep(): this { keepStorage(this.storage); return this; }
  /** A copy of the storage, cut from the graph. */
  clone(): Tensor { return new Tensor(this.data.slice(), this.shape, this.dtype, false); }

  // ---- values ----
  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel !== 1) throw new RangeError(`item() needs a tensor with one element, got shape ${shapeString(this.shape)}`);
    return this.data[0];
  }
  /** The values as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const data = this.data;
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.ndim) return data[offset];
      const stride = numelOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let k = 0; k < this.shape[dim]; k++) out.push(build(dim + 1, offset + k * stride));
      return out;
    };
    return build(0, 0);
  }
  toString(): string {
    return `tensor(${JSON.stringify(this.toArray())}, shape=${shapeString(this.shape)}, dtype=${this.dtype})`;
  }

  // ---- in-place ops (ops/inplace.ts): write this tensor, bump its version ----
  add_(other: Tensor | number): this { addInPlace(this, other); return this; }
  sub_(other: Tensor | number): this { subInPlace(this, other); return this; }
  mul_(other: Tensor | number): this { mulInPlace(this, other); return this; }
  div_(other: Tensor | number): this { divInPlace(this, other); return this; }
  copy_(src: Tensor): this { copyInPlace(this, src); return this; }
  fill_(value: number): this { fillInPlace(this, value); return this; }
  zero_(): this { fillInPlace(this, 0); return this; }

  // ---- ops (see ops/) ----
  add(other: Tensor | number): Tensor { return add(this, other); }
  sub(other: Tensor | number): Tensor { return sub(this, other); }
  mul(other: Tensor | number): Tensor { return mul(this, other); }
  div(other: Tensor | number): Tensor { return div(this, other); }
  neg(): Tensor { return neg(this); }
  pow(exponent: number): Tensor { return pow(this, exponent); }
  exp(): Tensor { return unaryOp('exp', this); }
  log(): Tensor { return unaryOp('log', this); }
  log10(): Tensor { return unaryOp('log10', this); }
  tanh(): Tensor { return unaryOp('tanh', this); }
  sqrt(): Tensor { return unaryOp('sqrt', this); }
  sum(dim?: number, keepdim = false): Tensor { return sum(this, dim, keepdim); }
  mean(dim?: number, keepdim = false): Tensor { return mean(this, dim, keepdim); }
  /** Variance; unbiased (correction 1) by default, as PyTorch. */
  var(dim?: number, options: VarOptions = {}): Tensor { return variance(this, dim, options); }
  /** Standard deviation; unbiased (correction 1) by default, as PyTorch. */
  std(dim?: number, options: VarOptions = {}): Tensor { return std(this, dim, options); }
  matmul(other: Tensor): Tensor { return matmul(this, other); }
  view(...shape: number[]): Tensor { return reshape(this, shape); }
  reshape(...shape: number[]): Tensor { return reshape(this, shape); }
  /** 2-D transpose (a copy). */
  get T(): Tensor { return transpose(this); }
  /** Row gather along dim 0 by an int tensor: `C.index(X)` is PyTorch's `C[X]`. */
  index(idx: Tensor): Tensor { return index(this, idx); }
  softmax(dim = -1): Tensor { return softmax(this, dim); }
  logSoftmax(dim = -1): Tensor { return logSoftmax(this, dim); }
  // ---- sequence models' ops (ops/layout.ts, ops/activations.ts): copies, as tensors stay contiguous ----
  /** torch.permute */
  permute(...dims: number[]): Tensor { return permute(this, dims); }
  /** torch.transpose(dim0, dim1) */
  transpose(dim0: number, dim1: number): Tensor { return transpose(this, dim0, dim1); }
  /** Already contiguous: this tensor itself (PyTorch's `.contiguous()` before `.view`). */
  contiguous(): Tensor { return this; }
  narrow(dim: number, start: number, length: number): Tensor { return narrow(this, dim, start, length); }
  /** `x[:, i]` is `x.select(1, i)`. */
  select(dim: number, index: number): Tensor { return select(this, dim, index); }
  split(size: number, dim = 0): Tensor[] { return split(this, size, dim); }
  sigmoid(): Tensor { return sigmoid(this); }
}
