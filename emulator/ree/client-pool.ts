/**
 * The client pool: the part of NS shared memory where the host places what clients hand the
 * TEE, as libteec and the Linux driver do: a temporary buffer per memref for one call (TMEM),
 * and blocks registered with the TEE (REGISTER_SHM) for as long as their client keeps them.
 *
 * Everything here is named by physical address. A registered block's cookie (its shm_ref) is
 * its physical address, as the firmware's own RPC buffers' are, so the host finds a block from
 * the cookie a memref names without a table of its own: the normal world's one table of
 * registered memory is its clients' (the API server's, per connection), where memrefs are
 * checked against their blocks once. The pool only keeps its bytes from being written out of
 * bounds.
 */
import { TeeError } from '../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS } from '../abi/results.js';
import { TEEC_ORIGIN_API } from '../abi/client-api.js';
import { ShmAllocator } from './shm-allocator.js';

/** The client pool of one device's NS shared memory, addressed by physical address (see the file header). */
export class ClientPool {
  private readonly allocator: ShmAllocator;
  private readonly bytes: Uint8Array;
  /** Physical address of the pool's first byte. */
  private readonly base: number;

  /** `shm` is the NS shared memory at physical address `shmBase`; the pool is [poolOffset, poolOffset + poolSize) of it. */
  constructor(shm: Uint8Array, shmBase: number, poolOffset: number, poolSize: number) {
    this.allocator = new ShmAllocator(poolSize);
    this.bytes = shm.subarray(poolOffset, poolOffset + poolSize);
    this.base = shmBase + poolOffset;
  }

  /** Reserves `size` bytes (at least one, so that every block has its own address); the PA, or undefined when full. */
  take(size: number): number | undefined {
    const off = this.allocator.alloc(Math.max(size, 1));
    return off === undefined ? undefined : this.base + off;
  }

  /** Returns what `take` gave at `pa`; false when nothing was taken there. */
  give(pa: number): boolean {
    return this.allocator.release(pa - this.base);
  }

  /** Whether a reservation starts at `pa`. */
  holds(pa: number): boolean {
    return this.allocator.allocated(pa - this.base);
  }

  /** The live bytes [pa, pa + size); BAD_PARAMETERS (origin API) for a range outside the pool. */
  view(pa: number, size: number): Uint8Array {
    const off = pa - this.base;
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(size) || off < 0 || size < 0 || off + size > this.bytes.length) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `0x${pa.toString(16)}+${size} is not in the client pool of shared memory`, TEEC_ORIGIN_API);
    }
    return this.bytes.subarray(off, off + size);
  }

  /** Bytes reserved (alignment included), for leak checks. */
  get bytesInUse(): number {
    return this.allocator.bytesInUse;
  }
}
