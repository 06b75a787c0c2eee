// Reading a whole input file (Node) with limits: only regular files (a device such as /dev/zero
// or a FIFO would be read without end), at most `maxBytes`, and an optional check of the first
// bytes before the rest is read (a 2 GB file whose header is invalid is refused at once).
import * as fs from 'node:fs';
import { MakemoreError, shownPath } from './errors.js';

export interface ReadLimits {
  /** What the file should be, for messages: "word list", "model file". */
  what: string;
  /** The most bytes read; a larger file is refused before reading. */
  maxBytes: number;
  /** Bytes handed to `checkHead` before the rest is read. */
  headBytes?: number;
  /** Throws when the first bytes show the file cannot be what it should be. */
  checkHead?: (head: Uint8Array, size: number) => void;
}

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(0)} MiB`;
}

/** A failed open or read as one line naming the file. */
export function readError(path: string, e: unknown, what: string): MakemoreError {
  if (e instanceof MakemoreError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  // Under /proc and /sys a missing entry is not a missing folder the user could create.
  const why = code === 'ENOENT' && path === '-' ? 'no such file (makemore-ts reads a file, not standard input: give a file name)'
    : code === 'ENOENT' ? 'no such file'
    : code === 'ELOOP' ? 'cannot read: a loop of symbolic links'
    : code === 'ENAMETOOLONG' ? 'cannot read: the name is too long'
    : code === 'EISDIR' ? `is a directory, not a ${what}`
    : code === 'ENOTDIR' ? 'no such file (a folder on the path is a file)'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ERR_FS_FILE_TOO_LARGE' || e instanceof RangeError ? `too large to read into memory`
    : `cannot read (${(e as Error).message.replace(/\s*\n\s*/g, ' ')})`;
  return new MakemoreError(`${shownPath(path)}: ${why}`);
}

/** The bytes of a regular file within `limits`; every problem is a one-line MakemoreError. */
export function readFileLimited(path: string, limits: ReadLimits): Uint8Array {
  let fd: number | null = null;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new MakemoreError(`${path}: is a directory, not a ${limits.what}`);
    if (!st.isFile()) throw new MakemoreError(`${path}: is not a regular file (a device, pipe or socket), not a ${limits.what}`);
    const size = st.size;
    // The first bytes first: they refuse most wrong files of any size.
    const head = new Uint8Array(Math.min(size, limits.headBytes ?? 0));
    let got = 0;
    while (got < head.length) {
      const n = fs.readSync(fd, head, got, head.length - got, got);
      if (n === 0) break;
      got += n;
    }
    limits.checkHead?.(head.subarray(0, got), size);
    if (size > limits.maxBytes) throw new MakemoreError(`${path}: is ${(size / 2 ** 20).toFixed(1)} MiB, more than the ${mib(limits.maxBytes)} a ${limits.what} may have`);
    const buf = new Uint8Array(size);
    buf.set(head.subarray(0, got));
    let at = got;
    while (at < size) {
      const n = fs.readSync(fd, buf, at, size - at, at);
      if (n === 0) break; // the file shrank while being read
      at += n;
    }
    return at === size ? buf : buf.subarray(0, at);
  } catch (e) {
    throw readError(path, e, limits.what);
  } finally {
    if (fd !== null) try { fs.closeSync(fd); } catch { /* ignore */ }
  }
}
