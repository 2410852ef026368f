/**
 * Where a device's time comes from. A real clock reads the host's clocks. A virtual clock
 * (`--virtual-clock`) starts at 0 and moves only when read (one microsecond per reading, so
 * events keep their order) or when the device lets time pass (TEE_Wait jumps ahead instead of
 * sleeping): with `--seed` as well, two runs of the same script give byte-identical traces,
 * console lines and results. The watchdog stays on real time either way: it guards the host.
 */

export interface Clock {
  /** Whether this clock is virtual (time passes only as the device says). */
  readonly virtual: boolean;
  /** Milliseconds since the clock started; never goes back. */
  now(): number;
  /** Wall-clock time in ms since the Unix epoch (the REE time the normal world reports). */
  epochMs(): number;
  /** Lets `ms` pass: a virtual clock jumps ahead; a real clock does nothing (the caller waits). */
  advance(ms: number): void;
  /** The time now without moving a virtual clock (device snapshots read it so). */
  peek(): number;
}

/** The host's clocks, reading `from` ms at first (a restored device goes on from its snapshot's time). */
export function realClock(from = 0): Clock {
  const start = performance.now() - from;
  const now = (): number => performance.now() - start;
  return { virtual: false, now, epochMs: () => Date.now(), advance: () => {}, peek: now };
}

/** 2026-01-01T00:00:00Z: the wall-clock time of a virtual clock at 0. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);
/** How far a virtual clock moves on each reading (ms). */
const TICK_MS = 0.001;

/** A virtual clock at `start` ms (0: a fresh device; a restored one goes on from its snapshot's time). */
export function virtualClock(start = 0): Clock {
  let t = start;
  return {
    virtual: true,
    now: () => {
      t += TICK_MS;
      return t;
    },
    epochMs: () => VIRTUAL_EPOCH_MS + Math.floor(t),
    advance: (ms) => {
      if (ms > 0) t += ms;
    },
    peek: () => t,
  };
}
