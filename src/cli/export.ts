// `makemore export --fold-batchnorm`: write a model with every eval-mode batch norm folded into
// the Linear before it (see model/fold.ts); same logits, fewer operations when sampling.
import type { Command } from 'commander';
import { foldBatchNorm, foldRefusal } from '../model/index.js';
import { loadModel, saveModel } from '../model/io.js';
import { checkWritableModelPath } from '../model/fileio.js';
import { MakemoreError } from '../errors.js';
import { samePath } from './outputs.js';

export interface ExportFlags {
  model: string;
  out: string;
  foldBatchnorm?: boolean;
}

export function runExport(flags: ExportFlags): void {
  if (!flags.foldBatchnorm) throw new MakemoreError('nothing to export: pass --fold-batchnorm');
  // In place, the folded model (no generator state, no batch norm) would replace the trained one for good.
  if (samePath(flags.model, flags.out)) throw new MakemoreError(`--out ${flags.out} is the --model file; the folded model would replace the trained one (and its training state); choose another --out`);
  checkWritableModelPath(flags.out);
  const { model, vocab, info } = loadModel(flags.model);
  const why = foldRefusal(model);
  if (why !== null) throw new MakemoreError(`${flags.model}: ${why}`);
  const folded = foldBatchNorm(model);
  // The folded model cannot continue the original's training: no generator state.
  saveModel(flags.out, folded, vocab, { step: info.step, train: info.train, data: info.data, dataSha256: info.dataSha256, extra: { folded_from: model.config.norm } });
  console.log(`folded ${model.config.norm} batch norm: ${model.numParameters()} → ${folded.numParameters()} parameters; saved ${flags.out}`);
}

export function registerExport(program: Command): void {
  program.command('export')
    .description('write a transformed copy of a model file')
    .requiredOption('--model <file>', 'model file')
    .requiredOption('--out <file>', 'where to write the new model file')
    .option('--fold-batchnorm', 'fold eval-mode batch norm into the preceding Linear layers')
    .action((flags: ExportFlags) => runExport(flags));
}
