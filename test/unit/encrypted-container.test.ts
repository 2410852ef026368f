/**
 * The encrypted TA container kind (img_type 2) without a device: OP-TEE's key derivation, the
 * digest-only signature check, the per-device envelope and each refused input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TeeError } from '../../emulator/abi/errors.js';
import { TEE_ERROR_BAD_FORMAT, TEE_ERROR_SECURITY } from '../../emulator/abi/results.js';
import {
  constants, createPublicKey, generateKeyPairSync, nodeCryptoModule, rsaVerifyDigest, sha256,
} from '../../emulator/host/crypto.js';
import { hukSubkeys } from '../../emulator/tee/huk.js';
import { DeviceIdentity } from '../../emulator/tee/identity.js';
import { parseTaContainer, SHDR_ENCRYPTED_TA, SHDR_ENC_TRUSTBOX_ENVELOPE } from '../../emulator/tee/loader/container.js';
import { developmentKeys, developmentSigningKey, keysDirectory } from '../../emulator/tee/loader/signing-keys.js';
import { encryptedContainer, encryptTa, opteeTaEncKey } from '../../emulator/tee/ta-sources/encrypted.js';
import { describeEnvelope } from '../../emulator/tee/ta-sources/envelope.js';
import type { ContainerContext } from '../../emulator/tee/ta-sources/pipeline.js';

const HELLO = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const ELF = new Uint8Array(readFileSync(join(import.meta.dirname, `../../firmware/ta/hello_world/out/${HELLO}.stripped.elf`)));
const ZERO_HUK = Buffer.alloc(16);
const OPTEE_DEFAULT_TA_ENC_KEY = 'e3ff381eb7859bb961c52f9b78b693f725c261e75eb488ef5893d6de5d097e6a';

function context(huk: Uint8Array): ContainerContext {
  const deriveKey = hukSubkeys(huk);
  return { deriveKey, identity: new DeviceIdentity(deriveKey) };
}

function refusal(f: () => unknown): TeeError {
  try {
    f();
  } catch (e) {
    if (e instanceof TeeError) return e;
    throw e;
  }
  throw new Error('expected a TeeError');
}

describe('encrypted TA container', () => {
  const keys = developmentKeys();
  const signing = developmentSigningKey();
  const zero = context(ZERO_HUK);
  const devKey = keys.find((k) => k.name === 'trustbox-dev')!.key;
  const encKey = opteeTaEncKey(zero.deriveKey, devKey);
  const optee = encryptTa({ elf: ELF, uuid: HELLO, key: signing, encKey, taVersion: 3 });
  const open = (bytes: Uint8Array, ctx = zero) => encryptedContainer.open(bytes, keys, 'TA x', ctx);

  it('derives OP-TEE\'s default TA_ENC_KEY from the all-zero HUK and OP-TEE\'s default key', () => {
    const opteeKey = createPublicKey(readFileSync(join(keysDirectory(), 'optee-default-ta.pub.pem')));
    expect(opteeTaEncKey(zero.deriveKey, opteeKey).toString('hex')).toBe(OPTEE_DEFAULT_TA_ENC_KEY);
    // A 32-byte all-zero HUK is the same HMAC key (HMAC pads keys with zeros).
    expect(opteeTaEncKey(hukSubkeys(Buffer.alloc(32)), opteeKey).toString('hex')).toBe(OPTEE_DEFAULT_TA_ENC_KEY);
  });

  it('verifies RSA signatures over a bare digest (PSS and PKCS#1 v1.5)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const msg = Buffer.from('header and plaintext');
    const d = sha256(msg);
    const pss = nodeCryptoModule.sign('sha256', msg, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    const v15 = nodeCryptoModule.sign('sha256', msg, privateKey);
    expect(rsaVerifyDigest(publicKey, true, d, pss)).toBe(true);
    expect(rsaVerifyDigest(publicKey, false, d, v15)).toBe(true);
    expect(rsaVerifyDigest(publicKey, false, d, pss)).toBe(false);
    expect(rsaVerifyDigest(publicKey, true, sha256(d), pss)).toBe(false);
    const bad = Buffer.from(pss);
    bad[10]! ^= 1;
    expect(rsaVerifyDigest(publicKey, true, d, bad)).toBe(false);
  });

  it('lays the container out as sign_encrypt.py does and opens it with the HUK-derived key', () => {
    const c = parseTaContainer(optee);
    expect(c.imgType).toBe(SHDR_ENCRYPTED_TA);
    expect(c.encrypted).toMatchObject({ encAlgo: 0x40000810, flags: 0 });
    expect(c.encrypted!.iv.length).toBe(12);
    expect(c.encrypted!.tag.length).toBe(16);
    expect(optee.length).toBe(c.payloadOffset + ELF.length);
    expect(Buffer.from(c.payload).equals(Buffer.from(ELF))).toBe(false);
    const opened = open(optee);
    expect(Buffer.from(opened.elf).equals(Buffer.from(ELF))).toBe(true);
    expect(opened).toMatchObject({ signer: 'trustbox-dev', namedUuid: HELLO, taVersion: 3 });
  });

  it('refuses another HUK: decryption', () => {
    expect(refusal(() => open(optee, context(Buffer.alloc(16, 1)))).message).toMatch(/decryption: the authentication tag/);
  });

  it('opens a per-device envelope only on its device', () => {
    const a = context(Buffer.alloc(32, 0xa));
    const b = context(Buffer.alloc(32, 0xb));
    const sealed = encryptTa({ elf: ELF, uuid: HELLO, key: signing, forDevice: a.identity.publicKey });
    const c = parseTaContainer(sealed);
    expect(c.encrypted!.flags).toBe(SHDR_ENC_TRUSTBOX_ENVELOPE);
    expect(describeEnvelope(c.encrypted!.envelope!).recipient).toBe(a.identity.info.keyHash.toString('hex'));
    expect(Buffer.from(open(sealed, a).elf).equals(Buffer.from(ELF))).toBe(true);
    const e = refusal(() => open(sealed, b));
    expect(e.code).toBe(TEE_ERROR_SECURITY);
    expect(e.message).toMatch(/encrypted for another device/);
  });

  it('refuses each bad input with the check that failed', () => {
    const flip = (at: number) => {
      const x = Buffer.from(optee);
      x[at]! ^= 0x40;
      return x;
    };
    const c = parseTaContainer(optee);
    const tagAt = c.payloadOffset - 16;
    const cases: [string, Uint8Array, RegExp, number][] = [
      ['ciphertext', flip(c.payloadOffset + 100), /decryption: the authentication tag/, TEE_ERROR_SECURITY],
      ['tag', flip(tagAt + 3), /header signature|decryption/, TEE_ERROR_SECURITY],
      ['truncated payload', optee.subarray(0, optee.length - 7), /size check/, TEE_ERROR_SECURITY],
      ['truncated header', optee.subarray(0, 30), /truncated/, TEE_ERROR_BAD_FORMAT],
      ['enc_algo', withEnc(optee, 0, 0x10000110), /unsupported encryption algorithm/, TEE_ERROR_SECURITY],
      ['ta_version', withVersion(optee, 9), /digest check/, TEE_ERROR_SECURITY],
    ];
    for (const [name, bytes, message, code] of cases) {
      const e = refusal(() => open(bytes));
      expect({ name, code: e.code }).toEqual({ name, code });
      expect(e.message).toMatch(message);
    }
  });

  it('refuses an unsupported algorithm or key type that its signer signed', () => {
    const unsigned = (enc: number, flags: number) => encryptTaWith(enc, flags);
    expect(refusal(() => open(unsigned(0x10000110, 0))).message).toMatch(/unsupported encryption algorithm 0x10000110/);
    expect(refusal(() => open(unsigned(0x40000810, 1))).message).toMatch(/SHDR_ENC_KEY_CLASS_WIDE/);
    expect(refusal(() => open(unsigned(0x40000810, 0x80))).message).toMatch(/unsupported encryption flags/);
  });

  it('refuses an unknown signer before anything else', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = encryptTa({ elf: ELF, uuid: HELLO, key: privateKey, encKey });
    expect(refusal(() => open(other)).message).toMatch(/header signature: .*unknown signer/);
  });

  /** A container whose encryption header says (enc, flags), signed by the dev key over the real plaintext. */
  function encryptTaWith(enc: number, flags: number): Uint8Array {
    const c = parseTaContainer(optee);
    const bytes = Buffer.from(withEnc(optee, 0, enc));
    bytes.writeUInt32LE(flags, c.payloadOffset - 40 + 4);
    // Re-sign: digest over the altered headers and the plaintext.
    const parsed = parseTaContainer(bytes);
    const message = Buffer.concat([...parsed.hashedHeaders, ELF]);
    const hash = sha256(message);
    const sig = nodeCryptoModule.sign('sha256', message, { key: signing, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    Buffer.from(hash).copy(bytes, 20);
    Buffer.from(sig).copy(bytes, 20 + 32);
    return bytes;
  }
});

/** Overwrites a u32 of the encryption header (offset 0: enc_algo, 4: flags). */
function withEnc(bytes: Uint8Array, field: number, value: number): Uint8Array {
  const c = parseTaContainer(bytes);
  const out = Buffer.from(bytes);
  out.writeUInt32LE(value, c.payloadOffset - 40 + field);
  return out;
}

/** Overwrites the bootstrap header's ta_version (the digest covers it; the GCM tag does not). */
function withVersion(bytes: Uint8Array, version: number): Uint8Array {
  const c = parseTaContainer(bytes);
  const out = Buffer.from(bytes);
  out.writeUInt32LE(version, c.payloadOffset - 40 - 4);
  return out;
}
