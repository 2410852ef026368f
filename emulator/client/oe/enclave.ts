/**
 * The TypeScript Open Enclave host runtime: an enclave is a session on its TA; an ECALL is
 * command 2 (OE_ECALL_CALL_ENCLAVE_FUNCTION) with the 56-byte oe_call_enclave_function_args_t
 * as a TEMP_INOUT memref, the input as TEMP_INPUT and the output as TEMP_OUTPUT; an OCALL arrives
 * as an RPC (func 0x8000) on the session and runs the module's handler (docs/open-enclave.md).
 * The generated `<name>_u.ts` wraps this with one typed method per ECALL.
 */
import {
  TEEC_ERROR_ITEM_NOT_FOUND, TEEC_ERROR_NOT_SUPPORTED, TEEC_ERROR_TARGET_DEAD, TEEC_MEMREF_TEMP_INOUT,
  TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_PARAM_TYPES, TEEC_SUCCESS,
} from '../../abi/client-api.js';
import type { RpcAnswer, RpcCall } from '../../abi/protocol.js';
import { TeecOperation, type TeecContext, type TeecSession } from '../teec.js';
import { marshalCall, marshalReturn, OeMarshalError, unmarshalCall, unmarshalReturn, type FuncSpec } from './marshal.js';
import type { TypeTable } from './layout.js';
import { OeResult, oeResultStr } from './result.js';
import { systemOcalls, type OeOutput } from './system-ocalls.js';

export const OE_ECALL_CALL_ENCLAVE_FUNCTION = 2;
export const OE_OCALL_CALL_HOST_FUNCTION = 0x8000;
export const OE_OCALL_THREAD_WAKE = 0x8001;
export const OE_OCALL_THREAD_WAIT = 0x8002;
/** sizeof(oe_call_enclave_function_args_t) and sizeof(oe_call_host_function_args_t) on 64-bit. */
export const OE_CALL_ARGS_SIZE = 56;

/** What the generated module describes: the EDL's types and its ECALLs and OCALLs in id order. */
export interface EnclaveSpec { name: string; types: TypeTable; ecalls: readonly FuncSpec[]; ocalls: readonly FuncSpec[] }

/** An OCALL handler: gets the parameters in order (out buffers to fill in place), returns the return value. */
export type OcallHandler = (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CreateEnclaveOptions {
  /** OE_ENCLAVE_FLAG_DEBUG and friends: accepted, as the emulator runs every enclave the same way. */
  flags?: number;
  /** Where the enclave's stdout/stderr (oe_syscall_write_ocall) go; default: this process's. */
  stdout?: OeOutput;
  stderr?: OeOutput;
}

/** An OE failure outside a call's result (creating the enclave). */
export class OeError extends Error {
  constructor(readonly result: number, message: string) {
    super(`${oeResultStr(result)}: ${message}`);
    this.name = 'OeError';
  }
}

/** The answer of one ECALL: the oe_result_t, the return value and the out buffers by name. */
export interface EcallOutcome { result: number; retval?: unknown; outs: Record<string, unknown> }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function resolveUuid(ctx: TeecContext, path: string | Uint8Array): Promise<string> {
  if (typeof path === 'string') {
    const base = path.replace(/\.ta$/, '');
    if (UUID.test(base)) return base.toLowerCase();
  }
  let bytes: Uint8Array;
  if (typeof path === 'string') {
    try {
      const fs = await import('node:fs/promises');
      bytes = new Uint8Array(await fs.readFile(path));
    } catch (error) {
      throw new OeError(OeResult.OE_INVALID_PARAMETER, `enclave path ${path} is neither a TA UUID nor a readable .ta file (${(error as Error).message})`);
    }
  } else bytes = path;
  try {
    return (await ctx.connection.installTA(bytes)).uuid;
  } catch (error) {
    throw new OeError(OeResult.OE_FAILURE, `installing the enclave failed: ${(error as Error).message} (installing needs the admin credential)`);
  }
}

/** One enclave: a session on its TA, the OCALL handlers and the ECALL path. */
export class OeEnclave {
  private session: TeecSession | undefined;
  private ocallDepth = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly handlers: Record<string, OcallHandler>;
  /** The last exception an OCALL handler threw (the enclave saw OE_FAILURE). */
  lastOcallError: unknown;

  private constructor(readonly spec: EnclaveSpec, handlers: Record<string, OcallHandler>, readonly uuid: string, options: CreateEnclaveOptions) {
    this.handlers = { ...systemOcalls(options), ...handlers };
  }

  /** oe_create_enclave: `path` is a TA UUID (optionally with ".ta"), a .ta file to install, or its bytes. */
  static async create(ctx: TeecContext, path: string | Uint8Array, spec: EnclaveSpec, handlers: Record<string, OcallHandler>, options: CreateEnclaveOptions = {}): Promise<OeEnclave> {
    const uuid = await resolveUuid(ctx, path);
    const enclave = new OeEnclave(spec, handlers, uuid, options);
    try {
      enclave.session = await ctx.openSession(uuid, { onRpc: (call) => enclave.onRpc(call) });
    } catch (error) {
      throw new OeError(OeResult.OE_FAILURE, `opening the enclave ${uuid} failed: ${(error as Error).message}`);
    }
    return enclave;
  }

  /** Calls ECALL `name` with parameter values by name; an ECALL from inside an OCALL handler is OE_REENTRANT_ECALL. */
  ecall(name: string, values: Record<string, unknown>): Promise<EcallOutcome> {
    if (this.ocallDepth > 0) return Promise.resolve({ result: OeResult.OE_REENTRANT_ECALL, outs: {} });
    const run = this.queue.then(() => this.ecallNow(name, values));
    this.queue = run.catch(() => {});
    return run;
  }

  private async ecallNow(name: string, values: Record<string, unknown>): Promise<EcallOutcome> {
    const session = this.session;
    if (!session) return { result: OeResult.OE_INVALID_PARAMETER, outs: {} };
    const id = this.spec.ecalls.findIndex((f) => f.name === name);
    if (id < 0) return { result: OeResult.OE_NOT_FOUND, outs: {} };
    const f = this.spec.ecalls[id]!;
    let m;
    try {
      m = marshalCall(f, values, this.spec.types);
    } catch (error) {
      if (error instanceof OeMarshalError) return { result: error.result, outs: {} };
      throw error;
    }
    const args = new Uint8Array(OE_CALL_ARGS_SIZE);
    const adv = new DataView(args.buffer);
    adv.setBigUint64(0, BigInt(id), true);
    adv.setBigUint64(16, BigInt(m.input.length), true);
    adv.setBigUint64(32, BigInt(m.outputSize), true);
    adv.setUint32(48, OeResult.OE_UNEXPECTED, true);
    const output = new Uint8Array(m.outputSize);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_NONE, TEEC_MEMREF_TEMP_INOUT, m.input.length ? TEEC_MEMREF_TEMP_INPUT : TEEC_NONE, m.outputSize ? TEEC_MEMREF_TEMP_OUTPUT : TEEC_NONE), [
      {}, { tmpref: { buffer: args, size: args.length } }, { tmpref: { buffer: m.input, size: m.input.length } }, { tmpref: { buffer: output, size: output.length } },
    ]);
    let r;
    try {
      r = await session.invokeCommand(OE_ECALL_CALL_ENCLAVE_FUNCTION, op);
    } catch {
      return { result: OeResult.OE_UNEXPECTED, outs: {} };
    }
    if (r.result !== TEEC_SUCCESS) {
      const result = r.result === TEEC_ERROR_ITEM_NOT_FOUND ? OeResult.OE_NOT_FOUND : r.result === TEEC_ERROR_TARGET_DEAD ? OeResult.OE_ENCLAVE_ABORTED : OeResult.OE_UNEXPECTED;
      return { result, outs: {} };
    }
    const back = op.params[1].tmpref!.buffer!;
    const bdv = new DataView(back.buffer, back.byteOffset, back.byteLength);
    const result = bdv.getUint32(48, true);
    if (result !== OeResult.OE_OK) return { result, outs: {} };
    const out = op.params[3].tmpref?.buffer ?? output;
    // As OE's generated hosts: the function's own result first, then all of the output written.
    const own = out.byteLength >= 4 ? new DataView(out.buffer, out.byteOffset, out.byteLength).getUint32(0, true) : OeResult.OE_FAILURE;
    if (own !== OeResult.OE_OK) return { result: own, outs: {} };
    if (Number(bdv.getBigUint64(40, true)) !== m.outputSize) return { result: OeResult.OE_FAILURE, outs: {} };
    try {
      return unmarshalReturn(f, m, values, out, this.spec.types);
    } catch (error) {
      if (error instanceof OeMarshalError) return { result: error.result, outs: {} };
      throw error;
    }
  }

  /** Serves the session's RPCs: OCALLs (0x8000); thread wait/wake are not supported; others unknown. */
  private async onRpc(call: RpcCall): Promise<RpcAnswer> {
    if (call.func === OE_OCALL_THREAD_WAIT || call.func === OE_OCALL_THREAD_WAKE) return { result: TEEC_ERROR_NOT_SUPPORTED };
    if (call.func !== OE_OCALL_CALL_HOST_FUNCTION) return { result: TEEC_ERROR_ITEM_NOT_FOUND };
    const args = new Uint8Array(call.args);
    // A malformed call leaves args.result at the enclave's OE_UNEXPECTED (the RPC itself succeeds).
    if (args.length !== OE_CALL_ARGS_SIZE) return { result: TEEC_SUCCESS, args };
    const dv = new DataView(args.buffer);
    const id = dv.getBigUint64(0, true);
    if (id >= BigInt(this.spec.ocalls.length) || call.input.length % 16 !== 0 || call.outSize % 16 !== 0) return { result: TEEC_SUCCESS, args };
    const output = await this.runOcall(this.spec.ocalls[Number(id)]!, call.input, call.outSize);
    dv.setBigUint64(40, BigInt(output.length), true);
    dv.setBigUint64(48, BigInt(OeResult.OE_OK), true);
    return { result: TEEC_SUCCESS, args, output };
  }

  private async runOcall(f: FuncSpec, input: Uint8Array, outSize: number): Promise<Uint8Array> {
    const fail = (result: number) => {
      const out = new Uint8Array(outSize);
      if (outSize >= 4) new DataView(out.buffer).setUint32(0, result, true);
      return out;
    };
    const handler = this.handlers[f.name];
    if (!handler) return fail(OeResult.OE_NOT_FOUND);
    this.ocallDepth++;
    try {
      const { args, vals } = unmarshalCall(f, input, this.spec.types);
      let errno = 0, retval: unknown;
      try {
        retval = await handler(...args);
      } catch (error) {
        const e = (error as { errno?: unknown }).errno;
        if (!f.errno || typeof e !== 'number') throw error;
        errno = Math.abs(e);
        retval = -1;
      }
      return marshalReturn(f, vals, args, retval, errno, outSize, this.spec.types);
    } catch (error) {
      if (error instanceof OeMarshalError) return fail(error.result);
      this.lastOcallError = error;
      return fail(OeResult.OE_FAILURE);
    } finally {
      this.ocallDepth--;
    }
  }

  /** oe_terminate_enclave: closes the session. */
  async terminate(): Promise<number> {
    const s = this.session;
    this.session = undefined;
    if (!s) return OeResult.OE_INVALID_PARAMETER;
    await this.queue;
    await s.close().catch(() => {});
    return OeResult.OE_OK;
  }
}

/** Creates an enclave for a generated module; see OeEnclave.create. */
export function createEnclave(ctx: TeecContext, path: string | Uint8Array, spec: EnclaveSpec, handlers: Record<string, OcallHandler>, options?: CreateEnclaveOptions): Promise<OeEnclave> {
  return OeEnclave.create(ctx, path, spec, handlers, options);
}
