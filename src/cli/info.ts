// `makemore info`: what a model file holds.
import type { Command } from 'commander';
import { loadModel } from '../model/io.js';
import { describeSetup, modelLabel, modelShape } from './train.js';
import { oneLine, shortened } from '../errors.js';

/** Text from a file or the command line as one printable, bounded line (no escape sequences reach the terminal). */
function shown(s: string): string {
  return oneLine(shortened(s, 200));
}

export function runInfo(flags: { model: string; json?: boolean }): void {
  const { model, vocab, info } = loadModel(flags.model);
  const c = model.config;
  const summary = {
    file: flags.model,
    config: c,
    parameters: model.numParameters(),
    vocabulary: vocab.toString(),
    vocabularySize: vocab.size,
    step: info.step,
    train: info.train ?? null,
    data: info.data ?? null,
    optimizerState: info.optimizer !== undefined ? { name: info.optimizer.name, parameters: info.optimizer.stateDict.state.size, steps: [...new Set([...info.optimizer.stateDict.state.values()].map((s) => s.step).filter((s) => s !== undefined))] } : null,
  };
  if (flags.json) { console.log(JSON.stringify(summary)); return; }
  console.log(`file: ${shown(flags.model)}`);
  console.log(`model: ${modelLabel(c)}, ${modelShape(c)}`);
  if (info.train !== undefined) console.log(`setup: ${describeSetup(c, info.train)}`);
  console.log(`parameters: ${summary.parameters}`);
  console.log(`vocabulary (${vocab.size}): .${vocab.toString()}`);
  console.log(`trained steps: ${info.step}${info.train ? ` of ${info.train.steps} (batch ${info.train.batchSize}, lr ${info.train.lr} → ${info.train.lrFinal} at step ${info.train.lrDecayStep}, seed ${info.train.seed}, split seed ${info.train.splitSeed})` : ''}`);
  if (info.data !== undefined) console.log(`data: ${shown(info.data)}`);
  const opt = summary.optimizerState;
  if (opt !== null) console.log(`optimizer state: ${opt.name}, for ${opt.parameters} parameter tensors${opt.steps.length > 0 ? `, step ${opt.steps.join('/')}` : ''} (resumes exactly)`);
  for (const [name, t] of model.namedParameters()) console.log(`  ${name} (${t.shape.join(', ')})`);
}

export function registerInfo(program: Command): void {
  program.command('info')
    .description('show the config, parameter count, vocabulary and training step of a model file')
    .requiredOption('--model <file>', 'model file')
    .option('--json', 'print JSON')
    .action((flags: { model: string; json?: boolean }) => runInfo(flags));
}
