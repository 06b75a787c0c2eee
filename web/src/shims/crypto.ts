// Stand-in for node:crypto in the browser bundle: PythonRandom seeds itself from randomBytes only
// when given no seed (the page always gives one); the Web Crypto API does the same job.
export function randomBytes(n: number): Uint8Array & { readUInt32LE(offset: number): number } {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  const view = new DataView(out.buffer);
  return Object.assign(out, { readUInt32LE: (offset: number) => view.getUint32(offset, true) });
}
export default { randomBytes };
