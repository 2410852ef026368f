/**
 * What trusted storage puts on the normal world's disk, and how it is sealed.
 *
 * Per TA identity (directory `/<uuid>/` or `/<uuid>.<key id>/` under the supplicant's secure-storage root):
 *
 *   dirf.db           the index: every object of the TA (id, blob name, blob size and SHA-256,
 *                     object type/sizes/usage, data size) plus a version number that grows with
 *                     every commit; sealed with the TA's index key.
 *   <16 hex>.obj      one blob per object version: attributes and data stream, sealed with the
 *                     TA's object key; the name is fresh for every write, never reused while the
 *                     index refers to it.
 *
 * Sealed file = header (8 bytes: magic, format version, 3 zero bytes) | IV (12) | tag (16) | ciphertext.
 * AES-256-GCM; AAD = header | TA UUID octets | file name (the blob's own name, or "dirf.db"), so a
 * file moved to another name or another TA does not authenticate. Keys: HMAC-SHA256(HUK, label,
 * UUID and signer) through the HUK subkeys of `tee/huk.ts`, one for objects, one for the index. The IV is synthetic
 * (HMAC(key, AAD | SHA-256(plaintext)), first 12 bytes): a seeded (deterministic) random source
 * can therefore never make two different plaintexts share an IV under one key.
 */
import { TeeError } from '../../abi/errors.js';
import { gcmOpen, gcmSeal, hmac, sha256 } from '../../host/crypto.js';
import { TEE_ERROR_CORRUPT_OBJECT } from '../../abi/results.js';

export const INDEX_NAME = 'dirf.db';
export const INDEX_TMP_NAME = 'dirf.db.tmp';
export const BLOB_SUFFIX = '.obj';
const BLOB_MAGIC = Buffer.from('TBSO', 'ascii');
const INDEX_MAGIC = Buffer.from('TBSI', 'ascii');
const FORMAT_VERSION = 1;
const HEADER = 8;
const IV = 12;
const TAG = 16;
export const SEAL_OVERHEAD = HEADER + IV + TAG;

/** Largest data stream of one object (the whole object is kept in secure memory while open). */
export const MAX_OBJECT_DATA = 16 << 20;
/** Most objects per TA and largest index file. */
export const MAX_OBJECTS = 4096;
export const MAX_INDEX_SIZE = 1 << 20;

/** The two keys of one TA, derived from the HUK and the TA's UUID. */
export interface TaKeys { object: Buffer; index: Buffer; uuid: Buffer }

function header(magic: Buffer): Buffer {
  const h = Buffer.alloc(HEADER);
  magic.copy(h, 0);
  h[4] = FORMAT_VERSION;
  return h;
}

function seal(magic: Buffer, key: Buffer, uuid: Buffer, name: string, plain: Buffer): Buffer {
  const h = header(magic);
  const aad = Buffer.concat([h, uuid, Buffer.from(name, 'utf8')]);
  const iv = hmac('sha256', key, Buffer.from('iv'), aad, sha256(plain)).subarray(0, IV);
  const { ct, tag } = gcmSeal(key, iv, aad, plain);
  return Buffer.concat([h, iv, tag, ct]);
}

function unseal(magic: Buffer, key: Buffer, uuid: Buffer, name: string, file: Uint8Array): Buffer {
  const f = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const h = header(magic);
  if (f.length < SEAL_OVERHEAD || !f.subarray(0, HEADER).equals(h)) throw corrupt(`${name} is not a sealed storage file`);
  const aad = Buffer.concat([h, uuid, Buffer.from(name, 'utf8')]);
  const plain = gcmOpen(key, f.subarray(HEADER, HEADER + IV), aad, f.subarray(SEAL_OVERHEAD), f.subarray(HEADER + IV, SEAL_OVERHEAD));
  if (!plain) throw corrupt(`${name} does not authenticate (modified, moved, or sealed under another key)`);
  return plain;
}

export function corrupt(msg: string): TeeError {
  return new TeeError(TEE_ERROR_CORRUPT_OBJECT, `secure storage: ${msg}`);
}

// ---- object blobs -------------------------------------------------------------------------

/** An attribute as stored: a byte string, or a value pair. */
export type StoredAttr = { id: number; buf: Buffer } | { id: number; a: number; b: number };

/** The sealed contents of one object version. */
export interface ObjectPayload {
  attrs: StoredAttr[];
  data: Buffer;
}

/** Plaintext layout: u32 attr count, attrs {u32 id, u32 kind (0 buffer, 1 value), u32 len | bytes, or u32 a, u32 b}, u32 data length, data. */
export function encodePayload(p: ObjectPayload): Buffer {
  const parts: Buffer[] = [u32(p.attrs.length)];
  for (const a of p.attrs) {
    if ('buf' in a) parts.push(u32(a.id), u32(0), u32(a.buf.length), a.buf);
    else parts.push(u32(a.id), u32(1), u32(a.a), u32(a.b));
  }
  parts.push(u32(p.data.length), p.data);
  return Buffer.concat(parts);
}

export function decodePayload(b: Buffer): ObjectPayload {
  const r = new Reader(b);
  const n = r.u32();
  if (n > 64) throw corrupt('object has too many attributes');
  const attrs: StoredAttr[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.u32();
    const kind = r.u32();
    if (kind === 0) attrs.push({ id, buf: r.bytes(r.u32()) });
    else if (kind === 1) attrs.push({ id, a: r.u32(), b: r.u32() });
    else throw corrupt('object attribute of unknown kind');
  }
  const data = r.bytes(r.u32());
  r.end();
  return { attrs, data };
}

export function sealBlob(keys: TaKeys, name: string, payload: ObjectPayload): Buffer {
  return seal(BLOB_MAGIC, keys.object, keys.uuid, name, encodePayload(payload));
}

export function openBlob(keys: TaKeys, name: string, file: Uint8Array): ObjectPayload {
  return decodePayload(unseal(BLOB_MAGIC, keys.object, keys.uuid, name, file));
}

// ---- index ---------------------------------------------------------------------------------

/** One object as the index knows it. */
export interface IndexEntry {
  id: Buffer;
  /** Blob file name (without directory). */
  blob: string;
  blobSize: number;
  /** SHA-256 of the whole sealed blob file: detects a rolled-back or swapped blob. */
  blobHash: Buffer;
  type: number;
  size: number;
  maxSize: number;
  usage: number;
  dataSize: number;
}

export interface Index {
  /** Grows by one with every commit. */
  version: bigint;
  entries: IndexEntry[];
}

export function encodeIndex(ix: Index): Buffer {
  const parts: Buffer[] = [];
  const v = Buffer.alloc(8);
  v.writeBigUInt64LE(ix.version);
  parts.push(v, u32(ix.entries.length));
  for (const e of ix.entries) {
    const name = Buffer.from(e.blob, 'ascii');
    parts.push(u32(e.id.length), e.id, u32(name.length), name, u32(e.blobSize), e.blobHash,
      u32(e.type), u32(e.size), u32(e.maxSize), u32(e.usage), u32(e.dataSize));
  }
  return Buffer.concat(parts);
}

export function decodeIndex(b: Buffer): Index {
  const r = new Reader(b);
  const version = r.u64();
  const n = r.u32();
  if (n > MAX_OBJECTS) throw corrupt('index lists too many objects');
  const entries: IndexEntry[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.bytes(r.u32());
    const blob = r.bytes(r.u32()).toString('ascii');
    if (id.length > 64 || !/^[0-9a-f]{16}\.obj$/.test(blob)) throw corrupt('index entry is malformed');
    entries.push({
      id, blob, blobSize: r.u32(), blobHash: r.bytes(32), type: r.u32(), size: r.u32(), maxSize: r.u32(),
      usage: r.u32(), dataSize: r.u32(),
    });
  }
  r.end();
  return { version, entries };
}

export function sealIndex(keys: TaKeys, ix: Index): Buffer {
  return seal(INDEX_MAGIC, keys.index, keys.uuid, INDEX_NAME, encodeIndex(ix));
}

export function openIndex(keys: TaKeys, file: Uint8Array): Index {
  return decodeIndex(unseal(INDEX_MAGIC, keys.index, keys.uuid, INDEX_NAME, file));
}

// ---- helpers --------------------------------------------------------------------------------

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}

/** A bounds-checked reader: any overrun is a corrupt object, never a RangeError. */
class Reader {
  private off = 0;
  constructor(private readonly b: Buffer) {}

  u32(): number {
    if (this.off + 4 > this.b.length) throw corrupt('record is truncated');
    const v = this.b.readUInt32LE(this.off);
    this.off += 4;
    return v;
  }

  u64(): bigint {
    if (this.off + 8 > this.b.length) throw corrupt('record is truncated');
    const v = this.b.readBigUInt64LE(this.off);
    this.off += 8;
    return v;
  }

  bytes(n: number): Buffer {
    if (n > this.b.length - this.off) throw corrupt('record is truncated');
    const v = Buffer.from(this.b.subarray(this.off, this.off + n));
    this.off += n;
    return v;
  }

  end(): void {
    if (this.off !== this.b.length) throw corrupt('record has trailing bytes');
  }
}
