// Instrument sites of a model built from nn modules: its Tanh layers and its BatchNorm1d layers
// with running statistics, named by their index in the Sequential (PyTorch's names).
import { BatchNorm1d, Tanh, type Sequential } from '../nn/index.js';
import type { ActivationProbe, BatchNormSite } from './kind.js';

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
