/**
 * A runtime service behind the secure monitor (the OP-TEE dispatcher, PSCI). The monitor
 * decodes the function id and hands the call to the first service that owns it.
 */
import type { SmcFunction } from '../abi/smccc.js';

/** What a service answers: the registers a0..a7 to return (missing ones are left as they were). */
export interface SmcResult {
  regs: number[];
  /** One word about a0 for traces: OK, RPC_CMD, UNKNOWN ... */
  outcome: string;
}

export interface RuntimeService {
  readonly name: string;
  /** Whether serving a call means entering the secure world (OP-TEE) or staying at EL3 (PSCI). */
  readonly runsInSecureWorld: boolean;
  /** Whether this service handles the function. */
  owns(fn: SmcFunction): boolean;
  /** Handles the call; `args` are a0..a7 as 32-bit values (SMC32) or 64-bit numbers. */
  call(fn: SmcFunction, args: readonly number[]): SmcResult;
}
