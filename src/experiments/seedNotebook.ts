// The seed notebook (../shared/seed/000_8d1ef57becbf00ed.txt), replayed cell by cell with one
// generator, as its code runs on PyTorch's CPU device:
//   [3] the 80/10/10 split        [4] the MLP with b1 (no batch norm), seed init: 11,897 parameters
//   [5] one SGD step of it; hpreact's shape, mean and std   [6] the standardized hpreact's mean, std
//   [7] batch norm with b1, no eps: 12,297   [8] its training   [9] train/val with each split's batch statistics
//   [11] batch norm without b1, eps on the std, running statistics: 12,097   [13] its training
//   [14] train/val with the running statistics   [34] ten samples, continuing the generator
// Every printed number is formatted as Python prints it (pyFloat, lossLine). The notebook numbers
// its parameter cell of the final model In [11] (the issue calls it [12]).
import { buildSplits, Vocab, type Dataset } from '../data/index.js';
import { createModel, type LanguageModel, type ModelConfig, type TrainConfig } from '../model/index.js';
import { SGD } from '../optim/index.js';
import { Generator } from '../random/index.js';
import { sampleWords } from '../sample/index.js';
import { crossEntropy, index, randint, type Tensor } from '../tensor/index.js';
import { lossLine, pyFloat, splitLoss, trainAsync } from '../train/index.js';

/** What one cell printed: its lines, and the numbers in them (for comparisons with a tolerance). */
export interface ReplayCell {
  cell: number;
  lines: string[];
  values: number[];
}

export interface ReplayOptions {
  /** The notebook's max_steps for both trainings (cells 8 and 13); the decay stays at step 100,000. */
  maxSteps: number;
  /** A cell has finished. */
  onCell?(cell: ReplayCell): void;
  /** A training cell printed a loss line (as it happens). */
  onLine?(cell: number, line: string): void;
  /** After every training step of cell 8 or 13 (progress). */
  onStep?(cell: number, step: number): void;
  /** Checked between steps: true stops the replay early (it then resolves with the cells so far). */
  shouldStop?(): boolean;
}

export const SEED = 2147483647;
export const DECAY_STEP = 100_000;

const torchSize = (shape: readonly number[]): string => `torch.Size([${shape.join(', ')}])`;

/** The hidden layer: n_embd 10, n_hidden 200, block_size 3 (cells 3, 4, 7, 11). */
function modelConfig(vocab: Vocab, extra: Partial<ModelConfig>): ModelConfig {
  return { vocabSize: vocab.size, blockSize: 3, embedDim: 10, hidden: 200, layers: 1, norm: 'notebook', init: 'seed', ...extra };
}

export async function replaySeedNotebook(words: readonly string[], opts: ReplayOptions): Promise<ReplayCell[]> {
  const cells: ReplayCell[] = [];
  const emit = (cell: number, lines: string[], values: number[] = []): void => {
    const c = { cell, lines, values };
    cells.push(c);
    opts.onCell?.(c);
  };
  // [2] one generator for everything; [3] the split (random.seed(42), block size 3)
  const g = new Generator(SEED);
  const vocab = Vocab.fromWords(words);
  const splits = buildSplits(words, vocab, 3, 42);
  emit(3, [splits.train, splits.val, splits.test].flatMap((d) => [torchSize(d.X.shape), torchSize(d.Y.shape)]));

  // [4] C, W1, b1, W2, b2 with the seed's init, no batch norm
  const mlp = createModel(modelConfig(vocab, { norm: 'none' }), g);
  emit(4, [String(mlp.numParameters())], [mlp.numParameters()]);

  // [5] one step of gradient descent (lr 0.1); hpreact is the step's pre-activation (before the update)
  const hpreact = stepKeepingPreactivation(mlp, splits.train, g);
  const [m5, s5] = [hpreact.mean().item(), hpreact.std().item()];
  emit(5, [torchSize(hpreact.shape), `Mean: ${pyFloat(m5)}`, `Standard Deviation: ${pyFloat(s5)}`], [m5, s5]);

  // [6] standardize hpreact per unit
  const mean0 = hpreact.mean(0, true), std0 = hpreact.std(0, { keepdim: true });
  const unit = hpreact.sub(mean0).div(std0);
  const [m6, s6] = [unit.mean().item(), unit.std().item()];
  emit(6, [torchSize(mean0.shape), torchSize(std0.shape), `Mean: ${pyFloat(m6)}`, `Standard Deviation: ${pyFloat(s6)}`], [m6, s6]);

  // [7] batch norm with b1 before it, no eps; [8] trained; [9] evaluated with each split's own statistics
  const bn7 = createModel(modelConfig(vocab, { bias1: true, bnEps: 0, bnEval: 'batch' }), g);
  emit(7, [String(bn7.numParameters())], [bn7.numParameters()]);
  if (!(await trainCell(8, bn7, splits.train, g, opts, emit))) return cells;
  const l9 = [splitLoss(bn7, splits.train), splitLoss(bn7, splits.val)].map(Math.fround);
  emit(9, [`train ${pyFloat(l9[0])}`, `val ${pyFloat(l9[1])}`], l9);

  // [11] no b1, eps added to the std, running mean and std; [13] trained; [14] evaluated with the running statistics
  const bn11 = createModel(modelConfig(vocab, { bias1: false, bnEps: 1e-5, bnEval: 'running' }), g);
  emit(11, [String(bn11.numParameters())], [bn11.numParameters()]);
  if (!(await trainCell(13, bn11, splits.train, g, opts, emit))) return cells;
  const l14 = [splitLoss(bn11, splits.train), splitLoss(bn11, splits.val)].map(Math.fround);
  emit(14, [`train ${pyFloat(l14[0])}`, `val ${pyFloat(l14[1])}`], l14);

  // [34] ten words, continuing the same generator; the notebook prints the final '.'
  const samples = sampleWords(bn11, vocab, { count: 10, generator: g, maxLen: 10_000 });
  emit(34, samples.map((w) => `${w}.`));
  return cells;
}

/** Cell 5: one SGD step (lr 0.1) on a minibatch drawn from g; returns that step's hpreact (32×200). */
function stepKeepingPreactivation(mlp: LanguageModel, train: Dataset, g: Generator): Tensor {
  mlp.train();
  const ix = randint(0, train.Y.numel, [32], { generator: g });
  const Xb = index(train.X, ix), Yb = index(train.Y, ix);
  // embcat @ W1 + b1: the output of the first Linear ("layers.0", PyTorch's name), seen by a hook
  const first = mlp.namedModules().find(([name]) => name === 'layers.0')?.[1];
  if (first === undefined) throw new Error('cell 5 expects a first hidden Linear named layers.0');
  let hpreact: Tensor | undefined;
  const hook = first.registerForwardHook((_m, _input, out) => { hpreact = out.detach(); });
  const loss = crossEntropy(mlp.forward(Xb), Yb);
  hook.remove();
  if (hpreact === undefined) throw new Error('layers.0 did not run');
  const opt = new SGD(mlp.parameters(), 0.1);
  opt.zeroGrad(true);
  loss.backward();
  opt.step();
  return hpreact;
}

/** Cells 8 and 13: max_steps steps of the cell's step(), loss lines every 10,000 steps. */
async function trainCell(cell: number, model: ReturnType<typeof createModel>, train: Dataset, g: Generator,
  opts: ReplayOptions, emit: (cell: number, lines: string[], values: number[]) => void): Promise<boolean> {
  const cfg: TrainConfig = { batchSize: 32, steps: opts.maxSteps, lr: 0.1, lrFinal: 0.01, lrDecayStep: DECAY_STEP, seed: SEED, splitSeed: 42 };
  const lines: string[] = [], values: number[] = [];
  const result = await trainAsync(model, train, cfg, g, {
    onStep: ({ step, loss }) => {
      if (step % 10000 === 0) {
        const line = lossLine(step, opts.maxSteps, loss);
        lines.push(line);
        values.push(loss);
        opts.onLine?.(cell, line);
      }
      opts.onStep?.(cell, step);
    },
    shouldStop: opts.shouldStop,
  });
  emit(cell, lines, values);
  return result.nextStep >= opts.maxSteps;
}
