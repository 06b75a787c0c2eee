// Resuming is exact, and Ctrl-C leaves a checkpoint that resumes: through the CLI, end to end.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSafetensors } from '../src/model/safetensors.js';
import { loadModel } from '../src/model/io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/makemore.js');
const tmp = mkdtempSync(join(tmpdir(), 'makemore-resume-'));
// A small word list keeps the evaluation after each run quick on both backends.
const words = join(tmp, 'words.txt');
writeFileSync(words, readFileSync(join(root, 'data/names.txt'), 'utf8').split('\n').slice(0, 3000).join('\n'));

function run(...args: string[]): string {
  const r = spawnSync(process.execPath, [bin, 'train', '--data', words, '--hidden', '64', '--samples', '0', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function tensorsOf(path: string): Map<string, Uint8Array> {
  const { tensors } = decodeSafetensors(readFileSync(path), path);
  return new Map([...tensors].map(([k, t]) => [k, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)]));
}

after(() => rmSync(tmp, { recursive: true, force: true }));

test('N steps, then --resume for N more: weights bit-identical to 2N steps in one run', () => {
  const one = join(tmp, 'one.safetensors');
  const half = join(tmp, 'half.safetensors');
  const resumed = join(tmp, 'resumed.safetensors');
  const a = run('--steps', '600', '--out', one);
  run('--steps', '300', '--lr-decay-step', '300', '--out', half);
  const b = run('--resume', half, '--steps', '600', '--out', resumed);
  assert.match(b, /resuming .* at step 300 of 600/);
  const x = tensorsOf(one);
  const y = tensorsOf(resumed);
  assert.deepEqual([...y.keys()], [...x.keys()]);
  for (const [name, bytes] of x) assert.ok(Buffer.compare(Buffer.from(bytes), Buffer.from(y.get(name)!)) === 0, `${name} differs`);
  // and the printed losses after training agree
  const losses = (s: string): string[] => s.split('\n').filter((l) => /^(train|val|test) /.test(l));
  assert.deepEqual(losses(b), losses(a));
  assert.equal(loadModel(resumed).info.step, 600);
});

test('AdamW (clipped, warm-up): N steps + --resume for N more is bit-identical to 2N steps, moments and step counts included', () => {
  const opts = ['--optimizer', 'adamw', '--lr', '0.01', '--clip-grad-norm', '1', '--warmup', '50'];
  const one = join(tmp, 'adamw-one.safetensors');
  const half = join(tmp, 'adamw-half.safetensors');
  const resumed = join(tmp, 'adamw-resumed.safetensors');
  const a = run(...opts, '--steps', '400', '--out', one);
  run(...opts, '--steps', '200', '--out', half);
  // the resumed run takes its optimizer and hyperparameters from the file
  const b = run('--resume', half, '--steps', '400', '--out', resumed);
  assert.match(b, /resuming .* at step 200 of 400/);
  const x = tensorsOf(one);
  const y = tensorsOf(resumed);
  assert.ok(x.has('optimizer.state.0.exp_avg') && x.has('optimizer.state.0.exp_avg_sq'), [...x.keys()].join());
  assert.deepEqual([...y.keys()], [...x.keys()]);
  for (const [name, bytes] of x) assert.ok(Buffer.compare(Buffer.from(bytes), Buffer.from(y.get(name)!)) === 0, `${name} differs`);
  const losses = (s: string): string[] => s.split('\n').filter((l) => /^(train|val|test) /.test(l));
  assert.deepEqual(losses(b), losses(a));
  const saved = loadModel(resumed).info.optimizer!;
  assert.equal(saved.name, 'adamw');
  assert.equal(saved.stateDict.state.get(0)!.step, 400);
  assert.equal(loadModel(half).info.optimizer!.stateDict.state.get(0)!.step, 200);
});

test('the transformer with --dropout: N steps + --resume for N more is the same file as 2N steps (the dropout generator saved and restored)', () => {
  const flags = ['--type', 'transformer', '--n-embd', '8', '--n-embd2', '8', '--n-layer', '2', '--n-head', '2', '--samples', '0'];
  const train = (...args: string[]): string => {
    const r = spawnSync(process.execPath, [bin, 'train', '--data', words, ...flags, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const one = join(tmp, 'dropout-one.safetensors');
  const half = join(tmp, 'dropout-half.safetensors');
  const resumed = join(tmp, 'dropout-resumed.safetensors');
  const plain = join(tmp, 'dropout-none.safetensors');
  assert.match(train('--dropout', '0.2', '--steps', '40', '--out', one), /n_head 2, dropout 0\.2,/);
  train('--dropout', '0.2', '--steps', '20', '--out', half);
  const b = spawnSync(process.execPath, [bin, 'train', '--resume', half, '--steps', '40', '--samples', '0', '--out', resumed], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /resuming .* at step 20 of 40/);
  // the dropout's stream is its own (makemore.py's split: the minibatches have the sampler's)
  const info = loadModel(half).info;
  assert.ok(info.dropoutGenerator !== undefined && JSON.stringify(info.dropoutGenerator) !== JSON.stringify(info.generator));
  assert.deepEqual(readFileSync(resumed), readFileSync(one));
  // and the dropout acted: without it the same run ends elsewhere
  train('--steps', '40', '--out', plain);
  assert.notDeepEqual(tensorsOf(plain).get('lm_head.weight'), tensorsOf(one).get('lm_head.weight'));
  assert.equal(loadModel(plain).info.dropoutGenerator, undefined);
  // a resumed run keeps its model's dropout
  const c = spawnSync(process.execPath, [bin, 'train', '--resume', half, '--steps', '40', '--dropout', '0.1'], { encoding: 'utf8' });
  assert.equal(c.status, 1);
  assert.match(c.stderr, /--dropout 0\.1 conflicts with the model in .* \(0\.2\); a resumed run keeps its model/);
});

test('Ctrl-C during training writes a checkpoint that loads and resumes', async () => {
  const out = join(tmp, 'interrupted.safetensors');
  const child = spawn(process.execPath, [bin, 'train', '--data', words, '--hidden', '64', '--samples', '0', '--steps', '5000000', '--out', out]);
  let stdout = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!sent && stdout.includes('      0/5000000:')) { sent = true; child.kill('SIGINT'); }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 130, stdout);
  const m = /interrupted at step (\d+): saved/.exec(stdout);
  assert.ok(m, stdout);
  const step = Number(m[1]);
  const saved = loadModel(out);
  assert.equal(saved.info.step, step);
  assert.ok(step > 0 && step < 5_000_000);
  const more = run('--resume', out, '--steps', String(step + 100), '--out', out);
  assert.match(more, new RegExp(`resuming .* at step ${step} of ${step + 100}`));
  assert.equal(loadModel(out).info.step, step + 100);
});
