/**
 * The client trust boundary for parameters. A request's wire params (TEEC types, protocol.ts)
 * become the normal world's one form, OPTEE_MSG params with the input bytes of memrefs beside
 * them (ree/tee-client.ts), and are checked once, here: registered memrefs against the
 * connection's shared memory (its own block, of the session's context, [offset, offset + size)
 * inside the block, a direction the block's flags allow, no more input bytes than the memref
 * holds), temporary memrefs against the frame limit. Nothing on the normal-world side checks
 * them again; the TEE core checks what it receives, as a secure world must.
 *
 * Results come back as the TEE answered the params (values' a/b, memrefs' sizes) with output
 * bytes beside them, and become wire results under the types the request gave.
 */
import {
  OPTEE_MSG_ATTR_TYPE_NONE, OPTEE_MSG_ATTR_TYPE_RMEM_INOUT, OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT,
  OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT,
  OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, type MsgParam,
} from '../abi/optee-msg.js';
import {
  TEEC_MEMREF_PARTIAL_INOUT, TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_MEMREF_TEMP_INOUT,
  TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_WHOLE, TEEC_MEM_INPUT, TEEC_MEM_OUTPUT, TEEC_NONE,
  TEEC_VALUE_INOUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, type Limits, type WireParam, type WireResultParam,
} from '../abi/protocol.js';
import type { ParamBytes } from '../ree/tee-client.js';
import type { CallOutcome } from '../device/work.js';
import { protocolError } from './errors.js';
import type { ShmBlock, ShmTable } from './shm-table.js';

/** A call's parameters in the normal world's form. */
export interface NormalWorldParams {
  params: MsgParam[];
  /** Input bytes of memrefs by parameter index; absent when no parameter has any. */
  data?: ParamBytes;
}

/** What a translation needs: the connection's blocks, the session's context, the limits. */
export interface ParamScope {
  shm: ShmTable;
  context: number;
  limits: Limits;
}

const NONE: Readonly<MsgParam> = { attr: OPTEE_MSG_ATTR_TYPE_NONE, a: 0n, b: 0n, c: 0n };

/** OPTEE_MSG attributes of the TEEC types that map one to one. */
const ATTR: Readonly<Record<number, number>> = {
  [TEEC_VALUE_INPUT]: OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
  [TEEC_VALUE_OUTPUT]: OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT,
  [TEEC_VALUE_INOUT]: OPTEE_MSG_ATTR_TYPE_VALUE_INOUT,
  [TEEC_MEMREF_TEMP_INPUT]: OPTEE_MSG_ATTR_TYPE_TMEM_INPUT,
  [TEEC_MEMREF_TEMP_OUTPUT]: OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT,
  [TEEC_MEMREF_TEMP_INOUT]: OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
  [TEEC_MEMREF_PARTIAL_INPUT]: OPTEE_MSG_ATTR_TYPE_RMEM_INPUT,
  [TEEC_MEMREF_PARTIAL_OUTPUT]: OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT,
  [TEEC_MEMREF_PARTIAL_INOUT]: OPTEE_MSG_ATTR_TYPE_RMEM_INOUT,
};

/** The TEEC_MEM_* flags a partial memref's direction needs of its block. */
const PARTIAL_NEEDS: Readonly<Record<number, number>> = {
  [TEEC_MEMREF_PARTIAL_INPUT]: TEEC_MEM_INPUT,
  [TEEC_MEMREF_PARTIAL_OUTPUT]: TEEC_MEM_OUTPUT,
  [TEEC_MEMREF_PARTIAL_INOUT]: TEEC_MEM_INPUT | TEEC_MEM_OUTPUT,
};

/** A whole block's attribute: its direction is the block's flags (which are never 0). */
function wholeAttr(flags: number): number {
  if ((flags & TEEC_MEM_OUTPUT) === 0) return OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
  return (flags & TEEC_MEM_INPUT) === 0 ? OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT : OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;
}

const takesInput = (attr: number) => attr === OPTEE_MSG_ATTR_TYPE_TMEM_INPUT || attr === OPTEE_MSG_ATTR_TYPE_TMEM_INOUT
  || attr === OPTEE_MSG_ATTR_TYPE_RMEM_INPUT || attr === OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;

/** Checks a request's params and translates them (see the file header); throws the protocol error. */
export function toNormalWorld(wire: WireParam[], scope: ParamScope): NormalWorldParams {
  const params: MsgParam[] = new Array(wire.length);
  let data: ParamBytes | undefined;
  for (let i = 0; i < wire.length; i++) {
    const p = wire[i]!;
    let bytes: Uint8Array | undefined;
    if (p.type === TEEC_NONE) {
      params[i] = NONE;
    } else if (p.type <= TEEC_VALUE_INOUT) {
      const output = p.type === TEEC_VALUE_OUTPUT;
      params[i] = { attr: ATTR[p.type]!, a: output ? 0n : BigInt(p.a ?? 0), b: output ? 0n : BigInt(p.b ?? 0), c: 0n };
    } else if (p.type <= TEEC_MEMREF_TEMP_INOUT) {
      params[i] = temporary(p, i, scope.limits);
      bytes = p.type === TEEC_MEMREF_TEMP_OUTPUT ? undefined : p.data;
    } else {
      const block = ownBlock(p, i, scope);
      params[i] = registered(p, i, block);
      bytes = takesInput(params[i]!.attr) ? p.data : undefined;
      if (bytes && BigInt(bytes.length) > params[i]!.b) {
        throw protocolError('BAD_ARGUMENTS', `param ${i}: ${bytes.length} bytes of data for a ${params[i]!.b}-byte memref`);
      }
    }
    if (bytes && bytes.length > 0) (data ??= new Array<Uint8Array | undefined>(wire.length).fill(undefined))[i] = bytes;
  }
  return data ? { params, data } : { params };
}

/** TMEM: a = c = 0 (the normal world places the buffer), b = its size: the output capacity or the input's length. */
function temporary(p: WireParam, i: number, limits: Limits): MsgParam {
  const size = p.type === TEEC_MEMREF_TEMP_OUTPUT ? p.size ?? 0 : p.data?.length ?? 0;
  if (size > limits.maxFrameBytes) throw protocolError('SHM_LIMIT', `param ${i}: temporary memrefs are limited to ${limits.maxFrameBytes} bytes`);
  if (p.type === TEEC_MEMREF_TEMP_INOUT && p.size !== undefined && p.size !== size) {
    throw protocolError('BAD_ARGUMENTS', `param ${i}: size and data length differ`);
  }
  return { attr: ATTR[p.type]!, a: 0n, b: BigInt(size), c: 0n };
}

/** The registered block a memref names: this connection's, of the session's context. */
function ownBlock(p: WireParam, i: number, scope: ParamScope): ShmBlock {
  const block = p.shm === undefined ? undefined : scope.shm.get(p.shm);
  if (!block) throw protocolError('NOT_FOUND', `param ${i}: shared memory ${p.shm} is not one of this connection's`);
  if (block.context !== scope.context) throw protocolError('BAD_ARGUMENTS', `param ${i}: shared memory ${p.shm} belongs to another context`);
  return block;
}

/** RMEM: a = offset in the block, b = size, c = the block's cookie; inside the block, in a direction its flags allow. */
function registered(p: WireParam, i: number, block: ShmBlock): MsgParam {
  const whole = p.type === TEEC_MEMREF_WHOLE;
  const offset = whole ? 0 : p.offset ?? 0;
  const size = whole ? block.size : p.size ?? 0;
  if (offset + size > block.size) throw protocolError('BAD_ARGUMENTS', `param ${i}: [${offset}, ${offset}+${size}) is outside the ${block.size}-byte block`);
  const need = PARTIAL_NEEDS[p.type] ?? 0;
  if ((block.flags & need) !== need) throw protocolError('BAD_ARGUMENTS', `param ${i}: the block's flags do not allow this direction`);
  return { attr: whole ? wholeAttr(block.flags) : ATTR[p.type]!, a: BigInt(offset), b: BigInt(size), c: block.cookie! };
}

/** The low 32 bits of an answered value (the TEE answers u32 values; a hostile normal world may not). */
const u32 = (x: bigint): number => Number(BigInt.asUintN(32, x));

/**
 * Wire results under the request's types: values' a and b for OUTPUT/INOUT, memrefs' sizes, and
 * output bytes where the device synced some back. A parameter the device did not answer (the
 * request did not reach the TEE) is its type alone.
 */
export function toWireResults(wire: WireParam[], outcome: CallOutcome): WireResultParam[] {
  const out: WireResultParam[] = new Array(wire.length);
  for (let i = 0; i < wire.length; i++) {
    const type = wire[i]!.type;
    const p = outcome.params[i];
    if (!p || type === TEEC_NONE || type === TEEC_VALUE_INPUT) {
      out[i] = { type };
    } else if (type <= TEEC_VALUE_INOUT) {
      out[i] = { type, a: u32(p.a), b: u32(p.b) };
    } else {
      const bytes = outcome.data?.[i];
      out[i] = bytes ? { type, size: Number(p.b), data: bytes } : { type, size: Number(p.b) };
    }
  }
  return out;
}
