/**
 * MT19937 Mersenne Twister, the engine behind both `torch.Generator` (CPU) and CPython's
 * `random.Random`. Output stream equals `std::mt19937`.
 *
 * `index === 624` means "twist before the next read", which is the state right after seeding
 * (PyTorch's `left = 1` countdown and CPython's `index = 624` are the same thing).
 */

export const MT_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  /** The 624 state words. */
  readonly state: Uint32Array = new Uint32Array(MT_N);
  /** Next word to read; 624 means the state must be regenerated first. */
  index = MT_N;

  constructor(seed?: number) {
    if (seed !== undefined) this.initGenrand(seed);
  }

  /** Knuth-style linear seeding (`init_genrand`); `seed` is taken modulo 2^32. */
  initGenrand(seed: number): void {
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let k = 1; k < MT_N; k++) {
      const prev = mt[k - 1];
      // Uint32Array stores modulo 2^32, so the add needs no extra wrap.
      mt[k] = Math.imul(1812433253, prev ^ (prev >>> 30)) + k;
    }
    this.index = MT_N;
  }

  /** CPython's `init_by_array` (used by `random.seed(int)`); every key word is a u32. */
  initByArray(key: ArrayLike<number>): void {
    const len = key.length;
    if (len === 0) throw new RangeError("initByArray: key must hold at least one word");
    this.initGenrand(19650218);
    const mt = this.state;
    let i = 1;
    let j = 0;
    for (let k = Math.max(MT_N, len); k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = (mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + (key[j] >>> 0) + j;
      i++;
      j++;
      if (i >= MT_N) {
        mt[0] = mt[MT_N - 1];
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = MT_N - 1; k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = (mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i;
      i++;
      if (i >= MT_N) {
        mt[0] = mt[MT_N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000; // guarantees a non-zero initial state
    this.index = MT_N;
  }

  /**
   * Regenerates all 624 words in place (split loops avoid a modulo per word; `-(y & 1) & MATRIX_A`
   * is `y & 1 ? MATRIX_A : 0` without a branch the CPU mispredicts half the time).
   */
  private twist(): void {
    const mt = this.state;
    let k = 0;
    for (; k < MT_N - MT_M; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + MT_M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; k < MT_N - 1; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[k + 1] & LOWER_MASK);
      mt[k] = mt[k + MT_M - MT_N] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    const y = (mt[MT_N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[MT_N - 1] = mt[MT_M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    this.index = 0;
  }

  /** One tempered 32-bit output as a non-negative number in [0, 2^32). */
  nextUint32(): number {
    if (this.index >= MT_N) this.twist();
    return temper(this.state[this.index++]) >>> 0;
  }

  /**
   * The next out.length outputs, as that many nextUint32() calls give them. In bulk because a call
   * per output returns numbers ≥ 2^31 boxed (a heap number each); typed-array stores stay integers.
   */
  fill(out: Uint32Array): void {
    const mt = this.state;
    for (let i = 0; i < out.length; i++) {
      if (this.index >= MT_N) this.twist();
      out[i] = temper(mt[this.index++]);
    }
  }

  /** Copies state and index from another engine. */
  copyFrom(other: MT19937): void {
    this.state.set(other.state);
    this.index = other.index;
  }
}

/** MT19937's tempering of a state word, as a signed 32-bit integer (small enough for V8 to inline). */
function temper(word: number): number {
  let y = word;
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  return y ^ (y >>> 18);
}
