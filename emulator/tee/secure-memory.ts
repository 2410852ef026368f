/**
 * Page allocator over secure RAM. TA instances get their pages here, so TA memory lives in
 * secure RAM (invisible to the normal world) like on a real device. The first part of secure
 * RAM is kept for the core, as OP-TEE keeps its own image and heap there.
 */
import { PAGE_SIZE } from '../machine/board.js';
import { TeeError } from '../abi/errors.js';
import { TEE_ERROR_OUT_OF_MEMORY } from '../abi/results.js';


export interface SecureBlock {
  /** Physical address. */
  pa: number;
  size: number;
  /** The block's bytes (a view into secure RAM). */
  bytes: Uint8Array;
}

export class SecureMemory {
  private readonly used: Uint8Array;
  private readonly pages: number;
  private next = 0;
  private inUse = 0;

  constructor(private readonly ram: Uint8Array, private readonly base: number, reservedBytes: number) {
    this.pages = Math.floor(ram.length / PAGE_SIZE);
    this.used = new Uint8Array(this.pages);
    this.used.fill(1, 0, Math.ceil(reservedBytes / PAGE_SIZE));
    this.next = Math.ceil(reservedBytes / PAGE_SIZE);
  }

  /** Allocates `size` bytes (rounded up to pages), zero-filled. */
  alloc(size: number): SecureBlock {
    const n = Math.max(1, Math.ceil(size / PAGE_SIZE));
    const start = this.findRun(n);
    if (start < 0) {
      throw new TeeError(TEE_ERROR_OUT_OF_MEMORY,
        `secure RAM is exhausted: ${n} pages requested, ${this.freePages()} free of ${this.pages}`);
    }
    this.used.fill(1, start, start + n);
    this.inUse += n;
    this.next = start + n;
    const bytes = this.ram.subarray(start * PAGE_SIZE, (start + n) * PAGE_SIZE);
    bytes.fill(0);
    return { pa: this.base + start * PAGE_SIZE, size: n * PAGE_SIZE, bytes };
  }

  /** Returns a block; its contents are wiped so the next owner sees zeros, never secrets. */
  free(block: SecureBlock): void {
    const start = (block.pa - this.base) / PAGE_SIZE;
    const n = block.size / PAGE_SIZE;
    block.bytes.fill(0);
    this.used.fill(0, start, start + n);
    this.inUse -= n;
  }

  /** Where the next-fit search starts (a page index), for device snapshots. */
  get nextFit(): number {
    return this.next;
  }

  set nextFit(page: number) {
    if (Number.isInteger(page) && page >= 0 && page <= this.pages) this.next = page;
  }

  freePages(): number {
    return this.pages - this.used.reduce((a, b) => a + b, 0);
  }

  private findRun(n: number): number {
    // Next fit from the last allocation, then from the start.
    for (const from of [this.next, 0]) {
      let run = 0;
      for (let i = from; i < this.pages; i++) {
        run = this.used[i] ? 0 : run + 1;
        if (run === n) return i - n + 1;
      }
    }
    return -1;
  }
}
