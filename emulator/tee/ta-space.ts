/**
 * The S-EL0 address space of one TA instance.
 *
 * Design choice (see docs/architecture-notes.md): every TA instance runs on an engine of its
 * own, which maps nothing but that instance's regions. Isolation therefore holds by
 * construction: a TA cannot name the core's memory, another TA's memory or the normal world's.
 * The pages themselves come from secure RAM (or, for parameters, from NS shared memory), so
 * the physical picture stays that of a real TrustZone device.
 *
 * Every pointer a TA hands to the core goes through `check`, `read` and `write` here, which
 * verify mapping, permission, ownership and overflow before a byte is touched.
 */
import {
  TEE_MEMORY_ACCESS_ANY_OWNER, TEE_MEMORY_ACCESS_NONSECURE, TEE_MEMORY_ACCESS_SECURE,
  TEE_MEMORY_ACCESS_WRITE,
} from '../abi/tee-api.js';
import { Cpu, PERM, type CpuModel } from '../cpu/cpu.js';
import type { EngineRegistry } from '../cpu/engines.js';
import { TeeError } from '../abi/errors.js';
import { TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_SUCCESS } from '../abi/results.js';
import { type SecureBlock, type SecureMemory } from './secure-memory.js';
import { PAGE_SIZE } from '../machine/board.js';

export type Prot = 'r' | 'rx' | 'rw';

export interface VmRegion {
  va: number;
  size: number;
  prot: Prot;
  /** What it is, for traces: "code", "data", "stack", "param", "map_zi", ... */
  kind: string;
  /** TA-private: TA segments, stack and non-shareable MAP_ZI; not parameters or shareable buffers. */
  private: boolean;
  /** Backed by secure memory (false for NS shared memory mapped as a parameter). */
  secure: boolean;
  bytes: Uint8Array;
  block?: SecureBlock;
}

/** Largest single copy between a TA and the core. */
const MAX_COPY = 64 << 20;
/** Fixed parts of every TA address space. */
export const STUB_VA = 0x1000;
export const IMAGE_BASE = 0x0010_0000;
export const MAP_ZI_BASE = 0x4000_0000;
export const PARAM_BASE = 0x7000_0000;
/** Lowest and highest VA a TA may have. */
export const USER_VA_MIN = 0x1000;
export const USER_VA_MAX = 0x1_0000_0000;
const VA_MAX_N = BigInt(USER_VA_MAX);
const MAX_COPY_N = BigInt(MAX_COPY);

const PERMS: Record<Prot, number> = { r: PERM.R, rx: PERM.RX, rw: PERM.RW };

/** The most secure memory a TA instance may own, and the sum it comes from (for messages). */
export interface MemoryLimit {
  bytes: number;
  /** E.g. "image 57344 + stack 8192 + data size 1 MiB". */
  why: string;
}

export class TaAddressSpace {
  readonly cpu: Cpu;
  private readonly regions: VmRegion[] = [];
  private last: VmRegion | undefined;
  /** Secure bytes this instance owns: image, stack and MAP_ZI pages (not the core's stub page). */
  private held = 0;
  /** Until the loader sets the real one, a space may not grow. */
  private limit: MemoryLimit = { bytes: 0, why: 'no limit set' };
  private limitSet = false;

  /** `engines`: the device's engine registry, which the space's engine joins. */
  constructor(model: CpuModel, private readonly memory: SecureMemory, engines?: EngineRegistry<Cpu>) {
    this.cpu = Cpu.create({ model, secure: true, ...(engines ? { registry: engines } : {}) });
  }

  /** Maps fresh secure pages (zeroed, or holding `init`). */
  mapPrivate(va: number, size: number, prot: Prot, kind: string, init?: Uint8Array, shareable = false): VmRegion {
    const block = this.memory.alloc(size);
    if (init) block.bytes.set(init.subarray(0, block.size));
    let region: VmRegion;
    try {
      region = this.insert({ va, size: block.size, prot, kind, private: !shareable, secure: true, bytes: block.bytes, block });
    } catch (error) {
      this.memory.free(block);
      throw error;
    }
    if (va !== STUB_VA) this.held += region.size;
    return region;
  }

  /** Sets the cap on owned memory, once, when the instance is made (after its image and stack). */
  setLimit(limit: MemoryLimit): void {
    if (this.limitSet) throw new Error('the memory limit of a TA address space is set once');
    this.limit = limit;
    this.limitSet = true;
  }

  /**
   * Why owning `bytes` more would pass the limit, or undefined when they fit. Paths that grow
   * a space on the TA's request (the system PTA's MAP_ZI) ask this first.
   */
  overLimit(bytes: number): string | undefined {
    if (this.held + bytes <= this.limit.bytes) return undefined;
    return `asked for ${bytes} bytes more (holds ${this.held}, limit ${this.limit.bytes} = ${this.limit.why})`;
  }

  /** Secure bytes this instance owns (image, stack, MAP_ZI; not parameters or the core's stub). */
  get ownedBytes(): number {
    return this.held;
  }

  /** Maps existing memory (a parameter buffer or another TA's shareable pages). */
  mapShared(va: number, bytes: Uint8Array, prot: Prot, kind: string, secure: boolean): VmRegion {
    return this.insert({ va, size: bytes.length, prot, kind, private: false, secure, bytes });
  }

  private insert(region: VmRegion): VmRegion {
    if (region.va % PAGE_SIZE !== 0 || region.size % PAGE_SIZE !== 0 || region.size === 0) {
      throw new RangeError(`region ${region.kind} at 0x${region.va.toString(16)} is not page aligned`);
    }
    if (region.va < USER_VA_MIN || region.va + region.size > USER_VA_MAX) {
      throw new RangeError(`region ${region.kind} lies outside the user VA range`);
    }
    if (this.overlaps(region.va, region.size)) {
      throw new RangeError(`region ${region.kind} at 0x${region.va.toString(16)} overlaps another mapping`);
    }
    this.cpu.mapHost(region.va, region.bytes, PERMS[region.prot]);
    const at = this.regions.findIndex((r) => r.va > region.va);
    if (at < 0) this.regions.push(region);
    else this.regions.splice(at, 0, region);
    return region;
  }

  private overlaps(va: number, size: number): boolean {
    return this.regions.some((r) => va < r.va + r.size && r.va < va + size);
  }

  /** Removes a mapping (and frees its pages when they were private to this space). */
  unmap(region: VmRegion): void {
    const i = this.regions.indexOf(region);
    if (i < 0) return;
    this.regions.splice(i, 1);
    if (this.last === region) this.last = undefined;
    this.cpu.unmap(region.va, region.size);
    if (!region.block) return;
    this.memory.free(region.block);
    if (region.va !== STUB_VA) this.held -= region.size;
  }

  /** A free VA range of `size` bytes at or above `from`, with a guard page on each side. */
  findFree(size: number, from: number): number {
    let va = from;
    for (const r of this.regions) {
      if (r.va + r.size + PAGE_SIZE <= va) continue;
      if (va + size + PAGE_SIZE <= r.va) break;
      va = Math.max(va, r.va + r.size + PAGE_SIZE);
    }
    if (va + size > USER_VA_MAX) throw new TeeError(TEE_ERROR_BAD_PARAMETERS, 'the TA address space is full');
    return va;
  }

  regionAt(va: number): VmRegion | undefined {
    const last = this.last;
    if (last && va >= last.va && va < last.va + last.size) return last;
    for (const r of this.regions) {
      if (va >= r.va && va < r.va + r.size) {
        this.last = r;
        return r;
      }
    }
    return undefined;
  }

  /** All regions (for traces and tests). */
  list(): readonly VmRegion[] {
    return this.regions;
  }

  /**
   * TEE_CheckMemoryAccessRights semantics: overflow, the private-memory rule unless
   * ANY_OWNER, and per region mapping, read/write permission and secure/non-secure.
   */
  check(flags: number, va: number | bigint, len: number | bigint): number {
    const start = BigInt(va);
    const end = start + BigInt(len);
    if (start < 0n || end >= 1n << 64n) return TEE_ERROR_ACCESS_DENIED;
    if ((flags & TEE_MEMORY_ACCESS_NONSECURE) && (flags & TEE_MEMORY_ACCESS_SECURE)) return TEE_ERROR_ACCESS_DENIED;
    if (end > BigInt(USER_VA_MAX)) return TEE_ERROR_ACCESS_DENIED;
    const s = Number(start);
    const e = Number(end);
    if (!(flags & TEE_MEMORY_ACCESS_ANY_OWNER) && !this.insidePrivate(s, e)) return TEE_ERROR_ACCESS_DENIED;
    for (let a = s - (s % PAGE_SIZE); a < e || a === s - (s % PAGE_SIZE);) {
      const r = this.regionAt(a);
      if (!r) return TEE_ERROR_ACCESS_DENIED;
      if ((flags & TEE_MEMORY_ACCESS_NONSECURE) && r.secure) return TEE_ERROR_ACCESS_DENIED;
      if ((flags & TEE_MEMORY_ACCESS_SECURE) && !r.secure) return TEE_ERROR_ACCESS_DENIED;
      if ((flags & TEE_MEMORY_ACCESS_WRITE) && r.prot !== 'rw') return TEE_ERROR_ACCESS_DENIED;
      a = r.va + r.size;
      if (a >= e) break;
    }
    return TEE_SUCCESS;
  }

  /** Whether [start, end) lies entirely in TA-private regions. */
  insidePrivate(start: number, end: number): boolean {
    let a = start;
    while (a < end || a === start) {
      const r = this.regionAt(a);
      if (!r || !r.private) return false;
      a = r.va + r.size;
      if (a >= end) return true;
    }
    return true;
  }

  /** Copies `len` bytes from the TA (copy_from_user); throws ACCESS_DENIED if not readable. */
  read(va: number | bigint, len: number | bigint): Buffer {
    const [start, n] = this.range(va, len);
    const out = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const r = this.regionAt(start + done);
      if (!r) throw denied(start, n, 'read');
      const off = start + done - r.va;
      const chunk = Math.min(n - done, r.size - off);
      out.set(r.bytes.subarray(off, off + chunk), done);
      done += chunk;
    }
    return out;
  }

  /** Throws ACCESS_DENIED exactly when `read(va, len)` would, without copying anything. */
  checkReadable(va: number | bigint, len: number | bigint): void {
    const [start, n] = this.range(va, len);
    for (let done = 0; done < n;) {
      const r = this.regionAt(start + done);
      if (!r) throw denied(start, n, 'read');
      done += Math.min(n - done, r.size - (start + done - r.va));
    }
  }

  /** Copies bytes into the TA (copy_to_user); throws ACCESS_DENIED if not writable. */
  write(va: number | bigint, data: Uint8Array): void {
    const [start, n] = this.range(va, data.length);
    // Check the whole range first so that a failing write changes nothing.
    for (let done = 0; done < n;) {
      const r = this.regionAt(start + done);
      if (!r || r.prot !== 'rw') throw denied(start, n, 'write');
      done += Math.min(n - done, r.size - (start + done - r.va));
    }
    for (let done = 0; done < n;) {
      const r = this.regionAt(start + done)!;
      const off = start + done - r.va;
      const chunk = Math.min(n - done, r.size - off);
      r.bytes.set(data.subarray(done, done + chunk), off);
      done += chunk;
    }
  }

  readU32(va: number | bigint): number {
    const r = this.within(va, 4, false);
    return r ? this.viewOf(r).getUint32(this.at - r.va, true) : this.read(va, 4).readUInt32LE(0);
  }

  readU64(va: number | bigint): bigint {
    return this.read(va, 8).readBigUInt64LE(0);
  }

  writeU32(va: number | bigint, value: number): void {
    const r = this.within(va, 4, true);
    if (r) {
      this.viewOf(r).setUint32(this.at - r.va, value >>> 0, true);
      return;
    }
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(value >>> 0);
    this.write(va, b);
  }

  private readonly views = new WeakMap<VmRegion, DataView>();
  /** The VA `within` resolved, as a number (valid right after a successful `within`). */
  private at = 0;

  /**
   * The fast path for small accesses that lie inside one region: the region (and the VA in
   * `this.at`), or undefined (then the general path decides, and fails with ACCESS_DENIED).
   * Allocates nothing: syscalls that return a word through a pointer come through here.
   */
  private within(va: number | bigint, len: number, write: boolean): VmRegion | undefined {
    const a = typeof va === 'bigint' ? (va < VA_MAX_N ? Number(va) : -1) : va;
    if (!(a >= 0)) return undefined;
    const r = this.regionAt(a);
    if (!r || a + len > r.va + r.size || (write && r.prot !== 'rw')) return undefined;
    this.at = a;
    return r;
  }

  private viewOf(r: VmRegion): DataView {
    let view = this.views.get(r);
    if (!view) {
      view = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
      this.views.set(r, view);
    }
    return view;
  }

  writeU64(va: number | bigint, value: bigint | number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)));
    this.write(va, b);
  }

  /** Reads a NUL-terminated or length-bounded string. */
  readString(va: number | bigint, len: number | bigint): string {
    const bytes = this.read(va, len);
    const nul = bytes.indexOf(0);
    return bytes.subarray(0, nul < 0 ? bytes.length : nul).toString('utf8');
  }

  private range(va: number | bigint, len: number | bigint): [number, number] {
    // The common case, small numbers, without BigInt arithmetic.
    const s = typeof va === 'bigint' ? (va <= VA_MAX_N ? Number(va) : -1) : va;
    const n = typeof len === 'bigint' ? (len <= MAX_COPY_N ? Number(len) : -1) : len;
    if (Number.isSafeInteger(s) && Number.isSafeInteger(n) && s >= 0 && n >= 0 && n <= MAX_COPY && s + n <= USER_VA_MAX) {
      return [s, n];
    }
    const start = BigInt(va);
    const size = BigInt(len);
    throw denied(Number(start & 0xffffffffffffn), Number(size & 0xffffffffffffn), 'access');
  }

  /** Unmaps everything, frees the pages and closes the engine. */
  close(): void {
    for (const r of [...this.regions]) if (r.block) this.memory.free(r.block);
    this.regions.length = 0;
    this.held = 0;
    this.cpu.close();
  }
}

function denied(va: number, len: number, what: string): TeeError {
  return new TeeError(TEE_ERROR_ACCESS_DENIED,
    `the TA passed a buffer the core may not ${what}: 0x${va.toString(16)}+${len}`);
}
