/**
 * Client side of the trusted-storage TAs (secure_storage and the test-only storetest, see
 * firmware/ta/storetest/include/storetest_ta.h) for the 6xxx conformance files; not a test file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ParamSpec, SpecResult } from '../../emulator/cli/params.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';

export const SECURE_STORAGE_TA = 'f4e750bb-1437-4fbf-8785-8d3580c34994';
export const STORETEST_TA = '5e1d7c3a-9b2f-4e6d-8a41-0c7f3b9d2e58';

export const TEE_SUCCESS = 0;
export const TEE_ERROR_CORRUPT_OBJECT = 0xf0100001;
export const TEE_ERROR_ACCESS_DENIED = 0xffff0001;
export const TEE_ERROR_ACCESS_CONFLICT = 0xffff0003;
export const TEE_ERROR_BAD_PARAMETERS = 0xffff0006;
export const TEE_ERROR_BAD_STATE = 0xffff0007;
export const TEE_ERROR_ITEM_NOT_FOUND = 0xffff0008;
export const TEE_ERROR_SHORT_BUFFER = 0xffff0010;
export const TEE_ERROR_OVERFLOW = 0xffff300f;
export const TEE_ERROR_TARGET_DEAD = 0xffff3024;

export const TEE_STORAGE_PRIVATE = 1;
export const F = { READ: 0x1, WRITE: 0x2, WRITE_META: 0x4, SHARE_READ: 0x10, SHARE_WRITE: 0x20, OVERWRITE: 0x400 } as const;
export const RW = F.READ | F.WRITE | F.WRITE_META;
export const SEEK = { SET: 0, CUR: 1, END: 2 } as const;
export const CMD = {
  OPEN: 0, CREATE: 1, CLOSE: 2, READ: 3, WRITE: 4, SEEK: 5, TRUNC: 6, RENAME: 7, DELETE: 8, INFO: 9, ENUM: 10,
  CREATE_KEY: 11, GET_KEY: 12, RAW: 13, RESTRICT: 14,
} as const;

const id = (s: string | Uint8Array): Buffer => (typeof s === 'string' ? Buffer.from(s) : Buffer.from(s));
const memIn = (d: Uint8Array): ParamSpec => ({ type: 'memref-in', data: d });
const val = (a: number, b = 0): ParamSpec => ({ type: 'value-in', a: a >>> 0, b: b >>> 0 });

function memOut(r: SpecResult, i: number): Buffer {
  const p = r.params[i];
  return p && p.type === 'memref' ? Buffer.from(p.data.subarray(0, Math.min(p.size, p.data.length))) : Buffer.alloc(0);
}

/** The secure_storage sample TA (its own session per call). */
export class SecureStorage {
  constructor(readonly t: TestDevice) {}

  private call(cmd: number, params: ParamSpec[]): SpecResult {
    const c = this.t.client;
    const o = c.openSession(SECURE_STORAGE_TA);
    if (o.result !== 0) throw new Error(`open secure_storage: 0x${o.result.toString(16)}`);
    try {
      return c.invoke(o.session!, cmd, params);
    } finally {
      c.closeSession(o.session!);
    }
  }

  write(objId: string | Uint8Array, data: Uint8Array): number {
    return this.call(1, [memIn(id(objId)), memIn(data)]).result >>> 0;
  }

  read(objId: string | Uint8Array, size = 64 * 1024): { result: number; data: Buffer; size: number } {
    const r = this.call(0, [memIn(id(objId)), { type: 'memref-out', size }]);
    const p = r.params[1];
    return { result: r.result >>> 0, data: memOut(r, 1), size: p && p.type === 'memref' ? p.size : 0 };
  }

  remove(objId: string | Uint8Array): number {
    return this.call(2, [memIn(id(objId))]).result >>> 0;
  }
}

/** The storetest TA through one long session (handles live in TA slots between calls). */
export class StoreTest {
  session = 0;
  constructor(readonly t: TestDevice) {
    const o = t.client.openSession(STORETEST_TA);
    if (o.result !== 0) throw new Error(`open storetest: 0x${o.result.toString(16)}`);
    this.session = o.session!;
  }

  invoke(cmd: number, params: ParamSpec[]): SpecResult {
    const r = this.t.client.invoke(this.session, cmd, params);
    return { ...r, result: r.result >>> 0 };
  }

  open(objId: string | Uint8Array, flags: number, slot = 0, storage = TEE_STORAGE_PRIVATE): number {
    return this.invoke(CMD.OPEN, [memIn(id(objId)), val(flags, slot), val(storage)]).result;
  }

  create(objId: string | Uint8Array, flags: number, data: Uint8Array = Buffer.alloc(0), slot = 0, storage = TEE_STORAGE_PRIVATE): number {
    return this.invoke(CMD.CREATE, [memIn(id(objId)), val(flags, slot), memIn(data), val(storage)]).result;
  }

  close(slot = 0): number {
    return this.invoke(CMD.CLOSE, [val(slot)]).result;
  }

  read(slot: number, size: number): { result: number; data: Buffer } {
    const r = this.invoke(CMD.READ, [val(slot), { type: 'memref-out', size }]);
    return { result: r.result, data: memOut(r, 1) };
  }

  write(slot: number, data: Uint8Array): number {
    return this.invoke(CMD.WRITE, [val(slot), memIn(data)]).result;
  }

  seek(slot: number, offset: number, whence: number): number {
    return this.invoke(CMD.SEEK, [val(slot, whence), val(offset | 0)]).result;
  }

  trunc(slot: number, size: number): number {
    return this.invoke(CMD.TRUNC, [val(slot, size)]).result;
  }

  rename(slot: number, newId: string | Uint8Array): number {
    return this.invoke(CMD.RENAME, [val(slot), memIn(id(newId))]).result;
  }

  remove(slot = 0): number {
    return this.invoke(CMD.DELETE, [val(slot)]).result;
  }

  restrict(usage: number, slot = 0): number {
    return this.invoke(CMD.RESTRICT, [val(slot), val(usage)]).result;
  }

  info(slot = 0): { result: number; dataSize: number; pos: number; handleFlags: number; type: number; size: number; usage: number } {
    const r = this.invoke(CMD.INFO, [val(slot), { type: 'value-out' }, { type: 'value-out' }, { type: 'value-out' }]);
    const v = (i: number) => r.params[i] as { a: number; b: number };
    return {
      result: r.result, dataSize: v(1).a, pos: v(1).b, handleFlags: v(2).a >>> 0, type: v(2).b >>> 0, size: v(3).a, usage: v(3).b >>> 0,
    };
  }

  /** All objects: ids (as strings) and data sizes, in enumeration order. */
  list(restart = false, storage = TEE_STORAGE_PRIVATE): { result: number; objects: { id: Buffer; size: number }[] } {
    const r = this.invoke(CMD.ENUM, [{ type: 'memref-out', size: 16 * 1024 }, { type: 'value-inout', a: storage, b: 0 }, val(restart ? 1 : 0)]);
    const out = memOut(r, 0);
    const objects: { id: Buffer; size: number }[] = [];
    for (let off = 0; off + 8 <= out.length;) {
      const len = out.readUInt32LE(off);
      objects.push({ id: out.subarray(off + 4, off + 4 + len), size: out.readUInt32LE(off + 4 + len) });
      off += 8 + len;
    }
    return { result: r.result, objects };
  }

  createKey(objId: string, flags: number, key: Uint8Array, data: Uint8Array, slot = 0): number {
    return this.invoke(CMD.CREATE_KEY, [memIn(id(objId)), val(flags, slot), memIn(key), memIn(data)]).result;
  }

  getKey(slot = 0): { result: number; key: Buffer; type: number; size: number } {
    const r = this.invoke(CMD.GET_KEY, [val(slot), { type: 'memref-out', size: 64 }, { type: 'value-out' }]);
    const v = r.params[2] as { a: number; b: number };
    return { result: r.result, key: memOut(r, 1), type: v.a >>> 0, size: v.b };
  }

  raw(which: number, data?: Uint8Array): number {
    const r = this.invoke(CMD.RAW, [val(which), { type: 'value-out' }, ...(data ? [{ type: 'memref-in' as const, data }] : [])]);
    if (r.result !== 0) return r.result;
    return (r.params[1] as { a: number }).a >>> 0;
  }

  end(): void {
    this.t.client.closeSession(this.session);
  }
}

/** Every file under a directory, recursively, with its bytes. */
export function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push({ path: p, bytes: readFileSync(p) });
  }
  return out;
}

/** Boots a device on `stateDir` (kept after close). */
export function bootOn(stateDir: string): TestDevice {
  return bootDevice({ stateDir });
}
