/**
 * 4006 asymmetric: RSA (PKCS#1 v1.5 and OAEP encryption, PKCS#1 v1.5 and PSS signatures over
 * digests) with keys imported from components, cross-checked against an independent
 * implementation (node:crypto in the test); ECDSA P-256 (RFC 6979 A.2.5 key and signature),
 * P-384/P-521 cross-checks, GP's r||s encoding; Ed25519 (RFC 8032 section 7.1 tests 1 and 2);
 * DSA (NIST FIPS 186-3 SigGen vectors, node:crypto cross-checks);
 * the acipher sample TA; SM2 signatures and encryption (GM/T 0003.5 A.2 and C.2).
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Cryptest, CMD, CT, MODE, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_CIPHERTEXT_INVALID, TEE_ERROR_SHORT_BUFFER, TEE_ERROR_SIGNATURE_INVALID,
  TEE_ERROR_TARGET_DEAD, blob, hex, key, type Field,
} from './4xxx-cryptest-client.js';
import { NIST_DSA, dsaPublicKey, providerDsaPair, type DsaNumbers } from '../helpers/dsa.js';
import { SM2, SM2_A2, SM2_ATTR, SM2_C2, sm3 } from './4xxx-sm2-vectors.js';

const ACIPHER_TA = 'a734eed9-d6a1-4244-aa50-7c99719e7b7b';
const RSA_KEYPAIR = 0xa1000030;
const RSA_PUBLIC = 0xa0000030;
const ECDSA_KEYPAIR = 0xa1000041;
const ECDSA_PUBLIC = 0xa0000041;
const ED25519_KEYPAIR = 0xa1000043;
const ED25519_PUBLIC = 0xa0000043;
const A = {
  N: 0xd0000130, E: 0xd0000230, D: 0xc0000330, P: 0xc0000430, Q: 0xc0000530, DP: 0xc0000630, DQ: 0xc0000730, QI: 0xc0000830,
  OAEP_LABEL: 0xd0000930, PSS_SALT: 0xf0000a30, X: 0xd0000141, Y: 0xd0000241, PRIV: 0xc0000341, CURVE: 0xf0000441,
  ED_PUB: 0xd0000743, ED_PRIV: 0xc0000843,
};
const ALG = {
  RSAES_V15: 0x60000130, OAEP_SHA1: 0x60210230, OAEP_SHA256: 0x60410230, PKCS1_SHA256: 0x70004830, PKCS1_SHA1: 0x70002830,
  PSS_SHA256: 0x70414930, PSS_SHA512: 0x70616930, ECDSA_SHA256: 0x70003042, ECDSA_SHA384: 0x70004042, ECDSA_SHA512: 0x70005042,
  ECDSA_P256_OLD: 0x70003041, ED25519: 0x70006043,
};

const b64 = (s?: string): Buffer => Buffer.from(s ?? '', 'base64url');
const sha = (h: string, m: Uint8Array): Buffer => nodeCrypto.createHash(h).update(m).digest();

/** An RSA key pair from node, as GP attributes (with or without the CRT values). */
function rsaKey(bits: number, crt = true) {
  const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: bits });
  const j = privateKey.export({ format: 'jwk' });
  const pub: [number, Field][] = [[A.N, b64(j.n)], [A.E, b64(j.e)]];
  const pair: [number, Field][] = [...pub, [A.D, b64(j.d)]];
  if (crt) pair.push([A.P, b64(j.p)], [A.Q, b64(j.q)], [A.DP, b64(j.dp)], [A.DQ, b64(j.dq)], [A.QI, b64(j.qi)]);
  return { privateKey, publicKey, pair: key(RSA_KEYPAIR, bits, pair), pub: key(RSA_PUBLIC, bits, pub) };
}

describe('4006 asymmetric', () => {
  const ct = Cryptest.shared();
  const asym = (algo: number, mode: number, k: Buffer, fields: [number, Field][], out = 512) =>
    ct.run(CMD.ASYM, algo, mode, k, blob(fields), out);
  const msg = Buffer.from('TrustBox says hello');
  const rsa = rsaKey(2048);
  const rsaNoCrt = rsaKey(1024, false);

  it('4006.1 RSAES-PKCS1-v1_5 encrypt in the TA, decrypt with node:crypto\'s key... and back in the TA', () => {
    const e = asym(ALG.RSAES_V15, MODE.ENCRYPT, rsa.pub, [[CT.DATA, msg]]);
    expect(e.result).toBe(0);
    expect(e.out.length).toBe(256);
    const raw = nodeCrypto.privateDecrypt({ key: rsa.privateKey, padding: nodeCrypto.constants.RSA_NO_PADDING }, e.out);
    expect(raw[0]).toBe(0);
    expect(raw[1]).toBe(2);
    expect(raw.subarray(raw.length - msg.length).toString()).toBe(msg.toString());
    const d = asym(ALG.RSAES_V15, MODE.DECRYPT, rsa.pair, [[CT.DATA, e.out]]);
    expect(d.result).toBe(0);
    expect(d.out.toString()).toBe(msg.toString());
  });

  it('4006.2 RSAES-OAEP SHA-256 with a label: node:crypto encrypts, the TA decrypts', () => {
    const label = Buffer.from('gp-label');
    const c = nodeCrypto.publicEncrypt({ key: rsa.publicKey, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256',
      oaepLabel: label }, msg);
    const d = asym(ALG.OAEP_SHA256, MODE.DECRYPT, rsa.pair, [[CT.DATA, c], [A.OAEP_LABEL, label]]);
    expect(d.result).toBe(0);
    expect(d.out.toString()).toBe(msg.toString());
    const wrong = asym(ALG.OAEP_SHA256, MODE.DECRYPT, rsa.pair, [[CT.DATA, c]]);
    expect(wrong.result).toBe(TEE_ERROR_CIPHERTEXT_INVALID);
  });

  it('4006.3b RSAES-OAEP SHA-512 with a message too long for the key: a size query still learns the modulus size; then BAD_PARAMETERS (pkcs11 1023)', () => {
    const long = Buffer.alloc(200, 7); // 2048-bit key, SHA-512: at most 256 - 2 * 64 - 2 = 126 bytes
    const query = asym(0x60610230, MODE.ENCRYPT, rsa.pub, [[CT.DATA, long]], 0);
    expect(query.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(query.size).toBe(256);
    expect(asym(0x60610230, MODE.ENCRYPT, rsa.pub, [[CT.DATA, long]], 256).result).toBe(TEE_ERROR_BAD_PARAMETERS);
    const fits = asym(0x60610230, MODE.ENCRYPT, rsa.pub, [[CT.DATA, long.subarray(0, 126)]], 256);
    expect(fits.result).toBe(0);
    expect(nodeCrypto.privateDecrypt({ key: rsa.privateKey, oaepHash: 'sha512' }, fits.out).equals(long.subarray(0, 126))).toBe(true);
  });

  it('4006.3 RSAES-OAEP SHA-1 on a key given without CRT values (recovered from n, e, d)', () => {
    const e = asym(ALG.OAEP_SHA1, MODE.ENCRYPT, rsaNoCrt.pub, [[CT.DATA, msg]]);
    expect(e.result).toBe(0);
    expect(nodeCrypto.privateDecrypt({ key: rsaNoCrt.privateKey, oaepHash: 'sha1' }, e.out).toString()).toBe(msg.toString());
    const d = asym(ALG.OAEP_SHA1, MODE.DECRYPT, rsaNoCrt.pair, [[CT.DATA, e.out]]);
    expect(d.out.toString()).toBe(msg.toString());
  });

  it('4006.4 RSASSA-PKCS1-v1_5 SHA-256: same signature as node:crypto (deterministic), verify and tamper', () => {
    const s = asym(ALG.PKCS1_SHA256, MODE.SIGN, rsa.pair, [[CT.DATA, sha('sha256', msg)]]);
    expect(s.result).toBe(0);
    expect(s.out.toString('hex')).toBe(nodeCrypto.sign('sha256', msg, rsa.privateKey).toString('hex'));
    expect(asym(ALG.PKCS1_SHA256, MODE.VERIFY, rsa.pub, [[CT.DATA, sha('sha256', msg)], [CT.TAG, s.out]]).result).toBe(0);
    s.out[100]! ^= 1;
    expect(asym(ALG.PKCS1_SHA256, MODE.VERIFY, rsa.pub, [[CT.DATA, sha('sha256', msg)], [CT.TAG, s.out]]).result)
      .toBe(TEE_ERROR_SIGNATURE_INVALID);
  });

  it('4006.5 RSASSA-PSS SHA-256: TA signature verifies in node:crypto; node signature verifies in the TA', () => {
    const s = asym(ALG.PSS_SHA256, MODE.SIGN, rsa.pair, [[CT.DATA, sha('sha256', msg)]]);
    expect(s.result).toBe(0);
    expect(nodeCrypto.verify('sha256', msg, { key: rsa.publicKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      s.out)).toBe(true);
    const theirs = nodeCrypto.sign('sha256', msg, { key: rsa.privateKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 });
    expect(asym(ALG.PSS_SHA256, MODE.VERIFY, rsa.pub, [[CT.DATA, sha('sha256', msg)], [CT.TAG, theirs], [A.PSS_SALT, { a: 20, b: 0 }]])
      .result).toBe(0);
    expect(asym(ALG.PSS_SHA256, MODE.VERIFY, rsa.pub, [[CT.DATA, sha('sha256', Buffer.from('other'))], [CT.TAG, theirs],
      [A.PSS_SALT, { a: 20, b: 0 }]]).result).toBe(TEE_ERROR_SIGNATURE_INVALID);
  });

  it('4006.6 RSASSA-PSS SHA-512 on a 1024-bit key without CRT values', () => {
    const s = asym(ALG.PSS_SHA512, MODE.SIGN, rsaNoCrt.pair, [[CT.DATA, sha('sha512', msg)], [A.PSS_SALT, { a: 16, b: 0 }]]);
    expect(s.result).toBe(0);
    expect(nodeCrypto.verify('sha512', msg, { key: rsaNoCrt.publicKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 16 },
      s.out)).toBe(true);
  });

  it('4006.7 signature buffer too short: TEE_ERROR_SHORT_BUFFER with the modulus size', () => {
    const s = asym(ALG.PKCS1_SHA256, MODE.SIGN, rsa.pair, [[CT.DATA, sha('sha256', msg)]], 100);
    expect(s.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(s.size).toBe(256);
  });

  it('4006.8 a digest of the wrong length for the algorithm panics (TEE_AsymmetricSignDigest)', () => {
    const s = asym(ALG.PKCS1_SHA256, MODE.SIGN, rsa.pair, [[CT.DATA, sha('sha1', msg)]]);
    expect(s.result).toBe(TEE_ERROR_TARGET_DEAD);
  });

  // RFC 6979 A.2.5: P-256 key, message "sample", SHA-256 (deterministic k); ECDSA verifies r||s.
  const p256 = {
    d: hex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721'),
    x: hex('60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6'),
    y: hex('7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299'),
    sig: hex('efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8'),
  };
  const ecPub = (c: number, bits: number, x: Buffer, y: Buffer) => key(ECDSA_PUBLIC, bits, [[A.X, x], [A.Y, y], [A.CURVE, { a: c, b: 0 }]]);

  it('4006.9 ECDSA P-256 SHA-256 verifies the RFC 6979 A.2.5 "sample" signature, rejects a changed one', () => {
    const k = ecPub(3, 256, p256.x, p256.y);
    const digest = sha('sha256', Buffer.from('sample'));
    expect(asym(ALG.ECDSA_SHA256, MODE.VERIFY, k, [[CT.DATA, digest], [CT.TAG, p256.sig]]).result).toBe(0);
    expect(asym(ALG.ECDSA_P256_OLD, MODE.VERIFY, k, [[CT.DATA, digest], [CT.TAG, p256.sig]]).result).toBe(0);
    const bad = Buffer.from(p256.sig);
    bad[40]! ^= 1;
    expect(asym(ALG.ECDSA_SHA256, MODE.VERIFY, k, [[CT.DATA, digest], [CT.TAG, bad]]).result).toBe(TEE_ERROR_SIGNATURE_INVALID);
  });

  it('4006.10 ECDSA P-256 sign with the RFC 6979 key: 64-byte r||s that verifies in node:crypto', () => {
    const k = key(ECDSA_KEYPAIR, 256, [[A.PRIV, p256.d], [A.X, p256.x], [A.Y, p256.y], [A.CURVE, { a: 3, b: 0 }]]);
    const s = asym(ALG.ECDSA_SHA256, MODE.SIGN, k, [[CT.DATA, sha('sha256', msg)]]);
    expect(s.result).toBe(0);
    expect(s.out.length).toBe(64);
    const pub = nodeCrypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: p256.x.toString('base64url'), y: p256.y.toString('base64url') },
      format: 'jwk' });
    expect(nodeCrypto.verify('sha256', msg, { key: pub, dsaEncoding: 'ieee-p1363' }, s.out)).toBe(true);
  });

  it('4006.10b ECDSA_SHA256 (TEE_ALG_ECDSA_P256 in OP-TEE 4.x headers) signs and verifies a 20-byte SHA-1 digest, as OP-TEE and its pkcs11 TA (CKM_ECDSA_SHA1)', () => {
    const k = key(ECDSA_KEYPAIR, 256, [[A.PRIV, p256.d], [A.X, p256.x], [A.Y, p256.y], [A.CURVE, { a: 3, b: 0 }]]);
    const s = asym(ALG.ECDSA_SHA256, MODE.SIGN, k, [[CT.DATA, sha('sha1', msg)]]);
    expect(s.result).toBe(0);
    const pub = nodeCrypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: p256.x.toString('base64url'), y: p256.y.toString('base64url') },
      format: 'jwk' });
    expect(nodeCrypto.verify('sha1', msg, { key: pub, dsaEncoding: 'ieee-p1363' }, s.out)).toBe(true);
    const theirs = nodeCrypto.sign('sha1', msg, { key: nodeCrypto.createPrivateKey({ key: { kty: 'EC', crv: 'P-256',
      x: p256.x.toString('base64url'), y: p256.y.toString('base64url'), d: p256.d.toString('base64url') }, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
    const v = asym(ALG.ECDSA_SHA256, MODE.VERIFY, ecPub(3, 256, p256.x, p256.y), [[CT.DATA, sha('sha1', msg)], [CT.TAG, theirs]]);
    expect(v.result).toBe(0);
  });

  for (const [name, crv, c, bits, algo, h] of [['4006.11', 'P-384', 4, 384, ALG.ECDSA_SHA384, 'sha384'],
    ['4006.12', 'P-521', 5, 521, ALG.ECDSA_SHA512, 'sha512']] as const) {
    it(`${name} ECDSA ${crv}: TA signs, node:crypto verifies; node signs, TA verifies`, () => {
      const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync('ec', { namedCurve: crv });
      const j = privateKey.export({ format: 'jwk' });
      const pair = key(ECDSA_KEYPAIR, bits, [[A.PRIV, b64(j.d)], [A.X, b64(j.x)], [A.Y, b64(j.y)], [A.CURVE, { a: c, b: 0 }]]);
      const s = asym(algo, MODE.SIGN, pair, [[CT.DATA, sha(h, msg)]]);
      expect(s.result).toBe(0);
      expect(s.out.length).toBe(2 * Math.ceil(bits / 8));
      expect(nodeCrypto.verify(h, msg, { key: publicKey, dsaEncoding: 'ieee-p1363' }, s.out)).toBe(true);
      const theirs = nodeCrypto.sign(h, msg, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(asym(algo, MODE.VERIFY, ecPub(c, bits, b64(j.x), b64(j.y)), [[CT.DATA, sha(h, msg)], [CT.TAG, theirs]]).result).toBe(0);
    });
  }

  // RFC 8032 section 7.1, TEST 1 (empty message) and TEST 2 (one byte 0x72).
  const ed = [
    ['4006.13 Ed25519 RFC 8032 test 1', '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '',
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'],
    ['4006.14 Ed25519 RFC 8032 test 2', '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72',
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'],
  ] as const;
  for (const [name, sk, pk, m, sig] of ed) {
    it(name, () => {
      const pair = key(ED25519_KEYPAIR, 256, [[A.ED_PUB, hex(pk)], [A.ED_PRIV, hex(sk)]]);
      const s = asym(ALG.ED25519, MODE.SIGN, pair, [[CT.DATA, hex(m)]]);
      expect(s.result).toBe(0);
      expect(s.out.toString('hex')).toBe(sig);
      const pub = key(ED25519_PUBLIC, 256, [[A.ED_PUB, hex(pk)]]);
      expect(asym(ALG.ED25519, MODE.VERIFY, pub, [[CT.DATA, hex(m)], [CT.TAG, hex(sig)]]).result).toBe(0);
      expect(asym(ALG.ED25519, MODE.VERIFY, pub, [[CT.DATA, Buffer.from('x')], [CT.TAG, hex(sig)]]).result)
        .toBe(TEE_ERROR_SIGNATURE_INVALID);
    });
  }

  it('4006.18 Ed25519ctx and Ed25519ph (GP 1.3.1 EDDSA_CTX / EDDSA_PREHASH attributes), RFC 8032 tests "foo" and "abc"', () => {
    const EDDSA_CTX = 0xd0000643;
    const EDDSA_PREHASH = 0xf0000004;
    const cases = [
      ['0305334e381af78f141cb666f6199f57bc3495335a256a95bd2a55bf546663f6', 'dfc9425e4f968f7f0c29f0259cf5f9aed6851c2bb4ad8bfb860cfee0ab248292',
        'f726936d19c800494e3fdaff20b276a8', [[EDDSA_CTX, hex('666f6f')]] as [number, Field][],
        '55a4cc2f70a54e04288c5f4cd1e45a7bb520b36292911876cada7323198dd87a8b36950b95130022907a7fb7c4e9b2d5f6cca685a587b4b21f4b888e4e7edb0d'],
      ['833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42', 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
        '616263', [[EDDSA_PREHASH, { a: 1, b: 0 }]] as [number, Field][],
        '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406'],
    ] as const;
    for (const [sk, pk, m, attrs, sig] of cases) {
      const pair = key(ED25519_KEYPAIR, 256, [[A.ED_PUB, hex(pk)], [A.ED_PRIV, hex(sk)]]);
      const s = asym(ALG.ED25519, MODE.SIGN, pair, [[CT.DATA, hex(m)], ...attrs]);
      expect(s.result).toBe(0);
      expect(s.out.toString('hex')).toBe(sig);
      const pub = key(ED25519_PUBLIC, 256, [[A.ED_PUB, hex(pk)]]);
      expect(asym(ALG.ED25519, MODE.VERIFY, pub, [[CT.DATA, hex(m)], [CT.TAG, hex(sig)], ...attrs]).result).toBe(0);
      // The same signature is no pure Ed25519 one.
      expect(asym(ALG.ED25519, MODE.VERIFY, pub, [[CT.DATA, hex(m)], [CT.TAG, hex(sig)]]).result).toBe(TEE_ERROR_SIGNATURE_INVALID);
    }
    // A short signature buffer is answered before signing.
    const pair = key(ED25519_KEYPAIR, 256, [[A.ED_PUB, hex(cases[0][1])], [A.ED_PRIV, hex(cases[0][0])]]);
    const short = asym(ALG.ED25519, MODE.SIGN, pair, [[CT.DATA, hex(cases[0][2])], ...cases[0][3]], 10);
    expect(short.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(short.size).toBe(64);
  });

  // SM2 (GM/T 0003.5 A.2 and C.2, the examples xtest 4006_sm2 runs): the curve is implied, so
  // the keys carry no TEE_ATTR_ECC_CURVE.
  const sm2Pub = (type: number) => key(type, 256, [[SM2_ATTR.X, SM2_A2.x], [SM2_ATTR.Y, SM2_A2.y]]);
  const sm2Pair = (type: number) => key(type, 256, [[SM2_ATTR.PRIV, SM2_A2.d], [SM2_ATTR.X, SM2_A2.x], [SM2_ATTR.Y, SM2_A2.y]]);

  it('4006.30 SM2_DSA_SM3 verifies the GM/T 0003.5 A.2 signature over e = SM3(Z_A || M), rejects a changed one', () => {
    expect(sm3(Buffer.from([0, 128]), SM2_A2.id, hex('FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC'),
      hex('28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93'),
      hex('32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7'),
      hex('BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0'), SM2_A2.x, SM2_A2.y)).toEqual(SM2_A2.za);
    const e = sm3(SM2_A2.za, SM2_A2.message);
    expect(asym(SM2.DSA_SM3, MODE.VERIFY, sm2Pub(SM2.DSA_PUBLIC), [[CT.DATA, e], [CT.TAG, SM2_A2.sig]]).result).toBe(0);
    const bad = Buffer.from(SM2_A2.sig);
    bad[50]! ^= 1;
    expect(asym(SM2.DSA_SM3, MODE.VERIFY, sm2Pub(SM2.DSA_PUBLIC), [[CT.DATA, e], [CT.TAG, bad]]).result).toBe(TEE_ERROR_SIGNATURE_INVALID);
    const otherMessage = sm3(SM2_A2.za, Buffer.from('message digesT'));
    expect(asym(SM2.DSA_SM3, MODE.VERIFY, sm2Pub(SM2.DSA_PUBLIC), [[CT.DATA, otherMessage], [CT.TAG, SM2_A2.sig]]).result)
      .toBe(TEE_ERROR_SIGNATURE_INVALID);
  });

  it('4006.31 SM2_DSA_SM3 sign: r || s of 64 bytes, a fresh k each time, verified in the TA; short buffer and wrong digest length', () => {
    const e = sm3(SM2_A2.za, msg);
    const s1 = asym(SM2.DSA_SM3, MODE.SIGN, sm2Pair(SM2.DSA_KEYPAIR), [[CT.DATA, e]]);
    const s2 = asym(SM2.DSA_SM3, MODE.SIGN, sm2Pair(SM2.DSA_KEYPAIR), [[CT.DATA, e]]);
    expect([s1.result, s1.out.length, s2.result]).toEqual([0, 64, 0]);
    expect(s1.out.equals(s2.out)).toBe(false);
    for (const sig of [s1.out, s2.out]) {
      expect(asym(SM2.DSA_SM3, MODE.VERIFY, sm2Pub(SM2.DSA_PUBLIC), [[CT.DATA, e], [CT.TAG, sig]]).result).toBe(0);
    }
    const short = asym(SM2.DSA_SM3, MODE.SIGN, sm2Pair(SM2.DSA_KEYPAIR), [[CT.DATA, e]], 63);
    expect([short.result, short.size]).toEqual([TEE_ERROR_SHORT_BUFFER, 64]);
    expect(asym(SM2.DSA_SM3, MODE.SIGN, sm2Pair(SM2.DSA_KEYPAIR), [[CT.DATA, e.subarray(0, 20)]]).result).toBe(TEE_ERROR_TARGET_DEAD);
  });

  it('4006.32 SM2_PKE decrypts the GM/T 0003.5 C.2 ciphertext (C1 || C2 || C3); a changed C2 or C3 is CIPHERTEXT_INVALID', () => {
    const d = asym(SM2.PKE, MODE.DECRYPT, sm2Pair(SM2.PKE_KEYPAIR), [[CT.DATA, SM2_C2.cipher]]);
    expect(d.result).toBe(0);
    expect(d.out.toString()).toBe(SM2_C2.plain.toString());
    for (const i of [65 + 3, SM2_C2.cipher.length - 1]) {
      const bad = Buffer.from(SM2_C2.cipher);
      bad[i]! ^= 1;
      expect(asym(SM2.PKE, MODE.DECRYPT, sm2Pair(SM2.PKE_KEYPAIR), [[CT.DATA, bad]]).result).toBe(TEE_ERROR_CIPHERTEXT_INVALID);
    }
    const short = asym(SM2.PKE, MODE.DECRYPT, sm2Pair(SM2.PKE_KEYPAIR), [[CT.DATA, SM2_C2.cipher]], 4);
    expect([short.result, short.size]).toEqual([TEE_ERROR_SHORT_BUFFER, SM2_C2.plain.length]);
  });

  it('4006.33 SM2_PKE encrypt: 04 || x || y || C2 || C3, a fresh k each time, decrypts in the TA (a message past two KDF blocks)', () => {
    const m = Buffer.from('This test vector is used to test encryption then decryption. The plain text is longer than 64 characters.');
    const c1 = asym(SM2.PKE, MODE.ENCRYPT, sm2Pub(SM2.PKE_PUBLIC), [[CT.DATA, m]]);
    const c2 = asym(SM2.PKE, MODE.ENCRYPT, sm2Pub(SM2.PKE_PUBLIC), [[CT.DATA, m]]);
    expect([c1.result, c1.out.length, c1.out[0]]).toEqual([0, 65 + m.length + 32, 4]);
    expect(c1.out.equals(c2.out)).toBe(false);
    for (const c of [c1.out, c2.out]) {
      expect(asym(SM2.PKE, MODE.DECRYPT, sm2Pair(SM2.PKE_KEYPAIR), [[CT.DATA, c]]).out.toString()).toBe(m.toString());
    }
    // A key of another SM2 scheme does not fit the algorithm (TEE_SetOperationKey panics).
    expect(asym(SM2.PKE, MODE.ENCRYPT, sm2Pub(SM2.DSA_PUBLIC), [[CT.DATA, m]]).result).toBe(TEE_ERROR_TARGET_DEAD);
  });

  it('4006.15 acipher sample TA: GEN_KEY 1024, ENCRYPT, DECRYPT round trip; short output buffer', () => {
    const s = ct.open(ACIPHER_TA);
    const c = ct.t.client;
    expect(c.invoke(s, 0, [{ type: 'value-in', a: 1024, b: 0 }]).result).toBe(0);
    const short = c.invoke(s, 1, [{ type: 'memref-in', data: msg }, { type: 'memref-out', size: 16 }]);
    expect(short.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect((short.params[1] as { size: number }).size).toBe(128);
    const e = c.invoke(s, 1, [{ type: 'memref-in', data: msg }, { type: 'memref-out', size: 128 }]);
    expect(e.result).toBe(0);
    const cipher = Buffer.from((e.params[1] as { data: Uint8Array }).data);
    expect(cipher.length).toBe(128);
    const d = c.invoke(s, 2, [{ type: 'memref-in', data: cipher }, { type: 'memref-out', size: 128 }]);
    expect(d.result).toBe(0);
    const p = d.params[1] as { data: Uint8Array; size: number };
    expect(Buffer.from(p.data.subarray(0, p.size)).toString()).toBe(msg.toString());
    c.closeSession(s);
  });
  it('4006.16 RSA_NOPAD: the results are numbers without leading zero bytes, as OP-TEE gives them', () => {
    const m = Buffer.from('eighteen bytes msg'); // 18 bytes, far below the modulus
    const e = asym(0x60000030, MODE.ENCRYPT, rsa.pub, [[CT.DATA, m]]);
    expect(e.result).toBe(0);
    const c = nodeCrypto.publicEncrypt({ key: rsa.publicKey, padding: nodeCrypto.constants.RSA_NO_PADDING }, Buffer.concat([Buffer.alloc(256 - m.length), m]));
    let z = 0;
    while (z < c.length - 1 && c[z] === 0) z++;
    expect(e.out.toString('hex')).toBe(c.subarray(z).toString('hex'));
    const d = asym(0x60000030, MODE.DECRYPT, rsa.pair, [[CT.DATA, c]]);
    expect(d.result).toBe(0);
    expect(d.out.toString()).toBe(m.toString()); // 18 bytes, not 256
    const short = asym(0x60000030, MODE.DECRYPT, rsa.pair, [[CT.DATA, c.subarray(1)]]); // one byte fewer: another number, still taken
    expect(short.result).toBe(0);
    expect(BigInt(`0x${asym(0x60000030, MODE.ENCRYPT, rsa.pub, [[CT.DATA, short.out]]).out.toString('hex')}`)).toBe(BigInt(`0x${c.subarray(1).toString('hex')}`));
  });
  it('4006.17 RSASSA_PKCS1_V1_5 without a hash (0xF0000830) signs the bytes it is given: an encoded DigestInfo gives node:crypto\'s SHA-256 signature', () => {
    const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), sha('sha256', msg)]);
    const s = asym(0xf0000830, MODE.SIGN, rsa.pair, [[CT.DATA, digestInfo]]);
    expect(s.result).toBe(0);
    expect(s.out.toString('hex')).toBe(nodeCrypto.sign('sha256', msg, rsa.privateKey).toString('hex'));
    expect(asym(0xf0000830, MODE.VERIFY, rsa.pub, [[CT.DATA, digestInfo], [CT.TAG, s.out]]).result).toBe(0);
    expect(asym(0xf0000830, MODE.VERIFY, rsa.pub, [[CT.DATA, sha('sha256', msg)], [CT.TAG, s.out]]).result).toBe(TEE_ERROR_SIGNATURE_INVALID);
  });

  // DSA: r||s of twice the subprime's size; the digest is min(hash, subprime) bytes, as xtest 4006 passes it.
  const DSA = { PAIR: 0xa1000031, PUBLIC: 0xa0000031, P: 0xd0001031, Q: 0xd0001131, G: 0xd0001231, Y: 0xd0000131, X: 0xc0000231 };
  const DSA_ALG = { sha1: 0x70002131, sha224: 0x70003131, sha256: 0x70004131 } as const;
  const dsaKey = (k: DsaNumbers, priv: boolean) => key(priv ? DSA.PAIR : DSA.PUBLIC, k.p.length * 8,
    [[DSA.P, k.p], [DSA.Q, k.q], [DSA.G, k.g], [DSA.Y, k.y], ...(priv ? [[DSA.X, k.x] as [number, Field]] : [])]);

  for (const v of NIST_DSA) {
    it(`4006.19 DSA ${v.name} (NIST SigGen): the TA verifies the published signature; its own verify in node:crypto`, () => {
      const dg = sha(v.hash, v.msg).subarray(0, v.q.length);
      const algo = DSA_ALG[v.hash];
      expect(asym(algo, MODE.VERIFY, dsaKey(v, false), [[CT.DATA, dg], [CT.TAG, v.sig]]).result).toBe(0);
      const bad = Buffer.from(v.sig);
      bad[3]! ^= 1;
      expect(asym(algo, MODE.VERIFY, dsaKey(v, false), [[CT.DATA, dg], [CT.TAG, bad]]).result).toBe(TEE_ERROR_SIGNATURE_INVALID);
      const s = asym(algo, MODE.SIGN, dsaKey(v, true), [[CT.DATA, dg]]);
      expect(s.result).toBe(0);
      expect(s.out.length).toBe(2 * v.q.length);
      expect(nodeCrypto.verify(v.hash, v.msg, { key: dsaPublicKey(v), dsaEncoding: 'ieee-p1363' }, s.out)).toBe(true);
      expect(asym(algo, MODE.VERIFY, dsaKey(v, false), [[CT.DATA, dg], [CT.TAG, s.out]]).result).toBe(0);
    });
  }

  it('4006.20 DSA 2048/256 key from node:crypto: node signs, the TA verifies; short buffer; a digest of the wrong length panics', () => {
    const pair = providerDsaPair(2048, 256);
    const dg = sha('sha256', msg);
    const theirs = nodeCrypto.sign('sha256', msg, { key: pair.priv, dsaEncoding: 'ieee-p1363' });
    expect(asym(DSA_ALG.sha256, MODE.VERIFY, dsaKey(pair, false), [[CT.DATA, dg], [CT.TAG, theirs]]).result).toBe(0);
    expect(asym(DSA_ALG.sha256, MODE.VERIFY, dsaKey(pair, true), [[CT.DATA, sha('sha256', Buffer.from('other'))], [CT.TAG, theirs]]).result)
      .toBe(TEE_ERROR_SIGNATURE_INVALID);
    const short = asym(DSA_ALG.sha256, MODE.SIGN, dsaKey(pair, true), [[CT.DATA, dg]], 10);
    expect(short.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(short.size).toBe(64);
    expect(asym(DSA_ALG.sha256, MODE.SIGN, dsaKey(pair, true), [[CT.DATA, sha('sha1', msg)]]).result).toBe(TEE_ERROR_TARGET_DEAD);
  });
});
