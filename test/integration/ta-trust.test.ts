/**
 * 7xxx TA trust (issue 12, item 1): a device trusts the signer keys it was made with; a TA is
 * verified when it is installed; a TA is replaced only by its own signer, never by an older
 * version; secure storage belongs to a TA's UUID and signer. Each case performs the attack.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TeeError } from '../../emulator/abi/errors.js';
import { signTa } from '../../emulator/tee/loader/container.js';
import { developmentSigningKey } from '../../emulator/tee/loader/signing-keys.js';
import { HELLO_WORLD, bootDevice } from '../helpers/device.js';
import { SECURE_STORAGE_TA, SecureStorage } from '../conformance/6xxx-storage-client.js';

const SECURITY = 0xffff000f;
const ACCESS_CONFLICT = 0xffff0003;
const ITEM_NOT_FOUND = 0xffff0008;

const work = mkdtempSync(join(tmpdir(), 'trustbox-trust-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const elfOf = (uuid: string, dir: string): Buffer => readFileSync(`firmware/ta/${dir}/out/${uuid}.stripped.elf`);
const HELLO_ELF = elfOf(HELLO_WORLD, 'hello_world');
const STORAGE_ELF = elfOf(SECURE_STORAGE_TA, 'secure_storage');

function newKey(name: string): { key: KeyObject; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = join(work, `${name}.pem`);
  writeFileSync(pem, publicKey.export({ type: 'spki', format: 'pem' }));
  return { key: privateKey, pem };
}
const K1 = newKey('k1');
const K2 = newKey('k2');

function expectTeeError(f: () => unknown, code: number): TeeError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TeeError);
  expect((caught as TeeError).code >>> 0).toBe(code);
  return caught as TeeError;
}

describe('7001 a device trusts the keys it was made with', () => {
  it('a development device says so at boot', () => {
    const dev = bootDevice();
    try {
      expect(dev.lines('secure').some((l) => /development device: trusts public keys/.test(l))).toBe(true);
    } finally {
      dev.close();
    }
  });

  it('with --trust it runs and installs only TAs of those keys, and the choice is recorded for good', () => {
    const stateDir = mkdtempSync(join(work, 'dev-'));
    const dev = bootDevice({ stateDir, trust: [K1.pem] });
    try {
      expect(dev.lines('secure').some((l) => /trusts 1 TA signing key: k1 \(/.test(l))).toBe(true);
      // The image's TAs are signed with the public development key: this device does not run them ...
      expect(dev.client.openSession(HELLO_WORLD).result >>> 0).toBe(SECURITY);
      // ... nor lets anyone install one signed with that key (which ships in the repository).
      expectTeeError(() => dev.device.installTa(signTa({ elf: HELLO_ELF, uuid: HELLO_WORLD, key: developmentSigningKey() })), SECURITY);
      dev.device.installTa(signTa({ elf: HELLO_ELF, uuid: HELLO_WORLD, key: K1.key }));
      const s = dev.client.openSession(HELLO_WORLD);
      expect(s.result).toBe(0);
      dev.client.closeSession(s.session!);
    } finally {
      dev.device.powerOff();
    }
    // Booting the same device again keeps its trust, and asking for other keys is refused.
    const again = bootDevice({ stateDir });
    try {
      expect(again.lines('secure').some((l) => /trusts 1 TA signing key: k1/.test(l))).toBe(true);
    } finally {
      again.device.powerOff();
    }
    expect(() => bootDevice({ stateDir, trust: [K2.pem] })).toThrow(/trusted keys never change/);
  });
});

describe('7002 replacing an installed TA', () => {
  it('needs its own signer and a ta_version no lower than the installed one', () => {
    const dev = bootDevice({ trust: [K1.pem, K2.pem] });
    try {
      const sign = (key: KeyObject, taVersion: number) => signTa({ elf: HELLO_ELF, uuid: HELLO_WORLD, key, taVersion });
      dev.device.installTa(sign(K1.key, 3));
      // Another trusted signer may not take the UUID over.
      expect(expectTeeError(() => dev.device.installTa(sign(K2.key, 9)), SECURITY).message).toMatch(/only by its own signer/);
      // An older version is a rollback.
      expectTeeError(() => dev.device.installTa(sign(K1.key, 2)), ACCESS_CONFLICT);
      dev.device.installTa(sign(K1.key, 3));
      dev.device.installTa(sign(K1.key, 4));
      const s = dev.client.openSession(HELLO_WORLD);
      expect(s.result).toBe(0);
      dev.client.closeSession(s.session!);
    } finally {
      dev.close();
    }
  });
});

describe('7003 secure storage belongs to a TA identity', () => {
  it('a TA of another signer under the same UUID finds nothing of the first one', () => {
    const stateDir = mkdtempSync(join(work, 'storage-'));
    const taDir = (name: string, key: KeyObject): string => {
      const dir = join(work, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${SECURE_STORAGE_TA}.ta`), signTa({ elf: STORAGE_ELF, uuid: SECURE_STORAGE_TA, key }));
      return dir;
    };
    const byK1 = taDir('by-k1', K1.key);
    const byK2 = taDir('by-k2', K2.key);
    const run = (dir: string, body: (s: SecureStorage) => void): void => {
      const dev = bootDevice({ stateDir, trust: [K1.pem, K2.pem], taPaths: [dir] });
      try {
        body(new SecureStorage(dev));
      } finally {
        dev.device.powerOff();
      }
    };
    run(byK1, (s) => expect(s.write('victim', Buffer.from('the first signer\'s secret'))).toBe(0));
    // The normal world's TA store now offers another signer's build of the same UUID.
    run(byK2, (s) => expect(s.read('victim').result).toBe(ITEM_NOT_FOUND));
    run(byK1, (s) => expect(s.read('victim').data.toString()).toBe('the first signer\'s secret'));
  });
});
