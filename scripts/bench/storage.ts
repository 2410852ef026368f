/**
 * Trusted-storage benchmarks (issue "crypto and storage"), through the secure_storage sample TA
 * from the client: each call opens a session, invokes, and closes it, as the optee_examples
 * host program does, and the write really reaches the state directory through the FS RPCs
 * (sealed blob, sealed index to a temporary name, rename, old blob removed).
 *   storage.write4k.ms  median ms of one WRITE_RAW of a 4 KiB object (overwriting it)
 *   storage.read4k.ms   median ms of one READ_RAW of that 4 KiB object
 * 21 runs each after 3 warm-up runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device } from '../../emulator/device/device.js';
import type { ParamSpec } from '../../emulator/cli/params.js';
import { SpecClient } from '../../emulator/cli/spec-client.js';
import { median } from './core.js';
import type { BenchMetric } from './types.js';

const SECURE_STORAGE_TA = 'f4e750bb-1437-4fbf-8785-8d3580c34994';
const CMD_READ_RAW = 0;
const CMD_WRITE_RAW = 1;
const SIZE = 4096;

function measure(which: 'write' | 'read'): number {
  const state = mkdtempSync(join(tmpdir(), 'trustbox-bench-storage-'));
  const device = new Device({ stateDir: state, watchdogMs: 60_000 });
  try {
    device.boot();
    const client = new SpecClient(device);
    const id: ParamSpec = { type: 'memref-in', data: Buffer.from('bench-4k') };
    const call = (cmd: number, params: ParamSpec[]): number => {
      const t0 = performance.now();
      const open = client.openSession(SECURE_STORAGE_TA);
      if (open.result !== 0) throw new Error(`secure_storage TA: 0x${(open.result >>> 0).toString(16)}`);
      const r = client.invoke(open.session!, cmd, params);
      client.closeSession(open.session!);
      const ms = performance.now() - t0;
      if (r.result !== 0) throw new Error(`secure_storage command ${cmd}: 0x${(r.result >>> 0).toString(16)}`);
      return ms;
    };
    let n = 0;
    const write = (): number => call(CMD_WRITE_RAW, [id, { type: 'memref-in', data: Buffer.alloc(SIZE, n++ & 0xff) }]);
    const read = (): number => call(CMD_READ_RAW, [id, { type: 'memref-out', size: SIZE }]);
    const once = which === 'write' ? write : read;
    write();
    for (let i = 0; i < 3; i++) once();
    const times: number[] = [];
    for (let i = 0; i < 21; i++) times.push(once());
    return median(times);
  } finally {
    device.powerOff();
    rmSync(state, { recursive: true, force: true });
  }
}

export const metrics: BenchMetric[] = [
  { name: 'storage.write4k.ms', unit: 'ms', run: () => measure('write') },
  { name: 'storage.read4k.ms', unit: 'ms', run: () => measure('read') },
];
