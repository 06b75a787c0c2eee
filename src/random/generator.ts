/**
 * `torch.Generator` (CPU) of PyTorch 1.13, reproduced bit for bit: MT19937 plus the CPU kernels
 * of randn / rand / randint / exponential_ / multinomial. See docs/random.md.
 */
import { MT19937, MT_N } from "./mt19937.js";
import { fma32 } from "./fma32.js";
import { normalBlock16 } from "./avx2Normal.js";
import { nthElement, partialSort, stdSort } from "./libstdcxxSort.js";

const f32 = Math.fround;
const TWO_POW_32 = 4294967296;
const TWO_POW_M24 = 1 / 16777216;
const TWO_POW_M53 = 1 / 9007199254740992;
const TWO_POW_53 = 9007199254740992;
const UINT64_MOD = 1n << 64n;

/** Scratch for bernoulli's MT words: two per element, 1024 elements at a time. */
const BERNOULLI_WORDS = new Uint32Array(2048);

/** PyTorch's `default_rng_seed_val`. */
export const DEFAULT_SEED = 67280421310721n;

/** JSON-serialisable snapshot of a Generator (stored in model metadata). */
export interface GeneratorState {
  /** Format version of this object. */
  version: 1;
  /** `initial_seed()` as an unsigned 64-bit decimal string. */
  seed: string;
  /** The 624 MT19937 state words (each in [0, 2^32)). */
  mt: number[];
  /** Next word to read, 0..624 (624: twist before the next read). */
  index: number;
  /** Pending second value of the scalar double Box-Muller, or null. */
  nextDoubleNormal: number | null;
}

/**
 * Converts a seed the way `torch.Generator.manual_seed` does: an int in [0, 2^64) is taken as is,
 * a negative int in [-2^63, 0) as its two's complement; anything else overflows.
 */
export function toSeed64(seed: number | bigint): bigint {
  if (typeof seed === "number") {
    if (!Number.isInteger(seed)) throw new TypeError(`manualSeed: seed must be an integer, got ${seed}`);
    seed = BigInt(seed);
  }
  if (seed >= 0n && seed < UINT64_MOD) return seed;
  if (seed < 0n && seed >= -(1n << 63n)) return seed + UINT64_MOD;
  throw new RangeError(`manualSeed: seed ${seed} does not fit in 64 bits`);
}

export class Generator {
  private readonly mt = new MT19937();
  private seed64 = DEFAULT_SEED;
  /** torch's `next_double_normal_sample_`; only the <16-element normal path sets it. */
  private nextDoubleNormal: number | null = null;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /** Re-seeds: only the low 32 bits reach MT19937; clears the cached normal. */
  manualSeed(seed: number | bigint): this {
    this.seed64 = toSeed64(seed);
    this.mt.initGenrand(Number(this.seed64 & 0xffffffffn));
    this.nextDoubleNormal = null;
    return this;
  }

  /** `initial_seed()`: the last seed as uint64. */
  initialSeed(): bigint {
    return this.seed64;
  }

  getState(): GeneratorState {
    return {
      version: 1,
      seed: this.seed64.toString(),
      mt: Array.from(this.mt.state),
      index: this.mt.index,
      nextDoubleNormal: this.nextDoubleNormal,
    };
  }

  setState(s: GeneratorState): void {
    if (s === null || typeof s !== "object") throw new TypeError("setState: state must be an object");
    if (s.version !== 1) throw new RangeError(`setState: unsupported state version ${String(s.version)}`);
    if (!Array.isArray(s.mt) || s.mt.length !== MT_N) throw new RangeError(`setState: mt must hold ${MT_N} words`);
    for (const w of s.mt) {
      if (!Number.isInteger(w) || w < 0 || w >= TWO_POW_32) throw new RangeError(`setState: bad mt word ${w}`);
    }
    if (!Number.isInteger(s.index) || s.index < 0 || s.index > MT_N) throw new RangeError(`setState: bad index ${s.index}`);
    if (s.nextDoubleNormal !== null && typeof s.nextDoubleNormal !== "number") {
      throw new TypeError("setState: nextDoubleNormal must be a number or null");
    }
    if (typeof s.seed !== "string" || !/^[0-9]+$/.test(s.seed)) throw new TypeError("setState: seed must be a decimal string");
    const seed = BigInt(s.seed);
    if (seed >= UINT64_MOD) throw new RangeError("setState: seed does not fit in 64 bits");
    this.seed64 = seed;
    this.mt.state.set(s.mt);
    this.mt.index = s.index;
    this.nextDoubleNormal = s.nextDoubleNormal;
  }

  static fromState(s: GeneratorState): Generator {
    const g = new Generator();
    g.setState(s);
    return g;
  }

  /** Independent copy (same state, same cache). */
  clone(): Generator {
    return Generator.fromState(this.getState());
  }

  /** `random()`: one MT output in [0, 2^32). */
  nextUint32(): number {
    return this.mt.nextUint32();
  }

  /** `random64()`: two outputs, the first one is the high word. */
  random64(): bigint {
    const hi = this.mt.nextUint32();
    const lo = this.mt.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * `torch.empty((), dtype=torch.int64).random_()`: random64() mod 2^63, a non-negative int64
   * (a DataLoader draws its base seed and a RandomSampler its generator's seed this way).
   */
  randomInt64(): bigint {
    return this.random64() & 0x7fffffffffffffffn;
  }

  /** `uniform_real_distribution<double>(0,1)`: low 53 bits of random64() times 2^-53. */
  uniformDouble(): number {
    const hi = this.mt.nextUint32();
    const lo = this.mt.nextUint32();
    return ((hi & 0x1fffff) * TWO_POW_32 + lo) * TWO_POW_M53;
  }

  /**
   * `tensor.bernoulli_(p)` with a scalar p on CPU (PyTorch built without MKL, as Debian's): serial in
   * element order, each element 1 when a double uniform (uniformDouble, two MT outputs) is < p, else 0.
   */
  bernoulli(out: Float32Array | Float64Array, p: number): void {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    // u = k·2^-53 < p  ⇔  k < p·2^53 (both scalings by 2^53 are exact); the words come in bulk
    const threshold = p * TWO_POW_53;
    const words = BERNOULLI_WORDS;
    for (let start = 0; start < out.length; start += words.length / 2) {
      const n = Math.min(words.length / 2, out.length - start);
      const w = n === words.length / 2 ? words : words.subarray(0, 2 * n);
      this.mt.fill(w);
      for (let i = 0; i < n; i++) out[start + i] = (w[2 * i] & 0x1fffff) * TWO_POW_32 + w[2 * i + 1] < threshold ? 1 : 0;
    }
  }

  /** `uniform_real_distribution<float>(0,1)`: 24 low bits times 2^-24 (exact float32). */
  uniformFloat(): number {
    return (this.mt.nextUint32() & 0xffffff) * TWO_POW_M24;
  }

  /**
   * `tensor.normal_(mean, std)` on a contiguous float32 tensor of out.length elements
   * (`torch.randn` is mean 0, std 1). >= 16 elements: the AVX2 16-block kernel; fewer: the scalar
   * double Box-Muller that shares a cached value across calls.
   */
  normal(out: Float32Array, mean = 0, std = 1): void {
    if (!(std >= 0)) throw new RangeError(`normal: expects std >= 0.0, but found std ${std}`);
    const n = out.length;
    if (n >= 16) {
      const m = f32(mean);
      const s = f32(std);
      for (let i = 0; i < n; i++) out[i] = this.uniformFloat();
      for (let o = 0; o + 16 <= n; o += 16) normalBlock16(out, o, s, m);
      if (n % 16 !== 0) {
        // The last partial block is redrawn: 16 fresh uniforms overwrite the final window.
        for (let i = n - 16; i < n; i++) out[i] = this.uniformFloat();
        normalBlock16(out, n - 16, s, m);
      }
      return;
    }
    for (let i = 0; i < n; i++) out[i] = this.normalDouble(mean, std);
  }

  /** One sample of `normal_distribution<double>(mean, std)` (scalar path, with the cache). */
  normalDouble(mean = 0, std = 1): number {
    let v: number;
    if (this.nextDoubleNormal !== null) {
      v = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
    } else {
      const u1 = this.uniformDouble();
      const u2 = this.uniformDouble(); // radius comes from the second draw
      const r = Math.sqrt(-2 * Math.log(1 - u2));
      const theta = 2 * Math.PI * u1;
      this.nextDoubleNormal = r * Math.sin(theta);
      v = r * Math.cos(theta);
    }
    return v * std + mean;
  }

  /**
   * `tensor.uniform_(from, to)` on float32 (`torch.rand` is (0, 1)): one MT output per element.
   * GCC contracts x*(to-from)+from into an FMA.
   */
  uniform(out: Float32Array, from = 0, to = 1): void {
    const lo = f32(from);
    const hi = f32(to);
    if (!(lo <= hi)) throw new RangeError(`uniform: expects to return a [from, to) range, but found from=${from} > to=${to}`);
    const range = f32(hi - lo);
    if (!Number.isFinite(range)) throw new RangeError(`uniform: to - from must not overflow float32`);
    const n = out.length;
    if (lo === 0 && range === 1) {
      for (let i = 0; i < n; i++) out[i] = this.uniformFloat();
      return;
    }
    for (let i = 0; i < n; i++) out[i] = fma32(this.uniformFloat(), range, lo);
  }

  /**
   * `torch.randint(low, high, ...)` with int64 semantics: value = low + (r mod (high-low)), where r
   * is one MT output, or random64() when the range is >= 2^32. No rejection (torch keeps the bias).
   * Int32Array output needs the whole range in int32; Float64Array needs |values| <= 2^53 and a
   * range <= 2^53 (full int64 ranges are not supported).
   */
  randint(low: number, high: number, out: Int32Array | Float64Array): void {
    // Every value in [low, high) must be an exactly representable integer.
    if (!Number.isInteger(low) || !Number.isInteger(high) || low < -TWO_POW_53 || high > TWO_POW_53) {
      throw new RangeError(`randint: low and high must be integers in [-2^53, 2^53], got ${low}, ${high}`);
    }
    if (!(low < high)) throw new RangeError(`randint: random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
    if (out instanceof Int32Array && (low < -2147483648 || high - 1 > 2147483647)) {
      throw new RangeError(`randint: values in [${low}, ${high}) do not fit in an Int32Array; use a Float64Array`);
    }
    const n = out.length;
    const range = high - low;
    if (range > TWO_POW_53) throw new RangeError(`randint: range ${high} - ${low} exceeds 2^53`);
    if (range < TWO_POW_32) {
      for (let i = 0; i < n; i++) out[i] = low + (this.mt.nextUint32() % range);
      return;
    }
    const r = BigInt(range);
    for (let i = 0; i < n; i++) out[i] = low + Number(this.random64() % r);
  }

  /** `tensor.exponential_(lambd)` on float32: f32((-1/lambd) * ln(1 - u)) with u a 53-bit uniform. */
  exponential(out: Float32Array, lambd = 1): void {
    if (!(lambd > 0)) throw new RangeError(`exponential: expects lambda > 0.0, but found lambda=${lambd}`);
    const c = -1 / lambd;
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = c * Math.log(1 - this.uniformDouble());
  }

  /**
   * `torch.multinomial(p, numSamples, replacement)` for a float32 row-major (rows x k) tensor
   * (rows = 1 for 1-D). Returns rows*numSamples indices, row-major.
   * replacement=false: exponential race, argmax (1 sample) / sorted top-k of p/q (tie order as
   * libstdc++).
   * replacement=true: float32 CDF + binary search, 2 MT outputs per sample (1.13 always uses
   * this path when replacement=true, even for one sample).
   */
  multinomial(probs: Float32Array, rows: number, k: number, numSamples: number, replacement = false): Int32Array {
    if (!Number.isInteger(rows) || !Number.isInteger(k) || rows < 0 || k < 0 || rows * k !== probs.length) {
      throw new RangeError(`multinomial: probs has ${probs.length} elements, not rows*k = ${rows}*${k}`);
    }
    if (!Number.isInteger(numSamples) || numSamples <= 0) throw new RangeError("multinomial: cannot sample n_sample <= 0 samples");
    if (!replacement && numSamples > k) {
      throw new RangeError("multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement");
    }
    if (k > 16777216) throw new RangeError("multinomial: number of categories cannot exceed 2^24");
    const result = new Int32Array(rows * numSamples);
    if (result.length === 0) return result;
    return replacement
      ? this.multinomialWithReplacement(probs, rows, k, numSamples, result)
      : this.multinomialNoReplacement(probs, rows, k, numSamples, result);
  }

  private multinomialNoReplacement(p: Float32Array, rows: number, k: number, numSamples: number, result: Int32Array): Int32Array {
    // torch checks the whole tensor first: max < inf, min >= 0 (NaN fails both), no zero-sum row.
    for (let i = 0; i < p.length; i++) {
      const v = p[i];
      if (!(v >= 0 && v < Infinity)) throw new RangeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0");
    }
    for (let r = 0; r < rows; r++) {
      let any = false;
      for (let j = r * k; j < (r + 1) * k; j++) if (p[j] !== 0) { any = true; break; }
      if (!any) throw new RangeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
    }
    // q ~ Exp(1) for the whole tensor first, then q = p / q (float32 division).
    const q = new Float32Array(p.length);
    this.exponential(q, 1);
    for (let i = 0; i < q.length; i++) q[i] = p[i] / q[i];
    for (let r = 0; r < rows; r++) {
      const base = r * k;
      if (numSamples === 1) {
        // argmax: first maximum; NaN counts as the maximum and the first NaN wins.
        let best = 0;
        let bv = q[base];
        if (!Number.isNaN(bv)) {
          for (let j = 1; j < k; j++) {
            const v = q[base + j];
            if (Number.isNaN(v)) { best = j; break; }
            if (v > bv) { bv = v; best = j; }
          }
        }
        result[r] = best;
      } else {
        // topk(largest=true, sorted=true) exactly as torch's CPU topk_impl_loop: partial_sort when
        // k*64 <= size, else nth_element + sort of the first k-1; NaN counts as the largest. The
        // libstdc++ ports also reproduce the order of exact ties (e.g. zero-probability entries).
        const pairs: [number, number][] = [];
        for (let j = 0; j < k; j++) pairs.push([q[base + j], j]);
        const before = (x: [number, number], y: [number, number]): boolean =>
          (Number.isNaN(x[0]) && !Number.isNaN(y[0])) || x[0] > y[0];
        if (numSamples * 64 <= k) {
          partialSort(pairs, 0, numSamples, k, before);
        } else {
          nthElement(pairs, 0, numSamples - 1, k, before);
          stdSort(pairs, 0, numSamples - 1, before);
        }
        const idx = pairs.map((p) => p[1]);
        for (let s = 0; s < numSamples; s++) result[r * numSamples + s] = idx[s];
      }
    }
    return result;
  }

  private multinomialWithReplacement(p: Float32Array, rows: number, k: number, numSamples: number, result: Int32Array): Int32Array {
    const cum = new Float32Array(k);
    for (let r = 0; r < rows; r++) {
      const base = r * k;
      let sum = 0;
      for (let j = 0; j < k; j++) {
        const v = p[base + j];
        if (!(v >= 0)) throw new RangeError("multinomial: invalid multinomial distribution (encountering probability entry < 0)");
        if (!Number.isFinite(v)) throw new RangeError("multinomial: invalid multinomial distribution (encountering probability entry = infinity or NaN)");
        sum = f32(sum + v);
        cum[j] = sum;
      }
      if (!(sum > 0)) throw new RangeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)");
      for (let j = 0; j < k; j++) cum[j] = cum[j] / sum;
      cum[k - 1] = 1;
      for (let s = 0; s < numSamples; s++) {
        const u = this.uniformDouble();
        let lo = 0;
        let hi = k;
        while (hi - lo > 0) {
          const mid = lo + ((hi - lo) >> 1);
          if (cum[mid] < u) lo = mid + 1;
          else hi = mid;
        }
        result[r * numSamples + s] = lo;
      }
    }
    return result;
  }
}

/** The process-wide generator, like torch's default CPU generator. */
export const defaultGenerator = new Generator();

/** `torch.manual_seed(seed)`: seeds the default generator. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
