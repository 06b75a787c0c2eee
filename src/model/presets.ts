// Named model/sampling setups: the seed notebook's final model (the default) and the lecture's.
// A preset fills in these fields; explicit flags override them.
import type { BnEval, InitScheme, SampleGenerator } from './config.js';

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
