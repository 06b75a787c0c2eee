/**
 * CPython's `random.Random` (Lib/random.py + Modules/_randommodule.c, stable across Python 3.x)
 * for integer seeds: enough to reproduce `random.seed(42); random.shuffle(words)` exactly.
 */
import { MT19937, MT_N } from "./mt19937.js";

const TWO_POW_32 = 4294967296;

export class PythonRandom {
  private readonly mt = new MT19937();

  /** Like `random.Random(seed)`; without a seed, 624 words from the OS (CPython uses urandom). */
  constructor(seed?: number | bigint) {
    if (seed === undefined) {
      // Web Crypto: in Node (globalThis.crypto, Node 19+) and in browsers alike.
      const key = globalThis.crypto.getRandomValues(new Uint32Array(MT_N));
      this.mt.initByArray(key);
    } else {
      this.seed(seed);
    }
  }

  /**
   * `random.seed(n)` for an int n: |n| split into 32-bit words, least significant first, fed to
   * init_by_array. (str/bytes/float seeds are not supported.)
   */
  seed(n: number | bigint): void {
    if (typeof n === "number") {
      if (!Number.isInteger(n)) throw new TypeError(`PythonRandom.seed: only integer seeds are supported, got ${n}`);
      n = BigInt(n);
    }
    let a = n < 0n ? -n : n;
    const key: number[] = [];
    do {
      key.push(Number(a & 0xffffffffn));
      a >>= 32n;
    } while (a > 0n);
    this.mt.initByArray(key);
  }

  /** One raw 32-bit MT output (`genrand_uint32`). */
  nextUint32(): number {
    return this.mt.nextUint32();
  }

  /**
   * `getrandbits(k)` as a number, for 0 <= k <= 53 (exact in float64). Words are filled least
   * significant first; the last word keeps its top bits. Use getrandbitsBig for larger k.
   */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0) throw new RangeError("getrandbits: number of bits must be a non-negative integer");
    if (k > 53) throw new RangeError("getrandbits: k > 53 does not fit a number; use getrandbitsBig");
    if (k === 0) return 0;
    if (k <= 32) return this.mt.nextUint32() >>> (32 - k);
    const lo = this.mt.nextUint32();
    const hi = this.mt.nextUint32() >>> (64 - k);
    return hi * TWO_POW_32 + lo;
  }

  /** `getrandbits(k)` for any k >= 0, as a bigint. */
  getrandbitsBig(k: number): bigint {
    if (!Number.isInteger(k) || k < 0) throw new RangeError("getrandbits: number of bits must be a non-negative integer");
    if (k === 0) return 0n;
    if (k <= 32) return BigInt(this.mt.nextUint32() >>> (32 - k));
    let result = 0n;
    let shift = 0n;
    for (let left = k; left > 0; left -= 32) {
      let w = this.mt.nextUint32();
      if (left < 32) w >>>= 32 - left;
      result |= BigInt(w) << shift;
      shift += 32n;
    }
    return result;
  }

  /**
   * getrandbits(k) for k <= 54 without the range check; above 2^53 the number may be rounded,
   * which is harmless in randbelow (such draws are >= n and rejected; rounding is monotone).
   */
  private bits54(k: number): number {
    if (k <= 32) return this.mt.nextUint32() >>> (32 - k);
    const lo = this.mt.nextUint32();
    return (this.mt.nextUint32() >>> (64 - k)) * TWO_POW_32 + lo;
  }

  /** `_randbelow_with_getrandbits(n)`: uniform in [0, n) by rejection, for 1 <= n <= 2^53. */
  randbelow(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 9007199254740992) throw new RangeError(`randbelow: n must be an integer in [1, 2^53], got ${n}`);
    const k = bitLength(n); // up to 54 for n = 2^53
    let r = this.bits54(k);
    while (r >= n) r = this.bits54(k);
    return r;
  }

  /** `random.shuffle(x)` in place (Fisher-Yates from the end). */
  shuffle<T>(arr: T[]): void {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
  }

  /** `random.random()`: 53-bit float in [0, 1) from two outputs. */
  random(): number {
    const a = this.mt.nextUint32() >>> 5;
    const b = this.mt.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

/** Python's int.bit_length for a positive safe integer. */
function bitLength(n: number): number {
  return n < TWO_POW_32 ? 32 - Math.clz32(n) : 32 + (32 - Math.clz32(Math.floor(n / TWO_POW_32)));
}
