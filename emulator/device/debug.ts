/**
 * The debug seam of a device: pause and resume, for the coming GDB stub.
 *
 * A device runs synchronously on its thread, so "paused" cannot mean a suspended thread.
 * It means:
 * 1. the engine that is running now (if `pause` is called from inside one of its hooks) is
 *    stopped at its next block boundary (`uc_emu_stop`);
 * 2. the TEE core's watchdog clock stops, so time spent paused never counts against a TA;
 * 3. the normal world does not (re)start while paused: its run loop calls `gate()` before
 *    every start, and the gate waits there until the device is resumed.
 *
 * How the gate waits: it calls `whilePaused` (a debugger on the device's own thread serves its
 * session there and calls `resume()` to continue) until the device is resumed; with no
 * `whilePaused` handler it blocks the thread on `state` (shared memory) until another thread
 * resumes the device with `resumeShared(state)`. Pausing on a thread that nobody else can
 * resume, and without a handler, therefore blocks that thread for good: that is what a pause
 * means for a synchronous device.
 *
 * What is not paused: a TA engine stopped by `pause` is restarted by its TA instance at once
 * (the TEE core has no pause point of its own; with the watchdog paused, the TA simply runs
 * on), so the device holds at the normal world's next start, after the secure call returns.
 * A debugger that must hold a TA at a breakpoint does it inside the engine's hook.
 */
import type { EngineRecord } from '../cpu/engines.js';
import type { Watchdog } from '../cpu/watchdog.js';

const RUNNING = 0;
const PAUSED = 1;

/**
 * Resumes a device from another thread, given its `DeviceDebug.state` (posted to that thread):
 * the device's thread, waiting in the gate, wakes and carries on.
 */
export function resumeShared(state: Int32Array): void {
  Atomics.store(state, 0, RUNNING);
  Atomics.notify(state, 0);
}

/** Pause and resume of one device (see the module comment). */
export class DeviceDebug {
  /** Cell 0: 1 while paused. Shared memory, so that another thread can resume the device. */
  readonly state = new Int32Array(new SharedArrayBuffer(4));
  /**
   * Called by the gate while the device is paused, on the device's thread; it returns after
   * serving the debugger for a while (the gate calls it again while still paused) or after
   * calling `resume()`.
   */
  whilePaused: (() => void) | undefined;
  /** The watchdog `pause` stopped, to be resumed by `resume` even if the core changed since. */
  private heldWatchdog: Watchdog | undefined;

  /**
   * `engines` is the device's engine registry; `watchdog` returns the TEE core's watchdog, if
   * the device has a core now.
   */
  constructor(private readonly engines: { list(): readonly EngineRecord[] }, private readonly watchdog: () => Watchdog | undefined) {}

  /** Whether the device is paused. */
  get paused(): boolean {
    return Atomics.load(this.state, 0) === PAUSED;
  }

  /**
   * Pauses the device: stops the running engine, stops the watchdog's clock, and holds the
   * normal world at its next start. Safe inside an engine hook; pausing twice is one pause.
   */
  pause(): void {
    Atomics.store(this.state, 0, PAUSED);
    for (const engine of this.engines.list()) if (engine.cpu.running) engine.cpu.stop();
    if (!this.heldWatchdog) {
      this.heldWatchdog = this.watchdog();
      this.heldWatchdog?.pause();
    }
  }

  /** Resumes the device: the watchdog's clock runs again and the normal world may start. */
  resume(): void {
    this.release();
    resumeShared(this.state);
  }

  /**
   * The pause point: returns at once when the device is not paused, else waits until it is
   * resumed (see the module comment). Called by the device before each normal-world start.
   */
  gate(): void {
    if (Atomics.load(this.state, 0) === PAUSED) this.wait();
    else if (this.heldWatchdog) this.release(); // resumed by another thread while idle
  }

  private wait(): void {
    while (Atomics.load(this.state, 0) === PAUSED) {
      if (this.whilePaused) this.whilePaused();
      else Atomics.wait(this.state, 0, PAUSED);
    }
    this.release(); // resumed by another thread: `resume` did not run on this one
  }

  private release(): void {
    this.heldWatchdog?.resume();
    this.heldWatchdog = undefined;
  }
}
