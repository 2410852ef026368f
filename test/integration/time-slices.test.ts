/**
 * Time slices never corrupt a TA. A TA call that runs longer than one slice (10 ms) is stopped
 * by the watchdog thread and resumed later, many times over; libunicorn 2.0.1 can leave a block
 * half run when stopped from another thread, so the emulator stops engines only at block starts
 * (cpu/preempt.ts). The bench TA chains SHA-256 over many rounds (each round hashes the input
 * and the previous digest), so a single instruction run twice or skipped anywhere changes the
 * digest, which node:crypto computes independently.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { preemptionProblem } from '../../emulator/cpu/preempt.js';
import type { DeviceOptions } from '../../emulator/device/device.js';
import { bootDevice } from '../helpers/device.js';

const BENCH_TA = '5e1d8a4c-2b9f-4e07-b36a-9012cc7d45e8';
const ROUNDS = 40_000;
const INPUT = Buffer.from('a message hashed again and again, slice after slice');

function expected(rounds: number): string {
  let digest = Buffer.alloc(0);
  for (let r = 0; r < rounds; r++) digest = createHash('sha256').update(INPUT).update(digest).digest();
  return digest.toString('hex');
}

/** Runs the chained hash `times` times on one device; returns the digests and the slices taken. */
function chained(options: DeviceOptions, times: number): { digests: string[]; slices: number } {
  const dev = bootDevice({ ...options, trace: true, watchdogMs: 60_000 });
  try {
    const session = dev.client.openSession(BENCH_TA).session!;
    const digests: string[] = [];
    for (let i = 0; i < times; i++) {
      const r = dev.client.invoke(session, 0, [
        { type: 'memref-in', data: INPUT }, { type: 'memref-out', size: 32 }, { type: 'value-in', a: ROUNDS, b: 0 },
      ]);
      expect(r.result, `run ${i}: ${dev.lines('secure').slice(-2).join(' | ')}`).toBe(0);
      const out = r.params[1];
      digests.push(out?.type === 'memref' ? Buffer.from(out.data).toString('hex') : '');
    }
    const slices = dev.events.filter((e) => e.type === 'smc-return' && /FOREIGN_INTR/.test(e.name + ' ' + e.outcome)).length;
    return { digests, slices };
  } finally {
    dev.close();
  }
}

describe('time slices', () => {
  const want = expected(ROUNDS);

  it('the engines stop at block starts: the hook library is built', () => {
    expect(preemptionProblem()).toBeUndefined();
  });

  it('a long TA computation cut into many slices gives the digest node:crypto gives', () => {
    const { digests, slices } = chained({}, 3);
    expect(slices).toBeGreaterThan(3); // it really was cut, more than once per call
    for (const d of digests) expect(d).toBe(want);
  });

  it('also with a virtual clock (resumed at once) and with exact fault PCs (code hooks in the engine)', () => {
    expect(chained({ virtualClock: true }, 2).digests).toEqual([want, want]);
    const exact = chained({ exactFaultPcs: true }, 2);
    expect(exact.slices).toBeGreaterThan(2);
    expect(exact.digests).toEqual([want, want]);
  });
});
