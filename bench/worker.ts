// One benchmark measurement in its own process (so peak RSS is this configuration's alone):
//   node dist/bench/worker.js <backend (wasm, wasm-fast, wasm-fast*, js)> <config> <steps> <repeats> [--memory]
// wasm-fast*: fast mode with its step on every core (parallel/stepThreads.ts); where the config's
// model has no threaded step it prints {"skipped": true}.
// Prints one JSON line: µs/step of each repeat, eval seconds per split, RSS.
import { availableParallelism } from 'node:os';
import v8 from 'node:v8';
import { readWords, Vocab } from '../src/data/index.js';
import { enableRelaxedSimd, useBackend, useFastBackend, type BackendChoice } from '../src/kernels/index.js';
import { createModel, DEFAULT_TRAIN, FAMILY_DEFAULTS, isFamily, type ModelConfig, type TrainConfig } from '../src/model/index.js';
import { ADAMW_DEFAULTS } from '../src/optim/index.js';
import { Generator } from '../src/random/index.js';
import { batchGenerator, modelDatasets, runWordSplit, splitLoss, Trainer } from '../src/train/index.js';
import { EvalPool } from '../src/parallel/evalThreads.js';
import { startThreadedStep } from '../src/parallel/stepThreads.js';
import { allBenchConfigs } from './configs.js';

v8.setFlagsFromString('--no-liftoff'); // as bin/makemore.js: optimized wasm from the start
const [backend, configName, stepsArg, repeatsArg] = process.argv.slice(2);
const memoryRun = process.argv.includes('--memory');
// wasm-fast: fast mode (relaxed SIMD); wasm-fast*: and its step on every core
const allCores = backend === 'wasm-fast*';
if (backend === 'wasm-fast' || allCores) {
  if (useFastBackend(v8) === null) throw new Error('bench: this engine has no WebAssembly relaxed SIMD');
} else {
  enableRelaxedSimd(v8); // as the CLI: exact mode takes the CPU's FMA where PyTorch's kernels fuse
  useBackend(backend as BackendChoice);
}
const steps = Number(stepsArg);
const repeats = Number(repeatsArg);
const words = readWords(new URL('../../data/names.txt', import.meta.url).pathname);
const vocab = Vocab.fromWords(words);
const modelCfg: ModelConfig = { ...allBenchConfigs()[configName], vocabSize: vocab.size };
// makemore.py's family: its pipeline, seed and AdamW (as `train --type`); the others: the notebook's SGD
const family = isFamily(modelCfg);
const base: TrainConfig = family
  ? { ...DEFAULT_TRAIN, seed: FAMILY_DEFAULTS.seed, split: FAMILY_DEFAULTS.split, optimizer: FAMILY_DEFAULTS.optimizer, lr: ADAMW_DEFAULTS.lr, lrFinal: ADAMW_DEFAULTS.lr, betas: [...ADAMW_DEFAULTS.betas], eps: ADAMW_DEFAULTS.eps, weightDecay: ADAMW_DEFAULTS.weightDecay }
  : DEFAULT_TRAIN;
const seeded = new Generator(base.seed);
const split = runWordSplit(words, base, seeded);
const model = createModel(modelCfg, seeded);
const splits = modelDatasets(split, vocab, model);
const g = batchGenerator(seeded, base);
const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;
const stepThreads = allCores ? await startThreadedStep(model, base.batchSize, splits.train.X, splits.train.Y, availableParallelism()) : null;
if (allCores && stepThreads === null) {
  console.log(JSON.stringify({ skipped: true }));
  process.exit(0);
}
const options = { fusedStep: stepThreads ?? undefined };

if (memoryRun) {
  // Memory flatness: RSS after 10,000 steps and after all of them (default run: 200,000).
  const trainer = new Trainer(model, splits.train, { ...base, steps }, g, {}, options);
  const marks: Record<string, number> = {};
  const heapMiB: Record<string, number> = {};
  const t0 = performance.now();
  let trainSeconds = 0;
  while (!trainer.done) {
    trainer.runStep();
    const done = trainer.result().nextStep;
    if (done === 10_000 || done === steps) {
      // A full collection first (with --expose-gc), so the marks compare retained memory, not
      // how much garbage the young generation happens to hold at that moment.
      const t1 = performance.now();
      (globalThis as { gc?: () => void }).gc?.();
      marks[String(done)] = rssMiB();
      heapMiB[String(done)] = process.memoryUsage().heapUsed / 2 ** 20;
      trainSeconds -= (performance.now() - t1) / 1000;
    }
  }
  trainSeconds += (performance.now() - t0) / 1000;
  await stepThreads?.close();
  console.log(JSON.stringify({ steps, seconds: trainSeconds, rssMiB: marks, heapMiB, threads: stepThreads?.threads ?? 1 }));
} else {
  // as `makemore train`: the evaluation threads start before training and are ready at its end
  const pool = backend !== 'js' && !family ? EvalPool.start(availableParallelism()) : null;
  await pool?.ready(); // their wasm compiled before any step is timed
  // wasm-fast*: longer. Its auto schedule must have timed both ways and settled (its first windows
  // probe the solo way), and V8 compiles the trainer's hot JS on a background thread over the first
  // 2,000-3,000 steps: on a 2-core machine that thread takes a core from the step's threads, and
  // a step then takes 80-120 µs instead of 60 (about 0.1 s of a 200,000-step run, once per process).
  // A 1,000-step warm-up had timed those steps.
  const warm = family ? Math.min(20, steps) : allCores ? 5000 : Math.min(200, steps);
  const total = warm + steps * repeats;
  const trainer = new Trainer(model, splits.train, { ...base, steps: total, lrDecayStep: total }, g, {}, options);
  for (let i = 0; i < warm; i++) trainer.runStep(); // warm-up: JIT, allocator free lists
  const usPerStep: number[] = [];
  const soloBefore = stepThreads?.soloSteps ?? 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) trainer.runStep();
    usPerStep.push(((performance.now() - t0) * 1000) / steps);
  }
  const evalSeconds: Record<string, number> = {};
  const evalLoss: Record<string, number> = {};
  // the family's training split (31,033 padded words) is left out: the transformer's pass takes a minute
  for (const s of family ? (['val', 'test'] as const) : (['train', 'val', 'test'] as const)) {
    const t0 = performance.now();
    evalLoss[s] = splitLoss(model, splits[s]);
    evalSeconds[s] = (performance.now() - t0) / 1000;
  }
  // The same splits on every core (worker threads, src/parallel): the same losses, checked here.
  if (pool !== null) {
    for (const s of ['train', 'val', 'test'] as const) {
      const t0 = performance.now();
      const loss = await pool.splitLoss(model, splits[s]);
      evalSeconds[`${s}*`] = (performance.now() - t0) / 1000;
      if (!Object.is(loss, evalLoss[s])) throw new Error(`bench: the ${s} loss on ${availableParallelism()} threads is ${loss}, on one ${evalLoss[s]}`);
    }
  }
  await pool?.close();
  await stepThreads?.close();
  // wasm-fast*: the share of the timed steps its 'auto' schedule ran with every slice on this thread
  const soloShare = ((stepThreads?.soloSteps ?? 0) - soloBefore) / (steps * repeats);
  console.log(JSON.stringify({ threads: stepThreads?.threads ?? 1, soloShare, usPerStep, evalSeconds, evalLoss, peakRssMiB: process.resourceUsage().maxRSS / 1024, rssMiB: rssMiB() }));
}
