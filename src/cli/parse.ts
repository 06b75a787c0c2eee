// Flag value parsers for commander: each rejects a bad value with a message naming it.
import { InvalidArgumentError } from 'commander';

export function positiveInt(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return n;
}

export function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${v}"`);
  return n;
}

export function integer(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer, got "${v}"`);
  return n;
}

export function positiveNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${v}"`);
  return n;
}

export function nonNegativeNumber(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative number, got "${v}"`);
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
