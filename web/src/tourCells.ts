// The guided tour's text: the seed notebook's cells in order, each with what it does and what to
// look at in its numbers. The numbers themselves come from the replay (src/experiments/seedNotebook.ts)
// run in the worker, beside what the seed printed (seedPrinted.ts).

export interface TourCellText {
  /** The seed notebook's cell number (In [n]); the experiments after it count on from 100. */
  cell: number;
  /** The nav button's label (default "[cell]"). */
  label?: string;
  title: string;
  /** A few sentences: what the cell does and why it matters. */
  text: string;
  /** An experiment to run with the page's controls: the values Set up puts into them (by element id). */
  setup?: { label: string; values: Readonly<Record<string, string>> };
}

export const TOUR_CELLS: readonly TourCellText[] = [
  {
    cell: 3, title: 'The data: contexts of three characters',
    text: 'The 32,033 names are shuffled with Python\'s random.seed(42) and split 80/10/10. Every name becomes one example per character: the three characters before it (padded with ".") and the character to predict. The shapes are the numbers of examples in each split.',
  },
  {
    cell: 4, title: 'The first model: an MLP without batch norm',
    text: 'An embedding table C (27×10), a hidden layer W1 (30×200) with bias b1 and tanh, and an output layer W2 (200×27) with bias b2. W1 is Kaiming-scaled, W2 Xavier-normal, the biases small uniform numbers (the seed\'s init). The count is its parameters.',
  },
  {
    cell: 5, title: 'The pre-activations after one step',
    text: 'One SGD step on a minibatch of 32. hpreact = embcat @ W1 + b1 feeds the tanh: if its values are large the tanh saturates (|tanh| near 1) and its gradient vanishes. Its mean and standard deviation over the whole 32×200 batch show where it sits.',
  },
  {
    cell: 6, title: 'Standardizing: the idea of batch norm',
    text: 'Subtract each unit\'s mean over the batch and divide by its standard deviation: every one of the 200 units now has mean 0 and std 1 over the batch, whatever the weights did. Batch normalization does exactly this inside the network, then lets a gain and a bias rescale it.',
  },
  {
    cell: 7, title: 'Batch norm, first try (b1 kept)',
    text: 'The hidden layer becomes embcat @ W1 + b1, normalized with the batch\'s mean and std, times bngain plus bnbias. b1 is still there although the normalization subtracts the mean and so cancels it: 400 parameters more than cell 4 (gain and bias).',
  },
  {
    cell: 8, title: 'Training it',
    text: 'SGD with minibatches of 32 drawn from the same generator, learning rate 0.1 then 0.01 from step 100,000. The loss printed every 10,000 steps is one minibatch\'s, so it is noisy. The seed ran 200,000 steps; this page runs the number you chose.',
  },
  {
    cell: 9, title: 'Evaluating with each split\'s own batch statistics',
    text: 'The trained model normalizes with the mean and std of the batch it is given. Here the whole train split and the whole val split are each one batch, so each is normalized with its own statistics: the numbers depend on what else is in the batch. That coupling is the problem the next cells fix.',
  },
  {
    cell: 11, title: 'The fix: no b1, eps, running statistics',
    text: 'b1 is dropped (the batch norm bias does its job), eps 1e-5 is added to the std so a unit that does not vary cannot divide by zero, and a running mean and std (momentum 0.001) are kept during training, for evaluating one example at a time.',
  },
  {
    cell: 13, title: 'Training the final model',
    text: 'The same training loop, the same generator continuing. Each step also updates the running mean and std: 0.999·running + 0.001·batch.',
  },
  {
    cell: 14, title: 'Evaluating with the running statistics',
    text: 'Now evaluation uses the running mean and std instead of the batch\'s: the model gives every example the same output whatever batch it is in, which is what sampling one name at a time needs.',
  },
  {
    cell: 34, title: 'Sampling names',
    text: 'Starting from "...", the model gives the probabilities of the next character; torch.multinomial draws one from the same generator (it continues where training left it), and the context shifts, until "." ends the name.',
  },
  {
    cell: 101, label: 'init', title: 'Experiment: initialization without batch norm',
    text: 'The lecture\'s first lesson: with every weight drawn from N(0, 1) the first loss is about 27 instead of −ln(1/27) ≈ 3.3, most tanh units sit at ±1 (no gradient), and the first thousands of steps only undo that (the hockey stick). Set up a run with the naive init and no batch norm, watch the loss chart and the tanh histogram, then choose init "kaiming" and run again: batch norm is one way to make a network forgive its initialization. (`npm run experiment:init` runs all five inits side by side.)',
    setup: { label: 'Set up: no batch norm, naive init, 20,000 steps', values: { norm: 'none', init: 'naive', layers: '1', hidden: '200', steps: '20000', decay: '' } },
  },
  {
    cell: 102, label: 'deeper', title: 'Experiment: a deeper network',
    text: 'The lecture then stacks five hidden layers of 100 units, each Linear → BatchNorm1d → Tanh, as PyTorch modules. Watch the update:data chart: each weight\'s updates stay near a thousandth of its values, and the tanh histograms of all five layers keep their shape, because every batch norm rescales its layer\'s input.',
    setup: { label: 'Set up: 5 × 100 with BatchNorm1d, 20,000 steps', values: { norm: 'batchnorm1d', layers: '5', hidden: '100', steps: '20000', decay: '' } },
  },
  {
    cell: 103, label: 'norms', title: 'Experiment: the alternatives to batch norm',
    text: 'The seed ends pointing at Layer, Group and Instance Normalization. They normalize each example with its own statistics, so an example\'s output no longer depends on the rest of its batch and no running statistics are needed. Set up the deeper network with LayerNorm and compare its losses with BatchNorm1d\'s (GroupNorm and RMSNorm are in the Norm menu too; InstanceNorm needs a length axis this MLP does not have). `npm run experiment:norms` measures them all; see docs/norms.md.',
    setup: { label: 'Set up: 5 × 100 with LayerNorm, 20,000 steps', values: { norm: 'layernorm', layers: '5', hidden: '100', steps: '20000', decay: '' } },
  },
];
