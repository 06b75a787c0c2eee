// The character-level MLP language model: its config and its two forms.
import type { Generator } from '../random/index.js';
import type { Module } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { validateModelConfig, type ModelConfig } from './config.js';
import { ModuleMLP } from './moduleMlp.js';
import { NotebookMLP } from './notebookMlp.js';
import { PlainMLP } from './plainMlp.js';

export * from './config.js';
export * from './presets.js';
export { NotebookMLP } from './notebookMlp.js';
export type { FusedTrainStep } from './notebookFused.js';
export { ModuleMLP } from './moduleMlp.js';
export { PlainMLP } from './plainMlp.js';

/** A model maps contexts (n × blockSize, int32) to next-character logits (n × vocab). */
export type LanguageModel = (NotebookMLP | ModuleMLP | PlainMLP) & Module & { forward(X: Tensor): Tensor; readonly config: ModelConfig };

/** Build a model, drawing its parameters from `g`. */
export function createModel(config: ModelConfig, g: Generator): LanguageModel {
  validateModelConfig(config);
  if (config.norm === 'none') return new PlainMLP(config, g);
  return config.norm === 'notebook' ? new NotebookMLP(config, g) : new ModuleMLP(config, g);
}
