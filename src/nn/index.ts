export { Module, type HookHandle, type ForwardHook, type BackwardHook, type IntermediateHook, type LoadStateDictResult } from './module.js';
export { Embedding, Linear, BatchNorm1d, Tanh, Flatten, FlattenConsecutive, Sequential, type BatchNorm1dOptions } from './layers.js';
export { Dropout, dropoutGenerator, setDropoutGenerator } from './dropout.js';
export {
  LayerNorm, GroupNorm, InstanceNorm1d, RMSNorm, createNorm, NORM_LAYER_KINDS, BATCH_INDEPENDENT_NORMS, DEFAULT_GROUPS,
  type LayerNormOptions, type GroupNormOptions, type InstanceNorm1dOptions, type RMSNormOptions, type NormLayerKind, type CreateNormOptions,
} from './norms.js';
export * as functional from './functional.js';
export * as init from './init.js';
