// The character-level language models: their config, the model interface, the kinds and their registry.
export * from './config.js';
export * from './presets.js';
export type { LanguageModel, ModelKind, KindOption, KindChoice, ActivationProbe, BatchNormSite } from './kind.js';
export { defineKind, KIND_OPTIONS } from './kind.js';
export { familyTypes, isFamily, createModel, registerModelKind, modelKind, modelKindNames, modelKindChoices, archNames, foldBatchNorm, foldRefusal } from './registry.js';
export { WaveNet, wavenetKind, WAVENET_NORMS, type WaveNetNorm } from './kinds/wavenet.js';
export { NotebookMLP, notebookKind } from './kinds/notebook.js';
export { ModuleMLP, moduleKind } from './kinds/module.js';
export { PlainMLP, plainKind } from './kinds/plain.js';
export { SequenceModel, defineSequenceKind, archOfType, typeOfArch, type SequenceKindSpec } from './kinds/sequence.js';
export { Bigram, bigramKind } from './kinds/bigram.js';
export { MakemoreMLP, makemoreMlpKind, shiftedContexts } from './kinds/makemoreMlp.js';
export { RNN, RNNCell, GRUCell, rnnKind, gruKind, type CellType } from './kinds/rnn.js';
export { EmbeddingMLP, sequentialActivationProbes, sequentialBatchNormSites } from './embeddingMlp.js';
export { foldPair, type Folded } from './fold.js';
export { networkLayers, type NetworkLayer } from './layers.js';
export type { FusedTrainStep } from './notebookFused.js';
