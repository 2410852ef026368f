/**
 * 01xx docs/protocol.schema.json: it is exactly what scripts/protocol-schema.ts generates from
 * emulator/abi/protocol.ts, the frames of a real client session validate against it, and
 * malformed frames do not.
 *
 * The traffic is captured by a recording WebSocket proxy between the client library and a
 * served device, so the frames are the bytes on the wire, decoded as the server decodes them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import * as P from '../../emulator/abi/protocol.js';
import {
  TEEC_MEMREF_PARTIAL_INOUT, TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT,
  TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_WHOLE, TEEC_MEM_INPUT, TEEC_MEM_OUTPUT, TEEC_PARAM_TYPES, TEEC_SUCCESS, TEEC_VALUE_INOUT,
  TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TeecContext, TeecOperation,
} from '../../emulator/client/index.js';
import { REGENERATE, SCHEMA_FILE, forValidation, repoRoot, schemaText } from '../../scripts/protocol-schema.js';
import { HELLO_WORLD } from '../helpers/device.js';
import { ECHO_TA, RawClient, echoTaBytes, packr, startServer, type TestServer } from './helpers.js';

const ROOT = repoRoot();
const committed = readFileSync(join(ROOT, SCHEMA_FILE), 'utf8');
const schema = JSON.parse(committed) as { $id: string; $defs: Record<string, unknown> };

// The schema must be clean under ajv's strict checks, so that other validators read it the same way.
const ajv = new Ajv2020({ allErrors: true, strictSchema: true, strictTypes: true, strictTuples: true });
ajv.addSchema(schema);
function validator(def?: string): ValidateFunction {
  const v = ajv.getSchema(def ? `${schema.$id}#/$defs/${def}` : schema.$id);
  if (!v) throw new Error(`no schema ${def ?? 'root'}`);
  return v;
}
const anyFrame = validator();
const clientFrame = validator('ClientFrame');
const serverFrame = validator('ServerFrame');
const pascal = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

/** The errors of `v` on `value` as one line, for failure messages. */
function errorsOf(v: ValidateFunction, value: unknown): string {
  return v(forValidation(value)) ? '' : ajv.errorsText(v.errors);
}

describe('0100 the protocol schema', () => {
  it('0101 docs/protocol.schema.json is what scripts/protocol-schema.ts generates from protocol.ts', () => {
    const fresh = schemaText(ROOT);
    if (fresh !== committed) {
      expect.fail(`${SCHEMA_FILE} is out of date with emulator/abi/protocol.ts; regenerate it:\n  ${REGENERATE}`);
    }
  });

  it('0102 every definition compiles under ajv strict mode; the declarative tables agree with the constants', () => {
    for (const name of Object.keys(schema.$defs)) expect(() => validator(name), name).not.toThrow();
    for (const t of P.PARAM_TYPES) expect((P as Record<string, unknown>)[t.name], t.name).toBe(t.type);
    expect(Object.keys(P.OPERATIONS).sort()).toEqual([...P.OPERATION_NAMES].sort());
  });
});

/** One frame seen by the recording proxy: which connection, which end sent it, its bytes. */
interface Captured { conn: number; from: 'client' | 'server'; bytes: Buffer }

/** A WebSocket proxy to `upstream` that records every message each way. */
async function recordingProxy(upstream: string): Promise<{ url: string; frames: Captured[]; close(): Promise<void> }> {
  const frames: Captured[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((res) => wss.once('listening', () => res()));
  let conns = 0;
  wss.on('connection', (client) => {
    const conn = conns++;
    const server = new WebSocket(upstream);
    const early: Buffer[] = [];
    const bytes = (d: RawData): Buffer => (Buffer.isBuffer(d) ? d : Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d));
    client.on('message', (d) => {
      const b = bytes(d);
      frames.push({ conn, from: 'client', bytes: b });
      if (server.readyState === WebSocket.OPEN) server.send(b);
      else early.push(b);
    });
    server.on('open', () => {
      for (const b of early.splice(0)) server.send(b);
    });
    server.on('message', (d) => {
      const b = bytes(d);
      frames.push({ conn, from: 'server', bytes: b });
      client.send(b);
    });
    // Pass the server's close code on (1008 after a refused hello), where it may be sent.
    server.on('close', (code, reason) => client.close(code >= 1000 && code < 5000 && ![1004, 1005, 1006, 1015].includes(code) ? code : 1000, reason));
    client.on('close', () => server.close());
    server.on('error', () => client.terminate());
    client.on('error', () => server.terminate());
  });
  const address = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${address.port}`,
    frames,
    close: () => new Promise<void>((res) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => res());
    }),
  };
}

let server: TestServer;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
/** The captured frames, decoded as the server decodes them. */
let decoded: (Captured & { frame: any })[] = [];
/** The frames the session sends malformed on purpose (the server answers them with errors). */
let malformed: (Captured & { frame: any })[] = [];
/** The well-formed frames. */
let wellFormed: (Captured & { frame: any })[] = [];
/** Whether the session sent `d` malformed on purpose: a byte that is not msgpack, a session id as text. */
const onPurpose = (d: Captured & { frame: any }): boolean => d.from === 'client'
  && ((d.bytes.length === 1 && d.bytes[0] === 0xc1) || (d.frame?.op === 'closeSession' && typeof d.frame.args?.session === 'string'));

const text = (s: string) => new TextEncoder().encode(s);

/** A client session through the proxy that sends every kind of frame and parameter. */
async function session(url: string, token: string, admin: string): Promise<void> {
  const ctx = await TeecContext.initialize({ url, token, admin, client: 'schema-test' });
  const conn = ctx.connection;
  expect((await conn.installTA(echoTaBytes())).uuid).toBe(ECHO_TA);
  await conn.info();
  await conn.request('listTAs', {});
  await conn.request('ping', { data: text('ping') });

  // Values, with trace events flowing while the invoke runs.
  let events = 0;
  const unsubscribe = await conn.subscribe({ trace: true }, () => { events++; });
  const hello = await ctx.openSession(HELLO_WORLD, { operation: new TeecOperation(TEEC_PARAM_TYPES(0)) });
  const value = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 41, b: 0 } }]);
  expect((await hello.invokeCommand(0, value)).result).toBe(TEEC_SUCCESS);
  await unsubscribe();
  expect(events).toBeGreaterThan(0);
  await hello.close();

  // Temporary memrefs, a NULL buffer and a short buffer.
  const echo = await ctx.openSession(ECHO_TA);
  const input = text('hello schema');
  const out = new Uint8Array(32);
  const temp = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_OUTPUT),
    [{ tmpref: { buffer: input, size: input.length } }, { tmpref: { buffer: out, size: out.length } }]);
  expect((await echo.invokeCommand(0, temp)).result).toBe(TEEC_SUCCESS);
  const inout = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT), [{ tmpref: { buffer: text('abc'), size: 3 } }]);
  expect((await echo.invokeCommand(1, inout)).result).toBe(TEEC_SUCCESS);
  const query = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_INPUT), [{ tmpref: { buffer: null, size: 0 } }, { value: { a: 40, b: 0 } }]);
  expect((await echo.invokeCommand(2, query)).result).not.toBe(TEEC_SUCCESS);

  // Registered and allocated shared memory: whole and partial memrefs.
  const mine = text('..abcd..');
  const registered = await ctx.registerSharedMemory(mine, TEEC_MEM_INPUT | TEEC_MEM_OUTPUT);
  const partial = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT), [{ memref: { parent: registered, offset: 2, size: 4 } }]);
  expect((await echo.invokeCommand(1, partial)).result).toBe(TEEC_SUCCESS);
  const whole = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_WHOLE), [{ memref: { parent: registered, offset: 0, size: 0 } }]);
  expect((await echo.invokeCommand(1, whole)).result).toBe(TEEC_SUCCESS);
  const src = await ctx.allocateSharedMemory(16, TEEC_MEM_INPUT);
  const dst = await ctx.allocateSharedMemory(16, TEEC_MEM_OUTPUT);
  src.buffer.set(text('0123456789abcdef'));
  const copy = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_VALUE_OUTPUT),
    [{ memref: { parent: src, offset: 4, size: 6 } }, { memref: { parent: dst, offset: 8, size: 8 } }]);
  expect((await echo.invokeCommand(0, copy)).result).toBe(TEEC_SUCCESS);

  // Errors in responses: an unknown session, arguments of the wrong type, a cancellation of nothing.
  await expect(conn.request('invokeCommand', { session: 999_999, cmd: 0, params: [] })).rejects.toMatchObject({ code: 'not-found' });
  await expect(conn.request('closeSession', { session: 'one' } as never)).rejects.toMatchObject({ code: 'bad-arguments' });
  await conn.request('requestCancellation', { cancelId: 7 });

  await Promise.all([registered.release(), src.release(), dst.release()]);
  await echo.close();
  await ctx.finalize();
  conn.close();
}

beforeAll(async () => {
  server = await startServer();
  proxy = await recordingProxy(server.url);
  await session(proxy.url, server.token, server.admin);
  // Error frames (id null): a frame that is not msgpack after the hello, and a refused hello.
  const raw = await RawClient.open(proxy.url);
  await raw.hello(server.token);
  raw.sendRaw(Uint8Array.of(0xc1));
  await raw.until(() => raw.frames.some((f) => f.type === 'error'));
  raw.close();
  const refused = await RawClient.open(proxy.url);
  refused.send({ type: 'hello', version: P.PROTOCOL_VERSION, token: 'wrong-token-wrong-token' });
  await refused.until(() => refused.closed !== undefined);
  await new Promise((r) => setTimeout(r, 100)); // the proxy records the last frames
  // Decoded as the server decodes them (msgpackr reads the reserved byte 0xc1 as an object of its own).
  decoded = proxy.frames.map((c) => {
    try {
      return { ...c, frame: packr.unpack(c.bytes) };
    } catch {
      return { ...c, frame: undefined };
    }
  });
  malformed = decoded.filter(onPurpose);
  wellFormed = decoded.filter((d) => !onPurpose(d));
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

describe('0110 real traffic validates against the schema', () => {
  it('0111 the session sent every frame type, every operation it needs and every kind of parameter', () => {
    expect(malformed).toHaveLength(2);
    const types = new Set(wellFormed.map((d) => d.frame.type));
    expect([...types].sort()).toEqual(['error', 'event', 'hello', 'req', 'res', 'welcome']);
    const ops = new Set(wellFormed.filter((d) => d.frame.type === 'req').map((d) => d.frame.op));
    for (const op of ['initializeContext', 'openSession', 'invokeCommand', 'registerSharedMemory', 'allocateSharedMemory', 'releaseSharedMemory', 'installTA', 'closeSession', 'finalizeContext']) {
      expect(ops, op).toContain(op);
    }
    const paramTypes = new Set(wellFormed.flatMap((d) => (d.frame.type === 'req' ? d.frame.args?.params ?? [] : [])).map((p: { type: number }) => p.type));
    for (const t of [TEEC_VALUE_INOUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_TEMP_INOUT,
      TEEC_MEMREF_WHOLE, TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_MEMREF_PARTIAL_INOUT]) {
      expect(paramTypes, `param type ${t}`).toContain(t);
    }
    expect(wellFormed.some((d) => d.frame.type === 'res' && d.frame.error)).toBe(true);
    // Bytes travel as msgpack bin: decoded, they are Uint8Arrays.
    const bin = wellFormed.find((d) => d.frame.op === 'installTA');
    expect(bin?.frame.args.bytes).toBeInstanceOf(Uint8Array);
  });

  it('0112 each client frame is a ClientFrame, each server frame a ServerFrame, all of them frames', () => {
    for (const d of wellFormed) {
      const direction = d.from === 'client' ? clientFrame : serverFrame;
      expect(errorsOf(direction, d.frame), `${d.from} frame ${JSON.stringify(forValidation(d.frame)).slice(0, 300)}`).toBe('');
      expect(errorsOf(anyFrame, d.frame), d.frame.type).toBe('');
    }
  });

  it('0114 the frames the session sent malformed on purpose fail, as the server refused them', () => {
    for (const d of malformed) expect(clientFrame(forValidation(d.frame)), JSON.stringify(d.frame)).toBe(false);
    const refusals = wellFormed.filter((d) => d.frame.error?.code === 'malformed-frame' || d.frame.error?.code === 'bad-arguments');
    expect(refusals.length).toBeGreaterThanOrEqual(2);
  });

  it('0113 each request passes checkArgs, and each result is its operation\'s <Operation>Result', () => {
    let results = 0;
    for (const req of wellFormed.filter((d) => d.frame.type === 'req')) {
      expect(P.checkArgs(req.frame.op, req.frame.args)).toBeUndefined();
      const res = decoded.find((d) => d.conn === req.conn && d.frame.type === 'res' && d.frame.id === req.frame.id);
      expect(res, `answer to ${req.frame.op} #${req.frame.id}`).toBeDefined();
      if (!res!.frame.result) continue;
      expect(errorsOf(validator(`${pascal(req.frame.op)}Result`), res!.frame.result), req.frame.op).toBe('');
      results++;
    }
    expect(results).toBeGreaterThan(20);
  });
});

describe('0120 malformed frames fail', () => {
  /** A captured frame of the connection's traffic, deep-copied for mutation. */
  const sample = (pred: (f: any) => boolean): any => structuredClone(wellFormed.find((d) => pred(d.frame))!.frame);
  const invoke = (): any => sample((f) => f.op === 'invokeCommand' && f.args.params.some((p: { data?: unknown }) => p.data));

  it('0121 requests whose arguments checkArgs refuses are refused by the schema too', () => {
    const cases: [string, (f: any) => void][] = [
      ['negative cmd', (f) => { f.args.cmd = -1; }],
      ['param type 4', (f) => { f.args.params[0].type = 4; }],
      ['five params', (f) => { f.args.params = [0, 1, 2, 3, 4].map(() => ({ type: 0 })); }],
      ['an unknown argument', (f) => { f.args.bogus = 1; }],
      ['data as text', (f) => { f.args.params.find((p: { data?: unknown }) => p.data).data = 'bytes'; }],
      ['data as an array of numbers', (f) => { f.args.params.find((p: { data?: unknown }) => p.data).data = [1, 2, 3]; }],
      ['session missing', (f) => { delete f.args.session; }],
    ];
    for (const [what, mutate] of cases) {
      const f = invoke();
      mutate(f);
      expect(P.checkArgs('invokeCommand', f.args), what).toBeDefined();
      expect(clientFrame(forValidation(f)), what).toBe(false);
    }
  });

  it('0122 frames the protocol does not allow fail, each with a pointed error', () => {
    const cases: [string, ValidateFunction, any, string][] = [
      ['hello without token', clientFrame, { type: 'hello', version: 1 }, 'token'],
      ['hello of version 2', clientFrame, { type: 'hello', version: 2, token: 't' }, 'version'],
      ['unknown frame type', anyFrame, { type: 'bye' }, 'type'],
      ['unknown operation', clientFrame, { type: 'req', id: 1, op: 'format', args: {} }, 'op'],
      ['a response with result and error', serverFrame, { ...sample((f) => f.type === 'res' && f.error), result: {} }, ''],
      ['bad-token with the wrong result code', serverFrame, (() => { const f = sample((f) => f.type === 'error'); f.error.code = 'bad-token'; return f; })(), 'error'],
      ['a server frame from the client', clientFrame, sample((f) => f.type === 'welcome'), 'type'],
      ['a welcome missing a limit', serverFrame, (() => { const f = sample((f) => f.type === 'welcome'); delete f.limits.maxInFlight; return f; })(), 'limits'],
      ['a value param carrying data', clientFrame, (() => { const f = invoke(); f.args.params = [{ type: TEEC_VALUE_INPUT, a: 1, b: 2, data: new Uint8Array(1) }]; return f; })(), 'params'],
      ['shared memory flags 0', clientFrame, (() => { const f = sample((f) => f.op === 'allocateSharedMemory'); f.args.flags = 0; return f; })(), 'flags'],
      ['requestCancellation naming both', clientFrame, { type: 'req', id: 5, op: 'requestCancellation', args: { session: 1, cancelId: 2 } }, 'args'],
    ];
    for (const [what, v, frame, where] of cases) {
      expect(v(forValidation(frame)), what).toBe(false);
      expect(ajv.errorsText(v.errors), what).toContain(where);
    }
  });

  it('0123 a bin value must be mapped to {"$bytes": n}: the decoded Uint8Array itself does not validate', () => {
    const f = sample((f) => f.op === 'installTA');
    expect(clientFrame(forValidation(f))).toBe(true);
    expect(clientFrame(f)).toBe(false);
  });
});
