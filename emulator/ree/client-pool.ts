/**
 * The client pool: the part of NS shared memory where the host places what clients hand the
 * TEE, as libteec and the Linux driver do: a temporary buffer per memref for one call (TMEM),
 * and blocks registered with the TEE (REGISTER_SHM) for as long as their client keeps them.
 *
 * Everything here is named by physical address. A registered block's cookie (its shm_ref)
 * carries its physical address (in its low 40 bits; tee-client.ts), so the host finds a block from
 * the cookie a memref names without a table of its own: the normal world's one table of
 * registered memory is its clients' (the API server's, per connection), where memrefs are
 * checked against their blocks once. The pool only keeps its bytes from being written out of
 * bounds.
 *
 * Clients never share a page. A TA is mapped the whole 4 KiB pages that hold its parameters
 * (the MMU maps pages, not bytes), so every reservation is page-aligned and a whole number of
 * pages, and a page is wiped when it goes back to the pool: a TA handed one client's buffer
 * sees none of another client's bytes beside it, and nothing a previous call left behind.
 * Free pages are always zero.
 */
import { TeeError } from '../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS } from '../abi/results.js';
import { TEEC_ORIGIN_API } from '../abi/client-api.js';
import { ShmAllocator } from './shm-allocator.js';

/** The granule of the pool: the page size of the secure world's mappings. */
export const POOL_PAGE = 4096;

/**
 * A page of zeros to copy from: on SharedArrayBuffer memory, `fill(0)` stores byte by byte
 * (~1.2 µs per 4 KiB), `set()` from a zero page copies (~0.2 µs).
 */
const ZERO_PAGE = new Uint8Array(POOL_PAGE);

/** Zeroes `bytes[from, to)`. */
function wipe(bytes: Uint8Array, from: number, to: number): void {
  for (let at = from; at < to; at += POOL_PAGE) {
    const n = Math.min(POOL_PAGE, to - at);
    bytes.set(n === POOL_PAGE ? ZERO_PAGE : ZERO_PAGE.subarray(0, n), at);
  }
}

/** The client pool of one device's NS shared memory, addressed by physical address (see the file header). */
export class ClientPool {
  private readonly allocator: ShmAllocator;
  private readonly bytes: Uint8Array;
  /** Physical address of the pool's first byte. */
  private readonly base: number;

  /** `shm` is the NS shared memory at physical address `shmBase`; the pool is [poolOffset, poolOffset + poolSize) of it. */
  constructor(shm: Uint8Array, shmBase: number, poolOffset: number, poolSize: number) {
    if ((shmBase + poolOffset) % POOL_PAGE !== 0) throw new RangeError('the client pool must start on a page boundary');
    this.allocator = new ShmAllocator(poolSize, POOL_PAGE);
    this.bytes = shm.subarray(poolOffset, poolOffset + poolSize);
    this.base = shmBase + poolOffset;
  }

  /**
   * Reserves `size` bytes (at least one, so that every block has its own address) on pages of
   * their own; the PA (page-aligned), or undefined when full. The bytes are zero.
   */
  take(size: number): number | undefined {
    const off = this.allocator.alloc(Math.max(size, 1));
    return off === undefined ? undefined : this.base + off;
  }

  /** Wipes and returns what `take` gave at `pa`; false when nothing was taken there. */
  give(pa: number): boolean {
    const off = pa - this.base;
    const size = this.allocator.sizeAt(off);
    if (size === undefined) return false;
    wipe(this.bytes, off, off + size); // every page of it: a TA may have written any of them
    return this.allocator.release(off);
  }

  /** Zeroes [pa, pa + size) (a range `view` accepts). */
  clear(pa: number, size: number): void {
    const off = pa - this.base;
    this.view(pa, size); // the range check
    wipe(this.bytes, off, off + size);
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

  /** Bytes reserved (whole pages), for leak checks. */
  get bytesInUse(): number {
    return this.allocator.bytesInUse;
  }
}
