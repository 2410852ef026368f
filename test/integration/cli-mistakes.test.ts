/**
 * User mistakes the CLI must not let pass (issue 12, item 13): each gets one clear line and a
 * non-zero exit code, and nothing the call did not define is printed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HELLO_WORLD } from '../helpers/device.js';

const BIN = join(import.meta.dirname, '../../bin/trustbox.js');
const work = mkdtempSync(join(tmpdir(), 'trustbox-mistakes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('mistakes get one clear line and a non-zero exit', () => {
  it('invoke prints no output buffers or values after an error result (GP leaves them undefined)', () => {
    const r = run(['invoke', '--uuid', HELLO_WORLD, '--cmd', '99', '--param', 'memref-out:8', '--param', 'value-inout:5,6']);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/result: 0xffff0006 \(TEE_ERROR_BAD_PARAMETERS\)/);
    expect(r.stdout).not.toMatch(/param \d/);
    const json = run(['invoke', '--uuid', HELLO_WORLD, '--cmd', '99', '--param', 'value-inout:5,6', '--json']);
    expect(JSON.parse(json.stdout.trim().split('\n').pop()!)).toMatchObject({ result: '0xffff0006', params: [] });
  });

  it('boot --secure-threads: a bad count is one line and exit 1; a good one is what the firmware finds', () => {
    for (const bad of ['0', '65', 'two', '1.5']) {
      const r = run(['boot', '--secure-threads', bad, '--exit-on-ready', '--state', join(work, `st-${bad}`)]);
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe('trustbox: --secure-threads must be a whole number from 1 to 64');
    }
    const ok = run(['boot', '--secure-threads', '2', '--exit-on-ready', '--state', join(work, 'st-ok')]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('tee: secure threads: 2');
  });

  it('ta sign refuses a --uuid that contradicts the ELF\'s ta_head', () => {
    const out = join(work, 'x.ta');
    const r = run(['ta', 'sign', '--in', `firmware/ta/hello_world/out/${HELLO_WORLD}.stripped.elf`,
      '--uuid', '11111111-2222-3333-4444-555555555555', '--out', out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/contradicts the UUID 8aaaf200-2450-11e4-abe2-0002a5d5c51b in the ELF's ta_head/);
    expect(existsSync(out)).toBe(false);
  });

  it('the example edge module: one line and exit 2 for a missing or wrong --state and a --count that is no number', () => {
    const example = (args: string[]) => spawnSync(process.execPath, [join(import.meta.dirname, '../../examples/edge-module/index.mjs'), ...args],
      { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TRUSTBOX_STATE: '' } });
    for (const [args, line] of [
      [[], /give --state DIR/],
      [['--state', join(work, 'nothing-here')], /has no readable endpoint\.json/],
      [['--state', work, '--count', 'abc'], /--count must be a whole number, not "abc"/],
    ] as const) {
      const r = example([...args]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(line);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('watch ends with exit 1 and one line when the device it follows goes away', async () => {
    const state = join(work, 'watched');
    const boot = spawn(process.execPath, [BIN, 'boot', '--state', state], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const deadline = Date.now() + 20_000;
      // endpoint.json is written once the API listens (after admin.json): the watch reads it.
      while (!existsSync(join(state, 'endpoint.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const watch = spawn(process.execPath, [BIN, 'watch', '--state', state], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      watch.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      const code = new Promise<number | null>((resolve) => watch.on('exit', (c) => resolve(c)));
      await new Promise((r) => setTimeout(r, 3000)); // subscribed (node starts slowly on a loaded machine)
      boot.kill('SIGINT'); // the device powers off
      expect(await code).toBe(1);
      expect(err).toMatch(/the device ended the watch/);
    } finally {
      boot.kill('SIGKILL');
    }
  });
});
