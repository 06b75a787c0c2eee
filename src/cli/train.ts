// `makemore train`: read the words, build the splits, train (or resume), report losses, sample,
// save. Checkpoints are written atomically; Ctrl-C writes one and exits.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { datasetRows, makemoreBlockSize, readWords, Vocab, type WordSplit } from '../data/index.js';
import { backendName, kernels } from '../kernels/index.js';
import { ARCH_PRESETS, DEFAULT_ARCH, checkNormApplies, createModel, defaultDecayStep, isArchPreset, modelKind, modelKindNames, type Arch, type ArchPreset, type KindOption, DEFAULT_MODEL, DEFAULT_TRAIN, PRESETS, validateModelConfig, validateTrainConfig, type BnEval, type InitScheme, type LanguageModel, type ModelConfig, type NormKind, type SampleGenerator, type TrainConfig, type TrainPresetName, type OptimizerName, PRESET_MODEL_OPTIONS, OPTIMIZER_FIELDS, type OptimizerField, archOfType, familyTypes, isFamily, type WordSplitKind } from '../model/index.js';
import { ADAMW_DEFAULTS, SGD, type Optimizer, type Schedule } from '../optim/index.js';
import { type ModelFileInfo } from '../model/file.js';
import { loadModel, saveModel } from '../model/io.js';
import { Generator } from '../random/index.js';
import { dropoutGenerator, setDropoutGenerator } from '../nn/index.js';
import { sampleWords } from '../sample/index.js';
import { Tensor } from '../tensor/index.js';
import { FAMILY_DEFAULTS } from '../model/presets.js';
import { batchGenerator, modelDatasets, createOptimizer, pyFloat, runWordSplit, splitLoss, trainAsync } from '../train/index.js';
import { defaultThreads, EvalPool, THREADED_EVAL_MIN_ROWS } from '../parallel/evalThreads.js';
import { startThreadedStep } from '../parallel/stepThreads.js';
import { MakemoreError } from '../errors.js';
import { faultPoint } from '../faultPoint.js';
import { createProgress, lossLine } from './progress.js';
import { dataLabel } from './paths.js';
import { readWordsFor, recordedData, wordsSha256 } from './modelData.js';

export { wordsSha256 };
import { createTrainDiagnostics, mergeHooks, type DiagnosticsFlags } from './diagnostics.js';
import { lockOutput } from './lock.js';
import { checkTrainOutputs } from './outputs.js';
import { checkWorkDir, WORK_LOG, WORK_MODEL, WorkLog } from './workDir.js';
import { catchStopSignals, type SignalCatcher } from './signals.js';

export interface TrainFlags extends DiagnosticsFlags, Pick<TrainConfig, OptimizerField> {
  data: string;
  steps: number;
  batchSize: number;
  /** Threads for the final losses (default: every core). */
  threads?: number;
  blockSize: number;
  embed: number;
  hidden: number;
  layers: number;
  norm: string;
  /** The architecture (default: the preset's; mlp for seed and lecture). */
  arch?: Arch;
  /** makemore.py's --type (bigram, mlp, …): its model of the family, with makemore.py's defaults (FAMILY_DEFAULTS). */
  type?: string;
  /** How the words are split (default: makemore for the family, else shuffle). */
  split?: WordSplitKind;
  /** makemore.py's names of --layers, --n-head (the transformer's heads), --embed and --hidden. */
  nLayer?: number;
  nHead?: number;
  /** The transformer's dropout probability (ModelConfig.dropout). */
  dropout?: number;
  nEmbd?: number;
  nEmbd2?: number;
  preset: TrainPresetName;
  init?: InitScheme;
  bnEps?: number;
  bias1?: boolean;
  bnEval?: BnEval;
  sampleGenerator?: SampleGenerator;
  /** GroupNorm's group count (--norm groupnorm). */
  groups?: number;
  optimizer: OptimizerName;
  lr: number;
  lrFinal: number;
  lrDecayStep?: number;
  schedule: Schedule;
  seed: number;
  splitSeed: number;
  samples: number;
  out?: string;
  checkpointEvery?: number;
  resume?: string;
  /** makemore.py's work directory: the best model by val loss and log.jsonl. */
  workDir?: string;
  /** Stop with an error, saving nothing, when the loss grows far above its start (--no-stop-on-divergence: warn and train on). */
  stopOnDivergence?: boolean;
}

/** makemore.py's evaluation interval, used with --work-dir when --eval-every is not given. */
export const WORK_DIR_EVAL_EVERY = 500;

/** Which flags the user typed (as opposed to defaults). */
export type Given = (flag: keyof TrainFlags) => boolean;

/** Where Ctrl-C saves when no --out is given. */
export { FAMILY_DEFAULTS };

export const INTERRUPT_FILE = 'makemore-checkpoint.safetensors';

/** The family arch a run trains (from --type, or an --arch of the family), or null for the context models. */
function familyArchOf(flags: TrainFlags): string | null {
  if (flags.type !== undefined) {
    if (!familyTypes().includes(flags.type)) throw new MakemoreError(`--type must be one of ${familyTypes().join(', ')}, got "${flags.type}"`);
    const arch = archOfType(flags.type);
    if (flags.arch !== undefined && flags.arch !== arch) throw new MakemoreError(`--arch ${flags.arch} conflicts with --type ${flags.type} (arch ${arch})`);
    return arch;
  }
  return flags.arch !== undefined && familyTypes().map(archOfType).includes(flags.arch) ? flags.arch : null;
}

interface Plan {
  modelCfg: ModelConfig;
  trainCfg: TrainConfig;
  data: string;
  words: string[];
  vocab: Vocab;
  /** The words of each split (drawn before the parameters for makemore.py's split). */
  split: WordSplit;
  model: LanguageModel;
  /** The generator of the minibatches (and, continued, of the samples); saved in the files. */
  g: Generator;
  startStep: number;
  /** The optimizer (a resumed run's, with its state). */
  optimizer: Optimizer;
  /** Words to sample after training. */
  samples: number;
}

/** Plain SGD keeps no state: its files stay as they were before optimizers had state. */
function isPlainSgd(opt: Optimizer): boolean {
  return opt instanceof SGD && opt.isPlain;
}

/** The architecture preset a run uses: --preset wavenet, or --arch wavenet alone; null for the MLPs. */
function archPresetOf(flags: TrainFlags, given: Given): ArchPreset | null {
  const named = isArchPreset(flags.preset) ? ARCH_PRESETS[flags.preset] : null;
  if (flags.arch === undefined) return named;
  if (named !== null && named.arch !== flags.arch) throw new MakemoreError(`--arch ${flags.arch} conflicts with --preset ${flags.preset} (a ${named.arch} model)`);
  if (named === null && flags.arch !== DEFAULT_ARCH && given('preset')) throw new MakemoreError(`--preset ${flags.preset} is a preset of the ${DEFAULT_ARCH} model, not of --arch ${flags.arch}`);
  return named ?? Object.values(ARCH_PRESETS).find((p) => p.arch === flags.arch) ?? null;
}

function freshPlan(userFlags: TrainFlags, given: Given): Plan {
  const family = familyArchOf(userFlags);
  // makemore.py's family: its optimizer unless one is named (AdamW's rates follow below)
  const flags: TrainFlags = family !== null && !given('optimizer') ? { ...userFlags, optimizer: FAMILY_DEFAULTS.optimizer } : userFlags;
  if (family !== null && given('preset')) throw new MakemoreError(`--preset ${flags.preset} does not apply to makemore.py's ${flags.type ?? family} (--type takes makemore.py's defaults)`);
  const ap = family !== null ? null : archPresetOf(flags, given);
  const preset = PRESETS[isArchPreset(flags.preset) ? 'seed' : flags.preset];
  // A flag the user typed beats the architecture preset, which beats the flag's default.
  const pick = <K extends keyof TrainFlags, V>(flag: K, value: V | undefined): TrainFlags[K] | V => (given(flag) || ap === null || value === undefined ? flags[flag] : value);
  const arch = family ?? flags.arch ?? ap?.arch ?? DEFAULT_ARCH;
  const steps = flags.steps;
  const adamw = flags.optimizer === 'adamw';
  // AdamW's rate is makemore.py's (constant with the step schedule) unless the flags say otherwise.
  const lr = adamw && !given('lr') ? ADAMW_DEFAULTS.lr : flags.lr;
  const lrFinal = adamw && !given('lrFinal') ? (flags.schedule === 'cosine' ? lr / 10 : lr) : flags.lrFinal;
  const trainCfg: TrainConfig = {
    batchSize: flags.batchSize,
    steps,
    lr,
    lrFinal,
    lrDecayStep: flags.lrDecayStep ?? defaultDecayStep(steps, arch),
    seed: family !== null && !given('seed') ? FAMILY_DEFAULTS.seed : pick('seed', ap?.seed),
    splitSeed: flags.splitSeed,
    ...splitField(flags.split ?? (family !== null ? FAMILY_DEFAULTS.split : 'shuffle')),
    sampleGenerator: flags.sampleGenerator ?? ap?.sampleGenerator ?? preset.sampleGenerator,
    ...optimizerFields(flags, given),
  };
  if (adamw) Object.assign(trainCfg, { betas: trainCfg.betas ?? [...ADAMW_DEFAULTS.betas], eps: trainCfg.eps ?? ADAMW_DEFAULTS.eps, weightDecay: trainCfg.weightDecay ?? ADAMW_DEFAULTS.weightDecay });
  validateTrainConfig(trainCfg);
  const norm = (family !== null && !given('norm') ? modelKindNames(family)[0] : pick('norm', ap?.norm)) as NormKind;
  if (arch === DEFAULT_ARCH) checkNormApplies(norm, flags.hidden);
  const kind = modelKind({ norm, arch });
  for (const flag of ['bnEps', 'bias1', 'bnEval', 'init'] as const) {
    if (flags[flag] !== undefined && !kind.options.includes(flag)) throw new MakemoreError(`--${kebab(flag)} applies to ${kindsWith(flag)}, not --norm ${norm}`);
  }
  const words = readWords(flags.data);
  const vocab = Vocab.fromWords(words);
  // makemore.py's family: its defaults and block size (the longest word + 1); --n-* are makemore.py's names of the shape flags
  const shape = (flag: 'embed' | 'hidden' | 'layers', alias: 'nEmbd' | 'nEmbd2' | 'nLayer', fam: number, preset: number | undefined): number =>
    flags[alias] ?? (family !== null && !given(flag) ? fam : pick(flag, preset));
  let blockSize = pick('blockSize', ap?.blockSize);
  if (family !== null) {
    blockSize = makemoreBlockSize(words);
    if (given('blockSize') && flags.blockSize !== blockSize) throw new MakemoreError(`--block-size ${flags.blockSize}: makemore.py's ${flags.type ?? family} reads whole words, its block is the longest word + 1 (${blockSize})`);
  }
  const modelCfg: ModelConfig = {
    // Recorded only for an architecture other than the MLPs (files without it are MLPs).
    ...(arch !== DEFAULT_ARCH ? { arch } : {}),
    vocabSize: vocab.size,
    blockSize,
    embedDim: shape('embed', 'nEmbd', FAMILY_DEFAULTS.embedDim, ap?.embedDim),
    hidden: shape('hidden', 'nEmbd2', FAMILY_DEFAULTS.hidden, ap?.hidden),
    layers: shape('layers', 'nLayer', FAMILY_DEFAULTS.layers, ap?.layers),
    norm,
  };
  // The preset fills in what the flags leave open (for the options the kind reads); recorded in the model file.
  const picked = { init: flags.init ?? preset.init, bnEps: flags.bnEps ?? preset.bnEps, bias1: flags.bias1 ?? preset.bias1, bnEval: flags.bnEval ?? preset.bnEval };
  for (const option of PRESET_MODEL_OPTIONS) if (kind.options.includes(option)) Object.assign(modelCfg, { [option]: picked[option] });
  Object.assign(modelCfg, kind.defaults?.(modelCfg), flags.groups !== undefined ? { groups: flags.groups } : {});
  if (flags.nHead !== undefined) modelCfg.heads = flags.nHead;
  else if (kind.options.includes('heads') && modelCfg.heads === undefined) modelCfg.heads = FAMILY_DEFAULTS.heads;
  if (flags.dropout !== undefined) modelCfg.dropout = flags.dropout;
  validateModelConfig(modelCfg);
  checkModelSize(modelCfg, trainCfg.batchSize);
  const g = new Generator(trainCfg.seed);
  // makemore.py's split draws torch.randperm from the generator before the parameters
  const split = runWordSplit(words, trainCfg, g, flags.data);
  const model = createModel(modelCfg, g);
  return { modelCfg, trainCfg, data: flags.data, words, vocab, split, model, g: batchGenerator(g, trainCfg), startStep: 0, optimizer: createOptimizer(model.parameters(), trainCfg), samples: pick('samples', ap?.samples) };
}

/** The train config's split field: absent for the notebooks' shuffle, so their configs stay as they were. */
function splitField(split: WordSplitKind): Partial<TrainConfig> {
  return split === 'shuffle' ? {} : { split };
}

/** The optimizer's flags as training-config fields: only those typed (and not the defaults), so the default run's config is unchanged. */
function optimizerFields(flags: TrainFlags, given: Given): Partial<TrainConfig> {
  const opt = flags.optimizer;
  const only: Record<OptimizerName, (keyof TrainFlags)[]> = { sgd: ['betas', 'eps'], adamw: ['momentum', 'dampening', 'nesterov'] };
  for (const flag of only[opt]) if (given(flag)) throw new MakemoreError(`--${kebab(flag)} applies to --optimizer ${opt === 'sgd' ? 'adamw' : 'sgd'}, not ${opt}`);
  const out: Partial<TrainConfig> = {};
  if (opt !== 'sgd') out.optimizer = opt;
  if (flags.schedule !== 'step') out.schedule = flags.schedule;
  for (const key of OPTIMIZER_FIELDS) {
    if (flags[key] !== undefined && given(key)) Object.assign(out, { [key]: flags[key] });
  }
  return out;
}

/** Continue a saved run: its model, generator and schedule, with the flags the user typed on top. */
function resumePlan(flags: TrainFlags, given: Given, path: string): Plan {
  const saved = loadModel(path);
  const { info, model, vocab } = saved;
  if (info.train === undefined || info.generator === undefined) throw new MakemoreError(`${path}: has no training state (train config and generator) to resume from`);
  const c = model.config;
  const shape: [keyof TrainFlags, number | string | boolean | undefined][] = [['arch', c.arch ?? DEFAULT_ARCH], ['blockSize', c.blockSize], ['embed', c.embedDim], ['hidden', c.hidden], ['layers', c.layers], ['norm', c.norm],
    ['init', c.init], ['bnEps', c.bnEps], ['bias1', c.bias1], ['bnEval', c.bnEval], ['groups', c.groups],
    ['nEmbd', c.embedDim], ['nEmbd2', c.hidden], ['nLayer', c.layers], ['nHead', c.heads], ['dropout', c.dropout ?? 0], ['split', info.train.split ?? 'shuffle']];
  if (given('type') && flags.type !== undefined && archOfType(flags.type) !== (c.arch ?? DEFAULT_ARCH)) throw new MakemoreError(`--type ${flags.type} conflicts with the model in ${path} (${c.arch ?? DEFAULT_ARCH}); a resumed run keeps its model`);
  for (const [flag, value] of shape) {
    if (given(flag) && flags[flag] !== value) throw new MakemoreError(`--${kebab(flag)} ${String(flags[flag])} conflicts with the model in ${path} (${String(value)}); a resumed run keeps its model`);
  }
  for (const flag of ['seed', 'splitSeed'] as const) {
    if (given(flag) && flags[flag] !== info.train[flag]) throw new MakemoreError(`--${kebab(flag)} ${flags[flag]} conflicts with ${path} (${info.train[flag]}); a resumed run keeps its random streams`);
  }
  const trainCfg: TrainConfig = { ...info.train };
  if (given('steps')) {
    trainCfg.steps = flags.steps;
    trainCfg.lrDecayStep = defaultDecayStep(flags.steps, c.arch);
  }
  if (given('lrDecayStep') && flags.lrDecayStep !== undefined) trainCfg.lrDecayStep = flags.lrDecayStep;
  if (given('batchSize')) trainCfg.batchSize = flags.batchSize;
  if (given('lr')) trainCfg.lr = flags.lr;
  if (given('lrFinal')) trainCfg.lrFinal = flags.lrFinal;
  if (given('sampleGenerator')) trainCfg.sampleGenerator = flags.sampleGenerator;
  if (given('optimizer') && flags.optimizer !== (trainCfg.optimizer ?? 'sgd')) throw new MakemoreError(`--optimizer ${flags.optimizer} conflicts with ${path} (${trainCfg.optimizer ?? 'sgd'}); a resumed run keeps its optimizer and its state`);
  if (given('schedule')) trainCfg.schedule = flags.schedule;
  for (const key of OPTIMIZER_FIELDS) {
    if (given(key)) Object.assign(trainCfg, { [key]: flags[key] });
  }
  validateTrainConfig(trainCfg);
  if (trainCfg.steps > MAX_STEPS) throw new MakemoreError(`${path}: its run of ${trainCfg.steps} steps is more than the ${MAX_STEPS} steps makemore-ts runs in one go; pass a smaller --steps`);
  if (info.step >= trainCfg.steps) throw new MakemoreError(`${path}: already trained ${info.step} steps; pass --steps with a larger total to continue`);
  const data = given('data') || info.data === undefined ? flags.data : recordedData(info);
  const { words, mismatch } = readWordsFor(data, vocab);
  if (mismatch !== null) throw new MakemoreError(mismatch);
  if (info.dataSha256 !== undefined && info.dataSha256 !== wordsSha256(words)) {
    process.stderr.write(`makemore: warning: ${data} is not the word list ${path} was trained on; the split and minibatches differ\n`);
  }
  // The saved generator is the minibatches' (makemore.py's sampler's, for its split); the split is drawn afresh
  const g = Generator.fromState(info.generator);
  resumeDropout(model, info, g, path);
  const split = runWordSplit(words, trainCfg, undefined, data);
  const optimizer = createOptimizer(model.parameters(), trainCfg);
  if (info.optimizer !== undefined) {
    if (info.optimizer.name !== optimizer.name) throw new MakemoreError(`${path}: holds the state of optimizer ${info.optimizer.name} but its train config names ${optimizer.name}`);
    optimizer.loadStateDict(info.optimizer.stateDict);
  } else if (info.step > 0 && !isPlainSgd(optimizer)) {
    process.stderr.write(`makemore: warning: ${path} holds no optimizer state; ${optimizer.name} starts its moments afresh at step ${info.step}\n`);
  }
  const ap = Object.values(ARCH_PRESETS).find((p) => p.arch === c.arch);
  return { modelCfg: c, trainCfg, data, words, vocab, split, model, g, startStep: info.step, optimizer, samples: given('samples') || ap === undefined ? flags.samples : ap.samples };
}

/**
 * Point a resumed model's dropouts at the stream they drew from: the saved dropout generator, or
 * (no such state: the notebooks' split, one generator for everything) the minibatches' `g`.
 */
function resumeDropout(model: LanguageModel, info: ModelFileInfo, g: Generator, path: string): void {
  if (dropoutGenerator(model) === null) return;
  if (info.dropoutGenerator !== undefined) setDropoutGenerator(model, Generator.fromState(info.dropoutGenerator));
  else if (info.train?.split === 'makemore') throw new MakemoreError(`${path}: its model has dropout but the file holds no dropout generator state to resume from`);
  else setDropoutGenerator(model, g);
}

/** The most steps one run takes (the trainer keeps one float per step). */
export const MAX_STEPS = 1_000_000_000;

/** The most memory (estimated) a model and one training step may take: the wasm heap is 4 GiB. */
export const MAX_TRAIN_BYTES = 2 * 2 ** 30;

/**
 * Refuse a model too large to train before allocating it (a typo such as --hidden 100000000
 * would otherwise spend minutes drawing billions of weights, then run out of memory).
 */
export function checkModelSize(c: ModelConfig, batchSize: number): void {
  const { vocabSize: V, blockSize: B, embedDim: E, hidden: H, layers: L } = c;
  const params = V * E + B * E * H + (L - 1) * H * H + H * V + 4 * L * H + 4 * V;
  // parameters, their gradients and the update; activations and their gradients for one batch
  const bytes = 4 * (3 * params + 2 * batchSize * (B * E + 4 * L * H + 3 * V));
  if (bytes > MAX_TRAIN_BYTES) {
    throw new MakemoreError(`a model of ${params.toExponential(2)} parameters (block ${B}, embed ${E}, hidden ${H} × ${L}, batch ${batchSize}) needs about ${(bytes / 2 ** 30).toFixed(1)} GiB to train, more than the ${MAX_TRAIN_BYTES / 2 ** 30} GiB makemore-ts allows; use a smaller --hidden, --embed, --block-size or --batch-size`);
  }
}

/** "notebook", "wavenet batchnorm1d": the architecture (when not the MLPs) and the norm. */
export function modelLabel(c: ModelConfig): string {
  if (isFamily(c)) return modelKind(c).title(c);
  return (c.arch ?? DEFAULT_ARCH) === DEFAULT_ARCH ? c.norm : `${c.arch} ${c.norm}`;
}

/** The model's shape in its own terms: makemore.py's names for its family. */
export function modelShape(c: ModelConfig): string {
  if (isFamily(c)) return `block ${c.blockSize}, n_embd ${c.embedDim}, n_embd2 ${c.hidden}, n_layer ${c.layers}${c.heads !== undefined ? `, n_head ${c.heads}` : ''}${c.dropout ? `, dropout ${c.dropout}` : ''}`;
  return `block ${c.blockSize}, embed ${c.embedDim}, hidden ${c.hidden} × ${c.layers}`;
}

/** The options a preset sets, as one line: `init seed, bn eps 1e-5 on the std, ...`. */
export function describeSetup(m: ModelConfig, t: TrainConfig): string {
  const parts: string[] = [];
  if (m.init !== undefined) parts.push(`init ${m.init}`);
  if (modelKind(m).options.includes('bnEps')) {
    parts.push(m.bnEps ? `bn eps ${m.bnEps} on the std` : 'no bn eps');
    parts.push(m.bias1 === true ? 'b1 before the batch norm' : 'no b1');
    parts.push(`eval with ${m.bnEval === 'batch' ? 'batch' : 'running'} statistics`);
  }
  if (t.split === 'makemore') {
    parts.push(...(modelKind(m).setupNotes?.(m) ?? []));
    parts.push(`makemore.py's data (torch.randperm split and minibatches, seed ${t.seed}; its test set is also val)`);
  } else if ((m.arch ?? DEFAULT_ARCH) !== DEFAULT_ARCH) {
    parts.push(...(modelKind(m).setupNotes?.(m) ?? []));
    parts.push(`one generator seeded ${t.seed}`, `lr ${t.lr} then ${t.lrFinal} from step ${t.lrDecayStep}`);
  }
  parts.push(t.sampleGenerator === 'continue' ? 'samples continue the generator' : `samples from seed + 10`);
  const opt = describeOptimizer(t);
  if (opt !== '') parts.push(opt);
  return parts.join(', ');
}

/** The optimizer, clipping and schedule when not the notebooks' (plain SGD, step decay); else ''. */
export function describeOptimizer(t: TrainConfig): string {
  const parts: string[] = [];
  if (t.optimizer === 'adamw') parts.push(`AdamW (betas ${t.betas?.join('/') ?? ADAMW_DEFAULTS.betas.join('/')}, eps ${t.eps ?? ADAMW_DEFAULTS.eps}, weight decay ${t.weightDecay ?? ADAMW_DEFAULTS.weightDecay})`);
  else if (t.momentum !== undefined || t.weightDecay !== undefined || t.nesterov === true) {
    parts.push(`SGD (momentum ${t.momentum ?? 0}${t.dampening ? `, dampening ${t.dampening}` : ''}${t.nesterov === true ? ', nesterov' : ''}, weight decay ${t.weightDecay ?? 0})`);
  }
  if (t.clipGradNorm !== undefined) parts.push(`gradients clipped to norm ${t.clipGradNorm}`);
  if (t.schedule === 'cosine') parts.push(`cosine schedule ${t.lr} → ${t.lrFinal}`);
  else if (t.optimizer === 'adamw' || t.warmup !== undefined) parts.push(t.lr === t.lrFinal ? `lr ${t.lr}` : `lr ${t.lr} → ${t.lrFinal} at step ${t.lrDecayStep}`);
  if (t.warmup !== undefined && t.warmup > 0) parts.push(`${t.warmup} warm-up steps`);
  return parts.join(', ');
}

/** "the notebook model (--norm notebook)", "the notebook and none models": the kinds reading `option`. */
function kindsWith(option: KindOption): string {
  const names = modelKindNames().filter((n) => modelKind({ norm: n }).options.includes(option));
  return names.length === 1 ? `the ${names[0]} model (--norm ${names[0]})` : `the ${names.join(' and ')} models`;
}

function kebab(s: string): string {
  return s.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
}

/** Throws the divergence error when a parameter or buffer holds NaN or an infinity after `step` steps. */
function assertFinite(model: LanguageModel, step: number, lastSaved: [string, number] | null): void {
  for (const [name, t] of model.stateDict()) {
    if (t.dtype === 'int32') continue;
    const d = t.floatData;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) {
        const kept = lastSaved !== null ? `; the last checkpoint (step ${lastSaved[1]}) is kept in ${lastSaved[0]}` : '';
        throw new MakemoreError(`training diverged: ${name} holds ${d[i]} after step ${step - 1}; try a smaller --lr${kept}`);
      }
    }
  }
}

/** Runs the command; returns the exit code (128 + the signal after Ctrl-C, SIGTERM or SIGHUP, as shells expect). */
export async function runTrain(flags: TrainFlags, given: Given = () => false): Promise<number> {
  if (flags.checkpointEvery !== undefined && flags.out === undefined) throw new MakemoreError('--checkpoint-every needs --out <file> to write the checkpoints to');
  if (flags.steps > MAX_STEPS) throw new MakemoreError(`--steps ${flags.steps} is more than the ${MAX_STEPS} steps makemore-ts runs in one go`);
  // Fail now, not after hours of training, when an output cannot be written where asked.
  checkTrainOutputs({ out: flags.out, report: flags.report, plots: flags.plots, data: flags.data, interruptFile: INTERRUPT_FILE });
  if (flags.workDir !== undefined) {
    if (flags.evalEvery === 0) throw new MakemoreError('--work-dir keeps the model with the best val loss at the evaluations: it needs --eval-every above 0');
    checkWorkDir(flags.workDir);
    if (flags.out !== undefined && resolve(flags.out) === resolve(flags.workDir, WORK_MODEL)) throw new MakemoreError(`--out ${flags.out} is the work directory's best model; choose another --out`);
  }
  const lock = flags.out !== undefined ? lockOutput(flags.out) : null;
  const workLock = flags.workDir !== undefined ? lockOutput(join(flags.workDir, WORK_MODEL)) : null;
  const signals = catchStopSignals();
  try {
    return await trainAndSave(flags, given, signals);
  } finally {
    signals.dispose();
    lock?.release();
    workLock?.release();
  }
}

async function trainAndSave(flags: TrainFlags, given: Given, signals: SignalCatcher): Promise<number> {
  const plan = flags.resume !== undefined ? resumePlan(flags, given, flags.resume) : freshPlan(flags, given);
  const { modelCfg, trainCfg, model, vocab, words, g } = plan;
  const splits = modelDatasets(plan.split, vocab, model);
  // The final losses' threads start now and load their kernels while the model trains (a split too
  // small to share out, or --threads 1: none).
  const large = Math.max(...(['train', 'val', 'test'] as const).map((s) => splits[s].Y.shape[0])) >= THREADED_EVAL_MIN_ROWS;
  const evalPool = EvalPool.start(large ? flags.threads : 1);
  try {
    const rows = splits.train.Y.shape[0];
    if (trainCfg.batchSize > rows) {
      throw new MakemoreError(`batch size ${trainCfg.batchSize} is larger than the ${rows} training examples`);
    }
    const sha = wordsSha256(words);
    let diag: ReturnType<typeof createTrainDiagnostics> = null;
    /** The last checkpoint written: [path, step]. */
    let lastSaved: [string, number] | null = flags.resume !== undefined && flags.out !== undefined && resolve(flags.resume) === resolve(flags.out) ? [flags.out, plan.startStep] : null;
    const divergence = divergenceWatch(flags.stopOnDivergence !== false, (line) => process.stderr.write(`${line}\n`));
    // The first rows of the train split: a file is written only if the model's loss there is not far above the start.
    const probeRows = Math.min(DIVERGENCE_PROBE_ROWS, rows);
    const probe = datasetRows(splits.train, 0, probeRows);
    const save = (path: string, step: number, extra: Record<string, string> = {}): void => {
      // Never replace a good file with a diverged model (a finite loss can still end in an
      // update that overflows the weights, or one that sends the loss far up).
      assertFinite(model, step, lastSaved);
      divergence.beforeSave(step, () => splitLoss(model, probe), probeRows);
      const info: ModelFileInfo = { step, generator: g.getState(), train: trainCfg, data: dataLabel(plan.data), dataSha256: sha, extra: { ...diag?.metadata(), ...extra } };
      // The dropouts' stream, where it is not the minibatches' (makemore.py's split: the run's first generator)
      const dg = dropoutGenerator(model);
      if (dg !== null && dg !== g) info.dropoutGenerator = dg.getState();
      if (!isPlainSgd(plan.optimizer)) info.optimizer = { name: plan.optimizer.name as OptimizerName, stateDict: plan.optimizer.stateDict() };
      saveModel(path, model, vocab, info);
      lastSaved = [path, step];
    };
    /** After a signal: save where the run can be resumed from, say so, and return the exit code. */
    const stopped = (step: number, when: string): number => {
      const path = flags.out ?? INTERRUPT_FILE;
      if (lastSaved === null || lastSaved[0] !== path || lastSaved[1] !== step) save(path, step);
      console.log(`interrupted at step ${step}: saved ${path}; continue with --resume ${path} (${signals.received} ${when})`);
      return signals.exitCode();
    };

    console.log(`data: ${plan.data}: ${words.length} words, vocabulary of ${vocab.size} characters`);
    if (model.output === 'sequence') console.log(`words: train ${rows}, val ${splits.val.Y.shape[0]}, test ${splits.test.Y.shape[0]}${trainCfg.split === 'makemore' ? ' (makemore.py\'s split: val is the test set)' : ''}`);
    else console.log(`examples: train ${rows}, val ${splits.val.Y.numel}, test ${splits.test.Y.numel}`);
    console.log(`model: ${modelLabel(modelCfg)}, ${modelShape(modelCfg)}, ${model.numParameters()} parameters; ${backendName()}${(kernels() as { fast?: boolean }).fast === true ? ' fast-mode (relaxed SIMD)' : ''} kernels`);
    console.log(`setup: ${describeSetup(modelCfg, trainCfg)}`);
    if (plan.startStep > 0) console.log(`resuming ${flags.resume} at step ${plan.startStep} of ${trainCfg.steps}`);

    const progress = createProgress(trainCfg.steps - plan.startStep);
    const work = flags.workDir !== undefined ? { model: join(flags.workDir, WORK_MODEL), log: new WorkLog(join(flags.workDir, WORK_LOG), plan.startStep) } : null;
    let bestVal = work !== null && plan.startStep > 0 ? bestValLoss(work.model) : Infinity;
    /** After an evaluation: logged, and the model kept when its val loss is the best so far. */
    const onEval = (step: number, valLoss: number, trainLoss: number): void => {
      if (work === null) return;
      if (valLoss < bestVal) {
        bestVal = valLoss;
        save(work.model, step, { val_loss: String(valLoss), train_sample_loss: String(trainLoss) });
        progress.log(`best val loss so far: saved ${work.model}`);
      }
      work.log.add({ step, val_loss: valLoss, train_loss: trainLoss, best_val_loss: bestVal });
      work.log.flush();
    };
    // The work directory keeps the best model at the evaluations: makemore.py's interval unless given.
    const diagFlags = work !== null && flags.evalEvery === undefined ? { ...flags, evalEvery: WORK_DIR_EVAL_EVERY } : flags;
    diag = createTrainDiagnostics(diagFlags, model, splits, trainCfg, { log: (line) => progress.log(line), startStep: plan.startStep, extraConfig: { data: plan.data }, onEval });
    // Fast mode: the notebook model's step split over every core (null where it does not apply)
    const stepThreads = await startThreadedStep(model, trainCfg.batchSize, splits.train.X, splits.train.Y, flags.threads ?? defaultThreads());
    if (stepThreads !== null) console.log(`training threads: ${stepThreads.threads} (fast mode: the step split by hidden unit)`);
    const t0 = performance.now();
    let result;
    try {
      result = await trainAsync(model, splits.train, trainCfg, g, mergeHooks({
        onStep: ({ step, loss, lr }) => {
          if (step % 10000 === 0) progress.log(lossLine(step, trainCfg.steps, loss));
          divergence.onStep(step, loss);
          faultPoint('step');
          progress.update(step + 1 - plan.startStep);
          const done = step + 1;
          work?.log.add({ step: done, loss, lr });
          if (flags.checkpointEvery !== undefined && flags.out !== undefined && done % flags.checkpointEvery === 0 && done < trainCfg.steps) save(flags.out, done);
        },
        shouldStop: () => signals.received !== null,
      }, diag?.hooks), { startStep: plan.startStep, optimizer: plan.optimizer, fusedStep: stepThreads ?? undefined });
    } catch (e) {
      // Divergence: say which checkpoint survives.
      if (e instanceof MakemoreError && lastSaved !== null && /^training diverged/.test(e.message) && !e.message.includes('the last checkpoint')) throw new MakemoreError(`${e.message}; the last checkpoint (step ${lastSaved[1]}) is kept in ${lastSaved[0]}`);
      throw e;
    } finally {
      progress.stop();
      work?.log.flush();
      await stepThreads?.close();
    }
    const ran = result.nextStep - plan.startStep;
    const seconds = (performance.now() - t0) / 1000;
    console.log(`trained ${ran} steps in ${seconds.toFixed(1)} s (${ran > 0 ? ((seconds * 1e6) / ran).toFixed(0) : '-'} µs/step)`);
    if (signals.received !== null) return stopped(result.nextStep, 'during training');

    // The finished run is saved first: evaluation and reports come after, and cannot lose it.
    assertFinite(model, result.nextStep, lastSaved);
    if (flags.out !== undefined) save(flags.out, result.nextStep);
    const final: Record<'train' | 'val' | 'test', number> = { train: NaN, val: NaN, test: NaN };
    faultPoint('evaluate');
    for (const split of ['train', 'val', 'test'] as const) {
      if (await signals.poll() !== null) return stopped(result.nextStep, 'after training');
      final[split] = await evalPool.splitLoss(model, splits[split]);
    }
    // --preset wavenet: `train 1.7690284252166748`, as the lecture prints them; else 4 decimals
    const full = isArchPreset(flags.preset) && ARCH_PRESETS[flags.preset].fullSplitLosses;
    for (const split of ['train', 'val', 'test'] as const) console.log(`${split} ${full ? pyFloat(final[split]) : final[split].toFixed(4)}`);
    diag?.finish(final);
    if (flags.out !== undefined) {
      if (diag !== null) save(flags.out, result.nextStep); // again, with the diagnostics
      console.log(`saved ${flags.out}`);
    }
    faultPoint('report');
    diag?.writeFiles();
    if (await signals.poll() !== null) return stopped(result.nextStep, 'after training');
    if (plan.samples > 0) {
      console.log('samples:');
      // The seed notebook's cell 34 continues the training generator; the lecture seeds a new one.
      const sg = trainCfg.sampleGenerator === 'continue' ? g : new Generator(trainCfg.seed + 10);
      for (const w of sampleWords(model, vocab, { count: plan.samples, generator: sg })) console.log(`  ${w}`);
    }
    return 0;
  } finally {
    void evalPool.close();
  }
}

/** The val loss recorded in a work directory's best model (Infinity when there is none yet). */
function bestValLoss(path: string): number {
  if (!existsSync(path)) return Infinity;
  const v = Number(loadModel(path).metadata.val_loss);
  return Number.isFinite(v) ? v : Infinity;
}

/** Rows of the train split whose loss a file's model must keep below the divergence bound. */
export const DIVERGENCE_PROBE_ROWS = 1024;

/**
 * Divergence: a loss far above the run's first one (more than 10× + 10: a learning rate far too
 * large). With `stop` (the default) the run ends with an error naming the step and the loss,
 * and no file is written: neither at that step nor, through `beforeSave`, a checkpoint or final
 * model whose loss on the probe rows is that far up (the minibatch loss only shows an update's
 * damage one step later). Without it the loss is named once, as a warning, and training goes on.
 */
function divergenceWatch(stop: boolean, log: (line: string) => void): {
  onStep(step: number, loss: number): void;
  beforeSave(step: number, probeLoss: () => number, rows: number): void;
} {
  let first = NaN;
  let warned = false;
  const far = (loss: number): boolean => loss > 10 * first + 10;
  const remedy = 'stopped without saving (try a smaller --lr, or --no-stop-on-divergence to train on)';
  return {
    onStep(step, loss) {
      if (Number.isNaN(first)) first = loss;
      if (!far(loss)) return;
      if (stop) throw new MakemoreError(`training diverged: the loss is ${loss.toPrecision(3)} at step ${step}, far above its starting value ${first.toPrecision(3)}; ${remedy}`);
      if (warned) return;
      warned = true;
      log(`makemore: warning: the loss is ${loss.toPrecision(3)} at step ${step}, far above its starting value ${first.toPrecision(3)}; the learning rate is probably too large (try a smaller --lr)`);
    },
    beforeSave(step, probeLoss, rows) {
      if (!stop || Number.isNaN(first)) return;
      const loss = probeLoss();
      if (far(loss)) throw new MakemoreError(`training diverged: the model after step ${step - 1} has a loss of ${loss.toPrecision(3)} on the first ${rows} training examples, far above its starting value ${first.toPrecision(3)}; ${remedy}`);
    },
  };
}

export const TRAIN_DEFAULTS = { ...DEFAULT_MODEL, ...DEFAULT_TRAIN };
