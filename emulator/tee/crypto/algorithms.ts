/**
 * GlobalPlatform crypto identifiers (OP-TEE's tee_api_defines.h values, reference section 6)
 * and the algorithm table: for each supported algorithm its operation class, allowed modes,
 * acceptable key object types and digest. Pure data, no node:crypto.
 */
import type { HashName } from '../../host/crypto.js';

/* Operation modes (TEE_OperationMode). */
export const TEE_MODE_ENCRYPT = 0;
export const TEE_MODE_DECRYPT = 1;
export const TEE_MODE_SIGN = 2;
export const TEE_MODE_VERIFY = 3;
export const TEE_MODE_MAC = 4;
export const TEE_MODE_DIGEST = 5;
export const TEE_MODE_DERIVE = 6;

/* Operation classes. */
export const TEE_OPERATION_CIPHER = 1;
export const TEE_OPERATION_MAC = 3;
export const TEE_OPERATION_AE = 4;
export const TEE_OPERATION_DIGEST = 5;
export const TEE_OPERATION_ASYMMETRIC_CIPHER = 6;
export const TEE_OPERATION_ASYMMETRIC_SIGNATURE = 7;
export const TEE_OPERATION_KEY_DERIVATION = 8;

/* Algorithms. */
export const TEE_ALG_AES_ECB_NOPAD = 0x10000010;
export const TEE_ALG_AES_CBC_NOPAD = 0x10000110;
export const TEE_ALG_AES_CTR = 0x10000210;
export const TEE_ALG_AES_CTS = 0x10000310;
export const TEE_ALG_AES_XTS = 0x10000410;
export const TEE_ALG_AES_CBC_MAC_NOPAD = 0x30000110;
export const TEE_ALG_AES_CBC_MAC_PKCS5 = 0x30000510;
export const TEE_ALG_AES_CMAC = 0x30000610;
export const TEE_ALG_AES_CCM = 0x40000710;
export const TEE_ALG_AES_GCM = 0x40000810;
export const TEE_ALG_MD5 = 0x50000001;
export const TEE_ALG_SHA1 = 0x50000002;
export const TEE_ALG_SHA224 = 0x50000003;
export const TEE_ALG_SHA256 = 0x50000004;
export const TEE_ALG_SHA384 = 0x50000005;
export const TEE_ALG_SHA512 = 0x50000006;
export const TEE_ALG_HMAC_MD5 = 0x30000001;
export const TEE_ALG_HMAC_SHA1 = 0x30000002;
export const TEE_ALG_HMAC_SHA224 = 0x30000003;
export const TEE_ALG_HMAC_SHA256 = 0x30000004;
export const TEE_ALG_HMAC_SHA384 = 0x30000005;
export const TEE_ALG_HMAC_SHA512 = 0x30000006;
export const TEE_ALG_RSASSA_PKCS1_V1_5_MD5 = 0x70001830;
export const TEE_ALG_RSASSA_PKCS1_V1_5_SHA1 = 0x70002830;
export const TEE_ALG_RSASSA_PKCS1_V1_5_SHA224 = 0x70003830;
export const TEE_ALG_RSASSA_PKCS1_V1_5_SHA256 = 0x70004830;
export const TEE_ALG_RSASSA_PKCS1_V1_5_SHA384 = 0x70005830;
export const TEE_ALG_RSASSA_PKCS1_V1_5_SHA512 = 0x70006830;
export const TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA1 = 0x70212930;
export const TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA224 = 0x70313930;
export const TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256 = 0x70414930;
export const TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA384 = 0x70515930;
export const TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA512 = 0x70616930;
export const TEE_ALG_RSAES_PKCS1_V1_5 = 0x60000130;
export const TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA1 = 0x60210230;
export const TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA224 = 0x60310230;
export const TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA256 = 0x60410230;
export const TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA384 = 0x60510230;
export const TEE_ALG_RSAES_PKCS1_OAEP_MGF1_SHA512 = 0x60610230;
export const TEE_ALG_RSA_NOPAD = 0x60000030;
export const TEE_ALG_ECDSA_SHA1 = 0x70001042;
export const TEE_ALG_ECDSA_SHA224 = 0x70002042;
export const TEE_ALG_ECDSA_SHA256 = 0x70003042;
export const TEE_ALG_ECDSA_SHA384 = 0x70004042;
export const TEE_ALG_ECDSA_SHA512 = 0x70005042;
export const __OPTEE_ALG_ECDSA_P192 = 0x70001041;
export const __OPTEE_ALG_ECDSA_P224 = 0x70002041;
export const __OPTEE_ALG_ECDSA_P256 = 0x70003041;
export const __OPTEE_ALG_ECDSA_P384 = 0x70004041;
export const __OPTEE_ALG_ECDSA_P521 = 0x70005041;
export const TEE_ALG_ECDH_DERIVE_SHARED_SECRET = 0x80000042;
export const __OPTEE_ALG_ECDH_P192 = 0x80001042;
export const __OPTEE_ALG_ECDH_P224 = 0x80002042;
export const __OPTEE_ALG_ECDH_P256 = 0x80003042;
export const __OPTEE_ALG_ECDH_P384 = 0x80004042;
export const __OPTEE_ALG_ECDH_P521 = 0x80005042;
export const TEE_ALG_ED25519 = 0x70006043;
export const TEE_ALG_X25519 = 0x80000044;
export const TEE_ALG_HKDF = 0x80000047;
export const TEE_ALG_HKDF_SHA1_DERIVE_KEY = 0x800020c0;
export const TEE_ALG_HKDF_SHA224_DERIVE_KEY = 0x800030c0;
export const TEE_ALG_HKDF_SHA256_DERIVE_KEY = 0x800040c0;
export const TEE_ALG_HKDF_SHA384_DERIVE_KEY = 0x800050c0;
export const TEE_ALG_HKDF_SHA512_DERIVE_KEY = 0x800060c0;

/* Object types. */
export const TEE_TYPE_GENERIC_SECRET = 0xa0000000;
export const TEE_TYPE_HMAC_MD5 = 0xa0000001;
export const TEE_TYPE_HMAC_SHA1 = 0xa0000002;
export const TEE_TYPE_HMAC_SHA224 = 0xa0000003;
export const TEE_TYPE_HMAC_SHA256 = 0xa0000004;
export const TEE_TYPE_HMAC_SHA384 = 0xa0000005;
export const TEE_TYPE_HMAC_SHA512 = 0xa0000006;
export const TEE_TYPE_AES = 0xa0000010;
export const TEE_TYPE_RSA_PUBLIC_KEY = 0xa0000030;
export const TEE_TYPE_RSA_KEYPAIR = 0xa1000030;
export const TEE_TYPE_ECDSA_PUBLIC_KEY = 0xa0000041;
export const TEE_TYPE_ECDSA_KEYPAIR = 0xa1000041;
export const TEE_TYPE_ECDH_PUBLIC_KEY = 0xa0000042;
export const TEE_TYPE_ECDH_KEYPAIR = 0xa1000042;
export const TEE_TYPE_ED25519_PUBLIC_KEY = 0xa0000043;
export const TEE_TYPE_ED25519_KEYPAIR = 0xa1000043;
export const TEE_TYPE_X25519_PUBLIC_KEY = 0xa0000044;
export const TEE_TYPE_X25519_KEYPAIR = 0xa1000044;
export const TEE_TYPE_HKDF = 0xa000004a;
export const TEE_TYPE_HKDF_IKM = 0xa10000c0;
export const TEE_TYPE_DATA = 0xa00000bf;
export const TEE_TYPE_CORRUPTED_OBJECT = 0xa00000be;

/* Attributes. */
export const TEE_ATTR_FLAG_PUBLIC = 0x10000000;
export const TEE_ATTR_FLAG_VALUE = 0x20000000;
export const TEE_ATTR_SECRET_VALUE = 0xc0000000;
export const TEE_ATTR_RSA_MODULUS = 0xd0000130;
export const TEE_ATTR_RSA_PUBLIC_EXPONENT = 0xd0000230;
export const TEE_ATTR_RSA_PRIVATE_EXPONENT = 0xc0000330;
export const TEE_ATTR_RSA_PRIME1 = 0xc0000430;
export const TEE_ATTR_RSA_PRIME2 = 0xc0000530;
export const TEE_ATTR_RSA_EXPONENT1 = 0xc0000630;
export const TEE_ATTR_RSA_EXPONENT2 = 0xc0000730;
export const TEE_ATTR_RSA_COEFFICIENT = 0xc0000830;
export const TEE_ATTR_RSA_OAEP_LABEL = 0xd0000930;
export const TEE_ATTR_RSA_OAEP_MGF_HASH = 0xd0000931;
export const TEE_ATTR_RSA_PSS_SALT_LENGTH = 0xf0000a30;
export const TEE_ATTR_ECC_PUBLIC_VALUE_X = 0xd0000141;
export const TEE_ATTR_ECC_PUBLIC_VALUE_Y = 0xd0000241;
export const TEE_ATTR_ECC_PRIVATE_VALUE = 0xc0000341;
export const TEE_ATTR_ECC_CURVE = 0xf0000441;
export const TEE_ATTR_EDDSA_CTX = 0xd0000643;
export const TEE_ATTR_ED25519_PUBLIC_VALUE = 0xd0000743;
export const TEE_ATTR_ED25519_PRIVATE_VALUE = 0xc0000843;
export const TEE_ATTR_X25519_PUBLIC_VALUE = 0xd0000944;
export const TEE_ATTR_X25519_PRIVATE_VALUE = 0xc0000a44;
export const TEE_ATTR_EDDSA_PREHASH = 0xf0000004;
export const TEE_ATTR_HKDF_SALT = 0xd0000946;
export const TEE_ATTR_HKDF_INFO = 0xd0000a46;
export const TEE_ATTR_HKDF_HASH_ALGORITHM = 0xf0000b46;
export const TEE_ATTR_KDF_KEY_SIZE = 0xf0000c46;
export const TEE_ATTR_HKDF_IKM = 0xc00001c0;
export const TEE_ATTR_OPTEE_HKDF_SALT = 0xd00002c0;
export const TEE_ATTR_OPTEE_HKDF_INFO = 0xd00003c0;
export const TEE_ATTR_HKDF_OKM_LENGTH = 0xf00004c0;

/* Curves. */
export const TEE_ECC_CURVE_NIST_P192 = 1;
export const TEE_ECC_CURVE_NIST_P224 = 2;
export const TEE_ECC_CURVE_NIST_P256 = 3;
export const TEE_ECC_CURVE_NIST_P384 = 4;
export const TEE_ECC_CURVE_NIST_P521 = 5;
export const TEE_ECC_CURVE_25519 = 0x300;

/* Usage and handle flags. */
export const TEE_USAGE_EXTRACTABLE = 0x1;
export const TEE_USAGE_ENCRYPT = 0x2;
export const TEE_USAGE_DECRYPT = 0x4;
export const TEE_USAGE_MAC = 0x8;
export const TEE_USAGE_SIGN = 0x10;
export const TEE_USAGE_VERIFY = 0x20;
export const TEE_USAGE_DERIVE = 0x40;
export const TEE_USAGE_DEFAULT = 0xffffffff;
export const TEE_HANDLE_FLAG_PERSISTENT = 0x10000;
export const TEE_HANDLE_FLAG_INITIALIZED = 0x20000;
export const TEE_HANDLE_FLAG_KEY_SET = 0x40000;
export const TEE_HANDLE_FLAG_EXPECT_TWO_KEYS = 0x80000;
export const TEE_HANDLE_FLAG_EXTRACTING = 0x100000;

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
  | 'ecdh' | 'x25519' | 'hkdf';

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
  /** Whether two keys are needed (XTS). */
  twoKeys?: boolean;
}

export const HASH_SIZES: Record<HashName, number> = { md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** Digest algorithm id -> hash name (also used by HKDF's hash attribute). */
export const DIGEST_HASH: ReadonlyMap<number, HashName> = new Map<number, HashName>([
  [TEE_ALG_MD5, 'md5'], [TEE_ALG_SHA1, 'sha1'], [TEE_ALG_SHA224, 'sha224'], [TEE_ALG_SHA256, 'sha256'],
  [TEE_ALG_SHA384, 'sha384'], [TEE_ALG_SHA512, 'sha512'],
]);

const ENC_DEC = [TEE_MODE_ENCRYPT, TEE_MODE_DECRYPT];
const SIGN_VER = [TEE_MODE_SIGN, TEE_MODE_VERIFY];
const RSA = [TEE_TYPE_RSA_KEYPAIR, TEE_TYPE_RSA_PUBLIC_KEY];
const ECDSA = [TEE_TYPE_ECDSA_KEYPAIR, TEE_TYPE_ECDSA_PUBLIC_KEY];
const HASHES: readonly [HashName, number][] = [['md5', 1], ['sha1', 2], ['sha224', 3], ['sha256', 4], ['sha384', 5], ['sha512', 6]];

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
    }
  }
  add({ id: TEE_ALG_RSASSA_PKCS1_V1_5_MD5, name: 'RSASSA_PKCS1_V1_5_MD5', cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE,
    kind: 'pkcs1sig', modes: SIGN_VER, keyTypes: RSA, hash: 'md5' });
  const aes = [TEE_TYPE_AES];
  for (const [id, cipher] of [[TEE_ALG_AES_ECB_NOPAD, 'ecb'], [TEE_ALG_AES_CBC_NOPAD, 'cbc'], [TEE_ALG_AES_CTR, 'ctr'],
    [TEE_ALG_AES_CTS, 'cts'], [TEE_ALG_AES_XTS, 'xts']] as const) {
    add({ id, name: `AES_${cipher.toUpperCase()}`, cls: TEE_OPERATION_CIPHER, kind: 'cipher', modes: ENC_DEC, keyTypes: aes, cipher,
      twoKeys: cipher === 'xts' });
  }
  add({ id: TEE_ALG_AES_CMAC, name: 'AES_CMAC', cls: TEE_OPERATION_MAC, kind: 'cmac', modes: [TEE_MODE_MAC], keyTypes: aes });
  add({ id: TEE_ALG_AES_CBC_MAC_NOPAD, name: 'AES_CBC_MAC_NOPAD', cls: TEE_OPERATION_MAC, kind: 'cbcmac', modes: [TEE_MODE_MAC], keyTypes: aes });
  add({ id: TEE_ALG_AES_CBC_MAC_PKCS5, name: 'AES_CBC_MAC_PKCS5', cls: TEE_OPERATION_MAC, kind: 'cbcmac', modes: [TEE_MODE_MAC], keyTypes: aes, pad: true });
  add({ id: TEE_ALG_AES_GCM, name: 'AES_GCM', cls: TEE_OPERATION_AE, kind: 'gcm', modes: ENC_DEC, keyTypes: aes });
  add({ id: TEE_ALG_AES_CCM, name: 'AES_CCM', cls: TEE_OPERATION_AE, kind: 'ccm', modes: ENC_DEC, keyTypes: aes });
  add({ id: TEE_ALG_RSAES_PKCS1_V1_5, name: 'RSAES_PKCS1_V1_5', cls: TEE_OPERATION_ASYMMETRIC_CIPHER, kind: 'rsaes', modes: ENC_DEC, keyTypes: RSA });
  add({ id: TEE_ALG_RSA_NOPAD, name: 'RSA_NOPAD', cls: TEE_OPERATION_ASYMMETRIC_CIPHER, kind: 'rsanopad', modes: ENC_DEC, keyTypes: RSA });
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
  add({ id: TEE_ALG_ED25519, name: 'ED25519', cls: TEE_OPERATION_ASYMMETRIC_SIGNATURE, kind: 'ed25519', modes: SIGN_VER,
    keyTypes: [TEE_TYPE_ED25519_KEYPAIR, TEE_TYPE_ED25519_PUBLIC_KEY] });
  add({ id: TEE_ALG_X25519, name: 'X25519', cls: TEE_OPERATION_KEY_DERIVATION, kind: 'x25519', modes: [TEE_MODE_DERIVE],
    keyTypes: [TEE_TYPE_X25519_KEYPAIR] });
  add({ id: TEE_ALG_HKDF, name: 'HKDF', cls: TEE_OPERATION_KEY_DERIVATION, kind: 'hkdf', modes: [TEE_MODE_DERIVE],
    keyTypes: [TEE_TYPE_HKDF, TEE_TYPE_HKDF_IKM, TEE_TYPE_GENERIC_SECRET] });
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
