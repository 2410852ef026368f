/**
 * ECDSA over a prehashed digest (emulator/tee/crypto/ecdsa.ts, on @noble/curves): the GP
 * behaviour the adapter promises, checked against the crypto provider (OpenSSL through
 * host/crypto.ts, IEEE P1363 r||s) on all five GP curves - including P-192/P-224, which are
 * built here from FIPS 186-4 constants rather than taken from the library - and against
 * RFC 6979 known answers.
 */
import { describe, expect, it } from 'vitest';
import { CURVES, type Curve } from '../../emulator/tee/crypto/algorithms.js';
import { curveParams, ecdsaSign, ecdsaVerify, orderCheck } from '../../emulator/tee/crypto/ecdsa.js';
import { fromBig, toBig } from '../../emulator/tee/crypto/keys.js';
import { TeeError } from '../../emulator/abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS } from '../../emulator/abi/results.js';
import {
  digest, generateKeyPairSync, nodeCryptoModule, seededRandom, systemRandom, type HashName, type KeyObject,
} from '../../emulator/host/crypto.js';

const h = (s: string): Buffer => Buffer.from(s, 'hex');
const rnd = (n: number): Buffer => systemRandom.bytes(n);
const curves = [...CURVES.values()];
const byBits = (bits: number): Curve => curves.find((c) => c.bits === bits)!;

interface Pair { d: Buffer; x: Buffer; y: Buffer; priv: KeyObject; pub: KeyObject }

/** A provider key pair; raw values from DER, since OpenSSL has no JWK for P-192/P-224. */
function providerPair(curve: Curve): Pair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve.openssl });
  // SEC 1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING d, ... }; the SEQUENCE length
  // takes one byte up to 127, else 0x8N and N bytes (P-384, P-521).
  const sec1 = privateKey.export({ format: 'der', type: 'sec1' });
  const at = 2 + (sec1[1]! & 0x80 ? sec1[1]! & 0x7f : 0) + 3;
  const d = sec1.subarray(at + 2, at + 2 + sec1[at + 1]!);
  const point = publicKey.export({ format: 'der', type: 'spki' }).subarray(-(2 * curve.bytes + 1));
  return { d, x: point.subarray(1, 1 + curve.bytes), y: point.subarray(1 + curve.bytes), priv: privateKey, pub: publicKey };
}

const providerSign = (hash: HashName, msg: Buffer, key: KeyObject): Buffer =>
  nodeCryptoModule.sign(hash, msg, { key, dsaEncoding: 'ieee-p1363' });
const providerVerify = (hash: HashName, msg: Buffer, key: KeyObject, sig: Buffer): boolean =>
  nodeCryptoModule.verify(hash, msg, { key, dsaEncoding: 'ieee-p1363' }, sig);

describe('ECDSA on a prehashed digest agrees with the provider', () => {
  const msg = Buffer.from('trustbox ecdsa cross-check');
  // SHA-1 is shorter than every order, SHA-512 longer than all but P-521's: both truncation
  // directions of FIPS 186-4 6.4 are exercised on each curve.
  const hashes: HashName[] = ['sha1', 'sha256', 'sha384', 'sha512'];

  for (const curve of curves) {
    it(`${curve.jwk}: the library curve is the provider's, and signatures go both ways`, () => {
      expect(orderCheck(curve)).toBe(true);
      const pair = providerPair(curve);
      for (const hash of hashes) {
        const dg = digest(hash, msg);
        const ours = ecdsaSign(curve, pair.d, dg, rnd);
        expect(ours.length).toBe(2 * curve.bytes);
        expect(providerVerify(hash, msg, pair.pub, ours)).toBe(true);
        const theirs = providerSign(hash, msg, pair.priv);
        expect(ecdsaVerify(curve, pair.x, pair.y, dg, theirs)).toBe(true);
        const other = digest(hash, Buffer.from('another message'));
        expect(ecdsaVerify(curve, pair.x, pair.y, other, theirs)).toBe(false);
        theirs[theirs.length - 1]! ^= 1;
        expect(ecdsaVerify(curve, pair.x, pair.y, dg, theirs)).toBe(false);
      }
    });
  }

  it('curveParams gives the published orders', () => {
    expect(curveParams(byBits(256)).n).toBe(0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n);
    expect(curveParams(byBits(192)).n).toBe(0xffffffffffffffffffffffff99def836146bc9b1b4d22831n);
    expect(curveParams(byBits(521)).p).toBe((1n << 521n) - 1n);
  });
});

describe('ECDSA known answers (RFC 6979 A.2.3, A.2.4: message "sample", SHA-256)', () => {
  const vectors = [
    { bits: 192, x: 'ac2c77f529f91689fea0ea5efec7f210d8eea0b9e047ed56', y: '3bc723e57670bd4887ebc732c523063d0a7c957bc97c1c43',
      r: '4b0b8ce98a92866a2820e20aa6b75b56382e0f9bfd5ecb55', s: 'ccdb006926ea9565cbadc840829d8c384e06de1f1e381b85' },
    { bits: 224, x: '00cf08da5ad719e42707fa431292dea11244d64fc51610d94b130d6c', y: 'eeab6f3debe455e3dbf85416f7030cbd94f34f2d6f232c69f3c1385a',
      r: '61aa3da010e8e8406c656bc477a7a7189895e7e840cdfe8ff42307ba', s: 'bc814050dab5d23770879494f9e0a680dc1af7161991bde692b10101' },
  ];
  for (const v of vectors) {
    it(`P-${v.bits} verifies the published signature, also with the key's leading zero dropped`, () => {
      const curve = byBits(v.bits);
      const dg = digest('sha256', Buffer.from('sample'));
      const sig = h(v.r + v.s);
      expect(ecdsaVerify(curve, h(v.x), h(v.y), dg, sig)).toBe(true);
      // Attribute buffers may be minimal integers; the value, not the width, is the key.
      expect(ecdsaVerify(curve, fromBig(toBig(h(v.x))), h(v.y), dg, sig)).toBe(true);
      expect(ecdsaVerify(curve, h(v.x), h(v.y), digest('sha256', Buffer.from('test')), sig)).toBe(false);
    });
  }
});

describe('ECDSA GP edge cases', () => {
  const curve = byBits(256);
  const { n, p } = curveParams(curve);
  const pair = providerPair(curve);
  const dg = digest('sha256', Buffer.from('edge'));
  const w = curve.bytes;
  const rs = (r: bigint, s: bigint): Buffer => Buffer.concat([fromBig(r, w), fromBig(s, w)]);

  it('the nonce is drawn from the random source given: a seeded run repeats, other seeds differ', () => {
    const a = ecdsaSign(curve, pair.d, dg, (k) => seededRandom('seed-a').bytes(k));
    const again = ecdsaSign(curve, pair.d, dg, (k) => seededRandom('seed-a').bytes(k));
    const b = ecdsaSign(curve, pair.d, dg, (k) => seededRandom('seed-b').bytes(k));
    expect(a.equals(again)).toBe(true);
    expect(a.equals(b)).toBe(false);
    expect(ecdsaVerify(curve, pair.x, pair.y, dg, b)).toBe(true);
  });

  it('P-521 signatures are 2 * 66 bytes wide, with a digest shorter than the order', () => {
    const c = byBits(521);
    const kp = providerPair(c);
    const d64 = digest('sha512', Buffer.from('wide'));
    const sig = ecdsaSign(c, kp.d, d64, rnd);
    expect(sig.length).toBe(132);
    expect(providerVerify('sha512', Buffer.from('wide'), kp.pub, sig)).toBe(true);
  });

  it('a private value outside 1..n-1 is BAD_PARAMETERS', () => {
    for (const d of [Buffer.alloc(w), fromBig(n, w), fromBig(n + 1n, w + 1)]) {
      let caught: unknown;
      try {
        ecdsaSign(curve, d, dg, rnd);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TeeError);
      expect((caught as TeeError).code >>> 0).toBe(TEE_ERROR_BAD_PARAMETERS >>> 0);
    }
    // The smallest and largest valid values both sign.
    expect(ecdsaVerify(curve, ...point(1n), dg, ecdsaSign(curve, fromBig(1n, w), dg, rnd))).toBe(true);
    expect(ecdsaSign(curve, fromBig(n - 1n, w), dg, rnd).length).toBe(2 * w);
  });

  it('a high s verifies (no low-s rule), malformed signatures and keys are just "false"', () => {
    const sig = ecdsaSign(curve, pair.d, dg, rnd);
    const r = toBig(sig.subarray(0, w));
    const s = toBig(sig.subarray(w));
    expect(ecdsaVerify(curve, pair.x, pair.y, dg, rs(r, n - s))).toBe(true);
    expect(ecdsaVerify(curve, pair.x, pair.y, dg, sig.subarray(1))).toBe(false);
    expect(ecdsaVerify(curve, pair.x, pair.y, dg, Buffer.concat([sig, Buffer.alloc(1)]))).toBe(false);
    expect(ecdsaVerify(curve, pair.x, pair.y, dg, rs(0n, s))).toBe(false);
    expect(ecdsaVerify(curve, pair.x, pair.y, dg, rs(r, 0n))).toBe(false);
    expect(ecdsaVerify(curve, pair.x, pair.y, dg, rs(r + n, s))).toBe(false);
    expect(ecdsaVerify(curve, pair.x, pair.y, dg, rs(r, s + n))).toBe(false);
    const offCurve = fromBig((toBig(pair.y) + 1n) % p, w);
    expect(ecdsaVerify(curve, pair.x, offCurve, dg, sig)).toBe(false);
    expect(ecdsaVerify(curve, fromBig(toBig(pair.x) + p, w + 1), pair.y, dg, sig)).toBe(false);
    expect(ecdsaVerify(curve, Buffer.alloc(w), Buffer.alloc(w), dg, sig)).toBe(false);
  });

  function point(d: bigint): [Buffer, Buffer] {
    const e = nodeCryptoModule.createECDH(curve.openssl);
    e.setPrivateKey(fromBig(d, w));
    const pub = e.getPublicKey();
    return [pub.subarray(1, 1 + w), pub.subarray(1 + w)];
  }
});
