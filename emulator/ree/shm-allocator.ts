/**
 * First-fit allocator over a range of NS shared memory (the client buffer pool), with
 * coalescing on free. Allocations are whole multiples of the granule (64 bytes unless told),
 * so each starts at a multiple of it; offsets are relative to the pool.
 */
const ALIGN = 64;

/** Ranges of one pool, by offset: first fit, granule-aligned, neighbours coalesced on release. */
export class ShmAllocator {
  /** Free ranges, sorted by offset. */
  private free: { off: number; size: number }[];
  private readonly used = new Map<number, number>();

  constructor(readonly size: number, readonly granule = ALIGN) {
    // Only whole granules are handed out, so every free range starts on one.
    this.free = [{ off: 0, size: size - (size % granule) }];
  }

  /** Returns the offset of `n` bytes (a whole number of granules), or undefined when the pool is full. */
  alloc(n: number): number | undefined {
    const g = this.granule;
    const need = Math.max(g, Math.ceil(n / g) * g);
    const i = this.free.findIndex((f) => f.size >= need);
    if (i < 0) return undefined;
    const f = this.free[i]!;
    const off = f.off;
    if (f.size === need) this.free.splice(i, 1);
    else this.free[i] = { off: f.off + need, size: f.size - need };
    this.used.set(off, need);
    return off;
  }

  /** Frees the allocation at `off`; false (and nothing changes) when none starts there. */
  release(off: number): boolean {
    const size = this.used.get(off);
    if (size === undefined) return false;
    this.used.delete(off);
    const at = this.free.findIndex((f) => f.off > off);
    const idx = at < 0 ? this.free.length : at;
    this.free.splice(idx, 0, { off, size });
    // Coalesce with neighbours.
    const merged: { off: number; size: number }[] = [];
    for (const f of this.free) {
      const last = merged[merged.length - 1];
      if (last && last.off + last.size === f.off) last.size += f.size;
      else merged.push({ ...f });
    }
    this.free = merged;
    return true;
  }

  /** The size (granules included) of the allocation at `off`, or undefined. */
  sizeAt(off: number): number | undefined {
    return this.used.get(off);
  }

  /** Whether an allocation starts at `off`. */
  allocated(off: number): boolean {
    return this.used.has(off);
  }

  /** Bytes allocated, alignment included. */
  get bytesInUse(): number {
    let n = 0;
    for (const s of this.used.values()) n += s;
    return n;
  }
}
