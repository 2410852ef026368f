/**
 * Register and exception numbers of Unicorn 2.0.1's AArch64 target, and the whitelist of system
 * registers the CPU layer may touch (with the accessor that enforces it). `cpu.ts` re-exports
 * the constants, so callers keep importing from there.
 */
import { UnicornError, allocNative, freeNative, type UnicornLib } from './unicorn.js';

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

/** A system register the CPU layer may read and write. */
export type SysregName = keyof typeof SYSREG;

/** Interrupt numbers (QEMU EXCP_*) delivered to the interrupt hook. */
export const EXCP = { UDEF: 1, SWI: 2, PREFETCH_ABORT: 3, DATA_ABORT: 4, BKPT: 7, HVC: 11, SMC: 13 } as const;

/**
 * Reads and writes the whitelisted system registers through UC_ARM64_REG_CP_REG, whose value
 * is a 32-byte struct { uint32 crn, crm, op0, op1, op2; uint64 val } (val at offset 24) kept in
 * native memory for the engine's lifetime.
 */
export class SysregAccess {
  private readonly ptr: bigint;
  private readonly view: DataView;

  constructor(private readonly uc: UnicornLib, private readonly handle: bigint) {
    const mem = allocNative(32);
    this.ptr = mem.ptr;
    this.view = new DataView(mem.view);
  }

  private select(name: SysregName): void {
    if (!Object.hasOwn(SYSREG, name)) throw new RangeError(`system register ${String(name)} is not accessible`);
    const [op0, op1, crn, crm, op2] = SYSREG[name];
    const v = this.view;
    v.setUint32(0, crn, true);
    v.setUint32(4, crm, true);
    v.setUint32(8, op0, true);
    v.setUint32(12, op1, true);
    v.setUint32(16, op2, true);
  }

  read(name: SysregName): bigint {
    this.select(name);
    const err = this.uc.regRead(this.handle, REG.CP_REG, this.ptr);
    if (err !== 0) throw new UnicornError('uc_reg_read(CP_REG)', err);
    return this.view.getBigUint64(24, true);
  }

  /** A raw write: no TLB flush, no hflags rebuild (2.0.1). */
  write(name: SysregName, value: bigint): void {
    this.select(name);
    this.view.setBigUint64(24, BigInt.asUintN(64, value), true);
    const err = this.uc.regWrite(this.handle, REG.CP_REG, this.ptr);
    if (err !== 0) throw new UnicornError('uc_reg_write(CP_REG)', err);
  }

  /** Frees the native struct (the engine closed). */
  free(): void {
    freeNative(this.ptr);
  }
}
