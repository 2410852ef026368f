/**
 * The secure monitor (EL3, in TypeScript). The normal world's `smc` lands here: the monitor
 * decodes the function id, switches worlds when a secure service must run, and switches back
 * with the results. An unknown function id is answered with SMC_UNK and traced, never ignored.
 */
import type { EventBus } from '../trace/events.js';
import type { RuntimeService } from './service.js';
import { SMC_UNK, decodeFunctionId } from '../abi/smccc.js';

/** The saved normal-world argument registers x0..x7 of one SMC. */
export type SmcArgs = number[];

export class Monitor {
  /** Number of SMCs served, for statistics. */
  smcCount = 0;

  constructor(private readonly events: EventBus, private readonly services: readonly RuntimeService[]) {}

  /**
   * Serves one SMC from the normal world. `args` are x0..x7 (function id in x0). Returns the
   * values for x0..x3 (or more); registers not returned keep their values.
   */
  smc(args: SmcArgs): number[] {
    this.smcCount++;
    const fn = decodeFunctionId(args[0]!);
    if (this.events.wants('smc')) {
      this.events.emit({ type: 'smc', fid: fn.id, name: fn.name, fast: fn.fast, owner: fn.ownerName, args: args.slice(1, 8) });
    }
    let service: RuntimeService | undefined;
    for (const s of this.services) {
      if (s.owns(fn)) {
        service = s;
        break;
      }
    }
    if (!service) {
      this.traceReturn(fn.id, fn.name, [SMC_UNK], 'UNKNOWN_FUNCTION (SMC_UNK)');
      return [SMC_UNK];
    }
    if (service.runsInSecureWorld) this.switchWorld('normal', 'secure', fn.name);
    const result = service.call(fn, args);
    if (service.runsInSecureWorld) this.switchWorld('secure', 'normal', result.outcome);
    this.traceReturn(fn.id, fn.name, result.regs, result.outcome);
    return result.regs;
  }

  private switchWorld(from: 'normal' | 'secure', to: 'normal' | 'secure', reason: string): void {
    if (this.events.wants('world-switch')) this.events.emit({ type: 'world-switch', from, to, reason });
  }

  private traceReturn(fid: number, name: string, result: number[], outcome: string): void {
    if (!this.events.wants('smc-return')) return;
    this.events.emit({ type: 'smc-return', fid, name, result, outcome });
  }
}
