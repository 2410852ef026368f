/**
 * DSA over a prehashed digest (emulator/tee/crypto/dsa.ts, bigint arithmetic): signatures go
 * both ways with node:crypto's DSA (OpenSSL; IEEE P1363 r||s, which is GP's format, and DER) on
 * keys node generates, with digests shorter and longer than the subprime; NIST FIPS 186-3
 * SigGen known answers (the vectors optee_test's 4006 uses); key generation in a given domain;
 * and OP-TEE's rules for DSA key objects and digest lengths.
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  dsaDomain, dsaGenerate, dsaGenerateAttrs, dsaSign, dsaSignDigest, dsaVerify, dsaVerifyDigest, type DsaDomain,
} from '../../emulator/tee/crypto/dsa.js';
import { algorithm } from '../../emulator/tee/crypto/algorithms.js';
import { fromBig, modPow, toBig } from '../../emulator/tee/crypto/keys.js';
import { allocateObject, checkPopulate, type AttrValue } from '../../emulator/tee/crypto/objects.js';
import { TeeError } from '../../emulator/abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS } from '../../emulator/abi/results.js';
import {
  TEE_ALG_DSA_SHA1, TEE_ALG_DSA_SHA224, TEE_ALG_DSA_SHA256, TEE_ATTR_DSA_BASE, TEE_ATTR_DSA_PRIME, TEE_ATTR_DSA_PRIVATE_VALUE,
  TEE_ATTR_DSA_PUBLIC_VALUE, TEE_ATTR_DSA_SUBPRIME, TEE_TYPE_DSA_KEYPAIR, TEE_TYPE_DSA_PUBLIC_KEY,
} from '../../emulator/abi/tee-api.js';
import {
  NIST_DSA, dsaDerSignature, dsaPublicKey, dsaSpki, providerDsaPair, type DsaNumbers, type DsaVector,
} from '../helpers/dsa.js';

const rnd = (n: number): Buffer => nodeCrypto.randomBytes(n);
const sha = (hash: string, m: Uint8Array): Buffer => nodeCrypto.createHash(hash).update(m).digest();
const domain = (k: DsaNumbers): DsaDomain => dsaDomain(k.p, k.q, k.g);
const nodeSign = (hash: string, msg: Buffer, key: nodeCrypto.KeyObject): Buffer =>
  nodeCrypto.sign(hash, msg, { key, dsaEncoding: 'ieee-p1363' });
const nodeVerify = (hash: string, msg: Buffer, key: nodeCrypto.KeyObject, sig: Buffer): boolean =>
  nodeCrypto.verify(hash, msg, { key, dsaEncoding: 'ieee-p1363' }, sig);

/** A GP key object, as TEE_PopulateTransientObject leaves it. */
function keyObject(type: number, bits: number, attrs: [number, Uint8Array][]) {
  const obj = allocateObject(type, bits);
  const map = new Map<number, AttrValue>(attrs.map(([id, v]) => [id >>> 0, Buffer.from(v)]));
  obj.setAttributes(map, checkPopulate(obj, map));
  return obj;
}

function expectBadParameters(f: () => unknown): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TeeError);
  expect((error as TeeError).code >>> 0).toBe(TEE_ERROR_BAD_PARAMETERS >>> 0);
}

describe('DSA on a prehashed digest agrees with node:crypto', () => {
  const msg = Buffer.from('trustbox dsa cross-check');
  // FIPS 186-4 (L, N) pairs with hashes shorter than, as long as and longer than the subprime.
  const cases = [[1024, 160, ['sha1', 'sha256']], [2048, 224, ['sha224', 'sha256']], [2048, 256, ['sha1', 'sha224', 'sha256']]] as const;

  for (const [l, n, hashes] of cases) {
    it(`L=${l}, N=${n}: our signatures verify in node:crypto, node's verify here (${hashes.join(', ')})`, () => {
      const pair = providerDsaPair(l, n);
      const d = domain(pair);
      // The helper's DER encoder gives back node's public key, byte for byte.
      expect(dsaSpki(pair).equals(pair.pub.export({ format: 'der', type: 'spki' }))).toBe(true);
      expect(modPow(d.g, toBig(pair.x), d.p)).toBe(toBig(pair.y));
      for (const hash of hashes) {
        const dg = sha(hash, msg);
        const ours = dsaSign(d, pair.x, dg, rnd);
        expect(ours.length).toBe(2 * (n / 8));
        expect(nodeVerify(hash, msg, pair.pub, ours)).toBe(true);
        expect(nodeCrypto.verify(hash, msg, pair.pub, dsaDerSignature(ours))).toBe(true);
        const theirs = nodeSign(hash, msg, pair.priv);
        expect(dsaVerify(d, pair.y, dg, theirs)).toBe(true);
        expect(dsaVerify(d, pair.y, sha(hash, Buffer.from('another message')), theirs)).toBe(false);
        theirs[theirs.length - 1]! ^= 1;
        expect(dsaVerify(d, pair.y, dg, theirs)).toBe(false);
      }
    });
  }

  it('key pairs generated here in node\'s domain: y = g^x, and node:crypto verifies their signatures', () => {
    const pair = providerDsaPair(2048, 256);
    const d = domain(pair);
    for (let i = 0; i < 4; i++) {
      const { x, y } = dsaGenerate(d, rnd);
      expect(toBig(x) > 0n && toBig(x) < d.q).toBe(true);
      expect(toBig(y)).toBe(modPow(d.g, toBig(x), d.p));
      expect(nodeVerify('sha256', msg, dsaPublicKey({ ...pair, y }), dsaSign(d, x, sha('sha256', msg), rnd))).toBe(true);
    }
  });

  it('malformed signatures do not verify (wrong length, r or s of 0 or q, public value 1)', () => {
    const pair = providerDsaPair(1024, 160);
    const d = domain(pair);
    const dg = sha('sha1', msg);
    const sig = dsaSign(d, pair.x, dg, rnd);
    expect(dsaVerify(d, pair.y, dg, sig)).toBe(true);
    expect(dsaVerify(d, pair.y, dg, sig.subarray(1))).toBe(false);
    expect(dsaVerify(d, pair.y, dg, Buffer.concat([sig, Buffer.alloc(1)]))).toBe(false);
    expect(dsaVerify(d, pair.y, dg, Buffer.concat([Buffer.alloc(20), sig.subarray(20)]))).toBe(false);
    expect(dsaVerify(d, pair.y, dg, Buffer.concat([sig.subarray(0, 20), fromBig(d.q, 20)]))).toBe(false);
    expect(dsaVerify(d, Buffer.from([1]), dg, sig)).toBe(false);
  });
});

describe('DSA known answers: NIST FIPS 186-3 SigGen', () => {
  for (const v of NIST_DSA) {
    it(`${v.name}: y = g^x, the published signature verifies, and so does a new one in node:crypto`, () => {
      const d = domain(v);
      expect(fromBig(modPow(d.g, toBig(v.x), d.p)).toString('hex')).toBe(v.y.toString('hex'));
      const dg = sha(v.hash, v.msg);
      expect(dsaVerify(d, v.y, dg, v.sig)).toBe(true);
      expect(nodeVerify(v.hash, v.msg, dsaPublicKey(v), v.sig)).toBe(true);
      expect(nodeVerify(v.hash, v.msg, dsaPublicKey(v), dsaSign(d, v.x, dg, rnd))).toBe(true);
    });
  }
});

describe('DSA as GP key objects (OP-TEE\'s rules)', () => {
  const [v1, v106, v166] = NIST_DSA as [DsaVector, DsaVector, DsaVector];
  const attrs = (v: DsaNumbers, priv: boolean): [number, Uint8Array][] => [
    [TEE_ATTR_DSA_PRIME, v.p], [TEE_ATTR_DSA_SUBPRIME, v.q], [TEE_ATTR_DSA_BASE, v.g], [TEE_ATTR_DSA_PUBLIC_VALUE, v.y],
    ...(priv ? [[TEE_ATTR_DSA_PRIVATE_VALUE, v.x] as [number, Uint8Array]] : []),
  ];

  it('the object size is the prime\'s; sizes are 512..3072 bits in steps of 64; no number longer than the prime', () => {
    expect(keyObject(TEE_TYPE_DSA_PUBLIC_KEY, 1024, attrs(v1, false)).size).toBe(1024);
    expect(keyObject(TEE_TYPE_DSA_KEYPAIR, 3072, attrs(v166, true)).size).toBe(2048);
    expect(() => allocateObject(TEE_TYPE_DSA_KEYPAIR, 1000)).toThrow(TeeError);
    expect(() => allocateObject(TEE_TYPE_DSA_KEYPAIR, 3136)).toThrow(TeeError);
    const shortPrime = attrs(v1, false).map(([id, b]): [number, Uint8Array] => [id, id === TEE_ATTR_DSA_PRIME ? b.subarray(1) : b]);
    expectBadParameters(() => keyObject(TEE_TYPE_DSA_PUBLIC_KEY, 1024, shortPrime));
    expectBadParameters(() => keyObject(TEE_TYPE_DSA_PUBLIC_KEY, 1024, attrs(v1, false).slice(1)));
    expectBadParameters(() => keyObject(TEE_TYPE_DSA_PUBLIC_KEY, 1024, attrs(v1, true)));
    expectBadParameters(() => keyObject(TEE_TYPE_DSA_PUBLIC_KEY, 1024,
      [...attrs(v1, false).slice(0, 3), [TEE_ATTR_DSA_PUBLIC_VALUE, Buffer.concat([Buffer.from([1]), v1.y])]]));
  });

  it('digest lengths: signing takes min(hash, q) bytes, verifying the hash size or q\'s, else BAD_PARAMETERS', () => {
    const sha256 = algorithm(TEE_ALG_DSA_SHA256)!;
    const pair = keyObject(TEE_TYPE_DSA_KEYPAIR, 2048, attrs(v106, true)); // N = 224, shorter than SHA-256
    const full = sha('sha256', v106.msg);
    const cut = full.subarray(0, 28);
    expectBadParameters(() => dsaSignDigest(sha256, pair, full, rnd));
    const sig = dsaSignDigest(sha256, pair, cut, rnd);
    expect(sig.length).toBe(56);
    const pub = keyObject(TEE_TYPE_DSA_PUBLIC_KEY, 2048, attrs(v106, false));
    expect(dsaVerifyDigest(sha256, pub, cut, sig)).toBe(true);
    expect(dsaVerifyDigest(sha256, pub, full, sig)).toBe(true);
    expect(dsaVerifyDigest(sha256, pub, cut, v106.sig)).toBe(true);
    expectBadParameters(() => dsaVerifyDigest(sha256, pub, full.subarray(0, 20), sig));
    // SHA-224 under a 256-bit subprime: the digest is shorter than q and is taken whole.
    const sha224 = algorithm(TEE_ALG_DSA_SHA224)!;
    const pair166 = keyObject(TEE_TYPE_DSA_KEYPAIR, 2048, attrs(v166, true));
    const dg = sha('sha224', v166.msg);
    expect(dsaVerifyDigest(sha224, pair166, dg, dsaSignDigest(sha224, pair166, dg, rnd))).toBe(true);
    expect(dsaVerifyDigest(sha224, pair166, dg, v166.sig)).toBe(true);
    expectBadParameters(() => dsaSignDigest(sha224, pair166, Buffer.concat([dg, Buffer.alloc(4)]), rnd));
    // SHA-1 with a 160-bit subprime: 20 bytes only.
    const sha1 = algorithm(TEE_ALG_DSA_SHA1)!;
    const pair1 = keyObject(TEE_TYPE_DSA_KEYPAIR, 1024, attrs(v1, true));
    expect(dsaVerifyDigest(sha1, pair1, sha('sha1', v1.msg), v1.sig)).toBe(true);
    expectBadParameters(() => dsaSignDigest(sha1, pair1, sha('sha256', v1.msg), rnd));
  });

  it('key generation takes prime, subprime and base; the prime must have the requested size', () => {
    const params = new Map<number, AttrValue>(attrs(v1, false).slice(0, 3).map(([id, b]) => [id >>> 0, Buffer.from(b)]));
    const made = dsaGenerateAttrs(1024, params, rnd);
    expect(checkPopulate(allocateObject(TEE_TYPE_DSA_KEYPAIR, 1024), made)).toBe(1024);
    const d = domain(v1);
    const x = made.get(TEE_ATTR_DSA_PRIVATE_VALUE >>> 0) as Buffer;
    expect(toBig(made.get(TEE_ATTR_DSA_PUBLIC_VALUE >>> 0) as Buffer)).toBe(modPow(d.g, toBig(x), d.p));
    expectBadParameters(() => dsaGenerateAttrs(2048, params, rnd));
    params.delete(TEE_ATTR_DSA_BASE >>> 0);
    expectBadParameters(() => dsaGenerateAttrs(1024, params, rnd));
  });

  it('hostile domains end in BAD_PARAMETERS, never a hang: g or q out of range; a subprime that leaves no usable k', () => {
    expectBadParameters(() => dsaDomain(v1.p, v1.q, Buffer.from([1])));
    expectBadParameters(() => dsaDomain(v1.p, v1.p, v1.g));
    // q = 4: the only candidate this random source gives is k = 2, which has no inverse mod 4.
    const d = dsaDomain(Buffer.from([23]), Buffer.from([4]), Buffer.from([5]));
    expectBadParameters(() => dsaSign(d, Buffer.from([1]), Buffer.from([7]), (n) => Buffer.alloc(n, 1)));
  });
});
