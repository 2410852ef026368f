/**
 * The OE enclave runtime's OCALLs through the real path: oe_call_host_function in the enclave,
 * the RPC pseudo-TA, the normal world, the API server, and the client's RPC handler (the test
 * plays the host runtime: it answers OE_OCALL_CALL_HOST_FUNCTION on the 56-byte args block).
 * The fixture enclave (test/fixtures/oe/enclave) has hand-written OCALL marshalling.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_PARAM_TYPES,
} from '../../emulator/abi/client-api.js';
import type { RpcAnswer, RpcCall } from '../../emulator/abi/protocol.js';
import { TeecOperation, type TeecContext, type TeecSession } from '../../emulator/client/teec.js';
import { startServer, type TestServer } from '../api/helpers.js';

const ROOT = process.cwd();
const A_V1 = '0e5a1c00-0000-4000-8000-00000000a001';
const IO = '0e5a1c00-0000-4000-8000-0000000010a1';
const OE_OK = 0;
const OE_FAILURE = 1;
const OE_UNEXPECTED = 7;
const OCALL_HOST_FUNCTION = 0x8000;

let out: string;
let server: TestServer;
let ctx: TeecContext;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'trustbox-oe-ocall-'));
  execFileSync('make', ['-s', '-C', join(ROOT, 'firmware', 'ta-devkit', 'lib')], { stdio: 'pipe' });
  // Private copies of the runtime libraries: test files run in parallel.
  execFileSync('make', ['-s', '-C', join(ROOT, 'oe', 'enclave'), `OUT=${join(out, 'lib')}`], { stdio: 'pipe' });
  execFileSync('make', ['-s', '-C', join(ROOT, 'test', 'fixtures', 'oe', 'enclave'), `O=${out}`, `OE_LIB=${join(out, 'lib')}`], { stdio: 'pipe' });
  server = await startServer(undefined, { device: { taPaths: [out] } });
  ctx = await server.context('oe-ocall-test');
}, 180_000);
afterAll(async () => {
  await server?.stop();
  rmSync(out, { recursive: true, force: true });
});

/** One ECALL (OE's wire) answered in the test enclave's layout: u32 oe_result, u32 length, data. */
async function ecall(session: TeecSession, id: number, input: Uint8Array): Promise<{ tee: number; oe: number; data: Buffer }> {
  const args = new Uint8Array(56);
  new DataView(args.buffer).setBigUint64(0, BigInt(id), true);
  const output = new Uint8Array(4096);
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_NONE, TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT), [
    {}, { tmpref: { buffer: args, size: 56 } }, { tmpref: { buffer: input, size: input.length } }, { tmpref: { buffer: output, size: output.length } },
  ]);
  const r = await session.invokeCommand(2, op);
  const o = Buffer.from(output);
  return { tee: r.result, oe: o.readUInt32LE(0), data: o.subarray(8, 8 + o.readUInt32LE(4)) };
}

/** A host runtime in miniature: function `id` of the OCALL table answers with `fn(input)`. */
function host(table: Record<number, (input: Buffer) => Buffer>, seen: RpcCall[] = []): (call: RpcCall) => RpcAnswer {
  return (call) => {
    seen.push(call);
    if (call.func !== OCALL_HOST_FUNCTION) return { result: 0xffff0008 };
    const args = Buffer.from(call.args);
    const fn = table[Number(args.readBigUInt64LE(0))];
    if (!fn) return { result: 0, args };
    const output = fn(Buffer.from(call.input));
    args.writeBigUInt64LE(BigInt(output.length), 40);
    args.writeBigUInt64LE(BigInt(OE_OK), 48);
    return { result: 0, args, output };
  };
}

describe('OE enclave runtime: OCALLs through the normal world', () => {
  it('oe_call_host_function reaches the host function with its id and input and brings its output back', async () => {
    const seen: RpcCall[] = [];
    const session = await ctx.openSession(A_V1, { onRpc: host({ 5: (input) => Buffer.from(`host saw ${input.subarray(0, 5).toString()}`) }, seen) });
    const r = await ecall(session, 8, new TextEncoder().encode('hello'));
    expect(r).toMatchObject({ tee: 0, oe: OE_OK });
    expect(r.data.toString()).toBe('host saw hello');
    const call = seen.find((c) => c.func === OCALL_HOST_FUNCTION)!;
    expect(call.args.length).toBe(56);
    expect(call.input.length).toBe(16); // padded as edger8r pads
    expect(call.outSize).toBe(64);
    expect(Buffer.from(call.args).readBigUInt64LE(48)).toBe(BigInt(OE_UNEXPECTED)); // the enclave's initial result
    await session.close();
  });

  it('an unknown host function leaves OE_UNEXPECTED; a session without a handler fails the OCALL with OE_FAILURE', async () => {
    const session = await ctx.openSession(A_V1, { onRpc: host({}) });
    expect((await ecall(session, 8, new Uint8Array(3))).oe).toBe(OE_UNEXPECTED);
    await session.close();
    const bare = await ctx.openSession(A_V1);
    expect((await ecall(bare, 8, new Uint8Array(3))).oe).toBe(OE_FAILURE);
    await bare.close();
  });

  it('printf reaches the host through oe_syscall_write_ocall when the enclave has it', async () => {
    const written: string[] = [];
    const write = (input: Buffer) => {
      const count = Number(input.readBigUInt64LE(8));
      written.push(`${input.readUInt32LE(0)}:${input.subarray(16, 16 + count).toString()}`);
      const answer = Buffer.alloc(16);
      answer.writeBigInt64LE(BigInt(count), 8);
      return answer;
    };
    const session = await ctx.openSession(IO, { onRpc: host({ 0: write, 5: () => Buffer.from('ok') }) });
    const r = await ecall(session, 0, new TextEncoder().encode('xyz'));
    expect(r.data.toString()).toBe('zyx');
    expect(written).toContain('1:echo from the enclave: 3 bytes\n');
    expect((await ecall(session, 8, new Uint8Array(1))).data.toString()).toBe('ok');
    expect(written).toContain('1:ocall answered 0 with 2 bytes\n');
    await session.close();
  });
});
