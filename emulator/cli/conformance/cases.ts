/**
 * The case table of `trustbox test`: a representative set of the project's conformance suite
 * (test/conformance, numbered like xtest) that runs against a running device through the
 * client library. Ids follow the in-process suite's families: 1xxx core (TA calls, errors,
 * panics), 4xxx crypto (the cryptest TA: test/conformance/4001-hash, 4003-cipher; the random
 * sample), 5xxx client API (memrefs: temporary, registered, partial, short buffers), 6xxx
 * storage (the secure_storage sample). Every TA used here is in the default image
 * (images/trustbox-edge/manifest.json); the command ids come from firmware/ta/<name>/include.
 */
import {
  TEEC_ERROR_BAD_PARAMETERS, TEEC_ERROR_ITEM_NOT_FOUND, TEEC_ERROR_SHORT_BUFFER, TEEC_ERROR_TARGET_DEAD, TEEC_MEMREF_PARTIAL_INOUT,
  TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEM_INPUT, TEEC_MEM_OUTPUT, TEEC_NONE,
  TEEC_ORIGIN_TEE, TEEC_ORIGIN_TRUSTED_APP, TEEC_PARAM_TYPES, TEEC_SUCCESS, TEEC_VALUE_INOUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT,
} from '../../abi/client-api.js';
import { TeecOperation, type TeecContext, type TeecSession } from '../../client/index.js';
import { CaseFailure, expectBytes, expectEqual, expectResult, openFails, withSession, type ConformanceCase } from './case.js';

export const HELLO_WORLD_TA = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
export const PANIC_TA = 'b13d3d9e-1916-4782-b308-c32b7b788034';
export const RANDOM_TA = 'b6c53aba-9669-4668-a7f2-205629d00f86';
export const ECHO_TA = '6f1b2e1c-7c4e-4d2b-9a57-3e0c5d9a2b10';
export const CRYPTEST_TA = '7c0a5b1e-3f2d-4c8a-9e61-b2d4f0a8c317';
export const SECURE_STORAGE_TA = 'f4e750bb-1437-4fbf-8785-8d3580c34994';
/** A UUID no image ships (and nobody should install). */
const ABSENT_TA = '0badc0de-0000-4000-8000-00000000dead';

const HELLO = { INC_VALUE: 0, DEC_VALUE: 1 } as const;
const PANIC = { PANIC: 0, NULL_STORE: 1 } as const;
const ECHO = { COPY: 0, REVERSE: 1 } as const;
const STORAGE = { READ_RAW: 0, WRITE_RAW: 1, DELETE: 2 } as const;
/** cryptest_ta.h: commands, modes and record ids of the key and operation blobs. */
const CT = { CMD_DIGEST: 0, CMD_CIPHER: 2, MODE_ENCRYPT: 0, MODE_DECRYPT: 1, MODE_DIGEST: 5, IV: 0x01, DATA: 0x04, KEYTYPE: 0x08 } as const;
const TEE_ALG_SHA256 = 0x50000004;
const TEE_ALG_AES_CBC_NOPAD = 0x10000110;
const TEE_TYPE_AES = 0xa0000010;
const TEE_ATTR_SECRET_VALUE = 0xc0000000;

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const tmp = (buffer: Uint8Array) => ({ tmpref: { buffer, size: buffer.length } });

/** hello_world: value.a changed by one. */
async function helloValue(context: TeecContext, cmd: number, a: number): Promise<number> {
  return withSession(context, HELLO_WORLD_TA, async (s) => {
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a, b: 0 } }]);
    expectResult(`hello_world command ${cmd}`, await s.invokeCommand(cmd, op), TEEC_SUCCESS);
    return op.params[0].value!.a;
  });
}

/** Records {u32 id, u32 len, data, pad to 4}, as cryptest_ta.h defines its blobs. */
function blob(fields: [number, Uint8Array | { a: number; b: number }][]): Buffer {
  const parts: Buffer[] = [];
  for (const [id, v] of fields) {
    const data = v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(new Uint32Array([v.a >>> 0, v.b >>> 0]).buffer);
    const head = Buffer.alloc(8);
    head.writeUInt32LE(id >>> 0, 0);
    head.writeUInt32LE(data.length, 4);
    parts.push(head, data, Buffer.alloc((4 - (data.length % 4)) % 4));
  }
  return Buffer.concat(parts);
}

/** One cryptest command: value (algo, mode), key blob, operation blob, output. */
async function cryptest(context: TeecContext, cmd: number, algo: number, mode: number, key: Buffer | undefined, data: Buffer, outSize: number) {
  return withSession(context, CRYPTEST_TA, async (s) => {
    const out = new Uint8Array(outSize);
    const op = new TeecOperation(
      TEEC_PARAM_TYPES(TEEC_VALUE_INPUT, key ? TEEC_MEMREF_TEMP_INPUT : TEEC_NONE, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT),
      [{ value: { a: algo, b: mode } }, key ? tmp(key) : {}, tmp(data), tmp(out)],
    );
    const r = await s.invokeCommand(cmd, op);
    return { ...r, out: Buffer.from(out.subarray(0, op.params[3].tmpref!.size)) };
  });
}

/** secure_storage: one command on its own session. */
async function storage(s: TeecSession, cmd: number, id: string, data?: Uint8Array, outSize = 0) {
  const idBuf = Buffer.from(id);
  if (cmd === STORAGE.DELETE) return { ...(await s.invokeCommand(cmd, new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT), [tmp(idBuf)]))), data: Buffer.alloc(0) };
  const out = data ?? new Uint8Array(outSize);
  const types = TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, cmd === STORAGE.WRITE_RAW ? TEEC_MEMREF_TEMP_INPUT : TEEC_MEMREF_TEMP_OUTPUT);
  const op = new TeecOperation(types, [tmp(idBuf), tmp(out)]);
  const r = await s.invokeCommand(cmd, op);
  return { ...r, data: Buffer.from(out.subarray(0, Math.min(out.length, op.params[1].tmpref!.size))) };
}

const AES_KEY = hex('2b7e151628aed2a6abf7158809cf4f3c');
const AES_IV = hex('000102030405060708090a0b0c0d0e0f');
const AES_PT = hex('6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51');
const AES_CT = hex('7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2');

export const CASES: readonly ConformanceCase[] = [
  {
    id: '1001', family: 'core', name: 'hello_world INC_VALUE: 41 comes back as 42',
    async run(ctx) { expectEqual('value.a', await helloValue(ctx, HELLO.INC_VALUE, 41), 42); },
  },
  {
    id: '1002', family: 'core', name: 'hello_world DEC_VALUE: 42 comes back as 41',
    async run(ctx) { expectEqual('value.a', await helloValue(ctx, HELLO.DEC_VALUE, 42), 41); },
  },
  {
    id: '1003', family: 'core', name: 'opening a session on a UUID no store has: ITEM_NOT_FOUND, origin TEE',
    async run(ctx) { expectResult('TEEC_OpenSession', await openFails(ctx, ABSENT_TA), TEEC_ERROR_ITEM_NOT_FOUND, TEEC_ORIGIN_TEE); },
  },
  {
    id: '1004', family: 'core', name: 'TEE_Panic in a TA: TARGET_DEAD origin TEE, and the session stays dead',
    async run(ctx) {
      await withSession(ctx, PANIC_TA, async (s) => {
        expectResult('the panicking call', await s.invokeCommand(PANIC.PANIC), TEEC_ERROR_TARGET_DEAD, TEEC_ORIGIN_TEE);
        expectResult('the next call on that session', await s.invokeCommand(PANIC.PANIC), TEEC_ERROR_TARGET_DEAD, TEEC_ORIGIN_TEE);
      });
    },
  },
  {
    id: '1005', family: 'core', name: 'a TA data abort (store to NULL): TARGET_DEAD origin TEE; other TAs still answer',
    async run(ctx) {
      await withSession(ctx, PANIC_TA, async (s) => {
        expectResult('the faulting call', await s.invokeCommand(PANIC.NULL_STORE), TEEC_ERROR_TARGET_DEAD, TEEC_ORIGIN_TEE);
      });
      expectEqual('hello_world after the fault', await helloValue(ctx, HELLO.INC_VALUE, 7), 8);
    },
  },
  {
    id: '4001', family: 'crypto', name: 'cryptest SHA-256 of "abc" (FIPS 180-2 B.1)',
    async run(ctx) {
      const r = await cryptest(ctx, CT.CMD_DIGEST, TEE_ALG_SHA256, CT.MODE_DIGEST, undefined, blob([[CT.DATA, Buffer.from('abc')]]), 64);
      expectResult('digest', r, TEEC_SUCCESS);
      expectBytes('SHA-256("abc")', r.out, hex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'));
    },
  },
  {
    id: '4003', family: 'crypto', name: 'cryptest AES-128-CBC both ways (SP800-38A F.2.1/F.2.2, two blocks)',
    async run(ctx) {
      const key = blob([[CT.KEYTYPE, { a: TEE_TYPE_AES, b: 128 }], [TEE_ATTR_SECRET_VALUE, AES_KEY]]);
      const enc = await cryptest(ctx, CT.CMD_CIPHER, TEE_ALG_AES_CBC_NOPAD, CT.MODE_ENCRYPT, key, blob([[CT.DATA, AES_PT], [CT.IV, AES_IV]]), 64);
      expectResult('encrypt', enc, TEEC_SUCCESS);
      expectBytes('ciphertext', enc.out, AES_CT);
      const dec = await cryptest(ctx, CT.CMD_CIPHER, TEE_ALG_AES_CBC_NOPAD, CT.MODE_DECRYPT, key, blob([[CT.DATA, AES_CT], [CT.IV, AES_IV]]), 64);
      expectResult('decrypt', dec, TEEC_SUCCESS);
      expectBytes('plaintext', dec.out, AES_PT);
    },
  },
  {
    id: '4004', family: 'crypto', name: 'random TA: 32 bytes into a temporary memref, two calls differ',
    async run(ctx) {
      const draw = () => withSession(ctx, RANDOM_TA, async (s) => {
        const buf = new Uint8Array(32);
        expectResult('GENERATE', await s.invokeCommand(0, new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_OUTPUT), [tmp(buf)])), TEEC_SUCCESS);
        return Buffer.from(buf);
      });
      const a = await draw();
      const b = await draw();
      if (a.equals(Buffer.alloc(32))) throw new CaseFailure('the random bytes are all zero');
      if (a.equals(b)) throw new CaseFailure(`two draws gave the same bytes ${a.toString('hex')}`);
    },
  },
  {
    id: '5001', family: 'client-api', name: 'echo COPY: temporary input memref to output memref, sizes seen by the TA',
    async run(ctx) {
      await withSession(ctx, ECHO_TA, async (s) => {
        const input = Buffer.from('trustbox conformance');
        const out = new Uint8Array(64);
        const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_OUTPUT), [tmp(input), tmp(out), {}]);
        expectResult('COPY', await s.invokeCommand(ECHO.COPY, op), TEEC_SUCCESS);
        expectEqual('output size written back', op.params[1].tmpref!.size, input.length);
        expectBytes('output', out.subarray(0, input.length), input);
        expectEqual('input size the TA saw (value.a)', op.params[2].value?.a, input.length);
        expectEqual('output size the TA saw (value.b)', op.params[2].value?.b, 64);
      });
    },
  },
  {
    id: '5002', family: 'client-api', name: 'echo COPY into a short buffer: SHORT_BUFFER origin TRUSTED_APP, needed size written back',
    async run(ctx) {
      await withSession(ctx, ECHO_TA, async (s) => {
        const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_VALUE_OUTPUT),
          [tmp(Buffer.alloc(40, 1)), tmp(new Uint8Array(8)), {}]);
        expectResult('COPY', await s.invokeCommand(ECHO.COPY, op), TEEC_ERROR_SHORT_BUFFER, TEEC_ORIGIN_TRUSTED_APP);
        expectEqual('size written back', op.params[1].tmpref!.size, 40);
      });
    },
  },
  {
    id: '5003', family: 'client-api', name: 'echo REVERSE on a partial registered memref: updated in place, the rest untouched',
    async run(ctx) {
      await withSession(ctx, ECHO_TA, async (s) => {
        const shm = await ctx.registerSharedMemory(Buffer.from('xx0123456789yy'), TEEC_MEM_INPUT | TEEC_MEM_OUTPUT);
        try {
          const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_PARTIAL_INOUT), [{ memref: { parent: shm, offset: 2, size: 10 } }]);
          expectResult('REVERSE', await s.invokeCommand(ECHO.REVERSE, op), TEEC_SUCCESS);
          expectBytes('shared memory', shm.buffer, Buffer.from('xx9876543210yy'));
        } finally {
          await shm.release().catch(() => {});
        }
      });
    },
  },
  {
    id: '5004', family: 'client-api', name: 'parameter types the TA does not take: BAD_PARAMETERS origin TRUSTED_APP',
    async run(ctx) {
      await withSession(ctx, HELLO_WORLD_TA, async (s) => {
        const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT), [tmp(Buffer.alloc(4))]);
        expectResult('INC_VALUE with a memref', await s.invokeCommand(HELLO.INC_VALUE, op), TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_TRUSTED_APP);
      });
    },
  },
  {
    id: '6001', family: 'storage', name: 'secure_storage: WRITE_RAW then READ_RAW returns the data',
    async run(ctx, tag) {
      await withSession(ctx, SECURE_STORAGE_TA, async (s) => {
        const id = `conformance-6001-${tag}`;
        const data = Buffer.from('hello, secure world');
        expectResult('WRITE_RAW', await storage(s, STORAGE.WRITE_RAW, id, data), TEEC_SUCCESS);
        const r = await storage(s, STORAGE.READ_RAW, id, undefined, 256);
        expectResult('READ_RAW', r, TEEC_SUCCESS);
        expectBytes('data read back', r.data, data);
        expectResult('DELETE', await storage(s, STORAGE.DELETE, id), TEEC_SUCCESS);
      });
    },
  },
  {
    id: '6002', family: 'storage', name: 'secure_storage: a deleted object reads as ITEM_NOT_FOUND origin TRUSTED_APP',
    async run(ctx, tag) {
      await withSession(ctx, SECURE_STORAGE_TA, async (s) => {
        const id = `conformance-6002-${tag}`;
        expectResult('WRITE_RAW', await storage(s, STORAGE.WRITE_RAW, id, Buffer.from('short-lived')), TEEC_SUCCESS);
        expectResult('DELETE', await storage(s, STORAGE.DELETE, id), TEEC_SUCCESS);
        expectResult('READ_RAW after DELETE', await storage(s, STORAGE.READ_RAW, id, undefined, 64), TEEC_ERROR_ITEM_NOT_FOUND, TEEC_ORIGIN_TRUSTED_APP);
      });
    },
  },
  {
    id: '6003', family: 'storage', name: 'secure_storage: a second WRITE_RAW replaces the object',
    async run(ctx, tag) {
      await withSession(ctx, SECURE_STORAGE_TA, async (s) => {
        const id = `conformance-6003-${tag}`;
        expectResult('first WRITE_RAW', await storage(s, STORAGE.WRITE_RAW, id, Buffer.from('first version, longer')), TEEC_SUCCESS);
        expectResult('second WRITE_RAW', await storage(s, STORAGE.WRITE_RAW, id, Buffer.from('second')), TEEC_SUCCESS);
        const r = await storage(s, STORAGE.READ_RAW, id, undefined, 256);
        expectResult('READ_RAW', r, TEEC_SUCCESS);
        expectBytes('data read back', r.data, Buffer.from('second'));
        expectResult('DELETE', await storage(s, STORAGE.DELETE, id), TEEC_SUCCESS);
      });
    },
  },
];
