// Module: PyTorch's nn.Module in small. Parameters (trained) and buffers (state such as running
// statistics) are registered under PyTorch's names, so `namedParameters()` and `stateDict()` give
// keys like `layers.1.running_mean` that a PyTorch model of the same shape also has.
import type { Tensor } from '../tensor/index.js';

export abstract class Module {
  /** Training mode (batch statistics) or evaluation mode (running statistics). */
  training = true;
  private readonly paramMap = new Map<string, Tensor>();
  private readonly bufferMap = new Map<string, Tensor>();
  private readonly childMap = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Same as forward; reads like PyTorch's `module(x)`. */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    this.paramMap.set(name, t);
    return t;
  }

  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.bufferMap.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.childMap.set(name, m);
    return m;
  }

  /** Replace a registered parameter or buffer's storage in place (loading a state dict). */
  protected tensorSlot(name: string): Tensor | undefined {
    return this.paramMap.get(name) ?? this.bufferMap.get(name);
  }

  namedChildren(): [string, Module][] {
    return [...this.childMap];
  }

  /**
   * Parameters by dotted name. A tensor registered in several places (tied weights, a module
   * used twice) comes once, under its first name, unless `removeDuplicate` is false (PyTorch's
   * `named_parameters(remove_duplicate=True)`): an optimizer must not update it twice.
   */
  namedParameters(prefix = '', removeDuplicate = true): [string, Tensor][] {
    return this.namedTensors((m) => m.paramMap, prefix, removeDuplicate);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = '', removeDuplicate = true): [string, Tensor][] {
    return this.namedTensors((m) => m.bufferMap, prefix, removeDuplicate);
  }

  private namedTensors(own: (m: Module) => Map<string, Tensor>, prefix: string, removeDuplicate: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const walk = (m: Module, p: string): void => {
      for (const [n, t] of own(m)) out.push([p + n, t]);
      for (const [n, c] of m.childMap) walk(c, `${p}${n}.`);
    };
    walk(this, prefix);
    if (!removeDuplicate) return out;
    const seen = new Set<Tensor>();
    return out.filter(([, t]) => !seen.has(t) && seen.add(t) !== undefined);
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Parameters and buffers by name, PyTorch's `state_dict()` (a tied tensor under each of its names). */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters('', false), ...this.namedBuffers('', false)]);
  }

  /** Copy values into the parameters and buffers; every name must match in shape and exist. */
  loadStateDict(state: ReadonlyMap<string, Tensor>): void {
    const own = this.stateDict();
    for (const name of own.keys()) if (!state.has(name)) throw new Error(`state dict is missing "${name}"`);
    for (const [name, src] of state) {
      const dst = own.get(name);
      if (dst === undefined) throw new Error(`state dict has unexpected "${name}"`);
      if (dst.numel !== src.numel || dst.shape.join() !== src.shape.join()) {
        throw new Error(`state dict "${name}" has shape (${src.shape.join(', ')}) but the model expects (${dst.shape.join(', ')})`);
      }
      dst.data.set(src.data);
      dst.storage.bumpVersion(); // an in-place write, as PyTorch's copy_
    }
  }

  train(mode = true): this {
    this.training = mode;
    for (const m of this.childMap.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Forget every parameter's gradient (`p.grad = None`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.numel, 0);
  }
}
