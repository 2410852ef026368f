/**
 * The TA watchdog. A TA that loops without end would block the thread that runs it, so a
 * separate thread watches: the device thread arms it with the running engine's handle, its
 * preemption cell and a budget; when the budget runs out while the same run is still going, the
 * watchdog thread sets the cell's request flag, and the engine's native block hook stops it at
 * the start of the next block (cpu/preempt.ts says why a stop from another thread must not land
 * anywhere else). The flag stays set until the next arm, so a request that comes just before
 * `uc_emu_start` is not lost. An engine without a cell (the hook library is not built) is
 * stopped with `uc_emu_stop` from the watchdog thread, every few milliseconds until disarmed.
 *
 * Arming and disarming are plain atomic stores (no thread wake-up on the hot path); the
 * watchdog thread polls every few milliseconds.
 *
 * A watchdog can be paused (a debugger holds the device at a breakpoint): its clock stops, and
 * the budget that was left applies again after `resume`. While paused it never stops a run.
 *
 * One thread serves every core of a JS thread, each through a 48-byte slot of shared memory:
 * Int32 cells [0] generation, [1] armed, [2] fired, [3] budget in ms, [4] paused, [5] the armed
 * engine's preemption cell (-1: none); a Float64
 * start time (Date.now(), moved forward by each pause) at byte 24; a BigInt64 engine handle at
 * byte 32.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { chooseLibrary } from './library.js';
import { clearPreemptRequest, PREEMPT_CELL_BYTES, preemptTable } from './preempt.js';

const GEN = 0;
const ARMED = 1;
const FIRED = 2;
const BUDGET = 3;
const PAUSED = 4;
const CELL = 5;
/** Byte offsets in a slot (cells first, then the start time and the handle, 8-byte aligned). */
const START_AT = 24;
const HANDLE_AT = 32;

// Runs in the watchdog thread. Plain JavaScript so that it works from sources and from dist.
const THREAD_SOURCE = `
const { workerData } = require('node:worker_threads');
// koffi and libunicorn are loaded only when a run must be stopped: a thread caught inside a
// native library load when the process exits takes the whole process down.
let stopFn;
const stop = (handle) => {
  if (!stopFn) stopFn = require(workerData.koffiPath).load(workerData.libraryPath).func('int uc_emu_stop(void *uc)');
  stopFn(handle);
};
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const preempt = new Int32Array(workerData.preempt);
const slots = [];
for (let i = 0; i < workerData.slots; i++) {
  const base = i * workerData.slotBytes;
  slots.push({
    cells: new Int32Array(workerData.sab, base, 6),
    start: new Float64Array(workerData.sab, base + workerData.startAt, 1),
    handle: new BigInt64Array(workerData.sab, base + workerData.handleAt, 1),
  });
}
for (;;) {
  Atomics.wait(sleeper, 0, 0, workerData.pollMs);
  for (const s of slots) {
    // A paused slot's clock stands still: its owner moves the start time on when it resumes.
    if (Atomics.load(s.cells, 1) !== 1 || Atomics.load(s.cells, 4) === 1) continue;
    const gen = Atomics.load(s.cells, 0);
    const cell = Atomics.load(s.cells, 5);
    if (Date.now() - s.start[0] < Atomics.load(s.cells, 3)) continue;
    if (cell >= 0) {
      // The engine's block hook stops it; the flag stays set until the owner's next arm.
      if (Atomics.load(s.cells, 0) !== gen) continue;
      Atomics.store(s.cells, 2, 1);
      Atomics.store(preempt, cell * workerData.cellInts, 1);
      continue;
    }
    // Keep stopping until the run ends: a stop that lands just before uc_emu_start is lost.
    while (Atomics.load(s.cells, 1) === 1 && Atomics.load(s.cells, 0) === gen && Atomics.load(s.cells, 4) === 0) {
      Atomics.store(s.cells, 2, 1);
      stop(s.handle[0]);
      Atomics.wait(sleeper, 0, 0, 2);
    }
  }
}
`;

/** Slots available to watchdogs of one JS thread (one per TEE core alive at once). */
const SLOTS = 64;
const SLOT_BYTES = 48;

/**
 * The watchdog thread of this JS thread: started on first use and never terminated (it only
 * sleeps in Atomics.wait). It loads the native library only when it must stop a run, because a
 * thread that is inside a native library load when the process exits aborts the process.
 */
let shared: { sab: SharedArrayBuffer; used: boolean[] } | undefined;

function sharedThread(): { sab: SharedArrayBuffer; used: boolean[] } {
  if (!shared) {
    const sab = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
    const koffiPath = createRequire(import.meta.url).resolve('koffi');
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        sab, preempt: preemptTable(), cellInts: PREEMPT_CELL_BYTES / 4, koffiPath, libraryPath: chooseLibrary().path, pollMs: 10, slots: SLOTS, slotBytes: SLOT_BYTES,
        startAt: START_AT, handleAt: HANDLE_AT,
      },
    });
    worker.unref();
    shared = { sab, used: new Array<boolean>(SLOTS).fill(false) };
  }
  return shared;
}

/** Stops a TA engine that runs longer than its budget (see the module comment). */
export class Watchdog {
  private readonly slot: number;
  private readonly cells: Int32Array;
  private readonly start: Float64Array;
  private readonly handle: BigInt64Array;
  /** When the current pause began (Date.now()), or undefined when not paused. */
  private pausedAt: number | undefined;

  constructor() {
    const t = sharedThread();
    this.slot = t.used.indexOf(false);
    if (this.slot < 0) throw new Error(`at most ${SLOTS} TEE cores may be alive in one thread`);
    t.used[this.slot] = true;
    const base = this.slot * SLOT_BYTES;
    this.cells = new Int32Array(t.sab, base, 6);
    this.start = new Float64Array(t.sab, base + START_AT, 1);
    this.handle = new BigInt64Array(t.sab, base + HANDLE_AT, 1);
    Atomics.store(this.cells, ARMED, 0);
    Atomics.store(this.cells, PAUSED, 0);
  }

  /**
   * Starts watching the engine `handle` for `budgetMs`; `cell` is its preemption cell
   * (`Cpu.preemptible()`), or -1 to have it stopped with uc_emu_stop.
   */
  arm(handle: bigint, budgetMs: number, cell = -1): void {
    this.handle[0] = BigInt.asIntN(64, handle);
    if (cell >= 0) clearPreemptRequest(cell);
    Atomics.store(this.cells, CELL, cell);
    Atomics.store(this.cells, FIRED, 0);
    Atomics.store(this.cells, BUDGET, Math.max(1, Math.floor(budgetMs)));
    const now = Date.now();
    this.start[0] = now;
    // Armed while paused: the budget's clock starts only at `resume`.
    if (this.pausedAt !== undefined) this.pausedAt = now;
    Atomics.add(this.cells, GEN, 1);
    Atomics.store(this.cells, ARMED, 1);
  }

  /** Stops watching (the run ended). */
  disarm(): void {
    Atomics.store(this.cells, ARMED, 0);
    Atomics.add(this.cells, GEN, 1);
  }

  /**
   * Stops the clock: the budget left is kept, and no run is stopped until `resume`. For a
   * debugger holding the device (at a breakpoint, or paused); pausing twice is one pause.
   */
  pause(): void {
    if (this.pausedAt !== undefined) return;
    this.pausedAt = Date.now();
    Atomics.store(this.cells, PAUSED, 1);
  }

  /** Starts the clock again; the budget that was left when `pause` was called applies. */
  resume(): void {
    if (this.pausedAt === undefined) return;
    // Move the start on by the pause, before the watchdog thread may look at it again.
    this.start[0] += Date.now() - this.pausedAt;
    this.pausedAt = undefined;
    Atomics.store(this.cells, PAUSED, 0);
  }

  /** Whether the clock is stopped (`pause` without `resume`). */
  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  /** Whether the watchdog stopped the last armed run. */
  fired(): boolean {
    return Atomics.load(this.cells, FIRED) === 1;
  }

  /** Frees the slot (the core closed). */
  close(): void {
    this.disarm();
    this.pausedAt = undefined;
    Atomics.store(this.cells, PAUSED, 0);
    if (shared) shared.used[this.slot] = false;
  }
}
