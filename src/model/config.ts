// Model and training configuration, with the notebook's defaults (makemore part 3).
// Which kind builds a config is its architecture `arch` (absent: "mlp") and, within it, `norm`;
// registry.ts maps the pair to the kind (kinds/*.ts), whose `validate` checks its own options.
import { MakemoreError } from '../errors.js';
import { SCHEDULES, type Schedule } from '../optim/index.js';
import { DEFAULT_ARCH, type Arch } from './arch.js';
import { modelKind } from './registry.js';

export { learningRate } from '../optim/index.js';
export { ARCHS, DEFAULT_ARCH, type Arch, type BuiltinArch } from './arch.js';

/** The built-in kinds' names; a registered kind adds its own (registerModelKind). */
export type BuiltinNormKind = 'notebook' | 'batchnorm1d' | 'none' | 'layernorm' | 'groupnorm' | 'rmsnorm';
export type NormKind = BuiltinNormKind | (string & Record<never, never>);
export const NORM_KINDS: readonly BuiltinNormKind[] = ['notebook', 'batchnorm1d', 'none', 'layernorm', 'groupnorm', 'rmsnorm'];
/** A norm the CLI knows by name but this model cannot use: validateModelConfig explains why. */
export const INAPPLICABLE_NORMS: readonly string[] = ['instancenorm'];

/**
 * Initialisation of the hand-written models (norm "none" and "notebook"), the steps of the lecture:
 * "naive": every parameter ~ N(0, 1) (initial loss ~27); "fix-softmax": W2·0.01, b2·0 (~3.3);
 * "fix-tanh": also W1·0.2, b1·0.01 (no saturated tanh); "kaiming": W1·(5/3)/√fanIn, b1·0.01;
 * and the seed notebook's "seed": kaiming W1, Xavier-normal W2, b1 and b2 = rand/√n (see init.ts).
 */
export type InitScheme = 'naive' | 'fix-softmax' | 'fix-tanh' | 'kaiming' | 'seed';
export const INIT_SCHEMES: readonly InitScheme[] = ['naive', 'fix-softmax', 'fix-tanh', 'kaiming', 'seed'];

/**
 * How the notebook model normalises in eval mode: "running" with its running mean and std
 * (cell 14), "batch" with the statistics of the batch it is given (cell 9: a whole split at once).
 */
export type BnEval = 'running' | 'batch';
export const BN_EVALS: readonly BnEval[] = ['running', 'batch'];

/**
 * Which generator draws the samples after `train`: "continue" the training generator (the seed
 * notebook, cell 34) or a fresh one seeded seed + 10 (the lecture's g2).
 */
export type SampleGenerator = 'continue' | 'seed+10';
export const SAMPLE_GENERATORS: readonly SampleGenerator[] = ['continue', 'seed+10'];

export interface ModelConfig {
  /** The architecture (default "mlp"); with `norm` it picks the model kind. */
  arch?: Arch;
  vocabSize: number;
  /** Characters of context. */
  blockSize: number;
  /** Embedding dimension per character. */
  embedDim: number;
  /** Units per hidden layer. */
  hidden: number;
  /** Number of hidden Linear → norm → Tanh blocks (wavenet: levels of the tree). */
  layers: number;
  /**
   * "notebook": the lecture notebook's hand-written model (one hidden layer; batch norm with the
   * batch's unbiased std, no eps, running mean/std with momentum 0.001).
   * "batchnorm1d": nn modules, Linear(bias=false) → BatchNorm1d → Tanh per hidden layer, then
   * Linear → BatchNorm1d (gain 0.1) on the logits, as the lecture's deeper network.
   * "none": no batch norm, the lecture's first model: C, W1, b1 (tanh), W2, b2 (see `init`).
   * "layernorm", "groupnorm", "rmsnorm": nn modules, Linear(bias=false) → LayerNorm / GroupNorm /
   * RMSNorm → Tanh per hidden layer, then a plain Linear with bias (weight ×0.1) on the logits:
   * norms that use each example alone, so no running statistics and no batch coupling.
   */
  norm: NormKind;
  /** GroupNorm's group count (norm "groupnorm" only; must divide `hidden`). */
  groups?: number;
  /** Attention heads (makemore.py's n_head; the transformer only; must divide `embedDim`). */
  heads?: number;
  /** Dropout probability in [0, 1) (the transformer only: after the embeddings and each residual branch; absent or 0: none). */
  dropout?: number;
  /** Initialisation of the "none" and "notebook" models (default "kaiming"); ignored by "batchnorm1d". */
  init?: InitScheme;
  /** Notebook model: eps added to the batch std in training, `(h − mean)/(std + eps)` (default 0). */
  bnEps?: number;
  /** Notebook model: a first-layer bias b1 before the batch norm (default false; "none" always has one). */
  bias1?: boolean;
  /** Notebook model: the statistics eval mode normalises with (default "running"). */
  bnEval?: BnEval;
}

export interface TrainConfig {
  batchSize: number;
  steps: number;
  /** Learning rate before the decay step. */
  lr: number;
  /** Learning rate from the decay step on. */
  lrFinal: number;
  /** First step that uses lrFinal (default: half the steps). */
  lrDecayStep: number;
  /** Seed of the torch-style generator used for the parameters, then the minibatches. */
  seed: number;
  /** Seed of the Python-style shuffle that splits the words (split "shuffle"). */
  splitSeed: number;
  /**
   * How the words are split (default "shuffle": the notebooks' 80/10/10 by `splitSeed`).
   * "makemore": makemore.py's pipeline (data/makemore.ts, train/data.ts): torch.randperm on the
   * generator seeded `seed` before it draws the parameters, a test set of min(1000, 10%) words
   * (also the val set), and minibatches from the generator makemore.py's RandomSampler seeds.
   */
  split?: WordSplitKind;
  /** The generator `train` samples from after training (default "seed+10"). */
  sampleGenerator?: SampleGenerator;
  /**
   * The optimizer (default "sgd"). The fields below are absent when they keep their defaults, so
   * the default run's config (and its model file) is what it was before they existed.
   */
  optimizer?: OptimizerName;
  /** AdamW's betas (default makemore.py's 0.9, 0.99). */
  betas?: [number, number];
  /** AdamW's eps (default 1e-8). */
  eps?: number;
  /** AdamW: decoupled (default 0.01); SGD: L2 added to the gradient (default 0). */
  weightDecay?: number;
  /** SGD momentum (default 0), its dampening (default 0), Nesterov (default false). */
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** Clip the gradients' total 2-norm to this before each update (default: no clipping). */
  clipGradNorm?: number;
  /** Learning-rate schedule (default "step"), after `warmup` steps of linear warm-up (default 0). */
  schedule?: Schedule;
  warmup?: number;
}

/** The optional optimizer, clipping and warm-up fields (flags of the same names set them). */
export const OPTIMIZER_FIELDS = ['warmup', 'betas', 'eps', 'weightDecay', 'momentum', 'dampening', 'nesterov', 'clipGradNorm'] as const;
export type OptimizerField = (typeof OPTIMIZER_FIELDS)[number];

export type WordSplitKind = 'shuffle' | 'makemore';
export const WORD_SPLITS: readonly WordSplitKind[] = ['shuffle', 'makemore'];

export type OptimizerName = 'sgd' | 'adamw';
export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'adamw'];

export const DEFAULT_MODEL: Omit<ModelConfig, 'vocabSize'> = {
  blockSize: 3,
  embedDim: 10,
  hidden: 200,
  layers: 1,
  norm: 'notebook',
};

export const DEFAULT_TRAIN: TrainConfig = {
  batchSize: 32,
  steps: 200_000,
  lr: 0.1,
  lrFinal: 0.01,
  lrDecayStep: 100_000,
  seed: 2147483647,
  splitSeed: 42,
};

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new MakemoreError(`${name} must be a positive integer, got ${v}`);
}

/** A norm the CLI knows by name but the MLP cannot use: say why. */
export function checkNormApplies(norm: string, hidden: number): void {
  if (INAPPLICABLE_NORMS.includes(norm)) {
    throw new MakemoreError(`norm "${norm}" cannot apply here: InstanceNorm1d normalizes each channel over a length axis, and the MLP's hidden features (N, ${hidden}) have none; use layernorm or groupnorm`);
  }
}

export function validateModelConfig(c: ModelConfig): void {
  positiveInt('vocabSize', c.vocabSize);
  positiveInt('block size', c.blockSize);
  positiveInt('embedding size', c.embedDim);
  positiveInt('hidden size', c.hidden);
  positiveInt('layers', c.layers);
  if ((c.arch ?? DEFAULT_ARCH) === DEFAULT_ARCH) checkNormApplies(c.norm, c.hidden);
  const kind = modelKind(c);
  if (c.groups !== undefined && !kind.options.includes('groups')) throw new MakemoreError(`groups applies only to norm groupnorm, not ${c.norm}`);
  if (c.heads !== undefined && !kind.options.includes('heads')) throw new MakemoreError(`heads applies only to the transformer, not ${c.arch ?? DEFAULT_ARCH}`);
  if (c.dropout !== undefined && !kind.options.includes('dropout')) throw new MakemoreError(`dropout applies only to the transformer, not ${c.arch ?? DEFAULT_ARCH}`);
  kind.validate?.(c);
  if (c.init !== undefined && !INIT_SCHEMES.includes(c.init)) {
    throw new MakemoreError(`init must be one of ${INIT_SCHEMES.join(', ')}, got "${String(c.init)}"`);
  }
  if (c.bnEps !== undefined && !(typeof c.bnEps === 'number' && Number.isFinite(c.bnEps) && c.bnEps >= 0)) {
    throw new MakemoreError(`batch-norm eps must be a non-negative number, got ${String(c.bnEps)}`);
  }
  if (c.bias1 !== undefined && typeof c.bias1 !== 'boolean') throw new MakemoreError(`bias1 must be true or false, got ${String(c.bias1)}`);
  if (c.bnEval !== undefined && !BN_EVALS.includes(c.bnEval)) {
    throw new MakemoreError(`batch-norm eval must be one of ${BN_EVALS.join(', ')}, got "${String(c.bnEval)}"`);
  }
}

export function validateTrainConfig(c: TrainConfig): void {
  positiveInt('steps', c.steps);
  positiveInt('batch size', c.batchSize);
  if (c.batchSize < 2) throw new MakemoreError(`batch size must be at least 2 for batch statistics, got ${c.batchSize}`);
  for (const [name, v] of [['learning rate', c.lr], ['final learning rate', c.lrFinal]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new MakemoreError(`${name} must be a positive number, got ${v}`);
  }
  if (!Number.isInteger(c.lrDecayStep) || c.lrDecayStep < 0) throw new MakemoreError(`lr decay step must be a non-negative integer, got ${c.lrDecayStep}`);
  for (const [name, v] of [['seed', c.seed], ['split seed', c.splitSeed]] as const) {
    if (!Number.isSafeInteger(v)) throw new MakemoreError(`${name} must be an integer, got ${v}`);
  }
  if (c.sampleGenerator !== undefined && !SAMPLE_GENERATORS.includes(c.sampleGenerator)) {
    throw new MakemoreError(`sample generator must be one of ${SAMPLE_GENERATORS.join(', ')}, got "${String(c.sampleGenerator)}"`);
  }
  if (c.split !== undefined && !WORD_SPLITS.includes(c.split)) throw new MakemoreError(`split must be one of ${WORD_SPLITS.join(', ')}, got "${String(c.split)}"`);
  validateOptimizerConfig(c);
}

/** The optimizer, clipping and schedule fields of a training config. */
function validateOptimizerConfig(c: TrainConfig): void {
  const opt = c.optimizer ?? 'sgd';
  if (!OPTIMIZERS.includes(opt)) throw new MakemoreError(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got "${String(opt)}"`);
  const nonNegative = (name: string, v: unknown): void => {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new MakemoreError(`${name} must be a non-negative number, got ${String(v)}`);
  };
  nonNegative('eps', c.eps);
  nonNegative('weight decay', c.weightDecay);
  nonNegative('momentum', c.momentum);
  nonNegative('dampening', c.dampening);
  if (c.clipGradNorm !== undefined && !(typeof c.clipGradNorm === 'number' && Number.isFinite(c.clipGradNorm) && c.clipGradNorm > 0)) {
    throw new MakemoreError(`clip grad norm must be a positive number, got ${String(c.clipGradNorm)}`);
  }
  if (c.betas !== undefined && !(Array.isArray(c.betas) && c.betas.length === 2 && c.betas.every((b) => typeof b === 'number' && b >= 0 && b < 1))) {
    throw new MakemoreError(`betas must be two numbers in [0, 1), got ${JSON.stringify(c.betas)}`);
  }
  if (c.nesterov !== undefined && typeof c.nesterov !== 'boolean') throw new MakemoreError(`nesterov must be true or false, got ${String(c.nesterov)}`);
  const sgdOnly = (['momentum', 'dampening', 'nesterov'] as const).filter((k) => c[k] !== undefined);
  const adamOnly = (['betas', 'eps'] as const).filter((k) => c[k] !== undefined);
  if (opt === 'adamw' && sgdOnly.length > 0) throw new MakemoreError(`${sgdOnly[0]} applies to the sgd optimizer, not adamw`);
  if (opt === 'sgd' && adamOnly.length > 0) throw new MakemoreError(`${adamOnly[0]} applies to the adamw optimizer, not sgd`);
  if (c.nesterov === true && (!((c.momentum ?? 0) > 0) || (c.dampening ?? 0) !== 0)) throw new MakemoreError('nesterov momentum requires a momentum above 0 and zero dampening');
  if (c.schedule !== undefined && !SCHEDULES.includes(c.schedule)) throw new MakemoreError(`schedule must be one of ${SCHEDULES.join(', ')}, got "${String(c.schedule)}"`);
  if (c.warmup !== undefined && !(Number.isSafeInteger(c.warmup) && c.warmup >= 0)) throw new MakemoreError(`warmup must be a non-negative integer, got ${String(c.warmup)}`);
}
