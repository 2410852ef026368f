/**
 * Device identity and its certificate through the CLI (issue 13 section 2): `trustbox device id`,
 * `trustbox ca init`, `trustbox device enroll`, checked with the real openssl binary.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/trustbox.js');
const work = mkdtempSync(join(tmpdir(), 'trustbox-identity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
const openssl = (args: string[]) => spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });

/** `device id --json` of a state directory, checked to succeed. */
function idOf(state: string): { deviceId: string; publicKey: string; certificate?: string } {
  const r = run(['device', 'id', '--state', state, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { deviceId: string; publicKey: string; certificate?: string };
}

/** The SubjectPublicKeyInfo DER of a PEM public key or certificate's key. */
const spki = (pem: string): Buffer => createPublicKey(pem).export({ format: 'der', type: 'spki' });

const deviceA = join(work, 'device-a');
const deviceB = join(work, 'device-b');

beforeAll(() => {
  for (const state of [deviceA, deviceB]) {
    const r = run(['boot', '--exit-on-ready', '--state', state]);
    expect(r.status, r.stderr).toBe(0);
  }
});

describe('trustbox device id', () => {
  it('prints the device id and the identity public key (PEM); --json is {deviceId, publicKey}', () => {
    const text = run(['device', 'id', '--state', deviceA]);
    expect(text.status, text.stderr).toBe(0);
    const id = idOf(deviceA);
    expect(Object.keys(id).sort()).toEqual(['deviceId', 'publicKey']); // not enrolled yet: no certificate
    expect(id.deviceId).toMatch(/^tbx-[0-9a-f]{32}$/);
    expect(id.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    const key = createPublicKey(id.publicKey);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // deviceId = "tbx-" + the first 16 bytes of SHA-256(SubjectPublicKeyInfo DER) (tee/identity.ts).
    expect(id.deviceId).toBe(`tbx-${createHash('sha256').update(spki(id.publicKey)).digest().subarray(0, 16).toString('hex')}`);
    expect(text.stdout).toContain(`device id: ${id.deviceId}`);
    expect(text.stdout).toContain(id.publicKey);
    expect(text.stdout).toMatch(/certificate: none/);
    expect(text.stdout).toContain(`booted the device of ${deviceA} briefly`);
    expect(text.stdout + text.stderr).not.toMatch(/PRIVATE KEY/);
  });

  it('the same device answers the same id across reboots; another device another', () => {
    const first = idOf(deviceA);
    const boot = run(['boot', '--exit-on-ready', '--state', deviceA]);
    expect(boot.status, boot.stderr).toBe(0);
    expect(idOf(deviceA)).toEqual(first);
    const other = idOf(deviceB);
    expect(other.deviceId).not.toBe(first.deviceId);
    expect(other.publicKey).not.toBe(first.publicKey);
  });

  it('a state directory without a device, or no device named at all: one line, exit 1, no device made', () => {
    const empty = join(work, 'nothing-here');
    const r = run(['device', 'id', '--state', empty]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/holds no device yet .*trustbox boot --state/);
    expect(existsSync(join(empty, 'hardware'))).toBe(false);
    const none = run(['device', 'id']);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/--state DIR, or --connect URL/);
  });
});

describe('trustbox ca init and device enroll', () => {
  const caA = join(work, 'ca-a');
  const caB = join(work, 'ca-b');
  const certA = join(work, 'device-a.pem');
  const certB = join(work, 'device-b.pem');

  beforeAll(() => {
    for (const ca of [caA, caB]) {
      const r = run(['ca', 'init', '--out', ca]);
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it('ca init makes an EC P-256 key (mode 0600) and a self-signed CA certificate', () => {
    expect(statSync(join(caA, 'ca.key')).mode & 0o777).toBe(0o600);
    const text = openssl(['x509', '-in', join(caA, 'ca.pem'), '-noout', '-text']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/CA:TRUE/);
    expect(text.stdout).toMatch(/Certificate Sign/);
    expect(text.stdout).toMatch(/prime256v1|P-256/);
    expect(openssl(['verify', '-CAfile', join(caA, 'ca.pem'), join(caA, 'ca.pem')]).status).toBe(0);
  });

  it('ca init refuses to overwrite a CA, and leaves it as it was', () => {
    const key = readFileSync(join(caA, 'ca.key'));
    const cert = readFileSync(join(caA, 'ca.pem'));
    const r = run(['ca', 'init', '--out', caA]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/exists: refusing to overwrite a CA/);
    expect(readFileSync(join(caA, 'ca.key'))).toEqual(key);
    expect(readFileSync(join(caA, 'ca.pem'))).toEqual(cert);
  });

  it('enroll issues a certificate openssl verify accepts, for the device\'s own key, and device id returns it', () => {
    const r = run(['device', 'enroll', '--state', deviceA, '--ca', caA, '--out', certA]);
    expect(r.status, r.stderr).toBe(0);
    const ok = openssl(['verify', '-CAfile', join(caA, 'ca.pem'), certA]);
    expect(ok.stdout.trim(), ok.stderr).toBe(`${certA}: OK`);
    const id = idOf(deviceA);
    expect(spki(readFileSync(certA, 'utf8'))).toEqual(spki(id.publicKey));
    const text = openssl(['x509', '-in', certA, '-noout', '-text', '-nameopt', 'RFC2253']);
    expect(text.stdout).toContain(`CN=${id.deviceId}`);
    expect(text.stdout).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(text.stdout).toMatch(/CA:FALSE/);
    expect(text.stdout).toMatch(/Digital Signature, Key Agreement/);
    expect(text.stdout).toMatch(/Subject Key Identifier/);
    expect(text.stdout).toMatch(/Authority Key Identifier/);
    // Recorded on the flash side of the state directory, never in hardware/; deviceIdentity answers it.
    const recorded = join(deviceA, 'identity', 'device-cert.pem');
    expect(readFileSync(recorded, 'utf8')).toBe(readFileSync(certA, 'utf8'));
    expect(id.certificate).toBe(readFileSync(certA, 'utf8'));
    expect(run(['device', 'id', '--state', deviceA]).stdout).toMatch(new RegExp(`certificate: CN=${id.deviceId}`));
  });

  it('a device enrolled by another CA fails openssl verify against the first', () => {
    const r = run(['device', 'enroll', '--state', deviceB, '--ca', caB, '--out', certB]);
    expect(r.status, r.stderr).toBe(0);
    expect(openssl(['verify', '-CAfile', join(caB, 'ca.pem'), certB]).status).toBe(0);
    const wrong = openssl(['verify', '-CAfile', join(caA, 'ca.pem'), certB]);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toMatch(/unable to get local issuer certificate/);
    // and A's certificate names A's key, not B's
    expect(spki(readFileSync(certA, 'utf8'))).not.toEqual(spki(idOf(deviceB).publicKey));
  });

  it('enroll without a CA: one line, exit 1, nothing recorded', () => {
    const fresh = join(work, 'device-c');
    expect(run(['boot', '--exit-on-ready', '--state', fresh]).status).toBe(0);
    const r = run(['device', 'enroll', '--state', fresh, '--ca', join(work, 'no-ca')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/holds no CA .*trustbox ca init/);
    expect(existsSync(join(fresh, 'identity', 'device-cert.pem'))).toBe(false);
  });
});
