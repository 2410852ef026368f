/**
 * The `trustbox` command as a user runs it (the compiled CLI in dist/, built by `npm test`).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO_WORLD, RANDOM_TA } from '../helpers/device.js';

const BIN = join(process.cwd(), 'bin', 'trustbox.js');
let home: string;
const env = () => ({ ...process.env, TRUSTBOX_STATE_HOME: home, FORCE_COLOR: '0' });
const run = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: env(), input, timeout: 30_000 });

beforeAll(() => { home = mkdtempSync(join(tmpdir(), 'trustbox-cli-')); });
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('trustbox info', () => {
  it('prints the memory map with worlds', () => {
    const r = run(['info']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/0x0e000000\s+0x0effffff\s+16 MiB\s+secure\s+ram\s+secure RAM/);
    expect(r.stdout).toMatch(/0x09000000\s+0x09000fff\s+4 KiB\s+normal\s+device\s+UART0/);
  });
  it('lists the boards when given an unknown one', () => {
    const r = run(['info', '--board', 'pi']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('unknown board "pi"; the boards are: trustbox-edge, trustbox-edgexl');
  });
});

describe('trustbox boot', () => {
  it('--exit-on-ready --json prints console lines and a ready line, then exits 0', () => {
    const r = run(['boot', '--exit-on-ready', '--json']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.event === 'ready')).toHaveLength(1);
    const ready = lines.find((l) => l.event === 'ready')!;
    expect(typeof ready.bootMs).toBe('number');
    expect(ready).toMatchObject({ board: 'trustbox-edge', osUuid: '486178e0-e7f8-11e3-bc5e-0002a5d5c51b' });
    expect(lines).toContainEqual(expect.objectContaining({ event: 'console', world: 'normal', line: 'tee: OP-TEE OS UUID 486178e0-e7f8-11e3-bc5e-0002a5d5c51b' }));
    expect(lines).toContainEqual(expect.objectContaining({ event: 'console', world: 'secure' }));
  });

  it('tells the consoles apart and prints a ready line with the boot time', () => {
    const r = run(['boot', '--exit-on-ready', '--board', 'trustbox-edgexl']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^secure \| boot ROM: TrustBox boot ROM on trustbox-edgexl/m);
    expect(r.stdout).toMatch(/^normal \| TrustBox REE firmware 0\.1 \(normal world, NS-EL1\) on trustbox-edgexl$/m);
    expect(r.stdout).toMatch(/^ready: trustbox-edgexl booted in \d+\.\d ms/m);
  });

  it('--trace prints decoded SMCs and world switches', () => {
    const r = run(['boot', '--exit-on-ready', '--trace']);
    expect(r.stdout).toMatch(/trace  \| smc -> OPTEE_SMC_CALLS_UID \(0xbf00ff01, fast, trusted OS\)/);
    expect(r.stdout).toMatch(/trace  \| smc <- OPTEE_SMC_CALLS_UID: OK \(a0..a3 = 0x384fb3e0, 0xe7f811e3, 0xaf630002, 0xa5d5c51b\)/);
    expect(r.stdout).toMatch(/trace  \| world switch: normal -> secure \(OPTEE_SMC_CALLS_UID\)/);
  });

  it('refuses a tampered image, naming the file, with a non-zero exit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustbox-img-'));
    try {
      cpSync(join(process.cwd(), 'images', 'trustbox-edge'), dir, { recursive: true });
      const p = join(dir, 'normal.bin');
      const b = readFileSync(p);
      b[8] = b[8]! ^ 1;
      writeFileSync(p, b);
      const r = run(['boot', '--exit-on-ready', '--image', dir]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/boot failed: image file normal\.bin does not match its manifest/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('powers off cleanly on SIGTERM and exits 0', async () => {
    const child = spawn(process.execPath, [BIN, 'boot'], { env: env() });
    let out = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!signalled && out.includes('press Ctrl-C')) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/normal \| power: off/);
  });
});

describe('trustbox demo isolation', () => {
  it('shows the blocked access and a device that still answers', () => {
    const r = run(['demo', 'isolation']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/TrustZone: the normal world tried to read 0x0e000000 \(secure RAM, secure only\)/);
    expect(r.stdout).toMatch(/the read was blocked/);
    expect(r.stdout).toMatch(/probe answered: the device kept running/);
  });
});

describe('trustbox invoke and session', () => {
  it('invokes hello_world and prints the JSON result', () => {
    const r = run(['invoke', '--uuid', HELLO_WORLD, '--cmd', '0', '--param', 'value-inout:41,5', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ result: '0x00000000', origin: 4, params: [{ type: 'value', a: 42, b: 5 }] });
  });

  it('loads a TA from a file with --ta and reads a memref output', () => {
    const ta = join(process.cwd(), 'images', 'trustbox-edge', 'ta', `${RANDOM_TA}.ta`);
    const r = run(['invoke', '--ta', ta, '--cmd', '0', '--param', 'memref-out:16', '--json']);
    const out = JSON.parse(r.stdout) as { params: { hex: string; size: number }[] };
    expect(out.params[0]!.size).toBe(16);
    expect(out.params[0]!.hex).toMatch(/^[0-9a-f]{32}$/);
  });

  it('prints a person-readable result and exits non-zero when the TA refuses', () => {
    const r = run(['invoke', '--uuid', HELLO_WORLD, '--cmd', '0', '--param', 'value-in:1,2']);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/result: 0xffff0006 \(TEE_ERROR_BAD_PARAMETERS\), origin 4 \(TRUSTED_APP\)/);
  });

  it('rejects bad parameter specs with a sentence', () => {
    const r = run(['invoke', '--uuid', HELLO_WORLD, '--cmd', '0', '--param', 'value-in:x']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/needs two values, A,B/);
  });

  it('drives a session with JSON lines on standard input', () => {
    const input = ['{"cmd":0,"params":["value-inout:1,0"]}', '{"cmd":"x"}', '{"cmd":1,"params":["value-inout:1,0"]}'].join('\n');
    const r = run(["session", "--uuid", HELLO_WORLD], input);
    expect(r.status).toBe(0);
    const answers = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { result: string; params: unknown[] });
    expect(answers).toHaveLength(3);
    expect(answers[0]).toEqual({ result: '0x00000000', origin: 4, params: [{ type: 'value', a: 2, b: 0 }] });
    expect(answers[1]).toMatchObject({ result: '0xffff0006', origin: 1 });
    expect(answers[2]!.params).toEqual([{ type: 'value', a: 0, b: 0 }]);
  });
});

describe('trustbox ta', () => {
  it('inspects a signed TA', () => {
    const out = execFileSync(process.execPath, [BIN, 'ta', 'inspect', join('images', 'trustbox-edge', 'ta', `${HELLO_WORLD}.ta`)], { encoding: 'utf8' });
    expect(out).toContain(HELLO_WORLD);
    expect(out).toMatch(/trustbox-dev/);
  });
});

describe('determinism on request', () => {
  it('--seed makes TA random numbers repeat, and another seed changes them', () => {
    const random = (seed: string) => JSON.parse(run(['invoke', '--uuid', RANDOM_TA, '--cmd', '0', '--param', 'memref-out:16', '--json', '--seed', seed]).stdout) as { params: { hex: string }[] };
    expect(random('lab-1').params[0]!.hex).toBe(random('lab-1').params[0]!.hex);
    expect(random('lab-1').params[0]!.hex).not.toBe(random('lab-2').params[0]!.hex);
  });
});
