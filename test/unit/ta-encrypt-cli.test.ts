/**
 * `trustbox ta encrypt` and what `ta inspect` shows of encrypted TAs (issue 13, section 1).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerTaCommands } from '../../emulator/cli/ta-commands.js';
import { createPublicKey, generateKeyPairSync } from '../../emulator/host/crypto.js';
import { hukSubkeys } from '../../emulator/tee/huk.js';
import { DeviceIdentity } from '../../emulator/tee/identity.js';
import { parseTaContainer, signTa } from '../../emulator/tee/loader/container.js';
import { developmentKeys, developmentSigningKey } from '../../emulator/tee/loader/signing-keys.js';
import { encryptedContainer } from '../../emulator/tee/ta-sources/encrypted.js';

const HELLO = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const ELF_PATH = join(import.meta.dirname, `../../firmware/ta/hello_world/out/${HELLO}.stripped.elf`);
const ELF = readFileSync(ELF_PATH);

function program(): { run: (...args: string[]) => void; out: () => string } {
  let out = '';
  const p = new Command().exitOverride().configureOutput({ writeErr: (s) => (out += s), writeOut: (s) => (out += s) });
  registerTaCommands(p);
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  return { run: (...args) => p.parse(args, { from: 'user' }), out: () => out };
}

function device(fill: number): { derive: ReturnType<typeof hukSubkeys>; identity: DeviceIdentity } {
  const derive = hukSubkeys(Buffer.alloc(16, fill));
  return { derive, identity: new DeviceIdentity(derive) };
}

describe('trustbox ta encrypt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ta-encrypt-'));
  afterEach(() => vi.restoreAllMocks());
  const open = (bytes: Uint8Array, d: ReturnType<typeof device>) =>
    encryptedContainer.open(bytes, developmentKeys(), 'TA', { deriveKey: d.derive, identity: d.identity });

  it('encrypts a signed .ta (verified first) for OP-TEE\'s all-zero HUK, keeping its UUID and version', () => {
    const signed = join(dir, 'signed.ta');
    writeFileSync(signed, signTa({ elf: ELF, uuid: HELLO, key: developmentSigningKey(), taVersion: 4 }));
    const out = join(dir, 'optee.ta');
    const cli = program();
    cli.run('ta', 'encrypt', '--in', signed, '--huk', '0'.repeat(32), '--out', out);
    expect(cli.out()).toMatch(/encrypted 8aaaf200-.* \(ta_version 4, OP-TEE device-specific key mode, AES-256-GCM\)/);
    const bytes = new Uint8Array(readFileSync(out));
    expect(parseTaContainer(bytes).bootstrap).toEqual({ uuid: HELLO, taVersion: 4 });
    expect(Buffer.from(open(bytes, device(0)).elf).equals(ELF)).toBe(true);
    const inspect = program();
    inspect.run('ta', 'inspect', out);
    expect(inspect.out()).toMatch(/container: +ENCRYPTED_TA/);
    expect(inspect.out()).toMatch(/encryption: +OP-TEE device key/);
    expect(inspect.out()).toMatch(/algorithm: +TEE_ALG_AES_GCM \(AES-256-GCM, 12-byte IV, 16-byte tag\)/);
    expect(inspect.out()).toMatch(/key type: +SHDR_ENC_KEY_DEV_SPECIFIC/);
    expect(inspect.out()).toMatch(/signer: +trustbox-dev \(header signature/);
  });

  it('encrypts an ELF with --enc-key as sign_encrypt.py --enc-key does', () => {
    const out = join(dir, 'enckey.ta');
    const key = device(0).derive('opteeTaEnc', Buffer.from(createPublicKey(developmentSigningKey()).export({ format: 'jwk' }).n!, 'base64url'));
    program().run('ta', 'encrypt', '--in', ELF_PATH, '--enc-key', key.toString('hex'), '--out', out);
    expect(Buffer.from(open(new Uint8Array(readFileSync(out)), device(0)).elf).equals(ELF)).toBe(true);
  });

  it('wraps to one device with --for-device; inspect names the recipient without decrypting', () => {
    const a = device(1);
    const pem = join(dir, 'device-a.pem');
    writeFileSync(pem, a.identity.info.publicKeyPem);
    const out = join(dir, 'for-a.ta');
    program().run('ta', 'encrypt', '--in', ELF_PATH, '--for-device', pem, '--out', out);
    const bytes = new Uint8Array(readFileSync(out));
    expect(Buffer.from(open(bytes, a).elf).equals(ELF)).toBe(true);
    expect(() => open(bytes, device(2))).toThrow(/encrypted for another device/);
    const inspect = program();
    inspect.run('ta', 'inspect', '--json', out);
    const report = JSON.parse(inspect.out()) as { container: { encryption: { mode: string; recipient: string; keyType: string } } };
    expect(report.container.encryption.mode).toBe('per-device envelope (trustbox)');
    expect(report.container.encryption.recipient).toContain(a.identity.info.deviceId);
    expect(report.container.encryption.keyType).toMatch(/ECDH-ES P-256 \+ HKDF-SHA256 \+ AES-256-GCM/);
  });

  it('refuses a container no known key signed, an RSA key as a device key, and two modes at once', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = join(dir, 'foreign.ta');
    writeFileSync(foreign, signTa({ elf: ELF, uuid: HELLO, key: privateKey }));
    const rsaPem = join(dir, 'rsa.pem');
    writeFileSync(rsaPem, publicKey.export({ format: 'pem', type: 'spki' }));
    const out = join(dir, 'x.ta');
    const fails = (...args: string[]): string => {
      const cli = program();
      expect(() => cli.run('ta', 'encrypt', ...args, '--out', out)).toThrow();
      return cli.out();
    };
    expect(fails('--in', foreign, '--huk', '0'.repeat(32))).toMatch(/signature does not verify with any trusted key/);
    expect(fails('--in', ELF_PATH, '--for-device', rsaPem)).toMatch(/not an EC P-256 public key/);
    expect(fails('--in', ELF_PATH, '--huk', '0'.repeat(32), '--enc-key', '00'.repeat(32))).toMatch(/exactly one of/);
  });
});
