/**
 * The hooks of one engine: the interrupt and memory-fault listeners, the MMIO callbacks, and
 * the rule that nothing throws into the engine. Every JS callback here catches what it raises,
 * keeps the first error, and stops the engine; `Cpu.run` rethrows that error once
 * `uc_emu_start` has returned (koffi would otherwise return 0 to C and let the guest run on
 * with its hooks cut off, see the reference notes, Q6).
 *
 * The hook closures are fixed-arity with their own try/catch: they run on every svc, smc and
 * device access, so no rest parameters or spread calls on the way in.
 */
import { hookProtos, noopCallback, type HotCalls } from './binding.js';
import { describeFault, type MemoryFault } from './memory.js';
import { UC_HOOK_BLOCK, UC_HOOK_CODE, UC_HOOK_INTR, UC_HOOK_MEM_INVALID, UnicornError, registerCallback, unregisterCallback, type UnicornLib } from './unicorn.js';

/**
 * Called inside the engine for svc/smc/hvc/undefined/abort events (QEMU EXCP_* numbers, see
 * `EXCP`). Return `true` to claim the event: the listeners after it are not called. Returning
 * nothing passes it on. With no listener at all, the engine stops at the event.
 */
export type InterruptListener = (intno: number) => boolean | void;

/**
 * Called inside the engine for an access to unmapped or protected memory. Return `true` when
 * the listener fixed the cause and the access must be retried: the listeners after it are not
 * called. When no listener returns `true`, the access fails and the run ends with the engine's
 * UC_ERR_* code.
 */
export type FaultListener = (fault: MemoryFault) => boolean | void;

/** Where a listener goes in the call order. */
export interface ListenerOptions {
  /**
   * Call it before the listeners already registered (default: after them, in registration
   * order). For a debugger that must claim an event (a `brk`) before the engine's owner sees it.
   */
  first?: boolean;
}

/** The hooks and native callbacks of one engine. */
export class EngineHooks {
  private readonly callbacks: bigint[] = [];
  private readonly handles: bigint[] = [];
  // Copy-on-write lists: adding or removing a listener from inside a hook does not disturb
  // the dispatch under way.
  private interruptListeners: readonly InterruptListener[] = [];
  private faultListeners: readonly FaultListener[] = [];
  /** The first error a hook raised in the current run (`Cpu.run` takes it). */
  pendingError: unknown;

  /** `stop` stops the engine on an interrupt nobody listens to. */
  constructor(private readonly uc: UnicornLib, private readonly handle: bigint, private readonly hot: HotCalls,
    private readonly h: number, private readonly stop: () => void) {
    const intr = (_uc: unknown, intno: number): void => {
      try {
        const listeners = this.interruptListeners;
        // Nobody to serve the event: stop rather than let the guest run past it.
        if (listeners.length === 0) this.stop();
        for (let i = 0; i < listeners.length; i++) if (listeners[i]!(intno) === true) return;
      } catch (error) {
        this.failed(error); // a listener that throws ends the dispatch: the engine is stopping
      }
    };
    this.add(UC_HOOK_INTR, registerCallback(intr, hookProtos().intr), 1, 0);
    const fault = (_uc: unknown, type: number, address: number | bigint, size: number): boolean => {
      try {
        const listeners = this.faultListeners;
        if (listeners.length === 0) return false;
        const f = describeFault(type, Number(address), size);
        for (let i = 0; i < listeners.length; i++) if (listeners[i]!(f) === true) return true;
        return false;
      } catch (error) {
        this.failed(error);
        return false;
      }
    };
    this.add(UC_HOOK_MEM_INVALID, registerCallback(fault, hookProtos().memEvent), 1, 0);
  }

  /** Records the first error a hook raised and stops the engine (hooks never throw into it). */
  failed(error: unknown): void {
    if (this.pendingError === undefined) this.pendingError = error;
    this.hot.emuStop(this.h);
  }

  /** Adds an interrupt listener; returns its remover. */
  addInterruptListener(fn: InterruptListener, options?: ListenerOptions): () => void {
    this.interruptListeners = options?.first ? [fn, ...this.interruptListeners] : [...this.interruptListeners, fn];
    return () => { this.interruptListeners = this.interruptListeners.filter((l) => l !== fn); };
  }

  /** Adds a memory fault listener; returns its remover. */
  addFaultListener(fn: FaultListener, options?: ListenerOptions): () => void {
    this.faultListeners = options?.first ? [fn, ...this.faultListeners] : [...this.faultListeners, fn];
    return () => { this.faultListeners = this.faultListeners.filter((l) => l !== fn); };
  }

  private add(type: number, callback: bigint, begin: number, end: number, native = false, userData: bigint | null = null): void {
    if (!native) this.callbacks.push(callback);
    const out: unknown[] = [0];
    const err = this.uc.hookAdd(this.handle, out, type, callback, userData, begin, end);
    if (err !== 0) throw new UnicornError('uc_hook_add', err);
    this.handles.push(BigInt(out[0] as number | bigint));
  }

  /**
   * A code hook over [begin, end) whose callback is a native no-op: the engine then syncs the
   * PC before each instruction there, so fault PCs are exact, for a C call per instruction
   * (measured ~1 ns). The memory-hook way of getting the same sync (UC_HOOK_MEM_READ |
   * UC_HOOK_MEM_WRITE) was far dearer: any memory hook sends every load and store of the
   * engine, anywhere, through the slow path (~13 ns each; SHA-256 in a TA 7.6x slower instead
   * of 5x).
   */
  syncPcs(begin: number, end: number): void {
    this.add(UC_HOOK_CODE, noopCallback(), begin, end - 1, true);
  }

  /**
   * The native preemption hook (cpu/preempt.ts) at the start of every block, with its cell's
   * address as user data.
   */
  preemptAtBlocks(hook: bigint, userData: bigint): void {
    this.add(UC_HOOK_BLOCK, hook, 1, 0, true, userData);
  }

  /** Native callbacks for a device's read and write handlers, for `uc_mmio_map`. */
  mmio(read: (offset: number, size: number) => number,
    write: (offset: number, size: number, value: number) => void): { read: bigint; write: bigint } {
    const r = registerCallback((_uc: unknown, off: number | bigint, sz: number): number => {
      try {
        return read(Number(off), sz);
      } catch (error) {
        this.failed(error);
        return 0;
      }
    }, hookProtos().mmioRead);
    const w = registerCallback((_uc: unknown, off: number | bigint, sz: number, value: number | bigint): void => {
      try {
        write(Number(off), sz, typeof value === 'number' && value >= 0 ? value % 2 ** 32 : Number(BigInt.asUintN(32, BigInt(value))));
      } catch (error) {
        this.failed(error);
      }
    }, hookProtos().mmioWrite);
    this.callbacks.push(r, w);
    return { read: r, write: w };
  }

  /** Deletes the hooks from the engine (before `uc_close`). */
  detach(): void {
    for (const hh of this.handles) this.uc.hookDel(this.handle, hh);
    this.handles.length = 0;
    this.interruptListeners = [];
    this.faultListeners = [];
  }

  /**
   * Frees the callback slots (8192 per process). Only after `uc_close`: a slot must never be
   * freed while its hook can still fire.
   */
  free(): void {
    for (const cb of this.callbacks) unregisterCallback(cb);
    this.callbacks.length = 0;
  }
}
