/**
 * RPCs to the normal world that carry a buffer, as OP-TEE's thread_rpc_alloc_payload: the core
 * asks the normal world for application shared memory (RPC SHM_ALLOC), puts the data there,
 * sends the command, reads the answer back and frees the memory (SHM_FREE), whatever happened.
 * Used by the system PTA's SUPP_PLUGIN_INVOKE (a tee-supplicant plugin) and the socket PTA.
 */
import {
  OPTEE_MSG_ATTR_TYPE_NONE, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, OPTEE_RPC_CMD_SHM_ALLOC,
  OPTEE_RPC_CMD_SHM_FREE, OPTEE_RPC_SHM_TYPE_APPL, type MsgArg, type MsgParam,
} from '../../abi/optee-msg.js';
import { TEE_ERROR_OUT_OF_MEMORY, TEE_SUCCESS } from '../../abi/results.js';
import { PAGE_SIZE } from '../../machine/board.js';
import type { Kernel } from '../kernel.js';
import type { SecureThread } from '../service.js';

/** What of the kernel an RPC with a payload needs. */
export type NormalWorld = Pick<Kernel, 'rpcCmd' | 'nsBuffer'>;

/** A payload buffer in NS shared memory, for one RPC. */
export interface Payload {
  /** Its bytes (a live view of shared memory). */
  bytes: Uint8Array;
  /** A TMEM parameter over [at, at + size) of the payload. */
  tmem(attr: number, at: number, size: number): MsgParam;
}

/**
 * Runs `send` with a payload of `size` bytes (at least a page) in shared memory; OUT_OF_MEMORY
 * (as a plain result) when the normal world gives none. The payload is freed afterwards. An
 * empty payload takes no shared memory: its TMEM parameters are null (address 0, size 0), as
 * OP-TEE sends a memref without a buffer.
 */
export function* withPayload<T>(nw: NormalWorld, size: number, send: (p: Payload) => SecureThread<T>): SecureThread<T | number> {
  if (size === 0) return yield* send({ bytes: new Uint8Array(0), tmem: (attr) => ({ attr, a: 0n, b: 0n, c: 0n }) });
  const total = Math.max(PAGE_SIZE, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE);
  const r = yield* nw.rpcCmd(OPTEE_RPC_CMD_SHM_ALLOC, [value(OPTEE_RPC_SHM_TYPE_APPL, total, PAGE_SIZE)]);
  const shm = r.params[0];
  if (r.ret !== TEE_SUCCESS || !shm || (shm.attr & 0xff) !== OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT || shm.b < BigInt(total)) {
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  const pa = Number(shm.a);
  const cookie = shm.c;
  try {
    const bytes = nw.nsBuffer(pa, total);
    return yield* send({ bytes, tmem: (attr, at, n) => ({ attr, a: BigInt(pa + at), b: BigInt(n), c: cookie }) });
  } finally {
    yield* nw.rpcCmd(OPTEE_RPC_CMD_SHM_FREE, [value(OPTEE_RPC_SHM_TYPE_APPL, cookie)]);
  }
}

/** A VALUE_INPUT parameter (or another VALUE type given as `attr`). */
export function value(a: number | bigint, b: number | bigint = 0, c: number | bigint = 0, attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT): MsgParam {
  return { attr, a: BigInt(a), b: BigInt(b), c: BigInt(c) };
}

export function none(): MsgParam {
  return { attr: OPTEE_MSG_ATTR_TYPE_NONE, a: 0n, b: 0n, c: 0n };
}

/** The answer's parameter `i` as a number (its `field`), 0 when absent. */
export function answerValue(answer: MsgArg, i: number, field: 'a' | 'b' | 'c'): number {
  return Number((answer.params[i]?.[field] ?? 0n) & 0xffffffffn);
}
