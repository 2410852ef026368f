/**
 * 4002 MAC: HMAC-SHA1..512 (RFC 2202, RFC 4231), AES-CMAC (RFC 4493), AES-CBC-MAC, through
 * TEE_MACInit/Update/ComputeFinal and TEE_MACCompareFinal in the cryptest TA; HMAC-SHA3.
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Cryptest, CMD, CT, MODE, TEE_ERROR_MAC_INVALID, TEE_ERROR_SHORT_BUFFER, TEE_ERROR_TARGET_DEAD, TEEC_ORIGIN_TEE,
  blob, hex, key,
} from './4xxx-cryptest-client.js';

const TEE_ATTR_SECRET_VALUE = 0xc0000000;
const HMAC = { sha1: 0x30000002, sha224: 0x30000003, sha256: 0x30000004, sha384: 0x30000005, sha512: 0x30000006 };
const HMAC_TYPE = { sha1: 0xa0000002, sha224: 0xa0000003, sha256: 0xa0000004, sha384: 0xa0000005, sha512: 0xa0000006 };
const GENERIC_SECRET = 0xa0000000;
const MIN_BITS = { sha1: 80, sha224: 112, sha256: 192, sha384: 256, sha512: 256 };
const MAX_BITS = { sha1: 512, sha224: 512, sha256: 1024, sha384: 1024, sha512: 1024 };
const AES = 0xa0000010;
const AES_CMAC = 0x30000610;
const AES_CBC_MAC_NOPAD = 0x30000110;

describe('4002 MAC', () => {
  const ct = Cryptest.shared();
  const mac = (algo: number, type: number, k: Buffer, data: Buffer, chunk = 0, out = 64, maxBits = 1024, iv?: Buffer) =>
    ct.run(CMD.MAC, algo, MODE.MAC | (chunk << 16), key(type, maxBits, [[TEE_ATTR_SECRET_VALUE, k]]),
      blob([[CT.DATA, data], ...(iv ? [[CT.IV, iv] as [number, Buffer]] : [])]), out);

  const jefe = Buffer.from('Jefe');
  const what = Buffer.from('what do ya want for nothing?');
  const cases: [string, keyof typeof HMAC, Buffer, Buffer, string][] = [
    ['4002.1 HMAC-SHA1 RFC 2202 test case 1', 'sha1', Buffer.alloc(20, 0x0b), Buffer.from('Hi There'),
      'b617318655057264e28bc0b6fb378c8ef146be00'],
    ['4002.2 HMAC-SHA224 RFC 4231 test case 2 ("Jefe")', 'sha224', jefe, what,
      'a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44'],
    ['4002.3 HMAC-SHA256 RFC 4231 test case 1', 'sha256', Buffer.alloc(20, 0x0b), Buffer.from('Hi There'),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    ['4002.4 HMAC-SHA256 RFC 4231 test case 2 ("Jefe")', 'sha256', jefe, what,
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['4002.5 HMAC-SHA384 RFC 4231 test case 2 ("Jefe")', 'sha384', jefe, what,
      'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649'],
    ['4002.6 HMAC-SHA512 RFC 4231 test case 2 ("Jefe")', 'sha512', jefe, what,
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737'],
  ];
  for (const [name, h, k, data, want] of cases) {
    it(name, () => {
      // Keys below GP's minimum HMAC key size (e.g. "Jefe") go in as GENERIC_SECRET keys.
      const type = k.length * 8 < MIN_BITS[h] ? GENERIC_SECRET : HMAC_TYPE[h];
      const r = mac(HMAC[h], type, k, data, 0, 64, MAX_BITS[h]);
      expect(r.result).toBe(0);
      expect(r.out.toString('hex')).toBe(want);
    });
  }

  const cmacKey = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const cmacMsg = hex(`6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
    30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);
  const cmacCases: [number, string][] = [[0, 'bb1d6929e95937287fa37d129b756746'], [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'], [64, '51f0bebf7e3b9d92fc49741779363cfe']];
  cmacCases.forEach(([n, want], i) => {
    it(`4002.${7 + i} AES-128-CMAC RFC 4493 example ${i + 1} (${n} bytes, 5-byte updates)`, () => {
      const r = mac(AES_CMAC, AES, cmacKey, cmacMsg.subarray(0, n), 5, 16, 128);
      expect(r.result).toBe(0);
      expect(r.out.toString('hex')).toBe(want);
    });
  });

  it('4002.11 AES-CBC-MAC-NOPAD equals the last CBC block (SP800-38A F.2.1, its IV)', () => {
    const r = mac(AES_CBC_MAC_NOPAD, AES, cmacKey, cmacMsg, 0, 16, 128, hex('000102030405060708090a0b0c0d0e0f'));
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe('3ff1caa1681fac09120eca307586e1a7');
  });

  it('4002.12 TEE_MACCompareFinal accepts the right MAC and answers TEE_ERROR_MAC_INVALID otherwise', () => {
    const good = hex('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    const k = key(GENERIC_SECRET, 256, [[TEE_ATTR_SECRET_VALUE, Buffer.alloc(20, 0x0b)]]);
    const ok = ct.run(CMD.MAC, HMAC.sha256, MODE.MAC, k, blob([[CT.DATA, Buffer.from('Hi There')], [CT.TAG, good]]), 1);
    expect(ok.result).toBe(0);
    good[31]! ^= 1;
    const bad = ct.run(CMD.MAC, HMAC.sha256, MODE.MAC, k, blob([[CT.DATA, Buffer.from('Hi There')], [CT.TAG, good]]), 1);
    expect(bad.result).toBe(TEE_ERROR_MAC_INVALID);
    const short = ct.run(CMD.MAC, HMAC.sha256, MODE.MAC, k, blob([[CT.DATA, Buffer.from('Hi There')], [CT.TAG, good.subarray(0, 16)]]), 1);
    expect(short.result).toBe(TEE_ERROR_MAC_INVALID);
  });

  it('4002.13 MAC output buffer too short: TEE_ERROR_SHORT_BUFFER with the MAC size', () => {
    const r = mac(HMAC.sha512, HMAC_TYPE.sha512, Buffer.alloc(64, 1), Buffer.from('x'), 0, 10, 512);
    expect(r.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(r.size).toBe(64);
  });

  it('4002.14 HMAC key below the type minimum is refused at populate (TEE_ERROR_BAD_PARAMETERS)', () => {
    const r = mac(HMAC.sha256, HMAC_TYPE.sha256, Buffer.alloc(8, 1), Buffer.from('x'), 0, 64, 256);
    expect(r.result).toBe(0xffff0006);
  });

  it('4002.17 a key past the object\'s maximum is BAD_PARAMETERS; past the type\'s largest key the TA panics (TEE_ERROR_SECURITY), as OP-TEE', () => {
    expect(mac(HMAC.sha256, HMAC_TYPE.sha256, Buffer.alloc(96, 1), Buffer.from('x'), 0, 64, 512).result).toBe(0xffff0006);
    const r = mac(HMAC.sha256, HMAC_TYPE.sha256, Buffer.alloc(1024, 1), Buffer.from('x'), 0, 64, 1024);
    expect(r.result).toBe(TEE_ERROR_TARGET_DEAD);
    expect(r.origin).toBe(TEEC_ORIGIN_TEE);
  });

  it('4002.18 HMAC-SM3 (key type HMAC_SM3, 64-byte block), against node:crypto', () => {
    const k = Buffer.from([...Array(20).keys()]);
    const msg = Buffer.from('a message for HMAC-SM3');
    const r = mac(0x30000007, 0xa0000007, k, msg, 3);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe(createHmac('sm3', k).update(msg).digest('hex'));
  });

  it('4002.19 DES CBC-MAC (NOPAD) and 3DES CBC-MAC (PKCS#5 padding) equal the last CBC block from node:crypto', () => {
    const cbcLast = (k3: Buffer, data: Buffer): string => {
      const c = createCipheriv('des-ede3-cbc', k3, Buffer.alloc(8)).setAutoPadding(false);
      const out = Buffer.concat([c.update(data), c.final()]);
      return out.subarray(out.length - 8).toString('hex');
    };
    const k = Buffer.from('0e329232ea6d0d73', 'hex');
    const data = Buffer.from('sixteen bytes!!!twenty-four bytes here...'.slice(0, 40));
    const r = mac(0x30000111, 0xa0000011, k, data, 7, 8, 64);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe(cbcLast(Buffer.concat([k, k, k]), data));
    const k3 = Buffer.from('0123456789abcdef23456789abcdef01456789abcdef0123', 'hex');
    const msg = Buffer.from('not a multiple of eight');
    const padded = Buffer.concat([msg, Buffer.alloc(8 - (msg.length % 8), 8 - (msg.length % 8))]);
    const r3 = mac(0x30000513, 0xa0000013, k3, msg, 5, 8, 192);
    expect(r3.result).toBe(0);
    expect(r3.out.toString('hex')).toBe(cbcLast(k3, padded));
  });

  it('4002.20 3DES-CMAC (OP-TEE\'s 0xF0000613), the SP 800-38B TDEA example, in 3-byte updates', () => {
    const k3 = Buffer.from('8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5', 'hex');
    const r = mac(0xf0000613, 0xa0000013, k3, Buffer.from('6bc1bee22e409f96e93d7e117393172aae2d8a57', 'hex'), 3, 8, 192);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe('743ddbe0ce2dc2ed');
  });

  it('4002.15 second TEE_MACComputeFinal without TEE_MACInit panics (TARGET_DEAD, origin TEE)', () => {
    const r = ct.misuse(3);
    expect(r.result).toBe(TEE_ERROR_TARGET_DEAD);
    expect(r.origin).toBe(TEEC_ORIGIN_TEE);
  });
  it('4002.16 HMAC-SHA3-256 (NIST example, key shorter than a block) and HMAC-SHA3-512 with a key longer than its 72-byte block', () => {
    const k = Buffer.from([...Array(32).keys()]);
    const r = mac(0x30000009, 0xa0000009, k, Buffer.from('Sample message for keylen<blocklen'));
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe('4fe8e202c4f058e8dddc23d8c34e467343e23555e24fc2f025d598f558f67205');
    const long = Buffer.from([...Array(128).keys()]);
    const msg = Buffer.from('Sample message for keylen>blocklen');
    const r512 = mac(0x3000000b, 0xa000000b, long, msg, 5);
    expect(r512.result).toBe(0);
    expect(r512.out.toString('hex')).toBe(createHmac('sha3-512', long).update(msg).digest('hex'));
  });
});
