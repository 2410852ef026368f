/**
 * The C libteec (libteec/): a client program written against tee_client_api.h
 * (test/fixtures/libteec/teec_client.c) built with gcc and run through libteec.so.2 against a
 * served device, over the state directory's Unix socket. Layout, every parameter kind, short
 * buffers, cancellation from another thread, 8 threads on one context, valgrind, and the
 * failures a client meets: no device, a wrong token, a device that goes away mid-call.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoTaBytes, startServer, type TestServer } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const LIB_DIR = join(ROOT, 'libteec/build');
const work = mkdtempSync(join(tmpdir(), 'trustbox-libteec-'));
const CLIENT = join(work, 'teec_client');

/**
 * Runs the client with the device found from TRUSTBOX_STATE (or `env`). Asynchronously: the
 * server answering it runs on this process's event loop.
 */
function client(args: string[], env: Record<string, string>, opts: { valgrind?: boolean; timeout?: number } = {}) {
  const cmd = opts.valgrind ? 'valgrind' : CLIENT;
  const argv = opts.valgrind ? ['-q', '--error-exitcode=9', '--leak-check=full', '--errors-for-leak-kinds=definite', CLIENT, ...args] : args;
  const child = spawn(cmd, argv, {
    timeout: opts.timeout ?? 60_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LD_LIBRARY_PATH: LIB_DIR, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise<{ stdout: string; stderr: string; status: number | null }>((res) => {
    child.on('close', (status) => res({ stdout, stderr, status }));
  });
}

describe('5300 libteec.so.2: unmodified GP Client API programs against a virtual device', () => {
  let server: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    execFileSync('make', ['-s', '-C', join(ROOT, 'libteec')]);
    execFileSync('gcc', ['-O1', '-g', '-Wall', '-Werror', `-I${join(ROOT, 'libteec/include')}`, '-o', CLIENT,
      join(ROOT, 'test/fixtures/libteec/teec_client.c'), `-L${LIB_DIR}`, '-lteec', '-lpthread']);
    echoTaBytes(); // builds the echo TA's folder
    server = await startServer(undefined, { device: { taPaths: [join(ROOT, 'firmware/ta/loop/out'), join(ROOT, 'firmware/ta/echo/out')] } });
    env = { TRUSTBOX_STATE: server.stateDir };
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('5301 the library has libteec\'s soname and exports the Client API', () => {
    const dyn = execFileSync('readelf', ['-d', join(LIB_DIR, 'libteec.so.2.0.0')], { encoding: 'utf8' });
    expect(dyn).toMatch(/SONAME.*\[libteec\.so\.2\]/);
    const syms = execFileSync('nm', ['-D', '--defined-only', join(LIB_DIR, 'libteec.so.2.0.0')], { encoding: 'utf8' });
    const exported = [...syms.matchAll(/ T (\w+)/g)].map((m) => m[1]).sort();
    expect(exported).toEqual([
      'TEEC_AllocateSharedMemory', 'TEEC_CloseSession', 'TEEC_FinalizeContext', 'TEEC_InitializeContext', 'TEEC_InvokeCommand',
      'TEEC_OpenSession', 'TEEC_RegisterSharedMemory', 'TEEC_RegisterSharedMemoryFileDescriptor', 'TEEC_ReleaseSharedMemory',
      'TEEC_RequestCancellation',
      // optee_client's trace helpers, which its libckteec/libseteec/libteeacl link against
      '_dprintf', 'dump_buffer',
      // TrustBox extensions (include/trustbox_teec.h: RPC sessions for Open Enclave, TA install)
      'trustbox_install_ta', 'trustbox_open_session_rpc',
    ]);
  });

  it('5302 the types have optee_client\'s sizes and offsets (LP64)', async () => {
    const r = await client(['layout'], env);
    expect(r.stdout.trim().split('\n')).toEqual([
      'TEEC_UUID 16',
      'TEEC_Context 8 fd@0 reg_mem@4 memref_null@5',
      'TEEC_Session 16 ctx@0 session_id@8',
      'TEEC_SharedMemory 56 buffer@0 size@8 flags@16 imp@24',
      'TEEC_TempMemoryReference 16',
      'TEEC_RegisteredMemoryReference 24 parent@0 size@8 offset@16',
      'TEEC_Value 8',
      'TEEC_Parameter 24',
      'TEEC_Operation 112 started@0 paramTypes@4 params@8 session@104',
    ]);
  });

  it('5303 values, temporary, whole, partial and registered memrefs, SHORT_BUFFER, a panicking TA: all as libteec answers them', async () => {
    const r = await client(['basic'], env);
    expect(r.stdout).not.toMatch(/FAIL/);
    expect(r.stdout.match(/^ok:/gm)).toHaveLength(13);
    expect(r.status).toBe(0);
  });

  it('5309 as optee_client: a TEE name other than "optee-tz" finds no TEE, a NULL buffer is not registered, 0-byte temp memrefs with buffers', async () => {
    const names = await client(['names'], env);
    expect(names.stdout).toMatch(/^ok: an unknown TEE name: 0xffff0008$/m);
    expect(names.stdout).toMatch(/^ok: "optee-tz": 0x00000000$/m);
    expect(names.status).toBe(0);
    const basic = await client(['basic'], env);
    expect(basic.stdout).toMatch(/^ok: register a NULL buffer: 0xffff0006$/m);
    expect(basic.stdout).toMatch(/^ok: 0-byte temp memrefs with buffers: 0x00000000, sizes 0\/0$/m);
  });

  it('5304 valgrind finds no memory error and no leak in the library', async () => {
    const r = await client(['basic'], env, { valgrind: true, timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('5305 TEEC_RequestCancellation from another thread ends a call with TEEC_ERROR_CANCEL', async () => {
    const r = await client(['cancel'], env);
    expect(r.stdout).toMatch(/^ok: cancelled from another thread: 0xffff0002/m);
    expect(r.status).toBe(0);
  });

  it('5306 8 threads x 1,000 invokes on one context', async () => {
    const r = await client(['threads', '8', '1000'], env, { timeout: 120_000 });
    expect(r.stdout).toMatch(/^ok: 8 threads x 1000 invokes on one context: 0 errors/m);
    expect(r.status).toBe(0);
  });

  it('5307 no device, a wrong token: the documented codes and one line, never a hang', async () => {
    const none = await client(['init'], { TRUSTBOX_STATE: join(work, 'no-device') });
    expect(none.stdout.trim()).toBe('initialize: 0xffff0008'); // TEEC_ERROR_ITEM_NOT_FOUND, as libteec without /dev/tee*
    expect(none.stderr).toMatch(/no running device: .*endpoint\.json cannot be read/);
    const bad = await client(['init'], { TRUSTBOX_ENDPOINT: `unix:${join(server.stateDir, 'api.sock')}`, TRUSTBOX_TOKEN: 'wrong' });
    expect(bad.stdout.trim()).toBe('initialize: 0xffff0001'); // ACCESS_DENIED
    expect(bad.stderr).toMatch(/refused the connection: .*token/);
    const ws = await client(['init'], { TRUSTBOX_ENDPOINT: server.url, TRUSTBOX_TOKEN: server.token });
    expect(ws.stdout.trim()).toBe('initialize: 0xffff0006');
    expect(ws.stderr).toMatch(/speaks to unix:PATH/);
  });

  it('5308 a device that powers off mid-call: TEEC_ERROR_COMMUNICATION, origin COMMS', async () => {
    const other = await startServer(undefined, { device: { taPaths: [join(ROOT, 'firmware/ta/loop/out')] } });
    const child = spawn(CLIENT, ['hang'], { env: { ...process.env, LD_LIBRARY_PATH: LIB_DIR, TRUSTBOX_STATE: other.stateDir } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    while (!out.includes('calling')) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    await other.stop();
    const code = await exited;
    expect(out).toMatch(/invoke: 0xffff000e origin 2/);
    expect(code).toBe(0);
  });
});
