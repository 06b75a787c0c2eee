// Speed of makemore.py's family here against makemore.py's own classes on PyTorch 1.13, one thread:
// µs per training step (forward, masked loss, zero_grad, backward, AdamW step) at makemore.py's
// defaults (n_layer 4, n_head 4, n_embd 64, n_embd2 64) on the names (vocab 27, block 16), batch 32.
// Run: npm run build && node dist/bench/family.js [--types bow,transformer] [--steps N] [--backend wasm|js] [--no-torch]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { readWords, Vocab } from '../src/data/index.js';
import { useBackend, type BackendChoice } from '../src/kernels/index.js';
import { medianUsPerStep } from './timing.js';
import { createModel, type ModelConfig } from '../src/model/index.js';
import type { SequenceModel } from '../src/model/kinds/sequence.js';
import { AdamW } from '../src/optim/index.js';
import { Generator } from '../src/random/index.js';
import { Tensor, crossEntropy, index, tensor, tidy } from '../src/tensor/index.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const steps = Number(flag('--steps') ?? 200);
const types = (flag('--types') ?? 'bow,transformer').split(',');
const backend = (flag('--backend') ?? 'wasm') as BackendChoice;
const root = fileURLToPath(new URL('../../', import.meta.url));
const B = 32;

v8.setFlagsFromString('--no-liftoff');
useBackend(backend);

// makemore.py's CharDataset: x = 0, word…, 0…; y = word…, 0, −1…
const words = readWords(join(root, 'data', 'names.txt'));
const vocab = Vocab.fromWords(words);
const block = Math.max(...words.map((w) => w.length)) + 1;
const xs = new Int32Array(words.length * block), ys = new Int32Array(words.length * block).fill(-1);
words.forEach((w, i) => {
  [...w].forEach((ch, j) => { xs[i * block + j + 1] = vocab.stoi(ch)!; ys[i * block + j] = vocab.stoi(ch)!; });
  ys[i * block + w.length] = 0;
});
const X = tensor(xs, { dtype: 'int32' }).view(words.length, block).keep();
const Y = tensor(ys, { dtype: 'int32' }).view(words.length, block).keep();

function measure(type: string): number {
  const config: ModelConfig = { arch: type, norm: type === 'transformer' ? 'layernorm' : 'none', vocabSize: vocab.size, blockSize: block, embedDim: 64, hidden: 64, layers: 4 };
  const model = createModel(config, new Generator(1337)) as SequenceModel;
  const opt = new AdamW(model.parameters());
  let seed = 1;
  const batch = (): Tensor => {
    const ix = new Int32Array(B);
    for (let i = 0; i < B; i++) { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; ix[i] = seed % words.length; }
    return tensor(ix, { dtype: 'int32' });
  };
  const step = (): void => tidy(() => {
    const ix = batch();
    const logits = model.forward(index(X, ix));
    const loss = crossEntropy(logits.view(B * block, vocab.size), index(Y, ix).view(B * block), { ignoreIndex: -1 });
    opt.zeroGrad();
    loss.backward();
    opt.step();
  });
  return medianUsPerStep(step, steps, 20);
}

const ours = Object.fromEntries(types.map((t) => [t, measure(t)]));
let torch: Record<string, number> | null = null;
if (!args.includes('--no-torch')) {
  const r = spawnSync('/usr/bin/python3', [join(root, 'tools', 'bench_family_torch.py'), '--types', types.join(','), '--steps', String(Math.min(steps, 100)), '--repeats', '3'], { encoding: 'utf8' });
  if (r.status === 0) torch = (JSON.parse(r.stdout) as { us_per_step: Record<string, number> }).us_per_step;
  else console.error(`PyTorch side skipped: ${r.stderr.trim().split('\n').pop() ?? ''}`);
}
for (const t of types) {
  const pt = torch?.[t];
  console.log(`${t.padEnd(12)} makemore-ts (${backend}) ${ours[t].toFixed(0).padStart(8)} µs/step${pt === undefined ? '' : `   PyTorch 1.13 (1 thread) ${pt.toFixed(0).padStart(8)} µs/step   ×${(pt / ours[t]).toFixed(2)}`}`);
}
