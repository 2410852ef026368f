/**
 * The C host runtime (oe/host → liboehost.a over libteec.so.2) end to end: an application in
 * OE's sample layout (test/fixtures/oe-host/hello) built with `trustbox oe build`, its host run
 * against a served device with the signed .ta as the enclave path (installed first), ecalls,
 * stdio and an ocall through the normal world, the refused nested ecall, OE's checks of
 * oe_create_enclave, and an enclave that panics.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuildResult } from '../../emulator/cli/oe/build.js';
import { startServer, type TestServer } from '../api/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The C pieces the SDK installs, rebuilt when their sources changed (no-ops otherwise). */
function makeRuntimes(): void {
  for (const dir of ['libteec', 'oe/host', 'oe/enclave', 'firmware/ta-devkit/lib']) execFileSync('make', ['-s', '-C', join(ROOT, dir)], { stdio: 'ignore' });
}
const work = mkdtempSync(join(tmpdir(), 'trustbox-oehost-'));

function runHost(host: string, args: string[], env: Record<string, string>, valgrind = false) {
  const argv = valgrind ? ['-q', '--error-exitcode=9', '--leak-check=full', '--errors-for-leak-kinds=definite', host, ...args] : args;
  const child = spawn(valgrind ? 'valgrind' : host, argv, {
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise<{ stdout: string; stderr: string; status: number | null }>((res) => {
    child.on('close', (status) => res({ stdout, stderr, status }));
  });
}

describe('OE C host runtime against a virtual device', () => {
  let server: TestServer;
  let built: BuildResult;
  let env: Record<string, string>;
  beforeAll(async () => {
    makeRuntimes();
    built = buildApp({ app: join(ROOT, 'test/fixtures/oe-host/hello'), out: join(work, 'out') });
    server = await startServer();
    env = { TRUSTBOX_STATE: server.stateDir };
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('installs the .ta, runs ecalls, enclave stdio and an ocall, refuses the nested ecall', async () => {
    const r = await runHost(built.host!, [built.enclaves[0].ta], env);
    expect(r.stderr).not.toMatch(/warning/);
    expect(r.stdout.split('\n')).toEqual([
      'create: OE_OK',
      'add: OE_OK 42',
      'enclave: hello, world',
      'host: enclave: an ocall reached the host',
      'greet: OE_OK',
      'reenter: OE_OK OE_REENTRANT_ECALL',
      'terminate: OE_OK',
      '',
    ]);
    expect(r.status).toBe(0);
  });

  it('takes the UUID of an installed enclave as its path, and SGX with a one-line warning', async () => {
    const r = await runHost(built.host!, [`${built.enclaves[0].uuid}.ta`, 'sgx'], env);
    expect(r.stdout).toMatch(/^create: OE_OK\nadd: OE_OK 42\n/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/OE_ENCLAVE_TYPE_SGX.*TrustZone/);
  });

  it('leaks nothing and touches no bad memory (valgrind), RPCs included', async () => {
    const r = await runHost(built.host!, [built.enclaves[0].ta], env, true);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/reenter: OE_OK OE_REENTRANT_ECALL\nterminate: OE_OK\n$/);
    expect(r.status).toBe(0);
  }, 120_000);

  it('serves ecalls and their ocalls from four threads on one enclave', async () => {
    const r = await runHost(built.host!, [built.enclaves[0].ta, 'auto', 'threads'], env);
    expect(r.stdout).toMatch(/threads: 0 failures\nterminate: OE_OK\n$/);
  }, 120_000);

  it('refuses an ocall id past the table and unaligned sizes (OE_UNEXPECTED), then keeps serving', async () => {
    const r = await runHost(built.host!, [built.enclaves[0].ta, 'auto', 'bad'], env);
    expect(r.stdout).toMatch(/bad ocalls: OE_UNEXPECTED OE_UNEXPECTED\nterminate: OE_OK\n$/);
  });

  it('a path that is neither a file nor a UUID fails with OE_FAILURE', async () => {
    const r = await runHost(built.host!, [join(work, 'missing.signed')], env);
    expect(r.stdout).toBe('create: OE_FAILURE\n');
    expect(r.status).toBe(1);
  });

  it('installing a .ta needs the admin credential: without it, one line naming the fix and OE_FAILURE', async () => {
    const endpoint = JSON.parse(readFileSync(join(server.stateDir, 'endpoint.json'), 'utf8')) as { socket: string; token: string };
    const r = await runHost(built.host!, [built.enclaves[0].ta], { TRUSTBOX_ENDPOINT: `unix:${endpoint.socket}`, TRUSTBOX_TOKEN: endpoint.token });
    expect(r.stdout).toBe('create: OE_FAILURE\n');
    expect(r.stderr).toMatch(/needs TRUSTBOX_ADMIN/);
    // by UUID, an installed enclave needs no credential
    const byUuid = await runHost(built.host!, [built.enclaves[0].uuid], { TRUSTBOX_ENDPOINT: `unix:${endpoint.socket}`, TRUSTBOX_TOKEN: endpoint.token });
    expect(byUuid.stdout).toMatch(/^create: OE_OK\nadd: OE_OK 42\n/);
  });

  it('an enclave that panics gives OE_ENCLAVE_ABORTED and the device keeps serving', async () => {
    const r = await runHost(built.host!, [built.enclaves[0].ta, 'auto', 'panic'], env);
    expect(r.stdout).toMatch(/panic: OE_ENCLAVE_ABORTED\n/);
    const again = await runHost(built.host!, [built.enclaves[0].ta], env);
    expect(again.stdout).toMatch(/add: OE_OK 42/);
  });
});
