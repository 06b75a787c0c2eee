// The notebook's "Linear: activation statistics" experiment: with seed 2147483647,
//   a = randn(1000, 1); b = randn(1000, 1000); c = b @ a
// PyTorch prints a.std() 0.9875972, b.std() 1.0006722, c.std() 31.01242 (c grows by √1000).
// Run: npm run build && node dist/examples/activation-stats.js
import { Generator } from '../src/random/index.js';
import { randn } from '../src/tensor/index.js';

export function activationStats(): { a: number; b: number; c: number } {
  const g = new Generator(2147483647);
  const a = randn([1000, 1], { generator: g });
  const b = randn([1000, 1000], { generator: g });
  const c = b.matmul(a);
  return { a: a.std().item(), b: b.std().item(), c: c.std().item() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = activationStats();
  console.log(`a std ${s.a}`);
  console.log(`b std ${s.b}`);
  console.log(`c std ${s.c}`);
}
