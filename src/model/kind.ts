// The model interface: what a model kind provides, and what a model exposes to the rest of the
// program. CLI, web, report, diagnostics, export and model files ask these, never which class a
// model is. A kind is one file under kinds/; registry.ts lists them (a test may add its own).
import type { Generator } from '../random/index.js';
import type { HookHandle, Module } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import type { ModelConfig } from './config.js';
import type { FusedTrainStep } from './notebookFused.js';
import type { NetworkLayer } from './layers.js';

/** A tanh output the lecture's diagnostics watch, named as in PyTorch's Sequential ("layer 2 (Tanh)"). */
export interface ActivationProbe {
  layer: string;
  /** `fn(out)` after each forward, with the output tensor (it may `retainGrad()` it). */
  watch(fn: (out: Tensor) => void): HookHandle;
}

/** A batch norm with running statistics: the tensors and a way to see its input. */
export interface BatchNormSite {
  /** PyTorch module name, e.g. "layers.1". */
  name: string;
  /** What `running` holds: the notebook's running std, or BatchNorm1d's running (unbiased) var. */
  kind: 'std' | 'var';
  runningMean: Tensor;
  running: Tensor;
  /** `fn(x)` with the batch norm's input (n × features) after each forward. */
  watchInput(fn: (x: Tensor) => void): HookHandle;
}

/**
 * A model maps contexts (n × blockSize, int32) to next-character logits (n × vocab), or, when
 * `output` is "sequence" (makemore.py's family, kinds/sequence.ts), padded words (n × T ≤ blockSize)
 * to logits at every position (n × T × vocab), trained on targets where −1 is ignored.
 */
export interface LanguageModel extends Module {
  readonly config: ModelConfig;
  /** "context" (default): one next character per context row; "sequence": one per position. */
  readonly output?: 'context' | 'sequence';
  forward(X: Tensor): Tensor;
  activationProbes(): ActivationProbe[];
  batchNormSites(): BatchNormSite[];
  /** modelLoss(forward(X), Y) in fewer kernels with the same value and gradient, where the kind has it (the bigram). */
  fusedLoss?(X: Tensor, Y: Tensor): Tensor;
  /** The whole training step in one kernel call with the same numbers, where the kind has one (null: use autograd). */
  fusedTrainStep?(batchSize: number, X: Tensor, Y: Tensor): FusedTrainStep | null;
  /**
   * Each row's eval-mode loss over (X, Y) in chunks of `chunkRows`, fused, with the numbers of the
   * op-by-op evaluation (splitRowLosses), where the kind has it (null: evaluate op by op).
   */
  fusedEvalRows?(X: Tensor, Y: Tensor, chunkRows: number): Float32Array | null;
  /** Its layers for a diagram, where the forward is hand-written (module-built models: `networkLayers` asks their modules). */
  networkLayers?(): NetworkLayer[];
}

/** The config fields beyond the shape (vocab, block, embed, hidden, layers, norm) a kind reads. */
export type KindOption = 'init' | 'bnEps' | 'bias1' | 'bnEval' | 'groups' | 'heads' | 'dropout';
export const KIND_OPTIONS: readonly KindOption[] = ['init', 'bnEps', 'bias1', 'bnEval', 'groups', 'heads', 'dropout'];

export interface ModelKind<M extends LanguageModel = LanguageModel> {
  /** The architecture (`config.arch`) it belongs to; default "mlp". */
  readonly arch?: string;
  /** The `config.norm` values this kind builds within its architecture (the name users pick it by). */
  readonly norms: readonly string[];
  /** One line for help texts and report titles. */
  readonly description: string;
  /** What its models' forward returns (default "context"; makemore.py's family: "sequence", kinds/sequence.ts). */
  readonly output?: 'context' | 'sequence';
  /** Options it reads; a config or flag setting another is refused. */
  readonly options: readonly KindOption[];
  /** A short name per norm for menus (default: the norm itself), e.g. "LayerNorm (per example)". */
  readonly labels?: Readonly<Record<string, string>>;
  /** The number of hidden layers, where the kind allows only one (the notebook model: 1). */
  readonly fixedLayers?: number;
  /** Kind-specific checks (the shape and option values are checked before). */
  validate?(config: ModelConfig): void;
  create(config: ModelConfig, g: Generator): M;
  /** Tensors under PyTorch's names and layouts, in file order (default: `stateDict()`). */
  fileTensors?(model: M): Map<string, Tensor>;
  /** Copy file tensors (already checked against `fileTensors`' names and shapes) into the model. */
  loadFileTensors?(model: M, get: (name: string) => Tensor): void;
  /** Batch-norm folding: why this config cannot be folded (null: it can), and the fold itself. */
  foldRefusal(config: ModelConfig): string | null;
  fold?(model: M): LanguageModel;
  /** Eval needs the whole split in one batch (normalising with the batch's own statistics). */
  wholeSplitEval?(config: ModelConfig): boolean;
  /** Training divides by a batch std without a floor: a minibatch of one repeated context breaks it. */
  readonly zeroBatchStdFails?: boolean;
  /** Fewest values a file of this config holds (refuses a config larger than the file before allocating). */
  minFileValues?(config: ModelConfig): number;
  /** A title for reports: "no batch norm (kaiming init)", "notebook model". */
  title(config: ModelConfig): string;
  /** What `train`'s setup line adds for this kind (e.g. which batch norm it is). */
  setupNotes?(config: ModelConfig): string[];
  /** Report rows of its options beyond the norm (e.g. { init: 'kaiming' }). */
  configRows?(config: ModelConfig): Record<string, string | number>;
  /** Option values a new config of this norm gets unless set (e.g. GroupNorm's groups). */
  defaults?(config: ModelConfig): Partial<ModelConfig>;
}

/** Store a kind whose functions take its own model class as a kind of LanguageModel. */
export function defineKind<M extends LanguageModel>(kind: ModelKind<M>): ModelKind {
  // Safe: every model a kind's functions receive was made by its own create().
  return kind as unknown as ModelKind;
}

/** What a form offers for one norm name (plain data: the playground's worker sends it to the page). */
export interface KindChoice {
  norm: string;
  label: string;
  description: string;
  options: KindOption[];
  fixedLayers?: number;
}
