// The network as a list of layers, for diagrams: each layer's name (its module path), type,
// output shape per example, and its own parameters. A model built of modules is asked by running
// one small batch through it with forward hooks on its leaf modules; a hand-written model
// describes itself (`LanguageModel.networkLayers`).
import type { Module } from '../nn/index.js';
import { Tensor, noGrad, tidy } from '../tensor/index.js';
import type { LanguageModel } from './kind.js';

export interface NetworkLayer {
  /** Module path (PyTorch's name), e.g. "layers.2". */
  name: string;
  /** Its class, e.g. "Linear", "BatchNorm1d". */
  type: string;
  /** Output shape of one example (the batch axis left out): (T, C) or (C). */
  shape: number[];
  /** Values in its own parameters. */
  parameters: number;
  /** Its parameters' full names (as the model file and the statistics name them). */
  tensors: string[];
  /** The activation probe (`activationProbes()`) that watches this layer's output, if any. */
  statistics: string | null;
}

/** The model's layers in forward order (each leaf module once, at its first call). */
export function networkLayers(model: LanguageModel): NetworkLayer[] {
  const own = model.networkLayers?.();
  if (own !== undefined) return own;
  const leaves = model.namedModules().filter(([name, m]) => name !== '' && m.namedModules().length === 1);
  const seen = new Map<Module, { name: string; shape: number[]; output: Tensor }>();
  const order: Module[] = [];
  const handles = leaves.map(([name, m]) => m.registerForwardHook((_mod, _x, y) => {
    if (seen.has(m)) return;
    seen.set(m, { name, shape: y.shape.slice(1), output: y });
    order.push(m);
  }));
  const probed = new Map<Tensor, string>();
  const probes = model.activationProbes().map((p) => p.watch((t) => probed.set(t, p.layer)));
  const wasTraining = model.training;
  let outShape: number[] = [];
  try {
    model.eval();
    tidy(() => noGrad(() => { outShape = model.forward(new Tensor(new Int32Array(2 * model.config.blockSize), [2, model.config.blockSize], 'int32')).shape.slice(1); }));
  } finally {
    model.train(wasTraining);
    for (const h of [...handles, ...probes]) h.remove();
  }
  const layer = (m: Module, name: string, shape: number[], params: [string, Tensor][], statistics: string | null): NetworkLayer => ({
    name: name === '' ? 'model' : name, type: m.constructor.name, shape,
    parameters: params.reduce((s, [, p]) => s + p.numel, 0),
    tensors: params.map(([n]) => (name === '' ? n : `${name}.${n}`)),
    statistics,
  });
  const modules = model.namedModules();
  const position = new Map(modules.map(([, m], i) => [m, i]));
  const layers = order.map((m) => {
    const { name, shape, output } = seen.get(m)!;
    return { at: position.get(m)!, layer: layer(m, name, shape, m.namedParameters(), probed.get(output) ?? null) };
  });
  // Parameters no hooked call shows: a module's own (makemore.py's bigram table, the RNN's start
  // state) and a leaf whose weights a fused op reads without calling it (the RNN cell's Linear).
  // Each goes before the first layer registered after it; the whole model's own table has its output shape.
  modules.forEach(([name, m], at) => {
    const leaf = m.namedModules().length === 1;
    if (leaf && seen.has(m)) return;
    const own = m.namedParameters().filter(([n]) => !n.includes('.'));
    if (own.length === 0) return;
    const i = layers.findIndex((l) => l.at > at);
    layers.splice(i < 0 ? layers.length : i, 0, { at, layer: layer(m, name, name === '' ? outShape : [], own, null) });
  });
  // The last layer's output is the model's (an uncalled head, as the RNN's lm_head under its fused op).
  const last = layers.at(-1)?.layer;
  if (last !== undefined && last.shape.length === 0) last.shape = outShape;
  return layers.map((l) => l.layer);
}
