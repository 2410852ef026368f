/**
 * The OP-TEE dispatcher: answers OP-TEE's fast calls (identification, capabilities) and passes
 * yielding calls (CALL_WITH_ARG, RETURN_FROM_RPC) to the TEE core's entry.
 */
import type { RuntimeService, SmcResult } from './service.js';
import {
  OPTEE_SMC_CALLS_COUNT, OPTEE_SMC_CALLS_REVISION, OPTEE_SMC_CALLS_UID, OPTEE_SMC_CALL_GET_OS_REVISION,
  OPTEE_SMC_CALL_GET_OS_UUID, OPTEE_SMC_CALL_RETURN_FROM_RPC, OPTEE_SMC_CALL_WITH_ARG, OPTEE_SMC_DISABLE_SHM_CACHE,
  OPTEE_SMC_ENABLE_SHM_CACHE, OPTEE_SMC_EXCHANGE_CAPABILITIES, OPTEE_SMC_GET_SHM_CONFIG, OPTEE_SMC_GET_THREAD_COUNT,
  OPTEE_SMC_RETURN_OK, OPTEE_SMC_RETURN_UNKNOWN_FUNCTION, OPTEE_SMC_SEC_CAP_DYNAMIC_SHM,
  OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM, OPTEE_SMC_SEC_CAP_MEMREF_NULL, SMCCC_OWNER_TRUSTED_OS,
  SMCCC_OWNER_TRUSTED_OS_END, rpcName, isRpcReturn, type SmcFunction,
} from '../abi/smccc.js';

/** OP-TEE's API UID 384fb3e0-e7f8-11e3-af63-0002a5d5c51b as four words. */
export const OPTEE_MSG_UID = [0x384fb3e0, 0xe7f811e3, 0xaf630002, 0xa5d5c51b];
/** OP-TEE OS UUID 486178e0-e7f8-11e3-bc5e-0002a5d5c51b as four words. */
export const OPTEE_OS_UUID = [0x486178e0, 0xe7f811e3, 0xbc5e0002, 0xa5d5c51b];
export const OPTEE_OS_UUID_STRING = '486178e0-e7f8-11e3-bc5e-0002a5d5c51b';
export const OPTEE_MSG_REVISION = [2, 0];
/** The OP-TEE release whose binary interfaces this core follows. */
export const OPTEE_OS_REVISION = [4, 10];

export const SEC_CAPABILITIES =
  OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM | OPTEE_SMC_SEC_CAP_DYNAMIC_SHM | OPTEE_SMC_SEC_CAP_MEMREF_NULL;

/** The TEE core as the dispatcher sees it. Both calls return a0..a7 for the normal world. */
export interface TeeEntry {
  callWithArg(args: readonly number[]): number[];
  returnFromRpc(args: readonly number[]): number[];
  /** Secure threads: calls served at once. */
  readonly threadCount: number;
}

export class OpteeDispatcher implements RuntimeService {
  readonly name = 'OP-TEE dispatcher';
  readonly runsInSecureWorld = true;

  constructor(
    private readonly tee: TeeEntry,
    private readonly reservedShm: { base: number; size: number },
  ) {}

  owns(fn: SmcFunction): boolean {
    return fn.owner >= SMCCC_OWNER_TRUSTED_OS && fn.owner <= SMCCC_OWNER_TRUSTED_OS_END;
  }

  call(fn: SmcFunction, args: readonly number[]): SmcResult {
    switch (fn.id) {
      case OPTEE_SMC_CALLS_COUNT: return fast([15]);
      case OPTEE_SMC_CALLS_UID: return fast(OPTEE_MSG_UID);
      case OPTEE_SMC_CALLS_REVISION: return fast(OPTEE_MSG_REVISION);
      case OPTEE_SMC_CALL_GET_OS_UUID: return fast(OPTEE_OS_UUID);
      case OPTEE_SMC_CALL_GET_OS_REVISION: return fast([...OPTEE_OS_REVISION, 0]);
      case OPTEE_SMC_EXCHANGE_CAPABILITIES: return fast([OPTEE_SMC_RETURN_OK, SEC_CAPABILITIES, 0, 4]);
      case OPTEE_SMC_GET_SHM_CONFIG:
        return fast([OPTEE_SMC_RETURN_OK, this.reservedShm.base, this.reservedShm.size, 1]);
      case OPTEE_SMC_GET_THREAD_COUNT: return fast([OPTEE_SMC_RETURN_OK, this.tee.threadCount]);
      case OPTEE_SMC_DISABLE_SHM_CACHE:
      case OPTEE_SMC_ENABLE_SHM_CACHE: return fast([OPTEE_SMC_RETURN_OK]);
      case OPTEE_SMC_CALL_WITH_ARG: return yielded(this.tee.callWithArg(args));
      case OPTEE_SMC_CALL_RETURN_FROM_RPC: return yielded(this.tee.returnFromRpc(args));
      default: return { regs: [OPTEE_SMC_RETURN_UNKNOWN_FUNCTION], outcome: 'UNKNOWN_FUNCTION' };
    }
  }
}

function fast(regs: readonly number[]): SmcResult {
  return { regs: [...regs], outcome: 'OK' };
}

function yielded(regs: number[]): SmcResult {
  const a0 = regs[0]! >>> 0;
  const outcome = isRpcReturn(a0) ? rpcName(a0) : a0 === OPTEE_SMC_RETURN_OK ? 'OK' : `0x${a0.toString(16)}`;
  return { regs, outcome };
}
