/**
 * SM2 (emulator/tee/crypto/sm2.ts) against the GM/T 0003.5 (GB/T 32918.5) examples that
 * optee_test's regression_4000_data.h carries: the A.2 signature (with the standard's fixed k),
 * the C.2 encryption (same k; OP-TEE's C1 || C2 || C3 order) and the B.2 key exchange from both
 * sides with its confirmation values; the curve itself against OpenSSL's "SM2".
 */
import { describe, expect, it } from 'vitest';
import { TeeError } from '../../emulator/abi/errors.js';
import {
  TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE, TEE_ERROR_CIPHERTEXT_INVALID, TEE_ERROR_NOT_SUPPORTED,
} from '../../emulator/abi/results.js';
import { TEE_ATTR_ECC_PRIVATE_VALUE, TEE_ATTR_ECC_PUBLIC_VALUE_X, TEE_ATTR_ECC_PUBLIC_VALUE_Y } from '../../emulator/abi/tee-api.js';
import { digest, ecPublicFromPrivate, seededRandom, systemRandom } from '../../emulator/host/crypto.js';
import { toBig } from '../../emulator/tee/crypto/keys.js';
import {
  orderCheck, randomScalar, sm2Decrypt, sm2Encrypt, sm2GenerateAttrs, sm2Kep, sm2Point, sm2Sign, sm2Verify, sm2Z,
  type Sm2KepInput,
} from '../../emulator/tee/crypto/sm2.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const big = (s: string): bigint => toBig(h(s));
const point = (x: string, y: string) => sm2Point(big(x), big(y))!;
const rnd = (n: number): Buffer => systemRandom.bytes(n);

/** Rejects with a TeeError of this code. */
function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof TeeError) return error.code >>> 0;
    throw error;
  }
  return undefined;
}

// A.2 and C.2 share the key pair and the fixed k of the standard's examples.
const D = big('3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8');
const Q = point('09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020',
  'CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13');
const K = big('59276E27 D506861A 16680F3A D9C02DCC EF3CC1FA 3CDBE4CE 6D54B80D EAC1BC21');
const ID = Buffer.from('1234567812345678');

describe('sm2p256v1', () => {
  it('is the curve OpenSSL knows as SM2 (generator, n * G = O)', () => {
    expect(orderCheck()).toBe(true);
  });

  it('refuses points off the curve and coordinates >= p', () => {
    expect(sm2Point(Q.x, Q.y + 1n)).toBeUndefined();
    expect(sm2Point(Q.x + (1n << 256n), Q.y)).toBeUndefined();
  });

  it('generates key pairs whose public point OpenSSL agrees with', () => {
    const attrs = sm2GenerateAttrs(seededRandom('sm2 keygen').bytes);
    const d = attrs.get(TEE_ATTR_ECC_PRIVATE_VALUE >>> 0) as Buffer;
    const pub = ecPublicFromPrivate('SM2', d);
    expect(attrs.get(TEE_ATTR_ECC_PUBLIC_VALUE_X >>> 0)).toEqual(pub.x);
    expect(attrs.get(TEE_ATTR_ECC_PUBLIC_VALUE_Y >>> 0)).toEqual(pub.y);
  });
});

describe('SM2 signature (GM/T 0003.5 A.2)', () => {
  const za = h('B2E14C5C 79C6DF5B 85F4FE7E D8DB7A26 2B9DA7E0 7CCB0EA9 F4747B8C CDA8A4F3');
  const e = digest('sm3', za, Buffer.from('message digest'));
  const sig = h(`F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3
    B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA`);

  it('Z_A of the example identity and key', () => {
    expect(sm2Z(ID, Q.x, Q.y)).toEqual(za);
  });

  it('signs e with the fixed k into the published r || s', () => {
    expect(sm2Sign(D, e, () => K)).toEqual(sig);
  });

  it('verifies the published signature and refuses altered ones', () => {
    expect(sm2Verify(Q, e, sig)).toBe(true);
    for (const i of [0, 31, 32, 63]) {
      const bad = Buffer.from(sig);
      bad[i]! ^= 1;
      expect(sm2Verify(Q, e, bad)).toBe(false);
    }
    const e2 = Buffer.from(e);
    e2[0]! ^= 0x80;
    expect(sm2Verify(Q, e2, sig)).toBe(false);
    expect(sm2Verify(Q, e, sig.subarray(0, 63))).toBe(false);
    expect(sm2Verify(Q, e, Buffer.alloc(64))).toBe(false);
  });

  it('round-trips with random nonces', () => {
    for (let i = 0; i < 4; i++) {
      const m = digest('sm3', rnd(40));
      expect(sm2Verify(Q, m, sm2Sign(D, m, () => randomScalar(rnd)))).toBe(true);
    }
  });

  it('refuses private values outside [1, n - 2]', () => {
    expect(code(() => sm2Sign(0n, e, () => K))).toBe(TEE_ERROR_BAD_PARAMETERS >>> 0);
    expect(code(() => sm2Sign(big('FFFFFFFE FFFFFFFF FFFFFFFF FFFFFFFF 7203DF6B 21C6052B 53BBF409 39D54122'), e, () => K)))
      .toBe(TEE_ERROR_BAD_PARAMETERS >>> 0);
  });
});

describe('SM2 encryption (GM/T 0003.5 C.2)', () => {
  const m = Buffer.from('encryption standard');
  const c = h(`04
    04EBFC71 8E8D1798 62043226 8E77FEB6 415E2EDE 0E073C0F 4F640ECD 2E149A73
    E858F9D8 1E5430A5 7B36DAAB 8F950A3C 64E6EE6A 63094D99 283AFF76 7E124DF0
    21886CA9 89CA9C7D 58087307 CA93092D 651EFA
    59983C18 F809E262 923C53AE C295D303 83B54E39 D609D160 AFCB1908 D0BD8766`);

  it('encrypts with the fixed k into the published C1 || C2 || C3', () => {
    expect(sm2Encrypt(Q, m, () => K)).toEqual(c);
  });

  it('decrypts the published ciphertext', () => {
    expect(sm2Decrypt(D, c)).toEqual(m);
  });

  it('round-trips a message longer than two KDF blocks with a random k', () => {
    const long = Buffer.from('This test vector is used to test encryption then decryption. The plain text is longer than 64 characters, so it will exercise parts of the code that are not used for shorter messages.');
    const ct = sm2Encrypt(Q, long, () => randomScalar(rnd));
    expect(ct.length).toBe(65 + long.length + 32);
    expect(sm2Decrypt(D, ct)).toEqual(long);
  });

  it('answers tampering with OP-TEE results', () => {
    const flip = (i: number): Buffer => {
      const t = Buffer.from(c);
      t[i]! ^= 1;
      return t;
    };
    expect(code(() => sm2Decrypt(D, flip(65)))).toBe(TEE_ERROR_CIPHERTEXT_INVALID >>> 0); // C2
    expect(code(() => sm2Decrypt(D, flip(c.length - 1)))).toBe(TEE_ERROR_CIPHERTEXT_INVALID >>> 0); // C3
    expect(code(() => sm2Decrypt(D, flip(64)))).toBe(TEE_ERROR_BAD_PARAMETERS >>> 0); // C1 off the curve
    expect(code(() => sm2Decrypt(D, Buffer.concat([Buffer.from([2]), c.subarray(1)])))).toBe(TEE_ERROR_NOT_SUPPORTED >>> 0);
    expect(code(() => sm2Decrypt(D, c.subarray(0, 97)))).toBe(TEE_ERROR_BAD_PARAMETERS >>> 0); // no C2
    expect(code(() => sm2Encrypt(Q, Buffer.alloc(0), () => K))).toBe(TEE_ERROR_BAD_PARAMETERS >>> 0);
  });
});

describe('SM2 key exchange (GM/T 0003.5 B.2)', () => {
  const a = {
    d: big('81EB26E9 41BB5AF1 6DF11649 5F906952 72AE2CD6 3D6C4AE1 678418BE 48230029'),
    q: point('160E1289 7DF4EDB6 1DD812FE B96748FB D3CCF4FF E26AA6F6 DB9540AF 49C94232',
      '4A7DAD08 BB9A4595 31694BEB 20AA489D 6649975E 1BFCF8C4 741B78B4 B223007F'),
    r: big('D4DE1547 4DB74D06 491C440D 305E0124 00990F3E 390C7E87 153C12DB 2EA60BB3'),
    rq: point('64CED1BD BC99D590 049B434D 0FD73428 CF608A5D B8FE5CE0 7F150269 40BAE40E',
      '376629C7 AB21E7DB 26092249 9DDB118F 07CE8EAA E3E7720A FEF6A5CC 062070C0'),
  };
  const b = {
    d: big('78512991 7D45A9EA 5437A593 56B82338 EAADDA6C EB199088 F14AE10D EFA229B5'),
    q: point('6AE848C5 7C53C7B1 B5FA99EB 2286AF07 8BA64C64 591B8B56 6F7357D5 76F16DFB',
      'EE489D77 1621A27B 36C5C799 2062E9CD 09A92643 86F3FBEA 54DFF693 05621C4D'),
    r: big('7E071248 14B30948 9125EAED 10111316 4EBF0F34 58C5BD88 335C1F9D 596243D6'),
    rq: point('ACC27688 A6F7B706 098BC91F F3AD1BFF 7DC2802C DB14CCCC DB0A9047 1F9BD707',
      '2FEDAC04 94B2FFC4 D6853876 C79B8F30 1C6573AD 0AA50F39 FC87181E 1A1B46FE'),
  };
  const key = h('6C893473 54DE2484 C60B4AB1 FDE4C6E5');
  const sA = h('18C7894B 3816DF16 CF07B05C 5EC0BEF5 D655D58F 779CC1B4 00A4F388 4644DB88');
  const sB = h('D3A0FE15 DEE185CE AE907A6B 595CC32A 266ED7B3 367E9983 A896DC32 FA20F8EB');
  const initiator = (confirmationIn?: Buffer): Sm2KepInput => ({
    initiator: true, d: a.d, own: a.q, r: a.r, ownEph: a.rq, peer: b.q, peerEph: b.rq, idInitiator: ID, idResponder: ID, klen: 16,
    confirmationIn,
  });
  const responder = (confirmationIn?: Buffer): Sm2KepInput => ({
    initiator: false, d: b.d, own: b.q, r: b.r, ownEph: b.rq, peer: a.q, peerEph: a.rq, idInitiator: ID, idResponder: ID, klen: 16,
    confirmationIn,
  });

  it('the initiator derives K and S_A, checking S_B', () => {
    expect(sm2Kep(initiator(sB))).toEqual({ key, confirmation: sA });
  });

  it('the responder derives the same K and S_B, checking S_A', () => {
    expect(sm2Kep(responder(sA))).toEqual({ key, confirmation: sB });
  });

  it('a confirmation that does not match is BAD_STATE (as OP-TEE), a short one BAD_PARAMETERS', () => {
    expect(code(() => sm2Kep(initiator(sA)))).toBe(TEE_ERROR_BAD_STATE >>> 0);
    expect(code(() => sm2Kep(responder(sB)))).toBe(TEE_ERROR_BAD_STATE >>> 0);
    expect(code(() => sm2Kep(initiator(sB.subarray(0, 31))))).toBe(TEE_ERROR_BAD_PARAMETERS >>> 0);
  });

  it('any key length: the first 16 bytes are the example K', () => {
    const long = sm2Kep({ ...initiator(), klen: 100 }).key;
    expect(long.length).toBe(100);
    expect(long.subarray(0, 16)).toEqual(key);
  });
});
