// Overhead of the training diagnostics: the notebook model on names.txt, trained without hooks
// and with statistics every 1,000 steps (the loss of every step recorded too), runs interleaved
// to share the machine's noise; the best of each. Also the time spent inside the statistics
// hook itself, which bounds the overhead independently of the noise. Acceptance: at most 5%.
// Run: npm run bench:diagnostics [-- steps [repeats]]
import { Vocab, buildSplits, readWords } from '../src/data/index.js';
import { TrainingDiagnostics } from '../src/diagnostics/index.js';
import { DEFAULT_TRAIN, createModel, type TrainConfig } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import { train, type TrainHooks } from '../src/train/index.js';

const steps = Number(process.argv[2] ?? 10_000);
const repeats = Number(process.argv[3] ?? 3);
const words = readWords(new URL('../../data/names.txt', import.meta.url).pathname);
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, 42);
const cfg: TrainConfig = { ...DEFAULT_TRAIN, steps, lrDecayStep: steps / 2 };
const modelCfg = { vocabSize: vocab.size, blockSize: 3, embedDim: 10, hidden: 200, layers: 1, norm: 'notebook' as const };

function run(withStats: boolean): { seconds: number; hookSeconds: number; statsSteps: number; lastLoss: number } {
  const g = new Generator(cfg.seed);
  const model = createModel(modelCfg, g);
  let hooks: TrainHooks = {};
  let hookSeconds = 0;
  let diag: TrainingDiagnostics | null = null;
  if (withStats) {
    diag = new TrainingDiagnostics(model, { steps, statsEvery: 1000 });
    const after = diag.hooks.afterBackward!;
    hooks = { ...diag.hooks, afterBackward: (i) => { const t = performance.now(); after(i); hookSeconds += (performance.now() - t) / 1000; } };
  }
  const t0 = performance.now();
  const r = train(model, splits.train, cfg, g, hooks);
  const seconds = (performance.now() - t0) / 1000;
  diag?.close();
  return { seconds, hookSeconds, statsSteps: diag?.stats.length ?? 0, lastLoss: r.lastLoss };
}

run(false); // warm-up (JIT, allocator)
const base: number[] = [], stats: number[] = [];
let hook = 0, statsSteps = 0;
for (let i = 0; i < repeats; i++) {
  const a = run(false);
  const b = run(true);
  if (a.lastLoss !== b.lastLoss) throw new Error(`the statistics changed training: ${a.lastLoss} vs ${b.lastLoss}`);
  base.push(a.seconds);
  stats.push(b.seconds);
  hook = b.hookSeconds;
  statsSteps = b.statsSteps;
  console.log(`run ${i + 1}: without ${a.seconds.toFixed(2)} s, with stats every 1000 ${b.seconds.toFixed(2)} s`);
}
const best = (xs: number[]): number => Math.min(...xs);
const overhead = (best(stats) / best(base) - 1) * 100;
const hookShare = (hook / best(base)) * 100;
console.log(`${steps} steps, best of ${repeats}: without ${best(base).toFixed(2)} s (${((best(base) / steps) * 1e6).toFixed(0)} µs/step), with ${best(stats).toFixed(2)} s: overhead ${overhead.toFixed(2)}%`);
console.log(`inside the statistics hook: ${(hook * 1000).toFixed(1)} ms for ${statsSteps} statistics steps (${((hook / Math.max(1, statsSteps)) * 1000).toFixed(2)} ms each) = ${hookShare.toFixed(3)}% of training`);
console.log(hookShare <= 5 && overhead <= 5 ? 'PASS: at most 5% slower' : `${overhead > 5 ? 'measured' : 'hook'} overhead above 5%${overhead > 5 && hookShare <= 5 ? ' (the hook itself is below: machine noise; rerun on a quiet machine)' : ''}`);
