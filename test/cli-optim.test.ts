// The optimizer flags of `makemore train`: refusals with one-line errors, the setup line, and
// model files whose optimizer state is damaged.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../src/model/io.js';
import { decodeSafetensors, encodeSafetensors } from '../src/model/safetensors.js';
import { inProcess, makemore, ROOT } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'makemore-optim-'));
const words = join(tmp, 'words.txt');
writeFileSync(words, readFileSync(join(ROOT, 'data/names.txt'), 'utf8').split('\n').slice(0, 500).join('\n'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const train = (...args: string[]): ReturnType<typeof makemore> => makemore(tmp, 'train', '--data', words, '--hidden', '16', '--samples', '0', ...args);

test('flags of the other optimizer, Nesterov without momentum and bad betas are refused in one line', async () => {
  for (const [args, message] of [
    [['--optimizer', 'adamw', '--momentum', '0.9'], /--momentum applies to --optimizer sgd, not adamw/],
    [['--betas', '0.9,0.99'], /--betas applies to --optimizer adamw, not sgd/],
    [['--nesterov'], /nesterov momentum requires a momentum above 0 and zero dampening/],
    [['--momentum', '0.9', '--dampening', '0.1', '--nesterov'], /nesterov momentum requires/],
    [['--optimizer', 'adamw', '--betas', '0.9'], /expected two numbers in \[0, 1\)/],
    [['--optimizer', 'adamw', '--betas', '0.9,1'], /expected two numbers in \[0, 1\)/],
    [['--clip-grad-norm', '0'], /expected a positive number/],
    [['--schedule', 'linear'], /Allowed choices are step, cosine/],
  ] as const) {
    const r = await inProcess('train', '--data', words, '--steps', '1', ...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(add --help')).length, 1, r.stderr);
  }
});

test('the default run names no optimizer; AdamW runs record theirs in the setup line and the file', () => {
  const plain = train('--steps', '20');
  assert.equal(plain.status, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /AdamW|SGD \(|cosine/);
  const out = join(tmp, 'adamw.safetensors');
  const r = train('--steps', '50', '--optimizer', 'adamw', '--schedule', 'cosine', '--warmup', '5', '--weight-decay', '0.1', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /AdamW \(betas 0\.9\/0\.99, eps 1e-8, weight decay 0\.1\), cosine schedule 0\.0005 → 0\.00005, 5 warm-up steps/);
  const { info } = loadModel(out);
  assert.equal(info.train?.optimizer, 'adamw');
  assert.equal(info.train?.schedule, 'cosine');
  assert.equal(info.optimizer?.stateDict.state.get(0)?.step, 50);
  // a resumed run may not switch optimizers
  const sw = train('--resume', out, '--steps', '60', '--optimizer', 'sgd');
  assert.equal(sw.status, 1);
  assert.match(sw.stderr, /--optimizer sgd conflicts with .* \(adamw\); a resumed run keeps its optimizer/);
});

test('a model file with damaged optimizer state is refused, naming the problem', () => {
  const out = join(tmp, 'm.safetensors');
  const r = train('--steps', '5', '--optimizer', 'sgd', '--momentum', '0.9', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const { tensors, metadata } = decodeSafetensors(readFileSync(out), out);
  assert.ok(tensors.has('optimizer.state.0.momentum_buffer'));
  const write = (name: string, t: typeof tensors, m: Record<string, string>): string => {
    const p = join(tmp, name);
    writeFileSync(p, encodeSafetensors(t, m));
    return p;
  };
  const noMeta = { ...metadata };
  delete noMeta.optimizer;
  assert.throws(() => loadModel(write('a.safetensors', tensors, noMeta)), /holds optimizer tensors .* but no metadata "optimizer"/);
  assert.throws(() => loadModel(write('b.safetensors', tensors, { ...metadata, optimizer: '{"name":"lion","param_groups":[{}]}' })), /unknown optimizer "lion"/);
  const extra = new Map(tensors);
  extra.set('optimizer.state.99.momentum_buffer', tensors.get('optimizer.state.0.momentum_buffer')!);
  assert.throws(() => loadModel(write('c.safetensors', extra, metadata)), /optimizer state names parameter 99, but the model has/);
  const wrong = new Map(tensors);
  wrong.set('optimizer.state.0.momentum_buffer', tensors.get('optimizer.state.1.momentum_buffer')!);
  assert.throws(() => loadModel(write('d.safetensors', wrong, metadata)), /tensor "optimizer\.state\.0\.momentum_buffer" has shape/);
  const odd = new Map(tensors);
  odd.set('optimizer.extra', tensors.get('optimizer.state.0.momentum_buffer')!);
  assert.throws(() => loadModel(write('e.safetensors', odd, metadata)), /unexpected tensor "optimizer\.extra"/);
});
