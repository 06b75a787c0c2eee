// Named model/sampling setups: the seed notebook's final model (the default) and the lecture's,
// and the part-5 lecture's hierarchical model (an architecture preset). A preset fills in these
// fields; explicit flags override them.
import type { Arch, BnEval, InitScheme, NormKind, OptimizerName, SampleGenerator, WordSplitKind } from './config.js';

export type PresetName = 'seed' | 'lecture';
export const PRESET_NAMES: readonly PresetName[] = ['seed', 'lecture'];

export interface Preset {
  init: InitScheme;
  /** eps added to the batch std in training. */
  bnEps: number;
  bias1: boolean;
  bnEval: BnEval;
  sampleGenerator: SampleGenerator;
}

/** The model options a preset sets (the rest, sampleGenerator, is about sampling). */
export type PresetModelOption = 'init' | 'bnEps' | 'bias1' | 'bnEval';
export const PRESET_MODEL_OPTIONS: readonly PresetModelOption[] = ['init', 'bnEps', 'bias1', 'bnEval'];

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  // cells 11, 13, 14, 34: seed init, `(h − mean)/(std + 1e-5)`, running stats, samples continue g
  seed: { init: 'seed', bnEps: 1e-5, bias1: false, bnEval: 'running', sampleGenerator: 'continue' },
  // makemore part 3: W2·0.01, b2 = 0, no eps, samples from a generator seeded seed + 10
  lecture: { init: 'kaiming', bnEps: 0, bias1: false, bnEval: 'running', sampleGenerator: 'seed+10' },
};

/**
 * A preset that picks the architecture and its shape too (`makemore train --preset wavenet`):
 * the part-5 lecture's hierarchical MLP as its notebook runs it. Flags the user types override.
 */
export interface ArchPreset {
  arch: Arch;
  norm: NormKind;
  blockSize: number;
  embedDim: number;
  hidden: number;
  layers: number;
  /** torch.manual_seed of the global generator: parameters, then minibatches, then samples. */
  seed: number;
  /** The first step of the final learning rate, as a fraction of the steps (150,000 of 200,000). */
  lrDecayFraction: number;
  samples: number;
  sampleGenerator: SampleGenerator;
  /** The split losses printed in full, as the lecture's `print(split, loss.item())` (Python's repr). */
  fullSplitLosses: boolean;
}

export type ArchPresetName = 'wavenet';
/** Every `--preset` name: the notebook presets (PRESETS) and the architecture presets. */
export type TrainPresetName = PresetName | ArchPresetName;
export const TRAIN_PRESET_NAMES: readonly TrainPresetName[] = [...PRESET_NAMES, 'wavenet'];

export const ARCH_PRESETS: Readonly<Record<ArchPresetName, ArchPreset>> = {
  // makemore part 5 (cells 4-15): block 8, n_embd 24, n_hidden 128, three levels, lecture BatchNorm1d
  wavenet: { arch: 'wavenet', norm: 'batchnorm1d', blockSize: 8, embedDim: 24, hidden: 128, layers: 3, seed: 42, lrDecayFraction: 0.75, samples: 20, sampleGenerator: 'continue', fullSplitLosses: true },
};

export function isArchPreset(name: string): name is ArchPresetName {
  return Object.prototype.hasOwnProperty.call(ARCH_PRESETS, name);
}

/** The default first step of the final learning rate for a run of `steps` of this architecture. */
export function defaultDecayStep(steps: number, arch: Arch | undefined): number {
  const preset = Object.values(ARCH_PRESETS).find((p) => p.arch === arch);
  return Math.floor(steps * (preset?.lrDecayFraction ?? 0.5));
}

/**
 * makemore.py's defaults for its family (`train --type`, the playground's makemore.py models):
 * n_layer 4, n_head 4, n_embd 64, n_embd2 64, seed 3407, its data pipeline; AdamW (lr 5e-4, weight
 * decay 0.01, betas 0.9/0.99, eps 1e-8) at a constant rate; batch 32 (the notebooks' too).
 */
export const FAMILY_DEFAULTS = { layers: 4, heads: 4, embedDim: 64, hidden: 64, seed: 3407, split: 'makemore' as WordSplitKind, optimizer: 'adamw' as OptimizerName };
