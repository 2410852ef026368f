/**
 * Saved CPU contexts of one engine (`uc_context_*`): all CPU state, including PSTATE and the
 * translation flags (hflags), so restoring one is also a way back to EL0 (reference notes, Q1).
 * Each save or restore costs about 120-180 ns; a context is about 12 KiB of native memory.
 */
import { UnicornError, type UnicornLib } from './unicorn.js';

/** Register-level snapshot from `uc_context_save`. */
export interface CpuContext {
  readonly ptr: bigint;
}

/** The contexts an engine allocated, freed with it. */
export class ContextStore {
  private readonly live = new Set<bigint>();

  constructor(private readonly uc: UnicornLib, private readonly handle: bigint) {}

  private check(call: string, err: number): void {
    if (err !== 0) throw new UnicornError(call, err);
  }

  /** Saves into `into`, or into a new context. */
  save(into?: CpuContext): CpuContext {
    let ctx = into;
    if (!ctx) {
      const out: unknown[] = [null];
      this.check('uc_context_alloc', this.uc.contextAlloc(this.handle, out));
      ctx = { ptr: out[0] as bigint };
      this.live.add(ctx.ptr);
    }
    this.check('uc_context_save', this.uc.contextSave(this.handle, ctx.ptr));
    return ctx;
  }

  restore(ctx: CpuContext): void {
    this.check('uc_context_restore', this.uc.contextRestore(this.handle, ctx.ptr));
  }

  free(ctx: CpuContext): void {
    if (this.live.delete(ctx.ptr)) this.uc.contextFree(ctx.ptr);
  }

  /** Frees every context (the engine closes). */
  freeAll(): void {
    for (const ptr of this.live) this.uc.contextFree(ptr);
    this.live.clear();
  }
}
