// fma32 emulation: single rounding of a*b+c to float32, including double-rounding traps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fma32, bitsToF32, f32ToBits } from "../src/random/index.js";

const f32 = Math.fround;
const EPS = 2 ** -23; // ulp of 1 in float32

test("exact and ordinary cases", () => {
  assert.equal(fma32(2, 3, 4), 10);
  assert.equal(fma32(f32(0.1), f32(0.2), f32(0.3)), f32(f32(0.1) * f32(0.2) + f32(0.3)));
  assert.equal(fma32(1.5, 1, 0), 1.5);
  assert.ok(Number.isNaN(fma32(NaN, 1, 0)));
  assert.equal(fma32(Infinity, 1, 1), Infinity);
});

test("halfway case rounds by the sign of the lost low bits", () => {
  // a*b = 1 + 2^-24 + 2^-47 exactly ( (1+2^-24)... built from float32 factors ), c = -2^-60:
  // a = 1 + 2^-23, b = 1 + 2^-24? b must be float32: use a = 1+2^-12, b = 1+2^-12 -> 1 + 2^-11 + 2^-24.
  const a = 1 + 2 ** -12;
  const b = 1 + 2 ** -12;
  const exact = 1 + 2 ** -11 + 2 ** -24; // midpoint between 1+2^-11 and 1+2^-11+2^-23
  assert.equal(a * b, exact);
  // c tiny positive: float64 sum rounds back onto the midpoint, true value is above it -> round up
  const tiny = 2 ** -80;
  assert.equal(a * b + tiny, exact); // float64 loses tiny
  assert.equal(f32(exact), 1 + 2 ** -11); // ties-to-even goes down
  assert.equal(fma32(a, b, tiny), 1 + 2 ** -11 + EPS);
  assert.equal(fma32(a, b, -tiny), 1 + 2 ** -11);
  assert.equal(fma32(a, b, 0), 1 + 2 ** -11); // an exact tie keeps round-half-even
  // odd neighbour below: midpoint of (1+3*2^-23, 1+4*2^-23) ties to even = up
  const c = 1 + 3 * EPS + EPS / 2; // exact in float64
  assert.equal(fma32(1, c, 0), 1 + 4 * EPS);
  assert.equal(fma32(-a, b, -tiny), -(1 + 2 ** -11 + EPS));
  assert.equal(fma32(-a, b, tiny), -(1 + 2 ** -11));
});

test("product not representable in float32 is rounded once with the addend", () => {
  // a*a = 1 + 2^-11 + 2^-24 (a float32 midpoint); fused with -1 it is exactly 2^-11 + 2^-24,
  // unfused the product first ties to 1 + 2^-11.
  const a = 1 + 2 ** -12;
  assert.equal(fma32(a, a, -1), 2 ** -11 + 2 ** -24);
  assert.equal(f32(f32(a * a) - 1), 2 ** -11);
});

test("bit helpers round-trip", () => {
  assert.equal(f32ToBits(1), 0x3f800000);
  assert.equal(bitsToF32(0x40c90fdb), f32(2 * Math.PI));
  assert.equal(f32ToBits(bitsToF32(0xbf800000)), 0xbf800000);
});
