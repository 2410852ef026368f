/**
 * Memory-side types and helpers of the CPU layer: permissions, fault descriptions and host RAM
 * that engines can share. `cpu.ts` re-exports them.
 */
import {
  UC_MEM_FETCH_UNMAPPED, UC_MEM_READ_PROT, UC_MEM_READ_UNMAPPED, UC_MEM_WRITE_PROT, UC_MEM_WRITE_UNMAPPED, addressOf,
} from './unicorn.js';
import { discardNative } from './binding.js';

/** The engine's page size: every mapping is a whole number of pages. */
export const PAGE = 0x1000;

/** Permission bits for `mapRam`, `mapHost` and `protect`. */
export const PERM = { NONE: 0, R: 1, W: 2, X: 4, RW: 3, RX: 5, RWX: 7 } as const;

/** Memory access kinds for MMIO and fault handlers. */
export type Access = 'read' | 'write' | 'fetch';

/** A memory fault the engine reported: unmapped or permission-denied access. */
export interface MemoryFault {
  access: Access;
  kind: 'unmapped' | 'protection';
  address: number;
  size: number;
}

/** Throws unless [address, address + size) is a non-empty whole number of pages. */
export function checkRange(address: number, size: number): void {
  if (address % PAGE !== 0 || size % PAGE !== 0 || size <= 0) {
    throw new RangeError(`memory range 0x${address.toString(16)}+0x${size.toString(16)} is not page aligned`);
  }
}

/** Turns the uc_mem_type of a UC_HOOK_MEM_INVALID callback into a `MemoryFault`. */
export function describeFault(type: number, address: number, size: number): MemoryFault {
  switch (type) {
    case UC_MEM_READ_UNMAPPED: return { access: 'read', kind: 'unmapped', address, size };
    case UC_MEM_WRITE_UNMAPPED: return { access: 'write', kind: 'unmapped', address, size };
    case UC_MEM_FETCH_UNMAPPED: return { access: 'fetch', kind: 'unmapped', address, size };
    case UC_MEM_WRITE_PROT: return { access: 'write', kind: 'protection', address, size };
    case UC_MEM_READ_PROT: return { access: 'read', kind: 'protection', address, size };
    default: return { access: 'fetch', kind: 'protection', address, size };
  }
}

/**
 * Guest RAM that the host, other engines and other threads can share: a page-aligned view
 * into a SharedArrayBuffer (whose own start is not page aligned), zero-filled and committed
 * lazily by the OS.
 */
export function allocateHostRam(size: number): Uint8Array {
  if (size % PAGE !== 0) throw new RangeError('host RAM size must be a multiple of 4 KiB');
  const sab = new SharedArrayBuffer(size + PAGE);
  const base = addressOf(new Uint8Array(sab));
  const skew = Number((BigInt(PAGE) - (base % BigInt(PAGE))) % BigInt(PAGE));
  return new Uint8Array(sab, skew, size);
}

/**
 * Zeroes host RAM from `allocateHostRam` (a whole number of pages, page-aligned) as a device
 * restore needs it: the kernel drops its pages (madvise MADV_DONTNEED; untouched pages cost
 * nothing), or, where it cannot, zeros are written. Engines that map it see zeros at once
 * (the mapping stays), but must drop code they translated from it (`Cpu.flushTranslations`).
 */
export function zeroHostRam(mem: Uint8Array): void {
  checkRange(0, mem.byteLength);
  const address = addressOf(mem);
  if (address % BigInt(PAGE) !== 0n || !discardNative(address, mem.byteLength)) mem.fill(0);
}

