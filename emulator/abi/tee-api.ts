/**
 * GlobalPlatform TEE Internal Core API identifiers, as TAs see them (OP-TEE's tee_api_defines.h
 * values; ../shared/reference/optee-abi.md). Defined once here; test/unit/abi-constants.test.ts
 * checks the dev kit's C header firmware/ta-devkit/include/tee_api_defines.h against them.
 */

/** TEE_LOGIN_* values. */
export const TEE_LOGIN_PUBLIC = 0;
export const TEE_LOGIN_USER = 1;
export const TEE_LOGIN_GROUP = 2;
export const TEE_LOGIN_APPLICATION = 4;
export const TEE_LOGIN_APPLICATION_USER = 5;
export const TEE_LOGIN_APPLICATION_GROUP = 6;
export const TEE_LOGIN_TRUSTED_APP = 0xf0000000;

/** TEE_PARAM_TYPE_* (same values as TEEC's temporary-memref types). */
export const TEE_PARAM_TYPE_NONE = 0;
export const TEE_PARAM_TYPE_VALUE_INPUT = 1;
export const TEE_PARAM_TYPE_VALUE_OUTPUT = 2;
export const TEE_PARAM_TYPE_VALUE_INOUT = 3;
export const TEE_PARAM_TYPE_MEMREF_INPUT = 5;
export const TEE_PARAM_TYPE_MEMREF_OUTPUT = 6;
export const TEE_PARAM_TYPE_MEMREF_INOUT = 7;
export const TEE_NUM_PARAMS = 4;

/* Trusted storage. */
export const TEE_STORAGE_PRIVATE = 0x1;
export const TEE_STORAGE_PRIVATE_REE = 0x80000000;
export const TEE_STORAGE_PRIVATE_RPMB = 0x80000100;
export const TEE_OBJECT_ID_MAX_LEN = 64;
export const TEE_DATA_MAX_POSITION = 0xffffffff;
export const TEE_DATA_FLAG_ACCESS_READ = 0x1;
export const TEE_DATA_FLAG_ACCESS_WRITE = 0x2;
export const TEE_DATA_FLAG_ACCESS_WRITE_META = 0x4;
export const TEE_DATA_FLAG_SHARE_READ = 0x10;
export const TEE_DATA_FLAG_SHARE_WRITE = 0x20;
export const TEE_DATA_FLAG_OVERWRITE = 0x400;
export const TEE_DATA_SEEK_SET = 0;
export const TEE_DATA_SEEK_CUR = 1;
export const TEE_DATA_SEEK_END = 2;

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
export const TEE_ALG_DES_ECB_NOPAD = 0x10000011;
export const TEE_ALG_DES_CBC_NOPAD = 0x10000111;
export const TEE_ALG_DES3_ECB_NOPAD = 0x10000013;
export const TEE_ALG_DES3_CBC_NOPAD = 0x10000113;
export const TEE_ALG_DES_CBC_MAC_NOPAD = 0x30000111;
export const TEE_ALG_DES_CBC_MAC_PKCS5 = 0x30000511;
export const TEE_ALG_DES3_CBC_MAC_NOPAD = 0x30000113;
export const TEE_ALG_DES3_CBC_MAC_PKCS5 = 0x30000513;
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
export const TEE_ALG_SM3 = 0x50000007;
export const TEE_ALG_SHA3_224 = 0x50000008;
export const TEE_ALG_SHA3_256 = 0x50000009;
export const TEE_ALG_SHA3_384 = 0x5000000a;
export const TEE_ALG_SHA3_512 = 0x5000000b;
export const TEE_ALG_SHAKE128 = 0x50000101;
export const TEE_ALG_SHAKE256 = 0x50000102;
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
export const TEE_ALG_DSA_SHA1 = 0x70002131;
export const TEE_ALG_DSA_SHA224 = 0x70003131;
export const TEE_ALG_DSA_SHA256 = 0x70004131;
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
export const TEE_ALG_DH_DERIVE_SHARED_SECRET = 0x80000032;
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
export const TEE_TYPE_HMAC_SM3 = 0xa0000007;
export const TEE_TYPE_HMAC_SHA3_224 = 0xa0000008;
export const TEE_TYPE_HMAC_SHA3_256 = 0xa0000009;
export const TEE_TYPE_HMAC_SHA3_384 = 0xa000000a;
export const TEE_TYPE_HMAC_SHA3_512 = 0xa000000b;
export const TEE_TYPE_AES = 0xa0000010;
export const TEE_TYPE_DES = 0xa0000011;
export const TEE_TYPE_SM4 = 0xa0000014;
export const TEE_TYPE_DES3 = 0xa0000013;
export const TEE_TYPE_RSA_PUBLIC_KEY = 0xa0000030;
export const TEE_TYPE_RSA_KEYPAIR = 0xa1000030;
export const TEE_TYPE_DSA_PUBLIC_KEY = 0xa0000031;
export const TEE_TYPE_DSA_KEYPAIR = 0xa1000031;
export const TEE_TYPE_ECDSA_PUBLIC_KEY = 0xa0000041;
export const TEE_TYPE_ECDSA_KEYPAIR = 0xa1000041;
export const TEE_TYPE_ECDH_PUBLIC_KEY = 0xa0000042;
export const TEE_TYPE_ECDH_KEYPAIR = 0xa1000042;
export const TEE_TYPE_DH_KEYPAIR = 0xa1000032;
export const TEE_ATTR_DH_PRIME = 0xd0001032;
export const TEE_ATTR_DH_SUBPRIME = 0xd0001132;
export const TEE_ATTR_DH_BASE = 0xd0001232;
export const TEE_ATTR_DH_X_BITS = 0xf0001332;
export const TEE_ATTR_DH_PUBLIC_VALUE = 0xd0000132;
export const TEE_ATTR_DH_PRIVATE_VALUE = 0xc0000232;
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
export const TEE_ATTR_DSA_PRIME = 0xd0001031;
export const TEE_ATTR_DSA_SUBPRIME = 0xd0001131;
export const TEE_ATTR_DSA_BASE = 0xd0001231;
export const TEE_ATTR_DSA_PUBLIC_VALUE = 0xd0000131;
export const TEE_ATTR_DSA_PRIVATE_VALUE = 0xc0000231;
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
export const TEE_ECC_CURVE_SM2 = 0x400;

/* SM2 (GM/T 0003): OP-TEE's ids, outside GP 1.3's layout (KEP's class is 8, PKE's 6). */
export const TEE_ALG_SM2_DSA_SM3 = 0x70006045;
export const TEE_ALG_SM2_KEP = 0x60000045;
export const TEE_ALG_SM2_PKE = 0x80000046;
export const TEE_TYPE_SM2_DSA_PUBLIC_KEY = 0xa0000045;
export const TEE_TYPE_SM2_DSA_KEYPAIR = 0xa1000045;
export const TEE_TYPE_SM2_KEP_PUBLIC_KEY = 0xa0000046;
export const TEE_TYPE_SM2_KEP_KEYPAIR = 0xa1000046;
export const TEE_TYPE_SM2_PKE_PUBLIC_KEY = 0xa0000047;
export const TEE_TYPE_SM2_PKE_KEYPAIR = 0xa1000047;
export const TEE_ATTR_SM2_ID_INITIATOR = 0xd0000446;
export const TEE_ATTR_SM2_ID_RESPONDER = 0xd0000546;
export const TEE_ATTR_SM2_KEP_USER = 0xf0000646;
export const TEE_ATTR_SM2_KEP_CONFIRMATION_IN = 0xd0000746;
export const TEE_ATTR_SM2_KEP_CONFIRMATION_OUT = 0xd0000846;
export const TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X = 0xd0000146;
export const TEE_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_Y = 0xd0000246;
/** OP-TEE's first ids for the peer's ephemeral key (still accepted by its core). */
export const __OPTEE_SM2_KEP_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_X = 0xd0000946;
export const __OPTEE_SM2_KEP_ATTR_ECC_EPHEMERAL_PUBLIC_VALUE_Y = 0xd0000a46;

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

/* TEE_CheckMemoryAccessRights flags. */
export const TEE_MEMORY_ACCESS_READ = 0x1;
export const TEE_MEMORY_ACCESS_WRITE = 0x2;
export const TEE_MEMORY_ACCESS_ANY_OWNER = 0x4;
export const TEE_MEMORY_ACCESS_NONSECURE = 0x10000000;
export const TEE_MEMORY_ACCESS_SECURE = 0x20000000;
