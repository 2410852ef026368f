/**
 * 4007 key generation: TEE_GenerateKey for AES, HMAC, generic secrets, RSA (with a chosen
 * public exponent), ECDSA/ECDH on P-256/P-384/P-521, Ed25519, X25519 and SM2; each generated key is
 * read back with TEE_GetObjectBufferAttribute and checked for consistency (and used). DSA key
 * pairs are generated in given domain parameters (NIST's and node:crypto's).
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Cryptest, CMD, CT, MODE, blob, parseBlob, type Field } from './4xxx-cryptest-client.js';
import { NIST_DSA, dsaPublicKey, providerDsaPair } from '../helpers/dsa.js';
import { SM2, SM2_ATTR, sm3 } from './4xxx-sm2-vectors.js';

const T = {
  AES: 0xa0000010, HMAC_SHA256: 0xa0000004, GENERIC: 0xa0000000, RSA: 0xa1000030, ECDSA: 0xa1000041, ECDH: 0xa1000042,
  ED25519: 0xa1000043, X25519: 0xa1000044,
};
const A = { SECRET: 0xc0000000, N: 0xd0000130, E: 0xd0000230, D: 0xc0000330, P: 0xc0000430, Q: 0xc0000530,
  X: 0xd0000141, Y: 0xd0000241, PRIV: 0xc0000341, CURVE: 0xf0000441, ED_PUB: 0xd0000743, ED_PRIV: 0xc0000843,
  X_PUB: 0xd0000944, X_PRIV: 0xc0000a44 };
const big = (b: Buffer): bigint => BigInt('0x' + (b.toString('hex') || '0'));

describe('4007 key generation', () => {
  const ct = Cryptest.shared();
  const gen = (type: number, bits: number, attrs: [number, Field][] = [], out = 4096) =>
    ct.run(CMD.GENERATE, type, bits, undefined, attrs.length ? blob(attrs) : undefined, out);

  it('4007.1 AES 128/192/256 and HMAC-SHA256 keys have the requested size', () => {
    for (const bits of [128, 192, 256]) {
      const r = gen(T.AES, bits);
      expect(r.result).toBe(0);
      expect(parseBlob(r.out).get(A.SECRET)!.length).toBe(bits / 8);
    }
    expect(parseBlob(gen(T.HMAC_SHA256, 512).out).get(A.SECRET)!.length).toBe(64);
    expect(parseBlob(gen(T.GENERIC, 8).out).get(A.SECRET)!.length).toBe(1);
  });

  it('4007.2 invalid sizes are refused (AES 100 bits, HMAC-SHA256 below 192)', () => {
    expect(gen(T.AES, 100).result).toBe(0xffff000a);
    expect(gen(T.HMAC_SHA256, 128).result).toBe(0xffff000a);
  });

  it('4007.3 RSA 2048 with e = 3: n = p q and e d = 1 mod lcm(p-1, q-1)', () => {
    const r = gen(T.RSA, 2048, [[A.E, Buffer.from([3])]]);
    expect(r.result).toBe(0);
    const k = parseBlob(r.out);
    const [n, e, d, p, q] = [A.N, A.E, A.D, A.P, A.Q].map((id) => big(k.get(id)!));
    expect(e).toBe(3n);
    expect(p! * q!).toBe(n);
    expect(n!.toString(2).length).toBe(2048);
    const g = (a: bigint, b: bigint): bigint => (b === 0n ? a : g(b, a % b));
    const lcm = ((p! - 1n) * (q! - 1n)) / g(p! - 1n, q! - 1n);
    expect((e! * d!) % lcm).toBe(1n);
  });

  it('4007.10 RSA 256 and 384 (below what OpenSSL generates; OP-TEE does): a valid key that encrypts and decrypts (NOPAD)', () => {
    for (const bits of [256, 384]) {
      const r = gen(T.RSA, bits);
      expect(r.result).toBe(0);
      const k = parseBlob(r.out);
      const [n, e, d, p, q] = [A.N, A.E, A.D, A.P, A.Q].map((id) => big(k.get(id)!));
      expect(n!.toString(2).length).toBe(bits);
      expect(p! * q!).toBe(n);
      const g = (a: bigint, b: bigint): bigint => (b === 0n ? a : g(b, a % b));
      expect((e! * d!) % (((p! - 1n) * (q! - 1n)) / g(p! - 1n, q! - 1n))).toBe(1n);
      const m = Buffer.from('small RSA');
      const c = ct.run(CMD.ASYM, 0x60000030, MODE.ENCRYPT, Buffer.from(r.out), blob([[CT.DATA, m]]), bits / 8);
      expect(c.result).toBe(0);
      const back = ct.run(CMD.ASYM, 0x60000030, MODE.DECRYPT, Buffer.from(r.out), blob([[CT.DATA, c.out]]), bits / 8);
      expect(back.out.toString()).toBe('small RSA');
    }
  });

  it('4007.4 RSA key generated in the TA signs (PKCS#1 v1.5 SHA-256), node:crypto verifies', () => {
    const r = gen(T.RSA, 1024);
    const k = parseBlob(r.out);
    const msg = Buffer.from('keygen');
    const digest = nodeCrypto.createHash('sha256').update(msg).digest();
    const s = ct.run(CMD.ASYM, 0x70004830, MODE.SIGN, Buffer.from(r.out), blob([[CT.DATA, digest]]), 128);
    expect(s.result).toBe(0);
    const pub = nodeCrypto.createPublicKey({ key: { kty: 'RSA', n: k.get(A.N)!.toString('base64url'), e: k.get(A.E)!.toString('base64url') },
      format: 'jwk' });
    expect(nodeCrypto.verify('sha256', msg, pub, s.out)).toBe(true);
  });

  for (const [n, crv, c, bits] of [['4007.5', 'P-256', 3, 256], ['4007.6', 'P-384', 4, 384], ['4007.7', 'P-521', 5, 521]] as const) {
    it(`${n} ECDSA and ECDH ${crv} key pairs: the public point matches the private value`, () => {
      for (const type of [T.ECDSA, T.ECDH]) {
        const r = gen(type, bits, [[A.CURVE, { a: c, b: 0 }]]);
        expect(r.result).toBe(0);
        const k = parseBlob(r.out);
        expect(k.get(A.CURVE)!.readUInt32LE(0)).toBe(c);
        const ecdh = nodeCrypto.createECDH(crv === 'P-256' ? 'prime256v1' : crv === 'P-384' ? 'secp384r1' : 'secp521r1');
        ecdh.setPrivateKey(k.get(A.PRIV)!);
        const point = ecdh.getPublicKey();
        const len = (point.length - 1) / 2;
        expect(big(point.subarray(1, 1 + len))).toBe(big(k.get(A.X)!));
        expect(big(point.subarray(1 + len))).toBe(big(k.get(A.Y)!));
      }
    });
  }

  it('4007.30 SM2 DSA, KEP and PKE key pairs: 256 bits, no curve attribute, the public point matches (OpenSSL\'s SM2 curve); they sign and encrypt', () => {
    for (const type of [SM2.DSA_KEYPAIR, SM2.KEP_KEYPAIR, SM2.PKE_KEYPAIR]) {
      const r = gen(type, 256);
      expect(r.result).toBe(0);
      const k = parseBlob(r.out);
      expect(k.get(CT.KEYTYPE)!.readUInt32LE(4)).toBe(256);
      expect(k.has(A.CURVE)).toBe(false);
      const ecdh = nodeCrypto.createECDH('SM2');
      ecdh.setPrivateKey(k.get(SM2_ATTR.PRIV)!);
      const point = ecdh.getPublicKey();
      expect(big(point.subarray(1, 33))).toBe(big(k.get(SM2_ATTR.X)!));
      expect(big(point.subarray(33))).toBe(big(k.get(SM2_ATTR.Y)!));
    }
    expect(gen(SM2.DSA_KEYPAIR, 192).result).toBe(0xffff000a); // the object itself: 256 bits only
    const dsa = gen(SM2.DSA_KEYPAIR, 256);
    const e = sm3(Buffer.from('generated'));
    const s = ct.run(CMD.ASYM, SM2.DSA_SM3, MODE.SIGN, Buffer.from(dsa.out), blob([[CT.DATA, e]]), 64);
    expect(s.result).toBe(0);
    expect(ct.run(CMD.ASYM, SM2.DSA_SM3, MODE.VERIFY, Buffer.from(dsa.out), blob([[CT.DATA, e], [CT.TAG, s.out]]), 0).result).toBe(0);
    const pke = gen(SM2.PKE_KEYPAIR, 256);
    const c = ct.run(CMD.ASYM, SM2.PKE, MODE.ENCRYPT, Buffer.from(pke.out), blob([[CT.DATA, e]]), 256);
    expect(c.result).toBe(0);
    expect(ct.run(CMD.ASYM, SM2.PKE, MODE.DECRYPT, Buffer.from(pke.out), blob([[CT.DATA, c.out]]), 256).out).toEqual(e);
  });

  it('4007.8 ECDSA key size must match the curve (P-256 curve, 384 bits): BAD_PARAMETERS', () => {
    expect(gen(T.ECDSA, 384, [[A.CURVE, { a: 3, b: 0 }]]).result).toBe(0xffff0006);
  });

  it('4007.9 Ed25519 and X25519 key pairs are 32-byte values; Ed25519 public key matches', () => {
    const e = parseBlob(gen(T.ED25519, 256).out);
    expect(e.get(A.ED_PUB)!.length).toBe(32);
    const priv = nodeCrypto.createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: e.get(A.ED_PRIV)!.toString('base64url'),
      x: e.get(A.ED_PUB)!.toString('base64url') }, format: 'jwk' });
    expect(nodeCrypto.createPublicKey(priv).export({ format: 'jwk' }).x).toBe(e.get(A.ED_PUB)!.toString('base64url'));
    const x = parseBlob(gen(T.X25519, 256).out);
    expect(x.get(A.X_PUB)!.length).toBe(32);
    expect(x.get(A.X_PRIV)!.length).toBe(32);
  });

  it('4007.11 DSA key pairs in NIST\'s 1024/160 and node:crypto\'s 2048/256 domains: 0 < x < q, and they sign what node:crypto verifies', () => {
    const DSA = { PAIR: 0xa1000031, P: 0xd0001031, Q: 0xd0001131, G: 0xd0001231, Y: 0xd0000131, X: 0xc0000231 };
    const msg = Buffer.from('dsa keygen');
    for (const [dom, hash, algo] of [[NIST_DSA[0]!, 'sha1', 0x70002131], [providerDsaPair(2048, 256), 'sha256', 0x70004131]] as const) {
      const bits = dom.p.length * 8;
      const r = gen(DSA.PAIR, bits, [[DSA.P, dom.p], [DSA.Q, dom.q], [DSA.G, dom.g]]);
      expect(r.result).toBe(0);
      const k = parseBlob(r.out);
      expect(k.get(CT.KEYTYPE)!.readUInt32LE(4)).toBe(bits);
      expect([DSA.P, DSA.Q, DSA.G].map((id) => big(k.get(id)!))).toEqual([dom.p, dom.q, dom.g].map(big));
      const x = big(k.get(DSA.X)!);
      expect(x > 0n && x < big(dom.q)).toBe(true);
      const digest = nodeCrypto.createHash(hash).update(msg).digest();
      const s = ct.run(CMD.ASYM, algo, MODE.SIGN, Buffer.from(r.out), blob([[CT.DATA, digest]]), 64);
      expect(s.result).toBe(0);
      const pub = dsaPublicKey({ p: dom.p, q: dom.q, g: dom.g, y: k.get(DSA.Y)! });
      expect(nodeCrypto.verify(hash, msg, { key: pub, dsaEncoding: 'ieee-p1363' }, s.out)).toBe(true);
    }
    // The prime must be as long as the size asked for.
    const nist = NIST_DSA[0]!;
    expect(gen(DSA.PAIR, 2048, [[DSA.P, nist.p], [DSA.Q, nist.q], [DSA.G, nist.g]]).result).toBe(0xffff0006);
  });
});
