/** Public API of the random module: PyTorch 1.13 CPU generator and CPython's random.Random. */
export { MT19937, MT_N } from "./mt19937.js";
export { fma32, f32ToBits, bitsToF32 } from "./fma32.js";
export { Generator, defaultGenerator, manualSeed, toSeed64, DEFAULT_SEED } from "./generator.js";
export type { GeneratorState } from "./generator.js";
export { PythonRandom } from "./pythonRandom.js";
export { randperm } from "./randperm.js";
