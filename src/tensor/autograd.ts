// Reverse-mode autograd: each op records a GradFn (its inputs and a backward closure);
// `backward()` walks the graph in reverse topological order, accumulating into `.grad`.
import { kernels } from '../kernels/index.js';
import type { Tensor } from './tensor.js';
import { Tensor as TensorClass } from './tensor.js';
import { sameShape, shapeString } from './shape.js';
import { Storage, keepStorage } from './storage.js';

/** A tensor a backward pass reads, with its storage and version when the forward saved it. */
export interface SavedTensor {
  readonly tensor: Tensor;
  readonly storage: Storage;
  readonly version: number;
}

export interface GradFn {
  /** The op's name, for error messages and inspection (`MatmulBackward`...). */
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** The tensors `backward` reads (inputs or the output), checked unmodified before it runs. */
  readonly saved?: readonly SavedTensor[];
  /**
   * Given dL/d(output), add dL/d(input) into each input's gradient (use `gradOf`). Read `.f` of
   * tensors at the kernel call, after any allocation (see storage.ts on memory growth).
   */
  backward(gradOut: Tensor): void;
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run `fn` without recording operations (PyTorch's `torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** True when an op on these inputs must be recorded. */
export function needsGrad(...inputs: readonly (Tensor | number)[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (typeof t !== 'number' && t.requiresGrad) return true;
  return false;
}

/**
 * The gradient tensor of `t` to accumulate into (zeros on first use), or null when `t` does not
 * need a gradient. A leaf's gradient outlives tidy() scopes, as its parameter does.
 */
export function gradOf(t: Tensor): Tensor | null {
  if (!t.requiresGrad) return null;
  if (t.grad === null) {
    const storage = Storage.alloc(t.dtype === 'float64' ? 'float64' : 'float32', t.numel);
    if (t.isLeaf) keepStorage(storage);
    t.grad = new TensorClass(storage, t.shape, t.dtype);
  }
  return t.grad;
}

/**
 * Attach a GradFn to `out` when any input requires grad; returns `out`. `saved`: the tensors the
 * backward closure reads (inputs or `out` itself); writing one of them in place before backward()
 * makes backward() throw, as in PyTorch, instead of giving wrong gradients.
 */
export function record(out: Tensor, name: string, inputs: readonly Tensor[], backward: (gradOut: Tensor) => void,
  saved: readonly Tensor[] = []): Tensor {
  if (!needsGrad(...inputs)) return out;
  const s = saved.map((t) => ({ tensor: t, storage: t.storage, version: t.storage.version }));
  out.gradFn = { name, inputs, backward, saved: s };
  out.requiresGrad = true;
  return out;
}

/** Throws PyTorch's error when a tensor saved for `fn` was written in place since. */
function checkSaved(fn: GradFn): void {
  for (const s of fn.saved ?? []) {
    const now = s.tensor.storage;
    if (now === s.storage && now.version === s.version) continue;
    const what = `[${s.tensor.dtype} ${shapeString(s.tensor.shape)}]`;
    const at = now === s.storage ? `is at version ${now.version}; expected version ${s.version} instead` : 'had its storage replaced';
    throw new Error(`one of the variables needed for gradient computation has been modified by an inplace operation: ${what}, saved by ${fn.name}, ${at}`);
  }
}

/** Tensors reachable from `root` that take part in backward, in topological order (inputs first). */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep graphs (long loops of ops) must not overflow the call stack.
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, k] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (k < inputs.length) {
      top[1] = k + 1;
      const child = inputs[k];
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/** What a used node's GradFn becomes: its saved tensors are dropped. */
function freed(name: string): GradFn {
  return {
    name,
    inputs: [],
    backward() {
      throw new Error(`trying to backward through ${name} a second time: its graph was freed by the first backward() (compute the forward again)`);
    },
  };
}

export function backward(root: Tensor, gradient?: Tensor): void {
  if (!root.requiresGrad) throw new Error('backward() on a tensor that does not require grad (was it computed inside noGrad?)');
  if (gradient === undefined && root.numel !== 1) {
    throw new Error(`backward() without a gradient needs a scalar, got shape ${shapeString(root.shape)}`);
  }
  if (gradient !== undefined && !sameShape(gradient.shape, root.shape)) {
    throw new RangeError(`gradient shape ${shapeString(gradient.shape)} does not match tensor shape ${shapeString(root.shape)}`);
  }
  const order = topoOrder(root);
  const g = gradOf(root);
  if (g === null) return;
  if (gradient === undefined) g.floatData[0] += 1;
  else kernels().axpy(g.floatData, gradient.floatData, 1);

  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k];
    // In reverse topological order every consumer has run: t.grad is complete.
    if (t.gradHooks !== null && t.grad !== null) for (const h of t.gradHooks) h(t.grad);
    const fn = t.gradFn;
    if (fn === null) continue;
    if (t.grad !== null) { checkSaved(fn); fn.backward(t.grad); }
    // Non-leaf gradients are scratch unless retained; the graph is freed as PyTorch does. The
    // node stays a non-leaf: going through it again is an error, not a silent stop.
    if (!t.retainsGrad) t.grad = null;
    t.gradFn = freed(fn.name);
  }
}
