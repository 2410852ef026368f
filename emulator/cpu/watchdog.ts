/**
 * The TA watchdog. A TA that loops without end would block the thread that runs it, so a
 * separate thread watches: the device thread arms it with the running engine's handle and a
 * budget; when the budget runs out while the same run is still going, the watchdog thread calls
 * `uc_emu_stop` on that engine (Unicorn allows this from another thread). It keeps stopping
 * every few milliseconds until disarmed, because a stop that lands just before
 * `uc_emu_start` is lost.
 *
 * Arming and disarming are plain atomic stores (no thread wake-up on the hot path); the
 * watchdog thread polls every few milliseconds.
 *
 * One thread serves every core of a JS thread, each through a 32-byte slot of shared memory:
 * Int32 cells [0] generation, [1] armed, [2] fired, [3] budget in ms; a Float64 start time
 * (Date.now()); a BigInt64 engine handle.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { chooseLibrary } from './library.js';

const GEN = 0;
const ARMED = 1;
const FIRED = 2;
const BUDGET = 3;

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
const slots = [];
for (let i = 0; i < workerData.slots; i++) {
  const base = i * workerData.slotBytes;
  slots.push({
    cells: new Int32Array(workerData.sab, base, 4),
    start: new Float64Array(workerData.sab, base + 16, 1),
    handle: new BigInt64Array(workerData.sab, base + 24, 1),
  });
}
for (;;) {
  Atomics.wait(sleeper, 0, 0, workerData.pollMs);
  for (const s of slots) {
    if (Atomics.load(s.cells, 1) !== 1) continue;
    const gen = Atomics.load(s.cells, 0);
    if (Date.now() - s.start[0] < Atomics.load(s.cells, 3)) continue;
    // Keep stopping until the run ends: a stop that lands just before uc_emu_start is lost.
    while (Atomics.load(s.cells, 1) === 1 && Atomics.load(s.cells, 0) === gen) {
      Atomics.store(s.cells, 2, 1);
      stop(s.handle[0]);
      Atomics.wait(sleeper, 0, 0, 2);
    }
  }
}
`;

/** Slots available to watchdogs of one JS thread (one per TEE core alive at once). */
const SLOTS = 64;
const SLOT_BYTES = 32;

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
      eval: true, workerData: { sab, koffiPath, libraryPath: chooseLibrary().path, pollMs: 10, slots: SLOTS, slotBytes: SLOT_BYTES },
    });
    worker.unref();
    shared = { sab, used: new Array<boolean>(SLOTS).fill(false) };
  }
  return shared;
}

export class Watchdog {
  private readonly slot: number;
  private readonly cells: Int32Array;
  private readonly start: Float64Array;
  private readonly handle: BigInt64Array;

  constructor() {
    const t = sharedThread();
    this.slot = t.used.indexOf(false);
    if (this.slot < 0) throw new Error(`at most ${SLOTS} TEE cores may be alive in one thread`);
    t.used[this.slot] = true;
    const base = this.slot * SLOT_BYTES;
    this.cells = new Int32Array(t.sab, base, 4);
    this.start = new Float64Array(t.sab, base + 16, 1);
    this.handle = new BigInt64Array(t.sab, base + 24, 1);
    Atomics.store(this.cells, ARMED, 0);
  }

  /** Starts watching the engine `handle` for `budgetMs`. */
  arm(handle: bigint, budgetMs: number): void {
    this.handle[0] = BigInt.asIntN(64, handle);
    Atomics.store(this.cells, FIRED, 0);
    Atomics.store(this.cells, BUDGET, Math.max(1, Math.floor(budgetMs)));
    this.start[0] = Date.now();
    Atomics.add(this.cells, GEN, 1);
    Atomics.store(this.cells, ARMED, 1);
  }

  /** Stops watching (the run ended). */
  disarm(): void {
    Atomics.store(this.cells, ARMED, 0);
    Atomics.add(this.cells, GEN, 1);
  }

  /** Whether the watchdog stopped the last armed run. */
  fired(): boolean {
    return Atomics.load(this.cells, FIRED) === 1;
  }

  /** Frees the slot (the core closed). */
  close(): void {
    this.disarm();
    if (shared) shared.used[this.slot] = false;
  }
}
