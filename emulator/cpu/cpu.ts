/**
 * One emulated AArch64 CPU (one Unicorn engine) with a safe, typed surface.
 *
 * Rules this class keeps for everything above it:
 * - a hook never throws into the engine: the first error is kept, the engine is stopped, and
 *   `run` rethrows it once `uc_emu_start` has returned;
 * - system registers are reachable only through the `SYSREG` whitelist, because reading some
 *   CP registers aborts the whole process in 2.0.1 (see the reference notes);
 * - the CPU owns its callbacks and frees them all in `close`.
 *
 * The koffi bindings live next door (`unicorn.ts`: the general facade; `binding.ts`: the hot
 * calls and hook prototypes); this module imports no koffi itself.
 */
import { hotCalls, type HotCalls } from './binding.js';
import { ContextStore, type CpuContext } from './contexts.js';
import type { EngineRegistry } from './engines.js';
import { EngineHooks, type FaultListener, type InterruptListener, type ListenerOptions } from './hooks.js';
import { checkRange } from './memory.js';
import { preemptedAt, releasePreemptCell, takePreemptCell } from './preempt.js';
import { RegisterBatch } from './register-batch.js';
import { REG, SysregAccess, xreg, type SysregName } from './registers.js';
import {
  UC_CTL_TB_REMOVE_CACHE_WRITE, UC_CPU_ARM64_A53, UC_CPU_ARM64_A72, UnicornError, allocNative, freeNative, unicorn,
  addressOf, openArm64, type UnicornLib,
} from './unicorn.js';

export { REG, SYSREG, EXCP, xreg, type SysregName } from './registers.js';
export { PERM, allocateHostRam, zeroHostRam, type Access, type MemoryFault } from './memory.js';
export type { FaultListener, InterruptListener, ListenerOptions } from './hooks.js';
export type { CpuContext } from './contexts.js';

export type CpuModel = 'cortex-a53' | 'cortex-a72';

export interface CpuOptions {
  /** The CPU model the engine emulates. */
  model: CpuModel;
  /** Secure world (SCR_EL3.NS = 0) or normal world. */
  secure: boolean;
  /**
   * The registry the engine joins (it leaves it on close); its creator passes it down.
   */
  registry?: EngineRegistry<Cpu>;
  /** The engine's name in the registry, e.g. "normal world". */
  label?: string;
}

/** One Unicorn AArch64 engine. */
export class Cpu {
  readonly handle: bigint;
  private readonly uc: UnicornLib;
  private readonly hooks: EngineHooks;
  private readonly contexts: ContextStore;
  /**
   * Host memory mapped into the engine, kept reachable here: the engine holds only a raw
   * pointer, so a buffer that JS forgets would be garbage-collected under the guest's feet.
   */
  private readonly pinned = new Map<number, Uint8Array>();
  /** Hot calls and the handle and native addresses they take, as numbers. */
  private readonly hot: HotCalls;
  private readonly h: number;
  /** One register's worth of native memory, as a 64-bit value and as two 32-bit words. */
  private readonly scratchMem: { ptr: bigint; addr: number };
  private readonly scratch: BigUint64Array;
  private readonly scratchWords: Uint32Array;
  private readonly sysregs: SysregAccess;
  private readonly batch: RegisterBatch;
  private closed = false;
  private active = false;
  private registry: EngineRegistry<Cpu> | undefined;
  /** Whether the registry still waits for this engine's `created` event (sent by `run`). */
  private unannounced = false;
  private name: string;
  /** Set by `stop()` so that callers can tell a requested stop from a guest wfi. */
  stopRequested = false;
  /** The engine's preemption cell (cpu/preempt.ts): undefined until asked for, -1 for none. */
  private preemptCell: number | undefined;

  private constructor(uc: UnicornLib, handle: bigint, readonly secure: boolean) {
    this.uc = uc;
    this.handle = handle;
    this.name = `${secure ? 'secure' : 'normal'} engine`;
    this.hot = hotCalls();
    this.h = Number(handle);
    const scratch = allocNative(8);
    this.scratchMem = { ptr: scratch.ptr, addr: Number(scratch.ptr) };
    this.scratch = new BigUint64Array(scratch.view);
    this.scratchWords = new Uint32Array(scratch.view);
    this.sysregs = new SysregAccess(uc, handle);
    this.batch = new RegisterBatch(this.hot, this.h);
    this.contexts = new ContextStore(uc, handle);
    // AArch64 EL1 (and page tables, should a world enable its MMU) needs SCR_EL3.RW; a normal
    // world also needs SCR_EL3.NS and HCR_EL2.RW.
    if (secure) {
      this.setSysreg('SCR_EL3', 0x400n);
    } else {
      this.setSysreg('SCR_EL3', 0x401n);
      this.setSysreg('HCR_EL2', 1n << 31n);
    }
    this.hooks = new EngineHooks(uc, handle, this.hot, this.h, () => this.stop());
  }

  /** Opens an engine for the given model and world, and registers it (see `CpuOptions`). */
  static create(options: CpuOptions): Cpu {
    const uc = unicorn();
    const handle = openArm64(uc, options.model === 'cortex-a53' ? UC_CPU_ARM64_A53 : UC_CPU_ARM64_A72);
    const cpu = new Cpu(uc, handle, options.secure);
    if (options.label !== undefined) cpu.name = options.label;
    const registry = options.registry;
    if (registry) {
      cpu.registry = registry;
      cpu.unannounced = options.label === undefined;
      try {
        cpu.name = registry.add(cpu, options.secure ? 'secure' : 'normal', options.label).label;
      } catch (error) {
        cpu.close(); // a `created` listener failed: do not leak the engine
        throw error;
      }
    }
    return cpu;
  }

  /** The engine's name (as in its registry, when it has one). */
  get label(): string {
    return this.name;
  }

  /**
   * Names the engine; `numbered` appends " instance N" (N per name, counted by the registry).
   * An engine created without a label is announced to its registry here.
   */
  setLabel(name: string, numbered = false): void {
    this.name = this.registry ? this.registry.label(this, name, numbered) : name;
    this.unannounced = false;
  }

  /** Whether `run` is executing guest code now (a hook of this engine is on the stack). */
  get running(): boolean {
    return this.active;
  }

  /**
   * Adds a listener for svc/smc/hvc/undefined/abort events, called inside the engine in
   * registration order (see `InterruptListener` for what its result means); returns its
   * remover. With no listener, the engine stops at such an event.
   */
  addInterruptListener(fn: InterruptListener, options?: ListenerOptions): () => void {
    return this.hooks.addInterruptListener(fn, options);
  }

  /**
   * Adds a listener for accesses to unmapped or protected memory, called inside the engine in
   * registration order (see `FaultListener`); returns its remover.
   */
  addFaultListener(fn: FaultListener, options?: ListenerOptions): () => void {
    return this.hooks.addFaultListener(fn, options);
  }

  private check(call: string, err: number): void {
    if (err !== 0) throw new UnicornError(call, err);
  }

  /**
   * Makes fault PCs exact for code in [begin, end) (Unicorn 2.0.1 reports the start of the
   * translation block otherwise), for about 1 ns per instruction there (see `EngineHooks.syncPcs`).
   */
  exactFaultPcs(begin: number, end: number): void {
    this.hooks.syncPcs(begin, end);
  }

  /**
   * Lets another thread stop this engine safely: at the start of a block, through the cell
   * whose index this returns (see cpu/preempt.ts; the watchdog sets its request flag). -1 when
   * the hook library is missing or every cell is taken: then only `uc_emu_stop` from the other
   * thread is left, which may stop inside a block (`preemptionProblem()` says why).
   */
  preemptible(): number {
    if (this.preemptCell === undefined) {
      const cell = takePreemptCell();
      if (cell) this.hooks.preemptAtBlocks(cell.hook, cell.userData);
      this.preemptCell = cell ? cell.index : -1;
    }
    return this.preemptCell;
  }

  /**
   * Where the preemption hook stopped the last run (the start of a block that has not run: the
   * PC to resume at), or undefined when it did not stop it.
   */
  preemptedAt(): number | undefined {
    return this.preemptCell !== undefined && this.preemptCell >= 0 ? preemptedAt(this.preemptCell) : undefined;
  }

  /** Maps fresh zeroed RAM owned by the engine. */
  mapRam(address: number, size: number, perms: number): void {
    checkRange(address, size);
    this.check('uc_mem_map', this.uc.memMap(this.handle, address, size, perms));
  }

  /** Maps host memory (a SharedArrayBuffer view) so that JS and other engines share it. */
  mapHost(address: number, memory: Uint8Array, perms: number): void {
    checkRange(address, memory.byteLength);
    if (!(memory.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError('host memory must live in a SharedArrayBuffer so that its address never moves');
    }
    this.check('uc_mem_map_ptr', this.uc.memMapPtr(this.handle, address, memory.byteLength, perms, addressOf(memory)));
    this.pinned.set(address, memory);
  }

  /** Maps a device: reads and writes call the handlers (offsets are relative to `address`). */
  mapMmio(address: number, size: number, read: (offset: number, size: number) => number,
    write: (offset: number, size: number, value: number) => void): void {
    checkRange(address, size);
    const cb = this.hooks.mmio(read, write);
    this.check('uc_mmio_map', this.uc.mmioMap(this.handle, address, size, cb.read, null, cb.write, null));
  }

  unmap(address: number, size: number): void {
    checkRange(address, size);
    this.check('uc_mem_unmap', this.uc.memUnmap(this.handle, address, size));
    this.pinned.delete(address);
  }

  protect(address: number, size: number, perms: number): void {
    checkRange(address, size);
    this.check('uc_mem_protect', this.uc.memProtect(this.handle, address, size, perms));
  }

  /** Reads guest physical memory; throws a UnicornError when unmapped. */
  read(address: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    if (length > 0) this.check('uc_mem_read', this.uc.memRead(this.handle, address, out, length));
    return out;
  }

  /** Writes guest physical memory; throws a UnicornError when unmapped. */
  write(address: number, bytes: Uint8Array): void {
    if (bytes.length > 0) this.check('uc_mem_write', this.uc.memWrite(this.handle, address, bytes, bytes.length));
  }

  /** Reads one 64-bit register. */
  reg(id: number): bigint {
    this.check('uc_reg_read', this.hot.regRead(this.h, id, this.scratchMem.addr));
    return this.scratch[0]!;
  }

  /** Writes one 64-bit register (a number must be a non-negative safe integer). */
  setReg(id: number, value: bigint | number): void {
    if (typeof value === 'number' && value >>> 0 === value) {
      this.scratchWords[0] = value; // the usual case: a 32-bit result
      this.scratchWords[1] = 0;
    } else if (typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
      this.scratchWords[0] = value % 2 ** 32;
      this.scratchWords[1] = Math.floor(value / 2 ** 32);
    } else {
      this.scratch[0] = BigInt.asUintN(64, BigInt(value));
    }
    this.check('uc_reg_write', this.hot.regWrite(this.h, id, this.scratchMem.addr));
  }

  x(n: number): bigint {
    return this.reg(xreg(n));
  }

  setX(n: number, value: bigint | number): void {
    this.setReg(xreg(n), value);
  }

  get pc(): number {
    return Number(this.reg(REG.PC));
  }

  set pc(value: number) {
    this.setReg(REG.PC, value);
  }

  /** Current exception level, from PSTATE bits [3:2]. */
  get el(): number {
    return Number((this.reg(REG.PSTATE) >> 2n) & 3n);
  }

  /**
   * Reads several registers with one call; the returned array is reused by the next call.
   * Pass the same (constant) id array each time: the ids are copied only when it changes.
   */
  readRegs(ids: readonly number[]): BigUint64Array {
    return this.batch.read(ids);
  }

  /**
   * Reads several registers with one call and returns them as 32-bit words: register i is
   * [2i] (low) and [2i + 1] (high). No BigInts; the array is reused by the next call.
   */
  readRegWords(ids: readonly number[]): Uint32Array {
    return this.batch.readWords(ids);
  }

  /**
   * The values of the last batch read as 32-bit words ([2i] low, [2i + 1] high of register
   * i): the same memory `readRegs` returned, for callers that want numbers, not BigInts.
   */
  get regWords(): Uint32Array {
    return this.batch.words;
  }

  /**
   * Writes several registers with one call. Values are bigints or non-negative safe integers;
   * only the first `count` (default: all ids) are written.
   */
  writeRegs(ids: readonly number[], values: readonly (bigint | number)[], count = ids.length): void {
    this.batch.write(ids, values, count);
  }

  /** Reads a whitelisted system register. */
  sysreg(name: SysregName): bigint {
    return this.sysregs.read(name);
  }

  /** Writes a whitelisted system register (raw write: no TLB flush, no hflags rebuild). */
  setSysreg(name: SysregName, value: bigint): void {
    this.sysregs.write(name, value);
  }

  /**
   * Runs from `begin` until a hook stops the engine, the guest executes wfi, or it faults.
   * Returns the engine's uc_err (0 for a clean stop); rethrows the first hook error.
   */
  run(begin: number, count = 0): number {
    if (this.unannounced) this.setLabel(this.name);
    this.stopRequested = false;
    const hooks = this.hooks;
    hooks.pendingError = undefined;
    this.active = true;
    let err: number;
    try {
      err = this.hot.emuStart(this.h, begin, 0, 0, count);
    } finally {
      this.active = false;
    }
    const error = hooks.pendingError;
    if (error !== undefined) {
      hooks.pendingError = undefined;
      throw error;
    }
    return err;
  }

  /** Asks the engine to stop at the next block boundary (safe inside hooks). */
  stop(): void {
    this.stopRequested = true;
    this.hot.emuStop(this.h);
  }

  /** Saves all CPU state (registers, PSTATE and the translation flags). */
  saveContext(into?: CpuContext): CpuContext {
    return this.contexts.save(into);
  }

  restoreContext(ctx: CpuContext): void {
    this.contexts.restore(ctx);
  }

  freeContext(ctx: CpuContext): void {
    this.contexts.free(ctx);
  }

  /**
   * Drops translated code for [begin, end), after another engine or the host rewrote code
   * bytes there. Only the range form is offered: a whole-cache flush (UC_CTL_TB_FLUSH) costs
   * about 1.9 s per call in Unicorn 2.0.1 (measured), while a range removal costs 0.1 ms.
   */
  flushTranslations(begin: number, end: number): void {
    this.check('uc_ctl(TB_REMOVE_CACHE)',
      this.uc.ctl(this.handle, UC_CTL_TB_REMOVE_CACHE_WRITE, 'uint64_t', begin, 'uint64_t', end) as number);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Closes the engine, frees every callback, context and native buffer it owns, and leaves its
   * registry (whose `closed` listeners run last; an error of theirs is rethrown here).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.contexts.freeAll();
    this.hooks.detach();
    this.uc.close(this.handle);
    if (this.preemptCell !== undefined && this.preemptCell >= 0) releasePreemptCell(this.preemptCell);
    this.pinned.clear();
    this.hooks.free();
    this.sysregs.free();
    freeNative(this.scratchMem.ptr);
    this.batch.free();
    this.registry?.remove(this);
  }
}
