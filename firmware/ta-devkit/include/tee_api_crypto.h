/*
 * GP TEE Internal Core API 1.3 cryptography: generic and transient objects, generic operations,
 * digest, MAC, symmetric cipher, authenticated encryption, asymmetric operations and key
 * derivation (the arithmetic TEE_BigInt* API is not provided). Implemented in
 * lib/tee_api_objects.c, lib/tee_api_operations.c and one lib/tee_api_<class>.c per operation class
 * (digest, mac, cipher, ae, asym, derive) on top of syscalls 15-40 and 54.
 * Persistent-object functions are declared with trusted storage.
 */
#ifndef TEE_API_CRYPTO_H
#define TEE_API_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <tee_api_defines.h>
#include <tee_api_types.h>

/* Identifiers that tee_api_defines.h does not carry (values from OP-TEE's tee_api_defines.h). */
#ifndef TEE_OPERATION_STATE_INITIAL
#define TEE_OPERATION_STATE_INITIAL 0x00000000
#define TEE_OPERATION_STATE_ACTIVE 0x00000001
#define TEE_OPERATION_STATE_EXTRACTING 0x00000002
#endif
#ifndef TEE_USAGE_DEFAULT
#define TEE_USAGE_DEFAULT 0xFFFFFFFF
#endif
#ifndef TEE_CRYPTO_ELEMENT_NONE
#define TEE_CRYPTO_ELEMENT_NONE 0x00000000
#endif
#ifndef TEE_ATTR_RSA_OAEP_LABEL
#define TEE_ATTR_RSA_OAEP_LABEL 0xD0000930
#define TEE_ATTR_RSA_OAEP_MGF_HASH 0xD0000931
#endif
#ifndef TEE_ATTR_ED25519_PUBLIC_VALUE
#define TEE_ATTR_EDDSA_CTX 0xD0000643
#define TEE_ATTR_ED25519_PUBLIC_VALUE 0xD0000743
#define TEE_ATTR_ED25519_PRIVATE_VALUE 0xC0000843
#define TEE_ATTR_X25519_PUBLIC_VALUE 0xD0000944
#define TEE_ATTR_X25519_PRIVATE_VALUE 0xC0000A44
#define TEE_ATTR_EDDSA_PREHASH 0xF0000004
#endif
#ifndef TEE_ATTR_HKDF_SALT
#define TEE_ATTR_HKDF_SALT 0xD0000946
#define TEE_ATTR_HKDF_INFO 0xD0000A46
#define TEE_ATTR_HKDF_HASH_ALGORITHM 0xF0000B46
#define TEE_ATTR_KDF_KEY_SIZE 0xF0000C46
#endif
/* OP-TEE extension HKDF (tee_api_defines_extensions.h). */
#ifndef TEE_TYPE_HKDF_IKM
#define TEE_TYPE_HKDF_IKM 0xA10000C0
#define TEE_ATTR_HKDF_IKM 0xC00001C0
#define TEE_ATTR_HKDF_OKM_LENGTH 0xF00004C0
#endif
/* The extension's salt and info ids differ from GP's: spelled as OP-TEE spells them. */
#ifndef TEE_ATTR_OPTEE_HKDF_SALT
#define TEE_ATTR_OPTEE_HKDF_SALT 0xD00002C0
#define TEE_ATTR_OPTEE_HKDF_INFO 0xD00003C0
#endif

/* Generic objects */
TEE_Result TEE_GetObjectInfo1(TEE_ObjectHandle object, TEE_ObjectInfo *objectInfo);
void TEE_GetObjectInfo(TEE_ObjectHandle object, TEE_ObjectInfo *objectInfo);
TEE_Result TEE_RestrictObjectUsage1(TEE_ObjectHandle object, uint32_t objectUsage);
void TEE_RestrictObjectUsage(TEE_ObjectHandle object, uint32_t objectUsage);
TEE_Result TEE_GetObjectBufferAttribute(TEE_ObjectHandle object, uint32_t attributeID, void *buffer,
					size_t *size);
TEE_Result TEE_GetObjectValueAttribute(TEE_ObjectHandle object, uint32_t attributeID, uint32_t *a,
				       uint32_t *b);
void TEE_CloseObject(TEE_ObjectHandle object);

/* Transient objects */
TEE_Result TEE_AllocateTransientObject(TEE_ObjectType objectType, uint32_t maxObjectSize,
				       TEE_ObjectHandle *object);
void TEE_FreeTransientObject(TEE_ObjectHandle object);
void TEE_ResetTransientObject(TEE_ObjectHandle object);
TEE_Result TEE_PopulateTransientObject(TEE_ObjectHandle object, const TEE_Attribute *attrs,
				       uint32_t attrCount);
void TEE_InitRefAttribute(TEE_Attribute *attr, uint32_t attributeID, const void *buffer,
			  size_t length);
void TEE_InitValueAttribute(TEE_Attribute *attr, uint32_t attributeID, uint32_t a, uint32_t b);
void TEE_CopyObjectAttributes(TEE_ObjectHandle destObject, TEE_ObjectHandle srcObject);
TEE_Result TEE_CopyObjectAttributes1(TEE_ObjectHandle destObject, TEE_ObjectHandle srcObject);
TEE_Result TEE_GenerateKey(TEE_ObjectHandle object, uint32_t keySize, const TEE_Attribute *params,
			   uint32_t paramCount);

/* Generic operations */
TEE_Result TEE_AllocateOperation(TEE_OperationHandle *operation, uint32_t algorithm, uint32_t mode,
				 uint32_t maxKeySize);
void TEE_FreeOperation(TEE_OperationHandle operation);
void TEE_GetOperationInfo(TEE_OperationHandle operation, TEE_OperationInfo *operationInfo);
TEE_Result TEE_GetOperationInfoMultiple(TEE_OperationHandle operation,
					TEE_OperationInfoMultiple *operationInfoMultiple,
					size_t *operationSize);
void TEE_ResetOperation(TEE_OperationHandle operation);
TEE_Result TEE_SetOperationKey(TEE_OperationHandle operation, TEE_ObjectHandle key);
TEE_Result TEE_SetOperationKey2(TEE_OperationHandle operation, TEE_ObjectHandle key1,
				TEE_ObjectHandle key2);
void TEE_CopyOperation(TEE_OperationHandle dstOperation, TEE_OperationHandle srcOperation);
TEE_Result TEE_IsAlgorithmSupported(uint32_t algId, uint32_t element);

/* Message digest */
void TEE_DigestUpdate(TEE_OperationHandle operation, const void *chunk, size_t chunkSize);
TEE_Result TEE_DigestDoFinal(TEE_OperationHandle operation, const void *chunk, size_t chunkLen,
			     void *hash, size_t *hashLen);
TEE_Result TEE_DigestExtract(TEE_OperationHandle operation, void *hash, size_t *hashLen);

/* Symmetric cipher */
void TEE_CipherInit(TEE_OperationHandle operation, const void *IV, size_t IVLen);
TEE_Result TEE_CipherUpdate(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			    void *destData, size_t *destLen);
TEE_Result TEE_CipherDoFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			     void *destData, size_t *destLen);

/* MAC */
void TEE_MACInit(TEE_OperationHandle operation, const void *IV, size_t IVLen);
void TEE_MACUpdate(TEE_OperationHandle operation, const void *chunk, size_t chunkSize);
TEE_Result TEE_MACComputeFinal(TEE_OperationHandle operation, const void *message,
			       size_t messageLen, void *mac, size_t *macLen);
TEE_Result TEE_MACCompareFinal(TEE_OperationHandle operation, const void *message,
			       size_t messageLen, const void *mac, size_t macLen);

/* Authenticated encryption (tagLen in bits) */
TEE_Result TEE_AEInit(TEE_OperationHandle operation, const void *nonce, size_t nonceLen,
		      uint32_t tagLen, size_t AADLen, size_t payloadLen);
void TEE_AEUpdateAAD(TEE_OperationHandle operation, const void *AADdata, size_t AADdataLen);
TEE_Result TEE_AEUpdate(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			void *destData, size_t *destLen);
TEE_Result TEE_AEEncryptFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			      void *destData, size_t *destLen, void *tag, size_t *tagLen);
TEE_Result TEE_AEDecryptFinal(TEE_OperationHandle operation, const void *srcData, size_t srcLen,
			      void *destData, size_t *destLen, void *tag, size_t tagLen);

/* Asymmetric */
TEE_Result TEE_AsymmetricEncrypt(TEE_OperationHandle operation, const TEE_Attribute *params,
				 uint32_t paramCount, const void *srcData, size_t srcLen,
				 void *destData, size_t *destLen);
TEE_Result TEE_AsymmetricDecrypt(TEE_OperationHandle operation, const TEE_Attribute *params,
				 uint32_t paramCount, const void *srcData, size_t srcLen,
				 void *destData, size_t *destLen);
TEE_Result TEE_AsymmetricSignDigest(TEE_OperationHandle operation, const TEE_Attribute *params,
				    uint32_t paramCount, const void *digest, size_t digestLen,
				    void *signature, size_t *signatureLen);
TEE_Result TEE_AsymmetricVerifyDigest(TEE_OperationHandle operation, const TEE_Attribute *params,
				      uint32_t paramCount, const void *digest, size_t digestLen,
				      const void *signature, size_t signatureLen);

/* Key derivation */
void TEE_DeriveKey(TEE_OperationHandle operation, const TEE_Attribute *params, uint32_t paramCount,
		   TEE_ObjectHandle derivedKey);

#endif /* TEE_API_CRYPTO_H */
