// The model kinds by name (config.norm): the built-in ones, and any a program or test registers.
import { MakemoreError } from '../errors.js';
import type { Generator } from '../random/index.js';
import { validateModelConfig, type ModelConfig } from './config.js';
import type { KindChoice, LanguageModel, ModelKind } from './kind.js';
import { moduleKind } from './kinds/module.js';
import { notebookKind } from './kinds/notebook.js';
import { plainKind } from './kinds/plain.js';

const kinds = new Map<string, ModelKind>();

/** Make a kind buildable by its `norms` names (createModel, model files, folding, reports). */
export function registerModelKind(kind: ModelKind): void {
  for (const name of kind.norms) {
    if (kinds.has(name) && kinds.get(name) !== kind) throw new Error(`a model kind named "${name}" is already registered`);
  }
  for (const name of kind.norms) kinds.set(name, kind);
}

for (const k of [notebookKind, moduleKind, plainKind]) registerModelKind(k);

/** The kind names, in registration order. */
export function modelKindNames(): string[] {
  return [...kinds.keys()];
}

/** Every kind name with what a form needs to offer it (menus, which fields apply), in registration order. */
export function modelKindChoices(): KindChoice[] {
  return [...kinds].map(([norm, k]) => ({
    norm,
    label: k.labels?.[norm] ?? norm,
    description: k.description,
    options: [...k.options],
    ...(k.fixedLayers !== undefined ? { fixedLayers: k.fixedLayers } : {}),
  }));
}

/** The kind that builds `config` (by its norm); a MakemoreError for an unknown one. */
export function modelKind(config: Pick<ModelConfig, 'norm'>): ModelKind {
  const k = kinds.get(config.norm);
  if (k === undefined) throw new MakemoreError(`norm must be one of ${modelKindNames().join(', ')}, got "${String(config.norm)}"`);
  return k;
}

/** Build a model, drawing its parameters from `g`. */
export function createModel(config: ModelConfig, g: Generator): LanguageModel {
  validateModelConfig(config);
  return modelKind(config).create(config, g);
}

/** Why `model` cannot be folded, or null when it can. */
export function foldRefusal(model: LanguageModel): string | null {
  const kind = modelKind(model.config);
  return kind.fold === undefined ? 'has no batch norm to fold' : kind.foldRefusal(model.config);
}

/** A batch-norm-free model computing the same eval-mode function as `model`. */
export function foldBatchNorm(model: LanguageModel): LanguageModel {
  const kind = modelKind(model.config);
  const why = foldRefusal(model);
  if (why !== null || kind.fold === undefined) throw new MakemoreError(why ?? 'has no batch norm to fold');
  return kind.fold(model);
}
