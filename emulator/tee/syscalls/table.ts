/**
 * The syscall dispatch table: one entry per TEE_SCN number, in order, with a length check.
 * Retired numbers are explicit not-supported entries. Each entry is either `inline` (served
 * inside the engine's hook, the fast path) or `thread` (the engine stops and the syscall runs
 * as part of the secure thread, so it may wait for an RPC to the normal world).
 */
import type { Kernel, KernelTa } from '../kernel.js';
import type { CallerTa, SecureThread, Session } from '../service.js';
import type { TaAddressSpace } from '../ta-space.js';
import { SYSCALL_NAMES, TEE_SCN_MAX } from './numbers.js';

/** Arguments x0..x7 of one syscall, as unsigned 64-bit values. */
export type SyscallArgs = readonly bigint[];

/** The calling TA instance, as syscall handlers see it. */
export interface SyscallTa extends KernelTa {
  readonly flags: number;
  readonly space: TaAddressSpace;
  /** State that syscall families keep per instance (crypto objects, storage handles...). */
  readonly ext: Map<string, unknown>;
  /** Sessions this TA opened to other services (TA-to-TA), by handle. */
  readonly taSessions: Map<number, Session>;
  /** SHA-256 of its signing key (hex), and whether that key is a public development key. */
  readonly signerId: string;
  readonly developmentSigner: boolean;
  /** Why the instance died, or undefined while it lives. */
  readonly dead: string | undefined;
  /** Ends the current entry from inside a syscall: the instance dies with `reason`. */
  abortFromSyscall(reason: string): void;
  /** The TA that called the call in progress (TA-to-TA), if any. */
  readonly caller: CallerTa | undefined;
  /** Moves the call's budget on by `ms` spent parked while other calls ran. */
  creditParked(ms: number): void;
}

/** What a syscall handler gets: the Kernel port, the calling TA and the session it serves. */
export interface SyscallContext {
  kernel: Kernel;
  instance: SyscallTa;
  session: Session;
}

export type InlineHandler = (ctx: SyscallContext, args: SyscallArgs) => number;
export type ThreadHandler = (ctx: SyscallContext, args: SyscallArgs) => SecureThread<number>;

export type SyscallEntry =
  | { kind: 'inline'; name: string; fn: InlineHandler; argNames: readonly string[] }
  | { kind: 'thread'; name: string; fn: ThreadHandler; argNames: readonly string[] }
  | { kind: 'return' | 'panic'; name: string; argNames: readonly string[] }
  | { kind: 'unsupported'; name: string; argNames: readonly string[] };

/** Builds the ordered table from the handler families; a gap is an explicit not-supported entry. */
export function buildTable(families: ReadonlyMap<number, SyscallEntry>): readonly SyscallEntry[] {
  const table: SyscallEntry[] = [];
  for (let n = 0; n <= TEE_SCN_MAX; n++) {
    table.push(families.get(n) ?? { kind: 'unsupported', name: SYSCALL_NAMES[n]!, argNames: [] });
  }
  if (table.length !== SYSCALL_NAMES.length) throw new Error('syscall table and names disagree');
  return table;
}

/** Helpers to declare entries by name. */
export const inline = (name: string, argNames: readonly string[], fn: InlineHandler): SyscallEntry =>
  ({ kind: 'inline', name, argNames, fn });
export const threaded = (name: string, argNames: readonly string[], fn: ThreadHandler): SyscallEntry =>
  ({ kind: 'thread', name, argNames, fn });

/** A 64-bit argument as a safe JS number, or undefined when it is too large to be a size or address. */
export function num(v: bigint): number | undefined {
  return v <= MAX_SAFE ? Number(v) : undefined;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
