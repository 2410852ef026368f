/**
 * GlobalPlatform result codes (TEE_* in the Internal Core API, TEEC_* in the Client API: same
 * values). Spelled as the specification spells them so that they grep the same in C and TS.
 */
export const TEE_SUCCESS = 0x00000000;
export const TEE_ERROR_CORRUPT_OBJECT = 0xf0100001;
export const TEE_ERROR_CORRUPT_OBJECT_2 = 0xf0100002;
export const TEE_ERROR_STORAGE_NOT_AVAILABLE = 0xf0100003;
export const TEE_ERROR_STORAGE_NOT_AVAILABLE_2 = 0xf0100004;
export const TEE_ERROR_UNSUPPORTED_VERSION = 0xf0100005;
export const TEE_ERROR_CIPHERTEXT_INVALID = 0xf0100006;
export const TEE_ERROR_GENERIC = 0xffff0000;
export const TEE_ERROR_ACCESS_DENIED = 0xffff0001;
export const TEE_ERROR_CANCEL = 0xffff0002;
export const TEE_ERROR_ACCESS_CONFLICT = 0xffff0003;
export const TEE_ERROR_EXCESS_DATA = 0xffff0004;
export const TEE_ERROR_BAD_FORMAT = 0xffff0005;
export const TEE_ERROR_BAD_PARAMETERS = 0xffff0006;
export const TEE_ERROR_BAD_STATE = 0xffff0007;
export const TEE_ERROR_ITEM_NOT_FOUND = 0xffff0008;
export const TEE_ERROR_NOT_IMPLEMENTED = 0xffff0009;
export const TEE_ERROR_NOT_SUPPORTED = 0xffff000a;
export const TEE_ERROR_NO_DATA = 0xffff000b;
export const TEE_ERROR_OUT_OF_MEMORY = 0xffff000c;
export const TEE_ERROR_BUSY = 0xffff000d;
export const TEE_ERROR_COMMUNICATION = 0xffff000e;
export const TEE_ERROR_SECURITY = 0xffff000f;
export const TEE_ERROR_SHORT_BUFFER = 0xffff0010;
export const TEE_ERROR_EXTERNAL_CANCEL = 0xffff0011;
export const TEE_ERROR_TIMEOUT = 0xffff3001;
export const TEE_ERROR_OVERFLOW = 0xffff300f;
export const TEE_ERROR_TARGET_DEAD = 0xffff3024;
export const TEE_ERROR_STORAGE_NO_SPACE = 0xffff3041;
export const TEE_ERROR_MAC_INVALID = 0xffff3071;
export const TEE_ERROR_SIGNATURE_INVALID = 0xffff3072;
export const TEE_ERROR_TIME_NOT_SET = 0xffff5000;
export const TEE_ERROR_TIME_NEEDS_RESET = 0xffff5001;

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries({
    TEE_SUCCESS, TEE_ERROR_CORRUPT_OBJECT, TEE_ERROR_CORRUPT_OBJECT_2, TEE_ERROR_STORAGE_NOT_AVAILABLE,
    TEE_ERROR_STORAGE_NOT_AVAILABLE_2, TEE_ERROR_UNSUPPORTED_VERSION, TEE_ERROR_CIPHERTEXT_INVALID,
    TEE_ERROR_GENERIC, TEE_ERROR_ACCESS_DENIED, TEE_ERROR_CANCEL, TEE_ERROR_ACCESS_CONFLICT,
    TEE_ERROR_EXCESS_DATA, TEE_ERROR_BAD_FORMAT, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE,
    TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_NOT_IMPLEMENTED, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_NO_DATA,
    TEE_ERROR_OUT_OF_MEMORY, TEE_ERROR_BUSY, TEE_ERROR_COMMUNICATION, TEE_ERROR_SECURITY,
    TEE_ERROR_SHORT_BUFFER, TEE_ERROR_EXTERNAL_CANCEL, TEE_ERROR_TIMEOUT, TEE_ERROR_OVERFLOW,
    TEE_ERROR_TARGET_DEAD, TEE_ERROR_STORAGE_NO_SPACE, TEE_ERROR_MAC_INVALID, TEE_ERROR_SIGNATURE_INVALID,
    TEE_ERROR_TIME_NOT_SET, TEE_ERROR_TIME_NEEDS_RESET,
  }).map(([name, value]) => [value, name]),
);

/** The specification's name of a result code, or its hex form when unknown. */
export function resultName(code: number): string {
  return NAMES.get(code >>> 0) ?? hex32(code);
}

/** `0x` followed by 8 lowercase hex digits. */
export function hex32(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}
