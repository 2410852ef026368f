/**
 * 2600-2900 issue 12, the API side: each test performs an attack that worked before the fix.
 * Pre-auth cost (2600), Origin and Host (2700), global quotas (2800), the admin credential (2900).
 * Everything over real WebSocket traffic on loopback.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  DEFAULT_LIMITS, TEEC_ERROR_ACCESS_DENIED, TEEC_ERROR_BUSY, TEEC_MEMREF_TEMP_INOUT, TEEC_MEM_INPUT, TEEC_ORIGIN_API,
  TEEC_PARAM_TYPES, TEEC_SUCCESS, TEEC_VALUE_INOUT, TeecContext, TeecOperation,
} from '../../emulator/client/index.js';
import { checkServerOptions, type ServerOptions } from '../../emulator/api/server.js';
import { HELLO_WORLD } from '../helpers/device.js';
import { RawClient, echoTaBytes, packr, startServer, type TestServer } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/trustbox.js');
const run = promisify(execFile);
let server: TestServer;

async function helloWorks(ctx: TeecContext): Promise<void> {
  const s = await ctx.openSession(HELLO_WORLD);
  const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 9, b: 0 } }]);
  expect((await s.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
  expect(op.params[0].value!.a).toBe(10);
  await s.close();
}

/** Opens a raw upgrade with these headers; resolves with the HTTP status of a refusal, or 101. */
function upgradeStatus(url: string, headers: Record<string, string>, origin?: string): Promise<number> {
  return new Promise((res) => {
    const ws = new WebSocket(url, { headers, ...(origin ? { origin } : {}) });
    ws.on('unexpected-response', (_req, response) => { res(response.statusCode ?? 0); ws.terminate(); });
    ws.on('open', () => { res(101); ws.close(); });
    ws.on('error', () => {});
  });
}

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('2600 pre-auth cost', () => {
  it('2601 a frame over 1 KiB before the hello is refused undecoded (frame-too-large) and the connection closes', async () => {
    const raw = await RawClient.open(server.url);
    // A valid hello padded to 64 KiB: before the fix it was decoded and welcomed.
    raw.send({ type: 'hello', version: 1, token: server.token, client: 'x'.repeat(64 * 1024) });
    await raw.until(() => raw.closed !== undefined);
    expect(raw.frames).toEqual([expect.objectContaining({ type: 'error', error: expect.objectContaining({ code: 'frame-too-large' }) })]);
    expect(raw.closed?.code).toBe(1008);
  });

  it('2602 the first bad frame before the hello closes the connection (no 15 free tries)', async () => {
    const raw = await RawClient.open(server.url);
    for (let i = 0; i < 10; i++) raw.sendRaw(new Uint8Array([0xc1, i]));
    await raw.until(() => raw.closed !== undefined);
    expect(raw.frames).toHaveLength(1);
    expect(raw.frames[0].error.code).toBe('malformed-frame');
    expect(raw.closed?.code).toBe(1008);
  });

  it('2603 hostile nesting and element counts are refused before they are decoded (frame-too-complex); the connection lives', async () => {
    const raw = await RawClient.open(server.url);
    await raw.hello(server.token);
    // 500,000 nested one-element arrays, then an array that claims 2^32 - 1 elements, then 200,000 nils.
    raw.sendRaw(new Uint8Array(500_000).fill(0x91));
    raw.sendRaw(Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0]));
    const many = new Uint8Array(5 + 200_000).fill(0xc0);
    many.set([0xdd, 0x00, 0x03, 0x0d, 0x40]);
    raw.sendRaw(many);
    raw.send({ type: 'req', id: 9, op: 'ping', args: {} });
    await raw.until(() => raw.frames.some((f) => f.id === 9));
    const codes = raw.frames.filter((f) => f.type === 'error').map((f) => f.error.code);
    expect(codes).toEqual(['frame-too-complex', 'frame-too-complex', 'frame-too-complex']);
    expect(raw.frames.find((f) => f.id === 9)?.result).toEqual({});
    raw.close();
  });

  it('2604 connections per peer are capped: the one over the cap gets too-many-connections; the others keep working', async () => {
    const raws: RawClient[] = [];
    for (let i = 0; i < DEFAULT_LIMITS.maxConnectionsPerPeer; i++) raws.push(await RawClient.open(server.url));
    const over = await TeecContext.initialize({ url: server.url, token: server.token }).catch((e: unknown) => e);
    expect(over).toMatchObject({ code: 'too-many-connections', result: TEEC_ERROR_BUSY });
    await raws[0]!.hello(server.token);
    for (const r of raws) r.close();
    const end = Date.now() + 2000;
    while (server.server.connectionCount > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const ctx = await TeecContext.initialize({ url: server.url, token: server.token });
    await helloWorks(ctx);
    ctx.connection.close();
  });
});

describe('2700 Origin and Host', () => {
  it('2701 a request with an Origin header (any web page) is refused at the handshake', async () => {
    expect(await upgradeStatus(server.url, {}, 'https://evil.example')).toBe(403);
    expect(await upgradeStatus(server.url, {}, 'http://127.0.0.1:8080')).toBe(403);
    expect(await upgradeStatus(server.url, {})).toBe(101);
  });

  it('2702 DNS rebinding: a Host other than the loopback address the server listens on is refused', async () => {
    const port = new URL(server.url).port;
    expect(await upgradeStatus(server.url, { Host: `rebind.evil.example:${port}` })).toBe(403);
    expect(await upgradeStatus(server.url, { Host: `127.0.0.1:${Number(port) + 1}` })).toBe(403);
    expect(await upgradeStatus(server.url, { Host: `localhost:${port}` })).toBe(101);
    expect(await upgradeStatus(server.url, { Host: `127.0.0.1:${port}` })).toBe(101);
  });

  it('2703 origins given in allowedOrigins are accepted, others still refused', async () => {
    const other = await startServer(undefined, { allowedOrigins: ['http://127.0.0.1:8080'] });
    try {
      expect(await upgradeStatus(other.url, {}, 'http://127.0.0.1:8080')).toBe(101);
      expect(await upgradeStatus(other.url, {}, 'http://127.0.0.1:8081')).toBe(403);
    } finally {
      await other.stop();
    }
  });
});

describe('2800 device-wide quotas', () => {
  it('2801 eight connections cannot take every session: past the device quota they get device-session-limit, and the others keep working', async () => {
    const ctxs: TeecContext[] = [];
    const refusals: unknown[] = [];
    let opened = 0;
    let held: Awaited<ReturnType<TeecContext['openSession']>> | undefined;
    for (let i = 0; i < 8; i++) {
      const ctx = await TeecContext.initialize({ url: server.url, token: server.token, client: `hog${i}` });
      ctxs.push(ctx);
      for (let j = 0; j < 32; j++) {
        try {
          const s = await ctx.openSession(HELLO_WORLD);
          held ??= s;
          opened++;
        } catch (e) {
          refusals.push(e);
          break;
        }
      }
    }
    expect(opened).toBeLessThanOrEqual(DEFAULT_LIMITS.maxTotalSessions);
    expect(refusals.some((e) => (e as { code?: string }).code === 'device-session-limit')).toBe(true);
    expect(refusals.find((e) => (e as { code?: string }).code === 'device-session-limit')).toMatchObject({ result: TEEC_ERROR_BUSY, origin: TEEC_ORIGIN_API });
    // A connection that already holds sessions keeps using them.
    const [first] = ctxs;
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_VALUE_INOUT), [{ value: { a: 1, b: 0 } }]);
    expect((await held!.invokeCommand(0, op)).result).toBe(TEEC_SUCCESS);
    for (const ctx of ctxs.slice(1)) ctx.connection.close();
    await new Promise((r) => setTimeout(r, 300));
    const fresh = await TeecContext.initialize({ url: server.url, token: server.token });
    await helloWorks(fresh);
    fresh.connection.close();
    first!.connection.close();
  });

  it('2802 connections filling shared memory leave the pool usable for others: past the device quota they get device-shm-limit', async () => {
    const ctxs: TeecContext[] = [];
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const ctx = await TeecContext.initialize({ url: server.url, token: server.token });
      ctxs.push(ctx);
      await ctx.allocateSharedMemory(DEFAULT_LIMITS.maxShmBytes, TEEC_MEM_INPUT).catch((e: { code: string }) => codes.push(e.code));
    }
    expect(codes).toContain('device-shm-limit');
    // Another client's temporary memref still finds room in the pool.
    const fresh = await TeecContext.initialize({ url: server.url, token: server.token });
    const s = await fresh.openSession(HELLO_WORLD);
    const buf = new Uint8Array(256 * 1024).fill(7);
    const op = new TeecOperation(TEEC_PARAM_TYPES(TEEC_MEMREF_TEMP_INOUT), [{ tmpref: { buffer: buf, size: buf.length } }]);
    const r = await s.invokeCommand(99, op);
    expect(r.result).not.toBe(TEEC_ERROR_BUSY);
    expect(r.origin).not.toBe(TEEC_ORIGIN_API); // it reached the TA (which refuses an unknown command)
    await s.close();
    for (const ctx of [...ctxs, fresh]) ctx.connection.close();
  });

  it('2803 installed TAs are capped in count and bytes (ta-quota), checked at installTA', async () => {
    const dir = join(ROOT, 'images/trustbox-edge/ta');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ta')).slice(0, 3).map((f) => join(dir, f));
    const small = await startServer({ maxInstalledTAs: 2 });
    try {
      const ctx = await small.context('admin', { admin: true });
      await ctx.connection.installTA(readFileSync(files[0]!));
      await ctx.connection.installTA(readFileSync(files[1]!));
      await ctx.connection.installTA(readFileSync(files[1]!)); // replacing one does not count twice
      await expect(ctx.connection.installTA(readFileSync(files[2]!))).rejects.toMatchObject({ code: 'ta-quota' });
    } finally {
      await small.stop();
    }
    const tiny = await startServer({ maxInstalledTaBytes: statSync(files[0]!).size + 16 });
    try {
      const ctx = await tiny.context('admin', { admin: true });
      await ctx.connection.installTA(readFileSync(files[0]!));
      await expect(ctx.connection.installTA(readFileSync(files[1]!))).rejects.toMatchObject({ code: 'ta-quota' });
    } finally {
      await tiny.stop();
    }
  });
});

describe('2850 options checked up front', () => {
  it('2851 quotas one connection could fill alone, bad origins and hosts, and an admin credential equal to the token are refused', () => {
    const base = { token: 't'.repeat(43), device: undefined as never } satisfies ServerOptions;
    expect(() => checkServerOptions({ ...base, limits: { maxSessions: 64 } })).toThrow(/maxSessions \(64\) must be below maxTotalSessions/);
    expect(() => checkServerOptions({ ...base, limits: { maxTotalShmBytes: 1024 * 1024 } })).toThrow(/maxShmBytes .* must be below maxTotalShmBytes/);
    expect(() => checkServerOptions({ ...base, limits: { maxConnectionsPerPeer: 100 } })).toThrow(/maxConnectionsPerPeer/);
    expect(() => checkServerOptions({ ...base, limits: { maxHelloBytes: 4 * 1024 * 1024 } })).toThrow(/maxHelloBytes/);
    expect(() => checkServerOptions({ ...base, allowedOrigins: ['http://127.0.0.1:8080/page'] })).toThrow(/not an origin/);
    expect(() => checkServerOptions({ ...base, allowedOrigins: ['*'] })).toThrow(/not an origin/);
    expect(() => checkServerOptions({ ...base, allowedHosts: ['evil.example'] })).toThrow(/host:port/);
    expect(() => checkServerOptions({ ...base, admin: base.token })).toThrow(/other than the token/);
    expect(checkServerOptions({ ...base, allowedOrigins: ['http://127.0.0.1:8080'], allowedHosts: ['devbox.local:7878'], admin: 'a'.repeat(43) }))
      .toEqual(DEFAULT_LIMITS);
  });
});

describe('2900 the admin credential', () => {
  it('2901 a token holder without the admin credential cannot install a TA (admin-required)', async () => {
    const ctx = await TeecContext.initialize({ url: server.url, token: server.token });
    await expect(ctx.connection.installTA(echoTaBytes())).rejects.toMatchObject({ code: 'admin-required', result: TEEC_ERROR_ACCESS_DENIED });
    ctx.connection.close();
  });

  it("2902 a token holder without the admin credential cannot follow every client's trace; the console stays open", async () => {
    const ctx = await TeecContext.initialize({ url: server.url, token: server.token });
    await expect(ctx.connection.request('subscribe', { trace: true })).rejects.toMatchObject({ code: 'admin-required' });
    expect(await ctx.connection.request('subscribe', { console: true })).toEqual({});
    ctx.connection.close();
  });

  it('2903 admin.json (mode 0600) holds a credential other than the token; with it installTA and trace work; a wrong one is refused', async () => {
    const file = join(server.stateDir, 'admin.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { admin } = JSON.parse(readFileSync(file, 'utf8')) as { admin: string };
    expect(admin).not.toBe(server.token);
    expect(admin.length).toBeGreaterThanOrEqual(40);
    const ctx = await TeecContext.initialize({ url: server.url, token: server.token, admin });
    expect(ctx.connection.admin).toBe(true);
    expect((await ctx.connection.installTA(echoTaBytes())).uuid).toBeDefined();
    const off = await ctx.connection.subscribe({ trace: true }, () => {});
    await off();
    ctx.connection.close();
    await expect(TeecContext.initialize({ url: server.url, token: server.token, admin: 'x'.repeat(43) })).rejects.toMatchObject({ code: 'bad-token' });
    const raw = await RawClient.open(server.url);
    raw.send({ type: 'hello', version: 1, token: server.token, admin: server.token });
    await raw.until(() => raw.closed !== undefined);
    expect(raw.frames[0]?.error?.code).toBe('bad-token');
    void packr;
  });
});

describe('2950 credentials on the command line', () => {
  const HELLO = ['--uuid', HELLO_WORLD, '--cmd', '0', '--param', 'value-inout:41,0', '--json'];
  const clean = { ...process.env, TRUSTBOX_TOKEN: '', TRUSTBOX_ADMIN_TOKEN: '' };

  it('2951 invoke --connect takes the token from --token-file or TRUSTBOX_TOKEN (not the process list); --token still works, with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trustbox-cred-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, `${server.token}\n`, { mode: 0o600 });
      const fromFile = await run('node', [CLI, 'invoke', '--connect', server.url, '--token-file', file, ...HELLO], { env: clean });
      expect(JSON.parse(fromFile.stdout).params[0]).toEqual({ type: 'value', a: 42, b: 0 });
      expect(fromFile.stderr).not.toContain('warning');
      // endpoint.json itself is a token file too.
      const fromEndpoint = await run('node', [CLI, 'invoke', '--connect', server.url, '--token-file', join(server.stateDir, 'endpoint.json'), ...HELLO], { env: clean });
      expect(JSON.parse(fromEndpoint.stdout).result).toBe('0x00000000');
      const fromEnv = await run('node', [CLI, 'invoke', '--connect', server.url, ...HELLO], { env: { ...clean, TRUSTBOX_TOKEN: server.token } });
      expect(JSON.parse(fromEnv.stdout).result).toBe('0x00000000');
      const visible = await run('node', [CLI, 'invoke', '--connect', server.url, '--token', server.token, ...HELLO], { env: clean });
      expect(JSON.parse(visible.stdout).result).toBe('0x00000000');
      expect(visible.stderr).toMatch(/warning: --token is visible to other users/);
      await expect(run('node', [CLI, 'invoke', '--connect', server.url, ...HELLO], { env: clean }))
        .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--token-file FILE or TRUSTBOX_TOKEN') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('2952 ta install --connect needs the admin credential (--admin-token-file or TRUSTBOX_ADMIN_TOKEN); the token alone is refused with a hint', async () => {
    const ta = join(ROOT, 'firmware/ta/echo/out', '6f1b2e1c-7c4e-4d2b-9a57-3e0c5d9a2b10.ta');
    echoTaBytes();
    const base = ['ta', 'install', ta, '--connect', server.url, '--token-file', join(server.stateDir, 'endpoint.json'), '--json'];
    await expect(run('node', [CLI, ...base], { env: clean })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('admin credential') });
    const withFile = await run('node', [CLI, ...base, '--admin-token-file', join(server.stateDir, 'admin.json')], { env: clean });
    expect(JSON.parse(withFile.stdout).uuid).toBe('6f1b2e1c-7c4e-4d2b-9a57-3e0c5d9a2b10');
    const withEnv = await run('node', [CLI, ...base], { env: { ...clean, TRUSTBOX_ADMIN_TOKEN: server.admin } });
    expect(JSON.parse(withEnv.stdout).uuid).toBe('6f1b2e1c-7c4e-4d2b-9a57-3e0c5d9a2b10');
    // --state reads <state>/admin.json itself.
    const withState = await run('node', [CLI, 'ta', 'install', ta, '--state', server.stateDir, '--json'], { env: clean });
    expect(JSON.parse(withState.stdout).uuid).toBe('6f1b2e1c-7c4e-4d2b-9a57-3e0c5d9a2b10');
  });
});
