// makemore.py's model family (`--type bigram|mlp|rnn|gru|bow|transformer`): each model reads a
// batch of words as makemore.py pads them, idx (B, T ≤ blockSize) int32 with 0 the start/blank
// token, and returns logits at every position (B, T, vocab). Training takes cross-entropy over
// all positions with targets −1 ignored (the padding after each word's end).
// Config mapping (makemore.py's names): embedDim = n_embd, hidden = n_embd2, layers = n_layer,
// heads = n_head, blockSize = the longest word + 1. Parameters are registered under
// makemore.py's state_dict names and drawn in its module construction order with PyTorch's
// default initialisation (nn.Linear: U(±1/√fan_in) for weight then bias; nn.Embedding: N(0, 1)),
// so a model file loads into makemore.py's classes and back.
import type { Generator } from '../../random/index.js';
import { Module } from '../../nn/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { ModelConfig } from '../config.js';
import { defineKind, type ActivationProbe, type BatchNormSite, type KindOption, type LanguageModel, type ModelKind } from '../kind.js';

/** A model of the family: forward(idx (B, T) int32) → logits (B, T, vocab). */
export abstract class SequenceModel extends Module implements LanguageModel {
  readonly output = 'sequence' as const;
  constructor(readonly config: ModelConfig) {
    super();
  }
  abstract override forward(idx: Tensor): Tensor;
  /** No tanh layers the lecture's diagnostics watch (a kind may list its own). */
  activationProbes(): ActivationProbe[] {
    return [];
  }
  batchNormSites(): BatchNormSite[] {
    return [];
  }
}

export interface SequenceKindSpec<M extends SequenceModel> {
  /** config.arch: "bigram", "makemore-mlp", "rnn", "gru", "bow", "transformer". */
  arch: string;
  /** The config.norm it is built under (default "none"; the transformer: "layernorm"). */
  norm?: string;
  description: string;
  /** Options beyond the shape it reads (the transformer: ["heads"]). */
  options?: readonly KindOption[];
  /** Its own shape checks (e.g. heads divide the embedding), one-line MakemoreErrors. */
  validate?(config: ModelConfig): void;
  create(config: ModelConfig, g: Generator): M;
  /** Option values a new config gets unless set (e.g. { heads: 4 }). */
  defaults?(config: ModelConfig): Partial<ModelConfig>;
}

/** The ModelKind of one type of the family (registered in registry.ts). */
export function defineSequenceKind<M extends SequenceModel>(spec: SequenceKindSpec<M>): ModelKind {
  return defineKind<M>({
    arch: spec.arch,
    output: 'sequence',
    norms: [spec.norm ?? 'none'],
    description: spec.description,
    options: spec.options ?? [],
    validate: spec.validate,
    create: spec.create,
    foldRefusal: () => 'has no batch norm to fold',
    title: () => `makemore.py ${typeOfArch(spec.arch)}`,
    defaults: spec.defaults,
  });
}

/** makemore.py's `--type` of a family arch: "mlp" for "makemore-mlp" (this project's "mlp" is its context MLPs). */
export function typeOfArch(arch: string): string {
  return arch === 'makemore-mlp' ? 'mlp' : arch;
}

/** The arch of makemore.py's `--type` name. */
export function archOfType(type: string): string {
  return type === 'mlp' ? 'makemore-mlp' : type;
}
