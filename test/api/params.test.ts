/**
 * 1xxx end to end over WebSocket: every parameter type, temporary/whole/partial memrefs with
 * GP data sync, login identities, cancellation, a TA panic. Real device in a worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEEC_ERROR_CANCEL, TEEC_ERROR_SHORT_BUFFER, TEEC_ERROR_TARGET_DEAD, TEEC_LOGIN_APPLICATION, TEEC_MEMREF_PARTIAL_INOUT,
  TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT,
  TEEC_MEMREF_WHOLE, TEEC_MEM_INPUT, TEEC_MEM_OUTPUT, TEEC_NONE, TEEC_ORIGIN_TEE, TEEC_ORIGIN_TRUSTED_APP, TEEC_PARAM_TYPES, TEEC_SUCCESS,
  TEEC_VALUE_INOUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TeecContext, TeecError, TeecOperation, type TeecSession,
} from '../../emulator/client/index.js';
import { clientUuid } from '../../emulator/api/login.js';
import { HELLO_WORLD, LOOP_TA, PANIC_TA, PROPS_TA, RANDOM_TA, TIMECHECK_TA } from '../helpers/device.js';
import { ECHO_TA, echoTaBytes, startServer, type TestServer } from './helpers.js';

const TEE_PROPSET_CURRENT_TA = 0xffffffff;
const TEE_PROPSET_CURRENT_CLIENT = 0xfffffffe;
const text = (s: string) => new TextEncoder().encode(s);

let server: TestServer;
let ctx: TeecContext;
let echo: TeecSession;

beforeAll(async () => {
  server = await startServer();
  ctx = await server.context('params-test', { admin: true }); // installs the echo TA, subscribes to the trace
  const installed = await ctx.connection.installTA(echoTaBytes());
  expect(installed.uuid).toBe(ECHO_TA);
  echo = await ctx.openSession(ECHO_TA);
});

afterAll(async () => {
  await server?.stop();
});

describe('1000 values', () => {
  it('1001 VALUE_INOUT: hello_world increments and decrements', async () => {
    const s = await ctx.openSession(HELLO_WORLD);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 41, b: 7 } }]);
    expect(await s.invokeCommand(0, op)).toEqual({ result: TEEC_SUCCESS, origin: 4 });
    expect(op.params[0].value).toEqual({ a: 42, b: 7 });
    await s.invokeCommand(1, op);
    await s.invokeCommand(1, op);
    expect(op.params[0].value!.a).toBe(40);
    await s.close();
  });

  it('1002 VALUE_OUTPUT: timecheck returns two time values', async () => {
    const s = await ctx.openSession(TIMECHECK_TA);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_OUTPUT, TEEC_VALUE_OUTPUT));
    expect((await s.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
    expect(op.params[1].value!.a).toBeGreaterThan(1_600_000_000);
    await s.close();
  });

  it('1003 VALUE_INPUT + MEMREF_TEMP_INPUT + MEMREF_TEMP_OUTPUT: a TA property, short buffer then the data', async () => {
    const s = await ctx.openSession(PROPS_TA);
    const types = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT);
    const name = text('gpd.ta.appID');
    const small = new TeecOperation(types, [{ tmpref: { buffer: new Uint8Array(4), size: 4 } }, { tmpref: { buffer: name, size: name.length } }, { value: { a: TEE_PROPSET_CURRENT_TA, b: 0 } }]);
    expect((await s.invokeCommand(0, small)).result).toBe(TEEC_ERROR_SHORT_BUFFER);
    expect(small.params[0].tmpref!.size).toBeGreaterThan(4);
    // The bytes that fit come back, as optee_client's libteec copies min(answered, given): here
    // what the TA's libutee wrote of the string, cut and terminated.
    expect([...small.params[0].tmpref!.buffer!]).toEqual([...Buffer.from(PROPS_TA.slice(0, 3)), 0]);
    const buf = new Uint8Array(64);
    const op = new TeecOperation(types, [{ tmpref: { buffer: buf, size: 64 } }, { tmpref: { buffer: name, size: name.length } }, { value: { a: TEE_PROPSET_CURRENT_TA, b: 0 } }]);
    expect((await s.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
    expect(new TextDecoder().decode(buf.subarray(0, op.params[0].tmpref!.size)).replace(/\0$/, '')).toBe(PROPS_TA);
    await s.close();
  });

  it('1004 login APPLICATION: the TA sees the client identity the server derived', async () => {
    const s = await ctx.openSession(PROPS_TA, { login: TEEC_LOGIN_APPLICATION });
    const name = text('gpd.client.identity');
    const buf = new Uint8Array(128);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_TEMP_INPUT, TEEC_VALUE_INPUT),
      [{ tmpref: { buffer: buf, size: 128 } }, { tmpref: { buffer: name, size: name.length } }, { value: { a: TEE_PROPSET_CURRENT_CLIENT, b: 0 } }]);
    expect((await s.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
    const identity = new TextDecoder().decode(buf.subarray(0, op.params[0].tmpref!.size));
    expect(identity).toContain(clientUuid(TEEC_LOGIN_APPLICATION, undefined, 'params-test')!);
    await s.close();
  });
});

describe('1100 temporary memrefs', () => {
  it('1101 MEMREF_TEMP_INPUT -> MEMREF_TEMP_OUTPUT copy with sizes reported', async () => {
    const input = text('hello over websocket');
    const out = new Uint8Array(64);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_OUTPUT),
      [{ tmpref: { buffer: input, size: input.length } }, { tmpref: { buffer: out, size: out.length } }]);
    expect((await echo.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
    expect(op.params[1].tmpref!.size).toBe(input.length);
    expect(op.params[2].value).toEqual({ a: input.length, b: 64 });
    expect(new TextDecoder().decode(out.subarray(0, input.length))).toBe('hello over websocket');
  });

  it('1102 MEMREF_TEMP_INOUT is reversed in place', async () => {
    const buf = text('abcdef');
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT), [{ tmpref: { buffer: buf, size: buf.length } }]);
    expect((await echo.invokeCommand(1, op)).result).toBe(TEEC_SUCCESS);
    expect(new TextDecoder().decode(buf)).toBe('fedcba');
  });

  it('1103 SHORT_BUFFER reports the needed size and a NULL buffer queries it', async () => {
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_INPUT), [{ tmpref: { buffer: null, size: 0 } }, { value: { a: 300, b: 0 } }]);
    expect((await echo.invokeCommand(2, op)).result).toBe(TEEC_ERROR_SHORT_BUFFER);
    expect(op.params[0].tmpref!.size).toBe(300);
    const buf = new Uint8Array(300);
    const again = new TeecOperation(op.paramTypes, [{ tmpref: { buffer: buf, size: 300 } }, { value: { a: 300, b: 0 } }]);
    expect((await echo.invokeCommand(2, again)).result).toBe(TEEC_SUCCESS);
    expect(buf.every((b) => b === 0xa5)).toBe(true);
  });

  it('1104 MEMREF_TEMP_OUTPUT of random bytes, 1 KiB', async () => {
    const s = await ctx.openSession(RANDOM_TA);
    const buf = new Uint8Array(1024);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_OUTPUT), [{ tmpref: { buffer: buf, size: 1024 } }]);
    expect((await s.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
    expect(buf.some((b) => b !== 0)).toBe(true);
    await s.close();
  });
});

describe('1200 registered shared memory', () => {
  it('1201 MEMREF_WHOLE on allocated INPUT|OUTPUT memory: synced in, reversed, synced out', async () => {
    const shm = await ctx.allocateSharedMemory(8, TEEC_MEM_INPUT | TEEC_MEM_OUTPUT);
    shm.buffer.set(text('12345678'));
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE), [{ memref: { parent: shm, offset: 0, size: 0 } }]);
    expect((await echo.invokeCommand(1, op)).result).toBe(TEEC_SUCCESS);
    expect(new TextDecoder().decode(shm.buffer)).toBe('87654321');
    expect(op.params[0].memref!.size).toBe(8);
    await shm.release();
  });

  it('1202 PARTIAL_INOUT on registered memory touches only [offset, offset+size)', async () => {
    const mine = text('..abcd..');
    const shm = await ctx.registerSharedMemory(mine, TEEC_MEM_INPUT | TEEC_MEM_OUTPUT);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT), [{ memref: { parent: shm, offset: 2, size: 4 } }]);
    expect((await echo.invokeCommand(1, op)).result).toBe(TEEC_SUCCESS);
    expect(new TextDecoder().decode(mine)).toBe('..dcba..');
    await shm.release();
  });

  it('1203 PARTIAL_INPUT and PARTIAL_OUTPUT across two blocks', async () => {
    const src = await ctx.allocateSharedMemory(16, TEEC_MEM_INPUT);
    const dst = await ctx.allocateSharedMemory(16, TEEC_MEM_OUTPUT);
    src.buffer.set(text('0123456789abcdef'));
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_VALUE_OUTPUT),
      [{ memref: { parent: src, offset: 4, size: 6 } }, { memref: { parent: dst, offset: 8, size: 8 } }]);
    expect((await echo.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
    expect(op.params[1].memref!.size).toBe(6);
    expect(new TextDecoder().decode(dst.buffer.subarray(8, 14))).toBe('456789');
    expect(dst.buffer.subarray(0, 8).every((b) => b === 0)).toBe(true);
    await src.release();
    await dst.release();
  });

  it('1204 MEMREF_WHOLE OUTPUT: random fills the block; SHORT_BUFFER leaves it untouched', async () => {
    const s = await ctx.openSession(RANDOM_TA);
    const shm = await ctx.allocateSharedMemory(32, TEEC_MEM_OUTPUT);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE), [{ memref: { parent: shm, offset: 0, size: 0 } }]);
    expect((await s.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
    expect(shm.buffer.some((b) => b !== 0)).toBe(true);
    const small = await ctx.allocateSharedMemory(8, TEEC_MEM_OUTPUT);
    const need = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE, TEEC_VALUE_INPUT), [{ memref: { parent: small, offset: 0, size: 0 } }, { value: { a: 100, b: 0 } }]);
    expect((await echo.invokeCommand(2, need)).result).toBe(TEEC_ERROR_SHORT_BUFFER);
    expect(need.params[0].memref!.size).toBe(100);
    expect(small.buffer.every((b) => b === 0)).toBe(true);
    await Promise.all([shm.release(), small.release(), s.close()]);
  });

  it('1205 a partial memref outside its block is refused before it reaches the device', async () => {
    const shm = await ctx.allocateSharedMemory(8, TEEC_MEM_INPUT | TEEC_MEM_OUTPUT);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT), [{ memref: { parent: shm, offset: 4, size: 8 } }]);
    await expect(echo.invokeCommand(1, op)).rejects.toBeInstanceOf(TeecError);
    const raw = ctx.connection.request('invokeCommand', { session: echo.id, cmd: 1, params: [{ type: TEEC_MEMREF_PARTIAL_INOUT, shm: shm.id, offset: 4, size: 8 }] });
    await expect(raw).rejects.toMatchObject({ code: 'bad-arguments' });
    await shm.release();
  });

  it('1206 released shared memory is gone from the device pool', async () => {
    const before = await server.host.call('stats', {});
    const blocks = await Promise.all([1, 2, 3].map(() => ctx.allocateSharedMemory(4096, TEEC_MEM_INPUT)));
    expect((await server.host.call('stats', {})).registeredShm).toBe(before.registeredShm + 3);
    await Promise.all(blocks.map((b) => b.release()));
    const after = await server.host.call('stats', {});
    expect(after.registeredShm).toBe(before.registeredShm);
    expect(after.poolBytesInUse).toBe(before.poolBytesInUse);
  });
});

describe('1300 cancellation and failures', () => {
  it('1301 a long invoke (loop TA polling its cancellation flag) is cancelled; other clients are served meanwhile', async () => {
    const s = await ctx.openSession(LOOP_TA);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_NONE));
    const started = Date.now();
    const running = s.invokeCommand(1, op);
    const other = await server.context('bystander');
    expect((await other.connection.request('ping', {}))).toEqual({});
    await new Promise((r) => setTimeout(r, 150));
    await op.requestCancellation();
    const r = await running;
    expect(r.result).toBe(TEEC_ERROR_CANCEL);
    expect(Date.now() - started).toBeLessThan(3000);
    // The session still works and the flag is cleared: a short TEE_Wait is not cancelled.
    const wait = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INPUT), [{ value: { a: 10, b: 0 } }]);
    expect((await s.invokeCommand(2, wait)).result).toBe(TEEC_SUCCESS);
    await s.close();
  });

  it('1302 TEE_Wait under masked cancellation (the TA default) is not interrupted, as GP says', async () => {
    // The loop TA masks cancellation again after command 1, so command 2's TEE_Wait runs out.
    const s = await ctx.openSession(LOOP_TA);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INPUT), [{ value: { a: 300, b: 0 } }]);
    const started = Date.now();
    const running = s.invokeCommand(2, op);
    await new Promise((r) => setTimeout(r, 50));
    await op.requestCancellation();
    expect((await running).result).toBe(TEEC_SUCCESS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await s.close();
  });

  it('1306 a call that outlives its timeout rejects with TIMEOUT; the command can still be cancelled', async () => {
    const s = await ctx.openSession(LOOP_TA);
    const error = await s.invokeCommand(1, new TeecOperation(TEEC_PARAM_TYPES(TEEC_NONE)), { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TeecError);
    expect((error as TeecError).code).toBe('timeout');
    expect((error as TeecError).message).toContain('invokeCommand: no answer within 100 ms');
    // The TA is still looping on the device: cancel it, then the session serves again.
    await s.requestCancellation();
    const wait = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INPUT), [{ value: { a: 10, b: 0 } }]);
    expect((await s.invokeCommand(2, wait)).result).toBe(TEEC_SUCCESS);
    await s.close();
  });

  it('1307 an openSession in progress is cancelled through its operation; another client cannot cancel it', async () => {
    // The loop TA's open polls its cancellation flag when value0.a is 1 (TA_LOOP_OPEN_UNTIL_CANCEL).
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INPUT), [{ value: { a: 1, b: 0 } }]);
    let settled = false;
    const opening = ctx.openSession(LOOP_TA, { operation: op }).finally(() => { settled = true; });
    const other = await server.context('bystander-2');
    // The other client names the very cancel id of that open: nothing happens (ids are per connection).
    expect(await other.connection.request('requestCancellation', { cancelId: op.opening!.cancelId })).toEqual({});
    expect(await other.connection.request('requestCancellation', { cancelId: 7, session: 1 }).catch((e: unknown) => (e as TeecError).code)).toBe('bad-arguments');
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBe(false);
    await op.requestCancellation();
    const error = await opening.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TeecError);
    expect((error as TeecError).result).toBe(TEEC_ERROR_CANCEL);
    expect((error as TeecError).origin).toBe(TEEC_ORIGIN_TRUSTED_APP);
    // The device keeps serving, and an open without the hold succeeds.
    const s = await ctx.openSession(LOOP_TA);
    const wait = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INPUT), [{ value: { a: 5, b: 0 } }]);
    expect((await s.invokeCommand(2, wait)).result).toBe(TEEC_SUCCESS);
    await s.close();
  });

  it('1303 a TA panic is TARGET_DEAD with origin TEE, and the device keeps serving', async () => {
    const s = await ctx.openSession(PANIC_TA);
    expect(await s.invokeCommand(0)).toEqual({ result: TEEC_ERROR_TARGET_DEAD, origin: TEEC_ORIGIN_TEE });
    const hw = await ctx.openSession(HELLO_WORLD);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 1, b: 0 } }]);
    expect((await hw.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
    await Promise.all([s.close(), hw.close()]);
  });

  it('1304 opening an unknown TA fails with ITEM_NOT_FOUND and a result code and origin', async () => {
    const error = await ctx.openSession('00000000-1111-2222-3333-444444444444').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TeecError);
    expect((error as TeecError).result).toBe(0xffff0008);
    expect((error as TeecError).origin).toBeGreaterThanOrEqual(2);
  });

  it('1305 device operations: info, listTAs, console subscription', async () => {
    const info = await ctx.connection.info();
    expect(info.board).toBe('trustbox-edge');
    expect((await ctx.connection.listTAs()).map((t) => t.uuid)).toContain(ECHO_TA);
    const lines: string[] = [];
    const stop = await ctx.connection.subscribe({ console: true }, (_stream, e) => { if (typeof e.line === 'string') lines.push(e.line); });
    const hw = await ctx.openSession(HELLO_WORLD);
    await hw.close();
    await new Promise((r) => setTimeout(r, 100));
    await stop();
    expect(lines.some((l) => l.includes('Hello World!'))).toBe(true);
  });

  it('1309 a console subscriber gets a line while the call that printed it still runs', async () => {
    const lines: string[] = [];
    const stop = await ctx.connection.subscribe({ console: true }, (_stream, e) => { if (typeof e.line === 'string') lines.push(e.line); });
    // Each open of the (multi-instance) loop TA loads it, which prints a line, then this open
    // polls its cancellation flag until cancelled: no other event comes to push the line out.
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INPUT), [{ value: { a: 1, b: 0 } }]);
    let settled = false;
    const opening = ctx.openSession(LOOP_TA, { operation: op }).finally(() => { settled = true; });
    const deadline = Date.now() + 3000;
    const loaded = () => lines.some((l) => l.includes(`loaded TA ${LOOP_TA}`));
    while (!loaded() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(loaded()).toBe(true);
    expect(settled).toBe(false);
    await op.requestCancellation();
    expect(await opening.catch((e: unknown) => (e as TeecError).result)).toBe(TEEC_ERROR_CANCEL);
    await stop();
  });

  it('1308 a trace subscriber sees a long call as it runs, not only when it ends', async () => {
    const s = await ctx.openSession(LOOP_TA);
    const seen: { type: string; name?: unknown }[] = [];
    const stop = await ctx.connection.subscribe({ console: true, trace: true }, (_stream, e) => { seen.push(e); });
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_NONE));
    let ended = false;
    const running = s.invokeCommand(1, op).finally(() => { ended = true; });
    const deadline = Date.now() + 3000;
    while (!seen.some((e) => e.type === 'syscall') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const duringCall = seen.filter((e) => e.type === 'syscall').length;
    expect(ended).toBe(false);
    expect(duringCall).toBeGreaterThan(0);
    await op.requestCancellation();
    expect((await running).result).toBe(TEEC_ERROR_CANCEL);
    await stop();
    await s.close();
  });
});

describe('1400 the connection', () => {
  it('1401 onClose tells a client that the device went away, with CONNECTION_CLOSED; later listeners hear it at once', async () => {
    const own = await startServer();
    const c = await own.context('closing');
    const heard: TeecError[] = [];
    c.connection.onClose((e) => heard.push(e));
    const removed = c.connection.onClose(() => heard.push(new TeecError(0, 0, 'removed listener ran')));
    removed();
    await own.stop();
    const deadline = Date.now() + 3000;
    while (heard.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(heard).toHaveLength(1);
    expect(heard[0]!.code).toBe('connection-closed');
    let late: TeecError | undefined;
    c.connection.onClose((e) => { late = e; });
    expect(late?.code).toBe('connection-closed');
  });
});
