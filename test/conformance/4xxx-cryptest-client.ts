/**
 * Client side of the cryptest TA (firmware/ta/cryptest/include/cryptest_ta.h): builds the key
 * and operation blobs and runs one command per call on a shared device. Used by the 4xxx
 * conformance files; not a test file itself.
 */
import { afterAll, beforeAll } from 'vitest';
import type { ParamSpec, SpecResult } from '../../emulator/cli/params.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';

export const CRYPTEST_TA = '7c0a5b1e-3f2d-4c8a-9e61-b2d4f0a8c317';

export const CT = { IV: 0x01, AAD: 0x02, TAG: 0x03, DATA: 0x04, TAGLEN: 0x05, KEY2: 0x06, DKSIZE: 0x07, KEYTYPE: 0x08 } as const;
export const CMD = { DIGEST: 0, MAC: 1, CIPHER: 2, AE: 3, ASYM: 4, DERIVE: 5, GENERATE: 6, MISUSE: 7, COPY: 8, HOSTILE: 9 } as const;
export const MODE = { ENCRYPT: 0, DECRYPT: 1, SIGN: 2, VERIFY: 3, MAC: 4, DIGEST: 5, DERIVE: 6 } as const;

export const TEE_SUCCESS = 0;
export const TEE_ERROR_BAD_PARAMETERS = 0xffff0006;
export const TEE_ERROR_NOT_SUPPORTED = 0xffff000a;
export const TEE_ERROR_SHORT_BUFFER = 0xffff0010;
export const TEE_ERROR_TARGET_DEAD = 0xffff3024;
export const TEE_ERROR_MAC_INVALID = 0xffff3071;
export const TEE_ERROR_SIGNATURE_INVALID = 0xffff3072;
export const TEE_ERROR_CIPHERTEXT_INVALID = 0xf0100006;
export const TEEC_ORIGIN_TEE = 3;

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A record value: bytes, or a value attribute {a, b}. */
export type Field = Uint8Array | { a: number; b: number };

/** Encodes records {u32 id, u32 len, data, pad to 4}. */
export function blob(fields: [number, Field][]): Buffer {
  const parts: Buffer[] = [];
  for (const [id, v] of fields) {
    const data = v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(new Uint32Array([v.a, v.b]).buffer);
    const head = Buffer.alloc(8);
    head.writeUInt32LE(id >>> 0, 0);
    head.writeUInt32LE(data.length, 4);
    parts.push(head, data, Buffer.alloc((4 - (data.length % 4)) % 4));
  }
  return Buffer.concat(parts);
}

/** Decodes a blob (GENERATE output) into a map id -> bytes. */
export function parseBlob(b: Uint8Array): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  const buf = Buffer.from(b);
  for (let off = 0; off + 8 <= buf.length;) {
    const id = buf.readUInt32LE(off);
    const len = buf.readUInt32LE(off + 4);
    out.set(id, buf.subarray(off + 8, off + 8 + len));
    off += 8 + ((len + 3) & ~3);
  }
  return out;
}

/** A key blob: object type, max size in bits, attributes. */
export function key(type: number, bits: number, attrs: [number, Field][]): Buffer {
  return blob([[CT.KEYTYPE, { a: type, b: bits }], ...attrs]);
}

export interface CallResult {
  result: number;
  origin: number;
  out: Buffer;
  size: number;
}

/** One device for a test file, and a session per call (cheap; panics kill only that session). */
export class Cryptest {
  t!: TestDevice;

  /** Registers beforeAll/afterAll hooks that boot and close the device. */
  static shared(): Cryptest {
    const c = new Cryptest();
    beforeAll(() => { c.t = bootDevice(); });
    afterAll(() => c.t?.close());
    return c;
  }

  open(uuid = CRYPTEST_TA): number {
    const r = this.t.client.openSession(uuid);
    if (r.result !== 0) throw new Error(`open ${uuid}: 0x${r.result.toString(16)}`);
    return r.session!;
  }

  invoke(uuid: string, cmd: number, params: ParamSpec[]): SpecResult {
    const s = this.open(uuid);
    try {
      return this.t.client.invoke(s, cmd, params);
    } finally {
      this.t.client.closeSession(s);
    }
  }

  /** Runs a cryptest command. `keyBlob`/`opBlob` undefined -> NONE parameters. */
  run(cmd: number, a: number, b: number, keyBlob: Buffer | undefined, opBlob: Buffer | undefined, outSize: number): CallResult {
    const params: ParamSpec[] = [
      { type: 'value-in', a: a >>> 0, b: b >>> 0 },
      keyBlob ? { type: 'memref-in', data: keyBlob } : { type: 'none' },
      opBlob ? { type: 'memref-in', data: opBlob } : { type: 'none' },
      { type: 'memref-out', size: outSize },
    ];
    const r = this.invoke(CRYPTEST_TA, cmd, params);
    const p = r.params[3];
    const size = p && p.type === 'memref' ? p.size : 0;
    const out = p && p.type === 'memref' ? Buffer.from(p.data.subarray(0, Math.min(size, p.data.length))) : Buffer.alloc(0);
    return { result: r.result >>> 0, origin: r.origin, out, size };
  }

  digest(algo: number, data: Uint8Array, outSize = 64, chunk = 0): CallResult {
    return this.run(CMD.DIGEST, algo, MODE.DIGEST | (chunk << 16), undefined, blob([[CT.DATA, data]]), outSize);
  }

  misuse(scenario: number): CallResult {
    const r = this.invoke(CRYPTEST_TA, CMD.MISUSE, [{ type: 'value-in', a: scenario, b: 0 }]);
    return { result: r.result >>> 0, origin: r.origin, out: Buffer.alloc(0), size: 0 };
  }
}
