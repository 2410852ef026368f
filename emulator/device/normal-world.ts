/**
 * The normal world: one CPU at NS-EL1 running the REE firmware, with only the non-secure
 * regions of the board mapped. Its `smc` goes to the secure monitor; an access to secure
 * memory is blocked (as a TZASC blocks it) and delivered to the firmware as a synchronous
 * external abort, so the device keeps running.
 */
import { Cpu, EXCP, PERM, REG, xreg, type MemoryFault } from '../cpu/cpu.js';
import type { EngineRegistry } from '../cpu/engines.js';
import { UC_ERR_OK } from '../cpu/unicorn.js';
import { hex, region, regionAt, type Board } from '../machine/board.js';
import type { Monitor } from '../monitor/monitor.js';
import type { EventBus } from '../trace/events.js';

/** Why `run` returned. */
export type NormalWorldStop = 'idle' | 'off' | 'reset' | 'halted';

const SMC_ARG_REGS = [0, 1, 2, 3, 4, 5, 6, 7].map(xreg);
/** ESR_EL1 exception classes for aborts taken from the current EL. */
const EC_DATA_ABORT_SAME_EL = 0x25;
const EC_INSN_ABORT_SAME_EL = 0x21;
/** Fault status code: synchronous external abort, not on a translation table walk. */
const FSC_SYNC_EXTERNAL = 0x10;
/** EL1h with D, A, I and F masked: the state an exception entry sets. */
const PSTATE_EL1H_MASKED = 0x3c5;
/** Offset of "current EL with SPx, synchronous" in the vector table. */
const VECTOR_SYNC_SPX = 0x200;
/** A firmware that faults this many times in a row without progress is halted. */
const MAX_FAULT_STORM = 16;

export interface NormalWorldMemory {
  dram: Uint8Array;
  shm: Uint8Array;
}

export interface NormalWorldDevices {
  uartRead(offset: number): number;
  uartWrite(offset: number, size: number, value: number): void;
  bridgeRead(offset: number): number;
  bridgeWrite(offset: number, size: number, value: number): void;
  /** Whether the host has posted work, so a wfi must not idle. */
  workPending(): boolean;
  /** Explains a blocked access on the secure console. */
  explainFault(line: string): void;
  /** The device's engine registry; the engine joins it as "normal world". */
  engines?: EngineRegistry<Cpu>;
  /**
   * Called before every start of the firmware, including resumes after an SMC or a stop: a
   * paused device waits in it (`DeviceDebug.gate`).
   */
  beforeRun?(): void;
}

export class NormalWorld {
  readonly cpu: Cpu;
  private pc = 0;
  private smcPending = false;
  private fault: MemoryFault | undefined;
  private faultStorm = 0;
  private power: 'on' | 'off' | 'reset' = 'on';
  private exactPcs = false;

  constructor(
    private readonly board: Board,
    memory: NormalWorldMemory,
    devices: NormalWorldDevices,
    private monitor: Monitor,
    private readonly events: EventBus,
    private readonly explain: (line: string) => void = devices.explainFault,
  ) {
    this.cpu = Cpu.create({ model: board.cpu, secure: false, registry: devices.engines, label: 'normal world' });
    const dram = region(board, 'ns-dram');
    const shm = region(board, 'ns-shm');
    this.cpu.mapHost(dram.base, memory.dram, PERM.RWX);
    this.cpu.mapHost(shm.base, memory.shm, PERM.RW);
    const uart = region(board, 'uart0');
    this.cpu.mapMmio(uart.base, uart.size, (o) => devices.uartRead(o), (o, s, v) => devices.uartWrite(o, s, v));
    const hb = region(board, 'hostbridge');
    this.cpu.mapMmio(hb.base, hb.size, (o) => devices.bridgeRead(o), (o, s, v) => devices.bridgeWrite(o, s, v));
    this.workPending = devices.workPending;
    this.beforeRun = devices.beforeRun;
    this.cpu.addInterruptListener((intno) => this.interrupt(intno));
    this.cpu.addFaultListener((f) => {
      this.fault = f;
      return false;
    });
  }

  private readonly workPending: () => boolean;
  private readonly beforeRun: (() => void) | undefined;

  /** Loads the firmware at `load` and sets the entry state (NS-EL1h, x0 = board id). */
  loadFirmware(bytes: Uint8Array, load: number, entry: number): void {
    const end = load + Math.ceil(bytes.length / 0x1000) * 0x1000;
    this.cpu.write(load, bytes);
    if (!this.exactPcs) {
      this.cpu.exactFaultPcs(load, end);
      this.exactPcs = true;
    }
    this.cpu.flushTranslations(load, end);
    this.cpu.setX(0, this.board.id);
    this.pc = entry;
    this.power = 'on';
  }

  /** Where the firmware resumes at its next run (device snapshots). */
  get resumePc(): number {
    return this.pc;
  }

  /**
   * Resumes a snapshot's firmware instead of loading it (device restore): its memory and
   * registers are in place already; `code` is the firmware's code range (exact fault PCs).
   */
  resumeAt(pc: number, code: { begin: number; end: number }): void {
    if (!this.exactPcs) {
      this.cpu.exactFaultPcs(code.begin, code.end);
      this.exactPcs = true;
    }
    this.pc = pc;
    this.power = 'on';
  }

  /**
   * Keeps this engine, and the memory it maps, for a restored device (restoring is then far
   * cheaper than opening an engine and mapping fresh memory): the host rewrote the memory, so
   * translated firmware code in `code` is dropped, and SMCs go to `monitor` from now on. The
   * caller then loads registers and calls `resumeAt`.
   */
  reuse(monitor: Monitor, code: { begin: number; end: number }): void {
    this.cpu.flushTranslations(code.begin, code.end);
    this.monitor = monitor;
    this.faultStorm = 0;
    this.fault = undefined;
    this.unexpected = undefined;
    this.smcPending = false;
  }

  /** Called by PSCI. */
  setPower(state: 'off' | 'reset'): void {
    this.power = state;
    this.cpu.stop();
  }

  get powerState(): 'on' | 'off' | 'reset' {
    return this.power;
  }

  private interrupt(intno: number): void {
    if (intno === EXCP.SMC) {
      this.smcPending = true;
      this.cpu.stop();
      return;
    }
    // svc/hvc/undefined at NS-EL1 have no handler in this machine: report and stop.
    this.fault = undefined;
    this.unexpected = intno;
    this.cpu.stop();
  }

  private unexpected: number | undefined;

  /**
   * Runs the firmware until it waits for work (wfi with nothing posted), powers off or
   * resets, or halts on an error it cannot survive.
   */
  run(): NormalWorldStop {
    for (;;) {
      this.beforeRun?.();
      this.smcPending = false;
      this.fault = undefined;
      this.unexpected = undefined;
      const err = this.cpu.run(this.pc);
      this.pc = this.cpu.pc;
      if (this.power !== 'on') return this.power;
      if (this.smcPending) {
        this.serveSmc();
        if (this.power !== 'on') return this.power;
        continue;
      }
      if (this.fault) {
        if (!this.deliverAbort(this.fault)) return 'halted';
        continue;
      }
      if (this.unexpected !== undefined) {
        this.explain(`normal world: unexpected exception ${this.unexpected} at ${hex(this.pc)}; the normal world is halted`);
        return 'halted';
      }
      if (err !== UC_ERR_OK) {
        this.explain(`normal world: the CPU stopped with engine error ${err} at ${hex(this.pc)}; the normal world is halted`);
        return 'halted';
      }
      this.faultStorm = 0;
      // Nothing stopped the engine and it raised nothing: the firmware executed wfi.
      if (!this.cpu.stopRequested && !this.workPending()) return 'idle';
    }
  }

  /** x0..x7 of the current SMC, as 32-bit values (reused: the monitor copies what it keeps). */
  private readonly smcArgs: number[] = new Array<number>(8).fill(0);
  private readonly smcResult: number[] = new Array<number>(8).fill(0);

  private serveSmc(): void {
    const words = this.cpu.readRegWords(SMC_ARG_REGS);
    const args = this.smcArgs;
    for (let i = 0; i < 8; i++) args[i] = words[2 * i]!;
    const result = this.monitor.smc(args);
    const out = this.smcResult;
    const n = Math.min(result.length, SMC_ARG_REGS.length);
    for (let i = 0; i < n; i++) out[i] = result[i]! >>> 0;
    this.cpu.writeRegs(SMC_ARG_REGS, out, n);
  }

  /**
   * Delivers a blocked access to the firmware as a synchronous external abort: ESR, FAR, ELR
   * and SPSR as the hardware would set them, then the vector. Returns false when the firmware
   * keeps faulting without making progress.
   */
  private deliverAbort(fault: MemoryFault): boolean {
    const where = regionAt(this.board, fault.address);
    const pc = this.pc;
    const explanation = describeBlockedAccess(fault, where?.name, where?.world, pc);
    this.events.emit({
      type: 'fault', world: 'normal', access: fault.access, address: fault.address, pc,
      ...(where ? { region: where.id } : {}), explanation,
    });
    this.explain(explanation);
    if (++this.faultStorm > MAX_FAULT_STORM) {
      this.explain('normal world: the firmware keeps faulting; the normal world is halted');
      return false;
    }
    const vbar = Number(this.cpu.sysreg('VBAR_EL1'));
    if (vbar === 0) {
      this.explain('normal world: no exception vectors are installed (VBAR_EL1 = 0); the normal world is halted');
      return false;
    }
    const fetch = fault.access === 'fetch';
    const iss = FSC_SYNC_EXTERNAL | (fault.access === 'write' ? 1 << 6 : 0);
    const esr = ((fetch ? EC_INSN_ABORT_SAME_EL : EC_DATA_ABORT_SAME_EL) << 26) | (1 << 25) | iss;
    const pstate = this.cpu.reg(REG.PSTATE);
    this.cpu.setSysreg('ESR_EL1', BigInt(esr >>> 0));
    this.cpu.setSysreg('FAR_EL1', BigInt(fault.address));
    this.cpu.setSysreg('ELR_EL1', BigInt(pc));
    this.cpu.setSysreg('SPSR_EL1', pstate);
    this.cpu.setReg(REG.PSTATE, PSTATE_EL1H_MASKED);
    this.pc = vbar + VECTOR_SYNC_SPX;
    return true;
  }

  close(): void {
    this.cpu.close();
  }
}

/** One sentence a person understands about a blocked or invalid normal-world access. */
export function describeBlockedAccess(fault: MemoryFault, regionName: string | undefined, world: string | undefined, pc: number): string {
  const verb = fault.access === 'read' ? 'read' : fault.access === 'write' ? 'write to' : 'execute code at';
  if (world === 'secure') {
    return `TrustZone: the normal world tried to ${verb} ${hex(fault.address)} (${regionName}, secure only) ` +
      `at pc ${hex(pc)}; the address controller blocks normal-world access to secure memory, ` +
      'so the firmware gets a synchronous external abort instead of the data';
  }
  return `normal world: ${verb} ${hex(fault.address)} at pc ${hex(pc)} hit ` +
    `${regionName ? `${regionName}, which refused the access` : 'an address where no memory or device exists'}; ` +
    'the firmware gets a synchronous external abort';
}
