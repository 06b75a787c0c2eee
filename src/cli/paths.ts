// Files that ship with the package, found relative to this compiled module (dist/src/cli/), so
// the defaults work from any working directory.
import { fileURLToPath } from 'node:url';

/** The bundled word list: 32,033 names. */
export const BUNDLED_DATA = fileURLToPath(new URL('../../../data/names.txt', import.meta.url));
