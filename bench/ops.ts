// Speed of makemore.py's transformer Block (B 32, T 16, C 64, 4 heads: makemore.py's defaults on
// names) composed from the sequence ops, forward + backward: µs per step on the wasm and js
// backends, each in its own process, and PyTorch 1.13 on one thread when /usr/bin/python3 has torch.
// Run: npm run bench:ops [-- --steps N]
import { execFileSync, spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { useBackend, type BackendChoice } from '../src/kernels/index.js';
import { medianUsPerStep } from './timing.js';
import { Tensor, tidy } from '../src/tensor/index.js';
import { blockForward, blockParamShapes } from '../test/helpers/block.js';

const B = 32, T = 16, C = 64, H = 4;
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const steps = Number(flag('--steps') ?? 200);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** One backend in this process: median µs per forward + backward over 3 repeats. */
function measure(backend: BackendChoice): number {
  v8.setFlagsFromString('--no-liftoff');
  useBackend(backend);
  let seed = 1;
  const rnd = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
  const fill = (shape: number[], grad: boolean): Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    return new Tensor(Float32Array.from({ length: n }, rnd), shape, 'float32', grad).keep();
  };
  const params = new Map(Object.entries(blockParamShapes(C)).map(([k, s]) => [k, fill(s, true)]));
  const x = fill([B, T, C], true), dy = fill([B, T, C], false);
  const step = (): void => tidy(() => { blockForward(x, (k) => params.get(k)!, H).backward(dy); });
  return medianUsPerStep(step, steps, 5);
}

const worker = flag('--worker');
if (worker !== undefined) {
  console.log(JSON.stringify({ usPerStep: measure(worker as BackendChoice) }));
} else {
  const self = fileURLToPath(import.meta.url);
  const rows: [string, number][] = [];
  for (const backend of ['wasm', 'js']) {
    const n = backend === 'js' ? Math.max(10, Math.round(steps / 5)) : steps;
    const out = execFileSync(process.execPath, [self, '--worker', backend, '--steps', String(n)], { encoding: 'utf8' });
    rows.push([backend, (JSON.parse(out) as { usPerStep: number }).usPerStep]);
  }
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) {
    const out = execFileSync('/usr/bin/python3', [`${root}tools/bench_ops_torch.py`, '--steps', String(steps)], { encoding: 'utf8' });
    rows.push(['pytorch (1 thread)', (JSON.parse(out) as { us_per_step: number }).us_per_step]);
  }
  const torch = rows.find(([b]) => b.startsWith('pytorch'))?.[1];
  console.log(`transformer Block forward + backward, B ${B}, T ${T}, C ${C}, ${H} heads (median of 3 × ${steps} steps)`);
  for (const [b, us] of rows) console.log(`${b.padEnd(20)} ${us.toFixed(0).padStart(8)} µs/step${torch ? `   ${(torch / us).toFixed(2)}× PyTorch` : ''}`);
}
