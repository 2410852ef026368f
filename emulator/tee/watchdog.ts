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
 * Shared state: Int32 cells [0] generation, [1] armed (0 no, 1 yes, 2 exit), [2] fired,
 * [3] budget in ms; a Float64 cell with the start time (Date.now()); a BigInt64 cell with the
 * engine handle.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const GEN = 0;
const ARMED = 1;
const FIRED = 2;
const BUDGET = 3;

// Runs in the watchdog thread. Plain JavaScript so that it works from sources and from dist.
const THREAD_SOURCE = `
const { workerData } = require('node:worker_threads');
const koffi = require(workerData.koffiPath);
const lib = koffi.load('libunicorn.so.2');
const stop = lib.func('int uc_emu_stop(void *uc)');
const cells = new Int32Array(workerData.sab, 0, 4);
const start = new Float64Array(workerData.sab, 16, 1);
const handle = new BigInt64Array(workerData.sab, 24, 1);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  Atomics.wait(sleeper, 0, 0, workerData.pollMs);
  const armed = Atomics.load(cells, 1);
  if (armed === 2) break;
  if (armed !== 1) continue;
  const gen = Atomics.load(cells, 0);
  if (Date.now() - start[0] < Atomics.load(cells, 3)) continue;
  while (Atomics.load(cells, 1) === 1 && Atomics.load(cells, 0) === gen) {
    Atomics.store(cells, 2, 1);
    stop(handle[0]);
    Atomics.wait(sleeper, 0, 0, 2);
  }
}
`;

export class Watchdog {
  private readonly sab = new SharedArrayBuffer(32);
  private readonly cells = new Int32Array(this.sab, 0, 4);
  private readonly start = new Float64Array(this.sab, 16, 1);
  private readonly handle = new BigInt64Array(this.sab, 24, 1);
  private readonly worker: Worker;

  constructor() {
    const koffiPath = createRequire(import.meta.url).resolve('koffi');
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { sab: this.sab, koffiPath, pollMs: 10 } });
    this.worker.unref();
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

  /** Ends the watchdog thread. */
  close(): void {
    Atomics.store(this.cells, ARMED, 2);
    void this.worker.terminate();
  }
}
