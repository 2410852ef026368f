/**
 * The TEE core: an OP-TEE-like trusted OS written in TypeScript.
 *
 * The monitor hands it yielding calls (OPTEE_SMC_CALL_WITH_ARG). Each call runs as a secure
 * thread, a generator that yields whenever the core needs the normal world (RPC_ALLOC for its
 * RPC buffer, RPC_CMD for LOAD_TA, GET_TIME, ...) and resumes on RETURN_FROM_RPC, exactly as
 * OP-TEE threads suspend and resume. The core parses `optee_msg_arg` from NS shared memory,
 * opens sessions to user TAs (loaded through the normal world's TA store, verified, mapped) or
 * pseudo-TAs, and writes results back.
 */
import type { EventBus } from '../trace/events.js';
import type { SecureWorld } from '../device/secure-world.js';
import type { TeeEntry } from '../monitor/optee-dispatcher.js';
import {
  OPTEE_SMC_RETURN_EBADADDR, OPTEE_SMC_RETURN_ERESUME, OPTEE_SMC_RETURN_ETHREAD_LIMIT, OPTEE_SMC_RETURN_OK,
  OPTEE_SMC_RETURN_RPC_ALLOC, OPTEE_SMC_RETURN_RPC_CMD, OPTEE_SMC_RETURN_RPC_FREE,
} from '../abi/smccc.js';
import { hmac, type RandomSource } from '../host/crypto.js';
import { TeeError } from '../abi/errors.js';
import { parseElf } from './loader/elf.js';
import { verifyTaContainer, type TrustedKey } from './loader/container.js';
import { developmentKeys } from './loader/keys.js';
import { loadTa, type LoadedImage } from './loader/load.js';
import {
  MSG_HEADER_SIZE, OPTEE_MSG_ATTR_META, OPTEE_MSG_ATTR_TYPE_MASK, OPTEE_MSG_ATTR_TYPE_NONE,
  OPTEE_MSG_ATTR_TYPE_RMEM_INOUT, OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
  OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT,
  OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, OPTEE_MSG_CMD_CANCEL, OPTEE_MSG_CMD_CLOSE_SESSION,
  OPTEE_MSG_CMD_INVOKE_COMMAND, OPTEE_MSG_CMD_OPEN_SESSION, OPTEE_MSG_CMD_REGISTER_SHM, OPTEE_MSG_CMD_UNREGISTER_SHM,
  OPTEE_RPC_CMD_GET_TIME, OPTEE_RPC_CMD_LOAD_TA, OPTEE_RPC_CMD_SHM_ALLOC, OPTEE_RPC_CMD_SHM_FREE,
  OPTEE_RPC_SHM_TYPE_APPL, msgArgSize, readMsgArg, uuidOctetsFromValue, valueFromUuidOctets, writeMsgArg,
  writeMsgParam, writeMsgResult, type MsgArg, type MsgParam,
} from '../abi/optee-msg.js';
import { isMemref, isValue, noParams, type TaParam, type TaParams } from './params.js';
import {
  TEE_PROPSET_CURRENT_CLIENT, TEE_PROPSET_CURRENT_TA, TEE_PROPSET_TEE_IMPLEMENTATION, clientProperties,
  implementationProperties, taProperties, type Property,
} from './properties.js';
import { PTA_SYSTEM_UUID, SystemPta } from './pta/system.js';
import {
  TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE, TEE_ERROR_BUSY, TEE_ERROR_COMMUNICATION, TEE_ERROR_GENERIC,
  TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_OUT_OF_MEMORY, TEE_ERROR_SECURITY, TEE_ERROR_TARGET_DEAD, TEE_SUCCESS,
  resultName,
} from '../abi/results.js';
import { PAGE_SIZE, SecureMemory } from './secure-memory.js';
import { Session, type ClientIdentity } from './session.js';
import type { CallContext, EntryResult, RpcReply, RpcRequest, SecureThread, TrustedService } from './service.js';
import { RollbackAnchor } from './storage/anchor.js';
import { SYSCALL_FAMILIES } from './syscalls/families.js';
import { buildTable, type SyscallContext, type SyscallEntry } from './syscalls/table.js';
import { IMAGE_BASE, TaInstance, type InstanceHost } from './ta-instance.js';
import { uuidFromOctets, uuidToOctets } from '../abi/uuid.js';
import { Watchdog } from '../cpu/watchdog.js';
import { TA_FLAG_INSTANCE_KEEP_CRASHED } from '../abi/ta.js';
import { TEEC_ORIGIN_COMMS, TEEC_ORIGIN_TEE } from '../abi/client-api.js';

export interface TeeCoreOptions {
  /** Longest time a TA may run in one go before the watchdog stops it. */
  watchdogMs: number;
  /** Keys trusted to sign TAs (default: the development keys). */
  trustedKeys?: TrustedKey[];
  /** Extra syscall families (crypto, storage) by number. */
  extraSyscalls?: ReadonlyMap<number, SyscallEntry>[];
  /** Make TA fault PCs exact (a code hook over TA code; slower). */
  exactFaultPcs?: boolean;
  /** Where the replay-protected rollback anchor of secure storage lives (the RPMB's part). */
  rollbackAnchorPath?: string;
}

/** Secure memory kept for the core itself (its "image and heap"). */
const CORE_RESERVED = 1 << 20;
/** Suspended secure threads allowed at once (OP-TEE's thread count). */
const MAX_THREADS = 8;
/** Parameters in the core's RPC argument. */
const RPC_PARAMS = 4;
/** Largest TA the core accepts from the normal world. */
const MAX_TA_SIZE = 32 << 20;

interface Thread {
  gen: SecureThread<void>;
}

/** Result of opening a session: the entry result and, on success, the session. */
export interface OpenResult extends EntryResult {
  session?: Session;
}

export class TeeCore implements TeeEntry, InstanceHost {
  readonly memory: SecureMemory;
  readonly watchdog = new Watchdog();
  readonly watchdogMs: number;
  readonly syscalls: readonly SyscallEntry[];
  readonly keys: TrustedKey[];
  readonly exactFaultPcs: boolean;
  /** Replay-protected counters for secure storage, when the device has a state directory. */
  readonly rollbackAnchor: RollbackAnchor | undefined;
  private readonly threads = new Map<number, Thread>();
  private nextThread = 1;
  /** Sessions opened by the normal world, by id. */
  private readonly sessions = new Map<number, Session>();
  /** Live single-instance TAs by UUID. */
  private readonly singletons = new Map<string, TaInstance>();
  private readonly ptas = new Map<string, TrustedService>();
  /** Registered shared memory by cookie. */
  private readonly registeredShm = new Map<bigint, { pa: number; size: number }>();
  private rpcArg: { pa: number; cookie: bigint } | undefined;
  private sessionCounter = 0;
  private readonly taTimes = new Map<string, number>();
  private readonly bootTime = performance.now();
  private readonly implProps: Property[];
  /**
   * Cancellation requests posted from outside the device thread: by session id, or for a
   * session being opened by its `openCancelId`.
   */
  cancelBoard: ((session: Session) => boolean) | undefined;
  /** Sessions whose open entry is running (a CANCEL with session 0 looks here). */
  private readonly opening = new Set<Session>();

  constructor(
    private readonly secure: SecureWorld,
    readonly events: EventBus,
    readonly random: RandomSource,
    options: TeeCoreOptions,
  ) {
    this.memory = new SecureMemory(secure.ram, secure.ramBase, CORE_RESERVED);
    this.watchdogMs = options.watchdogMs;
    this.exactFaultPcs = options.exactFaultPcs ?? false;
    this.rollbackAnchor = options.rollbackAnchorPath
      ? new RollbackAnchor(options.rollbackAnchorPath, hmac('sha256', secure.fuses.huk, Buffer.from('trustbox.storage.anchor.v1')))
      : undefined;
    this.keys = options.trustedKeys ?? developmentKeys();
    const families = new Map<number, SyscallEntry>();
    for (const f of [...SYSCALL_FAMILIES, ...(options.extraSyscalls ?? [])]) {
      for (const [n, e] of f) families.set(n, e);
    }
    this.syscalls = buildTable(families);
    this.implProps = implementationProperties(secure.fuses.dieId);
    this.ptas.set(PTA_SYSTEM_UUID, new SystemPta(secure.fuses.huk));
  }

  /** A session id: a counter, never 0, wrapping within 31 bits. */
  private nextSessionId(): number {
    this.sessionCounter = (this.sessionCounter % 0x7fffffff) + 1;
    return this.sessionCounter;
  }

  /** Registers a pseudo-TA. */
  addPseudoTa(pta: TrustedService): void {
    this.ptas.set(pta.uuid, pta);
  }

  // ---- entry from the monitor -------------------------------------------------------------

  callWithArg(args: readonly number[]): number[] {
    const pa = (args[1]! >>> 0) * 2 ** 32 + (args[2]! >>> 0);
    const off = pa - this.secure.nsShmBase;
    if (pa % 8 !== 0 || off < 0 || off + MSG_HEADER_SIZE > this.secure.nsShm.length) {
      this.log(`tee: CALL_WITH_ARG with an argument at ${pa.toString(16)}, outside non-secure shared memory`);
      return [OPTEE_SMC_RETURN_EBADADDR];
    }
    if (this.threads.size >= MAX_THREADS) return [OPTEE_SMC_RETURN_ETHREAD_LIMIT];
    const id = this.nextThread++;
    return this.step(id, { gen: this.messageThread(off) }, undefined);
  }

  returnFromRpc(args: readonly number[]): number[] {
    const id = args[3]! >>> 0;
    const thread = this.threads.get(id);
    if (!thread) return [OPTEE_SMC_RETURN_ERESUME];
    return this.step(id, thread, { regs: [...args] });
  }

  private step(id: number, thread: Thread, reply: RpcReply | undefined): number[] {
    let r: IteratorResult<RpcRequest, void>;
    try {
      r = thread.gen.next(reply as RpcReply);
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
    }
  }

  // ---- messages ---------------------------------------------------------------------------

  private *messageThread(off: number): SecureThread<void> {
    const shm = this.secure.nsShm;
    const arg = readMsgArg(shm, off);
    if (typeof arg === 'string') {
      writeMsgResult(shm, off, 0, TEE_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_COMMS);
      this.log(`tee: rejected a message: ${arg}`);
      return;
    }
    let out: { ret: number; origin: number; session?: number; params?: MsgParam[] };
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

  private *serve(arg: MsgArg): SecureThread<{ ret: number; origin: number; session?: number; params?: MsgParam[] }> {
    switch (arg.cmd) {
      case OPTEE_MSG_CMD_OPEN_SESSION: return yield* this.msgOpen(arg);
      case OPTEE_MSG_CMD_INVOKE_COMMAND: {
        const session = this.nwSession(arg.session);
        const params = this.fromMsgParams(arg.params);
        session.cancelRequested = false;
        const r = yield* this.invokeCommand(session, arg.func, params, { cancelId: arg.cancelId });
        return { ret: r.result, origin: r.origin, params: this.toMsgParams(arg.params, params) };
      }
      case OPTEE_MSG_CMD_CLOSE_SESSION: {
        const session = this.nwSession(arg.session);
        this.sessions.delete(session.id);
        yield* this.closeSession(session, {});
        return { ret: TEE_SUCCESS, origin: TEEC_ORIGIN_TEE };
      }
      case OPTEE_MSG_CMD_CANCEL: {
        // A session id names an invoke in progress; session 0 with a cancel id an open.
        const session = arg.session !== 0 ? this.sessions.get(arg.session)
          : arg.cancelId !== 0 ? [...this.opening].find((s) => s.openCancelId === arg.cancelId) : undefined;
        if (session) session.cancelRequested = true;
        return { ret: TEE_SUCCESS, origin: TEEC_ORIGIN_TEE };
      }
      case OPTEE_MSG_CMD_REGISTER_SHM: return this.registerShm(arg);
      case OPTEE_MSG_CMD_UNREGISTER_SHM: {
        const p = arg.params[0];
        if (!p || !this.registeredShm.delete(p.c)) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'unknown shared memory cookie');
        return { ret: TEE_SUCCESS, origin: TEEC_ORIGIN_TEE };
      }
      default:
        throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `unknown message command ${arg.cmd}`);
    }
  }

  private *msgOpen(arg: MsgArg): SecureThread<{ ret: number; origin: number; session?: number; params?: MsgParam[] }> {
    const [taMeta, clientMeta, ...rest] = arg.params;
    const meta = OPTEE_MSG_ATTR_META | OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
    if (!taMeta || !clientMeta || taMeta.attr !== meta || clientMeta.attr !== meta) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'OPEN_SESSION needs two META value parameters (TA UUID, client)');
    }
    const uuid = uuidFromOctets(uuidOctetsFromValue(taMeta));
    const client: ClientIdentity = {
      login: Number(clientMeta.c & 0xffffffffn), uuid: uuidFromOctets(uuidOctetsFromValue(clientMeta)),
    };
    const params = this.fromMsgParams(rest);
    const r = yield* this.openSession(uuid, client, params, { cancelId: arg.cancelId });
    if (r.session) this.sessions.set(r.session.id, r.session);
    const outParams = [taMeta, clientMeta, ...this.toMsgParams(rest, params)];
    return { ret: r.result, origin: r.origin, session: r.session?.id ?? 0, params: outParams };
  }

  private nwSession(id: number): Session {
    const s = this.sessions.get(id);
    if (!s) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `no session ${id}`);
    return s;
  }

  private registerShm(arg: MsgArg): { ret: number; origin: number } {
    const p = arg.params[0];
    const type = (p?.attr ?? 0) & OPTEE_MSG_ATTR_TYPE_MASK;
    if (!p || type < OPTEE_MSG_ATTR_TYPE_TMEM_INPUT || type > OPTEE_MSG_ATTR_TYPE_TMEM_INOUT) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'REGISTER_SHM needs one TMEM parameter');
    }
    const pa = Number(p.a);
    const size = Number(p.b);
    this.nsWindow(pa, size);
    this.registeredShm.set(p.c, { pa, size });
    return { ret: TEE_SUCCESS, origin: TEEC_ORIGIN_TEE };
  }

  /** A page-aligned window of NS shared memory holding [pa, pa + size). */
  private nsWindow(pa: number, size: number): { window: Uint8Array; offset: number } {
    const base = this.secure.nsShmBase;
    const shm = this.secure.nsShm;
    if (!Number.isSafeInteger(pa) || !Number.isSafeInteger(size) || pa < base || size < 0 || pa + size > base + shm.length) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `buffer 0x${pa.toString(16)}+${size} is not in non-secure shared memory`);
    }
    const off = pa - base;
    const start = off - (off % PAGE_SIZE);
    const end = Math.max(start + PAGE_SIZE, Math.ceil((off + size) / PAGE_SIZE) * PAGE_SIZE);
    return { window: shm.subarray(start, Math.min(end, shm.length)), offset: off - start };
  }

  /**
   * The bytes of NS shared memory [pa, pa + size) (a live view, not a copy), for services that
   * move data through RPC buffers (trusted storage). Throws BAD_PARAMETERS outside shared memory.
   */
  nsBuffer(pa: number, size: number): Uint8Array {
    const { window, offset } = this.nsWindow(pa, size);
    return window.subarray(offset, offset + size);
  }

  /** Client parameters from optee_msg params (at most 4). */
  private fromMsgParams(msg: MsgParam[]): TaParams {
    if (msg.length > 4) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `too many parameters (${msg.length})`);
    const params = noParams();
    for (let i = 0; i < msg.length; i++) this.fromMsgParam(msg[i]!, params[i]!, i);
    return params;
  }

  /** One optee_msg param into the TA parameter slot `p`. */
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
      p.type = attr - 4;
      pa = Number(m.a);
      if (pa === 0) {
        p.mem = null;
        p.nullSize = size;
        return;
      }
    } else if (attr >= OPTEE_MSG_ATTR_TYPE_RMEM_INPUT && attr <= OPTEE_MSG_ATTR_TYPE_RMEM_INOUT) {
      p.type = attr;
      const shm = this.registeredShm.get(m.c);
      if (!shm) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `parameter ${i} names unregistered shared memory`);
      const offs = Number(m.a);
      if (offs + size > shm.size) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `parameter ${i} overflows its shared memory`);
      pa = shm.pa + offs;
    } else {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `parameter ${i} has unknown type ${attr}`);
    }
    const { window, offset } = this.nsWindow(pa, size);
    p.mem = { window, offset, size, capacity: size, secure: false };
  }

  /** Updated optee_msg params after a call: values and memref sizes. */
  private toMsgParams(msg: MsgParam[], params: TaParams): MsgParam[] {
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

  // ---- sessions ---------------------------------------------------------------------------

  /** Opens a session to `uuid` for `client` (from the normal world or a TA). */
  *openSession(uuid: string, client: ClientIdentity, params: TaParams, ctx: CallContext): SecureThread<OpenResult> {
    let service: TrustedService;
    try {
      service = yield* this.serviceFor(uuid);
    } catch (error) {
      if (!(error instanceof TeeError)) throw error;
      this.emitSession('open', uuid, 0, error.code, error.origin);
      return { result: error.code, origin: error.origin };
    }
    const session = new Session(this.nextSessionId(), service, client);
    const instance = service instanceof TaInstance ? service : undefined;
    instance?.sessions.add(session);
    session.openCancelId = ctx.cancelId ?? 0;
    this.opening.add(session);
    let r: EntryResult;
    try {
      r = yield* service.openSession(session, params, ctx);
    } finally {
      this.opening.delete(session);
      session.openCancelId = 0;
    }
    if (r.result !== TEE_SUCCESS) {
      instance?.sessions.delete(session);
      if (instance) yield* this.release(instance);
      this.emitSession('open', uuid, 0, r.result, r.origin);
      return r;
    }
    this.emitSession('open', uuid, session.id, r.result, r.origin);
    return { ...r, session };
  }

  *invokeCommand(session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    if (session.closed) return { result: TEE_ERROR_BAD_STATE, origin: TEEC_ORIGIN_TEE };
    const t0 = this.events.wants('invoke') ? performance.now() : 0;
    const r = yield* session.service.invoke(session, cmd, params, ctx);
    const service = session.service;
    if (service instanceof TaInstance && service.dead) yield* this.reap(service);
    if (this.events.wants('invoke')) {
      this.events.emit({
        type: 'invoke', uuid: service.uuid, session: session.id, cmd, result: r.result >>> 0, origin: r.origin,
        us: Math.round((performance.now() - t0) * 1000),
      });
    }
    return r;
  }

  *closeSession(session: Session, ctx: CallContext): SecureThread<void> {
    if (session.closed) return;
    session.closed = true;
    const service = session.service;
    yield* service.closeSession(session, ctx);
    if (service instanceof TaInstance) {
      service.sessions.delete(session);
      yield* this.release(service);
    }
    this.emitSession('close', service.uuid, session.id);
  }

  /** Destroys an instance that has no sessions left, unless it is a live keep-alive singleton. */
  private *release(instance: TaInstance): SecureThread<void> {
    if (instance.dead) return yield* this.reap(instance);
    if (instance.sessions.size > 0) return;
    if (instance.singleInstance && instance.keepAlive) return;
    yield* this.destroy(instance);
  }

  /** Cleans up after an instance died: it no longer serves new sessions. */
  private *reap(instance: TaInstance): SecureThread<void> {
    if (this.singletons.get(instance.uuid) === instance && !(instance.flags & TA_FLAG_INSTANCE_KEEP_CRASHED)) {
      this.singletons.delete(instance.uuid);
    }
    yield* this.destroy(instance);
  }

  private *destroy(instance: TaInstance): SecureThread<void> {
    for (const s of [...instance.taSessions.values()]) {
      instance.taSessions.delete(s.id);
      yield* this.closeSession(s, { callerTa: instance });
    }
    if (this.singletons.get(instance.uuid) === instance && !instance.dead) this.singletons.delete(instance.uuid);
    instance.destroy();
  }

  /** The service to open a session on: a pseudo-TA, the live singleton, or a fresh instance. */
  private *serviceFor(uuid: string): SecureThread<TrustedService> {
    const pta = this.ptas.get(uuid);
    if (pta) return pta;
    const single = this.singletons.get(uuid);
    if (single) {
      if (single.dead) throw new TeeError(TEE_ERROR_TARGET_DEAD, `TA ${uuid} crashed and is kept crashed`);
      if (single.busy) throw new TeeError(TEE_ERROR_BUSY, `TA ${uuid} is busy (a call into it is in progress)`);
      if (!single.multiSession && single.sessions.size > 0) {
        throw new TeeError(TEE_ERROR_BUSY, `TA ${uuid} is single-instance without multi-session and already has a session`);
      }
      return single;
    }
    const instance = yield* this.loadInstance(uuid);
    if (instance.singleInstance) this.singletons.set(uuid, instance);
    return instance;
  }

  // ---- TA loading -------------------------------------------------------------------------

  private *loadInstance(uuid: string): SecureThread<TaInstance> {
    const t0 = performance.now();
    const bytes = yield* this.fetchTa(uuid);
    const verified = this.verify(uuid, bytes);
    const libraries = new Map<string, Uint8Array>();
    const queue = [...parseElf(verified.elf, `TA ${uuid}`).needed];
    while (queue.length > 0) {
      const lib = queue.shift()!.toLowerCase();
      if (libraries.has(lib)) continue;
      const libVerified = this.verify(lib, yield* this.fetchTa(lib));
      libraries.set(lib, libVerified.elf);
      queue.push(...parseElf(libVerified.elf, `library ${lib}`).needed);
    }
    const image = loadTa({
      elf: verified.elf, base: IMAGE_BASE, label: `TA ${uuid}`,
      fetchLibrary: (u) => {
        const elf = libraries.get(u.toLowerCase());
        if (!elf) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `library TA ${u} was not loaded`);
        return elf;
      },
    });
    if (image.taHead.uuid !== uuid) {
      this.refuse(uuid, `its ta_head names UUID ${image.taHead.uuid}`);
    }
    const instance = new TaInstance({
      uuid, image, signer: verified.signer, model: this.secure.board.cpu, memory: this.memory, host: this,
      codeRanges: this.exactFaultPcs ? codeRanges(image, verified.elf, libraries) : [],
    });
    const ms = performance.now() - t0;
    this.log(`tee: loaded TA ${uuid} (${bytes.length} bytes, signed by ${verified.signer}) at 0x${instance.loadAddress.toString(16)} ` +
      `in ${ms.toFixed(1)} ms; flags: ${instance.flagNames().join(', ') || 'none'}`);
    this.events.emit({
      type: 'ta-load', uuid, size: bytes.length, signer: verified.signer, source: 'REE TA store (LOAD_TA)',
      flags: instance.flagNames(),
    });
    return instance;
  }

  private verify(uuid: string, bytes: Uint8Array): { elf: Uint8Array; signer: string } {
    let verified;
    try {
      verified = verifyTaContainer(bytes, this.keys, `TA ${uuid}`);
    } catch (error) {
      if (error instanceof TeeError) this.log(`tee: refusing TA ${uuid}: ${error.message}`);
      throw error;
    }
    const named = verified.container.bootstrap?.uuid;
    if (named && named !== uuid) this.refuse(uuid, `its signed header names UUID ${named}`);
    return { elf: verified.elf, signer: verified.signer };
  }

  private refuse(uuid: string, why: string): never {
    const message = `TA ${uuid} is refused: ${why}`;
    this.log(`tee: ${message}`);
    throw new TeeError(TEE_ERROR_SECURITY, message);
  }

  /** Fetches `<uuid>.ta` from the normal world (OPTEE_RPC_CMD_LOAD_TA), as OP-TEE does. */
  private *fetchTa(uuid: string): SecureThread<Uint8Array> {
    const id = valueFromUuidOctets(uuidToOctets(uuid));
    const idParam: MsgParam = { attr: OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, a: id.a, b: id.b, c: 0n };
    const query = yield* this.rpcCmd(OPTEE_RPC_CMD_LOAD_TA,
      [idParam, { attr: OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, a: 0n, b: 0n, c: 0n }]);
    if (query.ret !== TEE_SUCCESS) {
      throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND,
        `TA ${uuid} was not found: the normal world's TA store has no ${uuid}.ta (${resultName(query.ret)})`);
    }
    const size = Number(query.params[1]?.b ?? 0n);
    if (size <= 0 || size > MAX_TA_SIZE) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `TA ${uuid} has an invalid size ${size}`);
    const buf = yield* this.rpcShmAlloc(size);
    try {
      const r = yield* this.rpcCmd(OPTEE_RPC_CMD_LOAD_TA,
        [idParam, { attr: OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, a: BigInt(buf.pa), b: BigInt(size), c: buf.cookie }]);
      if (r.ret !== TEE_SUCCESS) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `loading TA ${uuid} failed (${resultName(r.ret)})`);
      const { window, offset } = this.nsWindow(buf.pa, size);
      return Buffer.from(window.subarray(offset, offset + size));
    } finally {
      yield* this.rpcCmd(OPTEE_RPC_CMD_SHM_FREE,
        [{ attr: OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, a: BigInt(OPTEE_RPC_SHM_TYPE_APPL), b: buf.cookie, c: 0n }]);
    }
  }

  private *rpcShmAlloc(size: number): SecureThread<{ pa: number; cookie: bigint }> {
    const r = yield* this.rpcCmd(OPTEE_RPC_CMD_SHM_ALLOC,
      [{ attr: OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, a: BigInt(OPTEE_RPC_SHM_TYPE_APPL), b: BigInt(size), c: BigInt(PAGE_SIZE) }]);
    const p = r.params[0];
    if (r.ret !== TEE_SUCCESS || !p || (p.attr & OPTEE_MSG_ATTR_TYPE_MASK) !== OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT || p.b < BigInt(size)) {
      throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, `the normal world could not allocate ${size} bytes of shared memory`);
    }
    const pa = Number(p.a);
    this.nsWindow(pa, size);
    return { pa, cookie: p.c };
  }

  /**
   * Sends one RPC command to the normal world through the core's RPC argument buffer (which
   * it first asks the normal world to allocate) and returns the answered message.
   */
  *rpcCmd(cmd: number, params: MsgParam[]): SecureThread<MsgArg> {
    if (params.length > RPC_PARAMS) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'too many RPC parameters');
    if (!this.rpcArg) {
      const reply = yield { kind: 'alloc', size: msgArgSize(RPC_PARAMS) };
      const regs = reply.regs;
      const pa = (regs[1]! >>> 0) * 2 ** 32 + (regs[2]! >>> 0);
      const cookie = (BigInt(regs[4]! >>> 0) << 32n) | BigInt(regs[5]! >>> 0);
      if (pa === 0) throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, 'the normal world could not allocate the RPC buffer');
      this.nsWindow(pa, msgArgSize(RPC_PARAMS));
      this.rpcArg = { pa, cookie };
    }
    const off = this.rpcArg.pa - this.secure.nsShmBase;
    const shm = this.secure.nsShm;
    writeMsgArg(shm, off, { cmd, func: 0, session: 0, cancelId: 0, ret: TEE_ERROR_GENERIC, retOrigin: 0, params });
    this.events.emit({ type: 'rpc', name: rpcCmdName(cmd), detail: `RPC to the normal world (${params.length} params)` });
    yield { kind: 'cmd', cookie: this.rpcArg.cookie };
    const answer = readMsgArg(shm, off, RPC_PARAMS);
    if (typeof answer === 'string') throw new TeeError(TEE_ERROR_COMMUNICATION, `bad RPC answer: ${answer}`);
    return answer;
  }

  // ---- services for syscalls --------------------------------------------------------------

  syscallContext(instance: TaInstance, session: Session): SyscallContext {
    return { core: this, instance, session };
  }

  /**
   * Whether secure console lines reach anyone: they become console events, and nothing else
   * reads them. The LOG syscall skips decoding a line nobody would see (it still checks the
   * pointer, so its result is the same).
   */
  consoleHeard(): boolean {
    return this.events.wants('console');
  }

  /** A TA's log output goes to the secure console, line by line, as OP-TEE prints it. */
  taLog(_instance: TaInstance, text: string): void {
    const nl = text.indexOf('\n');
    if (nl < 0 || nl === text.length - 1) {
      this.secure.log(nl < 0 ? text : text.slice(0, nl)); // the usual case: one line
      return;
    }
    for (const line of text.replace(/\n$/, '').split('\n')) this.secure.log(line);
  }

  log(line: string): void {
    this.secure.log(line);
  }

  isCancelled(session: Session): boolean {
    return session.cancelRequested || (this.cancelBoard?.(session) ?? false);
  }

  pauseWatchdog(): void {
    this.watchdog.disarm();
  }

  resumeWatchdog(instance: TaInstance): void {
    this.watchdog.arm(instance.space.cpu.handle, this.watchdogMs);
  }

  /** Time since boot (TEE system time). */
  systemTime(): { seconds: number; millis: number } {
    const ms = performance.now() - this.bootTime;
    return { seconds: Math.floor(ms / 1000), millis: Math.floor(ms % 1000) };
  }

  taTime(uuid: string): { seconds: number; millis: number } | undefined {
    const offset = this.taTimes.get(uuid);
    if (offset === undefined) return undefined;
    const ms = performance.now() - this.bootTime + offset;
    return { seconds: Math.floor(ms / 1000), millis: Math.floor(ms % 1000) };
  }

  setTaTime(uuid: string, t: { seconds: number; millis: number }): void {
    this.taTimes.set(uuid, t.seconds * 1000 + t.millis - (performance.now() - this.bootTime));
  }

  /** REE time, asked from the normal world (OPTEE_RPC_CMD_GET_TIME). */
  *reeTime(): SecureThread<{ seconds: number; millis: number }> {
    const r = yield* this.rpcCmd(OPTEE_RPC_CMD_GET_TIME, [{ attr: OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, a: 0n, b: 0n, c: 0n }]);
    if (r.ret !== TEE_SUCCESS || !r.params[0]) throw new TeeError(TEE_ERROR_COMMUNICATION, 'the normal world did not tell the time');
    return { seconds: Number(r.params[0].a & 0xffffffffn), millis: Math.floor(Number(r.params[0].b) / 1_000_000) % 1000 };
  }

  /**
   * A key derived from the hardware unique key, which only the secure world can read:
   * HMAC-SHA256(HUK, label || 0x00 || parts...). Use a distinct label per purpose.
   */
  hukDerive(label: string, ...parts: Uint8Array[]): Buffer {
    return hmac('sha256', this.secure.fuses.huk, Buffer.from(label, 'utf8'), Buffer.from([0]), ...parts);
  }

  properties(set: number, session: Session, instance: TaInstance): Property[] | undefined {
    switch (set >>> 0) {
      case TEE_PROPSET_TEE_IMPLEMENTATION: return this.implProps;
      case TEE_PROPSET_CURRENT_CLIENT: return clientProperties(session);
      case TEE_PROPSET_CURRENT_TA: return taProperties(instance.uuid);
      default: return undefined;
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /** Counts for `info` and tests. */
  stats(): { sessions: number; singletons: number; threads: number; freeSecurePages: number } {
    return {
      sessions: this.sessions.size, singletons: this.singletons.size, threads: this.threads.size,
      freeSecurePages: this.memory.freePages(),
    };
  }

  /** Forgets everything (system reset): sessions, instances, threads, shared memory. */
  reset(): void {
    const instances = new Set<TaInstance>();
    for (const s of this.sessions.values()) if (s.service instanceof TaInstance) instances.add(s.service);
    for (const i of this.singletons.values()) instances.add(i);
    for (const i of instances) i.destroy();
    this.sessions.clear();
    this.singletons.clear();
    this.threads.clear();
    this.registeredShm.clear();
    this.rpcArg = undefined;
  }

  close(): void {
    this.reset();
    this.watchdog.close();
  }

  private emitSession(action: 'open' | 'close', uuid: string, session: number, result?: number, origin?: number): void {
    if (!this.events.wants('session')) return;
    this.events.emit({
      type: 'session', action, uuid, session,
      ...(result !== undefined ? { result: result >>> 0 } : {}), ...(origin !== undefined ? { origin } : {}),
    });
  }
}

/**
 * Where each module's executable sections (.text, .plt...) are mapped: exact fault PCs are
 * asked for these ranges only, not for the whole RX segment, because the segment also holds
 * .rodata and a hook over data that code reads costs several times the run time.
 */
function codeRanges(image: LoadedImage, main: Uint8Array, libraries: ReadonlyMap<string, Uint8Array>): { va: number; end: number }[] {
  const SHF_EXECINSTR = 0x4;
  const out: { va: number; end: number }[] = [];
  image.modules.forEach((m, i) => {
    const elf = i === 0 ? main : m.uuid ? libraries.get(m.uuid.toLowerCase()) : undefined;
    if (!elf) return;
    for (const s of parseElf(elf).sections) {
      if ((s.flags & SHF_EXECINSTR) && s.size > 0) out.push({ va: m.base + s.addr, end: m.base + s.addr + s.size });
    }
  });
  return out;
}

function hi(v: bigint): number {
  return Number(v >> 32n) >>> 0;
}

function lo(v: bigint): number {
  return Number(v & 0xffffffffn) >>> 0;
}

function rpcCmdName(cmd: number): string {
  return ['LOAD_TA', 'RPMB', 'FS', 'GET_TIME', 'NOTIFICATION', 'SUSPEND', 'SHM_ALLOC', 'SHM_FREE'][cmd] ?? `cmd ${cmd}`;
}

