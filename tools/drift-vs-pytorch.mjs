// How far makemore-ts drifts from PyTorch on the notebook run: compares every recorded loss of
// tools/notebook_reference.py (test/fixtures/notebook-reference.json) with a run here.
// Run after `npm run build`: node tools/drift-vs-pytorch.mjs [wasm|js] [200000|1000]
import v8 from 'node:v8'; v8.setFlagsFromString('--no-liftoff');
import { readFileSync } from 'node:fs';
import { readWords, Vocab, buildSplits } from '../dist/src/data/index.js';
import { createModel, DEFAULT_MODEL, DEFAULT_TRAIN } from '../dist/src/model/index.js';
import { Generator } from '../dist/src/random/index.js';
import { train } from '../dist/src/train/index.js';
import { useBackend } from '../dist/src/kernels/index.js';
useBackend(process.argv[2] ?? 'wasm');
const steps = Number(process.argv[3] ?? 200000);
const ref = JSON.parse(readFileSync(new URL('../test/fixtures/notebook-reference.json', import.meta.url))).runs[String(steps)];
const words = readWords(new URL('../data/names.txt', import.meta.url).pathname);
const vocab = Vocab.fromWords(words);
const s = buildSplits(words, vocab, 3, 42);
const g = new Generator(2147483647);
const model = createModel({ ...DEFAULT_MODEL, vocabSize: vocab.size }, g);
const losses = [];
train(model, s.train, { ...DEFAULT_TRAIN, steps, lrDecayStep: steps === 200000 ? 100000 : steps }, g, { onStep: ({ step, loss }) => { losses[step] = loss; } });
const f20 = ref.losses_first_20;
let exact = 0; for (let i = 0; i < 20; i++) if (Math.fround(losses[i]) === f20[i]) exact++;
console.log('first 20 step losses bit-identical to PyTorch:', exact, '/ 20; max |diff| first 20:', Math.max(...f20.map((v, i) => Math.abs(v - losses[i]))).toExponential(2));
const e = ref.losses_every_1000; const rows = [];
for (const [k, v] of Object.entries(e)) rows.push([+k, Math.abs(v - losses[+k])]);
const firstDiff = rows.find(([, d]) => d > 0);
console.log('first sampled step (every 1000) whose loss differs at all:', firstDiff);
for (const lim of [10000, 50000, 100000, 200000]) { const m = Math.max(...rows.filter(([k]) => k < lim).map(([, d]) => d)); console.log(`max |loss diff| over steps < ${lim}: ${m.toExponential(2)}`); }
