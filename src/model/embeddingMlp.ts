// The shape the module-built kinds share: Embedding → Flatten → Sequential of layers, with the
// instrument sites of its Sequential: its Tanh layers and its BatchNorm1d layers with running
// statistics, named by their index (PyTorch's names). A kind of this shape builds `embedding`
// and `layers` in its constructor and inherits the rest.
import { BatchNorm1d, Flatten, Module, Tanh, type Embedding, type Sequential } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import type { ModelConfig } from './config.js';
import type { ActivationProbe, BatchNormSite, LanguageModel } from './kind.js';

export abstract class EmbeddingMLP extends Module implements LanguageModel {
  abstract readonly config: ModelConfig;
  abstract readonly embedding: Embedding;
  abstract readonly layers: Sequential;
  readonly flatten = new Flatten();

  /** X: (n, blockSize) int32 → logits (n, vocab) */
  forward(X: Tensor): Tensor {
    return this.layers.call(this.flatten.call(this.embedding.call(X)));
  }

  activationProbes(): ActivationProbe[] {
    return sequentialActivationProbes(this.layers);
  }

  batchNormSites(): BatchNormSite[] {
    return sequentialBatchNormSites(this.layers);
  }
}

export function sequentialActivationProbes(layers: Sequential): ActivationProbe[] {
  const out: ActivationProbe[] = [];
  layers.layers.forEach((m, i) => {
    if (m instanceof Tanh) out.push({ layer: `layer ${i} (Tanh)`, watch: (fn) => m.registerForwardHook((_, __, y) => fn(y)) });
  });
  return out;
}

export function sequentialBatchNormSites(layers: Sequential, prefix = 'layers'): BatchNormSite[] {
  const out: BatchNormSite[] = [];
  layers.layers.forEach((m, i) => {
    if (m instanceof BatchNorm1d && m.runningMean !== null && m.runningVar !== null) {
      out.push({ name: `${prefix}.${i}`, kind: 'var', runningMean: m.runningMean, running: m.runningVar, watchInput: (fn) => m.registerForwardHook((_, x) => fn(x)) });
    }
  });
  return out;
}
