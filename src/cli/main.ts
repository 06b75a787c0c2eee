// The `makemore` command: a thin layer of argument parsing over the library. Each command lives
// in its own file and registers itself here.
import { Command, CommanderError, Option } from 'commander';
import v8 from 'node:v8';
import { BACKEND_CHOICES, enableRelaxedSimd, useBackend, useFastBackend, type BackendChoice } from '../kernels/index.js';
import { oneLine } from '../errors.js';
import { ARCHS, BN_EVALS, INAPPLICABLE_NORMS, INIT_SCHEMES, OPTIMIZERS, SAMPLE_GENERATORS, TRAIN_PRESET_NAMES, WORD_SPLITS, familyTypes, modelKindNames } from '../model/index.js';
import { SCHEDULES } from '../optim/index.js';
import { DEFAULT_GROUPS } from '../nn/index.js';
import { addDiagnosticsOptions } from './diagnostics.js';
import { registerCoupling } from './coupling.js';
import { guardStdout, stdoutFailure } from './stdout.js';
import { registerEval } from './eval.js';
import { registerExport } from './export.js';
import { registerReport } from './report.js';
import { registerInfo } from './info.js';
import { betas, integer, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, probability } from './parse.js';
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
    .option('--block-size <n>', 'characters of context (wavenet: a power of two; its preset: 8)', positiveInt, d.blockSize)
    .option('--embed <n>', 'embedding dimension per character (wavenet preset: 24)', positiveInt, d.embedDim)
    .option('--hidden <n>', 'units per hidden layer (wavenet preset: 128)', positiveInt, d.hidden)
    .option('--layers <n>', 'hidden layers (notebook norm: 1; wavenet: levels of the tree, its preset: 3)', positiveInt, d.layers)
    .addOption(new Option('--norm <kind>', 'model form (wavenet: batchnorm1d, layernorm, rmsnorm or none)').choices([...modelKindNames(), ...INAPPLICABLE_NORMS]).default(d.norm))
    .addOption(new Option('--arch <name>', 'architecture: mlp (the makemore MLPs) or wavenet (makemore part 5\'s hierarchical MLP; the wavenet preset\'s defaults)').choices(ARCHS))
    .addOption(new Option('--type <name>', 'one of makemore.py\'s models (its --type), with its defaults: n_layer 4, n_head 4, n_embd 64, n_embd2 64, seed 3407, its data pipeline (--split makemore), AdamW lr 5e-4, weight decay 0.01; block = longest word + 1').choices(familyTypes()))
    .addOption(new Option('--split <kind>', 'the word split: shuffle (the notebooks\' 80/10/10 by --split-seed) or makemore (makemore.py\'s: torch.randperm on the --seed generator, a test set of min(1000, 10%) words that is also val, its sampler\'s minibatches); default: makemore with --type, else shuffle').choices(WORD_SPLITS))
    .option('--n-layer <n>', 'makemore.py\'s name of --layers (--type: default 4)', positiveInt)
    .option('--n-head <n>', 'attention heads, makemore.py\'s n_head (--type transformer: default 4)', positiveInt)
    .option('--dropout <p>', 'dropout probability of the transformer (--type transformer: after the embeddings and each block\'s attention and MLP output, as minGPT; default 0, none)', probability)
    .option('--n-embd <n>', 'makemore.py\'s name of --embed (--type: default 64)', positiveInt)
    .option('--n-embd2 <n>', 'makemore.py\'s name of --hidden (--type: default 64)', positiveInt)
    .addOption(new Option('--preset <name>', 'seed: the seed notebook\'s final model (cells 11-14, 34); lecture: makemore part 3\'s; wavenet: makemore part 5\'s hierarchical MLP (block 8, embed 24, hidden 128, 3 levels, seed 42, 20 samples)').choices(TRAIN_PRESET_NAMES).default('seed'))
    .addOption(new Option('--init <scheme>', 'parameter init of the notebook and none models (default: the preset\'s)').choices(INIT_SCHEMES))
    .option('--bn-eps <x>', 'eps added to the batch std in training, notebook norm (default: the preset\'s)', nonNegativeNumber)
    .option('--bias1', 'a first-layer bias b1 before the batch norm (notebook norm; the seed\'s cell 7)')
    .option('--no-bias1', 'no first-layer bias (the default of both presets)')
    .addOption(new Option('--bn-eval <stats>', 'eval-mode batch norm: running statistics, or each batch\'s own (notebook norm)').choices(BN_EVALS))
    .addOption(new Option('--sample-generator <which>', 'samples continue the training generator, or use one seeded seed + 10 (default: the preset\'s)').choices(SAMPLE_GENERATORS))
    .option('--groups <n>', `GroupNorm's group count, a divisor of --hidden (--norm groupnorm; default ${DEFAULT_GROUPS})`, positiveInt)
    .addOption(new Option('--optimizer <name>', 'sgd (torch.optim.SGD; plain by default, the notebooks\') or adamw (torch.optim.AdamW, makemore.py\'s)').choices(OPTIMIZERS).default('sgd'))
    .option('--lr <x>', `peak learning rate (default ${d.lr}; adamw: 5e-4, makemore.py's)`, positiveNumber, d.lr)
    .option('--lr-final <x>', `step schedule: the rate from the decay step on; cosine: the rate reached at the last step (default ${d.lrFinal}; adamw: --lr with the step schedule, --lr / 10 with cosine)`, positiveNumber, d.lrFinal)
    .option('--lr-decay-step <n>', 'step schedule: first step with --lr-final (default: half the steps; wavenet: three quarters)', nonNegativeInt)
    .addOption(new Option('--schedule <name>', 'learning-rate schedule: step (lr, then lr-final) or cosine (lr down to lr-final)').choices(SCHEDULES).default('step'))
    .option('--warmup <n>', 'steps of linear warm-up to --lr before the schedule (default 0)', nonNegativeInt)
    .option('--betas <b1,b2>', 'adamw: the moment decay rates (default 0.9,0.99)', betas)
    .option('--eps <x>', 'adamw: added to √v̂ (default 1e-8)', nonNegativeNumber)
    .option('--weight-decay <x>', 'adamw: decoupled weight decay (default 0.01); sgd: L2 added to the gradient (default 0)', nonNegativeNumber)
    .option('--momentum <x>', 'sgd: momentum (default 0)', nonNegativeNumber)
    .option('--dampening <x>', 'sgd: momentum dampening (default 0)', nonNegativeNumber)
    .option('--nesterov', 'sgd: Nesterov momentum (needs --momentum, no dampening)')
    .option('--clip-grad-norm <x>', 'clip the gradients\' total 2-norm to x before each update (torch.nn.utils.clip_grad_norm_)', positiveNumber)
    .option('--seed <n>', 'generator seed for parameters and minibatches', integer, d.seed)
    .option('--split-seed <n>', 'seed of the word shuffle for the train/val/test split', integer, d.splitSeed)
    .option('--samples <n>', 'words to sample after training', nonNegativeInt, 10)
    .option('--threads <n>', 'threads for the final train/val/test losses (the same on any number) and, with --fast, for the notebook model\'s training step (its last bits depend on the number) (default: every core)', positiveInt)
    .option('--out <file>', 'save the trained model (safetensors)')
    .option('--checkpoint-every <n>', 'also save to --out every n steps (atomically)', positiveInt)
    .option('--resume <file>', 'continue training a saved model from its step, generator, schedule and optimizer state')
    .option('--work-dir <dir>', 'makemore.py\'s work directory: model.safetensors, the best model by val loss at the evaluations, and log.jsonl, the scalars of every step and evaluation')
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
    cmd.addOption(new Option('--fast', 'fast mode: wasm kernels with relaxed-SIMD fused multiply-add in matmul and a rational tanh (numbers differ from PyTorch\'s in the last bits; the exact kernels where the engine lacks relaxed SIMD)'));
  }
  program.hook('preAction', (_program, action) => {
    const { backend, fast } = action.opts<{ backend: BackendChoice; fast?: boolean }>();
    enableRelaxedSimd(v8); // Node 20: lets exact mode use the CPU's FMA where PyTorch's kernels fuse (same numbers)
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
    guardStdout();
    await program.parseAsync([...argv], { from: 'user' });
    // The command finished (and saved its files); what it printed did not all arrive.
    await new Promise<void>((res) => setImmediate(res));
    const failed = stdoutFailure();
    if (failed !== null) {
      process.stderr.write(`makemore: error: ${failed}\n`);
      return 1;
    }
    return actionExitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander already printed the message
    const msg = oneLine(e instanceof Error ? e.message : String(e));
    process.stderr.write(`makemore: error: ${msg}\n`);
    if (process.env.MAKEMORE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
