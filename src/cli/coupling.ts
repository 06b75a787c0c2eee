// `makemore coupling`: does a saved model's output for an example depend on the rest of its
// batch? Prints how far an example's train-mode logits move when the other examples of its batch
// are replaced, the train- vs eval-mode loss and the loss of one example alone (see
// experiments/coupling.ts), on examples drawn from a split of the model's word list.
import { Option, type Command } from 'commander';
import { buildSplits } from '../data/index.js';
import { loadModel } from '../model/io.js';
import { DEFAULT_TRAIN, modelKind } from '../model/index.js';
import { MakemoreError } from '../errors.js';
import { measureCoupling } from '../experiments/coupling.js';
import { wordsForModel } from './modelData.js';
import { positiveInt } from './parse.js';

export interface CouplingFlags {
  model: string;
  data?: string;
  split: 'train' | 'val' | 'test';
  batchSize: number;
  examples: number;
  json?: boolean;
}

export function runCoupling(flags: CouplingFlags): void {
  const { model, vocab, info } = loadModel(flags.model);
  if (model.output === 'sequence') throw new MakemoreError(`${flags.model}: coupling measures the context models; ${modelKind(model.config).title(model.config)} reads whole words and has no batch statistics to couple its examples`);
  const { data, words } = wordsForModel(info, vocab, flags.model, flags.data);
  const splits = buildSplits(words, vocab, model.config.blockSize, info.train?.splitSeed ?? DEFAULT_TRAIN.splitSeed, data);
  const split = splits[flags.split];
  if (flags.batchSize < 2) throw new MakemoreError(`--batch-size must be at least 2 (an example and the rest of its batch), got ${flags.batchSize}`);
  if (flags.examples < 2 * flags.batchSize) throw new MakemoreError(`--examples must be at least twice --batch-size (${2 * flags.batchSize}), got ${flags.examples}`);
  if (split.Y.numel === 0) throw new MakemoreError(`${data}: the ${flags.split} split has no examples`);
  const r = measureCoupling(model, split, { batchSize: flags.batchSize, examples: flags.examples });
  if (flags.json) { console.log(JSON.stringify({ model: flags.model, norm: model.config.norm, split: flags.split, ...r })); return; }
  const f = (x: number): string => x.toFixed(4);
  console.log(`model: ${model.config.norm}; ${r.examples} ${flags.split} examples in batches of ${r.batchSize}`);
  console.log(`logit shift when the rest of the batch changes: max ${r.maxLogitShift === 0 ? '0 (none)' : r.maxLogitShift.toExponential(3)}, mean ${r.meanLogitShift === 0 ? '0' : r.meanLogitShift.toExponential(3)}`);
  console.log(`train-mode loss ${f(r.trainModeLoss)}, eval-mode loss ${f(r.evalModeLoss)}, gap ${f(r.trainModeLoss - r.evalModeLoss)}`);
  console.log(`one example alone: eval mode ${f(r.singleEvalLoss)}, train mode ${r.singleTrainLoss === null ? 'undefined (batch norm has no statistics of one example)' : f(r.singleTrainLoss)}`);
}

export function registerCoupling(program: Command): void {
  program.command('coupling')
    .description("batch coupling of a saved model: how an example's output depends on the rest of its batch")
    .requiredOption('--model <file>', 'model file')
    .option('--data <file>', 'word list (default: the one the model was trained on)')
    .addOption(new Option('--split <name>', 'which split the examples come from').choices(['train', 'val', 'test']).default('val'))
    .option('--batch-size <n>', 'examples per batch (train mode)', positiveInt, 32)
    .option('--examples <n>', 'examples drawn from the split', positiveInt, 4096)
    .option('--json', 'print JSON')
    .action((flags: CouplingFlags) => runCoupling(flags));
}
