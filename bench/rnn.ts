// Speed of makemore.py's RNN and GRU (kinds/rnn.ts) at makemore.py's defaults on names (vocab 27,
// block 16, n_embd 64, n_embd2 64), one training step: forward, the masked loss, backward, AdamW;
// on a fixed batch of 32 words (the first 32 of data/names.txt, as makemore.py's CharDataset
// encodes them). µs per step on the wasm and js backends, each in its own process, and makemore.py's
// own classes on PyTorch 1.13, one thread (tools/bench_rnn_torch.py), when /usr/bin/python3 has torch.
// Run: npm run bench:rnn [-- --steps N] [--type rnn|gru]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { Vocab } from '../src/data/index.js';
import { useBackend, type BackendChoice } from '../src/kernels/index.js';
import { createModel } from '../src/model/index.js';
import { AdamW, ADAMW_DEFAULTS } from '../src/optim/index.js';
import { Generator } from '../src/random/index.js';
import { Tensor, crossEntropy, tidy } from '../src/tensor/index.js';
import { medianUsPerStep } from './timing.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const steps = Number(flag('--steps') ?? 200);
const types = flag('--type') !== undefined ? [flag('--type')!] : ['rnn', 'gru'];
const root = fileURLToPath(new URL('../../', import.meta.url));

/** One backend and type in this process: median µs per training step over 3 repeats. */
function measure(backend: BackendChoice, arch: string): { us: number; loss: number } {
  v8.setFlagsFromString('--no-liftoff');
  useBackend(backend);
  const words = readFileSync(`${root}data/names.txt`, 'utf8').split(/\s+/).filter((w) => w.length > 0);
  const vocab = Vocab.fromWords(words);
  const T = Math.max(...words.map((w) => w.length)) + 1;
  const B = 32;
  const x = new Int32Array(B * T), y = new Int32Array(B * T).fill(-1);
  for (let b = 0; b < B; b++) {
    const ix = vocab.encode(words[b]);
    ix.forEach((c, i) => { x[b * T + i + 1] = c; y[b * T + i] = c; });
    y[b * T + ix.length] = 0;
  }
  const X = new Tensor(x, [B, T], 'int32').keep(), Y = new Tensor(y, [B * T], 'int32').keep();
  const model = createModel({ arch, norm: 'none', vocabSize: vocab.size, blockSize: T, embedDim: 64, hidden: 64, layers: 1 }, new Generator(3407));
  const opt = new AdamW(model.parameters(), ADAMW_DEFAULTS);
  let loss = 0;
  const step = (): void => tidy(() => {
    const l = crossEntropy(model.forward(X).view(B * T, vocab.size), Y, { ignoreIndex: -1 });
    opt.zeroGrad(); // zeroed in place: set to none, new gradient blocks wait for the GC to be recycled
    l.backward();
    opt.step();
    loss = l.item();
  });
  return { us: medianUsPerStep(step, steps, 5), loss };
}

const worker = flag('--worker');
if (worker !== undefined) {
  console.log(JSON.stringify(measure(worker as BackendChoice, flag('--type')!)));
} else {
  const self = fileURLToPath(import.meta.url);
  const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  for (const type of types) {
    const rows: [string, number, number][] = [];
    for (const backend of ['wasm', 'js']) {
      const n = backend === 'js' ? Math.max(10, Math.round(steps / 5)) : steps; // the reference backend is slow
      const out = execFileSync(process.execPath, [self, '--worker', backend, '--type', type, '--steps', String(n)], { encoding: 'utf8' });
      const r = JSON.parse(out) as { us: number; loss: number };
      rows.push([backend, r.us, r.loss]);
    }
    if (torch) {
      const out = execFileSync('/usr/bin/python3', [`${root}tools/bench_rnn_torch.py`, '--type', type, '--steps', String(steps)], { encoding: 'utf8' });
      const r = JSON.parse(out) as { us_per_step: number; loss: number };
      rows.push(['pytorch (1 thread)', r.us_per_step, r.loss]);
    }
    const ref = rows.find(([b]) => b.startsWith('pytorch'))?.[1];
    console.log(`makemore.py ${type}: one AdamW step, B 32, T 16, n_embd 64, n_embd2 64 (median of 3 × ${steps} steps, js ${Math.max(10, Math.round(steps / 5))})`);
    for (const [b, us, loss] of rows) console.log(`${b.padEnd(20)} ${us.toFixed(0).padStart(8)} µs/step${ref ? `   ${(ref / us).toFixed(2)}× PyTorch` : ''}   loss after: ${loss.toFixed(4)}`);
  }
}
