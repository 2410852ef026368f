/**
 * The GlobalPlatform TEE Client API's constants (tee_client_api.h): result codes (the same
 * values as the Internal Core API's, so they are derived from abi/results.ts, never retyped),
 * return origins, parameter types, shared-memory flags and login methods. Imported by the
 * protocol, the server, the client library and the normal world's driver; it works in
 * browsers (no Node imports).
 */
import {
  TEE_SUCCESS, TEE_ERROR_GENERIC, TEE_ERROR_ACCESS_DENIED, TEE_ERROR_CANCEL,
  TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_EXCESS_DATA, TEE_ERROR_BAD_FORMAT, TEE_ERROR_BAD_PARAMETERS,
  TEE_ERROR_BAD_STATE, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_NOT_IMPLEMENTED, TEE_ERROR_NOT_SUPPORTED,
  TEE_ERROR_NO_DATA, TEE_ERROR_OUT_OF_MEMORY, TEE_ERROR_BUSY, TEE_ERROR_COMMUNICATION,
  TEE_ERROR_SECURITY, TEE_ERROR_SHORT_BUFFER, TEE_ERROR_EXTERNAL_CANCEL, TEE_ERROR_TARGET_DEAD
} from './results.js';

export const TEEC_SUCCESS = TEE_SUCCESS;
export const TEEC_ERROR_GENERIC = TEE_ERROR_GENERIC;
export const TEEC_ERROR_ACCESS_DENIED = TEE_ERROR_ACCESS_DENIED;
export const TEEC_ERROR_CANCEL = TEE_ERROR_CANCEL;
export const TEEC_ERROR_ACCESS_CONFLICT = TEE_ERROR_ACCESS_CONFLICT;
export const TEEC_ERROR_EXCESS_DATA = TEE_ERROR_EXCESS_DATA;
export const TEEC_ERROR_BAD_FORMAT = TEE_ERROR_BAD_FORMAT;
export const TEEC_ERROR_BAD_PARAMETERS = TEE_ERROR_BAD_PARAMETERS;
export const TEEC_ERROR_BAD_STATE = TEE_ERROR_BAD_STATE;
export const TEEC_ERROR_ITEM_NOT_FOUND = TEE_ERROR_ITEM_NOT_FOUND;
export const TEEC_ERROR_NOT_IMPLEMENTED = TEE_ERROR_NOT_IMPLEMENTED;
export const TEEC_ERROR_NOT_SUPPORTED = TEE_ERROR_NOT_SUPPORTED;
export const TEEC_ERROR_NO_DATA = TEE_ERROR_NO_DATA;
export const TEEC_ERROR_OUT_OF_MEMORY = TEE_ERROR_OUT_OF_MEMORY;
export const TEEC_ERROR_BUSY = TEE_ERROR_BUSY;
export const TEEC_ERROR_COMMUNICATION = TEE_ERROR_COMMUNICATION;
export const TEEC_ERROR_SECURITY = TEE_ERROR_SECURITY;
export const TEEC_ERROR_SHORT_BUFFER = TEE_ERROR_SHORT_BUFFER;
export const TEEC_ERROR_EXTERNAL_CANCEL = TEE_ERROR_EXTERNAL_CANCEL;
export const TEEC_ERROR_TARGET_DEAD = TEE_ERROR_TARGET_DEAD;

export const TEEC_ORIGIN_API = 1;
export const TEEC_ORIGIN_COMMS = 2;
export const TEEC_ORIGIN_TEE = 3;
export const TEEC_ORIGIN_TRUSTED_APP = 4;

export const TEEC_NONE = 0x0;
export const TEEC_VALUE_INPUT = 0x1;
export const TEEC_VALUE_OUTPUT = 0x2;
export const TEEC_VALUE_INOUT = 0x3;
export const TEEC_MEMREF_TEMP_INPUT = 0x5;
export const TEEC_MEMREF_TEMP_OUTPUT = 0x6;
export const TEEC_MEMREF_TEMP_INOUT = 0x7;
export const TEEC_MEMREF_WHOLE = 0xc;
export const TEEC_MEMREF_PARTIAL_INPUT = 0xd;
export const TEEC_MEMREF_PARTIAL_OUTPUT = 0xe;
export const TEEC_MEMREF_PARTIAL_INOUT = 0xf;

export const TEEC_MEM_INPUT = 0x1;
export const TEEC_MEM_OUTPUT = 0x2;

export const TEEC_LOGIN_PUBLIC = 0;
export const TEEC_LOGIN_USER = 1;
export const TEEC_LOGIN_GROUP = 2;
export const TEEC_LOGIN_APPLICATION = 4;
export const TEEC_LOGIN_USER_APPLICATION = 5;
export const TEEC_LOGIN_GROUP_APPLICATION = 6;

export const TEEC_CONFIG_PAYLOAD_REF_COUNT = 4;

/** `TEEC_PARAM_TYPES(p0, p1, p2, p3)`. */
export function TEEC_PARAM_TYPES(p0: number, p1 = 0, p2 = 0, p3 = 0): number {
  return (p0 | (p1 << 4) | (p2 << 8) | (p3 << 12)) >>> 0;
}

/** `TEEC_PARAM_TYPE_GET(types, i)`. */
export function TEEC_PARAM_TYPE_GET(types: number, i: number): number {
  return (types >>> (4 * i)) & 0xf;
}
