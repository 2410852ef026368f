/**
 * SMC Calling Convention (Arm DEN 0028) function identifiers: decoding and the names of the
 * calls this device knows. Values from OP-TEE's optee_smc.h and the PSCI specification.
 */

/** Owning entity numbers (bits 29:24). */
export const SMCCC_OWNER_ARCH = 0;
export const SMCCC_OWNER_CPU = 1;
export const SMCCC_OWNER_SIP = 2;
export const SMCCC_OWNER_OEM = 3;
export const SMCCC_OWNER_STANDARD = 4;
export const SMCCC_OWNER_STANDARD_HYP = 5;
export const SMCCC_OWNER_VENDOR_HYP = 6;
export const SMCCC_OWNER_TRUSTED_APP = 48;
export const SMCCC_OWNER_TRUSTED_OS = 50;
export const SMCCC_OWNER_TRUSTED_OS_END = 63;

/** The answer to an unknown function id. */
export const SMC_UNK = 0xffffffff;

/** OP-TEE's SMC function ids (optee_smc.h). */
export const OPTEE_SMC_CALLS_COUNT = 0xbf00ff00;
export const OPTEE_SMC_CALLS_UID = 0xbf00ff01;
export const OPTEE_SMC_CALLS_REVISION = 0xbf00ff03;
export const OPTEE_SMC_CALL_GET_OS_UUID = 0xb2000000;
export const OPTEE_SMC_CALL_GET_OS_REVISION = 0xb2000001;
export const OPTEE_SMC_CALL_RETURN_FROM_RPC = 0x32000003;
export const OPTEE_SMC_CALL_WITH_ARG = 0x32000004;
export const OPTEE_SMC_GET_SHM_CONFIG = 0xb2000007;
export const OPTEE_SMC_L2CC_MUTEX = 0xb2000008;
export const OPTEE_SMC_EXCHANGE_CAPABILITIES = 0xb2000009;
export const OPTEE_SMC_DISABLE_SHM_CACHE = 0xb200000a;
export const OPTEE_SMC_ENABLE_SHM_CACHE = 0xb200000b;
export const OPTEE_SMC_GET_THREAD_COUNT = 0xb200000f;
export const OPTEE_SMC_CALL_WITH_RPC_ARG = 0x32000012;
export const OPTEE_SMC_CALL_WITH_REGD_ARG = 0x32000013;

/** PSCI function ids (SMC32 forms). */
export const PSCI_VERSION = 0x84000000;
export const PSCI_CPU_OFF = 0x84000002;
export const PSCI_SYSTEM_OFF = 0x84000008;
export const PSCI_SYSTEM_RESET = 0x84000009;
export const PSCI_FEATURES = 0x8400000a;
export const PSCI_NOT_SUPPORTED = 0xffffffff; // -1

/** Return codes in a0 (OPTEE_SMC_RETURN_*). */
export const OPTEE_SMC_RETURN_OK = 0x0;
export const OPTEE_SMC_RETURN_ETHREAD_LIMIT = 0x1;
export const OPTEE_SMC_RETURN_EBUSY = 0x2;
export const OPTEE_SMC_RETURN_ERESUME = 0x3;
export const OPTEE_SMC_RETURN_EBADADDR = 0x4;
export const OPTEE_SMC_RETURN_EBADCMD = 0x5;
export const OPTEE_SMC_RETURN_ENOMEM = 0x6;
export const OPTEE_SMC_RETURN_ENOTAVAIL = 0x7;
export const OPTEE_SMC_RETURN_UNKNOWN_FUNCTION = 0xffffffff;
export const OPTEE_SMC_RETURN_RPC_ALLOC = 0xffff0000;
export const OPTEE_SMC_RETURN_RPC_FREE = 0xffff0002;
export const OPTEE_SMC_RETURN_RPC_FOREIGN_INTR = 0xffff0004;
export const OPTEE_SMC_RETURN_RPC_CMD = 0xffff0005;

/** Capability bits (OPTEE_SMC_SEC_CAP_* / OPTEE_SMC_NSEC_CAP_*). */
export const OPTEE_SMC_NSEC_CAP_UNIPROCESSOR = 1 << 0;
export const OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM = 1 << 0;
export const OPTEE_SMC_SEC_CAP_UNREGISTERED_SHM = 1 << 1;
export const OPTEE_SMC_SEC_CAP_DYNAMIC_SHM = 1 << 2;
export const OPTEE_SMC_SEC_CAP_MEMREF_NULL = 1 << 4;

const NAMES: ReadonlyMap<number, string> = new Map(Object.entries({
  OPTEE_SMC_CALLS_COUNT, OPTEE_SMC_CALLS_UID, OPTEE_SMC_CALLS_REVISION, OPTEE_SMC_CALL_GET_OS_UUID,
  OPTEE_SMC_CALL_GET_OS_REVISION, OPTEE_SMC_CALL_RETURN_FROM_RPC, OPTEE_SMC_CALL_WITH_ARG,
  OPTEE_SMC_GET_SHM_CONFIG, OPTEE_SMC_L2CC_MUTEX, OPTEE_SMC_EXCHANGE_CAPABILITIES,
  OPTEE_SMC_DISABLE_SHM_CACHE, OPTEE_SMC_ENABLE_SHM_CACHE, OPTEE_SMC_GET_THREAD_COUNT,
  OPTEE_SMC_CALL_WITH_RPC_ARG, OPTEE_SMC_CALL_WITH_REGD_ARG,
  PSCI_VERSION, PSCI_CPU_OFF, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_FEATURES,
}).map(([name, id]) => [id, name]));

const RETURN_NAMES: ReadonlyMap<number, string> = new Map(Object.entries({
  OPTEE_SMC_RETURN_RPC_ALLOC, OPTEE_SMC_RETURN_RPC_FREE, OPTEE_SMC_RETURN_RPC_FOREIGN_INTR, OPTEE_SMC_RETURN_RPC_CMD,
}).map(([name, id]) => [id, name]));

const OWNER_NAMES: Record<number, string> = {
  0: 'Arm architecture', 1: 'CPU service', 2: 'SiP service', 3: 'OEM service', 4: 'standard service',
  5: 'standard hypervisor service', 6: 'vendor hypervisor service',
};

/** A decoded SMCCC function id. */
export interface SmcFunction {
  id: number;
  /** Fast calls run atomically; yielding (standard) calls may be preempted and resumed. */
  fast: boolean;
  /** SMC64 (bit 30) or SMC32 calling convention. */
  smc64: boolean;
  owner: number;
  ownerName: string;
  number: number;
  /** The call's name when known (OPTEE_SMC_CALLS_UID, PSCI_VERSION, ...), else a description. */
  name: string;
  known: boolean;
}

/** Decoded known ids: the normal world makes the same few calls over and over. */
const decodedKnown = new Map<number, Readonly<SmcFunction>>();

/** Decodes a function id per the SMC Calling Convention (the result must not be modified). */
export function decodeFunctionId(id: number): Readonly<SmcFunction> {
  const fid = id >>> 0;
  const cached = decodedKnown.get(fid);
  if (cached) return cached;
  const fn = decode(fid);
  // Only named ids are kept, so a normal world that tries every id cannot grow the map.
  if (fn.known) decodedKnown.set(fid, Object.freeze(fn));
  return fn;
}

function decode(fid: number): SmcFunction {
  const fast = (fid & 0x80000000) !== 0;
  const smc64 = (fid & 0x40000000) !== 0;
  const owner = (fid >>> 24) & 0x3f;
  const number = fid & 0xffff;
  const ownerName = OWNER_NAMES[owner]
    ?? (owner >= SMCCC_OWNER_TRUSTED_OS ? 'trusted OS' : owner >= SMCCC_OWNER_TRUSTED_APP ? 'trusted application' : 'reserved');
  const known = NAMES.get(fid);
  const name = known ?? `${fast ? 'fast' : 'yielding'} ${smc64 ? 'SMC64' : 'SMC32'} call ${number} of ${ownerName}`;
  return { id: fid, fast, smc64, owner, ownerName, number, name, known: known !== undefined };
}

/**
 * Whether a0 returned by the secure world asks the normal world to serve an RPC
 * (OPTEE_SMC_RETURN_IS_RPC: the RPC prefix, except UNKNOWN_FUNCTION which shares it).
 */
export function isRpcReturn(a0: number): boolean {
  const v = a0 >>> 0;
  return v !== OPTEE_SMC_RETURN_UNKNOWN_FUNCTION && ((v & 0xffff0000) >>> 0) === 0xffff0000;
}

/** The name of an RPC return code. */
export function rpcName(a0: number): string {
  return RETURN_NAMES.get(a0 >>> 0) ?? `RPC 0x${(a0 >>> 0).toString(16)}`;
}
