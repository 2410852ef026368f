/**
 * Snapshot benchmarks (issue 14): snapshot.restore.ms, the p50 of restoring one device in
 * place from snapshot file bytes (decode, check and restore, in-process, warm: what
 * `useDevice` does before each test; goal under 5 ms), snapshot.take.ms (the p50 of taking
 * a snapshot and encoding it as a file) and snapshot.file.kb (the file's size), on a booted
 * default-image device at rest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device } from '../../emulator/device/device.js';
import { decodeSnapshot, encodeSnapshot } from '../../emulator/device/snapshot-file.js';
import { median } from './core.js';
import type { BenchMetric } from './types.js';

const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const WARMUP = 20;
const RUNS = 200;

let figures: { restore: number; take: number; kb: number } | undefined;

function measure(): { restore: number; take: number; kb: number } {
  if (figures) return figures;
  const state = mkdtempSync(join(tmpdir(), 'trustbox-bench-snap-'));
  const device = new Device({ stateDir: state, watchdogMs: 60_000 });
  try {
    device.boot();
    const take: number[] = [];
    let bytes = encodeSnapshot(device.snapshot());
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      bytes = encodeSnapshot(device.snapshot());
      take.push(performance.now() - t0);
    }
    const restore: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      // Something to undo, as between two tests: a session opened and closed.
      const s = device.client.openSession(HELLO_WORLD);
      device.client.closeSession(s.session);
      const t0 = performance.now();
      device.restore(decodeSnapshot(bytes, 'bench', device.board));
      if (i >= WARMUP) restore.push(performance.now() - t0);
    }
    figures = { restore: median(restore), take: median(take), kb: bytes.length / 1024 };
    return figures;
  } finally {
    device.powerOff();
    rmSync(state, { recursive: true, force: true });
  }
}

export const metrics: BenchMetric[] = [
  { name: 'snapshot.restore.ms', unit: 'ms', run: () => measure().restore },
  { name: 'snapshot.take.ms', unit: 'ms', run: () => measure().take },
  { name: 'snapshot.file.kb', unit: 'KiB', run: () => measure().kb },
];
