/**
 * The attest operation and `trustbox attest` / `trustbox attest verify` against a served device
 * (issue 13 section 3): a token any token holder may ask for, verified by the client library and
 * by the CLI with the device key or through the manufacturer CA; bad arguments refused.
 */
import { spawn } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPsaToken, decodePsaToken } from '../../emulator/client/attestation.js';
import { startServer, type TestServer } from './helpers.js';

const BIN = join(import.meta.dirname, '../../bin/trustbox.js');
const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';

/** The CLI, run without blocking this process (the served device answers on this event loop). */
function cli(args: string[]): Promise<{ status: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr }));
  });
}

const work = mkdtempSync(join(tmpdir(), 'trustbox-api-attest-'));
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

const NONCE = Buffer.alloc(32, 0x5a);

describe('attest', () => {
  it('answers a token that the client library verifies with the device key', async () => {
    const { connection } = await server.context('attest-test');
    const token = await connection.attest(HELLO_WORLD, NONCE);
    const { publicKey } = await connection.deviceIdentity();
    const r = await verifyPsaToken(token, { publicKey, nonce: NONCE });
    expect(r.ok).toBe(true);
    expect(decodePsaToken(await connection.attest(HELLO_WORLD, NONCE, 'draft')).profile).toBe('http://arm.com/psa/2.0.0');
  });

  it('refuses a bad profile or nonce size (bad-arguments) and an unknown TA (ITEM_NOT_FOUND)', async () => {
    const { connection } = await server.context();
    await expect(connection.request('attest', { uuid: HELLO_WORLD, nonce: NONCE, profile: 'psa1' })).rejects.toMatchObject({ code: 'bad-arguments' });
    await expect(connection.attest(HELLO_WORLD, Buffer.alloc(20))).rejects.toMatchObject({ code: 'bad-arguments' });
    await expect(connection.attest('00000000-0000-0000-0000-0000000000aa', NONCE)).rejects.toMatchObject({ result: 0xffff0008 });
  });

  it('trustbox attest --connect writes the raw token; attest verify exits 0 for it, 1 naming the check otherwise', async () => {
    const hex = NONCE.toString('hex');
    const got = await cli(['attest', '--connect', server.url, '--token-file', join(server.stateDir, 'endpoint.json'), '--uuid', HELLO_WORLD, '--nonce', hex]);
    expect(got.status, got.stderr).toBe(0);
    const tokenFile = join(work, 'token.cbor');
    writeFileSync(tokenFile, got.stdout);
    expect(got.stdout.subarray(0, 2).toString('hex')).toBe('d284');
    const { publicKey } = await (await server.context()).connection.deviceIdentity();
    const keyFile = join(work, 'device.pem');
    writeFileSync(keyFile, publicKey);
    const ok = await cli(['attest', 'verify', tokenFile, '--device', keyFile, '--nonce', hex, '--expect-ta', HELLO_WORLD]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.toString()).toMatch(/^attest verify: genuine and fresh/);
    const stale = await cli(['attest', 'verify', tokenFile, '--device', keyFile, '--nonce', '11'.repeat(32)]);
    expect(stale.status).toBe(1);
    expect(stale.stdout.toString().trim()).toMatch(/^attest verify: rejected \(nonce\): /);
    const wrongTa = await cli(['attest', 'verify', tokenFile, '--device', keyFile, '--nonce', hex, '--expect-ta', 'b6c53aba-9669-4668-a7f2-205629d00f86']);
    expect([wrongTa.status, wrongTa.stdout.toString().match(/\((.*?)\)/)?.[1]]).toEqual([1, 'expected-ta']);
    const seen = join(work, 'seen.txt');
    expect((await cli(['attest', 'verify', tokenFile, '--device', keyFile, '--nonce', hex, '--seen-nonces', seen])).status).toBe(0);
    const replay = await cli(['attest', 'verify', tokenFile, '--device', keyFile, '--nonce', hex, '--seen-nonces', seen, '--json']);
    expect([replay.status, JSON.parse(replay.stdout.toString()).check]).toEqual([1, 'replay']);
  });

  it('trustbox attest --state asks the running device, or boots a device that is not running briefly', async () => {
    const hex = NONCE.toString('hex');
    const running = await cli(['attest', '--state', server.stateDir, '--uuid', HELLO_WORLD, '--nonce', hex, '--json']);
    expect(running.status, running.stderr).toBe(0);
    const { publicKey } = await (await server.context()).connection.deviceIdentity();
    const claims = JSON.parse(running.stdout.toString()) as { instanceId: string; referenceValues: unknown[] };
    expect(claims.referenceValues).toHaveLength(5);
    const idFromKey = `01${createHash('sha256').update(createPublicKey(publicKey).export({ format: 'der', type: 'spki' })).digest('hex')}`;
    expect(claims.instanceId).toBe(idFromKey);
    const fresh = join(work, 'fresh');
    expect((await cli(['boot', '--state', fresh, '--exit-on-ready'])).status).toBe(0);
    const brief = await cli(['attest', '--state', fresh, '--uuid', HELLO_WORLD, '--nonce', hex]);
    expect(brief.status, brief.stderr).toBe(0);
    const id = await cli(['device', 'id', '--state', fresh, '--json']);
    const keyFile = join(work, 'fresh.pem');
    writeFileSync(keyFile, JSON.parse(id.stdout.toString()).publicKey);
    const tokenFile = join(work, 'fresh.cbor');
    writeFileSync(tokenFile, brief.stdout);
    expect((await cli(['attest', 'verify', tokenFile, '--device', keyFile, '--nonce', hex])).status).toBe(0);
    const none = await cli(['attest', '--state', join(work, 'nothing'), '--uuid', HELLO_WORLD, '--nonce', hex]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/holds no device yet/);
  });

  it('attest verify --ca accepts the token of an enrolled device and rejects a certificate the CA did not sign', async () => {
    const hex = NONCE.toString('hex');
    const ca = join(work, 'ca');
    const otherCa = join(work, 'other-ca');
    expect((await cli(['ca', 'init', '--out', ca])).status).toBe(0);
    expect((await cli(['ca', 'init', '--out', otherCa])).status).toBe(0);
    const enrolled = await cli(['device', 'enroll', '--state', server.stateDir, '--ca', ca]);
    expect(enrolled.status, enrolled.stderr).toBe(0);
    const tokenFile = join(work, 'token-ca.cbor');
    writeFileSync(tokenFile, await (await server.context()).connection.attest(HELLO_WORLD, NONCE));
    const ok = await cli(['attest', 'verify', tokenFile, '--ca', join(ca, 'ca.pem'), '--state', server.stateDir, '--nonce', hex]);
    expect(ok.status, ok.stdout.toString() + ok.stderr).toBe(0);
    const bad = await cli(['attest', 'verify', tokenFile, '--ca', join(otherCa, 'ca.pem'), '--state', server.stateDir, '--nonce', hex]);
    expect(bad.status).toBe(1);
    expect(bad.stdout.toString()).toMatch(/rejected \(ca\): /);
  });
});
