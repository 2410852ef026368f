/**
 * The package entry `trustbox-emulator` (bootDevice) and `trustbox-emulator/testing`
 * (useDevice), as a JS test suite would use them (docs/testing.md).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEEC_ERROR_TARGET_DEAD, TEEC_ORIGIN_TEE, TEEC_PARAM_TYPES, TEEC_VALUE_INOUT } from '../../emulator/abi/client-api.js';
import { bootDevice, TeecOperation, type BootedDevice, type DeviceEvent } from '../../emulator/cli/device-api.js';
import { useDevice } from '../../emulator/cli/testing.js';
import { HELLO_WORLD, PANIC_TA } from '../helpers/device.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function inc(ctx: BootedDevice['context'], a: number): Promise<number> {
  const s = await ctx.openSession(HELLO_WORLD);
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a, b: 0 } }]);
  const r = await s.invokeCommand(0, op);
  await s.close();
  expect(r.result).toBe(0);
  return op.params[0].value!.a;
}

/** Runs node asynchronously (a device may be served by this process). */
function node(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, args, { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

describe('bootDevice', () => {
  let dev: BootedDevice;
  beforeAll(async () => { dev = await bootDevice({ seed: 'device-api', watchdogMs: 5000 }); }, 30_000);
  afterAll(async () => { await dev?.powerOff(); });

  it('returns a connected context: hello_world 41 -> 42', async () => {
    expect(dev.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(dev.token).toMatch(/\S{16,}/);
    expect(await inc(dev.context, 41)).toBe(42);
  });

  it('records both consoles from boot on, and waits for lines printed later', async () => {
    expect(dev.consoles.lines('normal').length).toBeGreaterThan(0);
    expect(dev.consoles.lines('secure').length).toBeGreaterThan(0);
    expect(dev.consoles.lines().length).toBe(dev.consoles.lines('normal').length + dev.consoles.lines('secure').length);
    expect(await dev.consoles.waitFor('secure monitor')).toMatch(/secure monitor/);
    const later = dev.consoles.waitFor(/Got value: 1234/, { timeoutMs: 5000 });
    expect(await inc(dev.context, 1234)).toBe(1235);
    expect(await later).toMatch(/Got value: 1234/);
    await expect(dev.consoles.waitFor(/never printed/, { timeoutMs: 100 })).rejects.toThrow(/no console line matched/);
  });

  it('events: a panic reaches a subscriber; contexts see TARGET_DEAD with origin TEE', async () => {
    const seen: DeviceEvent[] = [];
    const off = dev.events.on((e) => seen.push(e));
    const ctx = await dev.newContext({ name: 'panic' });
    const s = await ctx.openSession(PANIC_TA);
    const r = await s.invokeCommand(0);
    expect(r).toEqual({ result: TEEC_ERROR_TARGET_DEAD, origin: TEEC_ORIGIN_TEE });
    for (let i = 0; i < 50 && !seen.some((e) => e.type === 'panic'); i++) await new Promise((res) => setTimeout(res, 20));
    off();
    expect(seen.find((e) => e.type === 'panic')).toMatchObject({ type: 'panic', uuid: PANIC_TA });
  });

  it('rejects unknown options before booting anything', async () => {
    await expect(bootDevice({ seeds: 'x' } as never)).rejects.toThrow(/unknown option "seeds"/);
  });

  it('the package exports resolve to the compiled entries', async () => {
    const script = 'console.log(typeof (await import("trustbox-emulator")).bootDevice, import.meta.resolve("trustbox-emulator/testing"))';
    const r = await node(['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^function file:.*\/dist\/emulator\/cli\/testing\.js/);
  });
});

describe('bootDevice state directories', () => {
  it('powerOff removes the temporary state directory (and may be called twice)', async () => {
    const dev = await bootDevice();
    expect(existsSync(join(dev.stateDir, 'endpoint.json'))).toBe(true);
    await dev.powerOff();
    await dev.powerOff();
    expect(existsSync(dev.stateDir)).toBe(false);
    expect(dev.context.connection.closed).toBe(true);
  }, 30_000);

  it('a given state directory is kept, and boots again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustbox-given-'));
    try {
      const a = await bootDevice({ stateDir: dir });
      await a.powerOff();
      expect(existsSync(join(dir, 'endpoint.json'))).toBe(true);
      const b = await bootDevice({ stateDir: dir });
      expect(b.stateDir).toBe(dir);
      expect(await inc(b.context, 1)).toBe(2);
      await b.powerOff();
      expect(existsSync(dir)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('useDevice (trustbox-emulator/testing)', () => {
  const dev = useDevice({ seed: 'use-device' });
  const seen: { device: BootedDevice; context: unknown }[] = [];

  it('boots one device for the file and gives this test a context', async () => {
    seen.push({ device: dev.device, context: dev.context });
    expect(await inc(dev.context, 9)).toBe(10);
  });

  it('gives the next test a fresh context on the same device', async () => {
    seen.push({ device: dev.device, context: dev.context });
    expect(seen[1]!.device).toBe(seen[0]!.device);
    expect(seen[1]!.context).not.toBe(seen[0]!.context);
    expect((seen[0]!.context as BootedDevice['context']).connection.closed).toBe(true);
    expect(await inc(dev.context, 19)).toBe(20);
  });
});
