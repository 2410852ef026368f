/**
 * 4001 hash: SHA-1/224/256/384/512 through TEE_DigestUpdate/TEE_DigestDoFinal in the cryptest
 * TA, with the FIPS 180-2 example vectors ("abc", the two-block message, one million 'a'),
 * incremental updates, TEE_CopyOperation and the short-buffer rule; SHA-3 and SHAKE (FIPS 202).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Cryptest, CMD, CT, MODE, TEE_ERROR_SHORT_BUFFER, blob, hex } from './4xxx-cryptest-client.js';

const SHA1 = 0x50000002;
const SHA224 = 0x50000003;
const SHA256 = 0x50000004;
const SHA384 = 0x50000005;
const SHA512 = 0x50000006;
const ABC = Buffer.from('abc');
const TWO_BLOCK = Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');

describe('4001 hash', () => {
  const ct = Cryptest.shared();

  const cases: [string, number, Buffer, string][] = [
    ['4001.1 SHA-1 "abc" (FIPS 180-2 B.1)', SHA1, ABC, 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['4001.2 SHA-224 "abc" (FIPS 180-2 change notice)', SHA224, ABC, '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7'],
    ['4001.3 SHA-256 "abc" (FIPS 180-2 B.1)', SHA256, ABC, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['4001.4 SHA-384 "abc" (FIPS 180-2 D.1)', SHA384, ABC,
      'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'],
    ['4001.5 SHA-512 "abc" (FIPS 180-2 C.1)', SHA512, ABC,
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
    ['4001.6 SHA-1 two-block message (FIPS 180-2 A.2)', SHA1, TWO_BLOCK, '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
    ['4001.7 SHA-256 two-block message (FIPS 180-2 B.2)', SHA256, TWO_BLOCK,
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ];
  for (const [name, algo, msg, want] of cases) {
    it(name, () => {
      const r = ct.digest(algo, msg);
      expect(r.result).toBe(0);
      expect(r.out.toString('hex')).toBe(want);
    });
  }

  it('4001.8 SHA-256 of one million "a" fed in 4000-byte updates (FIPS 180-2 B.3)', () => {
    const r = ct.digest(SHA256, Buffer.alloc(1_000_000, 'a'), 64, 4000);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('4001.9 SHA-512 empty message', () => {
    const r = ct.digest(SHA512, Buffer.alloc(0));
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e');
  });

  it('4001.10 output buffer too short: TEE_ERROR_SHORT_BUFFER with the digest size', () => {
    const r = ct.digest(SHA384, ABC, 47);
    expect(r.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(r.size).toBe(48);
  });

  it('4001.11 TEE_CopyOperation half way gives two equal digests', () => {
    const r = ct.run(CMD.COPY, SHA256, MODE.DIGEST, undefined, blob([[CT.DATA, TWO_BLOCK]]), 64);
    expect(r.result).toBe(0);
    const want = '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1';
    expect(r.out.toString('hex')).toBe(want + want);
  });

  it('4001.12 digest with a chunk boundary inside a block equals the one-shot digest', () => {
    const msg = hex('00'.repeat(200)).map((_, i) => i) as Buffer;
    const one = ct.digest(SHA224, msg);
    const split = ct.digest(SHA224, msg, 64, 13);
    expect(split.out.toString('hex')).toBe(one.out.toString('hex'));
  });
  it('4001.13 SHA3-224/256/512 "abc" (FIPS 202 examples), also in 7-byte updates', () => {
    const want: [number, string][] = [
      [0x50000008, 'e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf'],
      [0x50000009, '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532'],
      [0x5000000b, 'b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0'],
    ];
    for (const [algo, digest] of want) {
      const r = ct.digest(algo, ABC);
      expect(r.result).toBe(0);
      expect(r.out.toString('hex')).toBe(digest);
    }
    const long = Buffer.alloc(1000, 0xa3);
    expect(ct.digest(0x5000000a, long, 64, 7).out.toString('hex')).toBe(createHash('sha3-384').update(long).digest('hex'));
    const short = ct.digest(0x50000009, ABC, 31);
    expect(short.result).toBe(TEE_ERROR_SHORT_BUFFER);
    expect(short.size).toBe(32);
  });

  it('4001.15 SM3 "abc" (GB/T 32905-2016 example 1)', () => {
    const r = ct.digest(0x50000007, ABC);
    expect(r.result).toBe(0);
    expect(r.out.toString('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('4001.14 SHAKE128/256 give as many bytes as the output buffer holds (FIPS 202 empty-message values)', () => {
    const r128 = ct.digest(0x50000101, Buffer.alloc(0), 32);
    expect(r128.result).toBe(0);
    expect(r128.out.toString('hex')).toBe('7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26');
    const r256 = ct.digest(0x50000102, Buffer.alloc(0), 64);
    expect(r256.out.toString('hex')).toBe(
      '46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762fd75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be');
    const odd = ct.digest(0x50000102, TWO_BLOCK, 100, 5);
    expect(odd.size).toBe(100);
    expect(odd.out.toString('hex')).toBe(createHash('shake256', { outputLength: 100 }).update(TWO_BLOCK).digest('hex'));
  });
});
