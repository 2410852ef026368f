/**
 * The deviceIdentity operation (issue 13 section 2): any token holder gets the device id, the
 * identity public key and, once the device is enrolled, its certificate, and nothing more; the
 * CLI (`trustbox device id`, `device enroll`) answers the same for the same device.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.js';

const BIN = join(import.meta.dirname, '../../bin/trustbox.js');
/** The CLI, run without blocking this process: the served device's API answers on this event loop. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const work = mkdtempSync(join(tmpdir(), 'trustbox-api-identity-'));

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('deviceIdentity', () => {
  it('answers {deviceId, publicKey} to any token holder (no admin), the key a P-256 public key, nothing secret', async () => {
    const ctx = await server.context('identity-test');
    const id = await ctx.connection.deviceIdentity();
    expect(Object.keys(id).sort()).toEqual(['deviceId', 'publicKey']);
    expect(id.deviceId).toMatch(/^tbx-[0-9a-f]{32}$/);
    expect(createPublicKey(id.publicKey).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(JSON.stringify(id)).not.toMatch(/PRIVATE/);
    await expect(ctx.connection.request('deviceIdentity', { huk: true } as never)).rejects.toMatchObject({ code: 'bad-arguments' });
  });

  it('answers the same id and key as `trustbox device id`, over --state and over --connect', async () => {
    const id = await (await server.context()).connection.deviceIdentity();
    const byState = await cli(['device', 'id', '--state', server.stateDir, '--json']);
    expect(byState.status, byState.stderr).toBe(0);
    expect(JSON.parse(byState.stdout)).toEqual(id);
    const byUrl = await cli(['device', 'id', '--connect', server.url, '--token-file', join(server.stateDir, 'endpoint.json')]);
    expect(byUrl.status, byUrl.stderr).toBe(0);
    expect(byUrl.stdout).toContain(`device id: ${id.deviceId}`);
    expect(byUrl.stdout).toContain('asked the running device');
  });

  it('after `trustbox device enroll` of the running device it also answers the certificate, which openssl verifies', async () => {
    const ca = join(work, 'ca');
    expect((await cli(['ca', 'init', '--out', ca])).status).toBe(0);
    const enrolled = await cli(['device', 'enroll', '--state', server.stateDir, '--ca', ca]);
    expect(enrolled.status, enrolled.stderr).toBe(0);
    const id = await (await server.context()).connection.deviceIdentity();
    const recorded = readFileSync(join(server.stateDir, 'identity', 'device-cert.pem'), 'utf8');
    expect(id.certificate).toBe(recorded);
    const der = (pem: string) => createPublicKey(pem).export({ format: 'der', type: 'spki' });
    expect(der(id.certificate!)).toEqual(der(id.publicKey));
    const certFile = join(work, 'device.pem');
    writeFileSync(certFile, id.certificate!);
    const verify = spawnSync('openssl', ['verify', '-CAfile', join(ca, 'ca.pem'), certFile], { encoding: 'utf8' });
    expect(verify.stdout.trim(), verify.stderr).toBe(`${certFile}: OK`);
  });
});
