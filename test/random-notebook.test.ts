// Cross-checks test/fixtures/notebook-reference.json (tools/notebook_reference.py, PyTorch 1.13)
// against this RNG: data split, initial parameters and first minibatch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Generator, PythonRandom } from "../src/random/index.js";

function repoFile(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, rel);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return join(process.cwd(), rel);
}

interface Run {
  steps: number;
  first_minibatch: number[];
  printed: string[];
  split_loss: { train: number; val: number; test: number };
  init_param_sha256: Record<string, string>;
  dataset_sizes: { train: number; val: number; test: number };
  n1: number;
  n2: number;
}
const ref = JSON.parse(readFileSync(repoFile("test/fixtures/notebook-reference.json"), "utf8")) as {
  runs: Record<string, Run>;
  environment: { torch_version: string; cpu_capability: string };
};
const sha = (a: Float32Array): string => createHash("sha256").update(new Uint8Array(a.buffer)).digest("hex");

test("reference file holds the short and the full run", () => {
  assert.ok(ref.runs["1000"] && ref.runs["200000"]);
  assert.equal(ref.runs["200000"].printed[0], "      0/ 200000: 3.3239");
  assert.match(ref.environment.torch_version, /^1\.13/);
});

test("data split sizes follow from CPython's shuffle", () => {
  const words = readFileSync(repoFile("data/names.txt"), "utf8").split("\n").filter((w) => w.length > 0);
  new PythonRandom(42).shuffle(words);
  const n1 = Math.floor(0.8 * words.length);
  const n2 = Math.floor(0.9 * words.length);
  const count = (ws: string[]): number => ws.reduce((s, w) => s + w.length + 1, 0);
  for (const run of Object.values(ref.runs)) {
    assert.equal(run.n1, n1);
    assert.equal(run.n2, n2);
    assert.deepEqual(run.dataset_sizes, {
      train: count(words.slice(0, n1)),
      val: count(words.slice(n1, n2)),
      test: count(words.slice(n2)),
    });
  }
});

test("initial parameters and first minibatch match the torch run", () => {
  const f32 = Math.fround;
  const g = new Generator(2147483647);
  const C = new Float32Array(27 * 10);
  g.normal(C);
  const W1 = new Float32Array(30 * 200);
  g.normal(W1);
  // tensor * python float: the scalar is rounded to float32 and each op rounds to float32
  const gain = f32(5 / 3);
  const div = f32(30 ** 0.5);
  for (let i = 0; i < W1.length; i++) W1[i] = f32(f32(W1[i] * gain) / div);
  const W2 = new Float32Array(200 * 27);
  g.normal(W2);
  for (let i = 0; i < W2.length; i++) W2[i] = f32(W2[i] * f32(0.01));
  const b2 = new Float32Array(27);
  g.normal(b2);
  for (let i = 0; i < b2.length; i++) b2[i] = b2[i] * 0; // keeps -0 for negative draws, like torch
  const ix = new Int32Array(32);
  g.randint(0, 182625, ix);
  for (const run of Object.values(ref.runs)) {
    assert.deepEqual(
      { C: sha(C), W1: sha(W1), W2: sha(W2), b2: sha(b2) },
      run.init_param_sha256,
    );
    assert.deepEqual(Array.from(ix), run.first_minibatch);
  }
});
