/**
 * Snapshot and restore of a whole device (device/snapshot.ts): a restored device behaves as
 * the device it was taken from, byte for byte with a seed and a virtual clock; a damaged,
 * truncated, foreign or newer snapshot is refused before anything changes; a device that is
 * not at rest is neither snapshot nor restored.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Device } from '../../emulator/device/device.js';
import { decodeSnapshot, encodeSnapshot, SnapshotError } from '../../emulator/device/snapshot-file.js';
import { getBoard } from '../../emulator/machine/boards.js';
import type { DeviceEvent } from '../../emulator/trace/events.js';
import { SpecClient } from '../../emulator/cli/spec-client.js';
import { HELLO_WORLD, RANDOM_TA, SIMS_TA } from '../helpers/device.js';

const SECURE_STORAGE = 'f4e750bb-1437-4fbf-8785-8d3580c34994';
const OPTIONS = { seed: 'snapshot-test', virtualClock: true, seedFuses: true, trace: true, watchdogMs: 10_000 } as const;

const dirs: string[] = [];
const devices: Device[] = [];
afterEach(() => {
  for (const d of devices.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'trustbox-snap-'));
  dirs.push(d);
  return d;
}

function boot(dir: string, options: Record<string, unknown> = OPTIONS): Device {
  const d = new Device({ ...options, stateDir: dir });
  devices.push(d);
  d.boot();
  return d;
}

const text = (s: string) => ({ type: 'memref-in' as const, data: Buffer.from(s) });

/** hello_world increments, a secure-storage write and read, random bytes: results as JSON. */
function scriptS(c: SpecClient): string[] {
  const out: unknown[] = [];
  const hw = c.openSession(HELLO_WORLD);
  out.push(hw, c.invoke(hw.session!, 0, [{ type: 'value-inout', a: 41, b: 0 }]), c.invoke(hw.session!, 0, [{ type: 'value-inout', a: 7, b: 0 }]));
  c.closeSession(hw.session!);
  const st = c.openSession(SECURE_STORAGE);
  out.push(c.invoke(st.session!, 1, [text('snap-obj'), text('written by script S')]));
  out.push(c.invoke(st.session!, 0, [text('snap-obj'), { type: 'memref-out', size: 64 }]));
  out.push(c.invoke(st.session!, 0, [text('other-obj'), { type: 'memref-out', size: 64 }]));
  c.closeSession(st.session!);
  const rnd = c.openSession(RANDOM_TA);
  out.push(c.invoke(rnd.session!, 0, [{ type: 'memref-out', size: 16 }]));
  c.closeSession(rnd.session!);
  return out.map((o) => JSON.stringify(o, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** Runs S and records the results and every event it made, as text. */
function record(d: Device): { results: string[]; trace: string[] } {
  const trace: string[] = [];
  const off = d.events.on((e: DeviceEvent) => trace.push(JSON.stringify(e)));
  try {
    return { results: scriptS(new SpecClient(d)), trace };
  } finally {
    off();
  }
}

/** Other work that changes storage, counters, sessions and the random stream. */
function otherStuff(d: Device): void {
  const c = new SpecClient(d);
  const st = c.openSession(SECURE_STORAGE);
  c.invoke(st.session!, 1, [text('snap-obj'), text('something else')]);
  c.invoke(st.session!, 1, [text('other-obj'), text('should vanish')]);
  c.closeSession(st.session!);
  for (let i = 0; i < 3; i++) {
    const hw = c.openSession(HELLO_WORLD);
    c.invoke(hw.session!, 0, [{ type: 'value-inout', a: i, b: 0 }]);
    c.closeSession(hw.session!);
  }
  const rnd = c.openSession(RANDOM_TA);
  c.invoke(rnd.session!, 0, [{ type: 'memref-out', size: 32 }]);
  c.closeSession(rnd.session!);
}

describe('snapshot restore equals fresh boot', () => {
  it('for a scripted sequence: identical results and byte-identical traces (seed, virtual clock)', () => {
    // The same state directory path for both runs: nothing of the trace may differ.
    const dir = stateDir();
    const a = boot(dir);
    const fresh = record(a);
    a.powerOff();
    rmSync(dir, { recursive: true, force: true });

    const b = boot(dir);
    const snap = encodeSnapshot(b.snapshot());
    otherStuff(b);
    b.restore(decodeSnapshot(snap, 'test', b.board));
    const restored = record(b);

    expect(restored.results).toEqual(fresh.results);
    expect(fresh.trace.length).toBeGreaterThan(100);
    expect(restored.trace.join('\n')).toBe(fresh.trace.join('\n'));
    const read = JSON.parse(fresh.results[4]!) as { result: number; params: { data: Record<string, number> }[] };
    expect(Buffer.from(Object.values(read.params[1]!.data)).toString()).toBe('written by script S'); // the read answers the write
    expect(JSON.parse(fresh.results[5]!).result >>> 0).toBe(0xffff0008); // other-obj: ITEM_NOT_FOUND, as after boot
  }, 60_000);

  it('a device booted from a snapshot file (`restore` option) in another state directory is the same device', () => {
    const a = boot(stateDir());
    const c = new SpecClient(a);
    const st = c.openSession(SECURE_STORAGE);
    expect(c.invoke(st.session!, 1, [text('kept'), text('survives the file')]).result).toBe(0);
    c.closeSession(st.session!);
    const file = join(stateDir(), 'dev.tbsnap');
    writeFileSync(file, encodeSnapshot(a.snapshot()));
    const identity = a.identity().deviceId;
    a.powerOff();

    const b = boot(stateDir(), { restore: file, trace: true });
    expect(b.identity().deviceId).toBe(identity);
    const cb = new SpecClient(b);
    const s2 = cb.openSession(SECURE_STORAGE);
    const r = cb.invoke(s2.session!, 0, [text('kept'), { type: 'memref-out', size: 64 }]);
    expect(r.result).toBe(0);
    const out = r.params[1]!;
    expect(out.type === 'memref' && Buffer.from(out.data).toString()).toBe('survives the file');
    const hw = cb.openSession(HELLO_WORLD);
    expect(cb.invoke(hw.session!, 0, [{ type: 'value-inout', a: 1, b: 0 }]).params[0]).toEqual({ type: 'value', a: 2, b: 0 });
  }, 60_000);
});

describe('snapshot files that cannot be used are refused, and nothing is lost', () => {
  function corruptions(good: Buffer): [string, Uint8Array, RegExp][] {
    const flipped = Buffer.from(good);
    flipped[flipped.length - 10]! ^= 0xff;
    const version = Buffer.from(good);
    version.writeUInt16LE(99, 6);
    return [
      ['not a snapshot', Buffer.from('hello, world, this is no snapshot'), /not a TrustBox snapshot/],
      ['corrupt body', flipped, /corrupt: the SHA-256 of its body differs/],
      ['truncated', good.subarray(0, good.length - 100), /truncated/],
      ['truncated header', good.subarray(0, 14), /truncated or damaged/],
      ['another format version', version, /format version 99, and this emulator .* reads version 1/],
    ];
  }

  it('names what is wrong; the device keeps running as it was', () => {
    const d = boot(stateDir());
    const good = encodeSnapshot(d.snapshot());
    const c = new SpecClient(d);
    const hw = c.openSession(HELLO_WORLD);
    c.closeSession(hw.session!);
    for (const [what, bytes, message] of corruptions(good)) {
      expect(() => d.restore(decodeSnapshot(bytes, 'bad.tbsnap', d.board)), what).toThrow(message);
      expect(() => decodeSnapshot(bytes, 'bad.tbsnap'), what).toThrow(SnapshotError);
    }
    // Untouched: the next session id goes on from the one before, not from the snapshot's.
    const again = c.openSession(HELLO_WORLD);
    expect(again.session).toBe(hw.session! + 1);
  }, 60_000);

  it('a snapshot of another board is refused before anything changes', () => {
    const d = boot(stateDir());
    const good = encodeSnapshot(d.snapshot());
    expect(() => decodeSnapshot(good, 'edge.tbsnap', getBoard('trustbox-edgexl'))).toThrow(/taken on board trustbox-edge, and this device is a trustbox-edgexl/);
    const foreign = { ...decodeSnapshot(good, 'edge.tbsnap'), board: 'trustbox-edgexl' };
    expect(() => d.restore(foreign, 'edge.tbsnap')).toThrow(/taken on board trustbox-edgexl, this device is a trustbox-edge/);
    expect(d.isReady).toBe(true);
  }, 60_000);

  it('a snapshot of another device is refused in a state directory that holds one', () => {
    const a = boot(stateDir());
    const other = encodeSnapshot(boot(stateDir(), { seed: 'another device', seedFuses: true }).snapshot());
    expect(() => a.restore(decodeSnapshot(other, 'other.tbsnap', a.board), 'other.tbsnap')).toThrow(/holds another device/);
    expect(a.isReady).toBe(true);
  }, 60_000);
});

describe('snapshot and restore need a device at rest', () => {
  it('are refused while a session is open, naming it; the session goes on', () => {
    const d = boot(stateDir());
    const snap = d.snapshot();
    const c = new SpecClient(d);
    const hw = c.openSession(HELLO_WORLD);
    expect(() => d.snapshot()).toThrow(/cannot take a snapshot while 1 session\(s\) are open \(TA 8aaaf200-2450-11e4-abe2-0002a5d5c51b\)/);
    expect(() => d.restore(snap)).toThrow(/cannot restore a snapshot while 1 session\(s\) are open/);
    expect(c.invoke(hw.session!, 0, [{ type: 'value-inout', a: 5, b: 0 }]).params[0]).toEqual({ type: 'value', a: 6, b: 0 });
    c.closeSession(hw.session!);
    d.restore(snap);
    expect(d.isReady).toBe(true);
  }, 60_000);

  it('keep-alive TA instances are not kept: the snapshot names them, the restored device loads them again', () => {
    const d = boot(stateDir());
    const c = new SpecClient(d);
    const s = c.openSession(SIMS_TA);
    expect(s.result).toBe(0);
    c.closeSession(s.session!);
    expect(d.core.instances().map((i) => i.uuid)).toEqual([SIMS_TA]); // alive after its last session
    const snap = d.snapshot();
    expect(snap.dropped).toEqual([SIMS_TA]);
    d.restore(snap);
    expect(d.core.instances()).toEqual([]);
    const again = c.openSession(SIMS_TA);
    expect(again.result).toBe(0);
    c.closeSession(again.session!);
  }, 60_000);

  it('restore is far faster than boot', () => {
    const t0 = performance.now();
    const d = boot(stateDir(), {});
    const bootMs = performance.now() - t0;
    const snap = d.snapshot();
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      d.restore(snap);
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    expect(times[10]!).toBeLessThan(bootMs);
  }, 60_000);
});
