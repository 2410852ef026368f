/**
 * Deterministic runs (issue 14): with a virtual clock, `--seed` and `--huk`, two runs of the same
 * command print byte-identical traces and results; TEE_Wait jumps the clock instead of sleeping.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HELLO_WORLD, LOOP_TA, TA2TA_TA, bootDevice, type TestDevice } from '../helpers/device.js';

const BIN = join(import.meta.dirname, '../../bin/trustbox.js');
const HUK = '00000000000000000000000000000000';

function run(extra: string[]): string {
  const r = spawnSync(process.execPath, [BIN, 'invoke', '--uuid', HELLO_WORLD, '--cmd', '0', '--param', 'value-inout:41,0',
    '--seed', 'lesson', '--huk', HUK, '--trace', '--json', ...extra], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  return `${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

describe('a virtual clock', () => {
  it('two runs with --seed, --huk and --virtual-clock print the same bytes; with the real clock they do not', () => {
    const a = run(['--virtual-clock']);
    const b = run(['--virtual-clock']);
    expect(a).toContain('"result":"0x00000000"');
    expect(a).toMatch(/syscall/); // the trace is there, with its times
    expect(a.split('\n').length).toBeGreaterThan(50);
    expect(b).toBe(a);
    // Real time shows in the trace (event times, the TA's load time): runs differ.
    expect(run([])).not.toBe(run([]));
  });

  let dev: TestDevice | undefined;
  afterAll(() => dev?.close());

  it('TEE_Wait(60 s) returns at once in real time and moves the device\'s clock by 60 s', () => {
    dev = bootDevice({ virtualClock: true });
    const s = dev.client.openSession(LOOP_TA);
    const before = dev.device.events.clock.now();
    const started = performance.now();
    const r = dev.client.invoke(s.session, 2, [{ type: 'value-in', a: 60_000, b: 0 }]);
    expect(r.result).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(dev.device.events.clock.now() - before).toBeGreaterThanOrEqual(60_000);
  });

  it('a TA-to-TA call with a 5 s timeout to a callee waiting 60 s: CANCEL, the clock moves to the timeout only', () => {
    dev ??= bootDevice({ virtualClock: true });
    const s = dev.client.openSession(TA2TA_TA);
    const before = dev.device.events.clock.now();
    const r = dev.client.invoke(s.session, 3, [
      { type: 'value-in', a: 60_000, b: 5_000 }, { type: 'value-out' }, { type: 'value-in', a: 0, b: 0 },
    ]);
    expect(r.params[1]).toEqual({ type: 'value', a: 0xffff0002, b: 4 }); // TEE_ERROR_CANCEL from the TA
    const moved = dev.device.events.clock.now() - before;
    expect(moved).toBeGreaterThanOrEqual(5_000);
    expect(moved).toBeLessThan(6_000);
  });
});
