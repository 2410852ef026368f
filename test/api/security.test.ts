/**
 * 2xxx security and robustness: the token, per-client isolation, limits, malformed and fuzzed
 * frames. The device must keep serving other clients throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ProtocolError, TEEC_ERROR_BAD_FORMAT, TEEC_ERROR_CANCEL, TEEC_ERROR_SECURITY, TEEC_MEMREF_WHOLE, TEEC_MEM_INPUT, TEEC_NONE, TEEC_ORIGIN_API,
  TEEC_ORIGIN_TEE, TEEC_PARAM_TYPES, TEEC_SUCCESS, TEEC_VALUE_INOUT, TeecContext, TeecError, TeecOperation,
  type TeecSession,
} from '../../emulator/client/index.js';
import { statSync, readFileSync } from 'node:fs';
import { readEndpoint } from '../../emulator/api/auth.js';
import { HELLO_WORLD, LOOP_TA } from '../helpers/device.js';
import { ECHO_TA, RawClient, echoTaBytes, packr, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let alice: TeecContext;
let bob: TeecContext;
let aliceSession: TeecSession;

async function helloWorks(ctx: TeecContext): Promise<void> {
  const s = await ctx.openSession(HELLO_WORLD);
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 9, b: 0 } }]);
  expect((await s.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
  expect(op.params[0].value!.a).toBe(10);
  await s.close();
}

beforeAll(async () => {
  server = await startServer({ maxSessions: 4, maxShmBytes: 64 * 1024, maxInFlight: 8, maxFrameBytes: 256 * 1024, maxProtocolErrors: 8, helloTimeoutMs: 500 });
  alice = await server.context('alice');
  bob = await server.context('bob');
  aliceSession = await alice.openSession(HELLO_WORLD);
});

afterAll(async () => {
  await server?.stop();
});

describe('2000 authentication', () => {
  it('2001 endpoint.json holds the URL and token, mode 0600', () => {
    const file = `${server.stateDir}/endpoint.json`;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const ep = readEndpoint(server.stateDir);
    expect(ep.url).toBe(server.url);
    expect(ep.token).toBe(server.token);
    expect(ep.token.length).toBeGreaterThanOrEqual(40);
    expect(readFileSync(file, 'utf8')).toContain('"url"');
    expect(server.url.startsWith('ws://127.0.0.1:')).toBe(true);
  });

  it('2002 a wrong token gets one error and the connection closes', async () => {
    await expect(TeecContext.initialize({ url: server.url, token: 'not-the-token' })).rejects.toMatchObject({ code: 'bad-token', result: 0xffff0001 });
    const raw = await RawClient.open(server.url);
    raw.send({ type: 'hello', version: 1, token: 'x'.repeat(43) });
    await raw.until(() => raw.closed !== undefined);
    expect(raw.frames).toEqual([expect.objectContaining({ type: 'error', error: expect.objectContaining({ code: 'bad-token' }) })]);
    expect(raw.closed?.code).toBe(1008);
  });

  it('2003 a request without a hello gets nothing but an error', async () => {
    const raw = await RawClient.open(server.url);
    raw.send({ type: 'req', id: 1, op: 'listTAs', args: {} });
    await raw.until(() => raw.closed !== undefined);
    expect(raw.frames).toHaveLength(1);
    expect(raw.frames[0].error.code).toBe('hello-required');
    expect(raw.closed?.code).toBe(1008);
  });

  it('2004 a silent connection is closed after the hello timeout', async () => {
    const raw = await RawClient.open(server.url);
    await raw.until(() => raw.closed !== undefined, 3000);
    expect(raw.closed?.code).toBe(1008);
  });

  it('2005 another protocol version is refused', async () => {
    const raw = await RawClient.open(server.url);
    raw.send({ type: 'hello', version: 99, token: server.token });
    await raw.until(() => raw.closed !== undefined);
    expect(raw.frames[0].error.code).toBe('unsupported-version');
  });
});

describe('2100 isolation between clients', () => {
  it("2101 bob cannot invoke, close or cancel alice's session", async () => {
    const op = { session: aliceSession.id, cmd: 0, params: [{ type: TEEC_VALUE_INOUT, a: 1, b: 0 }] };
    await expect(bob.connection.request('invokeCommand', op)).rejects.toMatchObject({ code: 'not-found', result: ProtocolError.NOT_FOUND.result });
    await expect(bob.connection.request('closeSession', { session: aliceSession.id })).rejects.toMatchObject({ code: 'not-found' });
    await expect(bob.connection.request('requestCancellation', { session: aliceSession.id })).rejects.toMatchObject({ code: 'not-found' });
    await expect(bob.connection.request('openSession', { context: alice.id, uuid: HELLO_WORLD, login: 0, params: [] })).rejects.toMatchObject({ code: 'not-found' });
    await expect(bob.connection.request('finalizeContext', { context: alice.id })).rejects.toMatchObject({ code: 'not-found' });
    // Alice's session still works.
    const mine = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 1, b: 0 } }]);
    expect((await aliceSession.invokeCommand(0, mine)).result).toBe(TEEC_SUCCESS);
  });

  it("2102 bob cannot name alice's shared memory in a memref or release it", async () => {
    const shm = await alice.allocateSharedMemory(16, TEEC_MEM_INPUT);
    const bobs = await bob.openSession(HELLO_WORLD);
    await expect(bob.connection.request('invokeCommand', { session: bobs.id, cmd: 0, params: [{ type: TEEC_MEMREF_WHOLE, shm: shm.id }] }))
      .rejects.toMatchObject({ code: 'not-found' });
    await expect(bob.connection.request('releaseSharedMemory', { shm: shm.id })).rejects.toMatchObject({ code: 'not-found' });
    await shm.release();
    await bobs.close();
  });
});

describe('2200 limits', () => {
  it('2201 sessions per connection', async () => {
    const ctx = await server.context('greedy');
    const sessions = [];
    for (let i = 0; i < 4; i++) sessions.push(await ctx.openSession(HELLO_WORLD));
    await expect(ctx.openSession(HELLO_WORLD)).rejects.toMatchObject({ code: 'session-limit' });
    await sessions[0]!.close();
    sessions[0] = await ctx.openSession(HELLO_WORLD);
    await ctx.finalize();
  });

  it('2202 shared memory per connection', async () => {
    const ctx = await server.context('hoarder');
    const a = await ctx.allocateSharedMemory(60 * 1024, TEEC_MEM_INPUT);
    await expect(ctx.allocateSharedMemory(8 * 1024, TEEC_MEM_INPUT)).rejects.toMatchObject({ code: 'shm-limit', result: 0xffff000c });
    await a.release();
    const b = await ctx.allocateSharedMemory(8 * 1024, TEEC_MEM_INPUT);
    await b.release();
  });

  it('2203 requests in flight per connection', async () => {
    const ctx = await server.context('impatient');
    const s = await ctx.openSession(LOOP_TA);
    const wait = (ms: number) => ctx.connection.request('invokeCommand', { session: s.id, cmd: 2, params: [{ type: 1, a: ms, b: 0 }] });
    const calls = Array.from({ length: 8 }, () => wait(20));
    await expect(ctx.connection.request('ping', {})).rejects.toMatchObject({ code: 'too-many-in-flight', result: 0xffff000d });
    await Promise.all(calls);
    expect(await ctx.connection.request('ping', {})).toEqual({});
  });

  it('2204 a frame over maxFrameBytes gets frame-too-large; the connection lives', async () => {
    const raw = await RawClient.open(server.url);
    await raw.hello(server.token);
    raw.send({ type: 'req', id: 1, op: 'ping', args: { data: new Uint8Array(300 * 1024) } });
    raw.send({ type: 'req', id: 2, op: 'ping', args: {} });
    await raw.until(() => raw.frames.some((f) => f.id === 2));
    expect(raw.frames.find((f) => f.type === 'error')?.error.code).toBe('frame-too-large');
    expect(raw.frames.find((f) => f.id === 2)?.result).toEqual({});
    // Far larger frames are cut off by the socket layer: that connection (only) closes.
    raw.sendRaw(new Uint8Array(2 * 1024 * 1024));
    await raw.until(() => raw.closed !== undefined);
    expect(raw.closed?.code).toBe(1009);
    await helloWorks(bob);
  });
});

describe('2300 malformed and fuzzed frames', () => {
  it('2301 malformed frames get protocol errors with stable codes', async () => {
    const raw = await RawClient.open(server.url);
    await raw.hello(server.token);
    raw.sendRaw(new Uint8Array([0xc1])); // never-used msgpack byte
    raw.send([1, 2, 3]);
    raw.send({ type: 'req', id: 5, op: 'nope', args: {} });
    raw.send({ type: 'req', id: 6, op: 'invokeCommand', args: { session: 'x', cmd: 0, params: [] } });
    raw.send({ type: 'req', id: 7, op: 'openSession', args: { context: 1, uuid: HELLO_WORLD, login: 0, params: [], extra: 1 } });
    await raw.until(() => raw.frames.length >= 6);
    const errors = raw.frames.filter((f) => f.type !== 'welcome');
    const codes = errors.map((f) => f.error?.code);
    expect(codes).toEqual(['malformed-frame', 'malformed-frame', 'unknown-operation', 'bad-arguments', 'bad-arguments']);
    for (const f of errors) {
      expect(typeof f.error.result).toBe('number');
      expect(typeof f.error.origin).toBe('number');
      expect(f.error.message.length).toBeGreaterThan(5);
    }
    raw.close();
  });

  it('2302 repeated abuse closes that connection only', async () => {
    const raw = await RawClient.open(server.url);
    await raw.hello(server.token);
    for (let i = 0; i < 20; i++) raw.sendRaw(new Uint8Array([0xc1, i]));
    await raw.until(() => raw.closed !== undefined);
    expect(raw.closed?.code).toBe(1008);
    await helloWorks(bob);
  });

  it('2303 random bytes, random msgpack and wrong types never take the device down', async () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const randomValue = (depth = 0): unknown => {
      const k = Math.floor(rand() * (depth > 2 ? 6 : 9));
      switch (k) {
        case 0: return Math.floor(rand() * 2 ** 32) - 2 ** 31;
        case 1: return rand() < 0.5 ? 'invokeCommand' : 'x'.repeat(Math.floor(rand() * 40));
        case 2: return null;
        case 3: return rand() < 0.5;
        case 4: return new Uint8Array(Math.floor(rand() * 64));
        case 5: return rand() * 1e12;
        case 6: return Array.from({ length: Math.floor(rand() * 5) }, () => randomValue(depth + 1));
        default: {
          const o: Record<string, unknown> = {};
          for (const key of ['type', 'id', 'op', 'args', 'session', 'params', 'cmd', 'shm', 'type', 'data']) if (rand() < 0.5) o[key] = randomValue(depth + 1);
          return o;
        }
      }
    };
    const ops = ['openSession', 'invokeCommand', 'closeSession', 'allocateSharedMemory', 'releaseSharedMemory', 'requestCancellation', 'installTA', 'finalizeContext', 'subscribe'];
    for (let round = 0; round < 20; round++) {
      const raw = await RawClient.open(server.url);
      await raw.hello(server.token);
      for (let i = 0; i < 30; i++) {
        const pick = rand();
        if (pick < 0.25) raw.sendRaw(Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
        else if (pick < 0.5) raw.sendRaw(packr.pack(randomValue()));
        else raw.send({ type: 'req', id: i, op: ops[Math.floor(rand() * ops.length)], args: randomValue(1) });
      }
      raw.send({ type: 'req', id: 1000, op: 'ping', args: {} });
      await raw.until(() => raw.closed !== undefined || raw.frames.some((f) => f.id === 1000), 2000);
      raw.close();
    }
    await helloWorks(bob);
    expect(server.host.alive).toBe(true);
  });

  it('2304 a closed connection leaves no sessions or shared memory behind', async () => {
    const before = await server.host.call('stats', {});
    const ctx = await server.context('leaver');
    await ctx.openSession(HELLO_WORLD);
    await ctx.allocateSharedMemory(1024, TEEC_MEM_INPUT);
    ctx.connection.close();
    await new Promise((r) => setTimeout(r, 200));
    const after = await server.host.call('stats', {});
    expect(after.sessions).toBe(before.sessions);
    expect(after.registeredShm).toBe(before.registeredShm);
    expect(after.poolBytesInUse).toBe(before.poolBytesInUse);
  });
});

describe('2400 hostile TA uploads', () => {
  it('2401 bytes that are no TA container get invalid-ta (BAD_FORMAT, origin API); nothing is installed', async () => {
    const ctx = await server.context('uploader', { admin: true });
    const before = (await ctx.connection.request('listTAs', {})).tas.length;
    for (const bytes of [new Uint8Array(0), new Uint8Array(4096).fill(0x41), Uint8Array.from(echoTaBytes().subarray(0, 40))]) {
      const e = await ctx.connection.installTA(bytes).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TeecError);
      expect(e).toMatchObject({ code: ProtocolError.INVALID_TA.code, result: TEEC_ERROR_BAD_FORMAT, origin: TEEC_ORIGIN_API });
    }
    expect((await ctx.connection.request('listTAs', {})).tas.length).toBe(before);
    await helloWorks(ctx);
  });

  it('2402 a tampered TA is refused at install with SECURITY, origin TEE: nothing is stored, the good build installs', async () => {
    const ctx = await server.context('tamperer', { admin: true });
    const bytes = Uint8Array.from(echoTaBytes());
    bytes[bytes.length - 100]! ^= 0xff; // inside the signed ELF image
    const refused = await ctx.connection.installTA(bytes).catch((x: unknown) => x);
    expect(refused).toMatchObject({ result: TEEC_ERROR_SECURITY, origin: TEEC_ORIGIN_TEE });
    // The good build installs, and the device served everyone meanwhile.
    expect((await ctx.connection.installTA(echoTaBytes())).uuid).toBe(ECHO_TA);
    const s = await ctx.openSession(ECHO_TA);
    await s.close();
    await helloWorks(bob);
  });
});

describe('2500 event floods', () => {
  it('2501 a TA that makes syscalls in a tight loop under trace cannot pile events up: the excess is dropped and reported as lost', async () => {
    const host = server.host;
    const lost: number[] = [];
    let received = 0;
    let polls = 0;
    const off = host.onEvent((e) => {
      received++;
      if (e.type === 'lost') lost.push(e.count);
      if (e.type === 'syscall' && e.name === 'GET_CANCELLATION_FLAG') polls++;
    });
    host.forward('test-2501', { console: true, trace: true });
    const ctx = await server.context('flooder');
    const s = await ctx.openSession(LOOP_TA);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_NONE));
    const running = s.invokeCommand(1, op); // polls TEE_GetCancellationFlag: one syscall event each
    while (polls === 0) await new Promise((r) => setTimeout(r, 5));
    // Hold the main thread: the host handles no event messages, so the worker must stop sending.
    const end = Date.now() + 300;
    while (Date.now() < end) { /* busy */ }
    const backlogAfterHold = await new Promise<number>((resolve) => setImmediate(() => resolve(received)));
    await new Promise((r) => setTimeout(r, 100));
    await op.requestCancellation();
    expect((await running).result).toBe(TEEC_ERROR_CANCEL);
    host.forward('test-2501', { console: false, trace: false });
    off();
    // At most 16 messages of 256 events were waiting when the hold ended.
    expect(backlogAfterHold).toBeLessThan(received);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost[0]).toBeGreaterThan(0);
    await s.close();
    await helloWorks(bob);
  });
});
