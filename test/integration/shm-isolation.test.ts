/**
 * Shared memory does not cross clients (issue 12, item 3). A TA is mapped the whole 4 KiB
 * pages that hold its memref parameters, so what else lies on those pages is in its reach:
 * the sysprobe TA logs (LOG) and overwrites (RANDOM_NUMBER_GENERATE) every 64 bytes of the
 * mapped window after its memref, the way a hostile TA would look for other clients' data.
 * - client A's registered block must not share a page with client B's temporary buffers;
 * - a temporary buffer of a previous call (say, a storage plaintext) must be wiped before the
 *   pages are used again.
 * Before the fix, allocations were 64-byte aligned and freed buffers kept their bytes: both
 * secrets showed up on the secure console, and A's block was overwritten.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEE_ERROR_ACCESS_DENIED, TEE_SUCCESS } from '../../emulator/abi/results.js';
import { SYSPROBE_TA, bootDevice, type TestDevice } from '../helpers/device.js';

const P = (off = 0) => (0x5d5dn << 48n) | BigInt(off);
const LOG = 1;
const RANDOM = 33;

let dev: TestDevice;
let session: number;
beforeAll(() => {
  dev = bootDevice();
  session = dev.client.openSession(SYSPROBE_TA).session!;
});
afterAll(() => dev?.close());

/** One raw syscall through sysprobe, with `scratch` as its INOUT memref (memref 1). */
function raw(num: number, args: (bigint | number)[], scratch: Uint8Array): number {
  const block = Buffer.alloc(72);
  for (let i = 0; i < 8; i++) block.writeBigUInt64LE(BigInt.asUintN(64, BigInt(args[i] ?? 0)), 8 * i);
  block.writeBigUInt64LE(BigInt(num), 64);
  const r = dev.client.invoke(session, 0, [
    { type: 'memref-in', data: block }, { type: 'memref-inout', data: scratch }, { type: 'value-out' },
  ]);
  expect(r.result).toBe(TEE_SUCCESS);
  const value = r.params[2]!;
  return value.type === 'value' ? value.a : -1;
}

/**
 * What a hostile TA does with the pages of its memref: every 64 bytes from the memref to the
 * end of what is mapped, `num` (LOG or RANDOM) on them. Returns how many chunks were reachable.
 */
function sweep(num: number, scratchSize: number): number {
  let reached = 0;
  for (let off = 0; off < 2 * 4096; off += 64) {
    const r = raw(num, [P(off), 64], Buffer.alloc(scratchSize));
    if (r === TEE_ERROR_ACCESS_DENIED) break;
    expect(r).toBe(TEE_SUCCESS);
    reached++;
  }
  return reached;
}

const console = () => dev.lines('secure').join('\n');

describe('shared memory isolation between clients and calls', () => {
  it('a TA given client B\'s temporary buffer neither reads nor writes client A\'s registered block', () => {
    const tee = dev.device.client;
    const secret = Buffer.from('A-SECRET-5f2c9e1');
    // Client A: a block it frees again (a hole at the start of the pool), then its secret.
    const hole = tee.registerSharedMemory(256);
    const a = tee.registerSharedMemory(64);
    a.bytes.set(secret);
    tee.releaseSharedMemory(hole.cookie);
    try {
      // Client B's calls: the TA sweeps the pages of its own memref.
      expect(sweep(LOG, 64)).toBeGreaterThan(0);
      expect(console()).not.toContain(secret.toString());
      sweep(RANDOM, 64);
      expect(Buffer.from(a.bytes.subarray(0, secret.length)).toString()).toBe(secret.toString());
      expect(a.bytes.subarray(secret.length).every((b) => b === 0)).toBe(true);
    } finally {
      tee.releaseSharedMemory(a.cookie);
    }
  });

  it('a temporary buffer of an earlier call is wiped before its pages serve the next one', () => {
    const secret = Buffer.from('PLAINTEXT-7d41aa');
    const earlier = Buffer.alloc(1024);
    secret.copy(earlier, 512);
    raw(LOG, [P(0), 0], earlier); // the earlier call: its memref held the secret
    expect(sweep(LOG, 64)).toBeGreaterThan(0);
    expect(console()).not.toContain(secret.toString());
  });

  it('no pool bytes are left behind: every temporary buffer was released', () => {
    const tee = dev.device.client;
    expect(tee.poolBytesInUse).toBe(0);
  });
});
