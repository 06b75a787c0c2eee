// Bit-for-bit comparison of src/random against PyTorch 1.13 / CPython fixtures
// (test/fixtures/rng.json, written by tools/gen_rng_fixtures.py). Never needs PyTorch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Generator, PythonRandom, f32ToBits, bitsToF32, defaultGenerator, manualSeed } from "../src/random/index.js";

/** Finds a repo file from dist/test, a temporary build dir, or the repo root. */
function repoFile(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, rel);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  const p = join(process.cwd(), rel);
  if (existsSync(p)) return p;
  throw new Error(`cannot find ${rel}`);
}

interface F32Record { bits?: number[]; sha256?: string; samples?: Record<string, number> }
interface RandnCase extends F32Record { seed: string; shape: number[] }
interface SeqOp extends F32Record { op: string; n: number; mean?: number; std?: number; lambd?: number; low?: number; high?: number; values?: number[] }
interface RandintCase { name: string; seed: string; steps?: number[][]; low?: number; high?: number; n?: number; values?: string[] }
interface RandCase extends F32Record { seed: string; n: number; from: number; to: number }
interface ExpCase extends F32Record { seed: string; n: number; lambd: number }
interface MultCall { input: string; num_samples: number; replacement: boolean; values: number[] }
interface PySeed { seed: string; uint32: number[]; getrandbits: [number, string][]; randbelow: [number, string][]; random: number[] }
interface Fixture {
  randn: RandnCase[];
  randn_big: {
    after_1000x1: { std_a: number; std_b: number; a_sha256: string; b_sha256: string; b_samples: Record<string, number> };
    fresh: { seed: string; sha256: string; samples: Record<string, number> };
  };
  sequences: { seed: string; ops: SeqOp[] }[];
  randint: RandintCase[];
  rand: RandCase[];
  exponential: ExpCase[];
  multinomial: {
    inputs: Record<string, { shape: number[]; bits: number[] }>;
    sequence: { seed: string; calls: MultCall[] };
    many_p27: { seed: string; values: number[] };
    ties_ptie_7: { seed: string; values: number[][] };
    ties_big: { seed: string; calls: { input: string; num_samples: number; values: number[] }[] };
  };
  python: { shuffle_names: { seed: number; count: number; first20: string[]; sha256: string }; seeds: PySeed[] };
}

const fx = JSON.parse(readFileSync(repoFile("test/fixtures/rng.json"), "utf8")) as Fixture;

function bitsOf(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}
function sha256(a: Float32Array): string {
  return createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");
}
/** Checks a float32 tensor against a fixture record: full bits, or sha256 + sampled bits. */
function assertF32(actual: Float32Array, rec: F32Record, what: string): void {
  const b = bitsOf(actual);
  if (rec.bits) {
    assert.equal(actual.length, rec.bits.length, `${what}: length`);
    for (let i = 0; i < b.length; i++) {
      if (b[i] !== rec.bits[i]) {
        assert.fail(`${what}: element ${i} is ${bitsToF32(b[i])} (0x${b[i].toString(16)}), torch ${bitsToF32(rec.bits[i])} (0x${rec.bits[i].toString(16)})`);
      }
    }
    return;
  }
  for (const [i, v] of Object.entries(rec.samples ?? {})) assert.equal(b[Number(i)], v, `${what}: sample ${i}`);
  assert.equal(sha256(actual), rec.sha256, `${what}: sha256`);
}
const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

test("MT19937 first outputs after manual_seed(2147483647)", () => {
  const g = new Generator(2147483647);
  const got = [g.nextUint32(), g.nextUint32(), g.nextUint32(), g.nextUint32(), g.nextUint32()];
  assert.deepEqual(got, [0x64b547ef, 0xe45aaf6a, 0xa81afd9d, 0xa399824c, 0x16172759]);
});

test("spec worked examples: C[0,:3], randn(5), first minibatch", () => {
  const g = new Generator(2147483647);
  const C = new Float32Array(270);
  g.normal(C);
  assert.deepEqual(Array.from(C.slice(0, 3)), [1.5673619508743286, -0.2372923195362091, -0.027384605258703232]);
  assert.equal(f32ToBits(C[0]), 0x3fc89f51);
  g.normal(new Float32Array(6000));
  g.normal(new Float32Array(5400));
  g.normal(new Float32Array(27));
  const ix = new Int32Array(32);
  g.randint(0, 182625, ix);
  assert.deepEqual(Array.from(ix.slice(0, 6)), [5197, 99677, 101728, 53213, 114200, 168023]);

  const s = new Float32Array(5);
  new Generator(2147483647).normal(s);
  const expected = [-0.98000735, -1.6578479, -0.05716623, -0.3408541, 2.0991552].map(Math.fround);
  assert.deepEqual(Array.from(s), expected);
});

test("randn matches torch bit for bit (all seeds, sizes)", () => {
  assert.ok(fx.randn.length >= 60);
  for (const c of fx.randn) {
    const out = new Float32Array(numel(c.shape));
    new Generator(BigInt(c.seed)).normal(out);
    assertF32(out, c, `randn seed=${c.seed} shape=${JSON.stringify(c.shape)}`);
  }
});

test("randn(1000,1000): sha256 and stds as in the notebook", () => {
  const big = fx.randn_big;
  const g = new Generator(BigInt(big.fresh.seed));
  const out = new Float32Array(1000 * 1000);
  g.normal(out);
  assertF32(out, big.fresh, "randn(1000,1000)");

  const g2 = new Generator(2147483647);
  const a = new Float32Array(1000);
  g2.normal(a);
  g2.normal(out);
  assert.equal(sha256(a), big.after_1000x1.a_sha256);
  assertF32(out, { sha256: big.after_1000x1.b_sha256, samples: big.after_1000x1.b_samples }, "randn(1000,1000) after (1000,1)");
  assert.equal(big.after_1000x1.std_a, 0.9875972270965576);
  assert.equal(big.after_1000x1.std_b, 1.0006722211837769);
});

test("mixed call sequences share the double normal cache like torch", () => {
  for (const seq of fx.sequences) {
    const g = new Generator(BigInt(seq.seed));
    seq.ops.forEach((op, k) => {
      const what = `seq seed=${seq.seed} op#${k} ${op.op}(${op.n})`;
      if (op.op === "randint") {
        const out = new Int32Array(op.n);
        g.randint(op.low ?? 0, op.high ?? 0, out);
        assert.deepEqual(Array.from(out), op.values, what);
        return;
      }
      const out = new Float32Array(op.n);
      if (op.op === "randn") g.normal(out);
      else if (op.op === "normal") g.normal(out, op.mean, op.std);
      else if (op.op === "rand") g.uniform(out);
      else if (op.op === "exponential") g.exponential(out, op.lambd);
      else assert.fail(`unknown op ${op.op}`);
      assertF32(out, op, what);
    });
  }
});

test("randint: notebook minibatches, negative low, ranges >= 2^32", () => {
  const nb = fx.randint.find((c) => c.name === "notebook_minibatches");
  assert.ok(nb?.steps);
  const g = new Generator(2147483647);
  for (const n of [270, 6000, 5400, 27]) g.normal(new Float32Array(n));
  for (const step of nb.steps) {
    const ix = new Int32Array(32);
    g.randint(0, 182625, ix);
    assert.deepEqual(Array.from(ix), step);
  }
  const gens = new Map<string, Generator>();
  for (const c of fx.randint.filter((r) => r.name === "chain")) {
    let gen = gens.get(c.seed);
    if (!gen) {
      gen = new Generator(BigInt(c.seed));
      gens.set(c.seed, gen);
    }
    const low = c.low ?? 0;
    const high = c.high ?? 0;
    const fits32 = low >= -2147483648 && high - 1 <= 2147483647;
    const out = fits32 ? new Int32Array(c.n ?? 0) : new Float64Array(c.n ?? 0);
    gen.randint(low, high, out);
    assert.deepEqual(Array.from(out, (v) => String(v)), c.values, `randint(${low}, ${high}) seed ${c.seed}`);
  }
});

test("randint rejects outputs that cannot hold the range", () => {
  const g = new Generator(1);
  assert.throws(() => g.randint(0, 2 ** 31 + 1, new Int32Array(1)), RangeError);
  assert.throws(() => g.randint(-(2 ** 31) - 1, 0, new Int32Array(1)), RangeError);
  assert.throws(() => g.randint(5, 5, new Int32Array(1)), RangeError);
  assert.throws(() => g.randint(0, 2 ** 60, new Float64Array(1)), RangeError);
  assert.throws(() => g.randint(0.5, 3, new Float64Array(1)), RangeError);
  g.randint(0, 2 ** 31, new Int32Array(4)); // exactly int32's range is fine
});

test("rand / uniform_ match torch (FMA-contracted x*(to-from)+from)", () => {
  const gens = new Map<string, Generator>();
  for (const c of fx.rand) {
    let g = gens.get(c.seed);
    if (!g) {
      g = new Generator(BigInt(c.seed));
      gens.set(c.seed, g);
    }
    const out = new Float32Array(c.n);
    g.uniform(out, c.from, c.to);
    assertF32(out, c, `uniform(${c.from}, ${c.to}) seed ${c.seed}`);
  }
});

test("exponential_ matches torch", () => {
  const g = new Generator(BigInt(fx.exponential[0].seed));
  for (const c of fx.exponential) {
    const out = new Float32Array(c.n);
    g.exponential(out, c.lambd);
    assertF32(out, c, `exponential(${c.lambd}) n=${c.n}`);
  }
});

function multInput(name: string): { p: Float32Array; rows: number; k: number } {
  const inp = fx.multinomial.inputs[name];
  const p = new Float32Array(new Uint32Array(inp.bits).buffer);
  const rows = inp.shape.length === 2 ? inp.shape[0] : 1;
  return { p, rows, k: inp.shape[inp.shape.length - 1] };
}

test("multinomial with/without replacement, 1-D and 2-D, num_samples > 1", () => {
  const seq = fx.multinomial.sequence;
  const g = new Generator(BigInt(seq.seed));
  seq.calls.forEach((c, i) => {
    const { p, rows, k } = multInput(c.input);
    const got = g.multinomial(p, rows, k, c.num_samples, c.replacement);
    assert.deepEqual(Array.from(got), c.values, `call #${i} ${c.input} n=${c.num_samples} repl=${c.replacement}`);
  });
  const { p, k } = multInput("p27");
  const g2 = new Generator(BigInt(fx.multinomial.many_p27.seed));
  const many = fx.multinomial.many_p27.values.map(() => g2.multinomial(p, 1, k, 1)[0]);
  assert.deepEqual(many, fx.multinomial.many_p27.values);
});

test("multinomial top-k ties are ordered like torch (libstdc++ nth_element/sort)", () => {
  const { p, k } = multInput("ptie");
  const g = new Generator(BigInt(fx.multinomial.ties_ptie_7.seed));
  for (const want of fx.multinomial.ties_ptie_7.values) assert.deepEqual(Array.from(g.multinomial(p, 1, k, 7)), want);
  const big = fx.multinomial.ties_big;
  const g2 = new Generator(BigInt(big.seed));
  for (const c of big.calls) {
    const inp = multInput(c.input);
    const got = g2.multinomial(inp.p, inp.rows, inp.k, c.num_samples);
    assert.deepEqual(Array.from(got), c.values, `${c.input} num_samples=${c.num_samples}`);
  }
});

test("multinomial input checks throw clear errors", () => {
  const g = new Generator(3);
  const bad = (arr: number[], repl: boolean, rows = 1): void => {
    g.multinomial(Float32Array.from(arr), rows, arr.length / rows, 1, repl);
  };
  for (const repl of [false, true]) {
    assert.throws(() => bad([0.5, -0.1], repl), /< 0/);
    assert.throws(() => bad([0.5, NaN], repl), /nan|NaN|< 0/);
    assert.throws(() => bad([0.5, Infinity], repl), /inf/);
    assert.throws(() => bad([0, 0], repl), /sum of probabilities/);
    assert.throws(() => bad([1, 1, 0, 0], repl, 2), /sum of probabilities/);
  }
  assert.throws(() => g.multinomial(Float32Array.from([1, 2]), 1, 2, 3, false), /without replacement/);
  assert.throws(() => g.multinomial(Float32Array.from([1, 2]), 1, 2, 0, false), /n_sample <= 0/);
  assert.throws(() => g.multinomial(Float32Array.from([1, 2]), 1, 3, 1, false), RangeError);
});

test("CPython random: seed(42) shuffle of names.txt", () => {
  const sh = fx.python.shuffle_names;
  const words = readFileSync(repoFile("data/names.txt"), "utf8").split("\n").filter((w) => w.length > 0);
  assert.equal(words.length, sh.count);
  const r = new PythonRandom(42);
  r.shuffle(words);
  assert.deepEqual(words.slice(0, 4), ["yuheng", "diondre", "xavien", "jori"]);
  assert.deepEqual(words.slice(0, 20), sh.first20);
  assert.equal(createHash("sha256").update(words.join("\n")).digest("hex"), sh.sha256);
  assert.equal(Math.floor(0.8 * words.length), 25626);
  assert.equal(Math.floor(0.9 * words.length), 28829);
});

test("CPython random: getrandbits / _randbelow / random for many seeds", () => {
  assert.equal(new PythonRandom(42).nextUint32(), 2746317213);
  for (const s of fx.python.seeds) {
    const r = new PythonRandom(BigInt(s.seed));
    assert.deepEqual(s.uint32.map(() => r.getrandbits(32)), s.uint32, `seed ${s.seed} uint32`);
    for (const [k, v] of s.getrandbits) {
      const got = k <= 53 ? String(r.getrandbits(k)) : r.getrandbitsBig(k).toString();
      assert.equal(got, v, `seed ${s.seed} getrandbits(${k})`);
    }
    for (const [n, v] of s.randbelow) assert.equal(String(r.randbelow(n)), v, `seed ${s.seed} randbelow(${n})`);
    assert.deepEqual(s.random.map(() => r.random()), s.random, `seed ${s.seed} random()`);
  }
});

test("getState/setState round trip continues identically, including a cached normal", () => {
  const g = new Generator(2147483647);
  g.normal(new Float32Array(5)); // leaves a cached double normal
  g.randint(0, 100, new Int32Array(3));
  const state = g.getState();
  assert.notEqual(state.nextDoubleNormal, null);
  const json = JSON.stringify(state);
  const h = Generator.fromState(JSON.parse(json) as typeof state);
  assert.equal(h.initialSeed(), 2147483647n);
  const drive = (x: Generator): number[] => {
    const a = new Float32Array(3);
    x.normal(a);
    const b = new Float32Array(40);
    x.normal(b);
    const c = new Int32Array(10);
    x.randint(0, 182625, c);
    const d = x.multinomial(Float32Array.from([0.1, 0.2, 0.7]), 1, 3, 1);
    return [...bitsOf(a), ...bitsOf(b), ...c, ...d, x.nextUint32()];
  };
  assert.deepEqual(drive(h), drive(g));
  // setState on an existing generator, and independence from the source afterwards
  const k = new Generator(0);
  k.setState(state);
  const again = Generator.fromState(state);
  assert.deepEqual(drive(k), drive(again));
  assert.throws(() => k.setState({ ...state, mt: state.mt.slice(1) }), RangeError);
  assert.throws(() => k.setState({ ...state, index: 625 }), RangeError);
});

test("manualSeed conversions: negative seeds, high bits ignored, default seed", () => {
  assert.equal(new Generator().initialSeed(), 67280421310721n);
  assert.equal(new Generator(-1).initialSeed(), 2n ** 64n - 1n);
  assert.equal(new Generator(2 ** 32 + 5).nextUint32(), new Generator(5).nextUint32());
  assert.equal(new Generator(-1).nextUint32(), new Generator(0xffffffff).nextUint32());
  assert.throws(() => new Generator(2n ** 64n), RangeError);
  assert.throws(() => new Generator(-(2n ** 63n) - 1n), RangeError);
  assert.throws(() => new Generator(1.5), TypeError);
  // manual_seed clears the cached normal
  const g = new Generator(2147483647);
  g.normal(new Float32Array(1));
  g.manualSeed(2147483647);
  assert.equal(g.getState().nextDoubleNormal, null);
  // module-level default generator
  manualSeed(2147483647);
  assert.equal(defaultGenerator.nextUint32(), 0x64b547ef);
});
