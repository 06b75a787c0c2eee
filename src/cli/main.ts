// The `makemore` command: a thin layer of argument parsing over the library. Each command lives
// in its own file and registers itself here.
import { Command, CommanderError, Option } from 'commander';
import v8 from 'node:v8';
import { BACKEND_CHOICES, useBackend, useFastBackend, type BackendChoice } from '../kernels/index.js';
import { oneLine } from '../errors.js';
import { BN_EVALS, INAPPLICABLE_NORMS, INIT_SCHEMES, PRESET_NAMES, SAMPLE_GENERATORS, modelKindNames } from '../model/index.js';
import { DEFAULT_GROUPS } from '../nn/index.js';
import { addDiagnosticsOptions } from './diagnostics.js';
import { registerCoupling } from './coupling.js';
import { registerEval } from './eval.js';
import { registerExport } from './export.js';
import { registerReport } from './report.js';
import { registerInfo } from './info.js';
import { integer, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './parse.js';
import { registerNotebook } from './notebook.js';
import { registerSample } from './sample.js';
import { runTrain, TRAIN_DEFAULTS, type TrainFlags } from './train.js';
import { BUNDLED_DATA, packageVersion } from './paths.js';

/** The exit code an action asks for (train returns 130 after Ctrl-C). */
let actionExitCode = 0;

function registerTrain(program: Command): void {
  const d = TRAIN_DEFAULTS;
  addDiagnosticsOptions(program.command('train'))
    .description('train a model on a word list, report train/val/test loss and sample words')
    .addOption(new Option('--data <file>', 'word list, one word per line (UTF-8)').default(BUNDLED_DATA, 'the bundled data/names.txt'))
    .option('--steps <n>', 'training steps (in all, when resuming)', positiveInt, d.steps)
    .option('--batch-size <n>', 'examples per minibatch', positiveInt, d.batchSize)
    .option('--block-size <n>', 'characters of context', positiveInt, d.blockSize)
    .option('--embed <n>', 'embedding dimension per character', positiveInt, d.embedDim)
    .option('--hidden <n>', 'units per hidden layer', positiveInt, d.hidden)
    .option('--layers <n>', 'hidden layers (notebook norm: 1)', positiveInt, d.layers)
    .addOption(new Option('--norm <kind>', 'model kind').choices([...modelKindNames(), ...INAPPLICABLE_NORMS]).default(d.norm))
    .addOption(new Option('--preset <name>', 'seed: the seed notebook\'s final model (cells 11-14, 34); lecture: makemore part 3\'s').choices(PRESET_NAMES).default('seed'))
    .addOption(new Option('--init <scheme>', 'parameter init of the notebook and none models (default: the preset\'s)').choices(INIT_SCHEMES))
    .option('--bn-eps <x>', 'eps added to the batch std in training, notebook norm (default: the preset\'s)', nonNegativeNumber)
    .option('--bias1', 'a first-layer bias b1 before the batch norm (notebook norm; the seed\'s cell 7)')
    .option('--no-bias1', 'no first-layer bias (the default of both presets)')
    .addOption(new Option('--bn-eval <stats>', 'eval-mode batch norm: running statistics, or each batch\'s own (notebook norm)').choices(BN_EVALS))
    .addOption(new Option('--sample-generator <which>', 'samples continue the training generator, or use one seeded seed + 10 (default: the preset\'s)').choices(SAMPLE_GENERATORS))
    .option('--groups <n>', `GroupNorm's group count, a divisor of --hidden (--norm groupnorm; default ${DEFAULT_GROUPS})`, positiveInt)
    .option('--lr <x>', 'learning rate before the decay step', positiveNumber, d.lr)
    .option('--lr-final <x>', 'learning rate from the decay step on', positiveNumber, d.lrFinal)
    .option('--lr-decay-step <n>', 'first step with --lr-final (default: half the steps)', nonNegativeInt)
    .option('--seed <n>', 'generator seed for parameters and minibatches', integer, d.seed)
    .option('--split-seed <n>', 'seed of the word shuffle for the train/val/test split', integer, d.splitSeed)
    .option('--samples <n>', 'words to sample after training', nonNegativeInt, 10)
    .option('--out <file>', 'save the trained model (safetensors)')
    .option('--checkpoint-every <n>', 'also save to --out every n steps (atomically)', positiveInt)
    .option('--resume <file>', 'continue training a saved model from its step, generator and schedule')
    .option('--no-stop-on-divergence', 'train on (with a warning) when the loss grows far above its start; by default the run stops there with an error and saves nothing')
    .action(async function (this: Command, flags: TrainFlags) {
      actionExitCode = await runTrain(flags, (k) => this.getOptionValueSource(k) === 'cli');
    });
}

export function buildProgram(): Command {
  const program = new Command('makemore')
    .description('Character-level MLP language models with batch normalization (PyTorch-compatible numbers)')
    .version(packageVersion(), '-V, --version', 'print the version of makemore-ts')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerTrain(program);
  registerSample(program);
  registerEval(program);
  registerInfo(program);
  registerReport(program);
  registerExport(program);
  registerCoupling(program);
  registerNotebook(program, (code) => { actionExitCode = code; });
  // Every command takes --backend; it is applied before the command runs.
  for (const cmd of program.commands) {
    cmd.addOption(new Option('--backend <name>', 'compute kernels: wasm (SIMD), js, or auto (wasm where supported)').choices(BACKEND_CHOICES).env('MAKEMORE_BACKEND').default('auto'));
    cmd.addOption(new Option('--fast', 'fast mode: wasm kernels with relaxed-SIMD fused multiply-add (numbers differ from PyTorch\'s in the last bits; the exact kernels where the engine lacks relaxed SIMD)'));
  }
  program.hook('preAction', (_program, action) => {
    const { backend, fast } = action.opts<{ backend: BackendChoice; fast?: boolean }>();
    const chosen = useBackend(backend);
    if (fast === true && chosen.name === 'wasm' && useFastBackend(v8) === null) {
      process.stderr.write('makemore: --fast: this engine has no WebAssembly relaxed SIMD; using the exact kernels\n');
    }
  });
  return program;
}

/** Run the CLI; returns the exit code. Errors are one line on stderr, no stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  actionExitCode = 0;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return actionExitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander already printed the message
    const msg = oneLine(e instanceof Error ? e.message : String(e));
    process.stderr.write(`makemore: error: ${msg}\n`);
    if (process.env.MAKEMORE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
