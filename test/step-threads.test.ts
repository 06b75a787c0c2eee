// Fast mode's training step on several threads (parallel/stepThreads.ts, assembly/threadedStep.ts):
// the notebook model's step split by hidden unit over worker threads sharing one wasm memory.
// Stated tolerance: every loss of a 1,000-step run within 1e-4 (relative) of the one-thread fast
// step's (only the rounding of two sums over threads differs), and so within fast mode's 1e-3 of
// exact mode; the same losses bit for bit on every run with the same thread count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { buildSplits, readWords, Vocab, type Dataset } from '../src/data/index.js';
import { kernels, setBackend, useBackend, useFastBackend, wasmSupported, type Backend } from '../src/kernels/index.js';
import { createModel, DEFAULT_MODEL, DEFAULT_TRAIN, NotebookMLP, type LanguageModel, type ModelConfig } from '../src/model/index.js';
import { startThreadedStep } from '../src/parallel/stepThreads.js';
import { AutoSchedule, startNotebookThreadedStep, type SpawnStepThread, type StepSchedule } from '../src/model/notebookThreaded.js';
import { Worker } from 'node:worker_threads';
import { Generator } from '../src/random/index.js';
import { tensor, zeros } from '../src/tensor/index.js';
import { splitLoss, train } from '../src/train/index.js';
import { MakemoreError } from '../src/errors.js';

const words = readWords(fileURLToPath(new URL('../../data/names.txt', import.meta.url)));
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, 42);

/** The exact and fast wasm backends, or null where this engine has no relaxed SIMD. */
function backends(): { exact: Backend; fast: Backend } | null {
  const before = kernels();
  try {
    const exact = useBackend('wasm');
    const fast = useFastBackend(v8);
    return fast === null ? null : { exact, fast };
  } finally {
    setBackend(before);
  }
}
const found = wasmSupported() ? backends() : null;
const skip = found === null && 'no WebAssembly relaxed SIMD here';

interface Run { losses: Float64Array; val: number; model: LanguageModel; threads: number; soloSteps: number }

/** Runs `fn` with `backend`'s kernels, the previous ones restored after. */
async function onBackend<T>(backend: Backend, fn: () => Promise<T>): Promise<T> {
  const before = kernels();
  setBackend(backend);
  try {
    return await fn();
  } finally {
    setBackend(before);
  }
}

/**
 * `steps` steps of the model (default: the seed's) on `backend`, the step on `threads` threads,
 * scheduled at step i as `schedule(i)` (default: as it chooses).
 */
async function run(backend: Backend, steps: number, threads: number, model: Partial<ModelConfig> = {}, data: Dataset = splits.train,
  schedule?: (i: number) => StepSchedule): Promise<Run> {
  return onBackend(backend, async () => {
    const g = new Generator(2147483647);
    const m = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size, ...model }, g);
    const step = threads > 1 ? await startThreadedStep(m, 32, data.X, data.Y, threads) : null;
    if (step !== null && schedule !== undefined) step.schedule = schedule(0);
    const onStep = ({ step: i }: { step: number }): void => { if (step !== null && schedule !== undefined) step.schedule = schedule(i + 1); };
    try {
      const r = train(m, data, { ...DEFAULT_TRAIN, steps, lrDecayStep: steps / 2 }, g, { onStep }, { fusedStep: step ?? undefined });
      return { losses: Float64Array.from(r.lossLog10, (x) => 10 ** x), val: splitLoss(m, splits.val), model: m, threads: step?.threads ?? 1, soloSteps: step?.soloSteps ?? 0 };
    } finally {
      await step?.close();
    }
  });
}

function worstRelative(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / b[i]);
  return worst;
}

test('threaded fast step: losses within 1e-4 of the one-thread fast step, 1e-3 of exact mode, over 1,000 steps', { skip }, async (t) => {
  const { exact, fast } = found!;
  const one = await run(fast, 1000, 1);
  const ex = await run(exact, 1000, 1);
  for (const threads of [2, 3]) {
    const many = await run(fast, 1000, threads);
    assert.equal(many.threads, threads);
    const vsOne = worstRelative(many.losses, one.losses), vsExact = worstRelative(many.losses, ex.losses);
    t.diagnostic(`${threads} threads: largest relative loss difference ${vsOne.toExponential(2)} vs one thread, ${vsExact.toExponential(2)} vs exact; val ${many.val} (one thread ${one.val}, exact ${ex.val})`);
    assert.ok(vsOne < 1e-4, `vs one thread: ${vsOne}`);
    assert.ok(vsExact < 1e-3, `vs exact: ${vsExact}`);
    assert.ok(Math.abs(many.val - one.val) < 1e-4, `val ${many.val} on ${threads} threads, ${one.val} on one`);
  }
});

test('threaded fast step: the same losses bit for bit on every run; b1, uneven slices, 3 threads', { skip }, async () => {
  const { fast } = found!;
  // cell 7's b1, and 90 hidden units: slices of 32, 28 and 30 (not a multiple of 4)
  const cfg = { bias1: true, hidden: 90 };
  const a = await run(fast, 300, 3, cfg), b = await run(fast, 300, 3, cfg);
  assert.deepEqual(a.losses, b.losses);
  assert.equal(a.val, b.val);
  const one = await run(fast, 300, 1, cfg);
  assert.ok(worstRelative(a.losses, one.losses) < 1e-4);
  // the trained parameters reached the model's tensors: its state is the one-thread run's, nearly
  const sa = a.model.stateDict(), so = one.model.stateDict();
  for (const [name, t] of sa) {
    const x = t.floatData, y = so.get(name)!.floatData;
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
    assert.ok(worst < 1e-3, `${name}: differs by ${worst}`);
  }
});

test('threaded fast step: every slice on the caller\'s thread (solo) gives the threads\' numbers bit for bit, switching at any step', { skip }, async () => {
  const { fast } = found!;
  const cfg = { bias1: true, hidden: 90 }; // slices of 32, 28 and 30, b1
  const threads = await run(fast, 200, 3, cfg, splits.train, () => 'threads');
  const solo = await run(fast, 200, 3, cfg, splits.train, () => 'solo');
  const mixed = await run(fast, 200, 3, cfg, splits.train, (i) => (i % 3 === 1 ? 'solo' : 'threads'));
  assert.equal(threads.soloSteps, 0);
  assert.equal(solo.soloSteps, 200);
  assert.equal(mixed.soloSteps, 67);
  for (const other of [solo, mixed]) {
    assert.deepEqual(other.losses, threads.losses);
    assert.equal(other.val, threads.val);
    const st = threads.model.stateDict();
    for (const [name, t] of other.model.stateDict()) assert.deepEqual(t.floatData, st.get(name)!.floatData, name);
  }
});

test('threaded fast step: parameters written between steps (loadStateDict) are the ones the next step trains', { skip }, async () => {
  const { fast } = found!;
  await onBackend(fast, async () => {
    const cfg = { ...DEFAULT_TRAIN, steps: 50, lrDecayStep: 1000 };
    const ga = new Generator(1), gb = new Generator(2);
    const a = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, ga);
    const b = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, gb);
    const step = await startThreadedStep(a, 32, splits.train.X, splits.train.Y, 2);
    assert.ok(step !== null);
    try {
      train(a, splits.train, cfg, ga, {}, { fusedStep: step });
      train(b, splits.train, cfg, gb);
      // a takes b's parameters and generator: from here on both runs should step alike
      a.loadStateDict(b.stateDict());
      ga.setState(gb.getState());
      const next = { ...cfg, steps: 100 };
      const ra = train(a, splits.train, next, ga, {}, { fusedStep: step, startStep: 50 });
      const rb = train(b, splits.train, next, gb, {}, { startStep: 50 });
      assert.ok(worstRelative(Float64Array.from(ra.lossLog10, (x) => 10 ** x), Float64Array.from(rb.lossLog10, (x) => 10 ** x)) < 1e-4);
    } finally {
      await step.close();
    }
  });
});

test('threaded fast step: its parameters reach the model when read (the same values as a read after every step); new storage given to a tensor is kept', { skip }, async () => {
  const { fast } = found!;
  await onBackend(fast, async () => {
    const cfg = { ...DEFAULT_TRAIN, steps: 60, lrDecayStep: 1000 };
    const runWith = async (onStep: (m: LanguageModel) => void): Promise<LanguageModel> => {
      const g = new Generator(7);
      const m = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size, bias1: true }, g);
      const step = await startThreadedStep(m, 32, splits.train.X, splits.train.Y, 2);
      assert.ok(step !== null);
      try {
        train(m, splits.train, cfg, g, { onStep: () => onStep(m) }, { fusedStep: step });
      } finally {
        await step.close();
      }
      return m;
    };
    // every tensor read after every step, one tensor read after each step, nothing read until the end
    const names = ['C', 'W1', 'b1', 'W2', 'b2', 'bngain', 'bnbias', 'bnmeanRunning', 'bnstdRunning'];
    const everyStep = await runWith((m) => { for (const [, t] of m.stateDict()) void t.floatData[0]; });
    let i = 0;
    const oneAtATime = await runWith((m) => { void [...m.stateDict().values()][i++ % names.length].floatData[0]; });
    const atEnd = await runWith(() => {});
    const want = everyStep.stateDict();
    assert.equal(want.size, names.length);
    for (const other of [oneAtATime, atEnd]) {
      for (const [name, t] of other.stateDict()) assert.deepEqual(t.floatData, want.get(name)!.floatData, name);
    }

    // A tensor given new storage after a step keeps it (the step's deferred copy goes to the old
    // storage), and the next step trains from it.
    const g = new Generator(7);
    const m = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, g) as NotebookMLP;
    const step = await startThreadedStep(m, 32, splits.train.X, splits.train.Y, 2);
    assert.ok(step !== null);
    try {
      train(m, splits.train, { ...cfg, steps: 5 }, g, {}, { fusedStep: step });
      const fresh = new Float32Array(m.W2.numel).fill(0.25);
      m.W2.data = fresh;
      void m.C.floatData[0]; // runs the deferred copy of the other tensors
      assert.deepEqual(m.W2.floatData, new Float32Array(m.W2.numel).fill(0.25));
      train(m, splits.train, { ...cfg, steps: 6 }, g, {}, { fusedStep: step, startStep: 5 });
      const w2 = m.W2.floatData;
      assert.ok(w2.every((x) => Math.abs(x - 0.25) < 0.05) && w2.some((x) => x !== 0.25), 'W2 trained from the new values');
    } finally {
      await step.close();
    }
  });
});

test('threaded fast step: a target outside the vocabulary is an error naming its position; close() ends the threads', { skip }, async () => {
  const { fast } = found!;
  await onBackend(fast, async () => {
    const X = zeros([64, 3], { dtype: 'int32' });
    const yData = new Int32Array(64).fill(1);
    yData.fill(vocab.size + 5, 0, 64); // every target bad, so the first minibatch holds one
    const Y = tensor(yData, { dtype: 'int32' });
    const g = new Generator(3);
    const m = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, g);
    const step = await startThreadedStep(m, 32, X, Y, 2);
    assert.ok(step !== null);
    try {
      assert.throws(() => train(m, { X, Y }, { ...DEFAULT_TRAIN, steps: 1 }, g, {}, { fusedStep: step }),
        (e: unknown) => e instanceof MakemoreError && /index at position \d+ of a minibatch gather is out of range/.test(e.message));
    } finally {
      await step.close();
    }
    await step.close(); // twice: a no-op
  });
});

test('threaded fast step: not started where it does not apply', { skip }, async () => {
  const { exact, fast } = found!;
  const before = kernels();
  try {
    const g = new Generator(4);
    setBackend(exact); // exact mode keeps its one-thread step (PyTorch's numbers)
    const m = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, g);
    assert.equal(await startThreadedStep(m, 32, splits.train.X, splits.train.Y, 2), null);
    setBackend(fast);
    const f = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, g);
    assert.equal(await startThreadedStep(f, 32, splits.train.X, splits.train.Y, 1), null); // one thread
    assert.equal(await startThreadedStep(f, 1, splits.train.X, splits.train.Y, 2), null); // a batch of one
    const mod = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size, norm: 'batchnorm1d' }, g); // a module-built kind
    assert.equal(await startThreadedStep(mod, 32, splits.train.X, splits.train.Y, 2), null);
  } finally {
    setBackend(before);
  }
});

test('threaded fast step: a thread that fails stops the step with an error instead of leaving the others waiting', { skip }, async () => {
  const { fast } = found!;
  await onBackend(fast, async () => {
    // A thread whose plan points outside the memory: its first load traps (as any fault in a thread would)
    const entry = new URL('../src/kernels/wasm/threads.js', import.meta.url).href;
    const spawn: SpawnStepThread = (data) => {
      const worker = new Worker(`const { workerData, parentPort } = require('node:worker_threads');
        import(${JSON.stringify(entry)}).then(({ runStepThread }) => runStepThread({ ...workerData, plan: 0x7ffffff0 }, () => parentPort.postMessage('ready')));`,
      { eval: true, workerData: data });
      const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.on('error', () => {}); // its trap, expected: the step's error is what the test checks
      return { ready: new Promise<void>((resolve) => worker.once('message', () => resolve())), ended: () => exit, terminate: () => { void worker.terminate(); } };
    };
    const g = new Generator(5);
    const m = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, g);
    const step = await startNotebookThreadedStep(m, 32, splits.train.X, splits.train.Y, 2, spawn);
    assert.ok(step !== null);
    assert.throws(() => train(m, splits.train, { ...DEFAULT_TRAIN, steps: 3 }, g, {}, { fusedStep: step }),
      (e: unknown) => e instanceof MakemoreError && /training threads failed/.test(e.message));
    await step.close();
  });
});

test("threaded step's auto schedule: the faster way; one slow window of the threads is not enough to leave them, two of three are; a probe decides at once", () => {
  // A scripted clock: each step costs what `cost(i, solo)` says (µs). Windows are 64 steps.
  let ms = 0;
  const auto = new AutoSchedule(() => ms);
  const ways: boolean[] = [];
  const run = (windows: number, cost: (i: number, solo: boolean) => number): number => {
    const start = ways.length;
    for (let k = 0; k < 64 * windows; k++) {
      const i = ways.length;
      const solo = auto.beforeStep();
      ways.push(solo);
      ms += cost(i, solo) / 1000;
      auto.afterStep();
    }
    return start;
  };
  /** How many steps of each window from `start` on ran solo. */
  const soloByWindow = (start: number): number[] => {
    const out: number[] = [];
    for (let w = start; w < ways.length; w += 64) out.push(ways.slice(w, w + 64).filter((x) => x).length);
    return out;
  };
  const quiet = (_i: number, solo: boolean): number => (solo ? 90 : 60);
  // window 1 untimed, window 2 the threads, window 3 a probe of the solo way, then the threads
  assert.deepEqual(soloByWindow(run(8, quiet)), [0, 0, 64, 0, 0, 0, 0, 0]);
  // a 3 ms pause in one step, another three windows later: the threads stay
  const hiccups = ways.length;
  run(6, (i, solo) => quiet(i, solo) + (i === hiccups + 10 || i === hiccups + 3 * 64 + 10 ? 3000 : 0));
  assert.deepEqual(soloByWindow(hiccups), [0, 0, 0, 0, 0, 0], 'single slow windows');
  let start: number;
  // a process sharing the thread's core, slowing every other window: solo after the third
  start = run(5, (i, solo) => (solo ? 95 : Math.floor(i / 64) % 2 === 0 ? 150 : 60));
  assert.deepEqual(soloByWindow(start), [0, 0, 0, 64, 64]);
  // the core free again: the probe of the threads after 256 solo steps finds them faster; they stay
  start = run(6, quiet);
  assert.deepEqual(soloByWindow(start), [64, 64, 0, 0, 0, 0]);
  // the core taken for good: solo after two slow windows; a probe of the threads after 256 steps
  // finds them slower, and the next one waits 512
  start = run(16, (_i, solo) => (solo ? 95 : 150));
  assert.deepEqual(soloByWindow(start), [0, 0, 64, 64, 64, 64, 0, 64, 64, 64, 64, 64, 64, 64, 64, 0]);
});
