// Model files: the parameters and buffers as safetensors, with the config and vocabulary in
// the metadata, so a file is all that `makemore sample` needs.
import { Vocab } from '../data/index.js';
import { Generator } from '../random/index.js';
import { MakemoreError } from '../errors.js';
import { createModel, type LanguageModel } from './index.js';
import { NORM_KINDS, type ModelConfig, type NormKind } from './config.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';

export const FORMAT_VERSION = '1';

export interface SavedModel {
  model: LanguageModel;
  vocab: Vocab;
  metadata: Record<string, string>;
}

export function saveModel(path: string, model: LanguageModel, vocab: Vocab, extra: Record<string, string> = {}): void {
  const c = model.config;
  const metadata: Record<string, string> = {
    format: 'makemore-ts',
    format_version: FORMAT_VERSION,
    vocab: vocab.toString(),
    block_size: String(c.blockSize),
    embed_dim: String(c.embedDim),
    hidden: String(c.hidden),
    layers: String(c.layers),
    norm: c.norm,
    ...extra,
  };
  saveSafetensors(path, model.stateDict(), metadata);
}

export function loadModel(path: string): SavedModel {
  const { tensors, metadata } = loadSafetensors(path);
  const bad = (why: string): never => { throw new MakemoreError(`${path}: ${why}`); };
  if (metadata.format !== 'makemore-ts') bad('is not a makemore-ts model file (metadata "format" is missing)');
  const int = (key: string): number => {
    const v = Number(metadata[key]);
    if (!Number.isInteger(v) || v <= 0) bad(`metadata "${key}" must be a positive integer, got ${JSON.stringify(metadata[key])}`);
    return v;
  };
  const norm = metadata.norm as NormKind;
  if (!NORM_KINDS.includes(norm)) bad(`metadata "norm" is ${JSON.stringify(metadata.norm)}, expected one of ${NORM_KINDS.join(', ')}`);
  if (typeof metadata.vocab !== 'string') bad('metadata "vocab" is missing');
  let vocab: Vocab;
  try {
    vocab = new Vocab(['.', ...Array.from(metadata.vocab)]);
  } catch (e) {
    return bad(`metadata "vocab" is invalid: ${(e as Error).message}`);
  }
  const config: ModelConfig = {
    vocabSize: vocab.size,
    blockSize: int('block_size'),
    embedDim: int('embed_dim'),
    hidden: int('hidden'),
    layers: int('layers'),
    norm,
  };
  const model = createModel(config, new Generator(0));
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    bad(`tensors do not match the model config: ${(e as Error).message}`);
  }
  return { model, vocab, metadata };
}
