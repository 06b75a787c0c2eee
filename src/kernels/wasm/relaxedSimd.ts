// Whether this engine accepts WebAssembly relaxed SIMD (f32x4.relaxed_madd, the fused
// multiply-add a fast mode would use). Node ≥ 22 and current browsers have it; Node 20 has it
// behind V8's --experimental-wasm-relaxed-simd, which `enableRelaxedSimd` sets (before compiling).

/** The smallest module using f32x4.relaxed_madd: (func (result v128) (relaxed_madd 0 0 0)). */
function probeBytes(): Uint8Array<ArrayBuffer> {
  const zero = new Array<number>(16).fill(0);
  const v128Const = [0xfd, 0x0c, ...zero];
  const body = [0x00, ...v128Const, ...v128Const, ...v128Const, 0xfd, 0x85, 0x02, 0x0b];
  const code = [0x01, body.length, ...body];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () → v128
    0x03, 0x02, 0x01, 0x00, // function section
    0x0a, code.length, ...code]);
}

/** True when WebAssembly.validate accepts a relaxed-SIMD instruction in this engine now. */
export function relaxedSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(probeBytes());
  } catch {
    return false;
  }
}

/**
 * Node 20: switch on V8's relaxed SIMD (before any module using it is compiled). Returns whether
 * relaxed SIMD is supported afterwards; a no-op where it already is or where `v8` is not given.
 */
export function enableRelaxedSimd(v8: { setFlagsFromString(flags: string): void } | null): boolean {
  if (relaxedSimdSupported() || v8 === null) return relaxedSimdSupported();
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return relaxedSimdSupported();
}
