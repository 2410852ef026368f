/**
 * RPCs that a client serves (the transport of Open Enclave ocalls), end to end: a TA calls the
 * RPC pseudo-TA, the RPC crosses the normal world's firmware to the host, the API server asks
 * the client that made the call (rpc frame), and the answer (rpcReply) goes back the same way.
 * The rpcprobe TA (firmware/ta/rpcprobe) makes the RPCs.
 */
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_VALUE_INPUT, TEEC_PARAM_TYPES,
} from '../../emulator/abi/client-api.js';
import type { RpcCall } from '../../emulator/abi/protocol.js';
import { TeecOperation, type TeecContext } from '../../emulator/client/teec.js';
import { HELLO_WORLD } from '../helpers/device.js';
import { startServer, type TestServer } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const RPCPROBE = '0c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5';
const CMD_RPC = 0;
const CMD_RPC_TWICE = 1;
const CMD_PANIC_AFTER = 2;
const TEE_ERROR_NOT_SUPPORTED = 0xffff000a;
const TEE_ERROR_BAD_PARAMETERS = 0xffff0006;
const TEE_ERROR_COMMUNICATION = 0xffff000e;
const TEEC_ERROR_TARGET_DEAD = 0xffff3024;

/** An operation for the probe: function, a 56-byte argument block, input bytes, output capacity. */
function rpcOp(func: number, input: Uint8Array, outSize: number): { op: TeecOperation; args: Uint8Array; out: Uint8Array } {
  const args = new Uint8Array(56);
  new DataView(args.buffer).setBigUint64(0, 7n, true); // a function id the handler sees
  const out = new Uint8Array(outSize);
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT), [
    { value: { a: func, b: 0 } },
    { tmpref: { buffer: args, size: args.length } },
    { tmpref: { buffer: input, size: input.length } },
    { tmpref: { buffer: out, size: out.length } },
  ]);
  return { op, args, out };
}

const text = (s: string) => new TextEncoder().encode(s);

describe('RPCs served by the client (ocall transport)', () => {
  let server: TestServer;
  let ctx: TeecContext;

  beforeAll(async () => {
    server = await startServer(undefined, { device: { taPaths: [join(ROOT, 'firmware/ta/rpcprobe/out')] } });
    ctx = await server.context('ocall-test');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('carries the function, arguments and input to the handler and its answer back to the TA', async () => {
    const seen: RpcCall[] = [];
    const session = await ctx.openSession(RPCPROBE, {
      onRpc: (call) => {
        seen.push(call);
        const args = new Uint8Array(call.args);
        args[48] = 0x2a; // the handler writes a result into the argument block
        return { result: 0, args, output: text(`${new TextDecoder().decode(call.input)}, world`) };
      },
    });
    const { op, args, out } = rpcOp(0x8000, text('hello'), 64);
    const r = await session.invokeCommand(CMD_RPC, op);
    expect(r.result).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.func).toBe(0x8000);
    expect(seen[0]!.args.length).toBe(56);
    expect(new DataView(seen[0]!.args.buffer, seen[0]!.args.byteOffset).getBigUint64(0, true)).toBe(7n);
    expect(new TextDecoder().decode(seen[0]!.input)).toBe('hello');
    expect(seen[0]!.outSize).toBe(64);
    expect(args[48]).toBe(0x2a);
    expect(op.params[3]!.tmpref!.size).toBe(12);
    expect(new TextDecoder().decode(out.subarray(0, 12))).toBe('hello, world');
    // Two RPCs in one call, each answered.
    const twice = rpcOp(0x8000, text('again'), 16);
    expect((await session.invokeCommand(CMD_RPC_TWICE, twice.op)).result).toBe(0);
    expect(seen).toHaveLength(3);
    await session.close();
  });

  it('shows each hop of the round trip in the trace: the core\'s GENERIC RPC, the host handing it to the client, the answer', async () => {
    const admin = await server.context('tracer', { admin: true });
    const events: { type: string; name?: unknown; detail?: unknown }[] = [];
    await admin.connection.subscribe({ trace: true }, (_stream, e) => events.push(e));
    const session = await ctx.openSession(RPCPROBE, { onRpc: () => ({ result: 0, output: text('ok') }) });
    expect((await session.invokeCommand(CMD_RPC, rpcOp(0x8000, text('in'), 8).op)).result).toBe(0);
    await session.close();
    await new Promise((r) => setTimeout(r, 200));
    const generic = events.filter((e) => e.type === 'rpc' && e.name === 'GENERIC').map((e) => String(e.detail));
    expect(generic.some((d) => /RPC to the normal world/.test(d))).toBe(true);
    expect(generic.some((d) => /function 0x8000 \(2 bytes in, 8 out\) to the client/.test(d))).toBe(true);
    expect(generic.some((d) => /answered 0x0 after/.test(d))).toBe(true);
    expect(events.some((e) => e.type === 'smc')).toBe(true);
  });

  it('fails NOT_SUPPORTED in the TA when the session has no RPC handler', async () => {
    const session = await ctx.openSession(RPCPROBE);
    const { op } = rpcOp(0x8000, text('x'), 8);
    expect((await session.invokeCommand(CMD_RPC, op)).result).toBe(TEE_ERROR_NOT_SUPPORTED);
    await session.close();
  });

  it('refuses an answer larger than the output asked for, and passes a handler\'s error code on', async () => {
    let mode = 'big';
    const session = await ctx.openSession(RPCPROBE, {
      onRpc: () => (mode === 'big' ? { result: 0, output: new Uint8Array(100) } : { result: 0xffff0008 }),
    });
    expect((await session.invokeCommand(CMD_RPC, rpcOp(0x8000, text('x'), 8).op)).result).toBe(TEE_ERROR_BAD_PARAMETERS);
    mode = 'error';
    expect((await session.invokeCommand(CMD_RPC, rpcOp(0x8000, text('x'), 8).op)).result).toBe(0xffff0008);
    await session.close();
  });

  it('keeps serving other clients while a handler takes its time', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const session = await ctx.openSession(RPCPROBE, { onRpc: async () => { await gate; return { result: 0 }; } });
    const slow = session.invokeCommand(CMD_RPC, rpcOp(0x8000, text('x'), 0).op);
    const other = await server.context('bystander');
    const hello = await other.openSession(HELLO_WORLD);
    const op = new TeecOperation(TEEC_PARAM_TYPES(0x3 /* VALUE_INOUT */, TEEC_NONE, TEEC_NONE, TEEC_NONE), [{ value: { a: 41, b: 0 } }]);
    const t0 = performance.now();
    expect((await hello.invokeCommand(0, op)).result).toBe(0);
    expect(op.params[0]!.value!.a).toBe(42);
    expect(performance.now() - t0).toBeLessThan(1000);
    release();
    expect((await slow).result).toBe(0);
    await hello.close();
    await session.close();
  });

  it('fails the TA\'s RPC with COMMUNICATION when the client goes away mid-RPC, and the device goes on', async () => {
    const gone = await server.context('leaver');
    let asked!: () => void;
    const askedP = new Promise<void>((r) => { asked = r; });
    const session = await gone.openSession(RPCPROBE, { onRpc: () => { asked(); return new Promise(() => {}); } });
    const call = session.invokeCommand(CMD_RPC, rpcOp(0x8000, text('x'), 0).op).catch((e: Error) => e);
    await askedP;
    gone.connection.close();
    await call;
    // The device still serves: a new RPC session on another connection works.
    const again = await ctx.openSession(RPCPROBE, { onRpc: () => ({ result: 0 }) });
    expect((await again.invokeCommand(CMD_RPC, rpcOp(0x8000, text('x'), 0).op)).result).toBe(0);
    await again.close();
    void TEE_ERROR_COMMUNICATION;
  });

  it('a TA that panics after its RPC is reported dead, and a handler that throws is a GENERIC error', async () => {
    const session = await ctx.openSession(RPCPROBE, { onRpc: () => ({ result: 0 }) });
    const r = await session.invokeCommand(CMD_PANIC_AFTER, rpcOp(0x8000, text('x'), 0).op);
    expect(r.result).toBe(TEEC_ERROR_TARGET_DEAD);
    await session.close();
    const throwing = await ctx.openSession(RPCPROBE, { onRpc: () => { throw new Error('handler bug'); } });
    expect((await throwing.invokeCommand(CMD_RPC, rpcOp(0x8000, text('x'), 0).op)).result).toBe(0xffff0000);
    await throwing.close();
  });
});
