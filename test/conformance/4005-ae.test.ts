/**
 * 4005 authenticated encryption: AES-GCM (McGrew-Viega test cases 2-4, as in NIST's GCM spec)
 * and AES-CCM (RFC 3610 packet vector #1, NIST SP800-38C example 1) through TEE_AEInit,
 * TEE_AEUpdateAAD, TEE_AEUpdate and TEE_AEEncryptFinal/TEE_AEDecryptFinal.
 */
import { describe, expect, it } from 'vitest';
import {
  Cryptest, CMD, CT, MODE, TEE_ERROR_MAC_INVALID, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_SHORT_BUFFER, blob, hex, key,
} from './4xxx-cryptest-client.js';

const TEE_ATTR_SECRET_VALUE = 0xc0000000;
const AES = 0xa0000010;
const GCM = 0x40000810;
const CCM = 0x40000710;

const GCM_K = hex('feffe9928665731c6d6a8f9467308308');
const GCM_IV = hex('cafebabefacedbaddecaf888');
const GCM_P = hex(`d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
  1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255`);
const GCM_C = hex(`42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
  21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985`);
const GCM_A = hex('feedfacedeadbeeffeedfacedeadbeefabaddad2');

describe('4005 authenticated encryption', () => {
  const ct = Cryptest.shared();
  const ae = (algo: number, mode: number, k: Buffer, nonce: Buffer, aad: Buffer, data: Buffer, tagBits: number,
    opts: { tag?: Buffer; chunk?: number; out?: number; tagBuf?: number } = {}) =>
    ct.run(CMD.AE, algo, mode | ((opts.chunk ?? 0) << 16), key(AES, k.length * 8, [[TEE_ATTR_SECRET_VALUE, k]]),
      blob([[CT.DATA, data], [CT.IV, nonce], [CT.AAD, aad], [CT.TAGLEN, { a: tagBits, b: opts.tagBuf ?? 0 }],
        ...(opts.tag ? [[CT.TAG, opts.tag] as [number, Buffer]] : [])]), opts.out ?? data.length + 16);

  it('4005.1 AES-GCM test case 2 (zero key, one zero block)', () => {
    const r = ae(GCM, MODE.ENCRYPT, Buffer.alloc(16), Buffer.alloc(12), Buffer.alloc(0), Buffer.alloc(16), 128);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe('0388dace60b6a392f328c2b971b2fe78' + 'ab6e47d42cec13bdf53a67b21257bddf');
  });

  it('4005.2 AES-GCM test case 3 (64 bytes, 24-byte updates)', () => {
    const r = ae(GCM, MODE.ENCRYPT, GCM_K, GCM_IV, Buffer.alloc(0), GCM_P, 128, { chunk: 24 });
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe(GCM_C.toString('hex') + '4d5c2af327cd64a62cf35abd2ba6fab4');
  });

  it('4005.3 AES-GCM test case 4 (AAD, 60 bytes) encrypt and decrypt', () => {
    const tag = hex('5bc94fbc3221a5db94fae95ae7121a47');
    const e = ae(GCM, MODE.ENCRYPT, GCM_K, GCM_IV, GCM_A, GCM_P.subarray(0, 60), 128);
    expect(e.out.toString('hex')).toBe(GCM_C.subarray(0, 60).toString('hex') + tag.toString('hex'));
    const d = ae(GCM, MODE.DECRYPT, GCM_K, GCM_IV, GCM_A, GCM_C.subarray(0, 60), 128, { tag, chunk: 16 });
    expect(d.result).toBe(0);
    expect(d.out.toString('hex')).toBe(GCM_P.subarray(0, 60).toString('hex'));
  });

  it('4005.4 AES-GCM test case 4 with a 96-bit (truncated) tag', () => {
    const e = ae(GCM, MODE.ENCRYPT, GCM_K, GCM_IV, GCM_A, GCM_P.subarray(0, 60), 96);
    expect(e.out.subarray(60).toString('hex')).toBe('5bc94fbc3221a5db94fae95a');
  });

  it('4005.5 AES-GCM with a modified tag: TEE_ERROR_MAC_INVALID', () => {
    const tag = hex('5bc94fbc3221a5db94fae95ae7121a48');
    const d = ae(GCM, MODE.DECRYPT, GCM_K, GCM_IV, GCM_A, GCM_C.subarray(0, 60), 128, { tag });
    expect(d.result).toBe(TEE_ERROR_MAC_INVALID);
  });

  it('4005.6 AES-GCM with a modified AAD: TEE_ERROR_MAC_INVALID', () => {
    const aad = Buffer.from(GCM_A);
    aad[0]! ^= 0x80;
    const d = ae(GCM, MODE.DECRYPT, GCM_K, GCM_IV, aad, GCM_C.subarray(0, 60), 128, { tag: hex('5bc94fbc3221a5db94fae95ae7121a47') });
    expect(d.result).toBe(TEE_ERROR_MAC_INVALID);
  });

  it('4005.7 AES-CCM RFC 3610 packet vector #1 (M = 8, 13-byte nonce)', () => {
    const k = hex('c0c1c2c3c4c5c6c7c8c9cacbcccdcecf');
    const nonce = hex('00000003020100a0a1a2a3a4a5');
    const aad = hex('0001020304050607');
    const p = hex('08090a0b0c0d0e0f101112131415161718191a1b1c1d1e');
    const e = ae(CCM, MODE.ENCRYPT, k, nonce, aad, p, 64, { chunk: 5 });
    expect(e.result).toBe(0);
    expect(e.out.toString('hex')).toBe('588c979a61c663d2f066d0c2c0f989806d5f6b61dac384' + '17e8d12cfdf926e0');
    const d = ae(CCM, MODE.DECRYPT, k, nonce, aad, e.out.subarray(0, 23), 64, { tag: e.out.subarray(23) });
    expect(d.result).toBe(0);
    expect(d.out.toString('hex')).toBe(p.toString('hex'));
    const bad = Buffer.from(e.out.subarray(23));
    bad[7]! ^= 1;
    expect(ae(CCM, MODE.DECRYPT, k, nonce, aad, e.out.subarray(0, 23), 64, { tag: bad }).result).toBe(TEE_ERROR_MAC_INVALID);
  });

  it('4005.8 AES-CCM NIST SP800-38C example 1 (7-byte nonce, 32-bit tag)', () => {
    const e = ae(CCM, MODE.ENCRYPT, hex('404142434445464748494a4b4c4d4e4f'), hex('10111213141516'), hex('0001020304050607'),
      hex('20212223'), 32);
    expect(e.result).toBe(0);
    expect(e.out.toString('hex')).toBe('7162015b' + '4dac255d');
  });

  it('4005.9 a 72-bit GCM tag is not supported (TEE_AEInit returns TEE_ERROR_NOT_SUPPORTED)', () => {
    expect(ct.misuse(6).result).toBe(TEE_ERROR_NOT_SUPPORTED);
  });

  it('4005.10 ciphertext buffer too short: TEE_ERROR_SHORT_BUFFER', () => {
    const r = ae(GCM, MODE.ENCRYPT, GCM_K, GCM_IV, Buffer.alloc(0), GCM_P, 128, { out: 10 });
    expect(r.result).toBe(TEE_ERROR_SHORT_BUFFER);
  });

  it('4005.11 tag buffer too short: TEE_ERROR_SHORT_BUFFER with the tag size', () => {
    const r = ae(GCM, MODE.ENCRYPT, GCM_K, GCM_IV, Buffer.alloc(0), GCM_P, 128, { tagBuf: 8 });
    expect(r.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(r.size).toBe(16);
  });
});
