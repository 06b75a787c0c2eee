// Files on disk (Node): atomic writes and reads with one-line errors.
import * as nodeFs from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Tensor } from '../tensor/index.js';
import { MakemoreError, shownPath } from '../errors.js';
import { faultPoint } from '../faultPoint.js';
import { readFileLimited } from '../readFile.js';
import { checkSafetensorsHead, decodeSafetensors, encodeSafetensors, type SafetensorsFile } from './safetensors.js';

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

/**
 * The name stem of the temporary and lock files of `path`: `.<name>.`, with a long name cut and
 * a hash added, so that a legal 255-byte file name still has a legal temporary name.
 */
function sideStem(path: string): string {
  const name = basename(path);
  if (Buffer.byteLength(name) <= 200) return `.${name}.`;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `.${Buffer.from(name).subarray(0, 120).toString('utf8').replace(/\uFFFD+$/, '')}~${hash}.`;
}

/** The temporary file a write of `path` goes through (same folder, so the rename is atomic). */
export function tempPathFor(path: string, pid = process.pid): string {
  return join(dirname(path), `${sideStem(path)}${pid}.tmp`);
}

/** The lock file that keeps two processes from writing `path` in turn (see cli/lock.ts). */
export function lockPathFor(path: string): string {
  return join(dirname(path), `${sideStem(path)}lock`);
}

/** Where a write of `path` lands: through a symbolic link to its target, so the link survives. */
export function writeTarget(path: string): string {
  try {
    if (nodeFs.lstatSync(path).isSymbolicLink()) return nodeFs.realpathSync(path);
  } catch { /* missing, or a dangling link: write the path itself */ }
  return path;
}

/** A system error as a reason a user can act on. */
export function reason(e: unknown): string {
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
    case 'ELOOP': return 'a loop of symbolic links';
    case 'EIO': return 'input/output error';
    default: return (e as Error).message;
  }
}

/** reason(e) for a write of `path`: ENOENT in an existing folder (/proc, /sys) is not a missing folder. */
function writeReason(e: unknown, path: string): string {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT' && nodeFs.existsSync(dirname(path))) return 'the folder does not take new files';
  return reason(e);
}

/**
 * Write a file atomically: a temporary file in the same folder, fsync, rename. A crash, a kill
 * or a full disk never leaves a partial file where a good one was: `path` holds either its old
 * content or the new one. Temporary files that killed writers left behind are removed.
 */
export function writeFileAtomic(shownPath: string, bytes: Uint8Array, fs: WriteFs = NODE_FS): void {
  const path = fs === NODE_FS ? writeTarget(shownPath) : shownPath;
  const tmp = tempPathFor(path);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'w');
    // Two halves, so that a test's fault can land between them (faultPoint.ts).
    const half = bytes.length >>> 1;
    let at = 0;
    while (at < half) at += fs.writeSync(fd, bytes, at, half - at);
    faultPoint('write-partial', path);
    while (at < bytes.length) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    faultPoint('write-before-rename', path);
    fs.renameSync(tmp, path);
    faultPoint('write-after-rename', path);
  } catch (e) {
    if (fd !== null) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.unlinkSync(tmp); } catch { /* nothing to clean */ }
    throw new MakemoreError(`cannot write ${shownPath}: ${writeReason(e, path)}`);
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
  const prefix = sideStem(path);
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

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The first bytes of a file (fewer when it is shorter). */
export function readHead(path: string, n: number): Uint8Array {
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

/** What an output may replace: files it recognizes as its own kind (a model, a report). */
export interface OutputKind {
  /** "model", "report": named in the refusal. */
  name: string;
  /** Whether the existing file at `path` (of `size` bytes) is of this kind. */
  recognizes(path: string, size: number): boolean;
}

export const MODEL_KIND: OutputKind = { name: 'model', recognizes: (path, size) => size === 0 || looksLikeSafetensors(path, size) };

/**
 * Check before a long run that `path` can be written as a file of `kind`: its folder exists and
 * takes new files, and it is not a folder or a file of another kind (a word list, a document)
 * that the output would replace. Throws a MakemoreError saying why.
 */
export function checkWritablePath(path: string, flag: string, kind: OutputKind): void {
  if (path === '') throw new MakemoreError(`${flag} '' is not a file name`);
  if (path === '-') throw new MakemoreError(`${flag} - would write a file named "-": makemore-ts writes files, not standard output; give a file name`);
  const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.exec(path);
  if (control !== null) throw new MakemoreError(`cannot write ${path}: the name holds the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (a pasted line break?); give ${flag} a plain file name`);
  if (/[\\/]$/.test(path)) throw new MakemoreError(`cannot write ${path}: it names a folder; give ${flag} a file name`);
  let st: nodeFs.Stats | null = null;
  try {
    st = nodeFs.statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new MakemoreError(`cannot write ${shownPath(path)}: ${reason(e)}`);
  }
  if (st !== null) {
    if (st.isDirectory()) throw new MakemoreError(`cannot write ${path}: it is a directory; give ${flag} a file name`);
    if (!st.isFile()) throw new MakemoreError(`cannot write ${path}: it is not a regular file`);
    let ours = false;
    try { ours = kind.recognizes(path, st.size); } catch { /* unreadable: refuse below */ }
    if (!ours) throw new MakemoreError(`${path} exists and is not a ${kind.name} file; refusing to replace it (remove it or choose another ${flag})`);
  }
  // The folder takes new files: create and remove the temporary file a write would use.
  const tmp = tempPathFor(writeTarget(path));
  try {
    nodeFs.closeSync(nodeFs.openSync(tmp, 'w'));
  } catch (e) {
    throw new MakemoreError(`cannot write ${path}: ${writeReason(e, tmp)}`);
  }
  try { nodeFs.unlinkSync(tmp); } catch { /* gone already */ }
}

/** checkWritablePath for a model file. */
export function checkWritableModelPath(path: string, flag = '--out'): void {
  checkWritablePath(path, flag, MODEL_KIND);
}

/** The most bytes a model file may have (the largest trainable model is 2 GiB). */
export const MAX_MODEL_FILE_BYTES = 2 * 2 ** 30 - 1;

/**
 * The bytes of a model file: a regular file, its header length checked from the first 8 bytes
 * before the rest is read. Every problem is a one-line error naming the file.
 */
export function readFileBytes(path: string, what = 'model file'): Uint8Array {
  return readFileLimited(path, { what, maxBytes: MAX_MODEL_FILE_BYTES, headBytes: 8, checkHead: (head, size) => { checkSafetensorsHead(head, size, path); } });
}

export function saveSafetensors(path: string, tensors: ReadonlyMap<string, Tensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export function loadSafetensors(path: string): SafetensorsFile {
  return decodeSafetensors(readFileBytes(path), path);
}
