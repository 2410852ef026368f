/**
 * Regressions found with OP-TEE 4.10.0's os_test (xtest 1006, 1029, 1030), reproduced with the
 * test-only libtls fixture (firmware/ta/libtls): a main TA whose module table (__elf_phdr_info)
 * and TLS live in a library TA, as os_test's do in os_test_lib, and the system PTA reached the way
 * OP-TEE 4.x libutee reaches it. docs/optee-compat.md has the runs with the real os_test.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEE_SUCCESS } from '../../emulator/abi/results.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';

const LIBTLS_TA = '5f376e08-2834-4000-9336-c3213020b1a3';
const LIBTLS_OUT = join(import.meta.dirname, '../../firmware/ta/libtls/out');
const CMD_MODULES = 0;
const CMD_LIB_TLS = 1;
const CMD_SYSTEM_PTA_4X = 2;
const CMD_DLOPEN = 4;
const CMD_DLSYM = 5;
const TEE_ERROR_ITEM_NOT_FOUND = 0xffff0008;

let dev: TestDevice;
beforeAll(() => { dev = bootDevice({ taPaths: [LIBTLS_OUT], watchdogMs: 2000 }); });
afterAll(() => dev?.close());

function call(cmd: number) {
  const s = dev.client.openSession(LIBTLS_TA);
  expect(s.result, 'open libtls').toBe(TEE_SUCCESS);
  const r = dev.client.invoke(s.session!, cmd, [{ type: 'value-out' }]);
  dev.client.closeSession(s.session!);
  return r;
}

describe('os_test regressions (libtls fixture)', () => {
  it('1030: the module table defined in a library TA lists both modules (dl_iterate_phdr)', () => {
    expect(call(CMD_MODULES)).toMatchObject({ result: TEE_SUCCESS, params: [{ type: 'value', a: 2, b: 0x11b }] });
  });

  it('1030: dlopen() of a library TA adds it to the module table; a second dlopen() adds nothing', () => {
    const s = dev.client.openSession(LIBTLS_TA);
    const dlopen = () => dev.client.invoke(s.session!, CMD_DLOPEN, [{ type: 'value-out' }]);
    expect(dlopen()).toMatchObject({ result: TEE_SUCCESS, params: [{ type: 'value', a: 3, b: TEE_SUCCESS }] });
    expect(dlopen()).toMatchObject({ result: TEE_SUCCESS, params: [{ type: 'value', a: 3, b: TEE_SUCCESS }] });
    // The linked library's TLS still works after the table moved.
    expect(dev.client.invoke(s.session!, CMD_LIB_TLS, [{ type: 'value-out' }]).params[0]).toMatchObject({ a: 0x11b7, b: 1 });
    dev.client.closeSession(s.session!);
  });

  it('1022: dlsym() finds functions and objects through a dlopen()ed handle and dlopen(NULL)\'s; a missing name is ITEM_NOT_FOUND', () => {
    const s = dev.client.openSession(LIBTLS_TA);
    const r = dev.client.invoke(s.session!, CMD_DLSYM, [{ type: 'value-out' }, { type: 'value-out' }]);
    dev.client.closeSession(s.session!);
    expect(r).toMatchObject({
      result: TEE_SUCCESS,
      params: [{ type: 'value', a: 0xd1, b: 0x11b7 }, { type: 'value', a: TEE_ERROR_ITEM_NOT_FOUND, b: 0xd1 }],
    });
  });

  it('1029: __thread variables of a library TA have their initial values and their own block', () => {
    const r = call(CMD_LIB_TLS);
    expect(r).toMatchObject({ result: TEE_SUCCESS, params: [{ type: 'value', a: 0x11b7, b: 1 }] });
  });

  it('1006: system PTA with ret_orig NULL and MAP_ZI value1 INOUT, then a nested session over the mapping', () => {
    // value0: a = first failing step (0 = none), b = its result.
    expect(call(CMD_SYSTEM_PTA_4X)).toMatchObject({ result: TEE_SUCCESS, params: [{ type: 'value', a: 0, b: 0 }] });
    expect(dev.lines('secure').filter((l) => l.includes('E/TC'))).toEqual([]);
  });
});
