/**
 * 4008 derive (ECDH): TEE_DeriveKey with TEE_ALG_ECDH_DERIVE_SHARED_SECRET and OP-TEE's
 * per-curve ids on P-256/P-384/P-521, against node:crypto's ECDH on the same keys; a peer point
 * off the curve is refused (the TA panics, as TEE_DeriveKey has no error return). Finite-field
 * DH (TEE_ALG_DH_DERIVE_SHARED_SECRET) on RFC 3526's 1536-bit group with a key generated in the TA.
 * SM2 key exchange (TEE_ALG_SM2_KEP): GM/T 0003.5 B.2 from both sides, and between keys made in the TA.
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Cryptest, CMD, CT, MODE, TEE_ERROR_TARGET_DEAD, blob, key, parseBlob, type Field } from './4xxx-cryptest-client.js';
import { SM2, SM2_ATTR, SM2_B2 } from './4xxx-sm2-vectors.js';

const ECDH_KEYPAIR = 0xa1000042;
const A = { X: 0xd0000141, Y: 0xd0000241, PRIV: 0xc0000341, CURVE: 0xf0000441 };
const ECDH = 0x80000042;
const OLD = { 3: 0x80003042, 4: 0x80004042, 5: 0x80005042 } as const;

describe('4008 derive: ECDH', () => {
  const ct = Cryptest.shared();

  for (const [n, name, openssl, c, bits] of [['4008.1', 'P-256', 'prime256v1', 3, 256], ['4008.2', 'P-384', 'secp384r1', 4, 384],
    ['4008.3', 'P-521', 'secp521r1', 5, 521]] as const) {
    it(`${n} ECDH ${name}: the TA's shared secret equals node:crypto's (GP and per-curve ids)`, () => {
      const mine = nodeCrypto.createECDH(openssl);
      const minePub = mine.generateKeys();
      const peer = nodeCrypto.createECDH(openssl);
      const peerPub = peer.generateKeys();
      const len = (minePub.length - 1) / 2;
      const k = key(ECDH_KEYPAIR, bits, [[A.PRIV, mine.getPrivateKey()], [A.X, minePub.subarray(1, 1 + len)],
        [A.Y, minePub.subarray(1 + len)], [A.CURVE, { a: c, b: 0 }]]);
      const params = blob([[A.X, peerPub.subarray(1, 1 + len)], [A.Y, peerPub.subarray(1 + len)]]);
      const want = peer.computeSecret(minePub).toString('hex');
      for (const algo of [ECDH, OLD[c]]) {
        const r = ct.run(CMD.DERIVE, algo, MODE.DERIVE, k, params, Math.ceil(bits / 8));
        expect(r.result).toBe(0);
        expect(r.out.toString('hex')).toBe(want);
      }
    });
  }

  it('4008.4 a peer point that is not on the curve makes TEE_DeriveKey panic', () => {
    const mine = nodeCrypto.createECDH('prime256v1');
    const pub = mine.generateKeys();
    const k = key(ECDH_KEYPAIR, 256, [[A.PRIV, mine.getPrivateKey()], [A.X, pub.subarray(1, 33)], [A.Y, pub.subarray(33)],
      [A.CURVE, { a: 3, b: 0 }]]);
    const r = ct.run(CMD.DERIVE, ECDH, MODE.DERIVE, k, blob([[A.X, Buffer.alloc(32, 1)], [A.Y, Buffer.alloc(32, 2)]]), 32);
    expect(r.result).toBe(TEE_ERROR_TARGET_DEAD);
  });

  // SM2 KEP: key 1 is this side's key pair, key 2 (CT_KEY2) its ephemeral one; the derived object's
  // maxObjectSize counts the bytes of K, as OP-TEE reads it (xtest 4014 allocates it so).
  const kep = (self: { d: Buffer; x: Buffer; y: Buffer; r: Buffer; rx: Buffer; ry: Buffer }, peer: { x: Buffer; y: Buffer; rx: Buffer; ry: Buffer },
    role: 0 | 1, extra: [number, Field][], klen = 16, out = 48) => ct.run(CMD.DERIVE, SM2.KEP, MODE.DERIVE,
    key(SM2.KEP_KEYPAIR, 256, [[SM2_ATTR.PRIV, self.d], [SM2_ATTR.X, self.x], [SM2_ATTR.Y, self.y]]),
    blob([[CT.KEY2, key(SM2.KEP_KEYPAIR, 256, [[SM2_ATTR.PRIV, self.r], [SM2_ATTR.X, self.rx], [SM2_ATTR.Y, self.ry]])],
      [CT.DKSIZE, { a: klen, b: 0 }], [SM2_ATTR.KEP_USER, { a: role, b: 0 }], [SM2_ATTR.X, peer.x], [SM2_ATTR.Y, peer.y],
      [SM2_ATTR.EPH_X, peer.rx], [SM2_ATTR.EPH_Y, peer.ry], [SM2_ATTR.ID_INITIATOR, Buffer.from('1234567812345678')],
      [SM2_ATTR.ID_RESPONDER, Buffer.from('1234567812345678')], ...extra]), out);

  it('4008.30 SM2 KEP, GM/T 0003.5 B.2 from both sides: the shared K, each side checks the other\'s confirmation and gives its own', () => {
    const { a, b } = SM2_B2;
    const ia = kep(a, b, 0, [[SM2_ATTR.CONF_IN, SM2_B2.confB], [SM2_ATTR.CONF_OUT, Buffer.alloc(32)]]);
    expect(ia.result).toBe(0);
    expect(ia.out.toString('hex')).toBe(SM2_B2.key.toString('hex') + SM2_B2.confA.toString('hex'));
    const rb = kep(b, a, 1, [[SM2_ATTR.CONF_IN, SM2_B2.confA], [SM2_ATTR.CONF_OUT, Buffer.alloc(32)]]);
    expect(rb.result).toBe(0);
    expect(rb.out.toString('hex')).toBe(SM2_B2.key.toString('hex') + SM2_B2.confB.toString('hex'));
    // Without confirmation values; a longer K starts with the same 16 bytes (one KDF).
    const long = kep(a, b, 0, [], 40, 40);
    expect(long.out.subarray(0, 16).toString('hex')).toBe(SM2_B2.key.toString('hex'));
  });

  it('4008.31 SM2 KEP: a confirmation that does not match, or a missing identity, makes TEE_DeriveKey panic', () => {
    const { a, b } = SM2_B2;
    expect(kep(a, b, 0, [[SM2_ATTR.CONF_IN, SM2_B2.confA]]).result).toBe(TEE_ERROR_TARGET_DEAD);
    const noId = ct.run(CMD.DERIVE, SM2.KEP, MODE.DERIVE, key(SM2.KEP_KEYPAIR, 256, [[SM2_ATTR.PRIV, a.d], [SM2_ATTR.X, a.x], [SM2_ATTR.Y, a.y]]),
      blob([[CT.KEY2, key(SM2.KEP_KEYPAIR, 256, [[SM2_ATTR.PRIV, a.r], [SM2_ATTR.X, a.rx], [SM2_ATTR.Y, a.ry]])],
        [SM2_ATTR.KEP_USER, { a: 0, b: 0 }], [SM2_ATTR.X, b.x], [SM2_ATTR.Y, b.y], [SM2_ATTR.EPH_X, b.rx], [SM2_ATTR.EPH_Y, b.ry]]), 16);
    expect(noId.result).toBe(TEE_ERROR_TARGET_DEAD);
  });

  it('4008.32 SM2 KEP between key pairs generated in the TA: both sides derive the same K and accept each other\'s confirmation', () => {
    const pair = () => {
      const k = parseBlob(ct.run(CMD.GENERATE, SM2.KEP_KEYPAIR, 256, undefined, undefined, 4096).out);
      return { d: k.get(SM2_ATTR.PRIV)!, x: k.get(SM2_ATTR.X)!, y: k.get(SM2_ATTR.Y)! };
    };
    const [la, ea, lb, eb] = [pair(), pair(), pair(), pair()];
    const a = { ...la, r: ea.d, rx: ea.x, ry: ea.y };
    const b = { ...lb, r: eb.d, rx: eb.x, ry: eb.y };
    const rb = kep(b, a, 1, [[SM2_ATTR.CONF_OUT, Buffer.alloc(32)]], 32, 64);
    expect(rb.result).toBe(0);
    const ia = kep(a, b, 0, [[SM2_ATTR.CONF_IN, rb.out.subarray(32)], [SM2_ATTR.CONF_OUT, Buffer.alloc(32)]], 32, 64);
    expect(ia.result).toBe(0);
    expect(ia.out.subarray(0, 32)).toEqual(rb.out.subarray(0, 32));
    expect(kep(b, a, 1, [[SM2_ATTR.CONF_IN, ia.out.subarray(32)]], 32, 32).out).toEqual(rb.out.subarray(0, 32));
  });

  it('4008.10 DH: a key pair generated in the TA on RFC 3526 group 5 (1536 bits) and node:crypto agree on the shared secret; y = 1 is refused', () => {
    const group = nodeCrypto.getDiffieHellman('modp5');
    const prime = group.getPrime();
    const base = group.getGenerator();
    const DH = { TYPE: 0xa1000032, PRIME: 0xd0001032, BASE: 0xd0001232, PUB: 0xd0000132, PRIV: 0xc0000232, X_BITS: 0xf0001332 };
    const g = ct.run(CMD.GENERATE, DH.TYPE, 1536, undefined, blob([[DH.PRIME, prime], [DH.BASE, base], [DH.X_BITS, { a: 256, b: 0 }]]), 4096);
    expect(g.result).toBe(0);
    const k = parseBlob(g.out);
    expect(k.get(DH.PRIV)!.length).toBe(32); // X_BITS = 256
    const node = nodeCrypto.createDiffieHellman(prime, base);
    const nodePub = node.generateKeys();
    const want = node.computeSecret(k.get(DH.PUB)!).toString('hex');
    const r = ct.run(CMD.DERIVE, 0x80000032, MODE.DERIVE, Buffer.from(g.out), blob([[DH.PUB, nodePub]]), 192);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe(want);
    expect(ct.run(CMD.DERIVE, 0x80000032, MODE.DERIVE, Buffer.from(g.out), blob([[DH.PUB, Buffer.from([1])]]), 192).result).toBe(TEE_ERROR_TARGET_DEAD);
  });
});
