// What every optimizer shares: its parameters, zeroGrad, and a state dict shaped like PyTorch's
// (`state` keyed by parameter index, one param group), so a run can be saved and resumed exactly.
import { keepStorage, zeros, type Tensor } from '../tensor/index.js';
import { MakemoreError } from '../errors.js';

/** One parameter's state: its step count (AdamW) and buffers under PyTorch's names (exp_avg, exp_avg_sq, momentum_buffer). */
export interface ParamState {
  step?: number;
  buffers: Record<string, Tensor>;
}

/** The hyperparameters of the (one) param group, under PyTorch's names. */
export type ParamGroup = Record<string, number | boolean | readonly number[]>;

/** `optimizer.state_dict()`: per-parameter state by index, and the param group. */
export interface OptimizerStateDict {
  state: Map<number, ParamState>;
  paramGroups: [ParamGroup];
}

export abstract class Optimizer {
  protected readonly state = new Map<number, ParamState>();

  constructor(readonly params: readonly Tensor[], public lr: number) {
    if (!(Number.isFinite(lr) && lr > 0)) throw new MakemoreError(`learning rate must be a positive number, got ${lr}`);
  }

  /** PyTorch's name for the optimizer ("sgd", "adamw"). */
  abstract readonly name: string;
  /** The param group's hyperparameters (PyTorch's names), lr included. */
  abstract paramGroup(): ParamGroup;
  /** One update with `lr` (or the optimizer's own). Parameters without a gradient are skipped. */
  abstract step(lr?: number): void;

  /**
   * Reset the gradients. By default they are zero-filled in place, so the same buffers serve
   * every step (no allocation); `setToNone` drops them instead (PyTorch's `p.grad = None`).
   * Both give the same next gradient.
   */
  zeroGrad(setToNone = false): void {
    for (const p of this.params) {
      if (setToNone) p.grad = null;
      else p.grad?.floatData.fill(0);
    }
  }

  /** A snapshot: the buffers are copies, so later steps do not change it. */
  stateDict(): OptimizerStateDict {
    const state = new Map<number, ParamState>();
    for (const [i, s] of this.state) {
      const buffers: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(s.buffers)) buffers[k] = t.clone();
      state.set(i, { ...(s.step !== undefined ? { step: s.step } : {}), buffers });
    }
    return { state, paramGroups: [this.paramGroup()] };
  }

  /**
   * Restore a state dict of the same optimizer over the same parameters (shapes checked; the
   * param group's lr is taken, the other hyperparameters stay the constructor's).
   */
  loadStateDict(sd: OptimizerStateDict): void {
    this.state.clear();
    for (const [i, s] of sd.state) {
      const p = this.params[i];
      if (p === undefined) throw new MakemoreError(`optimizer state names parameter ${i}, but there are ${this.params.length}`);
      if (s.step !== undefined && !(Number.isSafeInteger(s.step) && s.step >= 0)) throw new MakemoreError(`optimizer state of parameter ${i}: step ${s.step} is not a step count`);
      const buffers: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(s.buffers)) {
        if (t.shape.join() !== p.shape.join()) throw new MakemoreError(`optimizer state ${i}.${k} has shape (${t.shape.join(', ')}) but its parameter has (${p.shape.join(', ')})`);
        const b = this.buffer(p);
        b.floatData.set(t.floatData);
        buffers[k] = b;
      }
      this.state.set(i, { ...(s.step !== undefined ? { step: s.step } : {}), buffers });
    }
    const lr = sd.paramGroups[0]?.lr;
    if (typeof lr === 'number') this.lr = lr;
  }

  /** A zero buffer shaped as `p` that outlives the tidy() scope of the step that creates it. */
  protected buffer(p: Tensor): Tensor {
    const t = zeros(p.shape, { dtype: p.dtype });
    keepStorage(t.storage);
    return t;
  }
}
