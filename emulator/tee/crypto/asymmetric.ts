/**
 * Asymmetric operations on GP key objects: RSA encryption (PKCS#1 v1.5, OAEP, raw) and
 * signatures over TA-given digests (PKCS#1 v1.5 DigestInfo, PSS encoded here per RFC 8017),
 * ECDSA (ecdsa.ts), DSA (dsa.ts) and Ed25519; and the key derivations ECDH, X25519 and HKDF.
 */
import { TeeError } from '../../abi/errors.js';
import {
  TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_CIPHERTEXT_INVALID, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_SIGNATURE_INVALID,
} from '../../abi/results.js';
import { DIGEST_HASH, HASH_SIZES, type AlgInfo } from './algorithms.js';
import { eddsaSign, eddsaVerify, type EddsaVariant } from './eddsa.js';
import { ecdsaSign, ecdsaVerify } from './ecdsa.js';
import { dsaSignatureSize, dsaSignDigest, dsaVerifyDigest } from './dsa.js';
import { sm2Operate, sm2VerifyDigest } from './sm2.js';
import {
  curveOf, ecPoint, ecPrivateValue, ed25519Key, okpPublic, rsaPrivate, rsaPublic, toBig, x25519Private,
} from './keys.js';
import { bitLength, type AttrValue, type CryptoObject } from './objects.js';
import {
  createHash, diffieHellman, concatKdf, dhSecret, ecdhSecret, pbkdf2, ed25519Sign, ed25519Verify, hkdf, rsaOaepDecrypt, rsaOaepEncrypt, rsaPkcs1Encrypt,
  rsaRawPrivate, rsaRawPublic, timingSafeEqual, type HashName,
} from '../../host/crypto.js';
import {
  TEE_ATTR_DH_BASE, TEE_ATTR_DH_PRIME, TEE_ATTR_DH_PRIVATE_VALUE, TEE_ATTR_DH_PUBLIC_VALUE,
  TEE_ATTR_ECC_PUBLIC_VALUE_X, TEE_ATTR_ECC_PUBLIC_VALUE_Y, TEE_ATTR_EDDSA_CTX, TEE_ATTR_EDDSA_PREHASH,
  TEE_ATTR_HKDF_HASH_ALGORITHM, TEE_ATTR_HKDF_IKM, TEE_ATTR_HKDF_INFO, TEE_ATTR_HKDF_OKM_LENGTH,
  TEE_ATTR_HKDF_SALT, TEE_ATTR_KDF_KEY_SIZE, TEE_ATTR_OPTEE_HKDF_INFO, TEE_ATTR_OPTEE_HKDF_SALT,
  TEE_ATTR_ED25519_PRIVATE_VALUE, TEE_ATTR_ED25519_PUBLIC_VALUE, TEE_ATTR_RSA_MODULUS, TEE_ATTR_RSA_OAEP_LABEL, TEE_ATTR_RSA_OAEP_MGF_HASH, TEE_ATTR_RSA_PSS_SALT_LENGTH, TEE_ATTR_SECRET_VALUE,
  TEE_ATTR_X25519_PUBLIC_VALUE, TEE_ALG_HKDF, TEE_MODE_DECRYPT, TEE_MODE_ENCRYPT, TEE_MODE_SIGN,
} from '../../abi/tee-api.js';

const bad = (msg: string): TeeError => new TeeError(TEE_ERROR_BAD_PARAMETERS, msg);

/** DER prefixes of DigestInfo (RFC 8017 section 9.2, note 1). */
const DIGEST_INFO: Record<HashName, string> = {
  md5: '3020300c06082a864886f70d020505000410',
  sha1: '3021300906052b0e03021a05000414',
  sha224: '302d300d06096086480165030402040500041c',
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
  'sha3-224': '302d300d06096086480165030402070500041c',
  'sha3-256': '3031300d060960864801650304020805000420',
  'sha3-384': '3041300d060960864801650304020905000430',
  'sha3-512': '3051300d060960864801650304020a05000440',
  // SM3 (GM/T 0004-2012, OID 1.2.156.10197.1.401): no RSA signature uses it here, for completeness.
  sm3: '3030300c06082a811ccf5501831105000420',
};

/**
 * What PKCS#1 v1.5 signs: the digest's DigestInfo, or for RSASSA_PKCS1_V1_5 without a hash
 * (GP 1.3) the caller's bytes as they are (an encoded DigestInfo of its own, or TLS's MD5+SHA1).
 */
function pkcs1Payload(alg: AlgInfo, data: Buffer): Buffer {
  return alg.hash ? Buffer.concat([Buffer.from(DIGEST_INFO[alg.hash], 'hex'), data]) : data;
}

/** Most PBKDF2 iterations one derivation may take (about half a second of core time with SHA-1). */
export const PBKDF2_MAX_ITERATIONS = 1 << 20;

function modBytes(key: CryptoObject): number {
  return Math.ceil(bitLength(key.buf(TEE_ATTR_RSA_MODULUS) ?? Buffer.alloc(0)) / 8);
}

function leftPad(b: Uint8Array, len: number): Buffer {
  if (b.length >= len) return Buffer.from(b.subarray(b.length - len));
  return Buffer.concat([Buffer.alloc(len - b.length), b]);
}

function mgf1(hash: HashName, seed: Uint8Array, len: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0, have = 0; have < len; i++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(i);
    const h = createHash(hash).update(seed).update(c).digest();
    parts.push(h);
    have += h.length;
  }
  return Buffer.concat(parts).subarray(0, len);
}

function pssEncode(hash: HashName, mHash: Uint8Array, salt: Buffer, emBits: number): Buffer {
  const hLen = HASH_SIZES[hash];
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + salt.length + 2) throw bad('PSS salt too long for the key');
  const h = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - salt.length - hLen - 2), Buffer.from([1]), salt]);
  const masked = mgf1(hash, h, db.length).map((m, i) => m ^ db[i]!) as Buffer;
  masked[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([masked, h, Buffer.from([0xbc])]);
}

function pssVerify(hash: HashName, mHash: Uint8Array, em: Buffer, emBits: number, sLen: number): boolean {
  const hLen = HASH_SIZES[hash];
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < hLen + sLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const masked = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  if (masked[0]! & ~(0xff >> (8 * emLen - emBits)) & 0xff) return false;
  const db = mgf1(hash, h, masked.length).map((m, i) => m ^ masked[i]!) as Buffer;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const psLen = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 1) return false;
  const salt = db.subarray(db.length - sLen);
  const h2 = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  return timingSafeEqual(h, h2);
}

/** RSAES-PKCS1-v1_5 decoding of a raw decryption result. */
function pkcs1Unpad(em: Buffer): Buffer {
  let i = 2;
  if (em[0] !== 0 || em[1] !== 2) throw new TeeError(TEE_ERROR_CIPHERTEXT_INVALID, 'ciphertext is not PKCS#1 v1.5');
  while (i < em.length && em[i] !== 0) i++;
  if (i >= em.length || i < 10) throw new TeeError(TEE_ERROR_CIPHERTEXT_INVALID, 'ciphertext is not PKCS#1 v1.5');
  return em.subarray(i + 1);
}

function checkDigest(alg: AlgInfo, digest: Uint8Array): void {
  if (alg.hash && digest.length !== HASH_SIZES[alg.hash]) {
    throw bad(`digest of ${digest.length} bytes for ${alg.name} (needs ${HASH_SIZES[alg.hash]})`);
  }
}

/** RSA_NOPAD results as OP-TEE gives them: the number without its leading zero bytes (one zero for 0). */
function withoutLeadingZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function rawInput(key: CryptoObject, data: Uint8Array): Buffer {
  const k = modBytes(key);
  if (data.length > k || toBig(data) >= toBig(key.buf(TEE_ATTR_RSA_MODULUS)!)) throw bad('RSA input larger than the modulus');
  return leftPad(data, k);
}

/**
 * ASYMM_OPERATE: encrypt, decrypt or sign `src`. `size` says how many bytes the result needs
 * before anything is computed, so the caller can answer SHORT_BUFFER.
 */
export function asymOutputSize(alg: AlgInfo, key: CryptoObject): number {
  switch (alg.kind) {
    case 'rsaes': case 'oaep': case 'rsanopad': case 'pkcs1sig': case 'pss': return modBytes(key);
    case 'ecdsa': return 2 * curveOf(key).bytes;
    case 'ed25519': case 'sm2dsa': return 64;
    case 'dsa': return dsaSignatureSize(key);
    default: return 0;
  }
}

export function asymOperate(alg: AlgInfo, mode: number, key: CryptoObject, params: Map<number, AttrValue>, src: Buffer,
  random: (n: number) => Buffer): Buffer {
  const label = paramBuf(params, TEE_ATTR_RSA_OAEP_LABEL);
  // GP 1.3.1's MGF1 hash: node:crypto's OAEP masks with the label's hash, so only that one.
  const mgf = alg.kind === 'oaep' ? paramBuf(params, TEE_ATTR_RSA_OAEP_MGF_HASH) : undefined;
  if (mgf && DIGEST_HASH.get(mgf.length >= 4 ? mgf.readUInt32LE(0) : 0) !== alg.hash) {
    throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `${alg.name} with another MGF1 hash is not supported`);
  }
  if (alg.kind === 'sm2dsa' || alg.kind === 'sm2pke') return sm2Operate(alg, mode, key, src, random);
  try {
    if (mode === TEE_MODE_ENCRYPT) {
      const pub = rsaPublic(key);
      if (alg.kind === 'rsaes') {
        if (src.length > modBytes(key) - 11) throw bad('message too long for RSAES-PKCS1-v1_5');
        return rsaPkcs1Encrypt(pub, src);
      }
      if (alg.kind === 'oaep') {
        if (src.length > modBytes(key) - 2 * HASH_SIZES[alg.hash!] - 2) throw bad('message too long for OAEP');
        return rsaOaepEncrypt(pub, alg.hash!, label, src);
      }
      return withoutLeadingZeros(rsaRawPublic(pub, rawInput(key, src)));
    }
    if (mode === TEE_MODE_DECRYPT) {
      const priv = rsaPrivate(key);
      // NOPAD takes any number below the modulus (its own results come without leading zeros).
      if (alg.kind !== 'rsanopad' && src.length !== modBytes(key)) throw new TeeError(TEE_ERROR_CIPHERTEXT_INVALID, 'ciphertext length differs from the modulus');
      if (alg.kind === 'rsaes') return Buffer.from(pkcs1Unpad(rsaRawPrivate(priv, rawInput(key, src))));
      if (alg.kind === 'oaep') {
        try {
          return rsaOaepDecrypt(priv, alg.hash!, label, src);
        } catch {
          throw new TeeError(TEE_ERROR_CIPHERTEXT_INVALID, 'OAEP decoding failed');
        }
      }
      return withoutLeadingZeros(rsaRawPrivate(priv, rawInput(key, src)));
    }
    if (mode !== TEE_MODE_SIGN) throw bad('mode');
    return sign(alg, key, params, src, random);
  } catch (error) {
    if (error instanceof TeeError) throw error;
    throw bad(`asymmetric operation failed: ${(error as Error).message}`);
  }
}

function sign(alg: AlgInfo, key: CryptoObject, params: Map<number, AttrValue>, src: Buffer, random: (n: number) => Buffer): Buffer {
  switch (alg.kind) {
    case 'pkcs1sig': {
      checkDigest(alg, src);
      const t = pkcs1Payload(alg, src);
      const k = modBytes(key);
      if (k < t.length + 11) throw bad('key too short for this digest');
      const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - t.length - 3, 0xff), Buffer.from([0]), t]);
      return rsaRawPrivate(rsaPrivate(key), em);
    }
    case 'pss': {
      checkDigest(alg, src);
      const sLen = paramValue(params, TEE_ATTR_RSA_PSS_SALT_LENGTH) ?? HASH_SIZES[alg.hash!];
      const modBits = bitLength(key.buf(TEE_ATTR_RSA_MODULUS)!);
      const em = pssEncode(alg.hash!, src, random(sLen), modBits - 1);
      return rsaRawPrivate(rsaPrivate(key), leftPad(em, modBytes(key)));
    }
    case 'ecdsa': {
      // No digest length check: OP-TEE signs what it is given (its pkcs11 TA passes a SHA-1
      // digest to TEE_ALG_ECDSA_P256, which the 4.x headers define as ECDSA_SHA256).
      const curve = curveOf(key);
      if (alg.curve !== undefined && alg.curve !== curve.id) throw bad('key curve differs from the algorithm');
      return ecdsaSign(curve, ecPrivateValue(key), src, random);
    }
    case 'dsa':
      return dsaSignDigest(alg, key, src, random);
    case 'ed25519': {
      const v = eddsaParams(params);
      if (v) return eddsaSign(v, key.buf(TEE_ATTR_ED25519_PRIVATE_VALUE)!, src);
      return ed25519Sign(ed25519Key(key, true), src);
    }
    default:
      throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `${alg.name} cannot sign`);
  }
}

/** Ed25519ctx or Ed25519ph when the attributes ask for them (contexts up to 255 bytes), else undefined. */
function eddsaParams(params: Map<number, AttrValue>): EddsaVariant | undefined {
  const ctx = paramBuf(params, TEE_ATTR_EDDSA_CTX);
  const ph = paramValue(params, TEE_ATTR_EDDSA_PREHASH);
  if (ctx && ctx.length > 255) throw bad('an EdDSA context is at most 255 bytes');
  if (!ph && !(ctx && ctx.length)) return undefined;
  return { prehash: Boolean(ph), context: ctx ?? Buffer.alloc(0) };
}

/** ASYMM_VERIFY: throws SIGNATURE_INVALID when the signature does not match. */
export function asymVerify(alg: AlgInfo, key: CryptoObject, params: Map<number, AttrValue>, data: Buffer, sig: Buffer): void {
  let ok: boolean;
  try {
    ok = verify(alg, key, params, data, sig);
  } catch (error) {
    if (error instanceof TeeError) throw error;
    ok = false;
  }
  if (!ok) throw new TeeError(TEE_ERROR_SIGNATURE_INVALID, 'the signature does not verify');
}

function verify(alg: AlgInfo, key: CryptoObject, params: Map<number, AttrValue>, data: Buffer, sig: Buffer): boolean {
  switch (alg.kind) {
    case 'pkcs1sig': case 'pss': {
      checkDigest(alg, data);
      const k = modBytes(key);
      if (sig.length > k || toBig(sig) >= toBig(key.buf(TEE_ATTR_RSA_MODULUS)!)) return false;
      const em = rsaRawPublic(rsaPublic(key), leftPad(sig, k));
      if (alg.kind === 'pkcs1sig') {
        const t = pkcs1Payload(alg, data);
        if (k < t.length + 11) return false;
        const want = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - t.length - 3, 0xff), Buffer.from([0]), t]);
        return want.length === em.length && timingSafeEqual(want, em);
      }
      const modBits = bitLength(key.buf(TEE_ATTR_RSA_MODULUS)!);
      const sLen = paramValue(params, TEE_ATTR_RSA_PSS_SALT_LENGTH) ?? HASH_SIZES[alg.hash!];
      const emLen = Math.ceil((modBits - 1) / 8);
      return pssVerify(alg.hash!, data, em.subarray(em.length - emLen), modBits - 1, sLen);
    }
    case 'ecdsa': {
      const curve = curveOf(key);
      if (alg.curve !== undefined && alg.curve !== curve.id) throw bad('key curve differs from the algorithm');
      return ecdsaVerify(curve, key.buf(TEE_ATTR_ECC_PUBLIC_VALUE_X)!, key.buf(TEE_ATTR_ECC_PUBLIC_VALUE_Y)!, data, sig);
    }
    case 'dsa':
      return dsaVerifyDigest(alg, key, data, sig);
    case 'sm2dsa':
      return sm2VerifyDigest(key, data, sig);
    case 'ed25519': {
      const v = eddsaParams(params);
      if (v) return sig.length === 64 && eddsaVerify(v, key.buf(TEE_ATTR_ED25519_PUBLIC_VALUE)!, data, sig);
      return sig.length === 64 && ed25519Verify(ed25519Key(key, false), data, sig);
    }
    default:
      throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `${alg.name} cannot verify`);
  }
}

function paramBuf(params: Map<number, AttrValue>, id: number): Buffer | undefined {
  const v = params.get(id >>> 0);
  if (v === undefined) return undefined;
  if (!Buffer.isBuffer(v)) throw bad(`attribute 0x${(id >>> 0).toString(16)} must be a buffer`);
  return v;
}

function paramValue(params: Map<number, AttrValue>, id: number): number | undefined {
  const v = params.get(id >>> 0);
  if (v === undefined) return undefined;
  if (Buffer.isBuffer(v)) throw bad(`attribute 0x${(id >>> 0).toString(16)} must be a value`);
  return v.a;
}

/**
 * DERIVE_KEY: the secret bytes for the derived GENERIC_SECRET object. `maxBytes` is the derived
 * object's capacity (GP HKDF's default output length).
 */
/** `maxBytes`: the most the output object can hold; `defaultBytes`: HKDF's length when none is given. */
export function derive(alg: AlgInfo, key: CryptoObject, params: Map<number, AttrValue>, maxBytes: number, defaultBytes = maxBytes): Buffer {
  switch (alg.kind) {
    case 'ecdh': {
      const curve = curveOf(key);
      if (alg.curve !== undefined && alg.curve !== curve.id) throw bad('key curve differs from the algorithm');
      const x = paramBuf(params, TEE_ATTR_ECC_PUBLIC_VALUE_X);
      const y = paramBuf(params, TEE_ATTR_ECC_PUBLIC_VALUE_Y);
      if (!x || !y) throw bad('ECDH needs the peer public value X and Y');
      const point = ecPoint(curve, x, y);
      try {
        return leftPad(ecdhSecret(curve.openssl, ecPrivateValue(key), point), curve.bytes);
      } catch {
        throw bad('ECDH failed: the peer public key is not a point on the curve');
      }
    }
    case 'x25519': {
      const pub = paramBuf(params, TEE_ATTR_X25519_PUBLIC_VALUE);
      if (!pub || pub.length !== 32) throw bad('X25519 needs a 32-byte peer public value');
      try {
        return diffieHellman(x25519Private(key), okpPublic('X25519', pub));
      } catch (error) {
        if (error instanceof TeeError) throw error;
        throw bad('X25519 failed (low-order peer key?)');
      }
    }
    case 'hkdf':
      return hkdfDerive(alg, key, params, maxBytes, defaultBytes);
    case 'concatkdf': {
      const len = paramValue(params, 0xf00003c1);
      if (len === undefined || len <= 0) throw bad('the concatenation KDF needs TEE_ATTR_CONCAT_KDF_DKM_LENGTH');
      if (len > maxBytes) throw bad(`KDF output of ${len} bytes does not fit the derived object`);
      return concatKdf(alg.hash!, key.buf(0xc00001c1)!, paramBuf(params, 0xd00002c1) ?? Buffer.alloc(0), len);
    }
    case 'pbkdf2': {
      const iterations = paramValue(params, 0xf00003c2);
      const len = paramValue(params, 0xf00004c2);
      if (!iterations || !len) throw bad('PBKDF2 needs TEE_ATTR_PBKDF2_ITERATION_COUNT and TEE_ATTR_PBKDF2_DKM_LENGTH');
      // The derivation runs in the core, outside the TA's time slices: bound the work one call may ask.
      if (iterations > PBKDF2_MAX_ITERATIONS) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `PBKDF2 with more than ${PBKDF2_MAX_ITERATIONS} iterations`);
      if (len > maxBytes) throw bad(`KDF output of ${len} bytes does not fit the derived object`);
      return pbkdf2(alg.hash!, key.buf(0xc00001c2)!, paramBuf(params, 0xd00002c2) ?? Buffer.alloc(0), iterations, len);
    }
    case 'dh': {
      const peer = paramBuf(params, TEE_ATTR_DH_PUBLIC_VALUE);
      const p = key.buf(TEE_ATTR_DH_PRIME)!;
      if (!peer || peer.length === 0) throw bad('DH needs the peer public value');
      const y = toBig(peer);
      // 1 < y < p - 1: anything else gives away the secret (or is not in the group).
      if (y <= 1n || y >= toBig(p) - 1n) throw bad('DH peer public value out of range');
      try {
        return dhSecret(p, key.buf(TEE_ATTR_DH_BASE)!, key.buf(TEE_ATTR_DH_PRIVATE_VALUE)!, peer);
      } catch {
        throw bad('DH failed');
      }
    }
    default:
      throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `${alg.name} cannot derive`);
  }
}

function hkdfDerive(alg: AlgInfo, key: CryptoObject, params: Map<number, AttrValue>, maxBytes: number, defaultBytes: number): Buffer {
  const ikm = key.buf(TEE_ATTR_SECRET_VALUE) ?? key.buf(TEE_ATTR_HKDF_IKM);
  if (!ikm) throw bad('HKDF key without a secret');
  let hash: HashName;
  let salt: Buffer | undefined;
  let info: Buffer | undefined;
  let len: number | undefined;
  if (alg.id === TEE_ALG_HKDF) {
    const h = paramValue(params, TEE_ATTR_HKDF_HASH_ALGORITHM);
    const name = h === undefined ? 'sha256' : DIGEST_HASH.get(h);
    if (!name) throw new TeeError(TEE_ERROR_NOT_SUPPORTED, 'HKDF hash algorithm not supported');
    hash = name;
    salt = paramBuf(params, TEE_ATTR_HKDF_SALT);
    info = paramBuf(params, TEE_ATTR_HKDF_INFO);
    len = paramValue(params, TEE_ATTR_KDF_KEY_SIZE);
  } else {
    hash = alg.hash!;
    // OP-TEE's extension takes its own ids and GP 1.3.1's (which optee_test's 8001 passes).
    salt = paramBuf(params, TEE_ATTR_OPTEE_HKDF_SALT) ?? paramBuf(params, TEE_ATTR_HKDF_SALT);
    info = paramBuf(params, TEE_ATTR_OPTEE_HKDF_INFO) ?? paramBuf(params, TEE_ATTR_HKDF_INFO);
    len = paramValue(params, TEE_ATTR_HKDF_OKM_LENGTH);
    if (len === undefined) throw bad('HKDF needs TEE_ATTR_HKDF_OKM_LENGTH');
  }
  len ??= defaultBytes;
  if (len <= 0 || len > 255 * HASH_SIZES[hash]) throw bad(`HKDF output of ${len} bytes is out of range`);
  if (len > maxBytes) throw bad(`HKDF output of ${len} bytes does not fit the derived object`);
  return hkdf(hash, ikm, salt ?? Buffer.alloc(0), info ?? Buffer.alloc(0), len);
}
