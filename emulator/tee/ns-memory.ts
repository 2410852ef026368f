/**
 * The secure world's one view of non-secure shared memory, and its one table of shared memory
 * the normal world registered (OPTEE_MSG_CMD_REGISTER_SHM). Every address the normal world
 * hands the core - message arguments, temporary and registered memrefs, RPC buffers - is
 * checked here, once, before the core touches it.
 */
import { TeeError } from '../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS } from '../abi/results.js';
import { PAGE_SIZE } from '../machine/board.js';

/** A page-aligned window of shared memory and where the buffer starts in it. */
export interface NsWindow {
  window: Uint8Array;
  offset: number;
}

export class NsSharedMemory {
  /** Registered shared memory by cookie. */
  private readonly registered = new Map<bigint, { pa: number; size: number }>();

  constructor(readonly bytes: Uint8Array, readonly base: number) {}

  /** Offset of `pa` when [pa, pa + size) lies in shared memory, else undefined. */
  offsetOf(pa: number, size: number): number | undefined {
    const off = pa - this.base;
    return Number.isSafeInteger(pa) && Number.isSafeInteger(size) && off >= 0 && size >= 0 && off + size <= this.bytes.length
      ? off : undefined;
  }

  /** A page-aligned window holding [pa, pa + size); BAD_PARAMETERS outside shared memory. */
  window(pa: number, size: number): NsWindow {
    const off = this.offsetOf(pa, size);
    if (off === undefined) {
      throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `buffer 0x${pa.toString(16)}+${size} is not in non-secure shared memory`);
    }
    const start = off - (off % PAGE_SIZE);
    const end = Math.max(start + PAGE_SIZE, Math.ceil((off + size) / PAGE_SIZE) * PAGE_SIZE);
    return { window: this.bytes.subarray(start, Math.min(end, this.bytes.length)), offset: off - start };
  }

  /** The bytes [pa, pa + size) (a live view, not a copy). */
  buffer(pa: number, size: number): Uint8Array {
    const { window, offset } = this.window(pa, size);
    return window.subarray(offset, offset + size);
  }

  /** Records a registered block after checking that it lies in shared memory. */
  register(cookie: bigint, pa: number, size: number): void {
    this.window(pa, size);
    this.registered.set(cookie, { pa, size });
  }

  unregister(cookie: bigint): boolean {
    return this.registered.delete(cookie);
  }

  /** The physical address of [offset, offset + size) of a registered block (parameter `i`). */
  resolve(cookie: bigint, offset: number, size: number, i: number): number {
    const shm = this.registered.get(cookie);
    if (!shm) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `parameter ${i} names unregistered shared memory`);
    if (offset + size > shm.size) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `parameter ${i} overflows its shared memory`);
    return shm.pa + offset;
  }

  /** Every registration, as (cookie, pa, size), for device snapshots. */
  registrations(): [bigint, number, number][] {
    return [...this.registered].map(([cookie, r]) => [cookie, r.pa, r.size]);
  }

  /** Forgets every registration (system reset). */
  clear(): void {
    this.registered.clear();
  }
}
