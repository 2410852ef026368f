/**
 * The system PTA's DERIVE_TA_UNIQUE_KEY as a TA meets it (xtest 4013 checks the same on OP-TEE):
 * a key bound to the TA and the extra data, written only into the TA's own memory; a client's
 * shared memory as the output is TEE_ERROR_SECURITY (a derived key must never land in the normal
 * world by mistake); sizes out of OP-TEE's bounds are BAD_PARAMETERS.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEE_SUCCESS } from '../../emulator/abi/results.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';

const ROOT = join(import.meta.dirname, '../..');
const RPCPROBE = '0c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5';
const DERIVE_KEY = 0x300;
const TEE_ERROR_SECURITY = 0xffff000f;
const TEE_ERROR_BAD_PARAMETERS = 0xffff0006;

let dev: TestDevice;
let session: number;
beforeAll(() => {
  dev = bootDevice({ taPaths: [join(ROOT, 'firmware/ta/rpcprobe/out')] });
  session = dev.client.openSession(RPCPROBE).session!;
});
afterAll(() => dev?.close());

function derive(extra: Buffer, size: number, direct: boolean) {
  const r = dev.client.invoke(session, DERIVE_KEY, [{ type: 'memref-in', data: extra }, { type: 'memref-out', size },
    { type: 'value-in', a: direct ? 1 : 0, b: 0 }]);
  const p = r.params[1]!;
  return { result: r.result >>> 0, key: p.type === 'memref' ? Buffer.from(p.data) : Buffer.alloc(0) };
}

describe('DERIVE_TA_UNIQUE_KEY', () => {
  it('derives into TA memory: the same key for the same extra data, another for other data', () => {
    const a = derive(Buffer.from('salt-1'), 32, false);
    expect(a.result).toBe(TEE_SUCCESS);
    expect(a.key.length).toBe(32);
    expect(a.key.equals(Buffer.alloc(32))).toBe(false);
    expect(derive(Buffer.from('salt-1'), 32, false).key.equals(a.key)).toBe(true);
    expect(derive(Buffer.from('salt-2'), 32, false).key.equals(a.key)).toBe(false);
  });

  it('refuses to write the key into the client\'s shared memory (SECURITY), and leaves it untouched', () => {
    const r = derive(Buffer.from('salt-1'), 32, true);
    expect(r.result).toBe(TEE_ERROR_SECURITY);
    expect(r.key.equals(Buffer.alloc(32)) || r.key.length === 0).toBe(true);
  });

  it('keys of 16 to 32 bytes and at most 1024 bytes of extra data', () => {
    expect(derive(Buffer.from('x'), 16, false).result).toBe(TEE_SUCCESS);
    expect(derive(Buffer.from('x'), 8, false).result).toBe(TEE_ERROR_BAD_PARAMETERS);
    expect(derive(Buffer.alloc(1025, 1), 32, false).result).toBe(TEE_ERROR_BAD_PARAMETERS);
  });
});
