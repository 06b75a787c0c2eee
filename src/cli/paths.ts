// Files that ship with the package, found relative to this compiled module (dist/src/cli/), so
// the defaults work from any working directory.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED_LABEL } from '../data/words.js';

/** The bundled word list: 32,033 names. */
export const BUNDLED_DATA = fileURLToPath(new URL('../../../data/names.txt', import.meta.url));

export { BUNDLED_LABEL };

/** The package's version, from its package.json (`makemore --version`). */
export function packageVersion(): string {
  const json: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  const v = (json as { version?: unknown }).version;
  if (typeof v !== 'string') throw new Error('package.json has no "version" string');
  return v;
}

/** The data path to record in a model file: absolute, so commands run from another folder find it. */
export function dataLabel(path: string): string {
  return path === BUNDLED_DATA ? BUNDLED_LABEL : resolve(path);
}

/** A recorded data path back to a file path. */
export function resolveData(label: string): string {
  return label === BUNDLED_LABEL ? BUNDLED_DATA : label;
}
