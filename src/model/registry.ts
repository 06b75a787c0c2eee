// The model kinds by architecture and norm (config.arch, absent = "mlp"; config.norm): the
// built-in ones, and any a program or test registers.
import { MakemoreError } from '../errors.js';
import type { Generator } from '../random/index.js';
import { DEFAULT_ARCH } from './arch.js';
import { validateModelConfig, type ModelConfig } from './config.js';
import type { KindChoice, LanguageModel, ModelKind } from './kind.js';
import { moduleKind } from './kinds/module.js';
import { notebookKind } from './kinds/notebook.js';
import { plainKind } from './kinds/plain.js';
import { gruKind, rnnKind } from './kinds/rnn.js';
import { wavenetKind } from './kinds/wavenet.js';
import { bigramKind } from './kinds/bigram.js';
import { makemoreMlpKind } from './kinds/makemoreMlp.js';
import { typeOfArch } from './kinds/sequence.js';
import { bowKind } from './kinds/bow.js';
import { transformerKind } from './kinds/transformer.js';

/** arch → norm → kind */
const kinds = new Map<string, Map<string, ModelKind>>();

/** The architecture a kind (or config) belongs to. */
export const archOf = (k: { arch?: string }): string => k.arch ?? DEFAULT_ARCH;

/** Make a kind buildable by its arch and `norms` names (createModel, model files, folding, reports). */
export function registerModelKind(kind: ModelKind): void {
  const arch = archOf(kind);
  const byNorm = kinds.get(arch) ?? new Map<string, ModelKind>();
  for (const name of kind.norms) {
    if (byNorm.has(name) && byNorm.get(name) !== kind) throw new Error(`a ${arch} model kind named "${name}" is already registered`);
  }
  for (const name of kind.norms) byNorm.set(name, kind);
  kinds.set(arch, byNorm);
}

// makemore.py's family (kinds/sequence.ts), one kind per --type
for (const k of [notebookKind, moduleKind, plainKind, wavenetKind, bigramKind, makemoreMlpKind, rnnKind, gruKind, bowKind, transformerKind]) registerModelKind(k);

/** makemore.py's `--type` names of the registered family kinds (output "sequence"), in registration order. */
export function familyTypes(): string[] {
  return [...kinds].filter(([, byNorm]) => [...byNorm.values()].some((k) => k.output === 'sequence')).map(([arch]) => typeOfArch(arch));
}

/** Whether `config`'s kind is one of makemore.py's family (its models read padded words). */
export function isFamily(config: Pick<ModelConfig, 'norm' | 'arch'>): boolean {
  return modelKind(config).output === 'sequence';
}

/** The architecture names, in registration order. */
export function archNames(): string[] {
  return [...kinds.keys()];
}

/** The norm names of an architecture (default "mlp"), in registration order. */
export function modelKindNames(arch: string = DEFAULT_ARCH): string[] {
  return [...(kinds.get(arch)?.keys() ?? [])];
}

/** Every kind name of an architecture (default "mlp") with what a form needs to offer it (menus, which fields apply), in registration order. */
export function modelKindChoices(arch: string = DEFAULT_ARCH): KindChoice[] {
  return [...(kinds.get(arch) ?? [])].map(([norm, k]) => ({
    norm,
    label: k.labels?.[norm] ?? norm,
    description: k.description,
    options: [...k.options],
    ...(k.fixedLayers !== undefined ? { fixedLayers: k.fixedLayers } : {}),
  }));
}

/** The kind that builds `config` (by its arch and norm); a MakemoreError for an unknown one. */
export function modelKind(config: Pick<ModelConfig, 'norm' | 'arch'>): ModelKind {
  const arch = archOf(config);
  const byNorm = kinds.get(arch);
  if (byNorm === undefined) throw new MakemoreError(`arch must be one of ${archNames().join(', ')}, got "${String(arch)}"`);
  const k = byNorm.get(config.norm);
  if (k === undefined) {
    const what = arch === DEFAULT_ARCH ? 'norm' : `norm of the ${arch} model`;
    throw new MakemoreError(`${what} must be one of ${modelKindNames(arch).join(', ')}, got "${String(config.norm)}"`);
  }
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
