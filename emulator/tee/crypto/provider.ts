/**
 * The crypto provider: the one module of the emulator that imports `node:crypto`. Everything
 * that hashes, signs, verifies, encrypts or draws random numbers goes through here, so that a
 * seeded (deterministic) run can replace the randomness in one place.
 */
import * as nodeCrypto from 'node:crypto';

export type KeyObject = nodeCrypto.KeyObject;
export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'md5';

/** SHA-2/SHA-1 digest of the concatenated parts. */
export function digest(hash: HashName, ...parts: Uint8Array[]): Buffer {
  const h = nodeCrypto.createHash(hash);
  for (const p of parts) h.update(p);
  return h.digest();
}

export function sha256(...parts: Uint8Array[]): Buffer {
  return digest('sha256', ...parts);
}

export function hmac(hash: HashName, key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = nodeCrypto.createHmac(hash, key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** A source of random bytes: the system CSPRNG, or a deterministic stream from a seed. */
export interface RandomSource {
  bytes(n: number): Buffer;
}

/** Cryptographically secure randomness from the host. */
export const systemRandom: RandomSource = { bytes: (n) => nodeCrypto.randomBytes(n) };

/**
 * A deterministic random stream (HMAC-SHA256 in counter mode over the seed). For repeatable
 * test runs only: it is not a secret source once the seed is known.
 */
export function seededRandom(seed: Uint8Array | string): RandomSource {
  const key = typeof seed === 'string' ? Buffer.from(seed, 'utf8') : Buffer.from(seed);
  let counter = 0;
  let pool = Buffer.alloc(0);
  return {
    bytes(n: number): Buffer {
      while (pool.length < n) {
        const block = Buffer.alloc(8);
        block.writeBigUInt64LE(BigInt(counter++));
        pool = Buffer.concat([pool, hmac('sha256', key, block)]);
      }
      const out = pool.subarray(0, n);
      pool = pool.subarray(n);
      return Buffer.from(out);
    },
  };
}

export const createPublicKey = nodeCrypto.createPublicKey;
export const createPrivateKey = nodeCrypto.createPrivateKey;
export const generateKeyPairSync = nodeCrypto.generateKeyPairSync;
export const timingSafeEqual = nodeCrypto.timingSafeEqual;
export const constants = nodeCrypto.constants;
export const nodeCryptoModule = nodeCrypto;
