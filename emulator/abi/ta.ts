/**
 * The TA side of OP-TEE's ABI: ta_head flags and the utee entry functions (OP-TEE's
 * user_ta_header.h and utee_types.h; ../shared/reference/optee-abi.md). Defined once here;
 * test/unit/abi-constants.test.ts checks the dev kit's user_ta_header.h against them.
 */

/** TA_FLAG_* (ta_head.flags and the TA's gpd.ta.flags property). */
export const TA_FLAG_SINGLE_INSTANCE = 1 << 2;
export const TA_FLAG_MULTI_SESSION = 1 << 3;
export const TA_FLAG_INSTANCE_KEEP_ALIVE = 1 << 4;
export const TA_FLAG_SECURE_DATA_PATH = 1 << 5;
export const TA_FLAG_CACHE_MAINTENANCE = 1 << 7;
export const TA_FLAG_CONCURRENT = 1 << 8;
export const TA_FLAG_DEVICE_ENUM = 1 << 9;
export const TA_FLAG_DEVICE_ENUM_SUPP = 1 << 10;
export const TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT = 1 << 11;
export const TA_FLAG_DEVICE_ENUM_TEE_STORAGE_PRIVATE = 1 << 12;
export const TA_FLAG_INSTANCE_KEEP_CRASHED = 1 << 13;

/** TA_FLAGS_MASK = GENMASK(13, 0): any other bit makes the load fail. */
export const TA_FLAGS_MASK = 0x3fff;
/** TA_FLAG_* bits by name (deprecated zero-valued flags omitted). */
export const TA_FLAG_NAMES: readonly (readonly [string, number])[] = [
  ['SINGLE_INSTANCE', TA_FLAG_SINGLE_INSTANCE], ['MULTI_SESSION', TA_FLAG_MULTI_SESSION],
  ['INSTANCE_KEEP_ALIVE', TA_FLAG_INSTANCE_KEEP_ALIVE], ['SECURE_DATA_PATH', TA_FLAG_SECURE_DATA_PATH],
  ['CACHE_MAINTENANCE', TA_FLAG_CACHE_MAINTENANCE], ['CONCURRENT', TA_FLAG_CONCURRENT],
  ['DEVICE_ENUM', TA_FLAG_DEVICE_ENUM], ['DEVICE_ENUM_SUPP', TA_FLAG_DEVICE_ENUM_SUPP],
  ['DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT', TA_FLAG_DONT_CLOSE_HANDLE_ON_CORRUPT_OBJECT],
  ['DEVICE_ENUM_TEE_STORAGE_PRIVATE', TA_FLAG_DEVICE_ENUM_TEE_STORAGE_PRIVATE],
  ['INSTANCE_KEEP_CRASHED', TA_FLAG_INSTANCE_KEEP_CRASHED],
];

/** Names of the TA_FLAG_* bits set in `flags`; unnamed bits appear as hex. */
export function taFlagNames(flags: number): string[] {
  const names = TA_FLAG_NAMES.filter(([, bit]) => flags & bit).map(([name]) => name);
  const known = TA_FLAG_NAMES.reduce((m, [, bit]) => m | bit, 0);
  if (flags & ~known) names.push(`0x${(flags & ~known).toString(16)}`);
  return names;
}

/** utee_entry_func values. */
export const UTEE_ENTRY_OPEN_SESSION = 0;
export const UTEE_ENTRY_CLOSE_SESSION = 1;
export const UTEE_ENTRY_INVOKE_COMMAND = 2;
