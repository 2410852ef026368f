/**
 * One emulated AArch64 CPU (one Unicorn engine) with a safe, typed surface.
 *
 * Rules this class keeps for everything above it:
 * - a hook never throws into the engine: the first error is kept, the engine is stopped, and
 *   `run` rethrows it once `uc_emu_start` has returned;
 * - system registers are reachable only through the `SYSREG` whitelist, because reading some
 *   CP registers aborts the whole process in 2.0.1 (see the reference notes);
 * - the CPU owns its callbacks and frees them all in `close`.
 */
import koffi from 'koffi';
import type { TypeObject } from 'koffi';
import {
  UC_ARCH_ARM64, UC_MODE_ARM, UC_CTL_CPU_MODEL_WRITE, UC_CTL_TB_REMOVE_CACHE_WRITE,
  UC_CPU_ARM64_A53, UC_CPU_ARM64_A72, UC_HOOK_CODE, UC_HOOK_INTR, UC_HOOK_MEM_INVALID,
  UnicornError, allocNative, freeNative, registerCallback, unicorn, unregisterCallback, addressOf,
  type UnicornLib,
} from './unicorn.js';
import { chooseLibrary } from './library.js';

/** Register ids (UC_ARM64_REG_*) of Unicorn 2.0.1. */
export const REG = {
  X29: 1, X30: 2, NZCV: 3, SP: 4, PC: 260, CPACR_EL1: 261, TPIDR_EL0: 262, TPIDRRO_EL0: 263,
  PSTATE: 265, ELR_EL1: 267, SP_EL0: 270, SP_EL1: 271, ESR_EL1: 277, FAR_EL1: 281, VBAR_EL1: 287,
  CP_REG: 290, FPCR: 291, FPSR: 292,
} as const;

/** UC_ARM64_REG_Xn for n in 0..30. */
export function xreg(n: number): number {
  if (n < 29) return 199 + n;
  if (n === 29) return REG.X29;
  if (n === 30) return REG.X30;
  throw new RangeError(`no register x${n}`);
}

/**
 * System registers reachable through UC_ARM64_REG_CP_REG: (op0, op1, CRn, CRm, op2). Only
 * registers with storage are listed; anything else could hit an engine assertion.
 */
export const SYSREG = {
  SCTLR_EL1: [3, 0, 1, 0, 0],
  TTBR0_EL1: [3, 0, 2, 0, 0],
  TCR_EL1: [3, 0, 2, 0, 2],
  MAIR_EL1: [3, 0, 10, 2, 0],
  VBAR_EL1: [3, 0, 12, 0, 0],
  ESR_EL1: [3, 0, 5, 2, 0],
  FAR_EL1: [3, 0, 6, 0, 0],
  SPSR_EL1: [3, 0, 4, 0, 0],
  ELR_EL1: [3, 0, 4, 0, 1],
  SP_EL0: [3, 0, 4, 1, 0],
  TPIDR_EL0: [3, 3, 13, 0, 2],
  SCR_EL3: [3, 6, 1, 1, 0],
  HCR_EL2: [3, 4, 1, 1, 0],
  MIDR_EL1: [3, 0, 0, 0, 0],
} as const satisfies Record<string, readonly [number, number, number, number, number]>;

export type SysregName = keyof typeof SYSREG;

/** Interrupt numbers (QEMU EXCP_*) delivered to the interrupt hook. */
export const EXCP = { UDEF: 1, SWI: 2, PREFETCH_ABORT: 3, DATA_ABORT: 4, BKPT: 7, HVC: 11, SMC: 13 } as const;

export type CpuModel = 'cortex-a53' | 'cortex-a72';

/** Memory access kinds for MMIO and fault handlers. */
export type Access = 'read' | 'write' | 'fetch';

export interface CpuOptions {
  /** The CPU model the engine emulates. */
  model: CpuModel;
  /** Secure world (SCR_EL3.NS = 0) or normal world. */
  secure: boolean;
}

/** A memory fault the engine reported: unmapped or permission-denied access. */
export interface MemoryFault {
  access: Access;
  kind: 'unmapped' | 'protection';
  address: number;
  size: number;
}

/** Register-level snapshot from `uc_context_save`. */
export interface CpuContext {
  readonly ptr: bigint;
}

const PAGE = 0x1000;

function checkRange(address: number, size: number): void {
  if (address % PAGE !== 0 || size % PAGE !== 0 || size <= 0) {
    throw new RangeError(`memory range 0x${address.toString(16)}+0x${size.toString(16)} is not page aligned`);
  }
}

/**
 * Hook prototypes for this class's callbacks, with the engine and user-data pointers taken as
 * plain 64-bit integers. They are the same C signatures as unicorn.ts's (a pointer and a
 * uint64_t travel in the same register), but koffi then hands JS a number instead of building
 * a pointer value on every call: ~15 ns less per svc, smc and device access. No hook uses
 * either argument.
 */
interface HookProtos {
  intr: TypeObject;
  memEvent: TypeObject;
  mmioRead: TypeObject;
  mmioWrite: TypeObject;
}

let hookProtos: HookProtos | undefined;

/** Declares a prototype once per thread (koffi type names are global to it). */
function declareProto(name: string, signature: string): TypeObject {
  try {
    return koffi.proto(signature.replace('NAME', name));
  } catch (error) {
    // Another copy of this module (sources and dist side by side) declared it already.
    try {
      return koffi.type(name);
    } catch {
      throw error;
    }
  }
}

function protos(): HookProtos {
  hookProtos ??= {
    intr: declareProto('tb_cpu_hook_intr', 'void NAME(uint64_t uc, uint32_t intno, uint64_t user_data)'),
    memEvent: declareProto('tb_cpu_hook_mem_event',
      'bool NAME(uint64_t uc, int type, uint64_t address, int size, int64_t value, uint64_t user_data)'),
    mmioRead: declareProto('tb_cpu_mmio_read', 'uint64_t NAME(uint64_t uc, uint64_t offset, unsigned int size, uint64_t user_data)'),
    mmioWrite: declareProto('tb_cpu_mmio_write',
      'void NAME(uint64_t uc, uint64_t offset, unsigned int size, uint64_t value, uint64_t user_data)'),
  };
  return hookProtos;
}

/**
 * The calls made on every syscall, SMC and run, bound a second time with the engine handle
 * and the (native, never moving) buffer addresses as plain 64-bit integers: koffi converts a
 * JS number faster than a BigInt pointer, and these calls are most of the native-call traffic
 * (a syscall makes two of them from inside the engine's hook). Same library file as
 * unicorn.ts (the same choice, so dlopen hands back the same loaded library), same C
 * signatures at the register level.
 */
interface HotCalls {
  regRead(uc: number, id: number, value: number): number;
  regWrite(uc: number, id: number, value: number): number;
  regReadBatch(uc: number, ids: number, vals: number, count: number): number;
  regWriteBatch(uc: number, ids: number, vals: number, count: number): number;
  emuStart(uc: number, begin: number, until: number, timeout: number, count: number): number;
  emuStop(uc: number): number;
}

let hotCalls: HotCalls | undefined;

function hot(): HotCalls {
  if (!hotCalls) {
    const lib = koffi.load(chooseLibrary().path);
    const f = <T>(decl: string) => lib.func(decl) as unknown as T;
    hotCalls = {
      regRead: f('int uc_reg_read(uint64_t uc, int regid, uint64_t value)'),
      regWrite: f('int uc_reg_write(uint64_t uc, int regid, uint64_t value)'),
      regReadBatch: f('int uc_reg_read_batch(uint64_t uc, uint64_t regs, uint64_t vals, int count)'),
      regWriteBatch: f('int uc_reg_write_batch(uint64_t uc, uint64_t regs, uint64_t vals, int count)'),
      emuStart: f('int uc_emu_start(uint64_t uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)'),
      emuStop: f('int uc_emu_stop(uint64_t uc)'),
    };
  }
  return hotCalls;
}

let nativeNoop: bigint | undefined;

/**
 * A C function that is safe to call as a hook and does nothing: libc `abs` (it reads its
 * first argument and returns). Not getpid: that is a real system call on every invocation.
 */
function noopCallback(): bigint {
  if (nativeNoop === undefined) {
    const libc = koffi.load('libc.so.6');
    nativeNoop = BigInt(koffi.address(libc.symbol('abs')));
  }
  return nativeNoop;
}

/** One Unicorn AArch64 engine. */
export class Cpu {
  readonly handle: bigint;
  private readonly uc: UnicornLib;
  private readonly callbacks: bigint[] = [];
  private readonly hooks: bigint[] = [];
  private readonly contexts = new Set<bigint>();
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
  private readonly cpReg: { ptr: bigint; view: DataView };
  private readonly batch: {
    ids: bigint; vals: bigint; ptrs: bigint; idView: Int32Array; valView: BigUint64Array; wordView: Uint32Array; max: number;
  };
  private readonly batchAddr: { ids: number; ptrs: number };
  /** Views of the first n batch values, by n (made once: subarray allocates). */
  private readonly batchViews: BigUint64Array[] = [];
  /** The id list last copied into the batch (the same constant arrays come back on every call). */
  private batchIds: readonly number[] | undefined;
  private pendingError: unknown;
  private closed = false;
  /** Handler for svc/smc/hvc/undefined/abort events; it runs inside the engine. */
  onInterrupt: (intno: number) => void = () => this.stop();
  /** Handler for accesses to unmapped or protected memory; return true to retry the access. */
  onMemoryFault: (fault: MemoryFault) => boolean = () => false;
  /** Set by `stop()` so that callers can tell a requested stop from a guest wfi. */
  stopRequested = false;

  private constructor(uc: UnicornLib, handle: bigint, secure: boolean) {
    this.uc = uc;
    this.handle = handle;
    this.hot = hot();
    this.h = Number(handle);
    const scratch = allocNative(8);
    this.scratchMem = { ptr: scratch.ptr, addr: Number(scratch.ptr) };
    this.scratch = new BigUint64Array(scratch.view);
    this.scratchWords = new Uint32Array(scratch.view);
    const cp = allocNative(32);
    this.cpReg = { ptr: cp.ptr, view: new DataView(cp.view) };
    const max = 40;
    const ids = allocNative(4 * max);
    const vals = allocNative(8 * max);
    const ptrs = allocNative(8 * max);
    const ptrView = new BigUint64Array(ptrs.view);
    for (let i = 0; i < max; i++) ptrView[i] = vals.ptr + BigInt(8 * i);
    this.batchAddr = { ids: Number(ids.ptr), ptrs: Number(ptrs.ptr) };
    this.batch = {
      ids: ids.ptr, vals: vals.ptr, ptrs: ptrs.ptr, max,
      idView: new Int32Array(ids.view), valView: new BigUint64Array(vals.view), wordView: new Uint32Array(vals.view),
    };
    // AArch64 EL1 (and page tables, should a world enable its MMU) needs SCR_EL3.RW; a normal
    // world also needs SCR_EL3.NS and HCR_EL2.RW.
    if (secure) {
      this.setSysreg('SCR_EL3', 0x400n);
    } else {
      this.setSysreg('SCR_EL3', 0x401n);
      this.setSysreg('HCR_EL2', 1n << 31n);
    }
    this.installHooks();
  }

  /** Opens an engine for the given model and world. */
  static create(options: CpuOptions): Cpu {
    const uc = unicorn();
    const out: unknown[] = [null];
    const err = uc.open(UC_ARCH_ARM64, UC_MODE_ARM, out);
    if (err !== 0) throw new UnicornError('uc_open', err);
    const handle = out[0] as bigint;
    // The model must be chosen before any other call initialises the engine.
    const model = options.model === 'cortex-a53' ? UC_CPU_ARM64_A53 : UC_CPU_ARM64_A72;
    const ctlErr = uc.ctl(handle, UC_CTL_CPU_MODEL_WRITE, 'int', model) as number;
    if (ctlErr !== 0) {
      uc.close(handle);
      throw new UnicornError('uc_ctl(CPU_MODEL)', ctlErr);
    }
    return new Cpu(uc, handle, options.secure);
  }

  private check(call: string, err: number): void {
    if (err !== 0) throw new UnicornError(call, err);
  }

  /** Records the first error a hook raised and stops the engine (hooks never throw into it). */
  private hookFailed(error: unknown): void {
    if (this.pendingError === undefined) this.pendingError = error;
    this.hot.emuStop(this.h);
  }

  // Each hook is a fixed-arity closure with its own try/catch: these run on every svc, smc and
  // device access, so no rest parameters or spread calls on the way in.
  private installHooks(): void {
    const intr = (_uc: unknown, intno: number): void => {
      try {
        this.onInterrupt(intno);
      } catch (error) {
        this.hookFailed(error);
      }
    };
    this.addHook(UC_HOOK_INTR, registerCallback(intr, protos().intr), 1, 0);
    const fault = (_uc: unknown, type: number, address: number | bigint, size: number): boolean => {
      try {
        return this.onMemoryFault(describeFault(type, Number(address), size));
      } catch (error) {
        this.hookFailed(error);
        return false;
      }
    };
    this.addHook(UC_HOOK_MEM_INVALID, registerCallback(fault, protos().memEvent), 1, 0);
  }

  private addHook(type: number, callback: bigint, begin: number, end: number, native = false): bigint {
    if (!native) this.callbacks.push(callback);
    const out: unknown[] = [0];
    this.check('uc_hook_add', this.uc.hookAdd(this.handle, out, type, callback, null, begin, end));
    const hh = BigInt(out[0] as number | bigint);
    this.hooks.push(hh);
    return hh;
  }

  /**
   * Makes fault PCs exact for code in [begin, end): Unicorn 2.0.1 reports the start of the
   * translation block otherwise. A code hook over the range makes the engine sync the PC
   * before each of its instructions; its callback is a native no-op, so the cost is a C call
   * per instruction there (measured ~1 ns). The memory-hook way of getting the same sync
   * (UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE) was far dearer: any memory hook sends every load
   * and store of the engine, anywhere, through the slow path (~13 ns each; SHA-256 in a TA
   * 7.6x slower instead of 5x).
   */
  exactFaultPcs(begin: number, end: number): void {
    this.addHook(UC_HOOK_CODE, noopCallback(), begin, end - 1, true);
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
    const r = registerCallback((_uc: unknown, off: number | bigint, sz: number): number => {
      try {
        return read(Number(off), sz);
      } catch (error) {
        this.hookFailed(error);
        return 0;
      }
    }, protos().mmioRead);
    const w = registerCallback((_uc: unknown, off: number | bigint, sz: number, value: number | bigint): void => {
      try {
        write(Number(off), sz, typeof value === 'number' && value >= 0 ? value % 2 ** 32 : Number(BigInt.asUintN(32, BigInt(value))));
      } catch (error) {
        this.hookFailed(error);
      }
    }, protos().mmioWrite);
    this.callbacks.push(r, w);
    this.check('uc_mmio_map', this.uc.mmioMap(this.handle, address, size, r, null, w, null));
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

  private loadBatchIds(ids: readonly number[]): void {
    if (ids === this.batchIds) return;
    const { max, idView } = this.batch;
    if (ids.length > max) throw new RangeError('too many registers in one batch');
    for (let i = 0; i < ids.length; i++) idView[i] = ids[i]!;
    this.batchIds = ids;
  }

  /**
   * Reads several registers with one call; the returned array is reused by the next call.
   * Pass the same (constant) id array each time: the ids are copied only when it changes.
   */
  readRegs(ids: readonly number[]): BigUint64Array {
    this.loadBatchIds(ids);
    this.check('uc_reg_read_batch', this.hot.regReadBatch(this.h, this.batchAddr.ids, this.batchAddr.ptrs, ids.length));
    let view = this.batchViews[ids.length];
    if (!view) {
      view = this.batch.valView.subarray(0, ids.length);
      this.batchViews[ids.length] = view;
    }
    return view;
  }

  /**
   * Reads several registers with one call and returns them as 32-bit words: register i is
   * [2i] (low) and [2i + 1] (high). No BigInts; the array is reused by the next call.
   */
  readRegWords(ids: readonly number[]): Uint32Array {
    this.loadBatchIds(ids);
    this.check('uc_reg_read_batch', this.hot.regReadBatch(this.h, this.batchAddr.ids, this.batchAddr.ptrs, ids.length));
    return this.batch.wordView;
  }

  /**
   * The values of the last batch read as 32-bit words ([2i] low, [2i + 1] high of register
   * i): the same memory `readRegs` returned, for callers that want numbers, not BigInts.
   */
  get regWords(): Uint32Array {
    return this.batch.wordView;
  }

  /**
   * Writes several registers with one call. Values are bigints or non-negative safe integers;
   * only the first `count` (default: all ids) are written.
   */
  writeRegs(ids: readonly number[], values: readonly (bigint | number)[], count = ids.length): void {
    const { valView, wordView } = this.batch;
    if (count > ids.length || values.length < count) throw new RangeError('bad register batch');
    this.loadBatchIds(ids);
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
        wordView[2 * i] = v % 2 ** 32;
        wordView[2 * i + 1] = Math.floor(v / 2 ** 32);
      } else {
        valView[i] = BigInt.asUintN(64, BigInt(v));
      }
    }
    this.check('uc_reg_write_batch', this.hot.regWriteBatch(this.h, this.batchAddr.ids, this.batchAddr.ptrs, count));
  }

  private loadCpReg(name: SysregName): void {
    const [op0, op1, crn, crm, op2] = SYSREG[name];
    const v = this.cpReg.view;
    v.setUint32(0, crn, true);
    v.setUint32(4, crm, true);
    v.setUint32(8, op0, true);
    v.setUint32(12, op1, true);
    v.setUint32(16, op2, true);
  }

  /** Reads a whitelisted system register. */
  sysreg(name: SysregName): bigint {
    if (!Object.hasOwn(SYSREG, name)) throw new RangeError(`system register ${String(name)} is not accessible`);
    this.loadCpReg(name);
    this.check('uc_reg_read(CP_REG)', this.uc.regRead(this.handle, REG.CP_REG, this.cpReg.ptr));
    return this.cpReg.view.getBigUint64(24, true);
  }

  /** Writes a whitelisted system register (raw write: no TLB flush, no hflags rebuild). */
  setSysreg(name: SysregName, value: bigint): void {
    if (!Object.hasOwn(SYSREG, name)) throw new RangeError(`system register ${String(name)} is not accessible`);
    this.loadCpReg(name);
    this.cpReg.view.setBigUint64(24, BigInt.asUintN(64, value), true);
    this.check('uc_reg_write(CP_REG)', this.uc.regWrite(this.handle, REG.CP_REG, this.cpReg.ptr));
  }

  /**
   * Runs from `begin` until a hook stops the engine, the guest executes wfi, or it faults.
   * Returns the engine's uc_err (0 for a clean stop); rethrows the first hook error.
   */
  run(begin: number, count = 0): number {
    this.stopRequested = false;
    this.pendingError = undefined;
    const err = this.hot.emuStart(this.h, begin, 0, 0, count);
    if (this.pendingError !== undefined) {
      const error = this.pendingError;
      this.pendingError = undefined;
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
    let ctx = into;
    if (!ctx) {
      const out: unknown[] = [null];
      this.check('uc_context_alloc', this.uc.contextAlloc(this.handle, out));
      ctx = { ptr: out[0] as bigint };
      this.contexts.add(ctx.ptr);
    }
    this.check('uc_context_save', this.uc.contextSave(this.handle, ctx.ptr));
    return ctx;
  }

  restoreContext(ctx: CpuContext): void {
    this.check('uc_context_restore', this.uc.contextRestore(this.handle, ctx.ptr));
  }

  freeContext(ctx: CpuContext): void {
    if (this.contexts.delete(ctx.ptr)) this.uc.contextFree(ctx.ptr);
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

  /** Closes the engine and frees every callback, context and native buffer it owns. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ctx of this.contexts) this.uc.contextFree(ctx);
    this.contexts.clear();
    for (const hh of this.hooks) this.uc.hookDel(this.handle, hh);
    this.uc.close(this.handle);
    this.pinned.clear();
    for (const cb of this.callbacks) unregisterCallback(cb);
    this.callbacks.length = 0;
    freeNative(this.cpReg.ptr);
    freeNative(this.scratchMem.ptr);
    freeNative(this.batch.ids);
    freeNative(this.batch.vals);
    freeNative(this.batch.ptrs);
  }
}

function describeFault(type: number, address: number, size: number): MemoryFault {
  switch (type) {
    case 19: return { access: 'read', kind: 'unmapped', address, size };
    case 20: return { access: 'write', kind: 'unmapped', address, size };
    case 21: return { access: 'fetch', kind: 'unmapped', address, size };
    case 22: return { access: 'write', kind: 'protection', address, size };
    case 23: return { access: 'read', kind: 'protection', address, size };
    default: return { access: 'fetch', kind: 'protection', address, size };
  }
}

/** Permission bits for `mapRam`, `mapHost` and `protect`. */
export const PERM = { NONE: 0, R: 1, W: 2, X: 4, RW: 3, RX: 5, RWX: 7 } as const;

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
