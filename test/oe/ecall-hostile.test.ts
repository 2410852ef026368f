/**
 * Hostile ECALLs against a real enclave (test/fixtures/oe-host/hello, built by `trustbox oe
 * build` with generated stubs): a host that lies about sizes, drops a string's terminator,
 * truncates the args or calls a function id past the table gets OE's error in the args block,
 * the enclave's memory never reaches the output, and the enclave keeps serving.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEE_ERROR_ITEM_NOT_FOUND, TEE_SUCCESS } from '../../emulator/abi/results.js';
import type { ParamSpec } from '../../emulator/cli/params.js';
import { buildApp } from '../../emulator/cli/oe/build.js';
import { marshalCall, OeResult, type FuncSpec } from '../../emulator/client/oe/index.js';
import { bootDevice, type TestDevice } from '../helpers/device.js';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'trustbox-oe-hostile-'));
const ECALL = 2;
// hello.edl's trusted functions, in order: their ids on the wire.
const ADD: FuncSpec = { name: 'enclave_add', ret: 'i32', params: [{ name: 'a', kind: 'value', type: 'i32' }, { name: 'b', kind: 'value', type: 'i32' }] };
const GREET: FuncSpec = { name: 'enclave_greet', params: [{ name: 'who', kind: 'buffer', type: 'i8', dir: 'in', str: 1 }] };
const ID = { enclave_add: 0, enclave_greet: 1 };

let dev: TestDevice;
let session: number;

beforeAll(() => {
  for (const dir of ['oe/enclave', 'firmware/ta-devkit/lib']) execFileSync('make', ['-s', '-C', join(ROOT, dir)], { stdio: 'ignore' });
  const built = buildApp({ app: join(ROOT, 'test/fixtures/oe-host/hello'), out: join(work, 'out') });
  // The TA store finds a TA as <uuid>.ta, as tee-supplicant does.
  const { uuid, ta } = built.enclaves[0]!;
  mkdirSync(join(work, 'tas'));
  copyFileSync(ta, join(work, 'tas', `${uuid}.ta`));
  dev = bootDevice({ taPaths: [join(work, 'tas')] });
  const s = dev.client.openSession(uuid);
  expect(s.result).toBe(TEE_SUCCESS);
  session = s.session!;
}, 240_000);
afterAll(() => {
  dev?.close();
  rmSync(work, { recursive: true, force: true });
});

/**
 * `oe`: the dispatcher's result in the args block (did the call reach a function); `fn`: the
 * generated stub's `oe_result` at the head of the output, which the generated host returns.
 */
interface Raw { tee: number; oe: number; fn: number; written: number; output: Buffer }

/** One ECALL on OE's wire with the given input bytes, as a host that writes its own would send it. */
function raw(id: number, input: Uint8Array, outSize: number): Raw {
  const args = Buffer.alloc(56);
  args.writeBigUInt64LE(BigInt(id), 0);
  args.writeBigUInt64LE(BigInt(input.length), 16);
  args.writeBigUInt64LE(BigInt(outSize), 32);
  args.writeUInt32LE(OeResult.OE_UNEXPECTED, 48);
  const specs: ParamSpec[] = [
    { type: 'none' }, { type: 'memref-inout', data: args },
    input.length ? { type: 'memref-in', data: input } : { type: 'none' }, { type: 'memref-out', size: outSize },
  ];
  const r = dev.client.invoke(session, ECALL, specs);
  const a = r.params[1];
  const o = r.params[3];
  const back = a?.type === 'memref' ? Buffer.from(a.data) : Buffer.alloc(56);
  const output = o?.type === 'memref' ? Buffer.from(o.data) : Buffer.alloc(0);
  return { tee: r.result, oe: back.readUInt32LE(48), fn: output.length >= 4 ? output.readUInt32LE(0) : -1, written: Number(back.readBigUInt64LE(40)), output };
}

/** The greeting's input as the generated host stub builds it; `who_len` is the u64 at 32. */
function greet(who: string): { input: Buffer; outSize: number } {
  const m = marshalCall(GREET, { who }, {});
  return { input: Buffer.from(m.input), outSize: m.outputSize };
}

function add(a: number, b: number): number {
  const m = marshalCall(ADD, { a, b }, {});
  const r = raw(ID.enclave_add, m.input, m.outputSize);
  expect(r.tee).toBe(TEE_SUCCESS);
  expect(r.oe).toBe(OeResult.OE_OK);
  return r.output.readInt32LE(24); // oe_retval, after oe_result and the deep-copy pointer and size
}

describe('hostile ECALLs', () => {
  it('an honest call works as the generated host makes it', () => {
    const g = greet('world');
    expect(raw(ID.enclave_greet, g.input, g.outSize)).toMatchObject({ tee: TEE_SUCCESS, oe: OeResult.OE_OK, fn: OeResult.OE_OK });
    expect(add(2, 40)).toBe(42);
  });

  it('a string length past the input buffer is OE_BUFFER_TOO_SMALL, and nothing of the enclave comes back', () => {
    const g = greet('world');
    g.input.writeBigUInt64LE(4096n, 32);
    const r = raw(ID.enclave_greet, g.input, g.outSize);
    expect(r).toMatchObject({ tee: TEE_SUCCESS, oe: OeResult.OE_OK, fn: OeResult.OE_BUFFER_TOO_SMALL, written: 0 });
    expect(r.output.subarray(4).every((b) => b === 0)).toBe(true);
  });

  it('a string without its terminator, or shorter than its length says, is OE_INVALID_PARAMETER', () => {
    const g = greet('world');
    const at = g.input.indexOf(Buffer.from('world\0'));
    expect(at).toBeGreaterThan(0);
    g.input[at + 5] = 0x21; // '!' where the NUL was
    expect(raw(ID.enclave_greet, g.input, g.outSize).fn).toBe(OeResult.OE_INVALID_PARAMETER);
    const h = greet('world');
    h.input.writeBigUInt64LE(3n, 32); // says 3 characters with the NUL: "wo" + NUL is not what is there
    expect(raw(ID.enclave_greet, h.input, h.outSize).fn).toBe(OeResult.OE_INVALID_PARAMETER);
  });

  it('an input or output smaller than the args struct fails the call before the function runs', () => {
    const g = greet('world');
    // OE's generated stub: its result starts as OE_FAILURE and the size check leaves it there.
    expect(raw(ID.enclave_greet, g.input.subarray(0, 16), g.outSize)).toMatchObject({ oe: OeResult.OE_OK, fn: OeResult.OE_FAILURE });
    // An output too small for the result itself: nothing written, which the caller takes as failure.
    expect(raw(ID.enclave_greet, g.input, 16)).toMatchObject({ oe: OeResult.OE_OK, written: 0 });
  });

  it('a function id past the table is OE_NOT_FOUND, and the enclave keeps serving', () => {
    const g = greet('world');
    // The TA answers the invoke with ITEM_NOT_FOUND too, as OE on OP-TEE does.
    expect(raw(99, g.input, g.outSize)).toMatchObject({ tee: TEE_ERROR_ITEM_NOT_FOUND, oe: OeResult.OE_NOT_FOUND, written: 0 });
    expect(raw(2 ** 40, g.input, g.outSize).oe).toBe(OeResult.OE_NOT_FOUND);
    expect(add(-5, 5)).toBe(0);
    expect(raw(ID.enclave_greet, greet('again').input, greet('again').outSize)).toMatchObject({ oe: OeResult.OE_OK, fn: OeResult.OE_OK });
  });
});
