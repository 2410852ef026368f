/**
 * 4009 derive: X25519 (RFC 7748 section 6.1) and HKDF (RFC 5869 test cases 1 and 3) through
 * TEE_DeriveKey, with GP 1.3.1's TEE_ALG_HKDF and OP-TEE's TEE_ALG_HKDF_SHA256_DERIVE_KEY.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Cryptest, CMD, MODE, blob, hex, key } from './4xxx-cryptest-client.js';

const X25519_KEYPAIR = 0xa1000044;
const HKDF_TYPE = 0xa000004a;
const HKDF_IKM_TYPE = 0xa10000c0;
const A = {
  X_PUB: 0xd0000944, X_PRIV: 0xc0000a44, SECRET: 0xc0000000, IKM: 0xc00001c0,
  GP_SALT: 0xd0000946, GP_INFO: 0xd0000a46, GP_HASH: 0xf0000b46, GP_SIZE: 0xf0000c46,
  OP_SALT: 0xd00002c0, OP_INFO: 0xd00003c0, OP_LEN: 0xf00004c0,
};

const alicePriv = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
const alicePub = hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
const bobPriv = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
const bobPub = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

describe('4009 derive: X25519 and HKDF', () => {
  const ct = Cryptest.shared();

  it('4009.1 X25519 RFC 7748 6.1: Alice and Bob derive the same shared secret', () => {
    const a = ct.run(CMD.DERIVE, 0x80000044, MODE.DERIVE, key(X25519_KEYPAIR, 256, [[A.X_PUB, alicePub], [A.X_PRIV, alicePriv]]),
      blob([[A.X_PUB, bobPub]]), 32);
    expect(a.result).toBe(0);
    expect(a.out.toString('hex')).toBe(shared);
    const b = ct.run(CMD.DERIVE, 0x80000044, MODE.DERIVE, key(X25519_KEYPAIR, 256, [[A.X_PUB, bobPub], [A.X_PRIV, bobPriv]]),
      blob([[A.X_PUB, alicePub]]), 32);
    expect(b.out.toString('hex')).toBe(shared);
  });

  it('4009.6 X25519 into a GENERIC_SECRET object allocated with 32 bits (as optee_test 4015 does): the 32-byte secret fits, as on OP-TEE', () => {
    const a = ct.run(CMD.DERIVE, 0x80000044, MODE.DERIVE, key(X25519_KEYPAIR, 256, [[A.X_PUB, alicePub], [A.X_PRIV, alicePriv]]),
      blob([[A.X_PUB, bobPub]]), 4);
    // The derive succeeds (no panic); the 4-byte read buffer of the test TA is then too short.
    expect(a.result).toBe(0xffff0010);
    expect(a.size).toBe(32);
  });

  const ikm = Buffer.alloc(22, 0x0b);
  const salt = hex('000102030405060708090a0b0c');
  const info = hex('f0f1f2f3f4f5f6f7f8f9');
  const okm1 = '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865';

  it('4009.2 HKDF-SHA256 RFC 5869 test case 1 with OP-TEE\'s HKDF_SHA256_DERIVE_KEY', () => {
    const r = ct.run(CMD.DERIVE, 0x800040c0, MODE.DERIVE, key(HKDF_IKM_TYPE, 4096, [[A.IKM, ikm]]),
      blob([[A.OP_SALT, salt], [A.OP_INFO, info], [A.OP_LEN, { a: 42, b: 0 }]]), 42);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe(okm1);
  });

  it('4009.3 HKDF-SHA256 RFC 5869 test case 1 with GP\'s TEE_ALG_HKDF', () => {
    const r = ct.run(CMD.DERIVE, 0x80000047, MODE.DERIVE, key(HKDF_TYPE, 4096, [[A.SECRET, ikm]]),
      blob([[A.GP_SALT, salt], [A.GP_INFO, info], [A.GP_HASH, { a: 0x50000004, b: 0 }], [A.GP_SIZE, { a: 42, b: 0 }]]), 42);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe(okm1);
  });

  it('4009.5 OP-TEE\'s HKDF_SHA256_DERIVE_KEY also takes GP\'s salt and info ids (as optee_test 8001 passes them)', () => {
    const r = ct.run(CMD.DERIVE, 0x800040c0, MODE.DERIVE, key(HKDF_IKM_TYPE, 4096, [[A.IKM, ikm]]),
      blob([[A.GP_SALT, salt], [A.GP_INFO, info], [A.OP_LEN, { a: 42, b: 0 }]]), 42);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe(okm1);
  });

  it('4009.4 HKDF-SHA256 RFC 5869 test case 3 (no salt, no info)', () => {
    const r = ct.run(CMD.DERIVE, 0x800040c0, MODE.DERIVE, key(HKDF_IKM_TYPE, 4096, [[A.IKM, ikm]]),
      blob([[A.OP_LEN, { a: 42, b: 0 }]]), 42);
    expect(r.out.toString('hex')).toBe('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
  });

  it('4009.7 PBKDF2-HMAC-SHA1 (OP-TEE\'s extension), RFC 6070 test 3 (4096 iterations) and a 25-byte output', () => {
    const PASSWORD_TYPE = 0xa10000c2;
    const r = ct.run(CMD.DERIVE, 0x800020c2, MODE.DERIVE, key(PASSWORD_TYPE, 4096, [[0xc00001c2, Buffer.from('password')]]),
      blob([[0xd00002c2, Buffer.from('salt')], [0xf00003c2, { a: 4096, b: 0 }], [0xf00004c2, { a: 20, b: 0 }]]), 20);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe('4b007901b765489abead49d926f721d065a429c1');
    const long = ct.run(CMD.DERIVE, 0x800020c2, MODE.DERIVE, key(PASSWORD_TYPE, 4096, [[0xc00001c2, Buffer.from('passwordPASSWORDpassword')]]),
      blob([[0xd00002c2, Buffer.from('saltSALTsaltSALTsaltSALTsaltSALTsalt')], [0xf00003c2, { a: 4096, b: 0 }], [0xf00004c2, { a: 25, b: 0 }]]), 25);
    expect(long.out.toString('hex')).toBe('3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038'); // RFC 6070 test 5
  });

  it('4009.8 the SP 800-56A concatenation KDF (OP-TEE\'s extension) over SHA-256: H(counter || Z || OtherInfo) for counters 1, 2', () => {
    const z = Buffer.from([...Array(32).keys()]);
    const other = Buffer.from('A128GCM and party info');
    const r = ct.run(CMD.DERIVE, 0x800040c1, MODE.DERIVE, key(0xa10000c1, 4096, [[0xc00001c1, z]]),
      blob([[0xd00002c1, other], [0xf00003c1, { a: 40, b: 0 }]]), 40);
    expect(r.result).toBe(0);
    const block = (i: number) => createHash('sha256').update(Buffer.from([0, 0, 0, i])).update(z).update(other).digest();
    expect(r.out.toString('hex')).toBe(Buffer.concat([block(1), block(2)]).subarray(0, 40).toString('hex'));
  });
});
