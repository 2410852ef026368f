/**
 * The watchdog's pause: a paused watchdog never stops a run, and after resume the budget that
 * was left applies. The guest spins through `svc` so that the test can act from inside the run
 * (the engine blocks this thread; only the watchdog thread can stop it from outside).
 * Timings are loose on purpose: the watchdog polls every 10 ms and the machine may be busy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Cpu, PERM } from '../../emulator/cpu/cpu.js';
import { Watchdog } from '../../emulator/cpu/watchdog.js';

const CODE = 0x40000000;
/** Ends any run that nothing else stopped, so that a failing test cannot hang. */
const SAFETY_MS = 5000;

const cleanup: (() => void)[] = [];
afterEach(() => { while (cleanup.length) cleanup.pop()!(); });

/** An engine spinning through `svc #0`, and a watchdog; `step` runs on every svc. */
function spinner(step: (elapsedMs: number) => void): { cpu: Cpu; watchdog: Watchdog; run(budgetMs: number): number } {
  const cpu = Cpu.create({ model: 'cortex-a53', secure: true });
  const watchdog = new Watchdog();
  cleanup.push(() => cpu.close(), () => watchdog.close());
  cpu.mapRam(CODE, 0x1000, PERM.RWX);
  const code = Buffer.alloc(8);
  code.writeUInt32LE(0xd4000001, 0); // svc #0
  code.writeUInt32LE(0x17ffffff, 4); // b CODE
  cpu.write(CODE, code);
  let armedAt = 0;
  cpu.addInterruptListener(() => {
    const elapsed = Date.now() - armedAt;
    if (elapsed > SAFETY_MS) cpu.stop();
    else step(elapsed);
  });
  return {
    cpu, watchdog,
    run(budgetMs) {
      armedAt = Date.now();
      watchdog.arm(cpu.handle, budgetMs);
      try {
        cpu.run(CODE);
      } finally {
        watchdog.disarm();
      }
      return Date.now() - armedAt;
    },
  };
}

describe('Watchdog pause', () => {
  it('stops a run that outlives its budget (the baseline)', () => {
    const s = spinner(() => {});
    const took = s.run(50);
    expect(s.watchdog.fired()).toBe(true);
    expect(s.cpu.stopRequested).toBe(false);
    expect(took).toBeGreaterThanOrEqual(49);
    expect(took).toBeLessThan(SAFETY_MS);
  });

  it('does not stop a running engine while paused, however long past its budget', () => {
    let paused = false;
    const s = spinner((elapsed) => {
      if (!paused) {
        s.watchdog.pause();
        paused = true;
      } else if (elapsed >= 300) {
        s.cpu.stop(); // six budgets later, the test ends the run itself
      }
    });
    const took = s.run(50);
    expect(s.watchdog.paused).toBe(true);
    expect(s.watchdog.fired()).toBe(false);
    expect(s.cpu.stopRequested).toBe(true);
    expect(took).toBeGreaterThanOrEqual(300);
    s.watchdog.resume();
    expect(s.watchdog.paused).toBe(false);
  });

  it('applies the budget left at pause once resumed', () => {
    const budget = 200;
    let pausedAt: number | undefined;
    let resumedAt: number | undefined;
    const s = spinner((elapsed) => {
      if (pausedAt === undefined && elapsed >= 100) {
        s.watchdog.pause();
        pausedAt = elapsed;
      } else if (pausedAt !== undefined && resumedAt === undefined && elapsed >= pausedAt + 400) {
        s.watchdog.resume();
        resumedAt = elapsed;
      }
    });
    const took = s.run(budget);
    expect(s.watchdog.fired()).toBe(true);
    expect(pausedAt).toBeDefined();
    expect(resumedAt).toBeDefined(); // not stopped during the 400 ms pause, twice the budget
    const left = budget - pausedAt!;
    const afterResume = took - resumedAt!;
    expect(afterResume).toBeGreaterThanOrEqual(left - 5);
    expect(afterResume).toBeLessThan(left + 1000);
  });

  it('starts the clock of a run armed while paused only at resume', () => {
    let resumedAt: number | undefined;
    const s = spinner((elapsed) => {
      if (resumedAt === undefined && elapsed >= 200) {
        s.watchdog.resume();
        resumedAt = elapsed;
      }
    });
    s.watchdog.pause();
    const took = s.run(100);
    expect(s.watchdog.fired()).toBe(true);
    expect(resumedAt).toBeDefined();
    expect(took - resumedAt!).toBeGreaterThanOrEqual(95);
  });
});
