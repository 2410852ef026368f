/**
 * Pure TypeScript parts of the GP crypto core: algorithm ids, the object model and the
 * primitives written here (HMAC, CMAC, CBC-MAC, CTS, XTS, PSS, DigestInfo) and the ECDSA adapter, checked
 * against published vectors and cross-checked against node:crypto.
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { algorithm, CURVES } from '../../emulator/tee/crypto/algorithms.js';
import { asymOperate, asymVerify } from '../../emulator/tee/crypto/asymmetric.js';
import { ecdsaSign, ecdsaVerify, orderCheck } from '../../emulator/tee/crypto/ecdsa.js';
import { generateKey } from '../../emulator/tee/crypto/generate.js';
import { recoverPrimes, toBig } from '../../emulator/tee/crypto/keys.js';
import {
  allocateObject, checkPopulate, copyCompatible, copyInto, HandleTable, type AttrValue,
} from '../../emulator/tee/crypto/objects.js';
import { AesMacCalc, CipherCalc, cts, HmacCalc, XofCalc, xts } from '../../emulator/tee/crypto/symmetric.js';
import { Des3CmacCalc } from '../../emulator/tee/crypto/des.js';
import { AeCalc } from '../../emulator/tee/crypto/ae.js';
import { TeeError } from '../../emulator/abi/errors.js';
import {
  TEE_ALG_ECDSA_SHA256, TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA1, TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256,
  TEE_ALG_RSASSA_PKCS1_V1_5_SHA256, TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA512, TEE_ALG_HKDF_SHA256_DERIVE_KEY,
  TEE_ATTR_ECC_CURVE, TEE_ATTR_ECC_PRIVATE_VALUE, TEE_ATTR_ECC_PUBLIC_VALUE_X, TEE_ATTR_ECC_PUBLIC_VALUE_Y,
  TEE_ATTR_SECRET_VALUE, TEE_MODE_SIGN, TEE_TYPE_AES, TEE_TYPE_ECDSA_KEYPAIR, TEE_TYPE_HMAC_SHA256,
  TEE_TYPE_RSA_KEYPAIR, TEE_TYPE_RSA_PUBLIC_KEY,
} from '../../emulator/abi/tee-api.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const rnd = (n: number): Buffer => nodeCrypto.randomBytes(n);

describe('algorithm identifiers', () => {
  it('derives the OP-TEE ids of the hash-parameterised families', () => {
    expect(algorithm(0x70212930)?.name).toBe('RSASSA_PKCS1_PSS_MGF1_SHA1');
    expect(algorithm(0x70616930)?.name).toBe('RSASSA_PKCS1_PSS_MGF1_SHA512');
    expect(algorithm(0x60410230)?.name).toBe('RSAES_PKCS1_OAEP_MGF1_SHA256');
    expect(algorithm(0x70003042)?.name).toBe('ECDSA_SHA256');
    expect(algorithm(0x70004830)?.name).toBe('RSASSA_PKCS1_V1_5_SHA256');
    expect(algorithm(0x800040c0)?.hash).toBe('sha256');
    expect(algorithm(0x30000004)?.name).toBe('HMAC_SHA256');
    expect(algorithm(0x12345678)).toBeUndefined();
  });
});

describe('object model', () => {
  it('refuses sizes outside the type range and checks populate attributes', () => {
    expect(() => allocateObject(TEE_TYPE_AES, 100)).toThrow(TeeError);
    expect(() => allocateObject(0xa0000099, 128)).toThrow(TeeError);
    const o = allocateObject(TEE_TYPE_AES, 256);
    expect(() => checkPopulate(o, new Map([[0xd0000130, Buffer.alloc(16)]]))).toThrow(TeeError);
    expect(checkPopulate(o, new Map([[TEE_ATTR_SECRET_VALUE >>> 0, Buffer.alloc(24)]]))).toBe(192);
    expect(() => checkPopulate(o, new Map([[TEE_ATTR_SECRET_VALUE >>> 0, Buffer.alloc(20)]]))).toThrow(TeeError);
    const small = allocateObject(TEE_TYPE_AES, 128);
    expect(() => checkPopulate(small, new Map([[TEE_ATTR_SECRET_VALUE >>> 0, Buffer.alloc(32)]]))).toThrow(TeeError);
    expect(allocateObject(TEE_TYPE_HMAC_SHA256, 256).infoBytes().length).toBe(28);
  });

  it('copies a key pair into a public-key object with only the public attributes', () => {
    const pair = allocateObject(TEE_TYPE_RSA_KEYPAIR, 1024);
    generateKey(pair, 1024, new Map(), rnd);
    const pub = allocateObject(TEE_TYPE_RSA_PUBLIC_KEY, 2048);
    expect(copyCompatible(pub, pair)).toBe(true);
    copyInto(pub, pair);
    expect([...pub.attrs.keys()].length).toBe(2);
    expect(pub.size).toBe(1024);
  });

  it('hands out distinct non-zero handles and refuses kinds mixed up', () => {
    const t = new HandleTable();
    const a = t.addObject(allocateObject(TEE_TYPE_AES, 128));
    const b = t.add({ kind: 'state', state: {} });
    expect(a).not.toBe(0);
    expect(a).not.toBe(b);
    expect(() => t.state(a)).toThrow(TeeError);
    expect(() => t.object(b)).toThrow(TeeError);
    expect(() => t.object(0x1_0000_0001n)).toThrow(TeeError);
  });
});

describe('primitives written here', () => {
  it('HMAC-SHA256 and SHA512 RFC 4231 test case 1', () => {
    const key = Buffer.alloc(20, 0x0b);
    expect(new HmacCalc('sha256', key).final(Buffer.from('Hi There')).toString('hex'))
      .toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    const long = Buffer.alloc(131, 0xaa);
    const m = new HmacCalc('sha512', long);
    m.update(Buffer.from('Test Using Larger Than Block-Size Key - '));
    const copy = m.clone();
    expect(copy.final(Buffer.from('Hash Key First')).toString('hex')).toBe(
      nodeCrypto.createHmac('sha512', long).update('Test Using Larger Than Block-Size Key - Hash Key First').digest('hex'));
  });

  it('AES-CMAC RFC 4493 examples 1-4, fed in odd chunks', () => {
    const key = h('2b7e151628aed2a6abf7158809cf4f3c');
    const msg = h(`6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
      30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);
    const cases: [number, string][] = [[0, 'bb1d6929e95937287fa37d129b756746'], [16, '070a16b46b4d4144f79bdd9dd04a287c'],
      [40, 'dfa66747de9ae63030ca32611497c827'], [64, '51f0bebf7e3b9d92fc49741779363cfe']];
    for (const [n, tag] of cases) {
      const c = new AesMacCalc(key, 'cmac', false);
      for (let i = 0; i < n; i += 7) c.update(msg.subarray(i, Math.min(n, i + 7)));
      expect(c.final(Buffer.alloc(0)).toString('hex')).toBe(tag);
    }
  });

  it('AES-CTS (CBC-CS3) RFC 3962 vectors, both directions', () => {
    const key = h('636869636b656e207465726979616b69');
    const iv = Buffer.alloc(16);
    const cases: [string, string][] = [
      ['4920776f756c64206c696b652074686520', 'c6353568f2bf8cb4d8a580362da7ff7f97'],
      ['4920776f756c64206c696b65207468652047656e6572616c20476175277320', 'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5'],
      ['4920776f756c64206c696b65207468652047656e6572616c2047617527732043',
        '39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584'],
    ];
    for (const [pt, ct] of cases) {
      expect(cts(key, iv, true, h(pt)).toString('hex')).toBe(ct);
      expect(cts(key, iv, false, h(ct)).toString('hex')).toBe(pt);
    }
  });

  it('XTS-AES IEEE 1619 vectors 1 and 15 (ciphertext stealing)', () => {
    const z = Buffer.alloc(16);
    expect(xts(z, z, z, true, Buffer.alloc(32)).toString('hex'))
      .toBe('917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e');
    const k1 = h('fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0');
    const k2 = h('bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0');
    const tweak = h('9a785634120000000000000000000000');
    const pt = h('000102030405060708090a0b0c0d0e0f10');
    const ct = xts(k1, k2, tweak, true, pt);
    expect(ct.toString('hex')).toBe('6c1625db4671522d3d7599601de7ca09ed');
    expect(xts(k1, k2, tweak, false, ct).toString('hex')).toBe(pt.toString('hex'));
  });

  it('recovers RSA primes from n, e, d', () => {
    const { privateKey } = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    const j = privateKey.export({ format: 'jwk' });
    const b = (s?: string): bigint => toBig(Buffer.from(s!, 'base64url'));
    const [p, q] = recoverPrimes(b(j.n), b(j.e), b(j.d));
    expect(new Set([p, q])).toEqual(new Set([b(j.p), b(j.q)]));
  });
});

describe('signatures agree with node:crypto', () => {
  const msg = Buffer.from('trustbox');
  const digest = nodeCrypto.createHash('sha256').update(msg).digest();
  const pair = allocateObject(TEE_TYPE_RSA_KEYPAIR, 2048);
  generateKey(pair, 2048, new Map(), rnd);
  const n = pair.buf(0xd0000130)!;
  const pub = nodeCrypto.createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'),
    e: pair.buf(0xd0000230)!.toString('base64url') }, format: 'jwk' });

  it('RSASSA-PKCS1-v1_5 SHA-256 over a digest', () => {
    const sig = asymOperate(algorithm(TEE_ALG_RSASSA_PKCS1_V1_5_SHA256)!, TEE_MODE_SIGN, pair, new Map(), digest, rnd);
    expect(nodeCrypto.verify('sha256', msg, pub, sig)).toBe(true);
    asymVerify(algorithm(TEE_ALG_RSASSA_PKCS1_V1_5_SHA256)!, pair, new Map(), digest, sig);
  });

  it('RSASSA-PSS SHA-256 and SHA-1 with default and explicit salt lengths', () => {
    const sig = asymOperate(algorithm(TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256)!, TEE_MODE_SIGN, pair, new Map(), digest, rnd);
    expect(nodeCrypto.verify('sha256', msg, { key: pub, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig))
      .toBe(true);
    const d1 = nodeCrypto.createHash('sha1').update(msg).digest();
    const params = new Map<number, AttrValue>([[0xf0000a30, { a: 5, b: 0 }]]);
    const s1 = asymOperate(algorithm(TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA1)!, TEE_MODE_SIGN, pair, params, d1, rnd);
    expect(nodeCrypto.verify('sha1', msg, { key: pub, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 5 }, s1))
      .toBe(true);
    asymVerify(algorithm(TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA1)!, pair, params, d1, s1);
    s1[10]! ^= 1;
    expect(() => asymVerify(algorithm(TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA1)!, pair, params, d1, s1)).toThrow(TeeError);
  });

  it('OAEP SHA-512 round trip with the provider', () => {
    const alg = algorithm(TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA512)!;
    const ct = asymOperate(alg, 0, pair, new Map(), Buffer.from('secret'), rnd);
    expect(asymOperate(alg, 1, pair, new Map(), ct, rnd).toString()).toBe('secret');
  });

  for (const id of [1, 2, 3, 4, 5]) {
    const curve = CURVES.get(id)!;
    it(`ECDSA ${curve.jwk}: n*G = O, r||s round trip, cross-checked with node:crypto from P-256 up`, () => {
      expect(orderCheck(curve)).toBe(true);
      const ecdh = nodeCrypto.createECDH(curve.openssl);
      const point = ecdh.generateKeys();
      const d = ecdh.getPrivateKey();
      const x = point.subarray(1, 1 + curve.bytes);
      const y = point.subarray(1 + curve.bytes);
      const hash = curve.bits > 384 ? 'sha512' : curve.bits > 256 ? 'sha384' : 'sha256';
      const dg = nodeCrypto.createHash(hash).update(msg).digest();
      const sig = ecdsaSign(curve, d, dg, rnd);
      expect(ecdsaVerify(curve, x, y, dg, sig)).toBe(true);
      if (curve.bits < 256) return;
      const jwk = { kty: 'EC', crv: curve.jwk, x: x.toString('base64url'), y: y.toString('base64url') };
      const publicKey = nodeCrypto.createPublicKey({ key: jwk, format: 'jwk' });
      const privateKey = nodeCrypto.createPrivateKey({ key: { ...jwk, d: Buffer.from(d).toString('base64url') }, format: 'jwk' });
      expect(nodeCrypto.verify(hash, msg, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
      const theirs = nodeCrypto.sign(hash, msg, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(ecdsaVerify(curve, x, y, dg, theirs)).toBe(true);
      theirs[3]! ^= 0x40;
      expect(ecdsaVerify(curve, x, y, dg, theirs)).toBe(false);
    });
  }

  it('ECDSA through the object model signs a digest of any size, as OP-TEE (a SHA-1 digest under ECDSA_SHA256)', () => {
    const o = allocateObject(TEE_TYPE_ECDSA_KEYPAIR, 256);
    generateKey(o, 256, new Map<number, AttrValue>([[TEE_ATTR_ECC_CURVE >>> 0, { a: 3, b: 0 }]]), rnd);
    expect(o.buf(TEE_ATTR_ECC_PRIVATE_VALUE)).toBeDefined();
    expect(o.buf(TEE_ATTR_ECC_PUBLIC_VALUE_X)!.length).toBe(32);
    expect(o.buf(TEE_ATTR_ECC_PUBLIC_VALUE_Y)!.length).toBe(32);
    const alg = algorithm(TEE_ALG_ECDSA_SHA256)!;
    const short = Buffer.alloc(20, 3);
    const shortSig = asymOperate(alg, TEE_MODE_SIGN, o, new Map(), short, rnd);
    asymVerify(alg, o, new Map(), short, shortSig);
    expect(() => asymVerify(alg, o, new Map(), Buffer.alloc(20, 4), shortSig)).toThrow(TeeError);
    const sig = asymOperate(alg, TEE_MODE_SIGN, o, new Map(), digest, rnd);
    asymVerify(alg, o, new Map(), digest, sig);
    expect(algorithm(TEE_ALG_HKDF_SHA256_DERIVE_KEY)?.kind).toBe('hkdf');
  });
});

describe('streaming AES-CTS (CipherCalc)', () => {
  it('updates are CBC over whole blocks, final steals over the rest: fed as libutee feeds it (17-32 bytes kept for final), the whole equals one-shot CTS', () => {
    const key = Buffer.alloc(16, 7);
    const iv = Buffer.alloc(16, 9);
    const msg = Buffer.from([...Array(77).keys()]);
    for (const encrypt of [true, false]) {
      const input = encrypt ? msg : cts(key, iv, true, msg);
      const c = new CipherCalc('cts', encrypt, key, undefined, iv);
      const parts: Buffer[] = [];
      let given = 0;
      for (let total = 6; total < input.length; total += 6) {
        const keep = total > 16 ? ((total - 1) % 16) + 17 : total; // xtest 4017's rule, libutee's buffering
        const chunk = input.subarray(given, total - keep);
        if (chunk.length === 0) continue;
        expect(c.updateSize(chunk.length)).toBe(chunk.length);
        const out = c.update(chunk);
        expect(out.length).toBe(chunk.length);
        parts.push(out);
        given += chunk.length;
      }
      parts.push(c.final(input.subarray(given)));
      expect(Buffer.concat(parts).toString('hex')).toBe((encrypt ? cts(key, iv, true, msg) : msg).toString('hex'));
    }
  });
});

describe('copying a running AE operation (AeCalc.clone)', () => {
  it('GCM and CCM copies made half way finish with the same output and tag as the original and as node:crypto', () => {
    const key = Buffer.alloc(16, 3);
    const aad = Buffer.from('header');
    const pt = Buffer.from('forty-one bytes of payload to be sealed..');
    for (const kind of ['gcm', 'ccm'] as const) {
      const nonce = Buffer.alloc(kind === 'gcm' ? 12 : 13, 5);
      const a = new AeCalc(kind, true, key, nonce, 16, aad.length, pt.length);
      a.updateAad(aad);
      const head = a.update(pt.subarray(0, 20));
      const b = a.clone();
      const ra = a.encryptFinal(pt.subarray(20));
      const rb = b.encryptFinal(pt.subarray(20));
      expect(Buffer.concat([head, rb.out]).toString('hex')).toBe(Buffer.concat([head, ra.out]).toString('hex'));
      expect(rb.tag.toString('hex')).toBe(ra.tag.toString('hex'));
      const n = nodeCrypto.createCipheriv(`aes-128-${kind}`, key, nonce, { authTagLength: 16 } as nodeCrypto.CipherCCMOptions);
      n.setAAD(aad, { plaintextLength: pt.length });
      const want = Buffer.concat([n.update(pt), n.final()]);
      expect(Buffer.concat([head, ra.out]).toString('hex')).toBe(want.toString('hex'));
      expect(ra.tag.toString('hex')).toBe(n.getAuthTag().toString('hex'));
    }
  });
});

describe('streaming AES-CCM (AeCalc)', () => {
  it('updates give whole blocks as they come; output and tag equal node:crypto for several nonce, AAD and tag sizes; a bad tag is MAC_INVALID', () => {
    const key = Buffer.alloc(16, 0x42);
    const pt = Buffer.from([...Array(53).keys()]);
    for (const [nonceLen, aadLen, tagLen] of [[7, 0, 4], [13, 20, 16], [11, 1, 8]] as const) {
      const nonce = Buffer.alloc(nonceLen, 9);
      const aad = Buffer.alloc(aadLen, 7);
      const n = nodeCrypto.createCipheriv('aes-128-ccm', key, nonce, { authTagLength: tagLen });
      if (aadLen) n.setAAD(aad, { plaintextLength: pt.length });
      else n.setAAD(Buffer.alloc(0), { plaintextLength: pt.length });
      const want = Buffer.concat([n.update(pt), n.final()]);
      const wantTag = n.getAuthTag();
      const e = new AeCalc('ccm', true, key, nonce, tagLen, aadLen, pt.length);
      if (aadLen) { e.updateAad(aad.subarray(0, 3)); e.updateAad(aad.subarray(3)); }
      const parts: Buffer[] = [];
      let fed = 0;
      for (let i = 0; i < 49; i += 7) {
        const chunk = pt.subarray(i, i + 7);
        const out = e.update(chunk);
        fed += chunk.length;
        expect(parts.reduce((t, p) => t + p.length, 0) + out.length).toBe(Math.floor(fed / 16) * 16);
        parts.push(out);
      }
      const fin = e.encryptFinal(pt.subarray(49));
      expect(Buffer.concat([...parts, fin.out]).toString('hex')).toBe(want.toString('hex'));
      expect(fin.tag.toString('hex')).toBe(wantTag.toString('hex'));
      const d = new AeCalc('ccm', false, key, nonce, tagLen, aadLen, pt.length);
      if (aadLen) d.updateAad(aad);
      const head = d.update(want.subarray(0, 30));
      expect(Buffer.concat([head, d.decryptFinal(want.subarray(30), wantTag)]).toString('hex')).toBe(pt.toString('hex'));
      const bad = new AeCalc('ccm', false, key, nonce, tagLen, aadLen, pt.length);
      if (aadLen) bad.updateAad(aad);
      const forged = Buffer.from(wantTag);
      forged[0]! ^= 1;
      expect(() => bad.decryptFinal(want, forged)).toThrow(TeeError);
    }
  });
});

describe('3DES CMAC (Des3CmacCalc)', () => {
  it('matches the SP 800-38B TDEA examples (three keys), also fed in pieces', () => {
    const k = Buffer.from('8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5', 'hex');
    expect(new Des3CmacCalc(k).final(Buffer.alloc(0)).toString('hex')).toBe('b7a688e122ffaf95');
    expect(new Des3CmacCalc(k).final(Buffer.from('6bc1bee22e409f96', 'hex')).toString('hex')).toBe('8e8f293136283797');
    const m = Buffer.from('6bc1bee22e409f96e93d7e117393172aae2d8a57', 'hex');
    const c = new Des3CmacCalc(k);
    c.update(m.subarray(0, 3));
    c.update(m.subarray(3, 11));
    expect(c.final(m.subarray(11)).toString('hex')).toBe('743ddbe0ce2dc2ed');
  });
});

describe('DES key sizes', () => {
  it('GP 1.0 sizes without parity (56, 112, 168) are valid as 64, 128, 192 are, and keys in them report sizes without parity', () => {
    expect(allocateObject(0xa0000011, 56).maxSize).toBe(56);
    expect(allocateObject(0xa0000013, 112).maxSize).toBe(112);
    const legacy = allocateObject(0xa0000013, 168);
    expect(checkPopulate(legacy, new Map([[0xc0000000, Buffer.alloc(24, 1)]]))).toBe(168);
    expect(checkPopulate(allocateObject(0xa0000013, 192), new Map([[0xc0000000, Buffer.alloc(24, 1)]]))).toBe(192);
    expect(() => checkPopulate(allocateObject(0xa0000011, 56), new Map([[0xc0000000, Buffer.alloc(16, 1)]]))).toThrow(TeeError);
    expect(() => allocateObject(0xa0000011, 128)).toThrow(TeeError);
    expect(() => allocateObject(0xa0000013, 64)).toThrow(TeeError);
  });
});

describe('SHAKE (XofCalc)', () => {
  it('squeezes on from where the last final stopped, as TEE_DigestExtract needs; a copy goes on alone', () => {
    const msg = Buffer.from('The quick brown fox jumps over the lazy dog');
    const want = nodeCrypto.createHash('shake256', { outputLength: 100 }).update(msg).digest();
    const x = new XofCalc('shake256');
    x.update(msg.subarray(0, 10));
    const a = x.final(msg.subarray(10), 1);
    const copy = x.clone();
    const b = x.final(Buffer.alloc(0), 36);
    const c = x.final(Buffer.alloc(0), 63);
    expect(Buffer.concat([a, b, c]).toString('hex')).toBe(want.toString('hex'));
    expect(copy.final(Buffer.alloc(0), 99).toString('hex')).toBe(want.subarray(1).toString('hex'));
    expect(() => x.update(Buffer.from('more'))).toThrow(TeeError);
  });
});

describe('constants agree with the dev kit headers', () => {
  it('every TEE_* / __OPTEE_* number in abi/tee-api.ts equals the #define of the same name', async () => {
    const { readFileSync } = await import('node:fs');
    const consts = await import('../../emulator/abi/tee-api.js');
    const defines = new Map<string, number>();
    for (const file of ['tee_api_defines.h', 'tee_api_crypto.h']) {
      const text = readFileSync(new URL(`../../firmware/ta-devkit/include/${file}`, import.meta.url), 'utf8');
      for (const m of text.matchAll(/^#define\s+((?:TEE|__OPTEE)_\w+)\s+(0x[0-9a-fA-F]+|\d+)\b/gm)) {
        defines.set(m[1]!, Number(m[2]!));
      }
    }
    let compared = 0;
    for (const [name, value] of Object.entries(consts)) {
      if (typeof value !== 'number' || !defines.has(name)) continue;
      expect([name, value >>> 0]).toEqual([name, defines.get(name)! >>> 0]);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });
});
