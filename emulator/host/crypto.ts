/**
 * The crypto provider: the one module of the emulator that imports `node:crypto`. Everything
 * that hashes, signs, verifies, encrypts or draws random numbers goes through here, so that a
 * seeded (deterministic) run can replace the randomness in one place.
 */
import * as nodeCrypto from 'node:crypto';

export type KeyObject = nodeCrypto.KeyObject;
export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'md5' | 'sha3-224' | 'sha3-256' | 'sha3-384' | 'sha3-512' | 'sm3';
/** SHA-3's extendable-output functions: as many output bytes as asked for. */
export type XofName = 'shake128' | 'shake256';

/** SHA-2/SHA-1 digest of the concatenated parts. */
export function digest(hash: HashName, ...parts: Uint8Array[]): Buffer {
  const h = nodeCrypto.createHash(hash);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** An incremental SHA-256 (copyable: two digests over a common prefix cost one pass over it). */
export function sha256Hash(): Hash {
  return nodeCrypto.createHash('sha256');
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
  /** A seeded stream's position (device snapshots); absent on the system CSPRNG, which has none. */
  position?(): RandomPosition;
  /** Moves a seeded stream to a position `position` gave (device restore). */
  seek?(p: RandomPosition): void;
}

/** Where a seeded stream is: the next HMAC block's counter and the bytes drawn but not yet used. */
export interface RandomPosition {
  counter: number;
  pool: Uint8Array;
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
    position: () => ({ counter, pool: Uint8Array.from(pool) }),
    seek(p: RandomPosition): void {
      counter = p.counter;
      pool = Buffer.from(p.pool);
    },
  };
}

export const createPublicKey = nodeCrypto.createPublicKey;
export const createPrivateKey = nodeCrypto.createPrivateKey;
export const generateKeyPairSync = nodeCrypto.generateKeyPairSync;
export const timingSafeEqual = nodeCrypto.timingSafeEqual;
export const constants = nodeCrypto.constants;
export const nodeCryptoModule = nodeCrypto;

/* ---- Primitives for the GP crypto syscalls (emulator/tee/crypto/*) ---- */

/** A streaming hash that can be copied (TEE_CopyOperation needs copies of running states). */
export type Hash = nodeCrypto.Hash;
export const createHash = (name: HashName): Hash => nodeCrypto.createHash(name);

/** An incremental SHAKE128/256; `digest` of a copy gives `length` bytes. */
export const createXof = (name: XofName): Hash => nodeCrypto.createHash(name);

/** `length` bytes of a SHAKE state's output (the state is used up). */
export function xofOutput(h: Hash, length: number): Buffer {
  return (h as nodeCrypto.Hash).copy({ outputLength: length }).digest();
}

/** A streaming AES cipher (ECB, CBC, CTR, XTS, GCM, CCM), padding always off. */
export interface StreamCipher {
  update(data: Uint8Array): Buffer;
  final(): Buffer;
  setAAD(data: Uint8Array, options?: { plaintextLength: number }): unknown;
  getAuthTag(): Buffer;
  setAuthTag(tag: Uint8Array): unknown;
}

/** Creates an AES cipher `aes-<bits>-<mode>`; `tagLength` for GCM/CCM. */
export function aesCipher(mode: 'ecb' | 'cbc' | 'ctr' | 'xts' | 'gcm' | 'ccm', encrypt: boolean, key: Uint8Array,
  iv: Uint8Array | null, tagLength?: number): StreamCipher {
  const bits = mode === 'xts' ? key.length * 4 : key.length * 8;
  const name = `aes-${bits}-${mode}`;
  const options = tagLength === undefined ? undefined : { authTagLength: tagLength };
  const c = encrypt
    ? nodeCrypto.createCipheriv(name, key, iv, options as nodeCrypto.CipherGCMOptions)
    : nodeCrypto.createDecipheriv(name, key, iv, options as nodeCrypto.CipherGCMOptions);
  c.setAutoPadding(false);
  return c as unknown as StreamCipher;
}

/** SM4 (GB/T 32907, 128-bit key and block) in ECB, CBC or CTR, without padding. */
export function sm4Cipher(mode: 'ecb' | 'cbc' | 'ctr', encrypt: boolean, key: Uint8Array, iv: Uint8Array | null): StreamCipher {
  const name = `sm4-${mode}`;
  const c = encrypt ? nodeCrypto.createCipheriv(name, key, iv) : nodeCrypto.createDecipheriv(name, key, iv);
  c.setAutoPadding(false);
  return c as unknown as StreamCipher;
}

/**
 * DES and triple DES without padding, on OpenSSL's DES-EDE3 (three 8-byte keys): single DES is
 * EDE3 with one key three times, two-key triple DES is K1|K2|K1. `key` is 8, 16 or 24 bytes.
 */
export function desCipher(mode: 'ecb' | 'cbc', encrypt: boolean, key: Uint8Array, iv: Uint8Array | null): StreamCipher {
  const k = Buffer.from(key);
  const k3 = k.length === 8 ? Buffer.concat([k, k, k]) : k.length === 16 ? Buffer.concat([k, k.subarray(0, 8)]) : k;
  const name = mode === 'ecb' ? 'des-ede3' : 'des-ede3-cbc';
  const c = encrypt ? nodeCrypto.createCipheriv(name, k3, iv) : nodeCrypto.createDecipheriv(name, k3, iv);
  c.setAutoPadding(false);
  return c as unknown as StreamCipher;
}

/** One AES block encryption (ECB), for CMAC subkeys and the like. */
export function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const c = aesCipher('ecb', true, key, null);
  return Buffer.concat([c.update(block), c.final()]);
}

/** Key object construction from JWK (RSA, EC, OKP). */
export function privateKeyFromJwk(jwk: nodeCrypto.JsonWebKey): KeyObject {
  return nodeCrypto.createPrivateKey({ key: jwk, format: 'jwk' });
}
export function publicKeyFromJwk(jwk: nodeCrypto.JsonWebKey): KeyObject {
  return nodeCrypto.createPublicKey({ key: jwk, format: 'jwk' });
}
export function exportJwk(key: KeyObject): nodeCrypto.JsonWebKey {
  return key.export({ format: 'jwk' });
}

/** Raw RSA: m^e mod n with the public key, c^d mod n with the private key (no padding). */
export function rsaRawPublic(key: KeyObject, data: Uint8Array): Buffer {
  return nodeCrypto.publicEncrypt({ key, padding: nodeCrypto.constants.RSA_NO_PADDING }, data);
}
export function rsaRawPrivate(key: KeyObject, data: Uint8Array): Buffer {
  return nodeCrypto.privateDecrypt({ key, padding: nodeCrypto.constants.RSA_NO_PADDING }, data);
}
/** RSAES-PKCS1-v1_5 encryption (random padding from OpenSSL). */
export function rsaPkcs1Encrypt(key: KeyObject, data: Uint8Array): Buffer {
  return nodeCrypto.publicEncrypt({ key, padding: nodeCrypto.constants.RSA_PKCS1_PADDING }, data);
}
/** RSAES-OAEP with MGF1 over the same hash as the label hash. */
export function rsaOaepEncrypt(key: KeyObject, hash: HashName, label: Uint8Array | undefined, data: Uint8Array): Buffer {
  return nodeCrypto.publicEncrypt({ key, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash,
    oaepLabel: label && label.length ? label : undefined }, data);
}
export function rsaOaepDecrypt(key: KeyObject, hash: HashName, label: Uint8Array | undefined, data: Uint8Array): Buffer {
  return nodeCrypto.privateDecrypt({ key, padding: nodeCrypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash,
    oaepLabel: label && label.length ? label : undefined }, data);
}

/** Generates an RSA key pair and returns its JWK (n, e, d, p, q, dp, dq, qi). */
export function generateRsaJwk(bits: number, publicExponent: number): nodeCrypto.JsonWebKey {
  if (bits < 512) return smallRsaJwk(bits, BigInt(publicExponent));
  const { privateKey } = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: bits, publicExponent });
  return privateKey.export({ format: 'jwk' });
}

/**
 * RSA keys below 512 bits, which OP-TEE generates and OpenSSL 3 refuses to: two primes from
 * OpenSSL's prime generator, the rest is arithmetic (d = e^-1 mod lcm(p-1, q-1), CRT values).
 */
function smallRsaJwk(bits: number, e: bigint): nodeCrypto.JsonWebKey {
  const bitLen = (x: bigint): number => x.toString(2).length;
  const gcd = (a: bigint, b: bigint): bigint => { while (b) [a, b] = [b, a % b]; return a; };
  const inv = (a: bigint, m: bigint): bigint => {
    let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
    while (r1) { const q = r0 / r1; [r0, r1] = [r1, r0 - q * r1]; [s0, s1] = [s1, s0 - q * s1]; }
    return ((s0 % m) + m) % m;
  };
  const b64 = (x: bigint): string => {
    const hex = x.toString(16);
    return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
  };
  for (;;) {
    const p = nodeCrypto.generatePrimeSync(Math.ceil(bits / 2), { bigint: true });
    const q = nodeCrypto.generatePrimeSync(Math.floor(bits / 2), { bigint: true });
    const n = p * q;
    if (p === q || bitLen(n) !== bits) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    if (gcd(e, lambda) !== 1n) continue;
    const d = inv(e, lambda);
    return { kty: 'RSA', n: b64(n), e: b64(e), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(inv(q, p)) };
  }
}
/** The public point (X, Y) of an EC private value on an OpenSSL-named curve. */
export function ecPublicFromPrivate(opensslCurve: string, d: Uint8Array): { x: Buffer; y: Buffer } {
  const e = nodeCrypto.createECDH(opensslCurve);
  e.setPrivateKey(d);
  const pub = e.getPublicKey();
  const len = (pub.length - 1) / 2;
  return { x: pub.subarray(1, 1 + len), y: pub.subarray(1 + len) };
}

/** PKCS#8 prefixes (RFC 8410) of a raw 32-byte Ed25519 / X25519 private key. */
const OKP_PKCS8: Record<'ed25519' | 'x25519', string> = {
  ed25519: '302e020100300506032b657004220420',
  x25519: '302e020100300506032b656e04220420',
};

/** An Ed25519 / X25519 key pair from a 32-byte private seed; returns its JWK (x, d). */
export function okpFromSeed(kind: 'ed25519' | 'x25519', seed: Uint8Array): nodeCrypto.JsonWebKey {
  const der = Buffer.concat([Buffer.from(OKP_PKCS8[kind], 'hex'), seed]);
  return nodeCrypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
}

/** ECDH shared secret (X coordinate) from a private value and the peer's uncompressed point. */
export function ecdhSecret(opensslCurve: string, d: Uint8Array, peerPoint: Uint8Array): Buffer {
  const e = nodeCrypto.createECDH(opensslCurve);
  e.setPrivateKey(d);
  return e.computeSecret(peerPoint);
}
/** Ed25519 (pure) signature and verification over a message. */
export function ed25519Sign(key: KeyObject, message: Uint8Array): Buffer {
  return nodeCrypto.sign(null, message, key);
}
export function ed25519Verify(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  return nodeCrypto.verify(null, message, key, signature);
}

/** Finite-field Diffie-Hellman: (peer ^ x) mod p, on OpenSSL, as big-endian bytes of p's length. */
export function dhSecret(prime: Uint8Array, base: Uint8Array, privateValue: Uint8Array, peer: Uint8Array): Buffer {
  const dh = nodeCrypto.createDiffieHellman(Buffer.from(prime), Buffer.from(base));
  dh.setPrivateKey(Buffer.from(privateValue));
  return dh.computeSecret(Buffer.from(peer));
}

/** ECDH / X25519 shared secret. */
export function diffieHellman(privateKey: KeyObject, publicKey: KeyObject): Buffer {
  return nodeCrypto.diffieHellman({ privateKey, publicKey });
}

/** PBKDF2 (RFC 8018) with HMAC over `hash`. */
export function pbkdf2(hash: HashName, password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Buffer {
  return nodeCrypto.pbkdf2Sync(password, salt, iterations, length, hash);
}

/** NIST SP 800-56A's single-step concatenation KDF: H(counter || Z || OtherInfo) for counter 1, 2, ... */
export function concatKdf(hash: HashName, z: Uint8Array, otherInfo: Uint8Array, length: number): Buffer {
  const parts: Buffer[] = [];
  let have = 0;
  for (let counter = 1; have < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = nodeCrypto.createHash(hash).update(c).update(z).update(otherInfo).digest();
    parts.push(block);
    have += block.length;
  }
  return Buffer.concat(parts).subarray(0, length);
}

/** HKDF (RFC 5869) extract-and-expand. */
export function hkdf(hash: HashName, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer {
  return Buffer.from(nodeCrypto.hkdfSync(hash, ikm, salt, info, length));
}

/** The generator of a named curve: the public point of the private value 1. */
export function ecGenerator(opensslCurve: string): { x: Buffer; y: Buffer } {
  const e = nodeCrypto.createECDH(opensslCurve);
  e.setPrivateKey(Buffer.from([1]));
  const pub = e.getPublicKey();
  const len = (pub.length - 1) / 2;
  return { x: pub.subarray(1, 1 + len), y: pub.subarray(1 + len) };
}

// ---- trusted storage (emulator/tee/storage) ----------------------------------------------
// One-shot AES-256-GCM sealing of secure-storage blobs and of the per-TA index.

/** AES-GCM encryption of `plain` under `key` with a 12-byte `iv`; returns ciphertext and 16-byte tag. */
export function gcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plain: Uint8Array): { ct: Buffer; tag: Buffer } {
  const c = nodeCrypto.createCipheriv(`aes-${key.length * 8}-gcm` as nodeCrypto.CipherGCMTypes, key, iv, { authTagLength: 16 });
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return { ct, tag: c.getAuthTag() };
}

/** AES-GCM decryption; undefined when the tag does not authenticate (wrong key, tampered data). */
export function gcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, ct: Uint8Array, tag: Uint8Array): Buffer | undefined {
  try {
    const d = nodeCrypto.createDecipheriv(`aes-${key.length * 8}-gcm` as nodeCrypto.CipherGCMTypes, key, iv, { authTagLength: 16 });
    d.setAAD(aad);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    return undefined;
  }
}

// ---- the device's hardware part (emulator/device/state.ts) --------------------------------

/** A 32-byte key from a passphrase (scrypt, N=2^15, r=8, p=1), to seal a device's fuses to its owner. */
export function passphraseKey(passphrase: string, salt: Uint8Array): Buffer {
  return nodeCrypto.scryptSync(Buffer.from(passphrase, 'utf8'), salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 << 20 });
}

// ---- device identity and attestation (emulator/tee/identity.ts) ----------------------------

/** ECDSA over `data` with `hash`; the signature as r || s (IEEE P1363, as COSE wants it). */
export function ecdsaSignRaw(key: KeyObject, hash: HashName, data: Uint8Array): Buffer {
  return nodeCrypto.sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
}
export function ecdsaVerifyRaw(key: KeyObject, hash: HashName, data: Uint8Array, signature: Uint8Array): boolean {
  return nodeCrypto.verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

// ---- encrypted TAs (emulator/tee/ta-sources/encrypted.ts) ----------------------------------

/** DigestInfo prefix of SHA-256 (RFC 8017 §9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Verifies an RSA signature over a SHA-256 digest that was computed elsewhere (a TA header's
 * stored hash, checked before the payload it covers is decrypted). `pss`: EMSA-PSS with
 * MGF1-SHA256 and a salt of `saltLength` bytes; otherwise EMSA-PKCS1-v1_5 (RFC 8017 §9).
 */
export function rsaVerifyDigest(key: KeyObject, pss: boolean, digest32: Uint8Array, signature: Uint8Array, saltLength = 32): boolean {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || !bits || digest32.length !== 32) return false;
  const k = Math.ceil(bits / 8);
  if (signature.length !== k) return false;
  let em: Buffer;
  try {
    em = nodeCrypto.publicEncrypt({ key, padding: nodeCrypto.constants.RSA_NO_PADDING }, signature); // s^e mod n
  } catch {
    return false; // the signature is not below the modulus
  }
  if (!pss) {
    const t = Buffer.concat([SHA256_DIGEST_INFO, digest32]);
    const expect = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - t.length - 3, 0xff), Buffer.from([0]), t]);
    return nodeCrypto.timingSafeEqual(em, expect);
  }
  const emBits = bits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < k && em[0] !== 0) return false;
  const e = em.subarray(k - emLen);
  const hLen = 32;
  if (emLen < hLen + saltLength + 2 || e[emLen - 1] !== 0xbc) return false;
  const dbLen = emLen - hLen - 1;
  const masked = e.subarray(0, dbLen);
  const h = e.subarray(dbLen, dbLen + hLen);
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((masked[0]! & ~topMask) !== 0) return false;
  const db = Buffer.alloc(dbLen);
  for (let counter = 0, off = 0; off < dbLen; counter++, off += hLen) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = digest('sha256', h, c);
    for (let i = 0; i < hLen && off + i < dbLen; i++) db[off + i] = masked[off + i]! ^ block[i]!;
  }
  db[0] = db[0]! & topMask;
  const psEnd = dbLen - saltLength - 1;
  for (let i = 0; i < psEnd; i++) if (db[i] !== 0) return false;
  if (db[psEnd] !== 1) return false;
  const salt = db.subarray(dbLen - saltLength);
  return nodeCrypto.timingSafeEqual(h, digest('sha256', Buffer.alloc(8), digest32, salt));
}

/** A fresh EC P-256 key pair (the ephemeral key of a per-device TA envelope). */
export function generateP256(): { privateKey: KeyObject; publicKey: KeyObject } {
  return nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

/** The uncompressed point (0x04 || X || Y, 65 bytes) of an EC P-256 public key. */
export function p256Point(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new TypeError('not an EC P-256 key');
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}

/** An EC P-256 public key from its uncompressed point; throws when the point is not on the curve. */
export function p256FromPoint(point: Uint8Array): KeyObject {
  if (point.length !== 65 || point[0] !== 4) throw new TypeError('not an uncompressed P-256 point');
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  return nodeCrypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64(point.subarray(1, 33)), y: b64(point.subarray(33)) }, format: 'jwk' });
}
