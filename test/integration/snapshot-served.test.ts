/**
 * Snapshots of served devices: `useDevice` restores its device to the after-boot snapshot
 * before each test, `bootDevice` offers snapshot()/restore(), `trustbox snapshot --state DIR
 * FILE` saves a running device and `trustbox boot --restore FILE` boots from the file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEEC_ERROR_ITEM_NOT_FOUND, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_PARAM_TYPES, TEEC_VALUE_INOUT } from '../../emulator/abi/client-api.js';
import { bootDevice, TeecOperation, type TeecContext } from '../../emulator/cli/device-api.js';
import { useDevice } from '../../emulator/cli/testing.js';
import { HELLO_WORLD } from '../helpers/device.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SECURE_STORAGE = 'f4e750bb-1437-4fbf-8785-8d3580c34994';
const OBJ = Buffer.from('left-by-an-earlier-test');

async function storageRead(ctx: TeecContext): Promise<number> {
  const s = await ctx.openSession(SECURE_STORAGE);
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_NONE, TEEC_NONE),
    [{ tmpref: { buffer: OBJ, size: OBJ.length } }, { tmpref: { buffer: new Uint8Array(64), size: 64 } }]);
  const r = await s.invokeCommand(0, op);
  await s.close();
  return r.result >>> 0;
}

async function storageWrite(ctx: TeecContext): Promise<number> {
  const s = await ctx.openSession(SECURE_STORAGE);
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_INPUT, TEEC_NONE, TEEC_NONE),
    [{ tmpref: { buffer: OBJ, size: OBJ.length } }, { tmpref: { buffer: Buffer.from('data'), size: 4 } }]);
  const r = await s.invokeCommand(1, op);
  await s.close();
  return r.result >>> 0;
}

describe('useDevice restores the after-boot snapshot before each test', () => {
  const dev = useDevice({ seed: 'use-device-restore', virtualClock: true });
  const sessions: number[] = [];

  it('a test opens a session and writes a persistent object', async () => {
    expect(dev.snapshot).toBeInstanceOf(Uint8Array);
    sessions.push((await dev.context.openSession(HELLO_WORLD)).session);
    expect(await storageWrite(dev.context)).toBe(0);
    expect(await storageRead(dev.context)).toBe(0);
  });

  it('the next test finds the device as it booted: the same session id, no object', async () => {
    const s = await dev.context.openSession(HELLO_WORLD);
    sessions.push(s.session);
    expect(sessions[1]).toBe(sessions[0]);
    expect(await storageRead(dev.context)).toBe(TEEC_ERROR_ITEM_NOT_FOUND);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 1, b: 0 } }]);
    await s.invokeCommand(0, op);
    expect(op.params[0].value!.a).toBe(2);
  });
});

describe('bootDevice snapshot() and restore()', () => {
  it('refuses while a session is open, naming it, and restores once it is closed', async () => {
    const dev = await bootDevice({ seed: 'served' });
    try {
      const snap = await dev.snapshot();
      const s = await dev.context.openSession(HELLO_WORLD);
      await expect(dev.snapshot()).rejects.toThrow(/cannot take a snapshot while 1 session\(s\) are open \(TA 8aaaf200/);
      await expect(dev.restore(snap)).rejects.toThrow(/cannot restore a snapshot while 1 session\(s\) are open/);
      await s.close();
      await expect(dev.restore(Buffer.from('garbage that is no snapshot'))).rejects.toThrow(/not a TrustBox snapshot/);
      await dev.restore(snap);
      const again = await dev.context.openSession(HELLO_WORLD);
      expect(again.session).toBe(s.session); // numbered as after boot
      await again.close();
    } finally {
      await dev.powerOff();
    }
  }, 60_000);
});

/** Runs the CLI; resolves with its exit code and output. */
function trustbox(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'trustbox.js'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

describe('trustbox snapshot and trustbox boot --restore', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'trustbox-snapcli-'));
    dirs.push(d);
    return d;
  };

  it('saves a running device into a file that boots elsewhere; bad files are refused with a reason', async () => {
    const state = dir();
    const file = join(dir(), 'device.tbsnap');
    const dev = await bootDevice({ stateDir: state, seed: 'cli' });
    let snap;
    try {
      expect(await storageWrite(dev.context)).toBe(0);
      snap = await trustbox(['snapshot', '--state', state, file]);
    } finally {
      await dev.powerOff();
    }
    expect(snap.stderr).toBe('');
    expect(snap.code).toBe(0);
    expect(snap.stdout).toMatch(/^snapshot: .*device\.tbsnap \(\d+ bytes\)/);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const state2 = dir();
    const boot = await trustbox(['boot', '--restore', file, '--state', state2, '--exit-on-ready']);
    expect(boot.code).toBe(0);
    expect(boot.stdout).toMatch(/ready: trustbox-edge restored from .*device\.tbsnap in [\d.]+ ms/);
    expect(existsSync(join(state2, 'secure-storage'))).toBe(true);

    const restored = await bootDevice({ stateDir: state2, restore: file });
    try {
      expect(await storageRead(restored.context)).toBe(0); // the object written before the snapshot
    } finally {
      await restored.powerOff();
    }

    const bad = await trustbox(['boot', '--restore', join(ROOT, 'package.json'), '--state', dir(), '--exit-on-ready']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a TrustBox snapshot file/);
    const seeded = await trustbox(['boot', '--restore', file, '--seed', 'x', '--state', dir(), '--exit-on-ready']);
    expect(seeded.code).toBe(1);
    expect(seeded.stderr).toMatch(/takes seed from its snapshot/);
  }, 90_000);
});
