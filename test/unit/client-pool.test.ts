/**
 * The client pool (ree/client-pool.ts): page-aligned, page-granular reservations that are
 * wiped when released, and a TeeClient that wipes temporary buffers after copying their
 * output out (issue 12, item 3). The attack itself runs in test/integration/shm-isolation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, type MsgParam,
} from '../../emulator/abi/optee-msg.js';
import { TEE_SUCCESS } from '../../emulator/abi/results.js';
import { ClientPool, POOL_PAGE } from '../../emulator/ree/client-pool.js';
import type { HbRequest, HbResult } from '../../emulator/ree/mailbox.js';
import { TeeClient, type RequestChannel } from '../../emulator/ree/tee-client.js';

const SHM_BASE = 0x42000000;
const POOL_OFFSET = 2 * POOL_PAGE;
const POOL_SIZE = 16 * POOL_PAGE;

describe('ClientPool', () => {
  it('gives every reservation pages of its own, page-aligned', () => {
    const shm = new Uint8Array(POOL_OFFSET + POOL_SIZE);
    const pool = new ClientPool(shm, SHM_BASE, POOL_OFFSET, POOL_SIZE);
    const sizes = [1, 64, 100, POOL_PAGE, POOL_PAGE + 1, 0];
    const taken = sizes.map((s) => ({ pa: pool.take(s)!, size: s }));
    const pages = new Set<number>();
    for (const { pa, size } of taken) {
      expect(pa % POOL_PAGE).toBe(0);
      for (let p = pa; p < pa + Math.max(size, 1); p += POOL_PAGE) {
        expect(pages.has(p)).toBe(false);
        pages.add(p);
      }
    }
    expect(pool.bytesInUse).toBe(7 * POOL_PAGE);
  });

  it('wipes every page of a reservation when it is given back', () => {
    const shm = new Uint8Array(POOL_OFFSET + POOL_SIZE);
    const pool = new ClientPool(shm, SHM_BASE, POOL_OFFSET, POOL_SIZE);
    const pa = pool.take(10)!;
    pool.view(pa, POOL_PAGE).fill(0xa5); // a TA may write the whole page it was mapped
    expect(pool.give(pa)).toBe(true);
    expect(shm.every((b) => b === 0)).toBe(true);
    expect(pool.give(pa)).toBe(false);
  });

  it('refuses a pool that does not start on a page', () => {
    expect(() => new ClientPool(new Uint8Array(POOL_SIZE + 64), SHM_BASE, 64, POOL_SIZE)).toThrow('page boundary');
  });
});

/** A request channel whose firmware answers each request at once with `answer`. */
function answering(answer: (req: HbRequest) => HbResult): RequestChannel {
  return {
    submit(req, done) {
      done(answer(req));
    },
    runUntil(finished) {
      if (!finished()) throw new Error('a request was never answered');
    },
  };
}

describe('TeeClient temporary buffers', () => {
  it('copies the output out, then wipes the buffer: no bytes of the call stay in the pool', () => {
    const shm = new Uint8Array(POOL_OFFSET + POOL_SIZE);
    let seen: MsgParam[] = [];
    const channel = answering((req) => {
      seen = req.params ?? [];
      // The "TA" answers through the buffers and leaves bytes on the rest of their pages.
      for (const p of seen) {
        const off = Number(p.a) - SHM_BASE;
        shm.fill(0x5a, off, off + POOL_PAGE);
      }
      return { status: TEE_SUCCESS, session: 1, ret: TEE_SUCCESS, retOrigin: 4, smcCalls: 1, params: seen.map((p) => ({ ...p, b: 8n })) };
    });
    const client = new TeeClient(channel, shm, SHM_BASE, POOL_OFFSET, POOL_SIZE);
    const secret = Buffer.from('storage plaintext');
    const r = client.invoke(1, 0, [
      { attr: OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, a: 0n, b: BigInt(secret.length), c: 0n },
      { attr: OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, a: 0n, b: 16n, c: 0n },
    ], [secret, undefined]);
    expect(seen.map((p) => Number(p.a) % POOL_PAGE)).toEqual([0, 0]);
    expect(Number(seen[1]!.a) - Number(seen[0]!.a)).toBeGreaterThanOrEqual(POOL_PAGE);
    expect([...r.data![0]!]).toEqual(new Array(8).fill(0x5a));
    expect([...r.data![1]!]).toEqual(new Array(8).fill(0x5a));
    expect(shm.every((b) => b === 0)).toBe(true);
    expect(client.poolBytesInUse).toBe(0);
  });

  it('a stale cookie names nothing: releasing a block twice leaves the next block at its address alone', () => {
    const shm = new Uint8Array(POOL_OFFSET + POOL_SIZE);
    const ops: number[] = [];
    const channel = answering((req) => {
      ops.push(req.op);
      return { status: TEE_SUCCESS, session: 0, ret: TEE_SUCCESS, retOrigin: 3, smcCalls: 1, params: req.params ?? [] };
    });
    const client = new TeeClient(channel, shm, SHM_BASE, POOL_OFFSET, POOL_SIZE);
    const a = client.registerSharedMemory(64);
    client.releaseSharedMemory(a.cookie);
    const b = client.registerSharedMemory(64);
    expect(Number(b.cookie & 0xffffffffffn)).toBe(Number(a.cookie & 0xffffffffffn)); // the pool reuses the address
    const before = ops.length;
    client.releaseSharedMemory(a.cookie); // the first owner's stale cookie ...
    expect(ops.length).toBe(before); // ... unregisters nothing
    expect(client.registeredBlocks).toBe(1);
    expect(client.poolBytesInUse).toBe(POOL_PAGE);
    client.releaseSharedMemory(b.cookie);
    expect(client.registeredBlocks).toBe(0);
  });
});
