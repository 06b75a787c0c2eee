// Thinning for drawing and saving: long runs have more points than a chart or a file needs.

/** Every k-th item from the first, and the last one always: at most `max` (≥ 2) items, k as small as that allows. */
export function thin<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const stride = Math.ceil((xs.length - 1) / (max - 1));
  const out = xs.filter((_, i) => i % stride === 0);
  if ((xs.length - 1) % stride !== 0) out.push(xs[xs.length - 1]);
  return out;
}
