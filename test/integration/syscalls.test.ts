/**
 * Every implemented syscall's success and failure paths, driven with raw arguments through the
 * sysprobe TA (tagged arguments point into the TA: S = private scratch, P = client shared
 * memory, R = read-only data in the TA image).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_NOT_SUPPORTED,
  TEE_ERROR_SHORT_BUFFER, TEE_ERROR_TARGET_DEAD, TEE_ERROR_TIME_NOT_SET, TEE_SUCCESS,
} from '../../emulator/abi/results.js';
import { HELLO_WORLD, SYSPROBE_TA, WILDPTR_TA, bootDevice, type TestDevice } from '../helpers/device.js';

const S = (off = 0) => (0x5c5cn << 48n) | BigInt(off);
const P = (off = 0) => (0x5d5dn << 48n) | BigInt(off);
const R = (off = 0) => (0x5e5en << 48n) | BigInt(off);
const UNMAPPED = 0xdead000000n;
const READ = 1, WRITE = 2, ANY_OWNER = 4, NONSECURE = 0x10000000, SECURE = 0x20000000;

let dev: TestDevice;
let session: number;
beforeAll(() => {
  dev = bootDevice({ trace: true });
  session = dev.client.openSession(SYSPROBE_TA).session!;
});
afterAll(() => dev?.close());

/** One raw syscall; returns its result and the scratch buffer afterwards. */
function raw(num: number, args: (bigint | number)[], scratch: Uint8Array = Buffer.alloc(256)) {
  const block = Buffer.alloc(72);
  for (let i = 0; i < 8; i++) block.writeBigUInt64LE(BigInt.asUintN(64, BigInt(args[i] ?? 0)), 8 * i);
  block.writeBigUInt64LE(BigInt(num), 64);
  const r = dev.client.invoke(session, 0, [
    { type: 'memref-in', data: block }, { type: 'memref-inout', data: scratch }, { type: 'value-out' },
  ]);
  if (r.result !== TEE_SUCCESS) return { result: r.result, origin: r.origin, scratch: Buffer.alloc(0) };
  const out = r.params[1]!;
  const value = r.params[2]!;
  return {
    result: value.type === 'value' ? value.a : -1,
    origin: r.origin,
    scratch: Buffer.from(out.type === 'memref' ? out.data : []),
  };
}

const u32 = (n: number) => { const b = Buffer.alloc(256); b.writeUInt32LE(n); return b; };

describe('LOG (1)', () => {
  it('prints the TA\'s text on the secure console', () => {
    expect(raw(1, [S(), 13], Buffer.from('probe: hello\n')).result).toBe(TEE_SUCCESS);
    expect(dev.lines('secure')).toContain('probe: hello');
  });
  it('refuses unmapped and overflowing buffers', () => {
    expect(raw(1, [0x10, 64]).result).toBe(TEE_ERROR_ACCESS_DENIED);
    expect(raw(1, [S(), 0xfffffffffffffff0n]).result).toBe(TEE_ERROR_ACCESS_DENIED);
  });
});

describe('GET_PROPERTY (3) and GET_PROPERTY_NAME_TO_INDEX (4)', () => {
  const TEE_IMPL = 0xfffffffd;
  it('returns a property value, its type and its name', () => {
    const scratch = Buffer.alloc(256);
    scratch.writeUInt32LE(64, 128); // blen
    scratch.writeUInt32LE(64, 132); // name_len
    const r = raw(3, [TEE_IMPL, 1, S(192), S(132), S(0), S(128), S(136)], scratch);
    expect(r.result).toBe(TEE_SUCCESS);
    expect(r.scratch.subarray(0, 6).toString()).toBe('OPTEE\0');
    expect(r.scratch.readUInt32LE(128)).toBe(6);
    expect(r.scratch.readUInt32LE(136)).toBe(4); // USER_TA_PROP_TYPE_STRING
    expect(r.scratch.subarray(192, 192 + 20).toString()).toBe('gpd.tee.description\0');
  });
  it('reports SHORT_BUFFER with the size it needs', () => {
    const scratch = Buffer.alloc(256);
    scratch.writeUInt32LE(2, 128); // blen: too small for "OPTEE\0"
    const r = raw(3, [TEE_IMPL, 1, 0, 0, S(0), S(128), 0], scratch);
    expect(r.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(r.scratch.readUInt32LE(128)).toBe(6);
  });
  it('refuses unknown indexes, unknown sets and bad pointers', () => {
    expect(raw(3, [TEE_IMPL, 999, 0, 0, 0, 0, 0]).result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(raw(3, [0x1234, 0, 0, 0, 0, 0, 0]).result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(raw(3, [TEE_IMPL, 0, 0, 0, 0, 0, UNMAPPED]).result).toBe(TEE_ERROR_ACCESS_DENIED);
  });
  it('finds a property index by name', () => {
    const name = Buffer.from('gpd.tee.deviceID\0');
    const scratch = Buffer.alloc(256);
    name.copy(scratch);
    const r = raw(4, [TEE_IMPL, S(0), name.length, S(200)], scratch);
    expect(r.result).toBe(TEE_SUCCESS);
    expect(r.scratch.readUInt32LE(200)).toBe(2);
    expect(raw(4, [TEE_IMPL, S(0), 5, S(200)], Buffer.from('nope\0')).result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(raw(4, [TEE_IMPL, 0, 5, S(200)]).result).toBe(TEE_ERROR_BAD_PARAMETERS);
  });
});

describe('TA-to-TA syscalls (5, 6, 7)', () => {
  const helloUuid = Buffer.from([0x00, 0xf2, 0xaa, 0x8a, 0x50, 0x24, 0xe4, 0x11, 0xab, 0xe2, 0x00, 0x02, 0xa5, 0xd5, 0xc5, 0x1b]);
  it('opens, invokes and closes a session to another TA', () => {
    const scratch = Buffer.alloc(256);
    helloUuid.copy(scratch, 0);
    // utee_params at 32: types VALUE_INOUT in slot 0, value a = 7
    scratch.writeBigUInt64LE(3n, 32);
    scratch.writeBigUInt64LE(7n, 40);
    const o = raw(5, [S(0), 0, 0, S(200), S(204)], scratch);
    expect(o.result).toBe(TEE_SUCCESS);
    const handle = o.scratch.readUInt32LE(200);
    const inv = raw(7, [handle, 0, 0, S(32), S(204)], o.scratch);
    expect(inv.result).toBe(TEE_SUCCESS);
    expect(inv.scratch.readBigUInt64LE(40)).toBe(8n);
    expect(inv.scratch.readUInt32LE(204)).toBe(4); // origin TRUSTED_APP
    expect(raw(6, [handle]).result).toBe(TEE_SUCCESS);
    expect(raw(6, [handle]).result).toBe(TEE_ERROR_BAD_PARAMETERS);
  });
  it('refuses bad UUID pointers, unknown sessions and bad parameter blocks', () => {
    expect(raw(5, [UNMAPPED, 0, 0, S(200), S(204)]).result).toBe(TEE_ERROR_ACCESS_DENIED);
    expect(raw(7, [0x777, 0, 0, 0, S(204)]).result).toBe(TEE_ERROR_BAD_PARAMETERS);
    const scratch = Buffer.alloc(256);
    helloUuid.copy(scratch, 0);
    expect(raw(5, [S(0), 0, R(0), S(200), S(204)], scratch).result).toBe(TEE_ERROR_ACCESS_DENIED);
    scratch.writeBigUInt64LE(5n, 32); // MEMREF_INPUT with a NULL buffer but a size
    scratch.writeBigUInt64LE(0n, 40);
    scratch.writeBigUInt64LE(16n, 48);
    expect(raw(5, [S(0), 0, S(32), S(200), S(204)], scratch).result).toBe(TEE_ERROR_BAD_PARAMETERS);
  });
  it('reports ITEM_NOT_FOUND with origin TEE for a TA that does not exist', () => {
    const scratch = Buffer.alloc(256, 0x42);
    const r = raw(5, [S(0), 0, 0, S(200), S(204)], scratch);
    expect(r.result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(r.scratch.readUInt32LE(204)).toBe(3);
  });
});

describe('CHECK_ACCESS_RIGHTS (8)', () => {
  it('follows OP-TEE: ownership, permissions, security, overflow', () => {
    expect(raw(8, [READ | WRITE, S(0), 64]).result).toBe(TEE_SUCCESS);
    expect(raw(8, [READ, R(0), 8]).result).toBe(TEE_SUCCESS);
    expect(raw(8, [WRITE, R(0), 8]).result).toBe(TEE_ERROR_ACCESS_DENIED);
    expect(raw(8, [READ, P(0), 8]).result).toBe(TEE_ERROR_ACCESS_DENIED); // client memory is not TA-private
    expect(raw(8, [READ | ANY_OWNER, P(0), 8]).result).toBe(TEE_SUCCESS);
    expect(raw(8, [READ | ANY_OWNER | NONSECURE, P(0), 8]).result).toBe(TEE_SUCCESS);
    expect(raw(8, [READ | ANY_OWNER | SECURE, P(0), 8]).result).toBe(TEE_ERROR_ACCESS_DENIED);
    expect(raw(8, [READ | SECURE | NONSECURE, S(0), 8]).result).toBe(TEE_ERROR_ACCESS_DENIED);
    expect(raw(8, [READ | ANY_OWNER, UNMAPPED, 8]).result).toBe(TEE_ERROR_ACCESS_DENIED);
    expect(raw(8, [READ, S(0), 0xfffffffffffffff0n]).result).toBe(TEE_ERROR_ACCESS_DENIED);
  });
});

describe('cancellation (9, 10, 11) and WAIT (12)', () => {
  it('reads the flag and masks/unmasks with the old mask returned', () => {
    const f = raw(9, [S(0)], u32(7));
    expect(f.result).toBe(TEE_SUCCESS);
    expect(f.scratch.readUInt32LE(0)).toBe(0);
    const unmask = raw(10, [S(0)]);
    expect(unmask.result).toBe(TEE_SUCCESS);
    expect(unmask.scratch.readUInt32LE(0)).toBe(1); // masked by default
    const mask = raw(11, [S(0)]);
    expect(mask.scratch.readUInt32LE(0)).toBe(0);
    expect(raw(9, [R(0)]).result).toBe(TEE_ERROR_ACCESS_DENIED);
    expect(raw(10, [UNMAPPED]).result).toBe(TEE_ERROR_ACCESS_DENIED);
  });
  it('waits', () => {
    expect(raw(12, [1]).result).toBe(TEE_SUCCESS);
  });
});

describe('time (13, 14)', () => {
  it('gives system time, refuses bad categories and pointers', () => {
    const r = raw(13, [0, S(0)]);
    expect(r.result).toBe(TEE_SUCCESS);
    expect(r.scratch.readUInt32LE(4)).toBeLessThan(1000);
    expect(raw(13, [7, S(0)]).result).toBe(TEE_ERROR_BAD_PARAMETERS);
    expect(raw(13, [0, R(0)]).result).toBe(TEE_ERROR_ACCESS_DENIED);
    expect(raw(13, [2, S(0)]).result).toBe(TEE_SUCCESS);
  });
  it('keeps TA persistent time once set', () => {
    expect(raw(13, [1, S(0)]).result).toBe(TEE_ERROR_TIME_NOT_SET);
    const t = Buffer.alloc(256);
    t.writeUInt32LE(1000, 0);
    t.writeUInt32LE(5, 4);
    expect(raw(14, [S(0)], t).result).toBe(TEE_SUCCESS);
    const r = raw(13, [1, S(0)]);
    expect(r.result).toBe(TEE_SUCCESS);
    expect(r.scratch.readUInt32LE(0)).toBeGreaterThanOrEqual(1000);
    t.writeUInt32LE(1000, 4);
    expect(raw(14, [S(0)], t).result).toBe(TEE_ERROR_BAD_PARAMETERS);
    expect(raw(14, [UNMAPPED]).result).toBe(TEE_ERROR_ACCESS_DENIED);
  });
});

describe('random (33) and cache maintenance (70)', () => {
  it('fills a buffer with random bytes and refuses read-only or overflowing ones', () => {
    const r = raw(33, [S(0), 32]);
    expect(r.result).toBe(TEE_SUCCESS);
    expect(r.scratch.subarray(0, 32).some((b) => b !== 0)).toBe(true);
    expect(r.scratch.subarray(32).every((b) => b === 0)).toBe(true);
    expect(raw(33, [R(0), 8]).result).toBe(TEE_ERROR_ACCESS_DENIED);
    expect(raw(33, [0x1000, 0xfffffffffffffff0n]).result).toBe(TEE_ERROR_ACCESS_DENIED);
  });
  it('accepts clean/flush/invalidate on writable memory for a TA with the cache flag', () => {
    expect(raw(70, [S(0), 64, 0]).result).toBe(TEE_SUCCESS);
    expect(raw(70, [S(0), 64, 2]).result).toBe(TEE_SUCCESS);
    expect(raw(70, [S(0), 64, 9]).result).toBe(TEE_ERROR_BAD_PARAMETERS);
    expect(raw(70, [R(0), 8, 0]).result).toBe(TEE_ERROR_ACCESS_DENIED);
  });
});

describe('numbers without a service', () => {
  it('answers NOT_SUPPORTED for retired and unknown numbers and traces them by name', () => {
    const before = dev.events.length;
    expect(raw(55, []).result).toBe(TEE_ERROR_NOT_SUPPORTED);
    expect(raw(69, []).result).toBe(TEE_ERROR_NOT_SUPPORTED);
    expect(raw(200, []).result).toBe(TEE_ERROR_NOT_SUPPORTED);
    const names = dev.events.slice(before).flatMap((e) => (e.type === 'syscall' && e.result === TEE_ERROR_NOT_SUPPORTED ? [e.name] : []));
    expect(names).toEqual(expect.arrayContaining(['SE_SERVICE_OPEN', 'unknown 200']));
  });
});

describe('RETURN (0) and PANIC (2) from raw code', () => {
  it('RETURN ends the entry with the TA\'s code', () => {
    expect(raw(0, [0x1234])).toMatchObject({ result: 0x1234, origin: 4 });
  });
  it('PANIC kills the instance', () => {
    expect(raw(2, [0xbad])).toMatchObject({ result: TEE_ERROR_TARGET_DEAD, origin: 3 });
    session = dev.client.openSession(SYSPROBE_TA).session!;
  });
});

describe('the wildptr TA', () => {
  it('gets ACCESS_DENIED for each wild pointer and keeps running', () => {
    const s = dev.client.openSession(WILDPTR_TA).session!;
    for (const cmd of [0, 1, 2, 3]) {
      const r = dev.client.invoke(s, cmd, [{ type: 'value-out' }]);
      expect(r.result, `command ${cmd}`).toBe(TEE_SUCCESS);
      expect(r.params[0], `command ${cmd}`).toEqual({ type: 'value', a: TEE_ERROR_ACCESS_DENIED, b: 0 });
    }
    dev.client.closeSession(s);
    const h = dev.client.openSession(HELLO_WORLD);
    expect(h.result).toBe(TEE_SUCCESS);
    dev.client.closeSession(h.session!);
  });
});
