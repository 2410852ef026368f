/**
 * The core's entry from the monitor, and message translation. Each yielding call
 * (OPTEE_SMC_CALL_WITH_ARG) runs as a secure thread, a generator that yields whenever the core
 * needs the normal world (RPC_ALLOC, RPC_CMD...) and is resumed by RETURN_FROM_RPC, as OP-TEE
 * threads suspend and resume. A thread parses `optee_msg_arg` from NS shared memory, turns its
 * parameters into the core's (`TaParams`, memrefs checked against shared memory here, once)
 * and writes the results back.
 */
import { TEEC_ORIGIN_COMMS, TEEC_ORIGIN_TEE } from '../abi/client-api.js';
import { TeeError } from '../abi/errors.js';
import {
  MSG_HEADER_SIZE, OPTEE_MSG_ATTR_META, OPTEE_MSG_ATTR_TYPE_MASK, OPTEE_MSG_ATTR_TYPE_NONE,
  OPTEE_MSG_ATTR_TYPE_RMEM_INOUT, OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
  OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
  OPTEE_MSG_CMD_CANCEL, OPTEE_MSG_CMD_CLOSE_SESSION, OPTEE_MSG_CMD_INVOKE_COMMAND, OPTEE_MSG_CMD_OPEN_SESSION,
  OPTEE_MSG_CMD_REGISTER_SHM, OPTEE_MSG_CMD_UNREGISTER_SHM, readMsgArg, uuidOctetsFromValue, writeMsgParam,
  writeMsgResult, type MsgArg, type MsgParam,
} from '../abi/optee-msg.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_GENERIC, TEE_SUCCESS } from '../abi/results.js';
import {
  OPTEE_SMC_RETURN_EBADADDR, OPTEE_SMC_RETURN_ERESUME, OPTEE_SMC_RETURN_ETHREAD_LIMIT, OPTEE_SMC_RETURN_OK,
  OPTEE_SMC_RETURN_RPC_ALLOC, OPTEE_SMC_RETURN_RPC_CMD, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, OPTEE_SMC_RETURN_RPC_FREE,
} from '../abi/smccc.js';
import { uuidFromOctets } from '../abi/uuid.js';
import type { NsSharedMemory } from './ns-memory.js';
import { isMemref, isValue, noParams, type TaParam, type TaParams } from './params.js';
import type { RpcReply, RpcRequest, SecureThread } from './service.js';
import type { SessionManager } from './sessions.js';

/** Secure threads when the device does not say (OP-TEE's CFG_NUM_THREADS is a build choice too). */
export const DEFAULT_SECURE_THREADS = 4;
/** The most a device may have (each suspended thread keeps its call's state). */
export const MAX_SECURE_THREADS = 64;

/** What one message command answers. */
interface Answer {
  ret: number;
  origin: number;
  session?: number;
  params?: MsgParam[];
}

export class MessageEntry {
  private readonly threads = new Map<number, SecureThread<void>>();
  /** Threads that gave the CPU back (FOREIGN_INTR), by id: when each wants to run again. */
  private readonly parked = new Map<number, number>();
  private nextThread = 1;

  constructor(
    private readonly ns: NsSharedMemory,
    private readonly sessions: SessionManager,
    private readonly log: (line: string) => void,
    /** Calls in progress at once (OPTEE_SMC_GET_THREAD_COUNT); one more gets ETHREAD_LIMIT. */
    readonly maxThreads = DEFAULT_SECURE_THREADS,
  ) {}

  /** The id the next secure thread gets (device snapshots). */
  get nextThreadId(): number {
    return this.nextThread;
  }

  set nextThreadId(id: number) {
    this.nextThread = id;
  }

  /** Suspended secure threads now. */
  get threadCount(): number {
    return this.threads.size;
  }

  /**
   * When the earliest parked thread wants to run again (performance.now() time; 0 = now), or
   * undefined when no thread is parked: the device may sleep until then unless work comes.
   */
  get parkedCount(): number {
    return this.parked.size;
  }

  nextWake(): number | undefined {
    let next: number | undefined;
    for (const at of this.parked.values()) if (next === undefined || at < next) next = at;
    return next;
  }

  // ---- entry from the monitor (the dispatcher's TeeEntry)

  callWithArg(args: readonly number[]): number[] {
    const pa = (args[1]! >>> 0) * 2 ** 32 + (args[2]! >>> 0);
    const off = this.ns.offsetOf(pa, MSG_HEADER_SIZE);
    if (pa % 8 !== 0 || off === undefined) {
      this.log(`tee: CALL_WITH_ARG with an argument at ${pa.toString(16)}, outside non-secure shared memory`);
      return [OPTEE_SMC_RETURN_EBADADDR];
    }
    if (this.threads.size >= this.maxThreads) return [OPTEE_SMC_RETURN_ETHREAD_LIMIT];
    const id = this.nextThread++;
    return this.step(id, this.messageThread(off), undefined);
  }

  returnFromRpc(args: readonly number[]): number[] {
    const id = args[3]! >>> 0;
    const thread = this.threads.get(id);
    if (!thread) return [OPTEE_SMC_RETURN_ERESUME];
    this.parked.delete(id);
    return this.step(id, thread, { regs: [...args] });
  }

  /** Forgets every suspended thread (system reset). */
  reset(): void {
    this.threads.clear();
    this.parked.clear();
  }

  private step(id: number, thread: SecureThread<void>, reply: RpcReply | undefined): number[] {
    let r: IteratorResult<RpcRequest, void>;
    try {
      r = thread.next(reply as RpcReply);
    } catch (error) {
      this.threads.delete(id);
      this.log(`tee: secure thread ${id} failed: ${(error as Error).message}`);
      return [OPTEE_SMC_RETURN_OK];
    }
    if (r.done) {
      this.threads.delete(id);
      return [OPTEE_SMC_RETURN_OK];
    }
    this.threads.set(id, thread);
    const req = r.value;
    switch (req.kind) {
      case 'alloc': return [OPTEE_SMC_RETURN_RPC_ALLOC, req.size, 0, id];
      case 'free': return [OPTEE_SMC_RETURN_RPC_FREE, hi(req.cookie), lo(req.cookie), id];
      case 'cmd': return [OPTEE_SMC_RETURN_RPC_CMD, hi(req.cookie), lo(req.cookie), id];
      case 'preempt':
        this.parked.set(id, req.wakeAt);
        return [OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, 0, 0, id];
    }
  }

  // ---- messages

  private *messageThread(off: number): SecureThread<void> {
    const shm = this.ns.bytes;
    const arg = readMsgArg(shm, off);
    if (typeof arg === 'string') {
      writeMsgResult(shm, off, 0, TEE_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_COMMS);
      this.log(`tee: rejected a message: ${arg}`);
      return;
    }
    let out: Answer;
    try {
      out = yield* this.serve(arg);
    } catch (error) {
      if (!(error instanceof TeeError)) {
        this.log(`tee: internal error: ${(error as Error).stack ?? error}`);
        out = { ret: TEE_ERROR_GENERIC, origin: TEEC_ORIGIN_TEE };
      } else {
        out = { ret: error.code, origin: error.origin };
      }
    }
    if (out.params) for (let i = 0; i < out.params.length; i++) writeMsgParam(shm, off, i, out.params[i]!);
    writeMsgResult(shm, off, out.session ?? arg.session, out.ret, out.origin);
  }

  private *serve(arg: MsgArg): SecureThread<Answer> {
    switch (arg.cmd) {
      case OPTEE_MSG_CMD_OPEN_SESSION: return yield* this.open(arg);
      case OPTEE_MSG_CMD_INVOKE_COMMAND: {
        const session = this.sessions.get(arg.session);
        const params = this.fromMsgParams(arg.params);
        session.cancelRequested = false;
        const r = yield* this.sessions.invoke(session, arg.func, params, { cancelId: arg.cancelId });
        return { ret: r.result, origin: r.origin, params: toMsgParams(arg.params, params) };
      }
      case OPTEE_MSG_CMD_CLOSE_SESSION: {
        const session = this.sessions.get(arg.session);
        this.sessions.forget(session);
        yield* this.sessions.close(session, {});
        return { ret: TEE_SUCCESS, origin: TEEC_ORIGIN_TEE };
      }
      case OPTEE_MSG_CMD_CANCEL: {
        const session = this.sessions.cancelTarget(arg.session, arg.cancelId);
        if (session) session.cancelRequested = true;
        return { ret: TEE_SUCCESS, origin: TEEC_ORIGIN_TEE };
      }
      case OPTEE_MSG_CMD_REGISTER_SHM: return this.registerShm(arg);
      case OPTEE_MSG_CMD_UNREGISTER_SHM: {
        const p = arg.params[0];
        if (!p || !this.ns.unregister(p.c)) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'unknown shared memory cookie');
        return { ret: TEE_SUCCESS, origin: TEEC_ORIGIN_TEE };
      }
      default:
        throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `unknown message command ${arg.cmd}`);
    }
  }

  private *open(arg: MsgArg): SecureThread<Answer> {
    const [taMeta, clientMeta, ...rest] = arg.params;
    const meta = OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
    if (!taMeta || !clientMeta || taMeta.attr !== meta || clientMeta.attr !== meta) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'OPEN_SESSION needs two META value parameters (TA UUID, client)');
    }
    const uuid = uuidFromOctets(uuidOctetsFromValue(taMeta));
    const client = { login: Number(clientMeta.c & 0xffffffffn), uuid: uuidFromOctets(uuidOctetsFromValue(clientMeta)) };
    const params = this.fromMsgParams(rest);
    const r = yield* this.sessions.open(uuid, client, params, { cancelId: arg.cancelId });
    if (r.session) this.sessions.adopt(r.session);
    const outParams = [taMeta, clientMeta, ...toMsgParams(rest, params)];
    return { ret: r.result, origin: r.origin, session: r.session?.id ?? 0, params: outParams };
  }

  private registerShm(arg: MsgArg): Answer {
    const p = arg.params[0];
    const type = (p?.attr ?? 0) & OPTEE_MSG_ATTR_TYPE_MASK;
    if (!p || type < OPTEE_MSG_ATTR_TYPE_TMEM_INPUT || type > OPTEE_MSG_ATTR_TYPE_TMEM_INOUT) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'REGISTER_SHM needs one TMEM parameter');
    }
    this.ns.register(p.c, Number(p.a), Number(p.b));
    return { ret: TEE_SUCCESS, origin: TEEC_ORIGIN_TEE };
  }

  // ---- parameters: optee_msg params <-> TaParams

  /** Client parameters from optee_msg params (at most 4). */
  private fromMsgParams(msg: MsgParam[]): TaParams {
    if (msg.length > 4) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `too many parameters (${msg.length})`);
    const params = noParams();
    for (let i = 0; i < msg.length; i++) this.fromMsgParam(msg[i]!, params[i]!, i);
    return params;
  }

  /** One optee_msg param into the TA parameter slot `p`; memrefs are checked here. */
  private fromMsgParam(m: MsgParam, p: TaParam, i: number): void {
    const attr = m.attr & OPTEE_MSG_ATTR_TYPE_MASK;
    if (m.attr & ~OPTEE_MSG_ATTR_TYPE_MASK) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `parameter ${i} has unsupported attributes`);
    if (attr === OPTEE_MSG_ATTR_TYPE_NONE) return;
    if (attr >= OPTEE_MSG_ATTR_TYPE_VALUE_INPUT && attr <= OPTEE_MSG_ATTR_TYPE_VALUE_INOUT) {
      p.type = attr;
      p.a = Number(m.a & 0xffffffffn);
      p.b = Number(m.b & 0xffffffffn);
      return;
    }
    let pa: number;
    const size = Number(m.b);
    if (attr >= OPTEE_MSG_ATTR_TYPE_TMEM_INPUT && attr <= OPTEE_MSG_ATTR_TYPE_TMEM_INOUT) {
      p.type = attr - 4; // TMEM_* -> TEE_PARAM_TYPE_MEMREF_*
      pa = Number(m.a);
      if (pa === 0) {
        p.mem = null;
        p.nullSize = size;
        return;
      }
    } else if (attr >= OPTEE_MSG_ATTR_TYPE_RMEM_INPUT && attr <= OPTEE_MSG_ATTR_TYPE_RMEM_INOUT) {
      p.type = attr; // RMEM_* has the MEMREF_* values
      pa = this.ns.resolve(m.c, Number(m.a), size, i);
    } else {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `parameter ${i} has unknown type ${attr}`);
    }
    const { window, offset } = this.ns.window(pa, size);
    p.mem = { window, offset, size, capacity: size, secure: false };
  }
}

/** Updated optee_msg params after a call: values and memref sizes. */
function toMsgParams(msg: MsgParam[], params: TaParams): MsgParam[] {
  const out: MsgParam[] = [];
  for (let i = 0; i < msg.length; i++) {
    const m = msg[i]!;
    const p = params[i]!;
    if (isValue(p.type)) out.push({ attr: m.attr, a: BigInt(p.a >>> 0), b: BigInt(p.b >>> 0), c: m.c });
    else if (isMemref(p.type)) out.push({ attr: m.attr, a: m.a, b: BigInt(p.mem ? p.mem.size : p.nullSize ?? 0), c: m.c });
    else out.push(m);
  }
  return out;
}

function hi(v: bigint): number {
  return Number(v >> 32n) >>> 0;
}

function lo(v: bigint): number {
  return Number(v & 0xffffffffn) >>> 0;
}
