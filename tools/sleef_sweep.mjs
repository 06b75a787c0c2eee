#!/usr/bin/env node
// Compares the SLEEF ports with torch on a file of float32 bit patterns written by
// tools/sleef_reference.py --sweep: the JS port (src/kernels/js/sleef.ts) and, for tanh, the wasm
// backend's unary kernel. Usage: node tools/sleef_sweep.mjs tanh|exp|log FILE (after `npm run build`).
import { readFileSync } from 'node:fs';
import { expf, logf, tanhf } from '../dist/src/kernels/js/sleef.js';
import { createWasmBackend } from '../dist/src/kernels/wasm/index.js';

const [op, file] = process.argv.slice(2);
const fn = { tanh: tanhf, exp: expf, log: logf }[op];
if (!fn || !file) { console.error('usage: node tools/sleef_sweep.mjs tanh|exp|log FILE'); process.exit(2); }
const buf = readFileSync(file);
const all = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const n = all.length / 2;
const xBits = all.subarray(0, n);
const yBits = all.subarray(n);
const x = new Float32Array(xBits.buffer, xBits.byteOffset, n);
const want = new Float32Array(yBits.buffer, yBits.byteOffset, n);
function report(name, got) {
  const gotBits = new Uint32Array(got.buffer, got.byteOffset, n);
  let bad = 0;
  const shown = [];
  for (let i = 0; i < n; i++) {
    if (gotBits[i] === yBits[i] || (Number.isNaN(got[i]) && Number.isNaN(want[i]))) continue;
    bad++;
    if (shown.length < 5) shown.push(`x=${x[i]} torch=${want[i]} ours=${got[i]}`);
  }
  console.log(`${op} ${name}: ${bad} mismatches of ${n}${shown.length ? ' e.g. ' + shown.join('; ') : ''}`);
}
const js = new Float32Array(n);
for (let i = 0; i < n; i++) js[i] = fn(x[i]);
report('js port', js);
if (op === 'tanh') {
  const wasm = createWasmBackend();
  const out = new Float32Array(n);
  wasm.unary('tanh', out, x);
  report('wasm unary', out);
}
