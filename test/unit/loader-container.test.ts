import { generateKeyPairSync } from '../../emulator/host/crypto.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { TeeError } from '../../emulator/abi/errors.js';
import { TEE_ERROR_BAD_FORMAT, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_SECURITY } from '../../emulator/abi/results.js';
import { parseTaContainer, signTa, verifyTaContainer, SHDR_BOOTSTRAP_TA } from '../../emulator/tee/loader/container.js';
import { developmentKeys, developmentSigningKey } from '../../emulator/tee/loader/signing-keys.js';
import { ensureFixtures, fixture, SIMPLE_UUID } from './loader-fixtures.js';
import { TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256, TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 } from '../../emulator/abi/tee-api.js';

function expectError(f: () => unknown, code: number, message: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TeeError);
    expect((e as TeeError).code).toBe(code);
    expect((e as TeeError).message).toMatch(message);
    return;
  }
  throw new Error('expected a TeeError');
}

describe('TA container', () => {
  let elf: Uint8Array;
  let signed: Uint8Array;
  const keys = developmentKeys();
  const key = developmentSigningKey();
  beforeAll(() => {
    ensureFixtures();
    elf = fixture('simple');
    signed = signTa({ elf, uuid: SIMPLE_UUID, taVersion: 7, key });
  });

  it('lays out a BOOTSTRAP_TA as sign_encrypt.py does', () => {
    const c = parseTaContainer(signed);
    expect(c.imgType).toBe(SHDR_BOOTSTRAP_TA);
    expect(c.algo).toBe(TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256);
    expect(c.hashSize).toBe(32);
    expect(c.sigSize).toBe(384); // RSA-3072 modulus bytes
    expect(c.payloadOffset).toBe(20 + 32 + 384 + 20);
    expect(Buffer.from(signed.subarray(0, 4)).toString('latin1')).toBe('HSTO');
    expect(c.bootstrap).toEqual({ uuid: SIMPLE_UUID, taVersion: 7 });
    expect(Buffer.from(signed.subarray(436, 440)).toString('hex')).toBe('11223344'); // RFC-4122 order
    expect(Buffer.from(c.payload).equals(Buffer.from(elf))).toBe(true);
  });

  it('verifies a PSS container signed with the development key', () => {
    const v = verifyTaContainer(signed, keys);
    expect(v.signer).toBe('trustbox-dev');
    expect(v.elf.length).toBe(elf.length);
  });

  it('verifies a PKCS#1 v1.5 container', () => {
    const c = signTa({ elf, uuid: SIMPLE_UUID, key, algo: 'pkcs1' });
    expect(parseTaContainer(c).algo).toBe(TEE_ALG_RSASSA_PKCS1_V1_5_SHA256);
    expect(verifyTaContainer(c, keys).signer).toBe('trustbox-dev');
  });

  it('refuses a container signed with an unknown key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const c = signTa({ elf, uuid: SIMPLE_UUID, key: privateKey });
    expectError(() => verifyTaContainer(c, keys), TEE_ERROR_SECURITY, /signature does not verify with any trusted key/);
  });

  it('refuses a tampered payload byte with "hash mismatch"', () => {
    const c = signed.slice();
    c[c.length - 100]! ^= 1;
    expectError(() => verifyTaContainer(c, keys), TEE_ERROR_SECURITY, /hash mismatch/);
  });

  it('refuses a tampered header (ta_version) with "hash mismatch"', () => {
    const c = signed.slice();
    c[20 + 32 + 384 + 16]! ^= 1;
    expectError(() => verifyTaContainer(c, keys), TEE_ERROR_SECURITY, /hash mismatch/);
  });

  it('refuses truncated containers at any length', () => {
    for (const len of [0, 10, 19, 20, 51, 100, 436, 450, signed.length - 1]) {
      expectError(() => verifyTaContainer(signed.subarray(0, len), keys), TEE_ERROR_BAD_FORMAT, /truncated|size mismatch/);
    }
  });

  it('refuses extra bytes, bad magic and unknown image types', () => {
    const longer = new Uint8Array(signed.length + 1);
    longer.set(signed);
    expectError(() => parseTaContainer(longer), TEE_ERROR_BAD_FORMAT, /size mismatch/);
    const bad = signed.slice();
    bad[0] = 0;
    expectError(() => parseTaContainer(bad), TEE_ERROR_BAD_FORMAT, /bad magic/);
    const type = signed.slice();
    type[4] = 9;
    expectError(() => parseTaContainer(type), TEE_ERROR_BAD_FORMAT, /image type 9/);
  });

  it('parses an encrypted TA header but refuses to load it yet', () => {
    const c = Buffer.from(signed.subarray(0, 436 + 20));
    c.writeUInt32LE(2, 4);
    const enc = Buffer.alloc(12 + 12 + 16);
    enc.writeUInt32LE(0x40000810, 0);
    enc.writeUInt16LE(12, 8);
    enc.writeUInt16LE(16, 10);
    const file = new Uint8Array(Buffer.concat([c, enc, Buffer.from(elf)]));
    const parsed = parseTaContainer(file);
    expect(parsed.encrypted?.encAlgo).toBe(0x40000810);
    expect(parsed.encrypted?.iv.length).toBe(12);
    expectError(() => verifyTaContainer(file, keys), TEE_ERROR_NOT_SUPPORTED, /encrypted/);
  });

  it('refuses subkey chains as not supported', () => {
    const c = signed.slice();
    c[4] = 3;
    expectError(() => parseTaContainer(c), TEE_ERROR_NOT_SUPPORTED, /subkey/);
  });
});
