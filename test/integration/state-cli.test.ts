/**
 * Issue 12 items 11 and 13 (state-related parts), with the `trustbox` command as a user runs
 * it: two devices on one state directory, throwaway devices that leave their state folders in
 * the temporary directory, and user mistakes that must end with one line and a non-zero exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeOwnFiles } from '../../emulator/api/auth.js';
import { HELLO_WORLD } from '../helpers/device.js';

const BIN = join(process.cwd(), 'bin', 'trustbox.js');
let home: string;
const env = (extra: Record<string, string> = {}) => ({ ...process.env, TRUSTBOX_STATE_HOME: home, FORCE_COLOR: '0', ...extra });
const run = (args: string[], extra: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: env(extra), timeout: 30_000 });
const children: ChildProcess[] = [];

beforeAll(() => { home = mkdtempSync(join(tmpdir(), 'trustbox-state-cli-')); });
afterEach(() => { for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL'); });
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Starts `trustbox boot --state dir` and resolves once it serves. */
function serve(dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'boot', '--state', dir], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('api: listening')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`boot exited ${code}: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.on('exit', (code) => r(code)));
}

/** stderr minus Node's own warnings: what the user reads. */
function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() && !l.includes('ExperimentalWarning') && !l.includes('--trace-warnings'));
}

describe('issue 12 item 11: two devices on one state directory (CLI processes)', () => {
  it('a second boot is refused naming the running device, and leaves its endpoint.json alone; after it stops, a device boots', async () => {
    const dir = join(home, 'two');
    const first = await serve(dir);
    const endpoint = readFileSync(join(dir, 'endpoint.json'), 'utf8');
    const second = run(['boot', '--state', dir, '--exit-on-ready']);
    expect(second.status).toBe(1);
    expect(lines(second.stderr)).toEqual([expect.stringMatching(new RegExp(`in use by a running device \\(pid ${first.pid}`))]);
    const served = run(['boot', '--state', dir]);
    expect(served.status).toBe(1);
    expect(readFileSync(join(dir, 'endpoint.json'), 'utf8')).toBe(endpoint);
    first.kill('SIGTERM');
    expect(await exited(first)).toBe(0);
    expect(existsSync(join(dir, 'endpoint.json'))).toBe(false);
    expect(run(['boot', '--state', dir, '--exit-on-ready']).status).toBe(0);
  }, 60_000);

  it('a device removes only its own endpoint and admin files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustbox-own-'));
    try {
      writeFileSync(join(dir, 'endpoint.json'), JSON.stringify({ url: 'ws://x', token: 'theirs' }), { mode: 0o600 });
      writeFileSync(join(dir, 'admin.json'), JSON.stringify({ admin: 'theirs-admin' }), { mode: 0o600 });
      removeOwnFiles(dir, 'mine', 'mine-admin');
      expect(existsSync(join(dir, 'endpoint.json'))).toBe(true);
      expect(existsSync(join(dir, 'admin.json'))).toBe(true);
      removeOwnFiles(dir, 'theirs', 'theirs-admin');
      expect(existsSync(join(dir, 'endpoint.json'))).toBe(false);
      expect(existsSync(join(dir, 'admin.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('issue 12 item 4: a device sealed with a hardware passphrase (CLI)', () => {
  it('boots with the passphrase from a file or the environment, and refuses in one line without it', () => {
    const dir = join(home, 'sealed');
    const file = join(home, 'passphrase.txt');
    writeFileSync(file, 'open sesame\n', { mode: 0o600 });
    const first = run(['boot', '--state', dir, '--exit-on-ready', '--hardware-passphrase-file', file]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/fuse block sealed with the hardware passphrase/);
    const without = run(['boot', '--state', dir, '--exit-on-ready']);
    expect(without.status).toBe(1);
    expect(lines(without.stderr)).toEqual([expect.stringMatching(/sealed with a passphrase: give --hardware-passphrase-file FILE or set TRUSTBOX_HARDWARE_PASSPHRASE/)]);
    expect(run(['boot', '--state', dir, '--exit-on-ready'], { TRUSTBOX_HARDWARE_PASSPHRASE: 'wrong' }).status).toBe(1);
    const env = run(['boot', '--state', dir, '--exit-on-ready'], { TRUSTBOX_HARDWARE_PASSPHRASE: 'open sesame' });
    expect(env.status).toBe(0);
    expect(env.stdout).toMatch(/protected by the state folder's owner and modes and the hardware passphrase/);
  });
});

describe('issue 12 item 13: user mistakes get one line and a non-zero exit', () => {
  it('boot --state /proc/x is refused at once (it used to spin at 100% CPU)', () => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'boot', '--state', '/proc/x', '--exit-on-ready'], { encoding: 'utf8', env: env(), timeout: 10_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/state directory \/proc\/x cannot be made/)]);
  });

  it('an invalid --listen port is refused, not ignored', () => {
    for (const args of [['--listen', '127.0.0.1:99999', '--exit-on-ready'], ['--listen', 'nonsense']]) {
      const r = run(['boot', '--state', join(home, 'listen'), ...args]);
      expect(r.status).toBe(1);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(/--listen .*expected HOST:PORT/)]);
    }
  });

  it('storage ls on a missing folder exits non-zero with one line', () => {
    const r = run(['storage', 'ls', '--state', join(home, 'no-such-device')]);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/no state directory .*no-such-device/)]);
  });

  it('--help documents the exit codes', () => {
    expect(run(['boot', '--help']).stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 /);
    expect(run(['storage', 'ls', '--help']).stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 /);
  });

  it('a throwaway device leaves no state folder behind after an error', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'trustbox-tmp-'));
    try {
      const r = run(['invoke', '--ta', join(tmp, 'missing.ta'), '--cmd', '0'], { TMPDIR: tmp });
      expect(r.status).not.toBe(0);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a throwaway device leaves no state folder behind after Ctrl-C', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'trustbox-tmp-'));
    try {
      const child = spawn(process.execPath, [BIN, 'session', '--uuid', HELLO_WORLD], { env: env({ TMPDIR: tmp }), stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(child);
      const deadline = Date.now() + 20_000;
      while (readdirSync(tmp).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(readdirSync(tmp).length).toBe(1);
      await new Promise((r) => setTimeout(r, 1500)); // booted and waiting for input
      child.kill('SIGINT');
      expect(await exited(child)).not.toBe(0);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 30_000);
});
