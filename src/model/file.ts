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
import type { OptimizerStateDict, ParamGroup, ParamState } from '../optim/index.js';
import { Tensor } from '../tensor/index.js';
import { MakemoreError } from '../errors.js';
import { OPTIMIZERS, validateModelConfig, validateTrainConfig, type ModelConfig, type OptimizerName, type TrainConfig } from './config.js';
import type { LanguageModel } from './kind.js';
import { archNames, createModel, modelKind, modelKindNames } from './registry.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

export const FORMAT = 'makemore-ts';
export const FORMAT_VERSION = '1';

/** What a model file records besides the tensors. */
export interface ModelFileInfo {
  /** Training steps done. */
  step: number;
  /** The generator after the last step: resuming continues its stream. */
  generator?: GeneratorState;
  /** The dropouts' generator after the last step, where it is not `generator` (makemore.py's split: the run's first one). */
  dropoutGenerator?: GeneratorState;
  train?: TrainConfig;
  /** The word list it was trained on (informational) and its sha256. */
  data?: string;
  dataSha256?: string;
  /** Extra string entries (diagnostics, notes). */
  extra?: Record<string, string>;
  /** The optimizer's state (AdamW's moments and step counts, SGD's momentum buffers): resuming continues it exactly. */
  optimizer?: SavedOptimizer;
}

/** An optimizer's state in a model file: tensors `optimizer.state.<i>.<buffer>`, the rest in metadata "optimizer". */
export interface SavedOptimizer {
  name: OptimizerName;
  stateDict: OptimizerStateDict;
}

/** Prefix of the optimizer's tensors; a PyTorch loader of the model's state_dict leaves them out. */
export const OPTIMIZER_PREFIX = 'optimizer.';
const OPTIMIZER_TENSOR = /^optimizer\.state\.(0|[1-9][0-9]{0,8})\.(exp_avg|exp_avg_sq|momentum_buffer)$/;

function optimizerTensors(saved: SavedOptimizer): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [i, s] of saved.stateDict.state) for (const [k, t] of Object.entries(s.buffers)) out.set(`${OPTIMIZER_PREFIX}state.${i}.${k}`, t);
  return out;
}

function optimizerMetadata(saved: SavedOptimizer): string {
  const steps: Record<string, number> = {};
  for (const [i, s] of saved.stateDict.state) if (s.step !== undefined) steps[i] = s.step;
  return JSON.stringify({ name: saved.name, param_groups: saved.stateDict.paramGroups, steps });
}

/** The optimizer state of a file, checked against the model's parameters (index and shape). */
function decodeOptimizer(text: string | undefined, tensors: ReadonlyMap<string, Tensor>, model: LanguageModel, bad: (why: string) => never): SavedOptimizer | undefined {
  if (text === undefined) {
    if (tensors.size > 0) bad(`holds optimizer tensors ("${[...tensors.keys()][0]}") but no metadata "optimizer"`);
    return undefined;
  }
  const raw = parseJson(text, 'optimizer', bad) as { name?: unknown; param_groups?: unknown; steps?: unknown };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('metadata "optimizer" is not a JSON object');
  if (!OPTIMIZERS.includes(raw.name as OptimizerName)) bad(`metadata "optimizer" names the unknown optimizer ${JSON.stringify(raw.name)}`);
  const groups = raw.param_groups;
  if (!Array.isArray(groups) || groups.length !== 1 || typeof groups[0] !== 'object' || groups[0] === null) bad('metadata "optimizer" needs one param group');
  const steps = (raw.steps ?? {}) as Record<string, unknown>;
  if (typeof steps !== 'object' || steps === null || Array.isArray(steps)) bad('metadata "optimizer" steps is not a JSON object');
  const params = model.parameters();
  const state = new Map<number, ParamState>();
  const slot = (i: number): ParamState => {
    if (!(i < params.length)) bad(`optimizer state names parameter ${i}, but the model has ${params.length}`);
    let s = state.get(i);
    if (s === undefined) state.set(i, s = { buffers: {} });
    return s;
  };
  for (const [name, t] of tensors) {
    const m = OPTIMIZER_TENSOR.exec(name);
    if (m === null) return bad(`unexpected tensor "${name}"`);
    const i = Number(m[1]);
    const s = slot(i);
    if (t.dtype === 'int32') bad(`tensor "${name}" holds integers but optimizer state is floating point`);
    if (t.shape.join() !== params[i].shape.join()) bad(`tensor "${name}" has shape (${t.shape.join(', ')}) but parameter ${i} has (${params[i].shape.join(', ')})`);
    const d = t.floatData;
    for (let k = 0; k < d.length; k++) if (!Number.isFinite(d[k])) bad(`tensor "${name}" holds ${d[k]} at index ${k}; optimizer state must be finite`);
    s.buffers[m[2]] = t;
  }
  for (const [key, step] of Object.entries(steps)) {
    if (!/^(0|[1-9][0-9]{0,8})$/.test(key) || !(Number.isSafeInteger(step) && (step as number) >= 0)) bad(`metadata "optimizer" has the bad step entry ${JSON.stringify(key)}: ${JSON.stringify(step)}`);
    slot(Number(key)).step = step as number;
  }
  return { name: raw.name as OptimizerName, stateDict: { state, paramGroups: [groups![0] as ParamGroup] } };
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
      const d = t.floatData;
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
    ...(info.dropoutGenerator ? { dropout_generator: JSON.stringify(info.dropoutGenerator) } : {}),
    ...(info.train ? { train: JSON.stringify(info.train) } : {}),
    ...(info.data !== undefined ? { data: info.data } : {}),
    ...(info.dataSha256 !== undefined ? { data_sha256: info.dataSha256 } : {}),
    ...info.extra,
    ...(info.optimizer !== undefined ? { optimizer: optimizerMetadata(info.optimizer) } : {}),
  };
  const tensors = info.optimizer !== undefined ? new Map([...modelTensors(model), ...optimizerTensors(info.optimizer)]) : modelTensors(model);
  return encodeSafetensors(tensors, metadata);
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

/** A generator state from metadata `key`, checked. */
function generatorState(text: string, key: string, bad: (why: string) => never): GeneratorState {
  const state = parseJson(text, key, bad) as GeneratorState;
  try {
    Generator.fromState(state);
  } catch (e) {
    bad(`metadata "${key}" is not a generator state (${(e as Error).message})`);
  }
  return state;
}

/** Read a model file's bytes; every problem is a MakemoreError naming `path` (the source). */
export function decodeModel(bytes: Uint8Array, path: string): SavedModel {
  const { tensors: all, metadata } = decodeSafetensors(bytes, path);
  // The optimizer's tensors are checked apart from the model's.
  const tensors = new Map([...all].filter(([k]) => !k.startsWith(OPTIMIZER_PREFIX)));
  const optTensors = new Map([...all].filter(([k]) => k.startsWith(OPTIMIZER_PREFIX)));
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
  // No "arch": a file from before architectures existed, an MLP.
  if (config.arch !== undefined && !archNames().includes(config.arch)) bad(`config has unknown arch ${JSON.stringify(config.arch)}`);
  if (!modelKindNames(config.arch).includes(config.norm)) bad(`config has unknown norm ${JSON.stringify(config.norm)}`);
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
  if (metadata.generator !== undefined) info.generator = generatorState(metadata.generator, 'generator', bad);
  if (metadata.dropout_generator !== undefined) info.dropoutGenerator = generatorState(metadata.dropout_generator, 'dropout_generator', bad);
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
  const optimizer = decodeOptimizer(metadata.optimizer, optTensors, model, bad);
  if (optimizer !== undefined) info.optimizer = optimizer;
  return { model, vocab, info, metadata };
}
