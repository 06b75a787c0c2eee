// Stand-in for node:fs in the browser bundle: the library's readWords (Node-only) is reachable
// through src/data/index.ts but the page never calls it; it reads text with parseWords instead.
const unavailable = (): never => {
  throw new Error('node:fs is not available in the browser');
};
export const readFileSync = unavailable;
export const statSync = unavailable;
export const openSync = unavailable;
export const writeSync = unavailable;
export const fsyncSync = unavailable;
export const closeSync = unavailable;
export const renameSync = unavailable;
export const unlinkSync = unavailable;
export default { readFileSync, statSync, openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync };
