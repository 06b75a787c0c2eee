// Module: PyTorch's nn.Module in small. Parameters (trained) and buffers (state such as running
// statistics) are registered under PyTorch's names, so `namedParameters()` and `stateDict()` give
// keys like `layers.1.running_mean` that a PyTorch model of the same shape also has.
//
// Instruments (diagnostics, calibration, the page's charts) attach hooks instead of layers keeping
// state for them: `registerForwardHook` sees (module, input, output) after each `call`,
// `registerFullBackwardHook` sees the gradients, and `registerIntermediateHook` sees a named
// sub-step of a hand-written forward (which calls `this.observe(name, t)` there).
import type { Tensor } from '../tensor/index.js';

/** What a register*Hook returns: `remove()` detaches the hook. */
export interface HookHandle {
  remove(): void;
}
export type ForwardHook = (module: Module, input: Tensor, output: Tensor) => void;
/** gradInput is null when the input needs no gradient (or is a leaf: its `.grad` holds it). */
export type BackwardHook = (module: Module, gradInput: Tensor | null, gradOutput: Tensor) => void;
export type IntermediateHook = (t: Tensor) => void;

/** PyTorch's `load_state_dict` result: names only one side has (empty when strict succeeds). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

function hookList<T>(list: T[], fn: T): HookHandle {
  list.push(fn);
  return { remove: () => { const i = list.indexOf(fn); if (i >= 0) list.splice(i, 1); } };
}

export abstract class Module {
  /** Training mode (batch statistics) or evaluation mode (running statistics). */
  training = true;
  private readonly paramMap = new Map<string, Tensor>();
  private readonly bufferMap = new Map<string, Tensor>();
  private readonly childMap = new Map<string, Module>();
  private readonly forwardHooks: ForwardHook[] = [];
  private readonly backwardHooks: BackwardHook[] = [];
  private readonly intermediateHooks: [string, IntermediateHook][] = [];

  abstract forward(x: Tensor): Tensor;

  /** PyTorch's `module(x)`: forward, then the forward hooks (and the backward hooks' wiring). */
  call(x: Tensor): Tensor {
    const out = this.forward(x);
    if (this.forwardHooks.length > 0) for (const h of [...this.forwardHooks]) h(this, x, out);
    if (this.backwardHooks.length > 0 && out.requiresGrad) this.wireBackwardHooks(x, out);
    return out;
  }

  /** Whether any hook is registered here or below (a fused step that skips forward() must not then run). */
  hasHooks(): boolean {
    if (this.forwardHooks.length > 0 || this.backwardHooks.length > 0 || this.intermediateHooks.length > 0) return true;
    for (const [, m] of this.namedChildren()) if (m.hasHooks()) return true;
    return false;
  }

  registerForwardHook(fn: ForwardHook): HookHandle {
    return hookList(this.forwardHooks, fn);
  }

  /** PyTorch's `register_full_backward_hook`: called in backward() with this call's gradients. */
  registerFullBackwardHook(fn: BackwardHook): HookHandle {
    return hookList(this.backwardHooks, fn);
  }

  /** See the tensor a hand-written forward names `name` (its `observe(name, t)`), each forward. */
  registerIntermediateHook(name: string, fn: IntermediateHook): HookHandle {
    const entry: [string, IntermediateHook] = [name, fn];
    return hookList(this.intermediateHooks, entry);
  }

  /** A named sub-step of a hand-written forward: hands `t` to the hooks registered for `name`. */
  protected observe(name: string, t: Tensor): Tensor {
    if (this.intermediateHooks.length > 0) for (const [n, h] of [...this.intermediateHooks]) if (n === name) h(t);
    return t;
  }

  // The output's gradient is complete before the op's backward writes the input's: the input's
  // tensor hook fires the module hooks with both. A leaf or gradient-free input: at the output.
  private wireBackwardHooks(x: Tensor, out: Tensor): void {
    const hooks = [...this.backwardHooks];
    const fire = (gin: Tensor | null, gout: Tensor): void => { for (const h of hooks) h(this, gin, gout); };
    if (!x.requiresGrad || x.isLeaf) { out.registerHook((g) => fire(null, g)); return; }
    let gradOut: Tensor | null = null;
    out.registerHook((g) => { gradOut = g; });
    x.registerHook((g) => { if (gradOut !== null) fire(g, gradOut); });
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

  /** This module and every descendant by dotted name (this one under `prefix`, "" by default). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, c] of this.childMap) out.push(...c.namedModules(prefix === '' ? n : `${prefix}.${n}`));
    return out;
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

  /**
   * Copy values into the parameters and buffers. Shapes must match; with `strict` (the default)
   * every name must exist on both sides, otherwise the names one side lacks are returned.
   */
  loadStateDict(state: ReadonlyMap<string, Tensor>, strict = true): LoadStateDictResult {
    const own = this.stateDict();
    const result: LoadStateDictResult = { missingKeys: [...own.keys()].filter((n) => !state.has(n)), unexpectedKeys: [] };
    if (strict && result.missingKeys.length > 0) throw new Error(`state dict is missing "${result.missingKeys[0]}"`);
    for (const [name, src] of state) {
      const dst = own.get(name);
      if (dst === undefined) {
        if (strict) throw new Error(`state dict has unexpected "${name}"`);
        result.unexpectedKeys.push(name);
        continue;
      }
      if (dst.numel !== src.numel || dst.shape.join() !== src.shape.join()) {
        throw new Error(`state dict "${name}" has shape (${src.shape.join(', ')}) but the model expects (${dst.shape.join(', ')})`);
      }
      dst.data.set(src.data);
      dst.storage.bumpVersion(); // an in-place write, as PyTorch's copy_
    }
    return result;
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
