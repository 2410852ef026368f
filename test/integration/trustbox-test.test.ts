/**
 * `trustbox test` against running devices: a good one (every case passes, valid JUnit XML, exit
 * 0) and one with a deliberately broken TA (exit 1, the failing case named on stdout and in the
 * XML). The devices are served by this process (bootDevice), so the CLI runs as an async child
 * (a spawnSync would block the event loop that serves the device).
 *
 * The broken device: the echo TA (6f1b2e1c-..., used by the 5xxx cases) rebuilt from its own
 * source with REVERSE turned into a no-op, signed with the development key as the default image's
 * copy is, same UUID and ta_version, and installed with the device's admin credential. The
 * device accepts it (same signer, no rollback), so case 5003 meets a TA that misbehaves.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDevice, type BootedDevice } from '../../emulator/cli/device-api.js';
import { CASES, ECHO_TA } from '../../emulator/cli/conformance/cases.js';
import { junitXml, xmlEscape } from '../../emulator/cli/conformance/junit.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/trustbox.js');

function trustbox(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

/**
 * A small well-formedness check: one root, tags balanced and properly nested, attributes
 * quoted, no raw `<` or stray `&` in text or attribute values. Returns the elements seen.
 */
function checkXml(xml: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const tokens = body.split(/(<[^>]*>)/).filter((t) => t !== '');
  const stack: string[] = [];
  const out: { name: string; attrs: Record<string, string>; text: string }[] = [];
  let roots = 0;
  const entity = /&(amp|lt|gt|quot|apos|#\d+);/g;
  for (const t of tokens) {
    if (!t.startsWith('<')) {
      if (t.includes('<') || t.replace(entity, '').includes('&')) throw new Error(`bad text ${t}`);
      if (stack.length === 0 && t.trim()) throw new Error(`text outside the root: ${t}`);
      if (out.length) out[out.length - 1]!.text += t;
      continue;
    }
    const close = /^<\/([\w:-]+)>$/.exec(t);
    if (close) {
      if (stack.pop() !== close[1]) throw new Error(`unbalanced </${close[1]}>`);
      continue;
    }
    const open = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(t);
    if (!open) throw new Error(`bad tag ${t}`);
    if (stack.length === 0) roots++;
    const attrs: Record<string, string> = {};
    for (const m of open[2]!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (m[2]!.replace(entity, '').includes('&')) throw new Error(`bad attribute ${m[0]}`);
      attrs[m[1]!] = m[2]!;
    }
    out.push({ name: open[1]!, attrs, text: '' });
    if (!open[3]) stack.push(open[1]!);
  }
  if (stack.length || roots !== 1) throw new Error(`unclosed ${stack.join(',')} or ${roots} roots`);
  return out;
}

/** The echo TA with REVERSE doing nothing, built and signed by the TA dev kit. */
function brokenEchoTa(dir: string): Buffer {
  const src = join(dir, 'echo');
  cpSync(join(ROOT, 'firmware/ta/echo'), src, { recursive: true, filter: (p) => !p.includes('/out') });
  const file = join(src, 'echo_ta.c');
  const code = readFileSync(file, 'utf8');
  const broken = code.replace('for (i = 0; i < n / 2; i++) {', 'for (i = 0; i < 0 * n; i++) {');
  expect(broken).not.toBe(code);
  writeFileSync(file, broken);
  execFileSync('make', ['-s', '-C', src, `TA_DEV_KIT_DIR=${join(ROOT, 'firmware/ta-devkit')}`, `TRUSTBOX=node ${BIN}`], { stdio: 'ignore' });
  return readFileSync(join(src, 'out', `${ECHO_TA}.ta`));
}

describe('trustbox test', () => {
  let work: string;
  let good: BootedDevice;
  let bad: BootedDevice;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'trustbox-test-cmd-'));
    [good, bad] = await Promise.all([bootDevice(), bootDevice()]);
    const admin = await bad.newContext({ admin: true });
    const installed = await admin.connection.installTA(brokenEchoTa(work));
    expect(installed.uuid).toBe(ECHO_TA);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([good?.powerOff(), bad?.powerOff()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a good device: every case passes, one line per case, valid JUnit XML, exit 0', async () => {
    const junit = join(work, 'good.xml');
    const r = await trustbox(['test', '--state', good.stateDir, '--junit', junit]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const c of CASES) expect(r.stdout).toMatch(new RegExp(`^${c.id}  ok   +\\d+ ms  `, 'm'));
    expect(r.stdout).toMatch(new RegExp(`${CASES.length} passed, 0 failed`));
    const els = checkXml(readFileSync(junit, 'utf8'));
    expect(els[0]).toMatchObject({ name: 'testsuites', attrs: { tests: String(CASES.length), failures: '0', errors: '0' } });
    expect(els.filter((e) => e.name === 'testsuite').map((e) => e.attrs.name)).toEqual(
      ['core', 'crypto', 'client-api', 'storage'].map((f) => `trustbox conformance ${f}`));
    expect(els.filter((e) => e.name === 'testcase')).toHaveLength(CASES.length);
    expect(els.some((e) => e.name === 'failure' || e.name === 'error')).toBe(false);
  });

  it('--connect with --token-file, --filter and --json', async () => {
    const tokenFile = join(work, 'token');
    writeFileSync(tokenFile, good.token, { mode: 0o600 });
    const r = await trustbox(['test', '--connect', good.url, '--token-file', tokenFile, '--filter', '^6', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, -1).map((l) => [l.id, l.ok])).toEqual(CASES.filter((c) => c.id.startsWith('6')).map((c) => [c.id, true]));
    expect(lines.at(-1)).toEqual({ summary: { passed: 3, failed: 0, failedIds: [] } });
  });

  it('a device with a broken TA: exit 1, the failing case named on stdout and in the XML', async () => {
    const junit = join(work, 'bad.xml');
    const r = await trustbox(['test', '--state', bad.stateDir, '--junit', junit]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^5003  FAIL .*echo REVERSE/m);
    expect(r.stdout).toMatch(/shared memory: got 7878303132333435363738397979, expected 7878393837363534333231307979/);
    expect(r.stdout).toMatch(/passed, 1 failed: 5003$/m);
    const els = checkXml(readFileSync(junit, 'utf8'));
    expect(els[0]!.attrs).toMatchObject({ tests: String(CASES.length), failures: '1', errors: '0' });
    const failed = els.findIndex((e) => e.name === 'failure');
    expect(els[failed - 1]).toMatchObject({ name: 'testcase' });
    expect(els[failed - 1]!.attrs.name).toMatch(/^5003 echo REVERSE/);
    expect(els[failed]!.attrs.message).toMatch(/^shared memory: got/);
  });

  it('no device or no case: exit 2 with a message that names the fix', async () => {
    const none = await trustbox(['test']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--state DIR or --connect URL/);
    const nothing = await trustbox(['test', '--state', good.stateDir, '--filter', '^9']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/no case matches/);
  });
});

describe('JUnit XML', () => {
  it('escapes markup, quotes, newlines and characters XML cannot hold', () => {
    expect(xmlEscape('a<b>&"c\'\n\t\u0001\ud800z')).toBe('a&lt;b&gt;&amp;&quot;c&apos;&#10;&#9;\ufffd\ufffdz');
    const xml = junitXml([
      { id: '1', name: 'x <&> "y"', family: 'core', ok: false, ms: 1, kind: 'failure', message: 'got <a> & \'b\'\nline 2', type: 'CaseFailure' },
      { id: '2', name: 'fine', family: 'core', ok: true, ms: 2 },
    ], { name: 'n', timestamp: '2026-01-01T00:00:00.000Z' });
    const els = checkXml(xml);
    expect(els.map((e) => e.name)).toEqual(['testsuites', 'testsuite', 'testcase', 'failure', 'testcase']);
    expect(els[2]!.attrs.name).toBe('1 x &lt;&amp;&gt; &quot;y&quot;');
  });
});
