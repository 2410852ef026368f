/**
 * Secure threads (security issue item 2): a TA that is busy (sleeping in TEE_Wait, spinning, or
 * several of them at once) does not hold up other clients; a thread gives the CPU back to the
 * normal world at every time slice, as an OP-TEE thread does on a foreign interrupt.
 * Cancellation reaches a waiting TA at once, a closed connection's calls are cancelled, and a
 * released block that a call in flight still names is not handed to anyone else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEEC_ERROR_CANCEL, TEEC_ERROR_TARGET_DEAD, TEEC_MEMREF_WHOLE, TEEC_MEM_INPUT, TEEC_MEM_OUTPUT, TEEC_NONE,
  TEEC_PARAM_TYPES, TEEC_SUCCESS, TEEC_VALUE_INOUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TeecOperation, type TeecContext, type TeecSharedMemory,
} from '../../emulator/client/index.js';
import { HELLO_WORLD, LOOP_TA } from '../helpers/device.js';
import { startServer, type TestServer } from './helpers.js';

const SPIN = 0;
const WAIT = 2;
const WAIT_CANCELLABLE = 5;
const WAIT_THEN_TOUCH = 6;

/** WAIT_THEN_TOUCH on a whole registered block: value2 gets its first 8 bytes after the wait. */
const touchOp = (ms: number, block: TeecSharedMemory) => new TeecOperation(
  TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_WHOLE, TEEC_VALUE_OUTPUT, TEEC_NONE),
  [{ value: { a: ms, b: 0 } }, { memref: { parent: block, size: block.size, offset: 0 } }, { value: { a: 0, b: 0 } }],
);
const waitOp = (ms: number) => new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INPUT), [{ value: { a: ms, b: 0 } }]);

/** Milliseconds one hello_world increment takes for `ctx`, checking its answer. */
async function helloMs(ctx: TeecContext): Promise<number> {
  const s = await ctx.openSession(HELLO_WORLD);
  const started = performance.now();
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 41, b: 0 } }]);
  const r = await s.invokeCommand(0, op);
  const ms = performance.now() - started;
  expect(r.result).toBe(TEEC_SUCCESS);
  expect(op.params[0]!.value!.a).toBe(42);
  await s.close();
  return ms;
}

describe('4000 secure threads: one busy TA does not hold up the others', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(undefined, { device: { watchdogMs: 1500 } });
  });
  afterAll(async () => server?.stop());

  it('4001 a hello_world is answered while another client\'s TA sleeps in TEE_Wait', async () => {
    const sleeper = await server.context('sleeper');
    const s = await sleeper.openSession(LOOP_TA);
    const started = performance.now();
    const waiting = s.invokeCommand(WAIT, waitOp(1000));
    await new Promise((r) => setTimeout(r, 50));
    const other = await server.context('bystander');
    expect(await helloMs(other)).toBeLessThan(400);
    expect((await waiting).result).toBe(TEEC_SUCCESS);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    await s.close();
  });

  it('4002 three TAs spinning without a syscall delay a hello_world by a time slice or two, not by their whole runs', async () => {
    const spinners = await Promise.all([1, 2, 3].map(async (i) => {
      const ctx = await server.context(`spinner-${i}`);
      const s = await ctx.openSession(LOOP_TA);
      return { s, run: s.invokeCommand(SPIN, new TeecOperation(TEEC_PARAM_TYPES(TEEC_NONE))) };
    }));
    await new Promise((r) => setTimeout(r, 100));
    const other = await server.context('bystander-2');
    const times = [await helloMs(other), await helloMs(other), await helloMs(other)];
    expect(Math.max(...times)).toBeLessThan(500);
    // Each spinner is still stopped by the watchdog once its own budget (1.5 s of its time) is spent.
    for (const { run } of spinners) expect((await run).result).toBe(TEEC_ERROR_TARGET_DEAD);
  });

  it('4003 a cancellable TEE_Wait(60 s) ends with TEE_ERROR_CANCEL as soon as the client cancels', async () => {
    const ctx = await server.context('canceller');
    const s = await ctx.openSession(LOOP_TA);
    const op = waitOp(60_000);
    const started = performance.now();
    const waiting = s.invokeCommand(WAIT_CANCELLABLE, op);
    await new Promise((r) => setTimeout(r, 100));
    await op.requestCancellation();
    expect((await waiting).result).toBe(TEEC_ERROR_CANCEL);
    expect(performance.now() - started).toBeLessThan(1000);
    await s.close();
  });

  it('4004 a client that disconnects mid-call has its call cancelled and its session closed; others carry on', async () => {
    const before = await server.host.call('stats', {});
    const leaver = await server.context('leaver');
    const s = await leaver.openSession(LOOP_TA);
    void s.invokeCommand(WAIT_CANCELLABLE, waitOp(60_000)).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect((await server.host.call('stats', {})).sessions).toBe(before.sessions + 1);
    const gone = performance.now();
    leaver.connection.close();
    let after = await server.host.call('stats', {});
    while (after.sessions !== before.sessions && performance.now() - gone < 3000) {
      await new Promise((r) => setTimeout(r, 20));
      after = await server.host.call('stats', {});
    }
    expect(after.sessions).toBe(before.sessions);
    // Cancelled, not waited out: the watchdog (1.5 s) would have taken longer.
    expect(performance.now() - gone).toBeLessThan(1000);
    expect(after.registeredShm).toBe(before.registeredShm);
    expect(await helloMs(await server.context('after-leaver'))).toBeLessThan(400);
  });

  it('4005 a block released while a parked call names it stays out of the pool until the call ends', async () => {
    const ctx = await server.context('releaser');
    const s = await ctx.openSession(LOOP_TA);
    const mine = await ctx.allocateSharedMemory(4096, TEEC_MEM_INPUT | TEEC_MEM_OUTPUT);
    mine.buffer.fill(0x41);
    const op = touchOp(400, mine);
    const running = s.invokeCommand(WAIT_THEN_TOUCH, op);
    await new Promise((r) => setTimeout(r, 100));
    // Released while the TA holds it: its pages must not become anyone's new block meanwhile.
    await ctx.connection.request('releaseSharedMemory', { shm: mine.id });
    const victim = await server.context('victim');
    const blocks = await Promise.all([1, 2, 3, 4].map(() => victim.allocateSharedMemory(4096, TEEC_MEM_OUTPUT)));
    expect((await running).result).toBe(TEEC_SUCCESS);
    // The TA saw its own client's bytes (not wiped, not someone else's)...
    expect(op.params[2]!.value!.a >>> 0).toBe(0x41414141);
    // ...and its 0xa5 fill after the wait landed in none of the victim's new blocks.
    const vs = await victim.openSession(LOOP_TA);
    for (const b of blocks) {
      const look = touchOp(0, b);
      expect((await vs.invokeCommand(WAIT_THEN_TOUCH, look)).result).toBe(TEEC_SUCCESS);
      expect([look.params[2]!.value!.a, look.params[2]!.value!.b]).toEqual([0, 0]);
    }
    await vs.close();
    await s.close();
  });
});

describe('4100 --secure-threads 1: calls past the thread count wait for a thread', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(undefined, { device: { secureThreads: 1 } });
  });
  afterAll(async () => server?.stop());

  it('4101 a hello_world waits while the only secure thread serves another client\'s wait', async () => {
    const sleeper = await server.context('sleeper');
    const s = await sleeper.openSession(LOOP_TA);
    const waiting = s.invokeCommand(WAIT, waitOp(600));
    await new Promise((r) => setTimeout(r, 50));
    const other = await server.context('bystander');
    const started = performance.now();
    const hello = await other.openSession(HELLO_WORLD);
    expect(performance.now() - started).toBeGreaterThan(400);
    expect((await waiting).result).toBe(TEEC_SUCCESS);
    await hello.close();
    await s.close();
  });
});
