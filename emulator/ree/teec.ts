/**
 * The host side of the GP TEE Client API for one device: what libteec and the Linux OP-TEE
 * driver do on a real board, minus the parts the REE firmware does itself. It copies client
 * buffers into NS shared memory, posts a request through the host bridge, and copies results
 * back. Every call really crosses the normal world: the firmware builds the optee_msg_arg and
 * issues the SMC.
 */
import {
  OPTEE_MSG_ATTR_TYPE_NONE, OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT,
  OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
} from '../abi/optee-msg.js';
import { TeeError } from '../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_OUT_OF_MEMORY, TEE_SUCCESS } from '../abi/results.js';
import { uuidToOctets } from '../abi/uuid.js';
import {
  HB_OP_CANCEL, HB_OP_CLOSE_SESSION, HB_OP_INVOKE_COMMAND, HB_OP_OPEN_SESSION, HB_OP_REGISTER_SHM,
  HB_OP_UNREGISTER_SHM,
} from './hostbridge.js';
import type { HbParam, HbRequest, HbResult } from './mailbox.js';
import { ShmAllocator } from './shm-allocator.js';
import { TEEC_MEM_INPUT, TEEC_MEM_OUTPUT, TEEC_ORIGIN_API, TEEC_ORIGIN_COMMS } from '../abi/client-api.js';

/** One client parameter, as a test harness or the CLI writes it. */
export type ClientParam =
  | { type: 'none' }
  | { type: 'value-in' | 'value-inout'; a: number; b: number }
  | { type: 'value-out' }
  | { type: 'memref-in' | 'memref-inout'; data: Uint8Array }
  | { type: 'memref-out'; size: number }
  /** TEEC_MEMREF_WHOLE: the whole registered block, direction from its flags. */
  | { type: 'memref-whole'; shm: SharedMemory }
  /** TEEC_MEMREF_PARTIAL_*: [offset, offset + size) of a registered block. */
  | { type: 'memref-partial-in' | 'memref-partial-out' | 'memref-partial-inout'; shm: SharedMemory; offset: number; size: number };


/**
 * A block of NS shared memory registered with the TEE (HB_OP_REGISTER_SHM): what
 * TEEC_AllocateSharedMemory / TEEC_RegisterSharedMemory make on a real device. `bytes` is the
 * block itself, so writes are seen by the TA without a copy, as with Linux's shm mmap.
 */
export interface SharedMemory {
  readonly cookie: bigint;
  readonly size: number;
  readonly flags: number;
  /** Offset of the block in the client pool. */
  readonly poolOffset: number;
  /** The block's bytes (a view of NS shared memory). */
  readonly bytes: Uint8Array;
  released: boolean;
}

/** One parameter after the call. */
export type ClientResultParam =
  | { type: 'none' }
  | { type: 'value'; a: number; b: number }
  /**
   * `data`: the output bytes (temporary memrefs: a copy; registered memrefs: a copy of
   * [offset, offset + size) of the block), empty for inputs or when `size` does not fit.
   */
  | { type: 'memref'; data: Uint8Array; size: number };

export interface ClientResult {
  result: number;
  origin: number;
  params: ClientResultParam[];
  /** Session id, for openSession. */
  session?: number;
  /** SMCs the firmware made for this call. */
  smcCalls: number;
}

/** What the client needs from a device: post one request and wait for its completion. */
export interface RequestChannel {
  request(req: HbRequest): HbResult;
}

const DIRECTION = { in: 0, out: 1, inout: 2 } as const;

export class TeeClient {
  private readonly pool: ShmAllocator;
  private nextCookie = 1n;
  private readonly registered = new Set<SharedMemory>();

  /**
   * `shm` is the NS shared memory, `shmBase` its physical address; client buffers live in
   * [poolOffset, poolOffset + poolSize).
   */
  constructor(
    private readonly channel: RequestChannel,
    private readonly shm: Uint8Array,
    private readonly shmBase: number,
    private readonly poolOffset: number,
    poolSize: number,
  ) {
    this.pool = new ShmAllocator(poolSize);
  }

  /** `cancelId` (non-zero) lets a `cancel(0, cancelId)` or the cancel board stop the open. */
  openSession(uuid: string, params: ClientParam[] = [], login = 0, clientUuid?: string, cancelId = 0): ClientResult {
    const octets = uuidToOctets(uuid);
    return this.call({ op: HB_OP_OPEN_SESSION, uuid: octets, login, cancelId, ...(clientUuid ? { clientUuid: uuidToOctets(clientUuid) } : {}) }, params);
  }

  invoke(session: number, cmd: number, params: ClientParam[] = [], cancelId = 0): ClientResult {
    return this.call({ op: HB_OP_INVOKE_COMMAND, session, func: cmd, cancelId }, params);
  }

  closeSession(session: number): ClientResult {
    return this.call({ op: HB_OP_CLOSE_SESSION, session }, []);
  }

  cancel(session: number, cancelId: number): ClientResult {
    return this.call({ op: HB_OP_CANCEL, session, cancelId }, []);
  }

  /**
   * Allocates a block in the client pool and registers it with the TEE through the firmware
   * (REGISTER_SHM). Throws a TeeError (origin API) when the pool is full, or the TEE's error.
   */
  registerSharedMemory(size: number, flags: number): SharedMemory {
    if (!Number.isInteger(size) || size < 0) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'shared memory size must be a non-negative integer', TEEC_ORIGIN_API);
    if ((flags & ~(TEEC_MEM_INPUT | TEEC_MEM_OUTPUT)) !== 0 || flags === 0) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'shared memory flags must be a non-zero subset of TEEC_MEM_INPUT | TEEC_MEM_OUTPUT', TEEC_ORIGIN_API);
    }
    const off = this.pool.alloc(Math.max(size, 1));
    if (off === undefined) throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, `no room for ${size} bytes of shared memory in the client pool`, TEEC_ORIGIN_API);
    const at = this.poolOffset + off;
    this.shm.fill(0, at, at + size);
    const cookie = this.nextCookie++;
    const pa = BigInt(this.shmBase + at);
    try {
      const res = this.channel.request({
        op: HB_OP_REGISTER_SHM, params: [{ attr: OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, a: pa, b: BigInt(size), c: cookie }],
      });
      const failure = res.status !== TEE_SUCCESS ? [res.status, TEEC_ORIGIN_COMMS] : res.ret !== TEE_SUCCESS ? [res.ret, res.retOrigin] : undefined;
      if (failure) throw new TeeError(failure[0]!, `the TEE refused to register ${size} bytes of shared memory`, failure[1]);
    } catch (error) {
      this.pool.release(off);
      throw error;
    }
    const block: SharedMemory = { cookie, size, flags, poolOffset: off, bytes: this.shm.subarray(at, at + size), released: false };
    this.registered.add(block);
    return block;
  }

  /** Unregisters a block (UNREGISTER_SHM) and returns it to the pool. Releasing twice is a no-op. */
  releaseSharedMemory(block: SharedMemory): void {
    if (block.released || !this.registered.has(block)) return;
    block.released = true;
    this.registered.delete(block);
    try {
      this.channel.request({
        op: HB_OP_UNREGISTER_SHM, params: [{ attr: OPTEE_MSG_ATTR_TYPE_RMEM_INPUT, a: 0n, b: 0n, c: block.cookie }],
      });
    } finally {
      this.pool.release(block.poolOffset);
    }
  }

  /** Bytes of the client pool in use (for leak checks). */
  get poolBytesInUse(): number {
    return this.pool.bytesInUse;
  }

  private call(req: HbRequest, params: ClientParam[]): ClientResult {
    if (params.length > 4) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'at most 4 parameters', TEEC_ORIGIN_API);
    const buffers: { off: number; capacity: number }[] = [];
    try {
      const hb: HbParam[] = [];
      for (const p of params) hb.push(this.marshal(p, buffers));
      req.params = hb; // req is always a fresh object from the calls above
      const res = this.channel.request(req);
      if (res.status !== TEE_SUCCESS) {
        return { result: res.status, origin: TEEC_ORIGIN_COMMS, params: [], smcCalls: res.smcCalls };
      }
      const out: ClientResultParam[] = [];
      for (let i = 0; i < params.length; i++) out.push(this.unmarshal(params[i]!, res.params[i], buffers[i]));
      return { result: res.ret, origin: res.retOrigin, session: res.session, smcCalls: res.smcCalls, params: out };
    } finally {
      for (const b of buffers) if (b) this.pool.release(b.off);
    }
  }

  private marshal(p: ClientParam, buffers: { off: number; capacity: number }[]): HbParam {
    const i = buffers.length;
    buffers.push(undefined as unknown as { off: number; capacity: number });
    switch (p.type) {
      case 'none': return { attr: OPTEE_MSG_ATTR_TYPE_NONE, a: 0n, b: 0n, c: 0n };
      case 'value-in': return value(OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, p.a, p.b);
      case 'value-out': return value(OPTEE_MSG_ATTR_TYPE_VALUE_INPUT + 1, 0, 0);
      case 'value-inout': return value(OPTEE_MSG_ATTR_TYPE_VALUE_INPUT + 2, p.a, p.b);
      case 'memref-whole':
      case 'memref-partial-in':
      case 'memref-partial-out':
      case 'memref-partial-inout':
        return this.marshalRegistered(p);
      default: {
        const dir = p.type === 'memref-in' ? DIRECTION.in : p.type === 'memref-out' ? DIRECTION.out : DIRECTION.inout;
        const size = p.type === 'memref-out' ? p.size : p.data.length;
        const attr = OPTEE_MSG_ATTR_TYPE_TMEM_INPUT + dir;
        if (size === 0) return { attr, a: 0n, b: 0n, c: 0n }; // a NULL memref
        const off = this.pool.alloc(size);
        if (off === undefined) {
          throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, `no room for a ${size}-byte buffer in shared memory`, TEEC_ORIGIN_API);
        }
        buffers[i] = { off, capacity: size };
        const at = this.poolOffset + off;
        if (p.type !== 'memref-out') this.shm.set(p.data, at);
        else this.shm.fill(0, at, at + size);
        const pa = BigInt(this.shmBase + at);
        return { attr, a: pa, b: BigInt(size), c: pa };
      }
    }
  }

  private marshalRegistered(p: Extract<ClientParam, { shm: SharedMemory }>): HbParam {
    const shm = p.shm;
    if (shm.released || !this.registered.has(shm)) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'the memref names shared memory that is not registered (released?)', TEEC_ORIGIN_API);
    }
    let dir: number;
    let offset = 0;
    let size = shm.size;
    if (p.type === 'memref-whole') {
      dir = shm.flags === TEEC_MEM_INPUT ? DIRECTION.in : shm.flags === TEEC_MEM_OUTPUT ? DIRECTION.out : DIRECTION.inout;
    } else {
      dir = p.type === 'memref-partial-in' ? DIRECTION.in : p.type === 'memref-partial-out' ? DIRECTION.out : DIRECTION.inout;
      // GP: a partial memref's direction must be allowed by the block's flags.
      const need = (dir === DIRECTION.out ? 0 : TEEC_MEM_INPUT) | (dir === DIRECTION.in ? 0 : TEEC_MEM_OUTPUT);
      if ((shm.flags & need) !== need) {
        throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `${p.type} needs shared memory flags 0x${need.toString(16)}, the block has 0x${shm.flags.toString(16)}`, TEEC_ORIGIN_API);
      }
      offset = p.offset;
      size = p.size;
      if (!Number.isInteger(offset) || !Number.isInteger(size) || offset < 0 || size < 0 || offset + size > shm.size) {
        throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `${p.type} [${offset}, ${offset}+${size}) is outside the ${shm.size}-byte block`, TEEC_ORIGIN_API);
      }
    }
    return { attr: OPTEE_MSG_ATTR_TYPE_RMEM_INPUT + dir, a: BigInt(offset), b: BigInt(size), c: shm.cookie };
  }

  private unmarshal(p: ClientParam, out: HbParam | undefined, buf: { off: number; capacity: number } | undefined): ClientResultParam {
    switch (p.type) {
      case 'none': return { type: 'none' };
      case 'value-in': return { type: 'value', a: p.a, b: p.b };
      case 'value-out':
      case 'value-inout': return { type: 'value', a: Number((out?.a ?? 0n) & 0xffffffffn), b: Number((out?.b ?? 0n) & 0xffffffffn) };
      case 'memref-whole':
      case 'memref-partial-in':
      case 'memref-partial-out':
      case 'memref-partial-inout': {
        const size = Number(out?.b ?? 0n);
        const offset = p.type === 'memref-whole' ? 0 : p.offset;
        const capacity = p.type === 'memref-whole' ? p.shm.size : p.size;
        const output = p.type === 'memref-whole' ? (p.shm.flags & TEEC_MEM_OUTPUT) !== 0 : p.type !== 'memref-partial-in';
        // GP: outputs are synced back only when the returned size fits the buffer.
        const data = output && size <= capacity ? Uint8Array.from(p.shm.bytes.subarray(offset, offset + size)) : new Uint8Array(0);
        return { type: 'memref', data, size };
      }
      default: {
        const size = Number(out?.b ?? 0n);
        if (!buf) return { type: 'memref', data: new Uint8Array(0), size };
        const at = this.poolOffset + buf.off;
        // GP: data is synced back only when the reported size fits the buffer.
        const data = p.type === 'memref-in' || size > buf.capacity
          ? new Uint8Array(0) : Uint8Array.from(this.shm.subarray(at, at + size));
        return { type: 'memref', data, size };
      }
    }
  }
}

function value(attr: number, a: number, b: number): HbParam {
  return { attr, a: BigInt(a >>> 0), b: BigInt(b >>> 0), c: 0n };
}
