/**
 * Attestation benchmark (issue 13 section 3), in process:
 *   attest.token.ms  median ms to produce one PSA token about hello_world (loaded), as the
 *                    `attest` operation does it: find the TA's measurement, build the claims,
 *                    sign with the device identity key (ES256). 101 runs after 10 warm-up runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecClient } from '../../emulator/cli/spec-client.js';
import { attest } from '../../emulator/device/attest.js';
import { Device } from '../../emulator/device/device.js';
import { median } from './core.js';
import type { BenchMetric } from './types.js';

const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';

function measure(): number {
  const state = mkdtempSync(join(tmpdir(), 'trustbox-bench-attest-'));
  const device = new Device({ stateDir: state, watchdogMs: 60_000 });
  try {
    device.boot();
    const client = new SpecClient(device);
    const open = client.openSession(HELLO_WORLD); // loaded: its instance's measurement is used
    if (open.result !== 0) throw new Error(`hello_world: 0x${(open.result >>> 0).toString(16)}`);
    const nonce = Buffer.alloc(32);
    const once = (i: number): number => {
      nonce.writeUInt32LE(i, 0);
      const t0 = performance.now();
      attest(device, { uuid: HELLO_WORLD, nonce });
      return performance.now() - t0;
    };
    for (let i = 0; i < 10; i++) once(i);
    const times: number[] = [];
    for (let i = 0; i < 101; i++) times.push(once(100 + i));
    client.closeSession(open.session!);
    return median(times);
  } finally {
    device.powerOff();
    rmSync(state, { recursive: true, force: true });
  }
}

export const metrics: BenchMetric[] = [
  { name: 'attest.token.ms', unit: 'ms', run: () => measure() },
];
