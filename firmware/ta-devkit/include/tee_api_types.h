/*
 * GlobalPlatform TEE Internal Core API 1.3 types, AArch64 LP64 layouts.
 * Sizes are fixed by the ABI the TEE core and other TAs see (reference section 6), so each
 * struct that crosses a boundary carries a _Static_assert of its size.
 */
#ifndef TEE_API_TYPES_H
#define TEE_API_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t TEE_Result;

typedef struct {
	uint32_t timeLow;
	uint16_t timeMid;
	uint16_t timeHiAndVersion;
	uint8_t clockSeqAndNode[8];
} TEE_UUID;

typedef struct {
	uint32_t login;
	TEE_UUID uuid;
} TEE_Identity;

/* GP 1.3: memref sizes are size_t (GP 1.1 used uint32_t; we do not offer the 1.1 shape). */
typedef union {
	struct {
		void *buffer;
		size_t size;
	} memref;
	struct {
		uint32_t a;
		uint32_t b;
	} value;
} TEE_Param;

typedef struct {
	uint32_t attributeID;
	union {
		struct {
			void *buffer;
			size_t length;
		} ref;
		struct {
			uint32_t a;
			uint32_t b;
		} value;
	} content;
} TEE_Attribute;

typedef struct {
	uint32_t objectType;
	uint32_t objectSize;
	uint32_t maxObjectSize;
	uint32_t objectUsage;
	size_t dataSize;
	size_t dataPosition;
	uint32_t handleFlags;
} TEE_ObjectInfo;

typedef struct {
	uint32_t algorithm;
	uint32_t operationClass;
	uint32_t mode;
	uint32_t digestLength;
	uint32_t maxKeySize;
	uint32_t keySize;
	uint32_t requiredKeyUsage;
	uint32_t handleState;
} TEE_OperationInfo;

typedef struct {
	uint32_t keySize;
	uint32_t requiredKeyUsage;
} TEE_OperationInfoKey;

typedef struct {
	uint32_t algorithm;
	uint32_t operationClass;
	uint32_t mode;
	uint32_t digestLength;
	uint32_t maxKeySize;
	uint32_t handleState;
	uint32_t operationState;
	uint32_t numberOfKeys;
	TEE_OperationInfoKey keyInformation[];
} TEE_OperationInfoMultiple;

typedef struct {
	uint32_t seconds;
	uint32_t millis;
} TEE_Time;

typedef enum {
	TEE_DATA_SEEK_SET = 0,
	TEE_DATA_SEEK_CUR = 1,
	TEE_DATA_SEEK_END = 2,
} TEE_Whence;

typedef enum {
	TEE_MODE_ENCRYPT = 0,
	TEE_MODE_DECRYPT = 1,
	TEE_MODE_SIGN = 2,
	TEE_MODE_VERIFY = 3,
	TEE_MODE_MAC = 4,
	TEE_MODE_DIGEST = 5,
	TEE_MODE_DERIVE = 6,
} TEE_OperationMode;

typedef uint32_t TEE_ObjectType;

/* Opaque handles: the pointee types are never defined on purpose. */
typedef struct __TEE_TASessionHandle *TEE_TASessionHandle;
typedef struct __TEE_PropSetHandle *TEE_PropSetHandle;
typedef struct __TEE_ObjectHandle *TEE_ObjectHandle;
typedef struct __TEE_ObjectEnumHandle *TEE_ObjectEnumHandle;
typedef struct __TEE_OperationHandle *TEE_OperationHandle;

/* Arithmetic API storage units (functions arrive with the crypto work). */
typedef uint32_t TEE_BigInt;
typedef uint32_t TEE_BigIntFMM;
typedef uint32_t TEE_BigIntFMMContext;

_Static_assert(sizeof(TEE_UUID) == 16, "TEE_UUID is 16 bytes");
_Static_assert(sizeof(TEE_Identity) == 20, "TEE_Identity is 20 bytes");
_Static_assert(sizeof(TEE_Param) == 16, "TEE_Param is 16 bytes on AArch64");
_Static_assert(sizeof(TEE_Attribute) == 24, "TEE_Attribute is 24 bytes on AArch64");
_Static_assert(sizeof(TEE_ObjectInfo) == 40, "TEE_ObjectInfo is 40 bytes on AArch64");
_Static_assert(sizeof(TEE_OperationInfo) == 32, "TEE_OperationInfo is 32 bytes");
_Static_assert(sizeof(TEE_Time) == 8, "TEE_Time is 8 bytes");

#endif /* TEE_API_TYPES_H */
