/**
 * One connection's shared memory: the normal world's one table of the memory its clients
 * registered. A block is recorded when its registration starts (so that the connection's limits
 * count it at once) and becomes usable when the device has registered it and named its cookie
 * (the shm_ref that RMEM parameters carry). Memrefs are checked against this table, once, at
 * the client boundary (params.ts); the device keeps no table of its own.
 */

/** One block: its context, size and TEEC_MEM_* flags, and its cookie once registered. */
export interface ShmBlock {
  readonly context: number;
  readonly size: number;
  readonly flags: number;
  /** Undefined while the device registers it. */
  cookie: bigint | undefined;
}

/** The blocks of one connection by shm id, with their bytes counted for the limits. */
export class ShmTable {
  private readonly blocks = new Map<number, ShmBlock>();
  private bytes = 0;

  /** Blocks recorded, registering ones included. */
  get count(): number {
    return this.blocks.size;
  }

  /** Bytes recorded, registering blocks included. */
  get bytesInUse(): number {
    return this.bytes;
  }

  /** Records block `id` while the device registers it. */
  reserve(id: number, context: number, size: number, flags: number): void {
    this.blocks.set(id, { context, size, flags, cookie: undefined });
    this.bytes += size;
  }

  /** The device registered block `id` as `cookie`; false when the block was removed meanwhile (the caller releases it). */
  settle(id: number, cookie: bigint): boolean {
    const block = this.blocks.get(id);
    if (!block) return false;
    block.cookie = cookie;
    return true;
  }

  /** A registered block of this connection, or undefined (unknown, another connection's, or still registering). */
  get(id: number): ShmBlock | undefined {
    const block = this.blocks.get(id);
    return block?.cookie === undefined ? undefined : block;
  }

  /** Forgets block `id` and returns it (its cookie is undefined while it registers). */
  remove(id: number): ShmBlock | undefined {
    const block = this.blocks.get(id);
    if (!block) return undefined;
    this.blocks.delete(id);
    this.bytes -= block.size;
    return block;
  }

  /** Forgets every block of `context` and returns them. */
  removeContext(context: number): ShmBlock[] {
    const removed: ShmBlock[] = [];
    for (const [id, block] of this.blocks) {
      if (block.context === context && this.remove(id)) removed.push(block);
    }
    return removed;
  }
}
