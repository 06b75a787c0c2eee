// Files on disk (Node): atomic writes and reads with one-line errors.
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Tensor } from '../tensor/index.js';
import { MakemoreError } from '../errors.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsFile } from './safetensors.js';

/** The file operations writeFileAtomic uses: Node's fs, or a stand-in in tests (a full disk). */
export interface WriteFs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

const NODE_FS: WriteFs = nodeFs;

/** The temporary file a write of `path` goes through (same folder, so the rename is atomic). */
export function tempPathFor(path: string, pid = process.pid): string {
  return join(dirname(path), `.${basename(path)}.${pid}.tmp`);
}

/** A system error as a reason a user can act on. */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'the folder does not exist';
    case 'ENOTDIR': return 'a part of the path is a file, not a folder';
    case 'EISDIR': return 'it is a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'the file system is read-only';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'ENAMETOOLONG': return 'the file name is too long';
    case 'EIO': return 'input/output error';
    default: return (e as Error).message;
  }
}

/**
 * Write a file atomically: a temporary file in the same folder, fsync, rename. A crash, a kill
 * or a full disk never leaves a partial file where a good one was: `path` holds either its old
 * content or the new one. Temporary files that killed writers left behind are removed.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, fs: WriteFs = NODE_FS): void {
  const tmp = tempPathFor(path);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'w');
    let at = 0;
    while (at < bytes.length) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.unlinkSync(tmp); } catch { /* nothing to clean */ }
    throw new MakemoreError(`cannot write ${path}: ${reason(e)}`);
  }
  if (fs === NODE_FS) {
    syncFolder(dirname(path));
    removeStaleTemps(path);
  }
}

/** Make the rename durable (best effort: not every platform can fsync a folder). */
function syncFolder(dir: string): void {
  let fd: number | null = null;
  try {
    fd = nodeFs.openSync(dir, 'r');
    nodeFs.fsyncSync(fd);
  } catch { /* not supported here */ } finally {
    if (fd !== null) try { nodeFs.closeSync(fd); } catch { /* ignore */ }
  }
}

/** Remove `.<name>.<pid>.tmp` files of `path` whose writer process is gone (killed mid-write). */
function removeStaleTemps(path: string): void {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try { names = nodeFs.readdirSync(dirname(path)); } catch { return; }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pidText = name.slice(prefix.length, -'.tmp'.length);
    if (!/^[0-9]+$/.test(pidText)) continue;
    const pid = Number(pidText);
    if (pid === process.pid || processAlive(pid)) continue;
    try { nodeFs.unlinkSync(join(dirname(path), name)); } catch { /* someone else did */ }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The first bytes of a file (fewer when it is shorter). */
function readHead(path: string, n: number): Uint8Array {
  const fd = nodeFs.openSync(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const got = nodeFs.readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    nodeFs.closeSync(fd);
  }
}

/** Whether a file starts like a safetensors file: a sane header length, then '{'. */
function looksLikeSafetensors(path: string, size: number): boolean {
  const head = readHead(path, 9);
  if (head.length < 9) return false;
  const hlen = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  return hlen >= 2n && hlen <= BigInt(size - 8) && head[8] === 0x7b;
}

/**
 * Check before a long run that `path` can be written as a model file: its folder exists and
 * takes new files, and it is not a folder or a file of another kind (a word list, a document)
 * that a model would replace. Throws a MakemoreError saying why.
 */
export function checkWritableModelPath(path: string, flag = '--out'): void {
  let st: nodeFs.Stats | null = null;
  try {
    st = nodeFs.statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new MakemoreError(`cannot write ${path}: ${reason(e)}`);
  }
  if (st !== null) {
    if (st.isDirectory()) throw new MakemoreError(`cannot write ${path}: it is a directory; give ${flag} a file name`);
    if (!st.isFile()) throw new MakemoreError(`cannot write ${path}: it is not a regular file`);
    let model = false;
    try { model = st.size === 0 || looksLikeSafetensors(path, st.size); } catch { /* unreadable: refuse below */ }
    if (!model) throw new MakemoreError(`${path} exists and is not a model file; refusing to replace it (remove it or choose another ${flag})`);
  }
  // The folder takes new files: create and remove the temporary file a write would use.
  const tmp = tempPathFor(path);
  try {
    nodeFs.closeSync(nodeFs.openSync(tmp, 'w'));
  } catch (e) {
    throw new MakemoreError(`cannot write ${path}: ${reason(e)}`);
  }
  try { nodeFs.unlinkSync(tmp); } catch { /* gone already */ }
}

/** The bytes of a file; a missing file or a folder is a one-line error. */
export function readFileBytes(path: string, what = 'model file'): Uint8Array {
  let buf: Buffer;
  try {
    buf = nodeFs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file'
      : code === 'EISDIR' ? `is a directory, not a ${what}`
      : code === 'ENOTDIR' ? 'no such file (a folder on the path is a file)'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'ERR_FS_FILE_TOO_LARGE' || e instanceof RangeError ? `too large to be a ${what}`
      : `cannot read (${(e as Error).message})`;
    throw new MakemoreError(`${path}: ${why}`);
  }
  return buf;
}

export function saveSafetensors(path: string, tensors: ReadonlyMap<string, Tensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export function loadSafetensors(path: string): SafetensorsFile {
  return decodeSafetensors(readFileBytes(path), path);
}
