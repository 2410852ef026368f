/**
 * PSCI (Power State Coordination Interface) at EL3: version, features, system off and reset.
 */
import type { RuntimeService, SmcResult } from './service.js';
import {
  PSCI_FEATURES, PSCI_NOT_SUPPORTED, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, PSCI_VERSION, SMCCC_OWNER_STANDARD,
  type SmcFunction,
} from '../abi/smccc.js';

/** PSCI 1.1: major in bits 31:16, minor in 15:0. */
export const PSCI_VERSION_1_1 = 0x00010001;

export interface PowerControl {
  systemOff(reason: string): void;
  systemReset(reason: string): void;
}

export class PsciService implements RuntimeService {
  readonly name = 'PSCI';
  readonly runsInSecureWorld = false;

  constructor(private readonly power: PowerControl) {}

  owns(fn: SmcFunction): boolean {
    return fn.owner === SMCCC_OWNER_STANDARD && fn.number <= 0x1f;
  }

  call(fn: SmcFunction, args: readonly number[]): SmcResult {
    switch (fn.id) {
      case PSCI_VERSION:
        return ok(PSCI_VERSION_1_1);
      case PSCI_FEATURES: {
        const supported = [PSCI_VERSION, PSCI_FEATURES, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET].includes(args[1]! >>> 0);
        return ok(supported ? 0 : PSCI_NOT_SUPPORTED);
      }
      case PSCI_SYSTEM_OFF:
        this.power.systemOff('PSCI SYSTEM_OFF from the normal world');
        return ok(0);
      case PSCI_SYSTEM_RESET:
        this.power.systemReset('PSCI SYSTEM_RESET from the normal world');
        return ok(0);
      default:
        return { regs: [PSCI_NOT_SUPPORTED], outcome: 'NOT_SUPPORTED' };
    }
  }
}

function ok(a0: number): SmcResult {
  return { regs: [a0], outcome: 'OK' };
}
