/**
 * RPC from the secure world to the normal world, as OP-TEE threads make it: the core asks the
 * normal world once for an argument buffer (RPC_ALLOC), then each command (LOAD_TA, FS,
 * GET_TIME, SHM_ALLOC...) is written there and the thread yields RPC_CMD until the normal world
 * returns with OPTEE_SMC_CALL_RETURN_FROM_RPC.
 */
import { TeeError } from '../abi/errors.js';
import {
  OPTEE_MSG_ATTR_TYPE_MASK, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
  OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, OPTEE_RPC_CMD_GENERIC, OPTEE_RPC_CMD_GET_TIME, OPTEE_RPC_CMD_SHM_ALLOC, OPTEE_RPC_CMD_SHM_FREE,
  OPTEE_RPC_SHM_TYPE_APPL, msgArgSize, readMsgArg, writeMsgArg, type MsgArg, type MsgParam,
} from '../abi/optee-msg.js';
import {
  TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_COMMUNICATION, TEE_ERROR_GENERIC, TEE_ERROR_OUT_OF_MEMORY, TEE_SUCCESS,
} from '../abi/results.js';
import type { EventBus } from '../trace/events.js';
import type { TeeTime } from './kernel.js';
import type { NsSharedMemory } from './ns-memory.js';
import type { SecureThread } from './service.js';
import { PAGE_SIZE } from '../machine/board.js';

/** Parameters in the core's RPC argument. */
const RPC_PARAMS = 4;

/** A buffer of NS shared memory the normal world allocated for the core. */
export interface RpcShm {
  pa: number;
  cookie: bigint;
}

export class NormalWorldRpc {
  private arg: RpcShm | undefined;

  constructor(private readonly ns: NsSharedMemory, private readonly events: EventBus) {}

  /**
   * Sends one RPC command through the core's RPC argument buffer (asking the normal world to
   * allocate it the first time) and returns the answered message.
   */
  *cmd(cmd: number, params: MsgParam[]): SecureThread<MsgArg> {
    if (params.length > RPC_PARAMS) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'too many RPC parameters');
    const arg = this.arg ?? (yield* this.allocArg());
    const off = arg.pa - this.ns.base;
    const shm = this.ns.bytes;
    writeMsgArg(shm, off, { cmd, func: 0, session: 0, cancelId: 0, ret: TEE_ERROR_GENERIC, retOrigin: 0, params });
    this.events.emit({ type: 'rpc', name: rpcCmdName(cmd), detail: `RPC to the normal world (${params.length} params)` });
    yield { kind: 'cmd', cookie: arg.cookie };
    const answer = readMsgArg(shm, off, RPC_PARAMS);
    if (typeof answer === 'string') throw new TeeError(TEE_ERROR_COMMUNICATION, `bad RPC answer: ${answer}`);
    return answer;
  }

  private *allocArg(): SecureThread<RpcShm> {
    const reply = yield { kind: 'alloc', size: msgArgSize(RPC_PARAMS) };
    const regs = reply.regs;
    const pa = (regs[1]! >>> 0) * 2 ** 32 + (regs[2]! >>> 0);
    const cookie = (BigInt(regs[4]! >>> 0) << 32n) | BigInt(regs[5]! >>> 0);
    if (pa === 0) throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, 'the normal world could not allocate the RPC buffer');
    this.ns.window(pa, msgArgSize(RPC_PARAMS));
    this.arg = { pa, cookie };
    return this.arg;
  }

  /** Asks the normal world for `size` bytes of application shared memory (RPC SHM_ALLOC). */
  *shmAlloc(size: number): SecureThread<RpcShm> {
    const r = yield* this.cmd(OPTEE_RPC_CMD_SHM_ALLOC, [value(OPTEE_RPC_SHM_TYPE_APPL, size, PAGE_SIZE)]);
    const p = r.params[0];
    if (r.ret !== TEE_SUCCESS || !p || (p.attr & OPTEE_MSG_ATTR_TYPE_MASK) !== OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT || p.b < BigInt(size)) {
      throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, `the normal world could not allocate ${size} bytes of shared memory`);
    }
    const pa = Number(p.a);
    this.ns.window(pa, size);
    return { pa, cookie: p.c };
  }

  /** Gives a buffer of `shmAlloc` back (RPC SHM_FREE). */
  *shmFree(shm: RpcShm): SecureThread<void> {
    yield* this.cmd(OPTEE_RPC_CMD_SHM_FREE, [{ attr: OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, a: BigInt(OPTEE_RPC_SHM_TYPE_APPL), b: shm.cookie, c: 0n }]);
  }

  /** REE time (OPTEE_RPC_CMD_GET_TIME). */
  *reeTime(): SecureThread<TeeTime> {
    const r = yield* this.cmd(OPTEE_RPC_CMD_GET_TIME, [{ attr: OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, a: 0n, b: 0n, c: 0n }]);
    if (r.ret !== TEE_SUCCESS || !r.params[0]) throw new TeeError(TEE_ERROR_COMMUNICATION, 'the normal world did not tell the time');
    return { seconds: Number(r.params[0].a & 0xffffffffn), millis: Math.floor(Number(r.params[0].b) / 1_000_000) % 1000 };
  }

  /** The RPC argument buffer the normal world allocated, if it did (device snapshots). */
  get argBuffer(): RpcShm | undefined {
    return this.arg && { ...this.arg };
  }

  /** Adopts a snapshot's argument buffer: its memory comes back with the normal world's. */
  set argBuffer(arg: RpcShm | undefined) {
    if (arg) this.ns.window(arg.pa, msgArgSize(RPC_PARAMS));
    this.arg = arg && { ...arg };
  }

  /** Forgets the argument buffer (system reset: the normal world's allocations are gone). */
  reset(): void {
    this.arg = undefined;
  }
}

function value(a: number, b: number, c: number): MsgParam {
  return { attr: OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, a: BigInt(a), b: BigInt(b), c: BigInt(c) };
}

function rpcCmdName(cmd: number): string {
  if (cmd === OPTEE_RPC_CMD_GENERIC) return 'GENERIC';
  return ['LOAD_TA', 'RPMB', 'FS', 'GET_TIME', 'NOTIFICATION', 'SUSPEND', 'SHM_ALLOC', 'SHM_FREE'][cmd] ?? `cmd ${cmd}`;
}
