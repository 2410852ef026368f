/**
 * The host side of the GP TEE Client API for one device: what libteec and the Linux OP-TEE
 * driver do on a real board, minus the parts the REE firmware does itself. Every call really
 * crosses the normal world: the host writes a request slot, the firmware builds the
 * optee_msg_arg and issues the SMC.
 *
 * Parameters come and go in the normal world's one form: OPTEE_MSG params (attr and a/b/c,
 * `MsgParam`), which go into the slot unchanged, with the input bytes of memrefs beside them
 * (`ParamBytes`). Whoever builds them has checked them (the API server at its client boundary,
 * against the client's registered memory); this client only places them:
 * - TMEM_*: a = 0 and c = 0 on the way in, b = the buffer's size. The buffer is taken from the
 *   client pool for the call, filled with the input bytes (zeroed otherwise), and a and c
 *   become its physical address; b = 0 is a NULL memref.
 * - RMEM_*: a = offset in the block, b = size, c = the block's cookie (registerSharedMemory).
 *   Input bytes are written into the block at the offset.
 * - VALUE_* and NONE: as they are.
 * Results are the parameters as the TEE answered them (values' a/b, memrefs' sizes in b) and,
 * beside them, the output bytes of memrefs whose direction includes output: as many as the
 * answered size, at most the buffer's (as optee_client copies them back).
 */
import {
  OPTEE_MSG_ATTR_TYPE_RMEM_INOUT, OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT,
  OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, type MsgParam,
} from '../abi/optee-msg.js';
import { TeeError } from '../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_OUT_OF_MEMORY, TEE_SUCCESS } from '../abi/results.js';
import { uuidToOctets } from '../abi/uuid.js';
import { TEEC_CONFIG_PAYLOAD_REF_COUNT, TEEC_ORIGIN_API, TEEC_ORIGIN_COMMS } from '../abi/client-api.js';
import {
  HB_OP_CANCEL, HB_OP_CLOSE_SESSION, HB_OP_INVOKE_COMMAND, HB_OP_OPEN_SESSION, HB_OP_REGISTER_SHM,
  HB_OP_UNREGISTER_SHM,
} from './hostbridge.js';
import type { HbRequest, HbResult } from './mailbox.js';
import { ClientPool } from './client-pool.js';

/**
 * Bytes that travel beside a call's MsgParams, by parameter index: the input bytes of memrefs
 * on the way in, the output bytes on the way back; undefined where a parameter has none.
 */
export type ParamBytes = (Uint8Array | undefined)[];

/** What a call answers. */
export interface CallResult {
  /** The TEE's result, or why the request did not reach it (origin COMMS). */
  result: number;
  origin: number;
  /** The session the firmware reports (the new one, for openSession). */
  session: number;
  /** The parameters as the TEE answered them; empty when the request did not reach it. */
  params: MsgParam[];
  /** Output bytes (see the file header); absent when no memref has any. */
  data?: ParamBytes;
  /** SMCs the firmware made for this call. */
  smcCalls: number;
}

/**
 * A block of the client pool registered with the TEE: what TEEC_AllocateSharedMemory /
 * TEEC_RegisterSharedMemory make on a real device. `bytes` is the block itself, so writes are
 * seen by the TA without a copy, as with Linux's shm mmap.
 */
export interface SharedMemory {
  /** The shm_ref that RMEM parameters name (the block's physical address). */
  readonly cookie: bigint;
  readonly size: number;
  readonly bytes: Uint8Array;
}

/** openSession's options: input bytes of memrefs, the login, the client identity and a cancel id. */
export interface OpenOptions {
  data?: ParamBytes;
  login?: number;
  clientUuid?: string;
  /** Non-zero: lets `cancel(0, cancelId)` or the device's cancellation flags stop the open. */
  cancelId?: number;
}

/**
 * What the client needs from a device: post a request with a completion called when the
 * firmware has finished it (requests may finish in any order), and run the device until a
 * condition holds (for callers that wait).
 */
export interface RequestChannel {
  submit(req: HbRequest, done: (result: HbResult | Error) => void): void;
  runUntil(finished: () => boolean): void;
}

/** Receives a call's result, or the error that kept it from the TEE. */
export type CallDone = (result: CallResult | Error) => void;

const isTmem = (attr: number) => attr >= OPTEE_MSG_ATTR_TYPE_TMEM_INPUT && attr <= OPTEE_MSG_ATTR_TYPE_TMEM_INOUT;
const isRmem = (attr: number) => attr >= OPTEE_MSG_ATTR_TYPE_RMEM_INPUT && attr <= OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;
const isInput = (attr: number) => attr === OPTEE_MSG_ATTR_TYPE_TMEM_INPUT || attr === OPTEE_MSG_ATTR_TYPE_TMEM_INOUT
  || attr === OPTEE_MSG_ATTR_TYPE_RMEM_INPUT || attr === OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;
const isOutput = (attr: number) => attr === OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT || attr === OPTEE_MSG_ATTR_TYPE_TMEM_INOUT
  || attr === OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT || attr === OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;

/**
 * A registered block's cookie (OPTEE_MSG shm_ref) is its physical address in the low 40 bits,
 * so the block is found without a table, and a registration count above them, so that a
 * cookie kept after release never names the next block the pool puts at that address.
 */
const COOKIE_ADDRESS_BITS = 40n;
const COOKIE_GENERATIONS = 0x7fffff;
const addressOf = (cookie: bigint): number => Number(cookie & ((1n << COOKIE_ADDRESS_BITS) - 1n));

/** The GP-shaped client of one device's normal world (see the file header). */
export class TeeClient {
  private readonly pool: ClientPool;
  /**
   * Cookies of the blocks registered now. A cookie is a block's physical address, which the
   * pool reuses once the block is gone: a stale cookie must name nothing, not the next block.
   */
  private readonly registered = new Set<bigint>();
  private generation = 0;

  /**
   * `shm` is the NS shared memory, `shmBase` its physical address; client buffers live in
   * [poolOffset, poolOffset + poolSize).
   */
  constructor(
    private readonly channel: RequestChannel,
    shm: Uint8Array,
    shmBase: number,
    poolOffset: number,
    poolSize: number,
  ) {
    this.pool = new ClientPool(shm, shmBase, poolOffset, poolSize);
  }

  /** The registration count of the last cookie made (device snapshots: a restored client goes on from it). */
  get cookieGeneration(): number {
    return this.generation;
  }

  set cookieGeneration(n: number) {
    this.generation = n;
  }

  openSession(uuid: string, params: MsgParam[] = [], options: OpenOptions = {}): CallResult {
    return this.wait((done) => this.startOpenSession(uuid, params, options, done));
  }

  /** `cancelId` (non-zero) is the id a CANCEL may name for this command. */
  invoke(session: number, cmd: number, params: MsgParam[] = [], data?: ParamBytes, cancelId = 0): CallResult {
    return this.wait((done) => this.startInvoke(session, cmd, params, data, cancelId, done));
  }

  closeSession(session: number): CallResult {
    return this.wait((done) => this.startCloseSession(session, done));
  }

  cancel(session: number, cancelId: number): CallResult {
    return this.wait((done) => this.start({ op: HB_OP_CANCEL, session, cancelId }, [], undefined, done));
  }

  // ---- the same calls without waiting: `done` is called when the firmware has finished them,
  // while other calls go on (it is not called before these return). A call the client refuses
  // up front (parameters, pool) throws here instead.

  startOpenSession(uuid: string, params: MsgParam[], options: OpenOptions, done: CallDone): void {
    const req: HbRequest = { op: HB_OP_OPEN_SESSION, uuid: uuidToOctets(uuid), login: options.login ?? 0, cancelId: options.cancelId ?? 0 };
    if (options.clientUuid) req.clientUuid = uuidToOctets(options.clientUuid);
    this.start(req, params, options.data, done);
  }

  startInvoke(session: number, cmd: number, params: MsgParam[], data: ParamBytes | undefined, cancelId: number, done: CallDone): void {
    this.start({ op: HB_OP_INVOKE_COMMAND, session, func: cmd, cancelId }, params, data, done);
  }

  startCloseSession(session: number, done: CallDone): void {
    this.start({ op: HB_OP_CLOSE_SESSION, session }, [], undefined, done);
  }

  /** Starts a call and runs the device until it is done. */
  private wait(start: (done: CallDone) => void): CallResult {
    let result: CallResult | Error | undefined;
    start((r) => { result = r; });
    this.channel.runUntil(() => result !== undefined);
    if (result instanceof Error) throw result;
    return result!;
  }

  /** A synchronous round trip of one request that has no parameters to place. */
  private roundTrip(req: HbRequest): HbResult {
    let result: HbResult | Error | undefined;
    this.channel.submit(req, (r) => { result = r; });
    this.channel.runUntil(() => result !== undefined);
    if (result instanceof Error) throw result;
    return result!;
  }

  /**
   * Takes a block of the client pool and registers it with the TEE through the firmware
   * (REGISTER_SHM). Throws a TeeError (origin API) when the pool is full, or the TEE's error.
   */
  registerSharedMemory(size: number): SharedMemory {
    if (!Number.isInteger(size) || size < 0) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'shared memory size must be a non-negative integer', TEEC_ORIGIN_API);
    const pa = this.pool.take(size);
    if (pa === undefined) throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, `no room for ${size} bytes of shared memory in the client pool`, TEEC_ORIGIN_API);
    const bytes = this.pool.view(pa, size);
    this.pool.clear(pa, size); // free pages are zero already; this keeps it so whatever a stale view did
    const cookie = this.nextCookie(pa);
    try {
      const res = this.roundTrip({
        op: HB_OP_REGISTER_SHM, params: [{ attr: OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, a: BigInt(pa), b: BigInt(size), c: cookie }],
      });
      const failure = res.status !== TEE_SUCCESS ? [res.status, TEEC_ORIGIN_COMMS] : res.ret !== TEE_SUCCESS ? [res.ret, res.retOrigin] : undefined;
      if (failure) throw new TeeError(failure[0]!, `the TEE refused to register ${size} bytes of shared memory`, failure[1]);
    } catch (error) {
      this.pool.give(pa);
      throw error;
    }
    this.registered.add(cookie);
    return { cookie, size, bytes };
  }

  /**
   * Unregisters the block named by `cookie` (UNREGISTER_SHM) and returns it to the pool. A
   * cookie that names no block (released before) is a no-op: between calls the pool holds
   * registered blocks only.
   */
  releaseSharedMemory(cookie: bigint): void {
    if (!this.registered.delete(cookie)) return;
    // A call in flight names the block: it stays registered and in the pool until that call
    // ends (then it goes, wiped), so a TA never sees the block's next owner through it.
    if (this.inUse.has(cookie)) {
      this.releasing.add(cookie);
      return;
    }
    this.unregister(cookie);
  }

  /** Registered blocks that calls in flight name, with how many such calls. */
  private readonly inUse = new Map<bigint, number>();
  /** Blocks released while in use: unregistered when the last call naming them ends. */
  private readonly releasing = new Set<bigint>();

  private unregister(cookie: bigint): void {
    const pa = addressOf(cookie);
    try {
      this.roundTrip({
        op: HB_OP_UNREGISTER_SHM, params: [{ attr: OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, a: 0n, b: 0n, c: cookie }],
      });
    } finally {
      this.pool.give(pa);
    }
  }

  /** Marks the registered blocks `params` name as in use by a call; returns them. */
  private hold(params: MsgParam[]): bigint[] {
    const held: bigint[] = [];
    for (const p of params) {
      if (!isRmem(p.attr) || !this.registered.has(p.c) || held.includes(p.c)) continue;
      held.push(p.c);
      this.inUse.set(p.c, (this.inUse.get(p.c) ?? 0) + 1);
    }
    return held;
  }

  private unhold(held: bigint[]): void {
    for (const cookie of held) {
      const n = (this.inUse.get(cookie) ?? 1) - 1;
      if (n > 0) {
        this.inUse.set(cookie, n);
        continue;
      }
      this.inUse.delete(cookie);
      if (this.releasing.delete(cookie)) this.unregisterLater(cookie);
    }
  }

  /** UNREGISTER_SHM without waiting (from a completion); the block goes back to the pool after it. */
  private unregisterLater(cookie: bigint): void {
    const pa = addressOf(cookie);
    try {
      this.channel.submit({
        op: HB_OP_UNREGISTER_SHM, params: [{ attr: OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, a: 0n, b: 0n, c: cookie }],
      }, () => this.pool.give(pa));
    } catch {
      this.pool.give(pa); // no slot or the device is off: the TEE forgets it with the device
    }
  }

  /** A new block's cookie: its physical address, with a registration count above bit 40. */
  private nextCookie(pa: number): bigint {
    this.generation = (this.generation % COOKIE_GENERATIONS) + 1;
    return (BigInt(this.generation) << COOKIE_ADDRESS_BITS) | BigInt(pa);
  }

  /** Bytes of the client pool in use (for leak checks). */
  get poolBytesInUse(): number {
    return this.pool.bytesInUse;
  }

  /** Blocks registered and not yet released. */
  get registeredBlocks(): number {
    return this.registered.size;
  }

  /**
   * Places the parameters and posts the request; when it completes, reads the answer and the
   * output bytes, gives the temporary buffers back (wiped) and calls `done`.
   */
  private start(req: HbRequest, params: MsgParam[], data: ParamBytes | undefined, done: CallDone): void {
    if (params.length > TEEC_CONFIG_PAYLOAD_REF_COUNT) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `at most ${TEEC_CONFIG_PAYLOAD_REF_COUNT} parameters`, TEEC_ORIGIN_API);
    }
    const temps: number[] = [];
    let held: bigint[] = [];
    const release = (): void => {
      for (const pa of temps) this.pool.give(pa);
      this.unhold(held);
    };
    let placed: MsgParam[];
    try {
      placed = this.place(params, data, temps);
      held = this.hold(placed);
      req.params = placed; // req is always a fresh object from the calls above
      this.channel.submit(req, (res) => {
        let result: CallResult | Error;
        try {
          result = res instanceof Error ? res : this.answer(res, placed);
        } finally {
          release();
        }
        done(result);
      });
    } catch (error) {
      release();
      throw error;
    }
  }

  private answer(res: HbResult, placed: MsgParam[]): CallResult {
    if (res.status !== TEE_SUCCESS) {
      return { result: res.status, origin: TEEC_ORIGIN_COMMS, session: res.session, params: [], smcCalls: res.smcCalls };
    }
    const result: CallResult = { result: res.ret, origin: res.retOrigin, session: res.session, params: res.params, smcCalls: res.smcCalls };
    const out = this.outputs(placed, res.params);
    if (out) result.data = out;
    return result;
  }

  /** The parameters as the slot takes them: temporary buffers placed, input bytes written (see the file header). */
  private place(params: MsgParam[], data: ParamBytes | undefined, temps: number[]): MsgParam[] {
    let placed: MsgParam[] | undefined;
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      if (isTmem(p.attr)) {
        placed ??= params.slice();
        placed[i] = this.placeTemp(p, data?.[i], temps);
      } else if (isRmem(p.attr) && isInput(p.attr) && data?.[i] && this.registered.has(p.c)) {
        // (A memref of a block not registered now is written nowhere; the TEE refuses it.)
        this.pool.view(addressOf(p.c) + Number(p.a), data[i]!.length).set(data[i]!);
      }
    }
    return placed ?? params;
  }

  private placeTemp(p: MsgParam, input: Uint8Array | undefined, temps: number[]): MsgParam {
    const size = Number(p.b);
    if (size === 0) return { attr: p.attr, a: 0n, b: 0n, c: 0n }; // a NULL memref
    const pa = this.pool.take(size);
    if (pa === undefined) throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, `no room for a ${size}-byte buffer in shared memory`, TEEC_ORIGIN_API);
    temps.push(pa);
    const bytes = this.pool.view(pa, size);
    const given = input && isInput(p.attr) ? Math.min(input.length, size) : 0;
    if (given > 0) bytes.set(input!.subarray(0, given));
    if (given < size) this.pool.clear(pa + given, size - given);
    const at = BigInt(pa);
    return { attr: p.attr, a: at, b: p.b, c: at };
  }

  /**
   * Output bytes of memrefs: as many as the answer says, at most the buffer's size (as
   * optee_client's libteec copies back min(answered, given): a TA that answers a larger size,
   * such as a truncated datagram's whole length, still gives the bytes that fit); undefined when none.
   */
  private outputs(placed: MsgParam[], answered: MsgParam[]): ParamBytes | undefined {
    let out: ParamBytes | undefined;
    for (let i = 0; i < placed.length; i++) {
      const p = placed[i]!;
      if (!isOutput(p.attr)) continue;
      const size = answered[i]?.b ?? 0n;
      const n = size > p.b ? p.b : size;
      if (n === 0n || (isTmem(p.attr) && p.a === 0n)) continue;
      const at = isTmem(p.attr) ? Number(p.a) : addressOf(p.c) + Number(p.a);
      out ??= new Array<Uint8Array | undefined>(placed.length).fill(undefined);
      out[i] = this.pool.view(at, Number(n)).slice(); // a copy (memcpy; Uint8Array.from iterates)
    }
    return out;
  }
}
