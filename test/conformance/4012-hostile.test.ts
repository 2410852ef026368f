/**
 * 4012 hostile syscalls: raw crypto syscalls with bad pointers, foreign or unknown handles,
 * huge sizes and counts, issued by the cryptest TA around the library. Each gets an error code
 * (never a crash of the TEE), and the TA keeps running.
 */
import { describe, expect, it } from 'vitest';
import { Cryptest, CMD } from './4xxx-cryptest-client.js';

const ACCESS_DENIED = 0xffff0001;
const BAD_PARAMETERS = 0xffff0006;

describe('4012 hostile crypto syscalls', () => {
  const ct = Cryptest.shared();

  it('4012.1 bad pointers, handles, sizes and counts all come back as GP error codes', () => {
    const r = ct.run(CMD.HOSTILE, 0, 0, undefined, undefined, 64);
    expect(r.result).toBe(0);
    const codes = Array.from({ length: r.out.length / 4 }, (_, i) => r.out.readUInt32LE(i * 4));
    expect(codes).toEqual([
      ACCESS_DENIED, // handle written to an unmapped address
      0, // a good allocation
      ACCESS_DENIED, // attribute array at 0x10
      BAD_PARAMETERS, // a 1 GiB attribute
      BAD_PARAMETERS, // 100000 attributes
      BAD_PARAMETERS, // unknown object handle
      BAD_PARAMETERS, // unknown key handle for a state
      0, // a good digest state
      ACCESS_DENIED, // length pointer into read-only data
      ACCESS_DENIED, // input range at the top of the address space
      BAD_PARAMETERS, // a state handle used as an object
      0, // the digest state still works
    ]);
  });
});
