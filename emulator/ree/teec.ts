/**
 * The host side of the GP TEE Client API for one device: what libteec and the Linux OP-TEE
 * driver do on a real board, minus the parts the REE firmware does itself. It copies client
 * buffers into NS shared memory, posts a request through the host bridge, and copies results
 * back. Every call really crosses the normal world: the firmware builds the optee_msg_arg and
 * issues the SMC.
 */
import {
  OPTEE_MSG_ATTR_TYPE_NONE, OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT,
} from '../tee/msg.js';
import { TEEC_ORIGIN_API, TEEC_ORIGIN_COMMS, TeeError } from '../tee/errors.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_OUT_OF_MEMORY, TEE_SUCCESS } from '../tee/results.js';
import { uuidToOctets } from '../tee/uuid.js';
import { HB_OP_CANCEL, HB_OP_CLOSE_SESSION, HB_OP_INVOKE_COMMAND, HB_OP_OPEN_SESSION } from './hostbridge.js';
import type { HbParam, HbRequest, HbResult } from './mailbox.js';
import { ShmAllocator } from './shm-allocator.js';

/** One client parameter, as a test harness or the CLI writes it. */
export type ClientParam =
  | { type: 'none' }
  | { type: 'value-in' | 'value-inout'; a: number; b: number }
  | { type: 'value-out' }
  | { type: 'memref-in' | 'memref-inout'; data: Uint8Array }
  | { type: 'memref-out'; size: number };

/** One parameter after the call. */
export type ClientResultParam =
  | { type: 'none' }
  | { type: 'value'; a: number; b: number }
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

  openSession(uuid: string, params: ClientParam[] = [], login = 0, clientUuid?: string): ClientResult {
    const octets = uuidToOctets(uuid);
    return this.call({ op: HB_OP_OPEN_SESSION, uuid: octets, login, ...(clientUuid ? { clientUuid: uuidToOctets(clientUuid) } : {}) }, params);
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

  /** Bytes of the client pool in use (for leak checks). */
  get poolBytesInUse(): number {
    return this.pool.bytesInUse;
  }

  private call(req: HbRequest, params: ClientParam[]): ClientResult {
    if (params.length > 4) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'at most 4 parameters', TEEC_ORIGIN_API);
    const buffers: { off: number; capacity: number }[] = [];
    try {
      const hb = params.map((p) => this.marshal(p, buffers));
      const res = this.channel.request({ ...req, params: hb });
      if (res.status !== TEE_SUCCESS) {
        return { result: res.status, origin: TEEC_ORIGIN_COMMS, params: [], smcCalls: res.smcCalls };
      }
      return {
        result: res.ret, origin: res.retOrigin, session: res.session, smcCalls: res.smcCalls,
        params: params.map((p, i) => this.unmarshal(p, res.params[i], buffers[i])),
      };
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

  private unmarshal(p: ClientParam, out: HbParam | undefined, buf: { off: number; capacity: number } | undefined): ClientResultParam {
    switch (p.type) {
      case 'none': return { type: 'none' };
      case 'value-in': return { type: 'value', a: p.a, b: p.b };
      case 'value-out':
      case 'value-inout': return { type: 'value', a: Number((out?.a ?? 0n) & 0xffffffffn), b: Number((out?.b ?? 0n) & 0xffffffffn) };
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
