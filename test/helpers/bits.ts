// Float32 reference values stored as base64 little-endian bytes (the tools/*_reference.py
// fixtures), and a bit-for-bit comparison that names how many values differ and the first.
import assert from 'node:assert/strict';

export function f32s(b64: string): Float32Array {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

export function bitEqual(actual: ArrayLike<number>, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let differ = 0;
  let first = -1;
  for (let i = 0; i < expected.length; i++) if (!Object.is(Math.fround(actual[i]), expected[i])) { differ++; if (first < 0) first = i; }
  assert.equal(differ, 0, `${what}: ${differ} of ${expected.length} values differ from PyTorch's (first at ${first}: ${actual[first]} vs ${expected[first]})`);
}
