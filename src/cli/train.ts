// `makemore train`: read the words, build the splits, train, report losses, sample, save.
import { buildSplits, readWords, Vocab } from '../data/index.js';
import { createModel, DEFAULT_MODEL, DEFAULT_TRAIN, validateModelConfig, validateTrainConfig, type ModelConfig, type NormKind, type TrainConfig } from '../model/index.js';
import { saveModel } from '../model/file.js';
import { Generator } from '../random/index.js';
import { sampleWords } from '../sample/index.js';
import { splitLoss, train } from '../train/index.js';
import { MakemoreError } from '../errors.js';
import { createProgress, lossLine } from './progress.js';

export interface TrainFlags {
  data: string;
  steps: number;
  batchSize: number;
  blockSize: number;
  embed: number;
  hidden: number;
  layers: number;
  norm: string;
  lr: number;
  lrFinal: number;
  lrDecayStep?: number;
  seed: number;
  splitSeed: number;
  samples: number;
  out?: string;
}

export function runTrain(flags: TrainFlags): void {
  const trainCfg: TrainConfig = {
    batchSize: flags.batchSize,
    steps: flags.steps,
    lr: flags.lr,
    lrFinal: flags.lrFinal,
    lrDecayStep: flags.lrDecayStep ?? Math.floor(flags.steps / 2),
    seed: flags.seed,
    splitSeed: flags.splitSeed,
  };
  validateTrainConfig(trainCfg);
  const words = readWords(flags.data);
  const vocab = Vocab.fromWords(words);
  const modelCfg: ModelConfig = {
    vocabSize: vocab.size,
    blockSize: flags.blockSize,
    embedDim: flags.embed,
    hidden: flags.hidden,
    layers: flags.layers,
    norm: flags.norm as NormKind,
  };
  validateModelConfig(modelCfg);
  const splits = buildSplits(words, vocab, modelCfg.blockSize, trainCfg.splitSeed);
  if (trainCfg.batchSize > splits.train.Y.numel) {
    throw new MakemoreError(`batch size ${trainCfg.batchSize} is larger than the ${splits.train.Y.numel} training examples`);
  }
  const g = new Generator(trainCfg.seed);
  const model = createModel(modelCfg, g);
  console.log(`data: ${flags.data}: ${words.length} words, vocabulary of ${vocab.size} characters`);
  console.log(`examples: train ${splits.train.Y.numel}, val ${splits.val.Y.numel}, test ${splits.test.Y.numel}`);
  console.log(`model: ${modelCfg.norm}, block ${modelCfg.blockSize}, embed ${modelCfg.embedDim}, hidden ${modelCfg.hidden} × ${modelCfg.layers}, ${model.numParameters()} parameters`);

  const progress = createProgress(trainCfg.steps);
  const t0 = performance.now();
  train(model, splits.train, trainCfg, g, {
    onStep: ({ step, loss }) => {
      if (step % 10000 === 0) progress.log(lossLine(step, trainCfg.steps, loss));
      progress.update(step + 1);
    },
  });
  progress.stop();
  const seconds = (performance.now() - t0) / 1000;
  console.log(`trained ${trainCfg.steps} steps in ${seconds.toFixed(1)} s (${((seconds * 1e6) / trainCfg.steps).toFixed(0)} µs/step)`);

  for (const split of ['train', 'val', 'test'] as const) {
    console.log(`${split} ${splitLoss(model, splits[split]).toFixed(4)}`);
  }
  if (flags.out !== undefined) {
    saveModel(flags.out, model, vocab, { steps: String(trainCfg.steps), seed: String(trainCfg.seed), split_seed: String(trainCfg.splitSeed) });
    console.log(`saved ${flags.out}`);
  }
  if (flags.samples > 0) {
    console.log('samples:');
    const sg = new Generator(trainCfg.seed + 10);
    for (const w of sampleWords(model, vocab, { count: flags.samples, generator: sg })) console.log(`  ${w}`);
  }
}

export const TRAIN_DEFAULTS = { ...DEFAULT_MODEL, ...DEFAULT_TRAIN };
