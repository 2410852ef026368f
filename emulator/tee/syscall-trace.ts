/**
 * Syscall trace events of a TA instance, and the sentence that explains a TA's memory fault:
 * what a person reading the trace or the secure console sees of a TA's syscalls and faults.
 */
import { TEE_ERROR_NOT_SUPPORTED, resultName } from '../abi/results.js';
import type { MemoryFault } from '../cpu/cpu.js';
import type { EventBus } from '../trace/events.js';
import { SYSCALL_NAMES } from './syscalls/numbers.js';
import type { SyscallArgs, SyscallEntry } from './syscalls/table.js';
import type { VmRegion } from './ta-space.js';

/** A 'syscall' event for `entry` with its named arguments (only when someone listens). */
export function traceSyscall(events: EventBus, uuid: string, entry: SyscallEntry, args: SyscallArgs, result: number): void {
  if (!events.wants('syscall')) return;
  const shown: string[] = [];
  for (let i = 0; i < entry.argNames.length; i++) shown.push(`${entry.argNames[i]}=0x${args[i]!.toString(16)}`);
  events.emit({
    type: 'syscall', uuid, num: SYSCALL_NAMES.indexOf(entry.name), name: entry.name,
    args: shown, result: result >>> 0, resultName: resultName(result),
  });
}

/** A 'syscall' event for a number the table does not have (answered NOT_SUPPORTED). */
export function traceUnknownSyscall(events: EventBus, uuid: string, scn: bigint, args: SyscallArgs): void {
  if (!events.wants('syscall')) return;
  events.emit({
    type: 'syscall', uuid, num: Number(scn & 0xffffn), name: `unknown ${scn}`,
    args: args.slice(0, 4).map((v) => `0x${v.toString(16)}`), result: TEE_ERROR_NOT_SUPPORTED,
    resultName: resultName(TEE_ERROR_NOT_SUPPORTED),
  });
}

/** What a TA's memory fault was, in words; without exact PCs, where to find the instruction. */
export function describeTaFault(fault: MemoryFault, region: VmRegion | undefined, exactPcs: boolean): string {
  const verb = fault.access === 'fetch' ? 'execute' : fault.access;
  const at = `0x${fault.address.toString(16)}`;
  const what = fault.kind === 'unmapped'
    ? `tried to ${verb} unmapped address ${at}`
    : `tried to ${verb} ${at} in its ${region?.kind ?? 'memory'}, which is ${region?.prot === 'rx' ? 'read-only code' : region?.prot === 'r' ? 'read-only' : 'not executable'}`;
  return exactPcs ? what : `${what} (in the code block starting at the reported pc; ` +
    'boot with --trace or --exact-faults for the exact instruction)';
}
