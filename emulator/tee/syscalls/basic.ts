/**
 * Syscalls of the TA's base environment: log, memory access rights, cancellation, wait,
 * time, random numbers and cache maintenance. Semantics follow OP-TEE's kernel.
 */
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_CANCEL, TEE_ERROR_NOT_SUPPORTED, TEE_ERROR_OVERFLOW,
  TEE_ERROR_TIME_NOT_SET, TEE_SUCCESS,
} from '../../abi/results.js';
import {
  TEE_SCN_CACHE_OPERATION, TEE_SCN_CHECK_ACCESS_RIGHTS, TEE_SCN_CRYP_RANDOM_NUMBER_GENERATE,
  TEE_SCN_GET_CANCELLATION_FLAG, TEE_SCN_GET_TIME, TEE_SCN_LOG, TEE_SCN_MASK_CANCELLATION, TEE_SCN_PANIC,
  TEE_SCN_RETURN, TEE_SCN_SET_TA_TIME, TEE_SCN_UNMASK_CANCELLATION, TEE_SCN_WAIT,
} from './numbers.js';
import { inline, num, threaded, type SyscallContext, type SyscallEntry } from './table.js';
import { TA_FLAG_CACHE_MAINTENANCE } from '../../abi/ta.js';
import { TEE_MEMORY_ACCESS_WRITE } from '../../abi/tee-api.js';
import type { SecureThread } from '../service.js';

/** Longest log message taken from a TA in one call. */
const MAX_LOG = 4096;
export const TEE_TIMEOUT_INFINITE = 0xffffffff;
export const UTEE_TIME_CAT_SYSTEM = 0;
export const UTEE_TIME_CAT_TA_PERSISTENT = 1;
export const UTEE_TIME_CAT_REE = 2;

function log(ctx: SyscallContext, buf: bigint, len: bigint): number {
  const n = num(len);
  if (n === undefined) return TEE_ERROR_ACCESS_DENIED;
  if (!ctx.kernel.consoleHeard()) {
    // Nobody reads the secure console: the line would be dropped, so only the pointer check.
    ctx.instance.space.checkReadable(buf, Math.min(n, MAX_LOG));
    return TEE_SUCCESS;
  }
  const text = ctx.instance.space.read(buf, Math.min(n, MAX_LOG)).toString('utf8');
  ctx.kernel.taLog(text);
  return TEE_SUCCESS;
}

function cancelled(ctx: SyscallContext): boolean {
  return !ctx.session.cancelMasked && ctx.kernel.isCancelled(ctx.session);
}

function putMask(ctx: SyscallContext, ptr: bigint, masked: boolean): number {
  const old = ctx.session.cancelMasked;
  ctx.instance.space.writeU32(ptr, old ? 1 : 0);
  ctx.session.cancelMasked = masked;
  return TEE_SUCCESS;
}

/** How long a waiting TA sleeps before it looks at its cancellation flag again. */
const WAIT_POLL_MS = 50;

/**
 * TEE_Wait: the thread gives the CPU back to the normal world (other calls run meanwhile) and
 * asks to be resumed when the time is up, looking at the cancellation flag at least every
 * WAIT_POLL_MS. The wait spends the call's time budget: a TA that waits longer than the budget
 * is stopped, as one that runs longer is.
 */
function* wait(ctx: SyscallContext, timeoutArg: bigint): SecureThread<number> {
  const timeout = Number(timeoutArg & 0xffffffffn);
  const clock = ctx.kernel.clock;
  const cancelAt = ctx.session.cancelMasked ? undefined : ctx.session.cancelAt;
  if (clock.virtual && (timeout !== TEE_TIMEOUT_INFINITE || cancelAt !== undefined)) {
    // Virtual time: the wait is a jump of the clock, to its end or to the caller's timeout
    // (a client's cancellation can only come before it).
    if (cancelled(ctx)) return TEE_ERROR_CANCEL;
    const left = timeout === TEE_TIMEOUT_INFINITE ? Infinity : timeout;
    if (cancelAt !== undefined && cancelAt - clock.peek() <= left) {
      clock.advance(Math.max(0, cancelAt - clock.peek()));
      return TEE_ERROR_CANCEL;
    }
    clock.advance(timeout);
    return TEE_SUCCESS;
  }
  const start = performance.now();
  const end = timeout === TEE_TIMEOUT_INFINITE ? Infinity : start + timeout;
  for (;;) {
    if (cancelled(ctx)) return TEE_ERROR_CANCEL;
    const now = performance.now();
    if (now >= end) return TEE_SUCCESS;
    const budget = ctx.instance.budgetLeftMs;
    if (budget <= 0) {
      ctx.instance.abortFromSyscall(`waited longer than the watchdog allows (${ctx.kernel.watchdogMs} ms)`);
      return TEE_ERROR_CANCEL;
    }
    yield { kind: 'preempt', wakeAt: Math.min(end, now + budget, now + WAIT_POLL_MS), why: 'wait' };
  }
}

function writeTime(ctx: SyscallContext, ptr: bigint, seconds: number, millis: number): void {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(seconds >>> 0, 0);
  b.writeUInt32LE(millis >>> 0, 4);
  ctx.instance.space.write(ptr, b);
}

function* getTime(ctx: SyscallContext, cat: bigint, ptr: bigint) {
  let t: { seconds: number; millis: number } | undefined;
  let res = TEE_SUCCESS;
  switch (cat) {
    case BigInt(UTEE_TIME_CAT_SYSTEM):
      t = ctx.kernel.systemTime();
      break;
    case BigInt(UTEE_TIME_CAT_TA_PERSISTENT):
      t = ctx.kernel.taTime(ctx.instance.uuid);
      if (!t) return TEE_ERROR_TIME_NOT_SET;
      if (t.seconds > 0xffffffff) {
        res = TEE_ERROR_OVERFLOW;
        t = { seconds: t.seconds % 2 ** 32, millis: t.millis };
      }
      break;
    case BigInt(UTEE_TIME_CAT_REE):
      t = yield* ctx.kernel.reeTime();
      break;
    default:
      return TEE_ERROR_BAD_PARAMETERS;
  }
  writeTime(ctx, ptr, t.seconds, t.millis);
  return res;
}

function setTaTime(ctx: SyscallContext, ptr: bigint): number {
  const b = ctx.instance.space.read(ptr, 8);
  const millis = b.readUInt32LE(4);
  if (millis >= 1000) return TEE_ERROR_BAD_PARAMETERS;
  ctx.kernel.setTaTime(ctx.instance.uuid, { seconds: b.readUInt32LE(0), millis });
  return TEE_SUCCESS;
}

function random(ctx: SyscallContext, buf: bigint, len: bigint): number {
  const n = num(len);
  if (n === undefined || ctx.instance.space.check(TEE_MEMORY_ACCESS_WRITE | 0x4, buf, len) !== TEE_SUCCESS) {
    return TEE_ERROR_ACCESS_DENIED;
  }
  ctx.instance.space.write(buf, ctx.kernel.random.bytes(n));
  return TEE_SUCCESS;
}

function cacheOperation(ctx: SyscallContext, va: bigint, len: bigint, op: bigint): number {
  if (!(ctx.instance.flags & TA_FLAG_CACHE_MAINTENANCE)) return TEE_ERROR_NOT_SUPPORTED;
  const res = ctx.instance.space.check(TEE_MEMORY_ACCESS_WRITE | 0x4, va, len);
  if (res !== TEE_SUCCESS) return res;
  // Emulated caches are always coherent: clean (0), flush (1) and invalidate (2) have nothing to do.
  return op <= 2n ? TEE_SUCCESS : TEE_ERROR_BAD_PARAMETERS;
}

export const basicSyscalls: ReadonlyMap<number, SyscallEntry> = new Map<number, SyscallEntry>([
  [TEE_SCN_RETURN, { kind: 'return', name: 'RETURN', argNames: ['ret'] }],
  [TEE_SCN_LOG, inline('LOG', ['buf', 'len'], (c, a) => log(c, a[0]!, a[1]!))],
  [TEE_SCN_PANIC, { kind: 'panic', name: 'PANIC', argNames: ['code'] }],
  [TEE_SCN_CHECK_ACCESS_RIGHTS, inline('CHECK_ACCESS_RIGHTS', ['flags', 'buf', 'len'],
    (c, a) => c.instance.space.check(Number(a[0]! & 0xffffffffn), a[1]!, a[2]!))],
  [TEE_SCN_GET_CANCELLATION_FLAG, inline('GET_CANCELLATION_FLAG', ['cancel'],
    (c, a) => { c.instance.space.writeU32(a[0]!, cancelled(c) ? 1 : 0); return TEE_SUCCESS; })],
  [TEE_SCN_UNMASK_CANCELLATION, inline('UNMASK_CANCELLATION', ['old_mask'], (c, a) => putMask(c, a[0]!, false))],
  [TEE_SCN_MASK_CANCELLATION, inline('MASK_CANCELLATION', ['old_mask'], (c, a) => putMask(c, a[0]!, true))],
  [TEE_SCN_WAIT, threaded('WAIT', ['timeout_ms'], (c, a) => wait(c, a[0]!))],
  [TEE_SCN_GET_TIME, threaded('GET_TIME', ['cat', 'time'], (c, a) => getTime(c, a[0]!, a[1]!))],
  [TEE_SCN_SET_TA_TIME, inline('SET_TA_TIME', ['time'], (c, a) => setTaTime(c, a[0]!))],
  [TEE_SCN_CRYP_RANDOM_NUMBER_GENERATE, inline('CRYP_RANDOM_NUMBER_GENERATE', ['buf', 'len'],
    (c, a) => random(c, a[0]!, a[1]!))],
  [TEE_SCN_CACHE_OPERATION, inline('CACHE_OPERATION', ['va', 'len', 'op'], (c, a) => cacheOperation(c, a[0]!, a[1]!, a[2]!))],
]);
