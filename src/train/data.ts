// The words and minibatch generator of a run, by its train config's `split`: the notebooks'
// 80/10/10 shuffle, or makemore.py's pipeline (randperm on the run's generator, then its sampler's
// own generator for the minibatches).
import { datasetsOf, splitWords, splitWordsMakemore, type Splits, type Vocab, type WordSplit } from '../data/index.js';
import type { LanguageModel, TrainConfig } from '../model/index.js';
import { Generator } from '../random/index.js';

/**
 * The run's word split. "makemore" draws torch.randperm from `g` (a fresh run passes the generator
 * that then draws the parameters; by default one seeded `cfg.seed`, as makemore.py's
 * `torch.manual_seed(seed)` before create_datasets).
 */
export function runWordSplit(words: readonly string[], cfg: Pick<TrainConfig, 'split' | 'seed' | 'splitSeed'>, g: Generator = new Generator(cfg.seed), source?: string): WordSplit {
  return cfg.split === 'makemore' ? splitWordsMakemore(words, g, source) : splitWords(words, cfg.splitSeed, source);
}

/** A word split's datasets in the form `model` reads (contexts, or padded words for the family). */
export function modelDatasets(split: WordSplit, vocab: Vocab, model: LanguageModel): Splits {
  return datasetsOf(split, vocab, model.config.blockSize, model.output === 'sequence' ? 'sequence' : 'context');
}

/** The run's datasets, in the form its model reads (contexts, or padded words for the family). */
export function runSplits(words: readonly string[], vocab: Vocab, model: LanguageModel, cfg: Pick<TrainConfig, 'split' | 'seed' | 'splitSeed'>, source?: string): Splits {
  return modelDatasets(runWordSplit(words, cfg, undefined, source), vocab, model);
}

/**
 * The generator the minibatches are drawn from, once the parameters are drawn from `g`: `g` itself,
 * or for "makemore" makemore.py's: its DataLoader draws a base seed
 * (`torch.empty((), dtype=torch.int64).random_()`), then its RandomSampler(replacement=True) the
 * seed of its own generator, whose randint(high=n, size=(32,)) gives the minibatch rows.
 */
export function batchGenerator(g: Generator, cfg: Pick<TrainConfig, 'split'>): Generator {
  if (cfg.split !== 'makemore') return g;
  g.randomInt64(); // the DataLoader's base seed (worker seeds; unused by the sampler)
  return new Generator(g.randomInt64());
}
