/**
 * 4010 objects and operations misuse: GP's panics (TA dies: TEE_ERROR_TARGET_DEAD, origin
 * TEE) and GP's error returns for wrong key types, key usage, key sizes, double populate,
 * non-extractable secrets, unsupported modes and sizes, missing attributes.
 */
import { describe, expect, it } from 'vitest';
import {
  Cryptest, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_TARGET_DEAD, TEEC_ORIGIN_TEE,
} from './4xxx-cryptest-client.js';

describe('4010 objects and operations misuse', () => {
  const ct = Cryptest.shared();
  const panics: [string, number][] = [
    ['4010.1 HMAC key into an AES operation (TEE_SetOperationKey) panics', 2],
    ['4010.2 a decrypt-only key into an encrypt operation panics', 4],
    ['4010.3 a 256-bit key into an operation of at most 128 bits panics', 5],
    ['4010.4 reading the secret of a non-extractable key panics', 7],
    ['4010.5 populating an initialized object panics', 8],
  ];
  for (const [name, scenario] of panics) {
    it(name, () => {
      const r = ct.misuse(scenario);
      expect(r.result).toBe(TEE_ERROR_TARGET_DEAD);
      expect(r.origin).toBe(TEEC_ORIGIN_TEE);
    });
  }

  it('4010.6 SHA-256 in encrypt mode: TEE_AllocateOperation returns TEE_ERROR_NOT_SUPPORTED', () => {
    expect(ct.misuse(9).result).toBe(TEE_ERROR_NOT_SUPPORTED);
  });

  it('4010.7 a 100-bit AES object: TEE_AllocateTransientObject returns TEE_ERROR_NOT_SUPPORTED', () => {
    expect(ct.misuse(10).result).toBe(TEE_ERROR_NOT_SUPPORTED);
  });

  it('4010.8 an RSA key pair without its private exponent: TEE_PopulateTransientObject returns BAD_PARAMETERS', () => {
    expect(ct.misuse(11).result).toBe(TEE_ERROR_BAD_PARAMETERS);
  });

  it('4010.9 after a panic the TA opens again and works', () => {
    expect(ct.misuse(5).result).toBe(TEE_ERROR_TARGET_DEAD);
    expect(ct.digest(0x50000004, Buffer.from('abc')).out.toString('hex'))
      .toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
