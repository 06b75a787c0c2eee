// safetensors files: 8-byte little-endian header length, a JSON header
// ({name: {dtype, shape, data_offsets}}, "__metadata__": {string: string}), then the raw
// little-endian tensor bytes. Reading validates everything before allocating the data.
import { Tensor, numelOf } from '../tensor/index.js';
import { MakemoreError } from '../errors.js';

const DTYPES = { F32: 4, F64: 8, I32: 4, I64: 8 } as const;
type SafeDType = keyof typeof DTYPES;
/** Headers bigger than this are refused before they are parsed. */
const MAX_HEADER = 100 * 1024 * 1024;

export interface SafetensorsFile {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/** Integer tensors are written as int64 (torch.long), the dtype PyTorch uses for them. */
function dtypeOf(t: Tensor): SafeDType {
  return t.dtype === 'float64' ? 'F64' : t.dtype === 'int32' ? 'I64' : 'F32';
}

/** The little-endian bytes a tensor is stored as. */
function bytesOf(t: Tensor): Uint8Array {
  const d = t.data;
  if (d instanceof Int32Array) {
    const wide = BigInt64Array.from(d, (v) => BigInt(v));
    return new Uint8Array(wide.buffer);
  }
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Serialise tensors and metadata to safetensors bytes (tensors in the given order). */
export function encodeSafetensors(tensors: ReadonlyMap<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const payloads = [...tensors.values()].map(bytesOf);
  let k = 0;
  for (const [name, t] of tensors) {
    const bytes = payloads[k++].byteLength;
    header[name] = { dtype: dtypeOf(t), shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the Python writer does).
  const enc = new TextEncoder();
  json += ' '.repeat((8 - ((8 + enc.encode(json).length) % 8)) % 8);
  const headerBytes = enc.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  // Typed arrays are little-endian on every platform Node and browsers run on.
  for (const p of payloads) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** A name or value from a file as messages show it: at most 60 characters. */
function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/**
 * The header length from the first 8 bytes of a file of `size` bytes, checked (so a reader can
 * refuse a huge file from its first bytes).
 */
export function checkSafetensorsHead(head: Uint8Array, size: number, source: string): bigint {
  const bad = (why: string): never => { throw new MakemoreError(`${source}: not a valid safetensors model file: ${why}`); };
  if (size < 8 || head.length < 8) bad(`the file is ${size} bytes, too short for the 8-byte header length`);
  const hlen = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  if (hlen > BigInt(MAX_HEADER)) bad(`header length ${hlen} is larger than the ${MAX_HEADER}-byte limit`);
  if (hlen > BigInt(size - 8)) bad(`header length ${hlen} runs past the end of the ${size}-byte file`);
  if (hlen < 2n) bad(`header length ${hlen} is too short for a JSON header`);
  return hlen;
}

/** Parse safetensors bytes; `source` names the file in errors. */
export function decodeSafetensors(buf: Uint8Array, source: string): SafetensorsFile {
  const bad = (why: string): never => { throw new MakemoreError(`${source}: not a valid safetensors model file: ${why}`); };
  const hlen = checkSafetensorsHead(buf, buf.length, source);
  const headerEnd = 8 + Number(hlen);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + Number(hlen))));
  } catch (e) {
    bad(`the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) bad('the header is not a JSON object');
  const dataLen = buf.length - headerEnd;
  const entries: [string, SafeDType, number[], number, number][] = [];
  let metadata: Record<string, string> = {};
  for (const [key, v] of Object.entries(header as Record<string, unknown>)) {
    const name = short(key);
    if (key === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) bad('__metadata__ must map strings to strings');
      metadata = v as Record<string, string>;
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null || Array.isArray(e)) bad(`tensor "${name}" has no description`);
    if (typeof e.dtype !== 'string' || !Object.hasOwn(DTYPES, e.dtype)) bad(`tensor "${name}" has unsupported dtype ${short(JSON.stringify(e.dtype) ?? 'none')} (supported: ${Object.keys(DTYPES).join(', ')})`);
    const dtype = e.dtype as SafeDType;
    if (!Array.isArray(e.shape) || e.shape.some((s) => !Number.isSafeInteger(s) || s < 0)) bad(`tensor "${name}" has an invalid shape`);
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || off.some((o) => !Number.isSafeInteger(o) || o < 0) || off[0] > off[1]) bad(`tensor "${name}" has invalid data_offsets`);
    const [s, t] = off as [number, number];
    if (t > dataLen) bad(`tensor "${name}" data_offsets [${s}, ${t}] run past the ${dataLen} bytes of data`);
    if (t - s !== numelOf(shape) * DTYPES[dtype]) bad(`tensor "${name}" has ${t - s} bytes but shape [${short(shape.join(', '))}] of ${dtype} needs ${numelOf(shape) * DTYPES[dtype]}`);
    entries.push([key, dtype, shape, s, t]);
  }
  // An empty tensor (a zero-length range) overlaps nothing.
  const sorted = entries.filter((e) => e[4] > e[3]).sort((a, b) => a[3] - b[3]);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i][3] < sorted[i - 1][4]) bad(`tensors "${short(sorted[i - 1][0])}" and "${short(sorted[i][0])}" overlap`);
  }
  // Bytes after the last tensor's data (two writes run together, a stray append) make the file
  // something other than what was saved: the reference reader refuses them too ("incomplete buffer").
  // (A gap between tensors is left to the model's own checks, which name the missing tensor.)
  const covered = sorted.length === 0 ? 0 : sorted[sorted.length - 1][4];
  if (covered !== dataLen) bad(`${dataLen - covered} bytes after the last tensor's data belong to no tensor (the file was appended to, or two files run together)`);
  const tensors = new Map<string, Tensor>();
  for (const [name, dtype, shape, s, t] of entries) {
    // Copy into a fresh, aligned buffer (a Node Buffer may be a view into a shared pool).
    const ab = new ArrayBuffer(t - s);
    new Uint8Array(ab).set(buf.subarray(headerEnd + s, headerEnd + t));
    let data: Float32Array | Float64Array | Int32Array;
    if (dtype === 'F32') data = new Float32Array(ab);
    else if (dtype === 'F64') data = new Float64Array(ab);
    else if (dtype === 'I32') data = new Int32Array(ab);
    else {
      const big = new BigInt64Array(ab);
      data = new Int32Array(big.length);
      for (let i = 0; i < big.length; i++) {
        if (big[i] > 2147483647n || big[i] < -2147483648n) bad(`tensor "${short(name)}" holds an int64 value that does not fit int32`);
        data[i] = Number(big[i]);
      }
    }
    tensors.set(name, new Tensor(data, shape));
  }
  return { tensors, metadata };
}
