/**
 * Preemption cells: how another thread (the TA watchdog) stops an engine without corrupting it.
 *
 * libunicorn 2.0.1 checks for an exit request after every guest load and store as well as at
 * the start of each translation block, and when it leaves a block at one of the inner checks it
 * sets the PC back to the block's first instruction although the instructions before the load
 * or store have run. A `uc_emu_stop` from another thread lands at whichever check comes next,
 * so resuming at the PC it leaves runs part of a block twice: long TA computations gave wrong
 * results or faults once they were time-sliced.
 *
 * So the watchdog thread never calls `uc_emu_stop` on a preemptible engine. It sets the
 * engine's request flag, and a native block hook (native/preempt.c, `libtrustbox-preempt.so`)
 * that runs at the start of every block, before the block's own exit check and before any of
 * its instructions, calls `uc_emu_stop` from the engine's thread when the flag is set. The PC
 * after the stop is then the exact start of a block that has not run.
 *
 * The cells live in one SharedArrayBuffer per JS thread (the watchdog thread gets it too), 32
 * bytes each: an Int32 request flag; an Int32 the hook sets when it stopped the engine; the
 * address of the loaded library's `uc_emu_stop`; the address of the block the hook stopped at
 * (where to resume: with code hooks in the engine, 2.0.1 leaves a stale PC when it leaves a
 * block at its start); 8 bytes unused. The request stays set until the engine's owner clears
 * the cell for the next run, so a request that arrives just before `uc_emu_start` is not lost.
 */
import koffi from 'koffi';
import { findNativeLibrary } from '../host/native.js';
import { addressOf } from './unicorn.js';
import { chooseLibrary } from './library.js';

/** Cells per JS thread (one per engine alive at once; engines beyond get none). */
export const PREEMPT_CELLS = 4096;
export const PREEMPT_CELL_BYTES = 32;
/** Int32 and BigInt64 elements per cell. */
const I32 = PREEMPT_CELL_BYTES / 4;
const I64 = PREEMPT_CELL_BYTES / 8;
export const PREEMPT_LIBRARY = 'libtrustbox-preempt.so';

let table: { sab: SharedArrayBuffer; flags: Int32Array; words: BigInt64Array; used: Uint8Array } | undefined;

function cells(): NonNullable<typeof table> {
  if (!table) {
    const sab = new SharedArrayBuffer(PREEMPT_CELLS * PREEMPT_CELL_BYTES);
    table = { sab, flags: new Int32Array(sab), words: new BigInt64Array(sab), used: new Uint8Array(PREEMPT_CELLS) };
  }
  return table;
}

/** The cells' memory, for the watchdog thread. */
export function preemptTable(): SharedArrayBuffer {
  return cells().sab;
}

/** Where the hook library is: native/build/ of the project (from the sources or from dist/). */
export function findPreemptLibrary(): string | undefined {
  return findNativeLibrary(PREEMPT_LIBRARY);
}

let native: { hook: bigint; stop: bigint } | null | undefined;
/** The loaded libraries, held for the thread's life: a collected koffi library is unloaded. */
const held: unknown[] = [];
let missing: string | undefined;

/**
 * The hook's address and uc_emu_stop's, or undefined when the hook library is not built (then
 * engines are stopped from the watchdog thread directly, as before, and `preemptionProblem`
 * says why).
 */
function nativeHook(): { hook: bigint; stop: bigint } | undefined {
  if (native === undefined) {
    native = null;
    const path = findPreemptLibrary();
    if (!path) {
      missing = `${PREEMPT_LIBRARY} is not built (npm run build makes it): long TA runs may go wrong when time-sliced`;
    } else {
      try {
        const hookLib = koffi.load(path);
        const engine = koffi.load(chooseLibrary().path);
        held.push(hookLib, engine);
        native = {
          hook: BigInt(koffi.address(hookLib.symbol('trustbox_preempt_block'))),
          stop: BigInt(koffi.address(engine.symbol('uc_emu_stop'))),
        };
      } catch (error) {
        missing = `${path} does not load (${(error as Error).message}): long TA runs may go wrong when time-sliced`;
      }
    }
  }
  return native ?? undefined;
}

/** Why engines are not preemptible at block starts, or undefined when they are. */
export function preemptionProblem(): string | undefined {
  nativeHook();
  return missing;
}

/** A cell taken for one engine: the hook to add, its user data, and the cell's index. */
export interface PreemptCell {
  readonly index: number;
  /** The native UC_HOOK_BLOCK callback. */
  readonly hook: bigint;
  /** The cell's address (the hook's user_data). */
  readonly userData: bigint;
}

/** Takes a free cell, or returns undefined (no hook library, or every cell in use). */
export function takePreemptCell(): PreemptCell | undefined {
  const n = nativeHook();
  if (!n) return undefined;
  const t = cells();
  const index = t.used.indexOf(0);
  if (index < 0) return undefined;
  t.used[index] = 1;
  clearPreemptRequest(index);
  t.words[index * I64 + 1] = BigInt.asIntN(64, n.stop);
  return { index, hook: n.hook, userData: addressOf(t.flags.subarray(index * I32, (index + 1) * I32)) };
}

/** Clears a cell for the next run: no request, not stopped. */
export function clearPreemptRequest(index: number): void {
  const t = cells();
  Atomics.store(t.flags, index * I32, 0);
  Atomics.store(t.flags, index * I32 + 1, 0);
}

/** Where the hook stopped the engine in its last run (the PC to resume at), or undefined. */
export function preemptedAt(index: number): number | undefined {
  const t = cells();
  if (Atomics.load(t.flags, index * I32 + 1) !== 1) return undefined;
  return Number(BigInt.asUintN(64, t.words[index * I64 + 2]!));
}

/** Gives a cell back (its engine is closed: the hook can no longer run). */
export function releasePreemptCell(index: number): void {
  clearPreemptRequest(index);
  cells().used[index] = 0;
}
