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

  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.paramMap) out.push([prefix + n, t]);
    for (const [n, m] of this.childMap) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.bufferMap) out.push([prefix + n, t]);
    for (const [n, m] of this.childMap) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Parameters and buffers by name, PyTorch's `state_dict()`. */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
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
