// The hostile battery (docs/errors.md, "Hostile inputs and faults"): one row per case, with the
// exact command, the exit code and the message pattern, and a check of the files afterwards.
// Every row runs `makemore` as a child process in a fresh folder holding a copy of a small word
// list (w.txt, 300 names) and a model trained on it (m.safetensors).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, inProcess, makemore, ROOT, type Run } from './helpers/cli.js';
import { decodeSafetensors, encodeSafetensors } from '../src/model/safetensors.js';
import { loadModel } from '../src/model/io.js';
import { lockPathFor } from '../src/model/fileio.js';
import { jsBackend } from '../src/kernels/js/index.js';
import { createModel } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';
import type { Tensor } from '../src/tensor/index.js';
import { evalChunkRows, EVAL_CHUNK_BYTES } from '../src/train/index.js';

/** Backend-independent: runs once, in the first (wasm) pass of `npm test`. */
const SECOND_PASS = process.env.MAKEMORE_BACKEND === 'js' && 'backend-independent: runs in the first pass of npm test';
const tmp = mkdtempSync(join(tmpdir(), 'makemore-hostile-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const BASE = join(tmp, 'base');
const WORDS = readFileSync(join(ROOT, 'data', 'names.txt'), 'utf8').split('\n').slice(0, 300).join('\n') + '\n';
const QUICK = ['--steps', '30', '--samples', '0'];

/** Rewrite a model file: its metadata and tensors through `edit`. */
function editModel(src: string, dst: string, edit: (metadata: Record<string, string>, tensors: ReadonlyMap<string, Tensor>) => void): void {
  const f = decodeSafetensors(readFileSync(src), src);
  const metadata = { ...f.metadata };
  edit(metadata, f.tensors);
  writeFileSync(dst, encodeSafetensors(f.tensors, metadata));
}

interface Row {
  name: string;
  /** Arguments of `makemore` (run in the row's folder, or `cwd` under it). */
  args: string[];
  status: number;
  /** The error line (stderr) or a warning; for status 0 rows, stderr must match when given. */
  stderr?: RegExp;
  stdout?: RegExp;
  /** Prepare the row's folder (it holds w.txt and m.safetensors). */
  setup?: (dir: string) => void;
  /** Check the files afterwards. */
  check?: (dir: string) => void;
  cwd?: string;
  /** Environment variables set for the run (it then runs as a child process). */
  env?: Record<string, string>;
}

const unchanged = (name: string, content: () => string) => (dir: string): void => {
  assert.equal(readFileSync(join(dir, name), 'utf8'), content(), `${name} was modified`);
};
const loads = (name: string) => (dir: string): void => { loadModel(join(dir, name)); };
/** The row's model file is still the one trained in BASE (30 steps, its tensors unchanged). */
const unchangedModel = (name: string) => (dir: string): void => {
  const now = loadModel(join(dir, name)), base = loadModel(join(BASE, 'm.safetensors'));
  assert.equal(now.info.step, 30);
  assert.deepEqual([...now.model.stateDict()].map(([k, t]) => [k, Array.from(t.data)]), [...base.model.stateDict()].map(([k, t]) => [k, Array.from(t.data)]), `${name} was modified`);
};

const ROWS: Row[] = [
  // 1. Output paths checked before training
  { name: '--out naming a folder (trailing slash)', args: ['train', '--data', 'w.txt', ...QUICK, '--out', 'newmodel/'], status: 1, stderr: /^makemore: error: cannot write newmodel\/: it names a folder; give --out a file name$/, check: (d) => assert.ok(!existsSync(join(d, 'newmodel'))) },
  { name: "--out ''", args: ['train', '--data', 'w.txt', ...QUICK, '--out', ''], status: 1, stderr: /^makemore: error: --out '' is not a file name$/ },
  { name: '--report under a file', args: ['train', '--data', 'w.txt', ...QUICK, '--report', 'w.txt/r.html'], status: 1, stderr: /^makemore: error: cannot write w\.txt\/r\.html: a part of the path is a file, not a folder$/ },
  { name: '--report an existing folder', args: ['train', '--data', 'w.txt', ...QUICK, '--report', 'sub'], setup: (d) => mkdirSync(join(d, 'sub')), status: 1, stderr: /^makemore: error: cannot write sub: it is a directory; give --report a file name$/ },
  { name: '--plots onto a file', args: ['train', '--data', 'w.txt', ...QUICK, '--plots', 'w.txt'], status: 1, stderr: /^makemore: error: cannot write plots into w\.txt: it is a file, not a folder; give --plots a folder name$/ },
  { name: '--out and --report on one path', args: ['train', '--data', 'w.txt', ...QUICK, '--out', 'x.bin', '--report', 'x.bin'], status: 1, stderr: /^makemore: error: --out and --report name the same file x\.bin; the report would replace the model$/ },
  { name: '--out under /proc (no new files there)', args: ['train', '--data', 'w.txt', ...QUICK, '--out', '/proc/m.safetensors'], status: 1, stderr: /^makemore: error: cannot write \/proc\/m\.safetensors: (the folder does not take new files|permission denied|the file system is read-only)$/ },
  { name: 'a finished run with --report saves the model and the report', args: ['train', '--data', 'w.txt', ...QUICK, '--out', 'n.safetensors', '--report', 'r.html'], status: 0, stdout: /saved n\.safetensors\nreport: r\.html/, check: (d) => { loads('n.safetensors')(d); assert.match(readFileSync(join(d, 'r.html'), 'utf8'), /<\/html>\n$/); } },
  // 2. Nothing replaced by a report
  { name: 'report --out the model itself', args: ['report', '--model', 'm.safetensors', '--out', 'm.safetensors'], status: 1, stderr: /^makemore: error: m\.safetensors exists and is not a makemore report file; refusing to replace it/, check: loads('m.safetensors') },
  { name: 'report --out the word list', args: ['report', '--model', 'm.safetensors', '--out', 'w.txt'], status: 1, stderr: /^makemore: error: w\.txt exists and is not a makemore report file/, check: unchanged('w.txt', () => WORDS) },
  { name: 'train --report the word list', args: ['train', '--data', 'w.txt', ...QUICK, '--report', 'w.txt'], status: 1, stderr: /^makemore: error: w\.txt exists and is not a makemore report file/, check: unchanged('w.txt', () => WORDS) },
  { name: 'report --plots onto the word list', args: ['report', '--model', 'm.safetensors', '--out', 'r.html', '--plots', 'w.txt'], status: 1, stderr: /^makemore: error: cannot write plots into w\.txt: it is a file/, check: (d) => assert.ok(!existsSync(join(d, 'r.html'))) },
  { name: 'export --out the word list', args: ['export', '--model', 'm.safetensors', '--fold-batchnorm', '--out', 'w.txt'], status: 1, stderr: /^makemore: error: w\.txt exists and is not a model file/, check: unchanged('w.txt', () => WORDS) },
  { name: '--out a symbolic link to the word list', args: ['train', '--data', 'w.txt', ...QUICK, '--out', 'l.safetensors'], setup: (d) => symlinkSync('w.txt', join(d, 'l.safetensors')), status: 1, stderr: /^makemore: error: l\.safetensors exists and is not a model file/, check: unchanged('w.txt', () => WORDS) },
  // 3. Sizes
  { name: '--block-size 5000 on the bundled names (datasets counted)', args: ['train', '--block-size', '5000', '--steps', '1'], status: 1, stderr: /^makemore: error: \d+ examples with a context of 5000 characters need 3\.4 GiB, more than the 2 GiB makemore-ts allows for a dataset; use fewer words or a smaller --block-size$/ },
  // 5. Unbounded reads
  { name: '--data /dev/zero', args: ['train', '--data', '/dev/zero'], status: 1, stderr: /^makemore: error: \/dev\/zero: is not a regular file \(a device, pipe or socket\), not a word list file$/ },
  { name: 'sample --model /dev/urandom', args: ['sample', '--model', '/dev/urandom'], status: 1, stderr: /^makemore: error: \/dev\/urandom: is not a regular file/ },
  { name: '--data a FIFO', args: ['train', '--data', 'fifo'], setup: (d) => { spawnSync('mkfifo', [join(d, 'fifo')]); }, status: 1, stderr: /^makemore: error: fifo: is not a regular file/ },
  { name: 'a 600 MB word list (sparse) is refused before reading', args: ['train', '--data', 'huge.txt'], setup: (d) => { writeFileSync(join(d, 'huge.txt'), 'a\n'); truncateSync(join(d, 'huge.txt'), 600 * 2 ** 20); }, status: 1, stderr: /^makemore: error: huge\.txt: is 600\.0 MiB, more than the 500 MiB a word list file may have$/ },
  { name: 'a 2 GB sparse model file with an invalid header: refused from its first bytes', args: ['sample', '--model', 'sparse.safetensors'], setup: (d) => { writeFileSync(join(d, 'sparse.safetensors'), ''); truncateSync(join(d, 'sparse.safetensors'), 2 * 2 ** 30); }, status: 1, stderr: /^makemore: error: sparse\.safetensors: not a valid safetensors model file: header length 0 is too short for a JSON header$/ },
  { name: 'a model whose recorded word list is /dev/zero', args: ['eval', '--model', 'z.safetensors'], setup: (d) => editModel(join(d, 'm.safetensors'), join(d, 'z.safetensors'), (md) => { md.data = '/dev/zero'; }), status: 1, stderr: /^makemore: error: \/dev\/zero: is not a regular file/ },
  // 6. Silently wrong answers
  { name: 'eval after the recorded word list changed', args: ['eval', '--model', 'm.safetensors'], setup: (d) => writeFileSync(join(d, 'w.txt'), WORDS.replace('emma', 'emmy')), status: 1, stderr: /^makemore: error: .*w\.txt: is not the word list m\.safetensors was trained on \(it changed since: its SHA-256 differs\); pass --data/ },
  { name: 'eval --data of another word list: a warning, then its losses', args: ['eval', '--model', 'm.safetensors', '--data', 'other.txt'], setup: (d) => writeFileSync(join(d, 'other.txt'), WORDS.replace('emma', 'emmy')), status: 0, stderr: /^makemore: warning: other\.txt is not the word list m\.safetensors was trained on/, stdout: /^train \d+\.\d{4}\nval/ },
  { name: 'eval from another folder finds the recorded (absolute) word list', args: ['eval', '--model', '../m.safetensors', '--split', 'val'], setup: (d) => mkdirSync(join(d, 'sub')), cwd: 'sub', status: 0, stdout: /^val \d\.\d{4}\n$/ },
  { name: 'report after the recorded word list changed: a note, no losses', args: ['report', '--model', 'm.safetensors', '--out', 'r.html'], setup: (d) => writeFileSync(join(d, 'w.txt'), WORDS.replace('emma', 'emmy')), status: 0, check: (d) => assert.match(readFileSync(join(d, 'r.html'), 'utf8'), /is not the word list m\.safetensors was trained on/) },
  { name: 'eval of a model whose loss is not finite', args: ['eval', '--model', 'inf.safetensors'], setup: (d) => editModel(join(d, 'm.safetensors'), join(d, 'inf.safetensors'), (_md, t) => { t.get('layers.3.weight')!.floatData.fill(3e38); }), status: 1, stderr: /^makemore: error: inf\.safetensors: its train loss is (NaN|Infinity); the model's predictions are not finite/ },
  { name: '--lr 1e6: stops at the step the loss blows up, saves nothing over a good --out', args: ['train', '--data', 'w.txt', '--steps', '3', '--samples', '0', '--lr', '1e6', '--out', 'm.safetensors'], status: 1, stderr: /^makemore: error: training diverged: the loss is \d\.\d\de\+\d+ at step 1, far above its starting value 3\.\d+; stopped without saving \(try a smaller --lr, or --no-stop-on-divergence to train on\)$/, check: unchangedModel('m.safetensors') },
  { name: '--lr 1e6 with a checkpoint every step: the diverged step-1 checkpoint is not written', args: ['train', '--data', 'w.txt', '--steps', '5', '--samples', '0', '--lr', '1e6', '--checkpoint-every', '1', '--out', 'm.safetensors'], status: 1, stderr: /^makemore: error: training diverged: the model after step 0 has a loss of \S+ on the first 1024 training examples, far above its starting value 3\.\d+; stopped without saving/, check: unchangedModel('m.safetensors') },
  { name: '--lr 1e6 --no-stop-on-divergence: a warning naming the step, and training goes on', args: ['train', '--data', 'w.txt', '--steps', '3', '--samples', '0', '--lr', '1e6', '--no-stop-on-divergence', '--out', 'd.safetensors'], status: 0, stderr: /^makemore: warning: the loss is \S+ at step 1, far above its starting value 3\.\d+; the learning rate is probably too large/, check: loads('d.safetensors') },
  // 7. Messages
  { name: 'batch norm with a minibatch of identical examples', args: ['train', '--data', 'tiny.txt', '--batch-size', '2', '--steps', '100'], setup: (d) => writeFileSync(join(d, 'tiny.txt'), 'a\nb\nc\nd\ne\nf\n'), status: 1, stderr: /^makemore: error: training stopped: the loss is NaN at step \d+ because the 2 examples of the minibatch at step \d+ have the same context, so batch norm's batch standard deviation is zero/ },
  { name: 'sample --temperature 1e-40 from a good model', args: ['sample', '--model', 'm.safetensors', '--temperature', '1e-40', '--count', '3'], status: 0, stdout: /^([a-z]+)\n\1\n\1\n$/ },
  // 8. Streams and limits
  { name: 'resume a file whose recorded total exceeds the step limit', args: ['train', '--resume', 'big.safetensors'], setup: (d) => editModel(join(d, 'm.safetensors'), join(d, 'big.safetensors'), (md) => { md.train = JSON.stringify({ ...JSON.parse(md.train), steps: 2e9, lrDecayStep: 1e9 }); }), status: 1, stderr: /^makemore: error: big\.safetensors: its run of 2000000000 steps is more than the 1000000000 steps makemore-ts runs in one go/ },
  // 9. Files shared by two processes
  { name: 'a second run on an --out another live process holds', args: ['train', '--data', 'w.txt', ...QUICK, '--out', 'm.safetensors'], setup: (d) => writeFileSync(lockPathFor(join(d, 'm.safetensors')), `${process.ppid}\n`), status: 1, stderr: new RegExp(`^makemore: error: m\\.safetensors is being written by another makemore process \\(pid ${process.ppid}\\)`) },
  { name: 'a lock left by a killed process is taken over, and removed at the end', args: ['train', '--data', 'w.txt', ...QUICK, '--out', 'm.safetensors'], setup: (d) => writeFileSync(lockPathFor(join(d, 'm.safetensors')), '2147483646\n'), status: 0, check: (d) => { loads('m.safetensors')(d); assert.ok(!existsSync(lockPathFor(join(d, 'm.safetensors')))); } },
  { name: 'a symlinked --out is written through (the link stays)', args: ['train', '--data', 'w.txt', ...QUICK, '--out', 'link.safetensors'], setup: (d) => { mkdirSync(join(d, 'models')); copyFileSync(join(d, 'm.safetensors'), join(d, 'models', 'real.safetensors')); symlinkSync('models/real.safetensors', join(d, 'link.safetensors')); }, status: 0, check: (d) => { assert.ok(lstatSync(join(d, 'link.safetensors')).isSymbolicLink()); assert.equal(readlinkSync(join(d, 'link.safetensors')), 'models/real.safetensors'); assert.equal(loadModel(join(d, 'models', 'real.safetensors')).info.step, 30); } },
  { name: 'a legal 252-character file name', args: ['train', '--data', 'w.txt', ...QUICK, '--out', `${'n'.repeat(240)}.safetensors`], status: 0, check: loads(`${'n'.repeat(240)}.safetensors`) },
  // 10. Untrusted metadata
  { name: 'info: escape sequences and a megabyte in metadata become one short line', args: ['info', '--model', 'esc.safetensors'], setup: (d) => editModel(join(d, 'm.safetensors'), join(d, 'esc.safetensors'), (md) => { md.data = `/x/\x1b[31mred\x1b]0;title\x07${'y'.repeat(1_000_000)}`; }), status: 0, stdout: /\ndata: \/x\/<U\+001B>\[31mred<U\+001B>\]0;title<U\+0007>y+… \(\d+ characters\)\n/ },
  { name: 'deeply nested JSON in metadata', args: ['info', '--model', 'deep.safetensors'], setup: (d) => editModel(join(d, 'm.safetensors'), join(d, 'deep.safetensors'), (md) => { md.config = '['.repeat(100_000) + ']'.repeat(100_000); }), status: 1, stderr: /^makemore: error: deep\.safetensors: metadata "config" nests deeper than 32 levels$/ },
  // Beyond the issue's list: cases found by trying what a hostile (or hurried) user would type
  { name: "--out - (stdout, as some tools take it)", args: ['train', '--data', 'w.txt', ...QUICK, '--out', '-'], status: 1, stderr: /^makemore: error: --out - would write a file named "-": makemore-ts writes files, not standard output; give a file name$/, check: (d) => assert.ok(!existsSync(join(d, '-'))) },
  { name: '--data - (stdin, as some tools take it)', args: ['train', '--data', '-'], status: 1, stderr: /^makemore: error: -: no such file \(makemore-ts reads a file, not standard input: give a file name\)$/ },
  { name: '--out with a pasted line break in the name', args: ['train', '--data', 'w.txt', ...QUICK, '--out', 'a\nb.safetensors'], status: 1, stderr: /^makemore: error: cannot write a<U\+000A>b\.safetensors: the name holds the control character U\+000A \(a pasted line break\?\); give --out a plain file name$/, check: (d) => assert.ok(!existsSync(join(d, 'a\nb.safetensors'))) },
  { name: '--report and --plots on one path (refused before training)', args: ['train', '--data', 'w.txt', ...QUICK, '--report', 'r.html', '--plots', 'r.html'], status: 1, stderr: /^makemore: error: --plots and --report name the same path r\.html; the plots folder would take the place of the report$/, check: (d) => assert.ok(!existsSync(join(d, 'r.html'))) },
  { name: '--out and --plots on one path (refused before training)', args: ['train', '--data', 'w.txt', ...QUICK, '--out', 'p.safetensors', '--plots', 'p.safetensors'], status: 1, stderr: /^makemore: error: --plots and --out name the same path p\.safetensors; the plots folder would take the place of the model$/, check: (d) => assert.ok(!existsSync(join(d, 'p.safetensors'))) },
  { name: 'report --out and --plots on one path', args: ['report', '--model', 'm.safetensors', '--out', 'r.html', '--plots', 'r.html'], status: 1, stderr: /^makemore: error: --plots and --out name the same path r\.html; the plots folder would take the place of the report$/, check: (d) => assert.ok(!existsSync(join(d, 'r.html'))) },
  { name: 'export --out the --model file itself', args: ['export', '--model', 'm.safetensors', '--fold-batchnorm', '--out', './m.safetensors'], status: 1, stderr: /^makemore: error: --out \.\/m\.safetensors is the --model file; the folded model would replace the trained one \(and its training state\); choose another --out$/, check: unchangedModel('m.safetensors') },
  { name: 'export --out a symbolic link to the --model file', args: ['export', '--model', 'm.safetensors', '--fold-batchnorm', '--out', 'l.safetensors'], setup: (d) => symlinkSync('m.safetensors', join(d, 'l.safetensors')), status: 1, stderr: /^makemore: error: --out l\.safetensors is the --model file/, check: unchangedModel('m.safetensors') },
  { name: '--steps 0x10 (hexadecimal)', args: ['train', '--data', 'w.txt', '--steps', '0x10'], status: 1, stderr: /^error: option '--steps <n>' argument '0x10' is invalid\. expected a positive integer, got "0x10"$/ },
  { name: '--lr 0x1 (hexadecimal)', args: ['train', '--data', 'w.txt', '--lr', '0x1'], status: 1, stderr: /^error: option '--lr <x>' argument '0x1' is invalid\. expected a positive number, got "0x1"$/ },
  { name: '--seed beyond 2^53 (an integer, not exactly representable)', args: ['train', '--data', 'w.txt', '--seed', '99999999999999999999'], status: 1, stderr: /^error: option '--seed <n>' argument '99999999999999999999' is invalid\. expected an integer, got "99999999999999999999" \(beyond 9007199254740991, the largest integer held exactly\)$/ },
  { name: 'a word list that is a loop of symbolic links', args: ['train', '--data', 'loop1'], setup: (d) => { symlinkSync('loop2', join(d, 'loop1')); symlinkSync('loop1', join(d, 'loop2')); }, status: 1, stderr: /^makemore: error: loop1: cannot read: a loop of symbolic links$/ },
  { name: 'a model file that is a loop of symbolic links', args: ['sample', '--model', 'loop1'], setup: (d) => { symlinkSync('loop2', join(d, 'loop1')); symlinkSync('loop1', join(d, 'loop2')); }, status: 1, stderr: /^makemore: error: loop1: cannot read: a loop of symbolic links$/ },
  { name: 'a 5,000-character --data name: the reason survives the cut', args: ['train', '--data', 'x'.repeat(5000)], status: 1, stderr: /^makemore: error: x{120}…x{60} \(5000 characters\): cannot read: the name is too long$/ },
  { name: 'a 300-character --out name', args: ['train', '--data', 'w.txt', ...QUICK, '--out', `${'y'.repeat(300)}.safetensors`], status: 1, stderr: /^makemore: error: cannot write y{120}…y{48}\.safetensors \(312 characters\): the file name is too long$/ },
  { name: 'a UTF-16 word list (byte-order mark FF FE)', args: ['train', '--data', 'u16.txt'], setup: (d) => writeFileSync(join(d, 'u16.txt'), Buffer.from(`\ufeff${WORDS}`, 'utf16le')), status: 1, stderr: /^makemore: error: u16\.txt:1: is not valid UTF-8 \(the file starts with a UTF-16 little-endian byte-order mark: save it as UTF-8\)$/ },
  { name: 'a model file that is a symbolic link to /dev/zero', args: ['sample', '--model', 'z.safetensors'], setup: (d) => symlinkSync('/dev/zero', join(d, 'z.safetensors')), status: 1, stderr: /^makemore: error: z\.safetensors: is not a regular file \(a device, pipe or socket\), not a model file$/ },
  { name: '--out /dev/null (to throw the model away)', args: ['train', '--data', 'w.txt', ...QUICK, '--out', '/dev/null'], status: 1, stderr: /^makemore: error: cannot write \/dev\/null: it is not a regular file$/ },
  { name: 'MAKEMORE_BACKEND=cuda', args: ['train', '--data', 'w.txt', ...QUICK], env: { MAKEMORE_BACKEND: 'cuda' }, status: 1, stderr: /^error: option '--backend <name>' value 'cuda' from env 'MAKEMORE_BACKEND' is invalid\. Allowed choices are auto, js, wasm\.$/ },
  { name: 'MAKEMORE_FAULT (the tests\' hook) set to garbage', args: ['train', '--data', 'w.txt', ...QUICK, '--out', 'x.safetensors'], env: { MAKEMORE_FAULT: 'garbage' }, status: 1, stderr: /^makemore: error: MAKEMORE_FAULT must be <point>:<file>:<hit>:<signal>, got "garbage"$/, check: (d) => assert.ok(!existsSync(join(d, 'x.safetensors'))) },
  { name: '--resume a folded model (export wrote it: no training state)', args: ['train', '--resume', 'f.safetensors', '--steps', '40'], setup: (d) => { assert.equal(makemore(d, 'export', '--model', 'm.safetensors', '--fold-batchnorm', '--out', 'f.safetensors').status, 0); }, status: 1, stderr: /^makemore: error: f\.safetensors: has no training state \(train config and generator\) to resume from$/ },
  { name: 'a flag given twice: the last one counts', args: ['train', '--data', 'w.txt', '--samples', '0', '--steps', '7', '--steps', '9'], status: 0, stdout: /\ntrained 9 steps in / },
  { name: 'the smallest model (block 1, embed 1, hidden 1)', args: ['train', '--data', 'w.txt', '--steps', '50', '--samples', '3', '--block-size', '1', '--embed', '1', '--hidden', '1'], status: 0, stdout: /\ntrain \d\.\d{4}\nval \d\.\d{4}\ntest \d\.\d{4}\nsamples:\n {2}[a-z]*\n {2}[a-z]*\n {2}[a-z]*\n$/ },
  { name: 'sample --temperature 1e308 (every character about as likely)', args: ['sample', '--model', 'm.safetensors', '--temperature', '1e308', '--count', '3'], status: 0, stdout: /^[a-z]+\n[a-z]+\n[a-z]+\n$/ },
  { name: 'a megabyte metadata value in an error message is cut', args: ['info', '--model', 'long.safetensors'], setup: (d) => editModel(join(d, 'm.safetensors'), join(d, 'long.safetensors'), (md) => { md.step = 'x'.repeat(1_000_000); }), status: 1, stderr: /^makemore: error: long\.safetensors: metadata "step" is "x+… \(\d+ characters\)$/ },
];

/** `makemore` as a child process with `env` added to the environment. */
function childWithEnv(cwd: string, args: string[], env: Record<string, string>): Run {
  const all: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete all.MAKEMORE_DEBUG;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: all, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The command through main() with `dir` as the working directory. */
async function inFolder(dir: string, args: string[]): Promise<Run> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await inProcess(...args);
  } finally {
    process.chdir(cwd);
  }
}

describe('hostile battery: every row exits as users expect', { skip: SECOND_PASS }, () => {
  before(() => {
    mkdirSync(BASE);
    writeFileSync(join(BASE, 'w.txt'), WORDS);
    const r = makemore(BASE, 'train', '--data', 'w.txt', ...QUICK, '--out', 'm.safetensors');
    assert.equal(r.status, 0, r.stderr);
  });
  ROWS.forEach((row, k) => {
    test(`${k + 1}. ${row.name}: makemore ${row.args.map((a) => (a.length > 40 ? `${a.slice(0, 20)}…` : a)).join(' ')} → ${row.status}`, async () => {
      const dir = join(tmp, `row${k + 1}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'w.txt'), WORDS);
      // The model as trained in BASE, its recorded word list this row's copy.
      editModel(join(BASE, 'm.safetensors'), join(dir, 'm.safetensors'), (md) => { md.data = join(dir, 'w.txt'); });
      row.setup?.(dir);
      // Errors run through main() in this process (fast); runs that succeed, or set variables, as a child process (stdout, exit handlers).
      const cwd = join(dir, row.cwd ?? '.');
      const r = row.env !== undefined ? childWithEnv(cwd, row.args, row.env) : row.status === 0 ? makemore(cwd, ...row.args) : await inFolder(cwd, row.args);
      assert.equal(r.status, row.status, `exit ${r.status}; stderr: ${r.stderr.slice(0, 2000)}`);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'stack trace');
      // The argument parser's hint lines aside.
      r.stderr = r.stderr.split('\n').filter((l) => l !== '(add --help for usage)' && !/^\(Did you mean .*\?\)$/.test(l)).join('\n');
      if (row.status !== 0) assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr.slice(0, 2000)}`);
      assert.ok(r.stderr.split('\n').every((l) => l.length <= 1200), 'a bounded line');
      if (row.stderr) assert.match(r.stderr.trimEnd(), row.stderr);
      else if (row.status === 0) assert.equal(r.stderr, '');
      if (row.stdout) assert.match(r.stdout, row.stdout);
      assert.doesNotMatch(r.stdout, /\x1b/, 'no escape sequence reaches the terminal');
      row.check?.(dir);
    });
  });

  test('sample --count 1000000000 | head -3 prints three words at once and exits 0 (EPIPE)', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" sample --model m.safetensors --count 1000000000 | head -3`], { cwd: BASE, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^[a-z]+\n[a-z]+\n[a-z]+\n$/);
    assert.equal(r.stderr, '');
  });

  test('sample and info | head -1 with few lines: exit 0, nothing on stderr (the pipe closes after the last write)', () => {
    for (const cmd of ['sample --count 3', 'info']) {
      const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" ${cmd} --model m.safetensors | head -1`], { cwd: BASE, encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
      assert.equal(r.stderr, '', cmd);
    }
  });

  test('stdout on a full disk (> /dev/full): exit 1 with one line naming it, for sample, info and train (whose model file is still saved)', { skip: !existsSync('/dev/full') }, () => {
    for (const cmd of ['sample --model m.safetensors', 'info --model m.safetensors', 'train --steps 20 --out full.safetensors']) {
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" ${cmd} > /dev/full`], { cwd: BASE, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 1, `${cmd}: ${r.stderr}`);
      assert.equal(r.stderr, 'makemore: error: cannot write to standard output: no space left on device (ENOSPC)\n', cmd);
    }
    assert.ok(existsSync(join(BASE, 'full.safetensors')), 'train saved its model although its log could not be printed');
  });
});

describe('signals while sampling', { skip: SECOND_PASS }, () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    test(`sample --count 1000000000, then ${signal}: stops at once, exit ${code}, nothing on stderr`, async () => {
      const dir = join(tmp, `sample-${signal}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'w.txt'), WORDS);
      editModel(join(BASE, 'm.safetensors'), join(dir, 'm.safetensors'), (md) => { md.data = join(dir, 'w.txt'); });
      const child = spawn(process.execPath, [BIN, 'sample', '--model', 'm.safetensors', '--count', '1000000000'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      child.stdout.once('data', () => child.kill(signal));
      child.stdout.resume();
      const [exit, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => child.on('close', (c, s) => res([c, s])));
      assert.ok(exit === code || sig === signal, `exit ${exit ?? sig}`);
      assert.equal(stderr, '');
    });
  }
});

describe('kernels and evaluation: bounds from the public API', () => {
  test('JS kernels refuse an out-of-range index (gather, scatter, cross-entropy) instead of reading past a row', () => {
    const table = new Float32Array(6), out = new Float32Array(4);
    assert.throws(() => jsBackend.gatherRows(out, table, Int32Array.of(0, 3), 2), /gatherRows: index 3 at position 1 is outside \[0, 3\)/);
    assert.throws(() => jsBackend.gatherRows(out, table, Int32Array.of(-1, 0), 2), /index -1 at position 0/);
    assert.throws(() => jsBackend.scatterAddRows(table, out, Int32Array.of(0, 7), 2), /scatterAddRows: index 7/);
    const logits = new Float32Array(6), probs = new Float32Array(6);
    assert.throws(() => jsBackend.crossEntropyForward(probs, logits, Int32Array.of(0, 3), 2, 3), /crossEntropyForward target: index 3 at position 1 is outside \[0, 3\)/);
    assert.throws(() => jsBackend.crossEntropyBackward(probs, probs, Int32Array.of(5, 0), 2, 3, 1), /crossEntropyBackward target: index 5/);
    // in range: unchanged results
    jsBackend.gatherRows(out, Float32Array.of(1, 2, 3, 4, 5, 6), Int32Array.of(2, 0), 2);
    assert.deepEqual([...out], [5, 6, 1, 2]);
  });
  test('evaluation chunks are sized by bytes: thousands of rows for the default model, fewer for wide ones', () => {
    const g = new Generator(1);
    const seedRows = evalChunkRows(createModel({ vocabSize: 27, blockSize: 3, embedDim: 10, hidden: 200, layers: 1, norm: 'notebook' }, g));
    assert.ok(seedRows >= 2048 && seedRows <= 8192 && seedRows * 4 * (3 * 10 + 4 * 200 + 3 * 27) <= EVAL_CHUNK_BYTES, `${seedRows} rows`);
    const wide = { vocabSize: 100_000, blockSize: 3, embedDim: 2, hidden: 4, layers: 1, norm: 'notebook' as const };
    const rows = evalChunkRows(createModel(wide, g));
    assert.ok(rows < seedRows && rows >= 1);
    assert.ok(rows * 4 * (3 * 2 + 4 * 4 + 3 * 100_000) <= EVAL_CHUNK_BYTES);
  });
});
