// Model files (bytes; io.ts reads and writes them on disk): safetensors with PyTorch's names and layouts, and everything needed to sample,
// evaluate or resume in the metadata (config, vocabulary, step, generator state, train config).
//
// Names are those of the equivalent torch.nn model, weights in (out × in) layout:
//   embedding.weight, layers.0.weight, layers.1.{weight,bias,running_mean,running_var}, ...
// A kind whose own form differs (the notebook's) maps its tensors in its `fileTensors` /
// `loadFileTensors`; the others are their `stateDict()`.
import { jsonDepth, MAX_JSON_DEPTH } from './jsonDepth.js';
import { Vocab } from '../data/vocab.js';
import { Generator, type GeneratorState } from '../random/index.js';
import { Tensor } from '../tensor/index.js';
import { MakemoreError } from '../errors.js';
import { validateModelConfig, validateTrainConfig, type ModelConfig, type TrainConfig } from './config.js';
import type { LanguageModel } from './kind.js';
import { createModel, modelKind, modelKindNames } from './registry.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

export const FORMAT = 'makemore-ts';
export const FORMAT_VERSION = '1';

/** What a model file records besides the tensors. */
export interface ModelFileInfo {
  /** Training steps done. */
  step: number;
  /** The generator after the last step: resuming continues its stream. */
  generator?: GeneratorState;
  train?: TrainConfig;
  /** The word list it was trained on (informational) and its sha256. */
  data?: string;
  dataSha256?: string;
  /** Extra string entries (diagnostics, notes). */
  extra?: Record<string, string>;
}

export interface SavedModel {
  model: LanguageModel;
  vocab: Vocab;
  info: ModelFileInfo;
  metadata: Record<string, string>;
}

/** The tensors of a model under PyTorch names and layouts, in file order. */
export function modelTensors(model: LanguageModel): Map<string, Tensor> {
  return modelKind(model.config).fileTensors?.(model) ?? model.stateDict();
}

/** Expected shape and dtype of every tensor a model of `config` reads from a file. */
function expectedTensors(model: LanguageModel): Map<string, { shape: readonly number[]; int: boolean }> {
  return new Map([...modelTensors(model)].map(([k, t]) => [k, { shape: t.shape, int: t.dtype === 'int32' }]));
}

/** Batch-norm statistics that are a spread (variance or std): never negative. */
const isSpread = (name: string): boolean => name.endsWith('.running_var') || name.endsWith('.running_std');

/** Copy file tensors into `model`, checking names and shapes. */
export function loadModelTensors(model: LanguageModel, tensors: ReadonlyMap<string, Tensor>, source: string): void {
  const bad = (why: string): never => { throw new MakemoreError(`${source}: ${why}`); };
  const expected = expectedTensors(model);
  for (const [name, { shape, int }] of expected) {
    const t = tensors.get(name);
    if (t === undefined) bad(`tensor "${name}" is missing`);
    else if (t.shape.join() !== shape.join()) bad(`tensor "${name}" has shape (${t.shape.join(', ')}) but the config needs (${shape.join(', ')})`);
    else if ((t.dtype === 'int32') !== int) bad(`tensor "${name}" holds ${t.dtype === 'int32' ? 'integers' : 'floating point numbers'} but the model needs ${int ? 'integers' : 'floating point numbers'}`);
    else if (!int) {
      const d = t.f;
      for (let i = 0; i < d.length; i++) {
        if (!Number.isFinite(d[i])) bad(`tensor "${name}" holds ${d[i]} at index ${i}; a model's values must be finite`);
        if (isSpread(name) && d[i] < 0) bad(`tensor "${name}" holds the negative value ${d[i]} at index ${i}; a variance or standard deviation cannot be negative`);
      }
    }
  }
  // A file written from a torch.nn BatchNorm1d also holds its batch counter: harmless, ignored
  // where the model keeps none (the notebook form).
  const ignorable = (name: string): boolean => name.endsWith('.num_batches_tracked');
  for (const name of tensors.keys()) if (!expected.has(name) && !ignorable(name)) bad(`unexpected tensor "${name}"`);
  const get = (name: string): Tensor => tensors.get(name)!;
  const load = modelKind(model.config).loadFileTensors;
  if (load !== undefined) { load(model, get); return; }
  for (const [name, dst] of model.stateDict()) {
    const d = dst.data;
    const src = get(name).data;
    for (let i = 0; i < d.length; i++) d[i] = src[i];
  }
}

/** A model file's bytes (safetensors). */
export function encodeModel(model: LanguageModel, vocab: Vocab, info: ModelFileInfo): Uint8Array {
  const { vocabSize, ...config } = model.config;
  void vocabSize; // the vocabulary itself is stored
  const metadata: Record<string, string> = {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    config: JSON.stringify(config),
    vocab: vocab.toString(),
    step: String(info.step),
    ...(info.generator ? { generator: JSON.stringify(info.generator) } : {}),
    ...(info.train ? { train: JSON.stringify(info.train) } : {}),
    ...(info.data !== undefined ? { data: info.data } : {}),
    ...(info.dataSha256 !== undefined ? { data_sha256: info.dataSha256 } : {}),
    ...info.extra,
  };
  return encodeSafetensors(modelTensors(model), metadata);
}

/** Characters a vocabulary cannot hold (as word lists: control characters, line separators). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function parseJson(text: string | undefined, key: string, bad: (why: string) => never): unknown {
  if (text === undefined) return bad(`metadata "${key}" is missing`);
  if (jsonDepth(text) > MAX_JSON_DEPTH) return bad(`metadata "${key}" nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch {
    return bad(`metadata "${key}" is not valid JSON`);
  }
}

/** Read a model file's bytes; every problem is a MakemoreError naming `path` (the source). */
export function decodeModel(bytes: Uint8Array, path: string): SavedModel {
  const { tensors, metadata } = decodeSafetensors(bytes, path);
  const bad = (why: string): never => { throw new MakemoreError(`${path}: ${why}`); };
  if (metadata.format !== FORMAT) bad('is not a makemore-ts model file (metadata "format" is missing)');
  if (metadata.format_version !== FORMAT_VERSION) bad(`has format version ${JSON.stringify(metadata.format_version)}; this makemore-ts reads version ${FORMAT_VERSION}`);
  if (typeof metadata.vocab !== 'string') bad('metadata "vocab" is missing');
  let vocab: Vocab;
  try {
    vocab = new Vocab(['.', ...Array.from(metadata.vocab)]);
  } catch (e) {
    return bad(`metadata "vocab" is invalid: ${(e as Error).message}`);
  }
  if (CONTROL.test(metadata.vocab)) bad('metadata "vocab" holds a control character');
  const raw = parseJson(metadata.config, 'config', bad) as Partial<ModelConfig>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('metadata "config" is not a JSON object');
  const config = { ...raw, vocabSize: vocab.size } as ModelConfig;
  if (!modelKindNames().includes(config.norm)) bad(`config has unknown norm ${JSON.stringify(config.norm)}`);
  try {
    validateModelConfig(config);
  } catch (e) {
    bad(`config is invalid: ${(e as Error).message}`);
  }
  // Refuse a config larger than the file before building (allocating) the model.
  let fileElements = 0;
  for (const t of tensors.values()) fileElements += t.numel;
  const claimed = modelKind(config).minFileValues?.(config) ?? 0;
  if (claimed > fileElements) bad(`config claims at least ${claimed} weights but the file holds ${fileElements} values`);
  const model = createModel(config, new Generator(0));
  loadModelTensors(model, tensors, path);
  const step = metadata.step === undefined ? 0 : /^[0-9]+$/.test(metadata.step) ? Number(metadata.step) : Number.NaN;
  if (!Number.isSafeInteger(step)) bad(`metadata "step" is ${JSON.stringify(metadata.step)}, not a step count`);
  const info: ModelFileInfo = { step };
  if (metadata.generator !== undefined) {
    const state = parseJson(metadata.generator, 'generator', bad) as GeneratorState;
    try {
      Generator.fromState(state);
    } catch (e) {
      bad(`metadata "generator" is not a generator state (${(e as Error).message})`);
    }
    info.generator = state;
  }
  if (metadata.train !== undefined) {
    const train = parseJson(metadata.train, 'train', bad) as TrainConfig;
    if (typeof train !== 'object' || train === null || Array.isArray(train)) bad('metadata "train" is not a JSON object');
    try {
      validateTrainConfig(train);
    } catch (e) {
      bad(`metadata "train" is invalid: ${(e as Error).message}`);
    }
    info.train = train;
  }
  if (metadata.data !== undefined) info.data = metadata.data;
  if (metadata.data_sha256 !== undefined) info.dataSha256 = metadata.data_sha256;
  return { model, vocab, info, metadata };
}
