/**
 * GlobalPlatform crypto identifiers (OP-TEE's tee_api_defines.h values, reference section 6)
 * and the algorithm table: for each supported algorithm its operation class, allowed modes,
 * acceptable key object types and digest. Pure data, no node:crypto.
 */
import {
  TEE_ALG_AES_CBC_MAC_NOPAD, TEE_ALG_AES_CBC_MAC_PKCS5, TEE_ALG_AES_CBC_NOPAD, TEE_ALG_AES_CCM,
  TEE_ALG_AES_CMAC, TEE_ALG_AES_CTR, TEE_ALG_AES_CTS, TEE_ALG_AES_ECB_NOPAD, TEE_ALG_AES_GCM,
  TEE_ALG_AES_XTS, TEE_ALG_DES3_CBC_MAC_NOPAD, TEE_ALG_DES3_CBC_MAC_PKCS5, TEE_ALG_DES3_CBC_NOPAD, TEE_ALG_DES3_ECB_NOPAD,
  TEE_ALG_DES_CBC_MAC_NOPAD, TEE_ALG_DES_CBC_MAC_PKCS5, TEE_ALG_DES_CBC_NOPAD, TEE_ALG_DES_ECB_NOPAD, TEE_ALG_ECDH_DERIVE_SHARED_SECRET, TEE_ALG_ED25519, TEE_ALG_HKDF, TEE_ALG_MD5,
  TEE_ALG_RSAES_PKCS1_V1_5, TEE_ALG_RSASSA_PKCS1_V1_5_MD5, TEE_ALG_RSA_NOPAD, TEE_ALG_SHA1, TEE_ALG_SHA224,
  TEE_ALG_SHA256, TEE_ALG_SHA384, TEE_ALG_SHA512, TEE_ALG_SHA3_224, TEE_ALG_SHA3_256, TEE_ALG_SHA3_384, TEE_ALG_SHA3_512, TEE_ALG_SM3,
  TEE_ALG_SHAKE128, TEE_ALG_SHAKE256, TEE_ALG_X25519, TEE_ECC_CURVE_NIST_P192,
  TEE_ECC_CURVE_NIST_P224, TEE_ECC_CURVE_NIST_P256, TEE_ECC_CURVE_NIST_P384, TEE_ECC_CURVE_NIST_P521,
  TEE_MODE_DECRYPT, TEE_MODE_DERIVE, TEE_MODE_DIGEST, TEE_MODE_ENCRYPT, TEE_MODE_MAC, TEE_MODE_SIGN,
  TEE_MODE_VERIFY, TEE_OPERATION_AE, TEE_OPERATION_ASYMMETRIC_CIPHER, TEE_OPERATION_ASYMMETRIC_SIGNATURE,
  TEE_OPERATION_CIPHER, TEE_OPERATION_DIGEST, TEE_OPERATION_KEY_DERIVATION, TEE_OPERATION_MAC, TEE_TYPE_AES, TEE_TYPE_DES, TEE_TYPE_DES3, TEE_TYPE_SM4,
  TEE_TYPE_ECDH_KEYPAIR, TEE_TYPE_ECDSA_KEYPAIR, TEE_TYPE_ECDSA_PUBLIC_KEY, TEE_TYPE_ED25519_KEYPAIR,
  TEE_TYPE_ED25519_PUBLIC_KEY, TEE_TYPE_GENERIC_SECRET, TEE_TYPE_HKDF, TEE_TYPE_HKDF_IKM,
  TEE_TYPE_RSA_KEYPAIR, TEE_TYPE_RSA_PUBLIC_KEY, TEE_TYPE_X25519_KEYPAIR, TEE_USAGE_DECRYPT,
  TEE_USAGE_DERIVE, TEE_USAGE_ENCRYPT, TEE_USAGE_MAC, TEE_USAGE_SIGN, TEE_USAGE_VERIFY,
  __OPTEE_ALG_ECDH_P192, __OPTEE_ALG_ECDH_P224, __OPTEE_ALG_ECDH_P256, __OPTEE_ALG_ECDH_P384,
  __OPTEE_ALG_ECDH_P521, __OPTEE_ALG_ECDSA_P192, __OPTEE_ALG_ECDSA_P224, __OPTEE_ALG_ECDSA_P256,
  __OPTEE_ALG_ECDSA_P384, __OPTEE_ALG_ECDSA_P521,
} from '../../abi/tee-api.js';
import {
  TEE_ALG_DSA_SHA1, TEE_ALG_DSA_SHA224, TEE_ALG_DSA_SHA256, TEE_TYPE_DSA_KEYPAIR, TEE_TYPE_DSA_PUBLIC_KEY,
} from '../../abi/tee-api.js';
import {
  TEE_ALG_SM2_DSA_SM3, TEE_ALG_SM2_KEP, TEE_ALG_SM2_PKE, TEE_TYPE_SM2_DSA_KEYPAIR, TEE_TYPE_SM2_DSA_PUBLIC_KEY,
  TEE_TYPE_SM2_KEP_KEYPAIR, TEE_TYPE_SM2_PKE_KEYPAIR, TEE_TYPE_SM2_PKE_PUBLIC_KEY,
} from '../../abi/tee-api.js';
import type { HashName, XofName } from '../../host/crypto.js';


/** A NIST curve: GP id, size in bits, OpenSSL/JWK names. */
export interface Curve { id: number; bits: number; bytes: number; jwk: string; openssl: string }
export const CURVES: ReadonlyMap<number, Curve> = new Map([
  [TEE_ECC_CURVE_NIST_P192, { id: 1, bits: 192, bytes: 24, jwk: 'P-192', openssl: 'prime192v1' }],
  [TEE_ECC_CURVE_NIST_P224, { id: 2, bits: 224, bytes: 28, jwk: 'P-224', openssl: 'secp224r1' }],
  [TEE_ECC_CURVE_NIST_P256, { id: 3, bits: 256, bytes: 32, jwk: 'P-256', openssl: 'prime256v1' }],
  [TEE_ECC_CURVE_NIST_P384, { id: 4, bits: 384, bytes: 48, jwk: 'P-384', openssl: 'secp384r1' }],
  [TEE_ECC_CURVE_NIST_P521, { id: 5, bits: 521, bytes: 66, jwk: 'P-521', openssl: 'secp521r1' }],
].map(([k, v]) => [k as number, v as Curve]));

/** How an algorithm is computed; selects the implementation in operations.ts. */
export type AlgKind =
  | 'digest' | 'hmac' | 'cipher' | 'cmac' | 'cbcmac' | 'gcm' | 'ccm'
  | 'rsaes' | 'oaep' | 'rsanopad' | 'pkcs1sig' | 'pss' | 'ecdsa' | 'ed25519'
  | 'ecdh' | 'x25519' | 'hkdf' | 'dh' | 'concatkdf' | 'pbkdf2' | 'dsa' | 'sm2dsa' | 'sm2pke' | 'sm2kep';

export interface AlgInfo {
  id: number;
  name: string;
  cls: number;
  kind: AlgKind;
  /** Modes TEE_AllocateOperation accepts for it. */
  modes: readonly number[];
  /** Key object types for key 1 (empty: no key). */
  keyTypes: readonly number[];
  hash?: HashName;
  /** Cipher mode for kind 'cipher'. */
  cipher?: 'ecb' | 'cbc' | 'ctr' | 'cts' | 'xts';
  /** For OP-TEE's per-curve ECDSA/ECDH ids. */
  curve?: number;
  /** MAC with PKCS#5 padding (CBC_MAC_PKCS5). */
  pad?: boolean;
  /** Whether two keys are needed (XTS; SM2 KEP: the long-term and the ephemeral key pair). */
  twoKeys?: boolean;
  /** SHAKE: a digest as long as the caller's buffer. */
  xof?: XofName;
  /** DES or triple DES instead of AES (ciphers and CBC-MACs). */
  des?: boolean;
  /** SM4 instead of AES (ECB, CBC, CTR). */
  sm4?: boolean;
}

export const HASH_SIZES: Record<HashName, number> = {
  md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64, 'sha3-224': 28, 'sha3-256': 32, 'sha3-384': 48, 'sha3-512': 64, sm3: 32,
};

/** Input block sizes (HMAC pads its key to one). */
export const HASH_BLOCKS: Record<HashName, number> = {
  md5: 64, sha1: 64, sha224: 64, sha256: 64, sha384: 128, sha512: 128, 'sha3-224': 144, 'sha3-256': 136, 'sha3-384': 104, 'sha3-512': 72, sm3: 64,
};

/** Digest algorithm id -> hash name (also used by HKDF's hash attribute). */
export const DIGEST_HASH: ReadonlyMap<number, HashName> = new Map<number, HashName>([
  [TEE_ALG_MD5, 'md5'], [TEE_ALG_SHA1, 'sha1'], [TEE_ALG_SHA224, 'sha224'], [TEE_ALG_SHA256, 'sha256'],
  [TEE_ALG_SHA384, 'sha384'], [TEE_ALG_SHA512, 'sha512'], [TEE_ALG_SHA3_224, 'sha3-224'], [TEE_ALG_SHA3_256, 'sha3-256'],
  [TEE_ALG_SHA3_384, 'sha3-384'], [TEE_ALG_SHA3_512, 'sha3-512'], [TEE_ALG_SM3, 'sm3'],
]);

const ENC_DEC = [TEE_MODE_ENCRYPT, TEE_MODE_DECRYPT];
const SIGN_VER = [TEE_MODE_SIGN, TEE_MODE_VERIFY];
const RSA = [TEE_TYPE_RSA_KEYPAIR, TEE_TYPE_RSA_PUBLIC_KEY];
const ECDSA = [TEE_TYPE_ECDSA_KEYPAIR, TEE_TYPE_ECDSA_PUBLIC_KEY];
const HASHES: readonly [HashName, number][] = [['md5', 1], ['sha1', 2], ['sha224', 3], ['sha256', 4], ['sha384', 5], ['sha512', 6]];
const SHA3: readonly [HashName, number][] = [['sm3', 7], ['sha3-224', 8], ['sha3-256', 9], ['sha3-384', 10], ['sha3-512', 11]];

function build(): Map<number, AlgInfo> {
  const t = new Map<number, AlgInfo>();
  const add = (a: AlgInfo): void => {
    // Bitwise ORs give signed 32-bit numbers: normalise every id to its unsigned value.
    t.set(a.id >>> 0, { ...a, id: a.id >>> 0, keyTypes: a.keyTypes.map((k) => k >>> 0) });
  };
  for (const [h, n] of HASHES) {
    add({ id: 0x50000000 | n, name: `${h.toUpperCase()}`, cls: TEE_OPERATION_DIGEST, kind: 'digest', modes: [TEE_MODE_DIGEST], keyTypes: [], hash: h });
    add({ id: 0x30000000 | n, name: `HMAC_${h.toUpperCase()}`, cls: TEE_OPERATION_MAC, kind: 'hmac', modes: [TEE_MODE_MAC],
      keyTypes: [0xa0000000 | n, TEE_TYPE_GENERIC_SECRET], hash: h });
    if (h !== 'md5') {
      add({ id: 0x70000830 | (n << 12), name: `RSASSA_PKCS1_V1_5_${h.toUpperCase()}`, cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE,
        kind: 'pkcs1sig', modes: SIGN_VER, keyTypes: RSA, hash: h });
      add({ id: 0x70010930 | (n << 12) | (n << 20), name: `RSASSA_PKCS1_PSS_MGF1_${h.toUpperCase()}`,
        cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE, kind: 'pss', modes: SIGN_VER, keyTypes: RSA, hash: h });
      add({ id: 0x60010230 | (n << 20), name: `RSAES_PKCS1_OAEP_MGF1_${h.toUpperCase()}`,
        cls: TEE_OPERATION_ASYMMETRIC_CIPHER, kind: 'oaep', modes: ENC_DEC, keyTypes: RSA, hash: h });
      add({ id: 0x70000042 | ((n - 1) << 12), name: `ECDSA_${h.toUpperCase()}`, cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE,
        kind: 'ecdsa', modes: SIGN_VER, keyTypes: ECDSA, hash: h });
      add({ id: 0x800000c0 | (n << 12), name: `HKDF_${h.toUpperCase()}_DERIVE_KEY`, cls: TEE_OPERATION_KEY_DERIVATION,
        kind: 'hkdf', modes: [TEE_MODE_DERIVE], keyTypes: [TEE_TYPE_HKDF_IKM, TEE_TYPE_GENERIC_SECRET], hash: h });
      // OP-TEE's extensions: SP 800-56A's concatenation KDF and PBKDF2 (keys CONCAT_KDF_Z, PBKDF2_PASSWORD).
      add({ id: 0x800000c1 | (n << 12), name: `CONCAT_KDF_${h.toUpperCase()}_DERIVE_KEY`, cls: TEE_OPERATION_KEY_DERIVATION,
        kind: 'concatkdf', modes: [TEE_MODE_DERIVE], keyTypes: [0xa10000c1], hash: h });
      add({ id: 0x800000c2 | (n << 12), name: `PBKDF2_HMAC_${h.toUpperCase()}_DERIVE_KEY`, cls: TEE_OPERATION_KEY_DERIVATION,
        kind: 'pbkdf2', modes: [TEE_MODE_DERIVE], keyTypes: [0xa10000c2], hash: h });
    }
  }
  // SM3 (0x..07) and SHA-3 (0x..08-0x..0b): digests and HMACs; SHAKE as digests of the caller's length.
  for (const [h, n] of SHA3) {
    add({ id: 0x50000000 | n, name: h.toUpperCase().replace('-', '_'), cls: TEE_OPERATION_DIGEST, kind: 'digest', modes: [TEE_MODE_DIGEST], keyTypes: [], hash: h });
    add({ id: 0x30000000 | n, name: `HMAC_${h.toUpperCase().replace('-', '_')}`, cls: TEE_OPERATION_MAC, kind: 'hmac', modes: [TEE_MODE_MAC],
      keyTypes: [0xa0000000 | n, TEE_TYPE_GENERIC_SECRET], hash: h });
  }
  add({ id: TEE_ALG_SHAKE128, name: 'SHAKE128', cls: TEE_OPERATION_DIGEST, kind: 'digest', modes: [TEE_MODE_DIGEST], keyTypes: [], xof: 'shake128' });
  add({ id: TEE_ALG_SHAKE256, name: 'SHAKE256', cls: TEE_OPERATION_DIGEST, kind: 'digest', modes: [TEE_MODE_DIGEST], keyTypes: [], xof: 'shake256' });
  // GP 1.3's hashless PKCS#1 v1.5 signature: the caller gives what is signed (up to k - 11 bytes).
  add({ id: 0xf0000830, name: 'RSASSA_PKCS1_V1_5', cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE, kind: 'pkcs1sig', modes: SIGN_VER, keyTypes: RSA });
  add({ id: TEE_ALG_RSASSA_PKCS1_V1_5_MD5, name: 'RSASSA_PKCS1_V1_5_MD5', cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE,
    kind: 'pkcs1sig', modes: SIGN_VER, keyTypes: RSA, hash: 'md5' });
  const aes = [TEE_TYPE_AES];
  for (const [id, cipher] of [[TEE_ALG_AES_ECB_NOPAD, 'ecb'], [TEE_ALG_AES_CBC_NOPAD, 'cbc'], [TEE_ALG_AES_CTR, 'ctr'],
    [TEE_ALG_AES_CTS, 'cts'], [TEE_ALG_AES_XTS, 'xts']] as const) {
    add({ id, name: `AES_${cipher.toUpperCase()}`, cls: TEE_OPERATION_CIPHER, kind: 'cipher', modes: ENC_DEC, keyTypes: aes, cipher,
      twoKeys: cipher === 'xts' });
  }
  // SM4 (GB/T 32907): ECB/CBC without padding and CTR, with a 128-bit SM4 key.
  for (const [id, name, cipher] of [[0x10000014, 'SM4_ECB_NOPAD', 'ecb'], [0x10000114, 'SM4_CBC_NOPAD', 'cbc'], [0x10000214, 'SM4_CTR', 'ctr']] as const) {
    add({ id, name, cls: TEE_OPERATION_CIPHER, kind: 'cipher', modes: ENC_DEC, keyTypes: [TEE_TYPE_SM4], cipher, sm4: true });
  }
  // DES (one 8-byte key) and triple DES (16 or 24 bytes): ECB/CBC without padding and CBC-MACs.
  for (const [id, name, cipher, keyType] of [[TEE_ALG_DES_ECB_NOPAD, 'DES_ECB_NOPAD', 'ecb', TEE_TYPE_DES], [TEE_ALG_DES_CBC_NOPAD, 'DES_CBC_NOPAD', 'cbc', TEE_TYPE_DES],
    [TEE_ALG_DES3_ECB_NOPAD, 'DES3_ECB_NOPAD', 'ecb', TEE_TYPE_DES3], [TEE_ALG_DES3_CBC_NOPAD, 'DES3_CBC_NOPAD', 'cbc', TEE_TYPE_DES3]] as const) {
    add({ id, name, cls: TEE_OPERATION_CIPHER, kind: 'cipher', modes: ENC_DEC, keyTypes: [keyType], cipher, des: true });
  }
  for (const [id, name, keyType, pad] of [[TEE_ALG_DES_CBC_MAC_NOPAD, 'DES_CBC_MAC_NOPAD', TEE_TYPE_DES, false], [TEE_ALG_DES_CBC_MAC_PKCS5, 'DES_CBC_MAC_PKCS5', TEE_TYPE_DES, true],
    [TEE_ALG_DES3_CBC_MAC_NOPAD, 'DES3_CBC_MAC_NOPAD', TEE_TYPE_DES3, false], [TEE_ALG_DES3_CBC_MAC_PKCS5, 'DES3_CBC_MAC_PKCS5', TEE_TYPE_DES3, true]] as const) {
    add({ id, name, cls: TEE_OPERATION_MAC, kind: 'cbcmac', modes: [TEE_MODE_MAC], keyTypes: [keyType], pad, des: true });
  }
  // OP-TEE's extension: CMAC over triple DES.
  add({ id: 0xf0000613, name: 'DES3_CMAC', cls: TEE_OPERATION_MAC, kind: 'cmac', modes: [TEE_MODE_MAC], keyTypes: [TEE_TYPE_DES3], des: true });
  add({ id: TEE_ALG_AES_CMAC, name: 'AES_CMAC', cls: TEE_OPERATION_MAC, kind: 'cmac', modes: [TEE_MODE_MAC], keyTypes: aes });
  add({ id: TEE_ALG_AES_CBC_MAC_NOPAD, name: 'AES_CBC_MAC_NOPAD', cls: TEE_OPERATION_MAC, kind: 'cbcmac', modes: [TEE_MODE_MAC], keyTypes: aes });
  add({ id: TEE_ALG_AES_CBC_MAC_PKCS5, name: 'AES_CBC_MAC_PKCS5', cls: TEE_OPERATION_MAC, kind: 'cbcmac', modes: [TEE_MODE_MAC], keyTypes: aes, pad: true });
  add({ id: TEE_ALG_AES_GCM, name: 'AES_GCM', cls: TEE_OPERATION_AE, kind: 'gcm', modes: ENC_DEC, keyTypes: aes });
  add({ id: TEE_ALG_AES_CCM, name: 'AES_CCM', cls: TEE_OPERATION_AE, kind: 'ccm', modes: ENC_DEC, keyTypes: aes });
  add({ id: TEE_ALG_RSAES_PKCS1_V1_5, name: 'RSAES_PKCS1_V1_5', cls: TEE_OPERATION_ASYMMETRIC_CIPHER, kind: 'rsaes', modes: ENC_DEC, keyTypes: RSA });
  add({ id: TEE_ALG_RSA_NOPAD, name: 'RSA_NOPAD', cls: TEE_OPERATION_ASYMMETRIC_CIPHER, kind: 'rsanopad', modes: ENC_DEC, keyTypes: RSA });
  // DSA (dsa.ts) with the three hashes OP-TEE implements it with (its DSA_SHA3_* ids it does not).
  for (const [id, hash] of [[TEE_ALG_DSA_SHA1, 'sha1'], [TEE_ALG_DSA_SHA224, 'sha224'], [TEE_ALG_DSA_SHA256, 'sha256']] as const) {
    add({ id, name: `DSA_${hash.toUpperCase()}`, cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE, kind: 'dsa', modes: SIGN_VER,
      keyTypes: [TEE_TYPE_DSA_KEYPAIR, TEE_TYPE_DSA_PUBLIC_KEY], hash });
  }
  for (const [id, curve] of [[__OPTEE_ALG_ECDSA_P192, 1], [__OPTEE_ALG_ECDSA_P224, 2], [__OPTEE_ALG_ECDSA_P256, 3],
    [__OPTEE_ALG_ECDSA_P384, 4], [__OPTEE_ALG_ECDSA_P521, 5]] as const) {
    add({ id, name: `ECDSA_P${CURVES.get(curve)!.bits}`, cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE, kind: 'ecdsa', modes: SIGN_VER,
      keyTypes: ECDSA, curve });
  }
  const ecdh = [TEE_TYPE_ECDH_KEYPAIR];
  add({ id: TEE_ALG_ECDH_DERIVE_SHARED_SECRET, name: 'ECDH_DERIVE_SHARED_SECRET', cls: TEE_OPERATION_KEY_DERIVATION, kind: 'ecdh',
    modes: [TEE_MODE_DERIVE], keyTypes: ecdh });
  for (const [id, curve] of [[__OPTEE_ALG_ECDH_P192, 1], [__OPTEE_ALG_ECDH_P224, 2], [__OPTEE_ALG_ECDH_P256, 3],
    [__OPTEE_ALG_ECDH_P384, 4], [__OPTEE_ALG_ECDH_P521, 5]] as const) {
    add({ id, name: `ECDH_P${CURVES.get(curve)!.bits}`, cls: TEE_OPERATION_KEY_DERIVATION, kind: 'ecdh', modes: [TEE_MODE_DERIVE],
      keyTypes: ecdh, curve });
  }
  add({ id: 0x80000032, name: 'DH_DERIVE_SHARED_SECRET', cls: TEE_OPERATION_KEY_DERIVATION, kind: 'dh', modes: [TEE_MODE_DERIVE],
    keyTypes: [0xa1000032] });
  add({ id: TEE_ALG_ED25519, name: 'ED25519', cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE, kind: 'ed25519', modes: SIGN_VER,
    keyTypes: [TEE_TYPE_ED25519_KEYPAIR, TEE_TYPE_ED25519_PUBLIC_KEY] });
  add({ id: TEE_ALG_X25519, name: 'X25519', cls: TEE_OPERATION_KEY_DERIVATION, kind: 'x25519', modes: [TEE_MODE_DERIVE],
    keyTypes: [TEE_TYPE_X25519_KEYPAIR] });
  add({ id: TEE_ALG_HKDF, name: 'HKDF', cls: TEE_OPERATION_KEY_DERIVATION, kind: 'hkdf', modes: [TEE_MODE_DERIVE],
    keyTypes: [TEE_TYPE_HKDF, TEE_TYPE_HKDF_IKM, TEE_TYPE_GENERIC_SECRET] });
  // SM2 (sm2.ts): OP-TEE's ids; KEP takes two key pairs, the long-term and the ephemeral one.
  add({ id: TEE_ALG_SM2_DSA_SM3, name: 'SM2_DSA_SM3', cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE, kind: 'sm2dsa', modes: SIGN_VER,
    keyTypes: [TEE_TYPE_SM2_DSA_KEYPAIR, TEE_TYPE_SM2_DSA_PUBLIC_KEY], hash: 'sm3' });
  add({ id: TEE_ALG_SM2_PKE, name: 'SM2_PKE', cls: TEE_OPERATION_ASYMMETRIC_CIPHER, kind: 'sm2pke', modes: ENC_DEC,
    keyTypes: [TEE_TYPE_SM2_PKE_KEYPAIR, TEE_TYPE_SM2_PKE_PUBLIC_KEY] });
  add({ id: TEE_ALG_SM2_KEP, name: 'SM2_KEP', cls: TEE_OPERATION_KEY_DERIVATION, kind: 'sm2kep', modes: [TEE_MODE_DERIVE],
    keyTypes: [TEE_TYPE_SM2_KEP_KEYPAIR], twoKeys: true });
  return t;
}

/** Every supported algorithm by GP id. */
export const ALGORITHMS: ReadonlyMap<number, AlgInfo> = build();

/** The algorithm's entry, or undefined when it is not supported. */
export function algorithm(id: number): AlgInfo | undefined {
  return ALGORITHMS.get(id >>> 0);
}

/** Mode the key's usage must allow for an operation (GP TEE_AllocateOperation requiredKeyUsage). */
export function requiredUsage(mode: number): number {
  switch (mode) {
    case TEE_MODE_ENCRYPT: return TEE_USAGE_ENCRYPT;
    case TEE_MODE_DECRYPT: return TEE_USAGE_DECRYPT;
    case TEE_MODE_SIGN: return TEE_USAGE_SIGN;
    case TEE_MODE_VERIFY: return TEE_USAGE_VERIFY;
    case TEE_MODE_MAC: return TEE_USAGE_MAC;
    case TEE_MODE_DERIVE: return TEE_USAGE_DERIVE;
    default: return 0;
  }
}
