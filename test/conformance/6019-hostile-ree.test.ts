/**
 * 6019 hostile normal world: the supplicant's file server answers with wrong sizes, garbage or
 * errors. The TA gets TEE_ERROR_CORRUPT_OBJECT / ITEM_NOT_FOUND / a storage error, never a
 * crash; the device keeps working once the file server behaves again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsServer } from '../../emulator/ree/fs-server.js';
import { OPTEE_RPC_CMD_FS, type MsgArg } from '../../emulator/abi/optee-msg.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';
import { SecureStorage, TEE_ERROR_CORRUPT_OBJECT, TEE_ERROR_ITEM_NOT_FOUND, TEE_SUCCESS } from './6xxx-storage-client.js';

const FS_OPEN = 0;
const FS_READ = 3;

let t: TestDevice;
let honest: FsServer;
beforeAll(() => {
  t = bootDevice();
  honest = new FsServer(t.device.stateDir, t.device.supplicantService);
});
afterAll(() => t?.close());

/** Serves FS RPCs honestly, then lets `lie` edit the answer. */
function hostile(lie: (arg: MsgArg) => void): void {
  t.device.supplicantService.handle(OPTEE_RPC_CMD_FS, (arg) => {
    honest.serve(arg);
    lie(arg);
  });
}
function behave(): void {
  t.device.supplicantService.handle(OPTEE_RPC_CMD_FS, honest.handler());
}

describe('6019 hostile normal world', () => {
  it('6019.1 a READ that reports one byte less or more than the blob is CORRUPT_OBJECT', () => {
    const ss = new SecureStorage(t);
    behave();
    expect(ss.write('h1', Buffer.from('some data'))).toBe(TEE_SUCCESS);
    for (const delta of [-1n, 1n, 1n << 40n]) {
      hostile((arg) => {
        if (arg.params[0]?.a === BigInt(FS_READ) && arg.params[1]) arg.params[1].b += delta;
      });
      expect(ss.read('h1').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
    }
    behave();
    expect(ss.read('h1').data.toString()).toBe('some data');
  });

  it('6019.2 files that vanish (OPEN answers ITEM_NOT_FOUND) are CORRUPT_OBJECT for a known object', () => {
    const ss = new SecureStorage(t);
    hostile((arg) => {
      if (arg.params[0]?.a === BigInt(FS_OPEN)) arg.ret = TEE_ERROR_ITEM_NOT_FOUND;
    });
    expect(ss.read('h1').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
    behave();
    expect(ss.read('h1').result).toBe(TEE_SUCCESS);
  });

  it('6019.3 a file server that fails everything makes writes fail cleanly; nothing is lost', () => {
    const ss = new SecureStorage(t);
    hostile((arg) => { arg.ret = 0xffff0000; });
    expect(ss.write('h1', Buffer.from('never stored'))).not.toBe(TEE_SUCCESS);
    expect(ss.write('h2', Buffer.from('never stored'))).not.toBe(TEE_SUCCESS);
    behave();
    expect(ss.read('h1').data.toString()).toBe('some data');
    expect(ss.read('h2').result).toBe(TEE_ERROR_ITEM_NOT_FOUND);
    expect(ss.write('h2', Buffer.from('stored now'))).toBe(TEE_SUCCESS);
    expect(ss.read('h2').data.toString()).toBe('stored now');
  });

  it('6019.4 a file server that answers garbage bytes is CORRUPT_OBJECT', () => {
    const ss = new SecureStorage(t);
    hostile((arg) => {
      const m = arg.params[1];
      if (arg.params[0]?.a === BigInt(FS_READ) && m) t.device.supplicantService.copyOut(m.a, Buffer.alloc(Number(m.b), 0x99));
    });
    expect(ss.read('h2').result).toBe(TEE_ERROR_CORRUPT_OBJECT);
    behave();
    expect(ss.read('h2').data.toString()).toBe('stored now');
  });
});
