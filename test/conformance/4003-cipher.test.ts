/**
 * 4003 cipher: AES ECB/CBC/CTR (NIST SP800-38A F.1, F.2, F.5; RFC 3686), CTS (RFC 3962) and
 * XTS (IEEE 1619) through TEE_CipherInit/Update/DoFinal in the cryptest TA, plus the
 * optee_examples-shaped aes TA and the cipher misuse rules.
 */
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ParamSpec } from '../../emulator/cli/params.js';
import {
  Cryptest, CMD, CT, MODE, TEE_ERROR_SHORT_BUFFER, TEE_ERROR_TARGET_DEAD, TEEC_ORIGIN_TEE, blob, hex, key,
} from './4xxx-cryptest-client.js';

const AES_TA = '5dbac793-f574-4871-8ad3-04331ec17f24';
const TEE_ATTR_SECRET_VALUE = 0xc0000000;
const AES = 0xa0000010;
const ECB = 0x10000010;
const CBC = 0x10000110;
const CTR = 0x10000210;
const CTS = 0x10000310;
const XTS = 0x10000410;

const K128 = hex('2b7e151628aed2a6abf7158809cf4f3c');
const K256 = hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
const PT = hex(`6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
  30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);

describe('4003 cipher', () => {
  const ct = Cryptest.shared();
  const cipher = (algo: number, mode: number, k: Buffer, iv: Buffer | undefined, data: Buffer, opts: { chunk?: number; out?: number; key2?: Buffer } = {}) =>
    ct.run(CMD.CIPHER, algo, mode | ((opts.chunk ?? 0) << 16), key(AES, k.length * 8, [[TEE_ATTR_SECRET_VALUE, k]]),
      blob([[CT.DATA, data], ...(iv ? [[CT.IV, iv] as [number, Buffer]] : []), ...(opts.key2 ? [[CT.KEY2, opts.key2] as [number, Buffer]] : [])]),
      opts.out ?? data.length + 32);

  const both = (name: string, algo: number, k: Buffer, iv: Buffer | undefined, pt: Buffer, want: string, chunk = 0) => {
    it(name, () => {
      const e = cipher(algo, MODE.ENCRYPT, k, iv, pt, { chunk });
      expect(e.result).toBe(0);
      expect(e.out.toString('hex')).toBe(want);
      const d = cipher(algo, MODE.DECRYPT, k, iv, hex(want), { chunk });
      expect(d.result).toBe(0);
      expect(d.out.toString('hex')).toBe(pt.toString('hex'));
    });
  };

  both('4003.1 AES-128-ECB SP800-38A F.1.1/F.1.2', ECB, K128, undefined, PT,
    '3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4');
  both('4003.2 AES-256-ECB SP800-38A F.1.5 (first block)', ECB, K256, undefined, PT.subarray(0, 16), 'f3eed1bdb5d2a03c064b5a7e3db181f8');
  both('4003.3 AES-128-CBC SP800-38A F.2.1/F.2.2, 20-byte updates', CBC, K128, hex('000102030405060708090a0b0c0d0e0f'), PT,
    '7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7', 20);
  both('4003.4 AES-128-CTR SP800-38A F.5.1/F.5.2, 7-byte updates', CTR, K128, hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'), PT,
    '874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee', 7);
  both('4003.5 AES-128-CTR RFC 3686 test vector #1', CTR, hex('ae6852f8121067cc4bf7a5765577f39e'),
    hex('00000030000000000000000000000001'), Buffer.from('Single block msg'), 'e4095d4fb7a7b3792d6175a3261311b8');

  const ctsKey = hex('636869636b656e207465726979616b69');
  const zeroIv = Buffer.alloc(16);
  both('4003.6 AES-128-CTS RFC 3962 (17 bytes)', CTS, ctsKey, zeroIv, hex('4920776f756c64206c696b652074686520'),
    'c6353568f2bf8cb4d8a580362da7ff7f97');
  both('4003.7 AES-128-CTS RFC 3962 (31 bytes, 10-byte updates)', CTS, ctsKey, zeroIv,
    hex('4920776f756c64206c696b65207468652047656e6572616c20476175277320'),
    'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5', 10);
  both('4003.8 AES-128-CTS RFC 3962 (32 bytes)', CTS, ctsKey, zeroIv,
    hex('4920776f756c64206c696b65207468652047656e6572616c2047617527732043'),
    '39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584');

  {
    // 64 bytes (whole blocks): CBC-CS3 is CBC with the last two blocks swapped, here from node:crypto.
    const pt = Buffer.from("I would like the General Gau's Chicken, please, and wonton soup.");
    const c = createCipheriv('aes-128-cbc', ctsKey, zeroIv).setAutoPadding(false);
    const cbc = Buffer.concat([c.update(pt), c.final()]);
    const want = Buffer.concat([cbc.subarray(0, 32), cbc.subarray(48), cbc.subarray(32, 48)]).toString('hex');
    both('4003.11 AES-128-CTS 64 bytes in 7-byte updates (all but the last two blocks go out on update)', CTS, ctsKey, zeroIv, pt, want, 7);
  }

  it('4003.9 AES-XTS IEEE 1619 vector 1 (two all-zero keys)', () => {
    const z = Buffer.alloc(16);
    const r = cipher(XTS, MODE.ENCRYPT, z, z, Buffer.alloc(32), { key2: z });
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe('917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e');
  });

  it('4003.10 AES-XTS IEEE 1619 vector 15 (17 bytes, ciphertext stealing), both ways', () => {
    const k1 = hex('fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0');
    const k2 = hex('bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0');
    const tweak = hex('9a785634120000000000000000000000');
    const e = cipher(XTS, MODE.ENCRYPT, k1, tweak, hex('000102030405060708090a0b0c0d0e0f10'), { key2: k2 });
    expect(e.out.toString('hex')).toBe('6c1625db4671522d3d7599601de7ca09ed');
    const d = cipher(XTS, MODE.DECRYPT, k1, tweak, e.out, { key2: k2 });
    expect(d.out.toString('hex')).toBe('000102030405060708090a0b0c0d0e0f10');
  });

  it('4003.11 output buffer too short: TEE_ERROR_SHORT_BUFFER with the size needed', () => {
    const r = cipher(ECB, MODE.ENCRYPT, K128, undefined, PT, { out: 63 });
    expect(r.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(r.size).toBe(64);
  });

  it('4003.12 AES-CBC-NOPAD final on a partial block panics the TA', () => {
    const r = ct.misuse(12);
    expect(r.result).toBe(TEE_ERROR_TARGET_DEAD);
    expect(r.origin).toBe(TEEC_ORIGIN_TEE);
  });

  it('4003.13 TEE_CipherUpdate before TEE_CipherInit panics the TA', () => {
    expect(ct.misuse(1).result).toBe(TEE_ERROR_TARGET_DEAD);
  });

  it('4003.14 TEE_SetOperationKey on an active operation panics the TA', () => {
    expect(ct.misuse(13).result).toBe(TEE_ERROR_TARGET_DEAD);
  });

  it('4003.15 a wrong IV length is a panic (GP: TEE_CipherInit)', () => {
    const r = cipher(CBC, MODE.ENCRYPT, K128, Buffer.alloc(8), PT);
    expect(r.result).toBe(TEE_ERROR_TARGET_DEAD);
  });

  describe('aes sample TA (optee_examples command ids)', () => {
    const session = (): number => ct.open(AES_TA);
    const call = (s: number, cmd: number, params: ParamSpec[]) => ct.t.client.invoke(s, cmd, params);

    it('4003.16 CBC encrypt in two CIPHER calls, then decrypt, with the optee_examples PREPARE layout', () => {
      const s = session();
      const iv = hex('000102030405060708090a0b0c0d0e0f');
      expect(call(s, 0, [{ type: 'value-in', a: 1, b: 0 }, { type: 'value-in', a: 16, b: 0 }, { type: 'value-in', a: 1, b: 0 }]).result).toBe(0);
      expect(call(s, 1, [{ type: 'memref-in', data: K128 }]).result).toBe(0);
      expect(call(s, 2, [{ type: 'memref-in', data: iv }]).result).toBe(0);
      const a = call(s, 3, [{ type: 'memref-in', data: PT.subarray(0, 32) }, { type: 'memref-out', size: 32 }]);
      const b = call(s, 3, [{ type: 'memref-in', data: PT.subarray(32) }, { type: 'memref-out', size: 32 }]);
      const out = Buffer.concat([(a.params[1] as { data: Uint8Array }).data, (b.params[1] as { data: Uint8Array }).data]);
      expect(out.toString('hex')).toBe(
        '7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7');
      // Decrypt with the compact PREPARE layout (value0 = {algo, key size}, value1.a = mode).
      expect(call(s, 0, [{ type: 'value-in', a: 1, b: 16 }, { type: 'value-in', a: 0, b: 0 }]).result).toBe(0);
      expect(call(s, 1, [{ type: 'memref-in', data: K128 }]).result).toBe(0);
      expect(call(s, 2, [{ type: 'memref-in', data: iv }]).result).toBe(0);
      const p = call(s, 3, [{ type: 'memref-in', data: out }, { type: 'memref-out', size: 64 }]);
      expect(Buffer.from((p.params[1] as { data: Uint8Array }).data).toString('hex')).toBe(PT.toString('hex'));
      ct.t.client.closeSession(s);
    });

    it('4003.17 CTR with a 256-bit key round-trips an odd-sized buffer', () => {
      const s = session();
      const msg = Buffer.from('TrustBox edge device: 37 bytes long.');
      const run = (mode: number, data: Uint8Array): Buffer => {
        expect(call(s, 0, [{ type: 'value-in', a: 2, b: 0 }, { type: 'value-in', a: 32, b: 0 }, { type: 'value-in', a: mode, b: 0 }]).result).toBe(0);
        expect(call(s, 1, [{ type: 'memref-in', data: K256 }]).result).toBe(0);
        expect(call(s, 2, [{ type: 'memref-in', data: Buffer.alloc(16, 7) }]).result).toBe(0);
        const r = call(s, 3, [{ type: 'memref-in', data }, { type: 'memref-out', size: data.length }]);
        expect(r.result).toBe(0);
        return Buffer.from((r.params[1] as { data: Uint8Array }).data);
      };
      const enc = run(1, msg);
      expect(enc.equals(msg)).toBe(false);
      expect(run(0, enc).toString()).toBe(msg.toString());
      ct.t.client.closeSession(s);
    });
  });

  it('4003.20 AES-XTS: a 100-byte data unit in 7-byte updates (whole blocks go out on update, the steal at final), against node:crypto', () => {
    const k1 = hex('27182818284590452353602874713526');
    const k2 = hex('31415926535897932384626433832795');
    const tweak = hex('ff000000000000000000000000000000');
    const pt = Buffer.from([...Array(100).keys()].map((i) => (i * 37) & 0xff));
    const c = createCipheriv('aes-128-xts', Buffer.concat([k1, k2]), tweak);
    const want = Buffer.concat([c.update(pt), c.final()]);
    const e = cipher(XTS, MODE.ENCRYPT, k1, tweak, pt, { key2: k2, chunk: 7 });
    expect(e.result).toBe(0);
    expect(e.out.toString('hex')).toBe(want.toString('hex'));
    const d = cipher(XTS, MODE.DECRYPT, k1, tweak, want, { key2: k2, chunk: 7 });
    expect(d.out.toString('hex')).toBe(pt.toString('hex'));
  });

  describe('SM4', () => {
    const SM4 = 0xa0000014;
    const run = (algo: number, mode: number, k: Buffer, iv: Buffer | undefined, data: Buffer, chunk = 0) =>
      ct.run(CMD.CIPHER, algo, mode | (chunk << 16), key(SM4, 128, [[TEE_ATTR_SECRET_VALUE, k]]),
        blob([[CT.DATA, data], ...(iv ? [[CT.IV, iv] as [number, Buffer]] : [])]), data.length + 16);
    const k = hex('0123456789abcdeffedcba9876543210');

    it('4003.21 SM4-ECB, the GB/T 32907 example, both ways', () => {
      const e = run(0x10000014, MODE.ENCRYPT, k, undefined, k);
      expect(e.result).toBe(0);
      expect(e.out.toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
      expect(run(0x10000014, MODE.DECRYPT, k, undefined, e.out).out.toString('hex')).toBe(k.toString('hex'));
    });

    it('4003.22 SM4-CBC and SM4-CTR in 5-byte updates, against node:crypto', () => {
      const iv = hex('000102030405060708090a0b0c0d0e0f');
      const pt = Buffer.from('SM4 in CBC needs whole blocks: 48 bytes here...!');
      for (const [algo, mode] of [[0x10000114, 'sm4-cbc'], [0x10000214, 'sm4-ctr']] as const) {
        const c = createCipheriv(mode, k, iv).setAutoPadding(false);
        const want = Buffer.concat([c.update(pt), c.final()]).toString('hex');
        const e = run(algo, MODE.ENCRYPT, k, iv, pt, 5);
        expect(e.result).toBe(0);
        expect(e.out.toString('hex')).toBe(want);
        expect(run(algo, MODE.DECRYPT, k, iv, e.out, 5).out.toString()).toBe(pt.toString());
      }
    });
  });

  describe('DES and triple DES', () => {
    const DES = 0xa0000011;
    const DES3 = 0xa0000013;
    const desRun = (algo: number, mode: number, type: number, maxBits: number, k: Buffer, iv: Buffer | undefined, data: Buffer, chunk = 0) =>
      ct.run(CMD.CIPHER, algo, mode | (chunk << 16), key(type, maxBits, [[TEE_ATTR_SECRET_VALUE, k]]),
        blob([[CT.DATA, data], ...(iv ? [[CT.IV, iv] as [number, Buffer]] : [])]), data.length + 16);
    const roundTrip = (algo: number, type: number, maxBits: number, k: Buffer, iv: Buffer | undefined, pt: Buffer, want: string, chunk = 0) => {
      const e = desRun(algo, MODE.ENCRYPT, type, maxBits, k, iv, pt, chunk);
      expect(e.result, ct.t.lines('secure').slice(-3).join(' | ')).toBe(0);
      expect(e.out.toString('hex')).toBe(want);
      const d = desRun(algo, MODE.DECRYPT, type, maxBits, k, iv, hex(want), chunk);
      expect(d.result).toBe(0);
      expect(d.out.toString('hex')).toBe(pt.toString('hex'));
    };
    /** The same through node:crypto's DES-EDE3 (the three keys spelled out). */
    const node = (mode: 'ecb' | 'cbc', k3: Buffer, iv: Buffer | null, pt: Buffer): string => {
      const c = createCipheriv(mode === 'ecb' ? 'des-ede3' : 'des-ede3-cbc', k3, iv).setAutoPadding(false);
      return Buffer.concat([c.update(pt), c.final()]).toString('hex');
    };

    it('4003.16 DES-ECB, the classic vector (key 133457799BBCDFF1), both ways', () => {
      roundTrip(0x10000011, DES, 64, hex('133457799bbcdff1'), undefined, hex('0123456789abcdef'), '85e813540f0ab405');
    });

    it('4003.17 3DES-ECB three keys, the SP 800-67 example ("The qufck brown fox jump"), 5-byte updates', () => {
      const k = hex('0123456789abcdef23456789abcdef01456789abcdef0123');
      roundTrip(0x10000013, DES3, 192, k, undefined, Buffer.from('The qufck brown fox jump'), 'a826fd8ce53b855fcce21c8112256fe668d5c05dd9b6b900', 5);
    });

    it('4003.18 3DES-CBC two keys (K1|K2|K1) and DES-CBC, 3-byte updates, against node:crypto', () => {
      const k = hex('0123456789abcdeffedcba9876543210');
      const iv = hex('1122334455667788');
      const pt = Buffer.from('forty bytes of plaintext for 3DES-CBC!!!');
      roundTrip(0x10000113, DES3, 128, k, iv, pt, node('cbc', Buffer.concat([k, k.subarray(0, 8)]), iv, pt), 3);
      const k1 = hex('0e329232ea6d0d73');
      roundTrip(0x10000111, DES, 64, k1, iv, pt, node('cbc', Buffer.concat([k1, k1, k1]), iv, pt), 3);
    });

    it('4003.19 DES: an 8-byte IV is required for CBC, and input must be whole 8-byte blocks', () => {
      const k = hex('133457799bbcdff1');
      expect(desRun(0x10000111, MODE.ENCRYPT, DES, 64, k, Buffer.alloc(16), Buffer.alloc(16)).result).toBe(TEE_ERROR_TARGET_DEAD);
      expect(desRun(0x10000011, MODE.ENCRYPT, DES, 64, k, undefined, Buffer.alloc(12)).result).toBe(TEE_ERROR_TARGET_DEAD);
    });
  });
});
