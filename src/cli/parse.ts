// Flag value parsers for commander: each rejects a bad value with a message naming it.
import { InvalidArgumentError } from 'commander';

/** Decimal notation only ("12", "1e3", "-5"): Number() also reads 0x10, 0b11 and 0o7, which nobody means as a step count. */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** An integer flag value at least `min`; beyond 2^53 the message says so (it is an integer, just too large). */
function intValue(v: string, min: number, expected: string): number {
  const n = Number(v);
  if (DECIMAL.test(v) && Number.isInteger(n) && !Number.isSafeInteger(n) && n >= min) {
    throw new InvalidArgumentError(`expected ${expected}, got "${v}" (beyond ${Number.MAX_SAFE_INTEGER}, the largest integer held exactly)`);
  }
  if (!DECIMAL.test(v) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected ${expected}, got "${v}"`);
  return n;
}

export function positiveInt(v: string): number {
  return intValue(v, 1, 'a positive integer');
}

export function nonNegativeInt(v: string): number {
  return intValue(v, 0, 'a non-negative integer');
}

export function integer(v: string): number {
  return intValue(v, -Infinity, 'an integer');
}

export function positiveNumber(v: string): number {
  const n = Number(v);
  if (!DECIMAL.test(v) || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${v}"`);
  return n;
}

export function nonNegativeNumber(v: string): number {
  const n = Number(v);
  if (!DECIMAL.test(v) || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative number, got "${v}"`);
  return n;
}

/** A number in [0, 1) (dropout's probability). */
export function probability(v: string): number {
  const n = Number(v);
  if (!DECIMAL.test(v) || !(n >= 0 && n < 1)) throw new InvalidArgumentError(`expected a number in [0, 1), got "${v}"`);
  return n;
}

/** "0.9,0.99": two numbers in [0, 1) (AdamW's betas). */
export function betas(v: string): [number, number] {
  const parts = v.split(',').map((x) => x.trim());
  const b = parts.map(Number);
  if (parts.length !== 2 || parts.some((x) => x === '') || !b.every((x) => Number.isFinite(x) && x >= 0 && x < 1)) {
    throw new InvalidArgumentError(`expected two numbers in [0, 1) separated by a comma, got "${v}"`);
  }
  return [b[0], b[1]];
}
