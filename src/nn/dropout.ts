// nn.Dropout: F.dropout in training mode, the identity in eval mode. No parameters or buffers, so
// a model's state_dict is the same with or without it. Each module draws from a Generator
// (PyTorch: the default one): a model gives its dropouts the generator it was created with.
import { defaultGenerator, type Generator } from '../random/index.js';
import { dropout, type Tensor } from '../tensor/index.js';
import { Module } from './module.js';

export class Dropout extends Module {
  /** Where the masks are drawn from; a resumed run points it at its restored stream (setDropoutGenerator). */
  generator: Generator;
  constructor(readonly p = 0.5, options: { generator?: Generator } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    this.generator = options.generator ?? defaultGenerator;
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }
}

/** The generator the model's dropouts draw from (null: it has none with p > 0). */
export function dropoutGenerator(model: Module): Generator | null {
  for (const [, m] of model.namedModules()) if (m instanceof Dropout && m.p > 0) return m.generator;
  return null;
}

/** Every dropout of the model draws from `g` from now on (a resumed run's saved stream). */
export function setDropoutGenerator(model: Module, g: Generator): void {
  for (const [, m] of model.namedModules()) if (m instanceof Dropout) m.generator = g;
}
