/**
 * One instance of a user TA: its S-EL0 address space (an engine of its own), its sessions,
 * and the entry into `__ta_entry` with OP-TEE's register contract:
 * x0 = function (open/close/invoke), x1 = session id, x2 = &utee_params at the stack top,
 * x3 = command id, SP_EL0 = x2, every other GPR zero, EL0t.
 */
import { STUB_VA } from './ta-space.js';
import {
  TA_FLAG_INSTANCE_KEEP_ALIVE, TA_FLAG_MULTI_SESSION, TA_FLAG_SINGLE_INSTANCE, UTEE_ENTRY_CLOSE_SESSION,
  UTEE_ENTRY_INVOKE_COMMAND, UTEE_ENTRY_OPEN_SESSION, taFlagNames,
} from '../abi/ta.js';
import { EXCP, REG, xreg, type Cpu, type CpuModel, type MemoryFault } from '../cpu/cpu.js';
import type { EngineRegistry } from '../cpu/engines.js';
import type { EventBus } from '../trace/events.js';
import { TeeError } from '../abi/errors.js';
import type { LoadedImage } from './loader/load.js';
import { typesOf, type TaParams } from './params.js';
import { UTEE_PARAMS_RESERVED } from './utee-params.js';
import {
  TEE_ERROR_BUSY, TEE_ERROR_GENERIC, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_TARGET_DEAD,
} from '../abi/results.js';
import type { SecureMemory } from './secure-memory.js';
import type { CallContext, CallerTa, EntryResult, SecureThread, TrustedService } from './service.js';
import { TaParamBlock } from './ta-param-block.js';
import { TEE_SCN_MAX } from './syscalls/numbers.js';
import type { SyscallArgs, SyscallContext, SyscallEntry } from './syscalls/table.js';
import { describeTaFault, traceSyscall, traceUnknownSyscall } from './syscall-trace.js';
import { TaAddressSpace, type VmRegion } from './ta-space.js';
import type { Watchdog } from '../cpu/watchdog.js';
import type { Clock } from '../trace/clock.js';
import { TEEC_ORIGIN_TEE, TEEC_ORIGIN_TRUSTED_APP } from '../abi/client-api.js';
import { type Session } from './service.js';
import { PAGE_SIZE } from '../machine/board.js';

/**
 * Longest run of a TA before its thread gives the CPU back to the normal world, which then
 * serves other calls (the watchdog thread's resolution is 10 ms).
 */
export const TIME_SLICE_MS = 10;
/** How often a call waiting for a busy single-instance TA looks again. */
const BUSY_POLL_MS = 5;

const ERET = Buffer.from([0xe0, 0x03, 0x9f, 0xd6]);
const SVC_REGS = [0, 1, 2, 3, 4, 5, 6, 7, 8].map(xreg);
const X0 = xreg(0);
/**
 * x0..x30, then both SP_EL0 (the banked copy, used by the first entry's eret) and SP (the live
 * stack pointer once the engine runs at EL0), then ELR_EL1 (where the first eret goes).
 */
const ENTRY_REGS = [...Array.from({ length: 31 }, (_, i) => xreg(i)), REG.SP_EL0, REG.SP, REG.ELR_EL1];

type Exit =
  | { kind: 'return'; code: number }
  | { kind: 'panic'; code: number; pc: number }
  | { kind: 'abort'; what: string; pc: number; address?: number };

/** What the core offers to an instance (kept narrow so instances stay testable). */
export interface InstanceHost {
  readonly events: EventBus;
  readonly watchdog: Watchdog;
  readonly watchdogMs: number;
  /** The device's clock: on a virtual clock a TA is not time-sliced, so that runs repeat. */
  readonly clock: Clock;
  readonly syscalls: readonly SyscallEntry[];
  syscallContext(instance: TaInstance, session: Session): SyscallContext;
  /** Writes a line on the secure console. */
  log(line: string): void;
}

export interface TaInstanceInit {
  uuid: string;
  image: LoadedImage;
  /** Name of the trusted key that signed it. */
  signer: string;
  /** SHA-256 of the signing key's SubjectPublicKeyInfo (hex). */
  signerId: string;
  /** Signed by a development key, whose private half is public knowledge. */
  developmentSigner?: boolean;
  /** SHA-256 of the signed container as fetched (hex). */
  measurement: string;
  model: CpuModel;
  /** The device's engine registry, which the instance's engine joins. */
  engines?: EngineRegistry<Cpu>;
  memory: SecureMemory;
  host: InstanceHost;
  /** Executable sections where fault PCs are made exact (empty: faults name the block start). */
  codeRanges: { va: number; end: number }[];
}

export class TaInstance implements TrustedService {
  readonly kind = 'user' as const;
  readonly uuid: string;
  readonly flags: number;
  readonly space: TaAddressSpace;
  readonly image: LoadedImage;
  readonly signer: string;
  /** SHA-256 of the signing key's SubjectPublicKeyInfo (hex): who vouches for the code. */
  readonly signerId: string;
  /** Signed by a development key (public knowledge): no identity to bind data to. */
  readonly developmentSigner: boolean;
  /** SHA-256 of the signed container (hex): exactly what was loaded, for attestation. */
  readonly measurement: string;
  readonly stackTop: number;
  /** Struct utee_params at the stack top and the memref windows of each entry. */
  private readonly paramBlock: TaParamBlock;
  readonly sessions = new Set<Session>();
  /** Sessions this TA opened to other services (TA-to-TA), by handle. */
  readonly taSessions = new Map<number, Session>();
  /** State that syscall families keep per instance (crypto objects, storage handles...). */
  readonly ext = new Map<string, unknown>();
  /** Why the instance died (panic, abort, watchdog), or undefined while it lives. */
  dead: string | undefined;
  busy = false;
  private readonly host: InstanceHost;
  private readonly exactPcs: boolean;
  private exit: Exit | undefined;
  private pending: { entry: SyscallEntry & { kind: 'thread' }; args: SyscallArgs } | undefined;
  private current: Session | undefined;
  private deadline = 0;

  constructor(init: TaInstanceInit) {
    this.uuid = init.uuid;
    this.image = init.image;
    this.signer = init.signer;
    this.signerId = init.signerId;
    this.developmentSigner = init.developmentSigner ?? false;
    this.measurement = init.measurement;
    this.flags = init.image.taHead.flags;
    this.host = init.host;
    this.syscalls = init.host.syscalls;
    this.events = init.host.events;
    this.exactPcs = init.codeRanges.length > 0;
    this.space = new TaAddressSpace(init.model, init.memory, init.engines);
    try {
      this.space.mapPrivate(STUB_VA, PAGE_SIZE, 'rx', 'core stub', ERET, true);
      for (const r of init.image.regions) this.space.mapPrivate(r.va, r.size, r.prot, r.kind, r.bytes);
      const stackSize = Math.ceil(init.image.taHead.stackSize / PAGE_SIZE) * PAGE_SIZE;
      const stackVa = this.space.findFree(stackSize, init.image.end);
      this.paramBlock = new TaParamBlock(this.space, this.space.mapPrivate(stackVa, stackSize, 'rw', 'stack'));
      this.stackTop = stackVa + stackSize;
      for (const r of init.codeRanges) this.space.cpu.exactFaultPcs(r.va, r.end);
      // Time slices end at block starts only (cpu/preempt.ts): a stop anywhere else corrupts.
      this.preemptCell = this.space.cpu.preemptible();
    } catch (error) {
      this.space.close();
      throw error;
    }
    this.space.cpu.setLabel(`TA ${this.uuid}`, true); // "TA <uuid> instance N" in the device's engine registry
    this.space.cpu.addInterruptListener((intno) => this.interrupt(intno));
    this.space.cpu.addFaultListener((fault) => this.memoryFault(fault));
  }

  /** Whether the engine is at EL0 (after the first entry returned normally). */
  private atEl0 = false;

  get singleInstance(): boolean {
    return (this.flags & TA_FLAG_SINGLE_INSTANCE) !== 0;
  }

  get multiSession(): boolean {
    return (this.flags & TA_FLAG_MULTI_SESSION) !== 0;
  }

  get keepAlive(): boolean {
    return (this.flags & TA_FLAG_INSTANCE_KEEP_ALIVE) !== 0;
  }

  flagNames(): string[] {
    return taFlagNames(this.flags);
  }

  /** The engine's `uc_engine` handle (the watchdog stops it). */
  get engineHandle(): bigint {
    return this.space.cpu.handle;
  }

  /** The base VA of the main module (for TA-relative addresses in traces). */
  get loadAddress(): number {
    return this.image.modules[0]?.base ?? 0;
  }

  openSession(session: Session, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    return this.enter(UTEE_ENTRY_OPEN_SESSION, session, params, 0, ctx);
  }

  invoke(session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    return this.enter(UTEE_ENTRY_INVOKE_COMMAND, session, params, cmd, ctx);
  }

  *closeSession(session: Session, ctx: CallContext): SecureThread<void> {
    if (!this.dead) {
      const params = [0, 1, 2, 3].map(() => ({ type: 0, a: 0, b: 0 })) as TaParams;
      yield* this.enter(UTEE_ENTRY_CLOSE_SESSION, session, params, 0, ctx);
    }
  }

  /**
   * Enters the TA once and runs it until it returns, panics, faults or times out. An instance
   * serves one call at a time: a call from another secure thread waits (parked, so that the
   * busy call goes on) until it is free; a call back into it from its own chain of TA-to-TA
   * calls, which could never end, is TEE_ERROR_BUSY at once.
   */
  *enter(func: number, session: Session, params: TaParams, cmd: number, ctx: CallContext): SecureThread<EntryResult> {
    for (;;) {
      if (this.dead) return { result: TEE_ERROR_TARGET_DEAD, origin: TEEC_ORIGIN_TEE };
      if (!this.busy) break;
      for (let c: CallerTa | undefined = ctx.callerTa; c; c = c.caller) if (c === this) return { result: TEE_ERROR_BUSY, origin: TEEC_ORIGIN_TEE };
      if (ctx.callerTa && ctx.callerTa.budgetLeftMs <= 0) return { result: TEE_ERROR_BUSY, origin: TEEC_ORIGIN_TEE };
      yield { kind: 'preempt', wakeAt: performance.now() + BUSY_POLL_MS, why: 'busy' };
    }
    this.busy = true;
    // One time budget for the whole call: every run of the engine and every syscall in it
    // (waits and RPCs included) spend from it, so a TA cannot re-arm the watchdog by yielding.
    // Time parked while other calls run is credited back. A TA called by another TA gets no
    // more than its caller has left.
    const now = performance.now();
    this.deadline = now + Math.min(this.host.watchdogMs, ctx.callerTa ? ctx.callerTa.budgetLeftMs : Infinity);
    this.caller = ctx.callerTa;
    this.current = session;
    const mapped: VmRegion[] = [];
    try {
      const up = this.stackTop - UTEE_PARAMS_RESERVED;
      const vals = this.paramBlock.map(params, mapped);
      this.paramBlock.write(up, typesOf(params), vals);
      // x0..x3 carry the call; everything else stays zero (set once in entryRegs).
      const regs = this.entryRegs;
      regs[0] = func;
      regs[1] = session.id;
      regs[2] = up;
      regs[3] = cmd;
      regs[31] = up; // SP_EL0
      regs[32] = up; // SP
      regs[33] = this.image.entry; // ELR_EL1: where eret goes
      this.space.cpu.writeRegs(ENTRY_REGS, regs);
      // The first entry goes through the eret stub to reach EL0 for real (writing PSTATE
      // cannot leave EL1 on Unicorn 2.0.1). The engine then stays at EL0, because Unicorn
      // calls our hook instead of taking exceptions to EL1: later entries start at the entry
      // point directly. TPIDR_EL0, which libutee sets once per instance, stays in the engine.
      const start = this.atEl0 ? this.image.entry : STUB_VA;
      if (!this.atEl0) this.space.cpu.setSysreg('SPSR_EL1', 0n); // EL0t
      const result = yield* this.run(start);
      if (!this.dead) this.paramBlock.readBack(params, up);
      return result;
    } finally {
      if (!this.dead) this.paramBlock.keep(mapped);
      this.busy = false;
      this.current = undefined;
      this.caller = undefined;
    }
  }

  /** The TA that called the call in progress (TA-to-TA), if any. */
  caller: CallerTa | undefined;

  creditParked(ms: number): void {
    if (!this.busy) return;
    this.deadline += ms;
    this.caller?.creditParked(ms);
  }

  /** The engine's preemption cell (`Cpu.preemptible`), -1 when it has none. */
  private preemptCell = -1;

  /** The entry registers (ENTRY_REGS order), reused: only x0..x3 and the stack change. */
  private readonly entryRegs: number[] = new Array<number>(ENTRY_REGS.length).fill(0);

  private *run(start: number): SecureThread<EntryResult> {
    const cpu = this.space.cpu;
    let pc = start;
    for (;;) {
      this.exit = undefined;
      this.pending = undefined;
      const left = this.deadline - performance.now();
      if (left <= 0) return this.overBudget(cpu.pc);
      // A run lasts one time slice at most; then the thread gives the CPU back to the normal
      // world (a foreign interrupt in OP-TEE's terms) and other calls get their turn.
      this.host.watchdog.arm(cpu.handle, Math.min(left, TIME_SLICE_MS), this.preemptCell);
      let err: number;
      try {
        err = cpu.run(pc);
      } finally {
        this.host.watchdog.disarm();
      }
      const exit = this.exit as Exit | undefined;
      if (this.pending) {
        const { entry, args } = this.pending;
        this.pending = undefined;
        const result = yield* this.runThreaded(entry, args);
        if (this.dead) return { result: TEE_ERROR_TARGET_DEAD, origin: TEEC_ORIGIN_TEE };
        const late = this.exit as Exit | undefined; // a syscall that ended the entry (abortFromSyscall)
        if (late?.kind === 'abort') return this.died(late.what, 0, late.pc);
        cpu.setX(0, result >>> 0);
        pc = cpu.pc;
        continue;
      }
      if (exit?.kind === 'return') {
        this.atEl0 = true;
        return { result: exit.code, origin: TEEC_ORIGIN_TRUSTED_APP };
      }
      if (exit?.kind === 'panic') return this.died(`panicked with code 0x${exit.code.toString(16)}`, exit.code, exit.pc);
      if (exit?.kind === 'abort') return this.died(exit.what, 0, exit.pc);
      pc = cpu.preemptedAt() ?? cpu.pc;
      if (this.host.watchdog.fired() || cpu.stopRequested) {
        if (performance.now() >= this.deadline) return this.overBudget(pc);
        // A virtual clock promises repeatable runs: a slice cut by real time would not repeat.
        if (this.host.clock.virtual) continue;
        const parkedAt = performance.now();
        yield { kind: 'preempt', wakeAt: 0, why: 'slice' };
        this.creditParked(performance.now() - parkedAt);
        if (this.dead) return { result: TEE_ERROR_TARGET_DEAD, origin: TEEC_ORIGIN_TEE };
        continue;
      }
      if (err !== 0) return this.died(`stopped with engine error ${err}`, 0, pc);
      // a wfi: carry on
    }
  }

  private died(reason: string, code: number, pc: number): EntryResult {
    this.kill(reason, code, pc);
    return { result: TEE_ERROR_TARGET_DEAD, origin: TEEC_ORIGIN_TEE };
  }

  /** The call used up its time budget: the instance is stopped, as OP-TEE's watchdog would. */
  private overBudget(pc: number): EntryResult {
    return this.died(`ran longer than the watchdog allows (${this.host.watchdogMs} ms) and was stopped`, 0, pc);
  }

  /**
   * Milliseconds left of the current call's time budget (0 when spent). Outside a call there is
   * no budget to pass on (Infinity): closing the sessions of an instance being destroyed is not
   * limited by a call that has ended.
   */
  get budgetLeftMs(): number {
    return this.busy ? Math.max(0, this.deadline - performance.now()) : Infinity;
  }

  private *runThreaded(entry: SyscallEntry & { kind: 'thread' }, args: SyscallArgs): SecureThread<number> {
    const ctx = this.context();
    let result: number;
    try {
      result = yield* entry.fn(ctx, args);
    } catch (error) {
      result = error instanceof TeeError ? error.code : TEE_ERROR_GENERIC;
      if (!(error instanceof TeeError)) this.host.log(`tee: internal error in ${entry.name}: ${(error as Error).message}`);
    }
    traceSyscall(this.events, this.uuid, entry, args, result);
    return result;
  }

  private syscallCtx: SyscallContext | undefined;
  /** The core's syscall table (kept here: one property load less on every syscall). */
  private readonly syscalls: readonly SyscallEntry[];
  private readonly events: EventBus;

  /** The context handed to syscall handlers (one object per instance, reused). */
  private context(): SyscallContext {
    const session = this.current!;
    if (!this.syscallCtx || this.syscallCtx.session !== session) {
      this.syscallCtx = this.host.syscallContext(this, session);
    }
    return this.syscallCtx;
  }

  /** The engine's interrupt hook: svc (syscalls), undefined instructions, aborts, breakpoints. */
  private interrupt(intno: number): void {
    const cpu = this.space.cpu;
    if (intno !== EXCP.SWI) {
      const what = intno === EXCP.UDEF ? 'executed an undefined or privileged instruction'
        : intno === EXCP.BKPT ? 'hit a breakpoint (brk)'
        : intno === EXCP.DATA_ABORT ? 'caused a data abort'
        : intno === EXCP.PREFETCH_ABORT ? 'caused a prefetch abort' : `raised exception ${intno}`;
      this.exit = { kind: 'abort', what, pc: cpu.pc };
      cpu.stop();
      return;
    }
    const regs = cpu.readRegs(SVC_REGS);
    // The syscall number from x8's 32-bit halves: no BigInt on the way to the table.
    const words = cpu.regWords;
    const scnLo = words[16]!;
    // Inline handlers read x0..x7 straight from the register batch (valid until the next
    // register read); anything that outlives this hook gets a copy.
    const args = regs as unknown as SyscallArgs;
    const entry = words[17] === 0 && scnLo <= TEE_SCN_MAX ? this.syscalls[scnLo]! : undefined;
    if (entry?.kind === 'inline') {
      // The fast path, checked first: most syscalls are served right here in the hook.
      let result: number;
      try {
        result = entry.fn(this.context(), args);
      } catch (error) {
        if (!(error instanceof TeeError)) throw error;
        result = error.code;
      }
      traceSyscall(this.events, this.uuid, entry, args, result);
      cpu.setReg(X0, result >>> 0);
      return;
    }
    if (!entry) {
      traceUnknownSyscall(this.events, this.uuid, regs[8]!, Array.from(regs.subarray(0, 8)));
      cpu.setReg(X0, TEE_ERROR_NOT_SUPPORTED);
      return;
    }
    switch (entry.kind) {
      case 'return':
        this.exit = { kind: 'return', code: Number(args[0]! & 0xffffffffn) };
        traceSyscall(this.events, this.uuid, entry, args, this.exit.code);
        cpu.stop();
        return;
      case 'panic':
        this.exit = { kind: 'panic', code: Number(args[0]! & 0xffffffffn), pc: cpu.pc - 4 };
        traceSyscall(this.events, this.uuid, entry, args, TEE_ERROR_TARGET_DEAD);
        cpu.stop();
        return;
      case 'thread':
        this.pending = { entry, args: Array.from(regs.subarray(0, 8)) };
        cpu.stop();
        return;
      case 'unsupported':
        traceSyscall(this.events, this.uuid, entry, args, TEE_ERROR_NOT_SUPPORTED);
        cpu.setReg(X0, TEE_ERROR_NOT_SUPPORTED);
        return;
    }
  }

  private memoryFault(fault: MemoryFault): boolean {
    const what = describeTaFault(fault, this.space.regionAt(fault.address), this.exactPcs);
    this.exit = { kind: 'abort', what, pc: this.space.cpu.pc, address: fault.address };
    return false;
  }

  /** Ends the current entry from inside a syscall: the instance dies with `reason`. */
  abortFromSyscall(reason: string): void {
    this.exit = { kind: 'abort', what: reason, pc: this.space.cpu.pc };
    this.space.cpu.stop();
  }

  /** Marks the instance dead and releases its memory; its sessions answer TARGET_DEAD from now on. */
  kill(reason: string, code: number, pc: number): void {
    if (this.dead) return;
    this.dead = reason;
    const taPc = pc >= this.loadAddress ? pc - this.loadAddress : pc;
    this.host.log(`E/TC: TA ${this.uuid} ${reason} at pc 0x${pc.toString(16)} (TA offset 0x${taPc.toString(16)}); ` +
      'its sessions now answer TEE_ERROR_TARGET_DEAD');
    this.host.events.emit({ type: 'panic', uuid: this.uuid, code, pc, taPc, reason });
  }

  /** Frees the address space (after the last session closed or the instance died). */
  destroy(): void {
    if (this.space.cpu.isClosed) return;
    this.paramBlock.release();
    this.space.close();
  }
}
