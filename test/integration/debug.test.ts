/**
 * The debug seams of a device: its engine registry (the normal world and the TA instances as
 * they come and go) and pause / resume (`device/debug.ts`).
 */
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEE_SUCCESS } from '../../emulator/abi/results.js';
import { HELLO_WORLD, bootDevice, type TestDevice } from '../helpers/device.js';

let dev: TestDevice;
beforeAll(() => { dev = bootDevice(); });
afterAll(() => dev?.close());

/** Opens hello_world, increments `a` (command 0), closes the session; returns the new value. */
function increment(a: number): number {
  const c = dev.client;
  const open = c.openSession(HELLO_WORLD);
  expect(open.result).toBe(TEE_SUCCESS);
  const r = c.invoke(open.session!, 0, [{ type: 'value-inout', a, b: 0 }]);
  c.closeSession(open.session!);
  expect(r.result).toBe(TEE_SUCCESS);
  const p = r.params[0]!;
  return p.type === 'value' ? p.a : NaN;
}

describe('device engines', () => {
  it('lists the normal world and announces each TA instance engine with its label', () => {
    const { engines } = dev.device;
    expect(engines.list().map((e) => [e.label, e.world])).toEqual([['normal world', 'normal']]);
    const log: string[] = [];
    const offCreated = engines.onCreated((e) => log.push(`created ${e.label} (${e.world})`));
    const offClosed = engines.onClosed((e) => log.push(`closed ${e.label}`));
    try {
      expect(increment(1)).toBe(2);
      expect(increment(2)).toBe(3);
    } finally {
      offCreated();
      offClosed();
    }
    // hello_world is not kept alive: each session gets an instance, and its engine, of its own.
    const ta = `TA ${HELLO_WORLD}`;
    expect(log).toEqual([
      `created ${ta} instance 1 (secure)`, `closed ${ta} instance 1`,
      `created ${ta} instance 2 (secure)`, `closed ${ta} instance 2`,
    ]);
    expect(engines.list().map((e) => e.label)).toEqual(['normal world']);
  });
});

describe('device pause', () => {
  it('pauses while idle, resumes, and then serves an invoke', () => {
    const { debug } = dev.device;
    const watchdog = dev.device.core.watchdog;
    debug.pause();
    expect(debug.paused).toBe(true);
    expect(watchdog.paused).toBe(true);
    debug.resume();
    expect(debug.paused).toBe(false);
    expect(watchdog.paused).toBe(false);
    expect(increment(41)).toBe(42);
  });

  it('holds the normal world at its next start until the debugger resumes', () => {
    const { debug } = dev.device;
    let calls = 0;
    let watchdogPaused: boolean | undefined;
    debug.whilePaused = () => {
      calls++;
      watchdogPaused = dev.device.core.watchdog.paused;
      debug.resume();
    };
    try {
      debug.pause();
      expect(increment(7)).toBe(8);
    } finally {
      debug.whilePaused = undefined;
    }
    expect(calls).toBe(1);
    expect(watchdogPaused).toBe(true);
    expect(debug.paused).toBe(false);
    expect(dev.device.core.watchdog.paused).toBe(false);
  });

  it('stops the running TA engine when paused from its hook, and holds the device after the call', () => {
    const { debug, engines } = dev.device;
    let pausedWhileRunning: boolean | undefined;
    let gateCalls = 0;
    const offCreated = engines.onCreated((e) => {
      if (e.world !== 'secure') return;
      e.cpu.addInterruptListener(() => {
        if (pausedWhileRunning !== undefined) return;
        pausedWhileRunning = e.cpu.running;
        debug.pause(); // the TA's own listener still runs after this one
      }, { first: true });
    });
    debug.whilePaused = () => {
      gateCalls++;
      debug.resume();
    };
    try {
      expect(increment(100)).toBe(101);
    } finally {
      offCreated();
      debug.whilePaused = undefined;
    }
    expect(pausedWhileRunning).toBe(true);
    expect(gateCalls).toBe(1);
    expect(debug.paused).toBe(false);
  });

  it('waits in the gate until another thread resumes the device', async () => {
    const { debug } = dev.device;
    debug.pause();
    // The other thread knows only the shared state: it resumes the device after 100 ms.
    const worker = new Worker(`
      const { workerData } = require('node:worker_threads');
      setTimeout(() => { Atomics.store(workerData.state, 0, 0); Atomics.notify(workerData.state, 0); }, 100);
    `, { eval: true, workerData: { state: debug.state } });
    try {
      const t0 = Date.now();
      expect(increment(9)).toBe(10);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    } finally {
      await worker.terminate();
    }
    expect(debug.paused).toBe(false);
    expect(dev.device.core.watchdog.paused).toBe(false);
  });
});
