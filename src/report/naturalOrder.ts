// Legend order for names with numbers in them: "layer 2" before "layer 11" (text order puts 11 first).

const CHUNKS = /(\d+)|(\D+)/g;

/** Compares two names chunk by chunk, runs of digits by their value. */
export function naturalCompare(a: string, b: string): number {
  const ca = a.match(CHUNKS) ?? [];
  const cb = b.match(CHUNKS) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i], y = cb[i];
    const nx = /^\d/.test(x), ny = /^\d/.test(y);
    const d = nx && ny ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/** The distinct names in natural order. */
export function naturalOrder(names: Iterable<string>): string[] {
  return [...new Set(names)].sort(naturalCompare);
}
