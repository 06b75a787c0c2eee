// Train the default model on the bundled names with a given kernel backend (restored afterwards):
// the losses of every step and the val loss, for comparing backends and modes.
import { fileURLToPath } from 'node:url';
import { buildSplits, readWords, Vocab } from '../../src/data/index.js';
import { kernels, setBackend, type Backend } from '../../src/kernels/index.js';
import { createModel, DEFAULT_MODEL, DEFAULT_TRAIN } from '../../src/model/index.js';
import { Generator } from '../../src/random/index.js';
import { splitLoss, train } from '../../src/train/index.js';

const words = readWords(fileURLToPath(new URL('../../../data/names.txt', import.meta.url)));
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, 42);

/** losses: every step's loss (float64 from the log10 the trainer keeps); val: the val split's loss after. */
export function runWithBackend(backend: Backend, steps: number): { losses: Float64Array; val: number } {
  const before = kernels();
  setBackend(backend);
  try {
    const g = new Generator(2147483647);
    const model = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, g);
    const r = train(model, splits.train, { ...DEFAULT_TRAIN, steps, lrDecayStep: steps / 2 }, g);
    return { losses: Float64Array.from(r.lossLog10, (x) => 10 ** x), val: splitLoss(model, splits.val) };
  } finally {
    setBackend(before);
  }
}
