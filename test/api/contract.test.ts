/**
 * 0xxx the protocol contract: its GP constants agree with the emulator's, and its validators
 * accept what the client library sends and refuse what it must not.
 */
import { describe, expect, it } from 'vitest';
import * as P from '../../emulator/abi/protocol.js';
import * as R from '../../emulator/abi/results.js';
import * as E from '../../emulator/abi/client-api.js';

describe('0000 protocol contract', () => {
  it('0001 TEEC result codes and origins match emulator/tee', () => {
    for (const [name, value] of Object.entries(P)) {
      if (!name.startsWith('TEEC_ERROR_')) continue;
      const tee = (R as Record<string, unknown>)[name.replace('TEEC_', 'TEE_')];
      expect(tee, name).toBe(value);
    }
    expect(P.TEEC_ORIGIN_API).toBe(E.TEEC_ORIGIN_API);
    expect(P.TEEC_ORIGIN_COMMS).toBe(E.TEEC_ORIGIN_COMMS);
    expect(P.TEEC_ORIGIN_TEE).toBe(E.TEEC_ORIGIN_TEE);
    expect(P.TEEC_ORIGIN_TRUSTED_APP).toBe(E.TEEC_ORIGIN_TRUSTED_APP);
  });

  it('0002 protocol error codes are unique and carry a result and origin', () => {
    const codes = Object.values(P.ProtocolError).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of Object.values(P.ProtocolError)) {
      expect(e.result >>> 0).toBeGreaterThan(0xffff0000 - 1);
      expect([1, 2, 3]).toContain(e.origin);
    }
  });

  it('0003 argument checks: required, optional, unknown keys, types', () => {
    expect(P.checkArgs('invokeCommand', { session: 1, cmd: 0, params: [{ type: P.TEEC_VALUE_INOUT, a: 1, b: 2 }] })).toBeUndefined();
    expect(P.checkArgs('invokeCommand', { session: 1, cmd: 0, params: [{ type: 4 }] })).toMatch(/params/);
    expect(P.checkArgs('invokeCommand', { session: 1, cmd: -1, params: [] })).toMatch(/cmd/);
    expect(P.checkArgs('invokeCommand', { session: 1, cmd: 0, params: [], bogus: 1 })).toMatch(/unknown argument/);
    expect(P.checkArgs('openSession', { context: 1, uuid: 'nope', login: 0, params: [] })).toMatch(/uuid/);
    expect(P.checkArgs('installTA', { bytes: 'not bytes' })).toMatch(/bytes/);
    expect(P.checkArgs('info', [])).toMatch(/map/);
    // Names that every plain object inherits are unknown too (a lookup table must not find them).
    expect(P.checkArgs('invokeCommand', { session: 1, cmd: 0, params: [], constructor: 1 })).toMatch(/unknown argument "constructor"/);
    expect(P.checkArgs('info', { toString: 'x' })).toMatch(/unknown argument "toString"/);
    expect(P.checkArgs('invokeCommand', { session: 1, cmd: 0, params: [{ type: P.TEEC_VALUE_INPUT, a: 1, hasOwnProperty: 2 }] })).toMatch(/params/);
    expect(P.checkArgs('invokeCommand', { session: 1, cmd: 0, params: [{ type: P.TEEC_VALUE_INPUT, a: 1 }, { type: P.TEEC_NONE }, { type: P.TEEC_NONE }, { type: P.TEEC_NONE }, { type: P.TEEC_NONE }] })).toMatch(/params/);
    expect(P.TEEC_PARAM_TYPES(1, 2, 3, 0xf)).toBe(0xf321);
    expect(P.TEEC_PARAM_TYPE_GET(0xf321, 3)).toBe(0xf);
  });
});
