/**
 * The internal client API (TA-to-TA): syscalls 5 (OPEN_TA_SESSION), 6 (CLOSE_TA_SESSION) and
 * 7 (INVOKE_TA_COMMAND). As in OP-TEE, a memref in the caller's private memory is copied
 * through a temporary secure buffer (a TA never exposes its private pages), while a memref in
 * non-private memory (its own parameters, shareable MAP_ZI buffers) is shared as it is.
 */
import { TeeError } from '../../abi/errors.js';
import { isMemref, noParams, paramType, type TaParams } from '../params.js';
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_TARGET_DEAD, TEE_SUCCESS,
} from '../../abi/results.js';
import { type SecureBlock } from '../secure-memory.js';
import type { SecureThread } from '../service.js';
import { uuidFromTeeUuid } from '../../abi/uuid.js';
import { TEE_SCN_CLOSE_TA_SESSION, TEE_SCN_INVOKE_TA_COMMAND, TEE_SCN_OPEN_TA_SESSION } from './numbers.js';
import { threaded, type SyscallContext, type SyscallEntry } from './table.js';
import { TEE_TIMEOUT_INFINITE } from './basic.js';
import { UTEE_PARAMS_SIZE, setUteeField, uteeTypes, uteeU64, viewOf } from '../utee-params.js';
import { TEE_NUM_PARAMS, TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT, TEE_LOGIN_TRUSTED_APP, TEE_MEMORY_ACCESS_ANY_OWNER, TEE_MEMORY_ACCESS_READ, TEE_MEMORY_ACCESS_WRITE } from '../../abi/tee-api.js';
import { TEEC_ORIGIN_TEE } from '../../abi/client-api.js';
import { PAGE_SIZE } from '../../machine/board.js';


interface Temp {
  index: number;
  block: SecureBlock;
}

interface UserParams {
  params: TaParams;
  temps: Temp[];
  /** The caller's original vals, to restore where nothing comes back. */
  up: bigint;
}

function fail(code: number): never {
  throw new TeeError(code, 'a TA-to-TA parameter failed its checks');
}

/** Reads a `struct utee_params` from the calling TA and turns it into core parameters. */
function readUserParams(ctx: SyscallContext, up: bigint): UserParams {
  const space = ctx.instance.space;
  if (up === 0n) return { params: noParams(), temps: [], up };
  const rw = TEE_MEMORY_ACCESS_READ | TEE_MEMORY_ACCESS_WRITE | TEE_MEMORY_ACCESS_ANY_OWNER;
  if (space.check(rw, up, UTEE_PARAMS_SIZE) !== TEE_SUCCESS) fail(TEE_ERROR_ACCESS_DENIED);
  const view = viewOf(space.read(up, UTEE_PARAMS_SIZE));
  const types = uteeTypes(view, 0);
  const params = noParams();
  const temps: Temp[] = [];
  try {
    for (let n = 0; n < TEE_NUM_PARAMS; n++) {
      const type = paramType(types, n);
      const a = uteeU64(view, 0, n, 0);
      const b = uteeU64(view, 0, n, 1);
      const p = params[n]!;
      p.type = type;
      if (type === TEE_PARAM_TYPE_VALUE_INPUT || type === TEE_PARAM_TYPE_VALUE_INOUT) {
        p.a = Number(a & 0xffffffffn);
        p.b = Number(b & 0xffffffffn);
      } else if (isMemref(type)) {
        readMemref(ctx, n, type, a, b, params, temps);
      } else if (type !== 0 && type !== TEE_PARAM_TYPE_VALUE_OUTPUT) {
        fail(TEE_ERROR_BAD_PARAMETERS);
      }
    }
  } catch (error) {
    for (const t of temps) ctx.kernel.memory.free(t.block);
    throw error;
  }
  return { params, temps, up };
}

function readMemref(ctx: SyscallContext, n: number, type: number, va: bigint, size: bigint,
  params: TaParams, temps: Temp[]): void {
  const space = ctx.instance.space;
  if (va === 0n) {
    if (size !== 0n) fail(TEE_ERROR_BAD_PARAMETERS);
    params[n]!.mem = null;
    return;
  }
  let flags = TEE_MEMORY_ACCESS_READ | TEE_MEMORY_ACCESS_ANY_OWNER;
  if (type !== TEE_PARAM_TYPE_MEMREF_INPUT) flags |= TEE_MEMORY_ACCESS_WRITE;
  if (space.check(flags, va, size) !== TEE_SUCCESS) fail(TEE_ERROR_ACCESS_DENIED);
  const start = Number(va);
  const len = Number(size);
  if (space.insidePrivate(start, start + len)) {
    const block = ctx.kernel.memory.alloc(Math.max(len, 1));
    temps.push({ index: n, block });
    if (type !== TEE_PARAM_TYPE_MEMREF_OUTPUT) block.bytes.set(space.read(va, len));
    params[n]!.mem = { window: block.bytes, offset: 0, size: len, capacity: len, secure: true };
    return;
  }
  const region = space.regionAt(start)!;
  if (start + len > region.va + region.size) fail(TEE_ERROR_ACCESS_DENIED);
  const pageStart = start - (start % PAGE_SIZE);
  const pageEnd = Math.max(pageStart + PAGE_SIZE, Math.ceil((start + len) / PAGE_SIZE) * PAGE_SIZE);
  params[n]!.mem = {
    window: region.bytes.subarray(pageStart - region.va, Math.min(pageEnd, region.va + region.size) - region.va),
    offset: start - pageStart, size: len, capacity: len, secure: region.secure,
  };
}

/** Writes results back into the caller's utee_params (and copies temporary buffers back). */
function writeBack(ctx: SyscallContext, u: UserParams): void {
  if (u.up === 0n) return;
  const space = ctx.instance.space;
  const block = space.read(u.up, UTEE_PARAMS_SIZE);
  const view = viewOf(block);
  u.params.forEach((p, n) => {
    if (p.type === TEE_PARAM_TYPE_VALUE_OUTPUT || p.type === TEE_PARAM_TYPE_VALUE_INOUT) {
      setUteeField(view, 0, n, 0, p.a >>> 0);
      setUteeField(view, 0, n, 1, p.b >>> 0);
    } else if ((p.type === TEE_PARAM_TYPE_MEMREF_OUTPUT || p.type === TEE_PARAM_TYPE_MEMREF_INOUT) && p.mem) {
      const temp = u.temps.find((t) => t.index === n);
      if (temp && p.mem.size <= p.mem.capacity) {
        space.write(uteeU64(view, 0, n, 0), temp.block.bytes.subarray(0, p.mem.size));
      }
      setUteeField(view, 0, n, 1, p.mem.size);
    }
  });
  space.write(u.up, block);
}

function release(ctx: SyscallContext, u: UserParams): void {
  for (const t of u.temps) ctx.kernel.memory.free(t.block);
}

/**
 * A u32 out-value (session handle, return origin) for the caller, written as OP-TEE's
 * copy_to_user_private is used there: only into the caller's private writable memory, and a
 * pointer that is not (libutee's system-PTA helper passes ret_orig NULL) is ignored, not an
 * error: the call already happened, and failing it would leak the session it opened.
 */
function putOutU32(ctx: SyscallContext, va: bigint, value: number): void {
  const space = ctx.instance.space;
  if (space.check(TEE_MEMORY_ACCESS_WRITE, va, 4) === TEE_SUCCESS) space.writeU32(va, value);
}

function codeOf(error: unknown): number | undefined {
  return error instanceof TeeError ? error.code : undefined;
}

/**
 * The callee's operation counts as cancelled `timeout` ms from now (TEE_TIMEOUT_INFINITE: never),
 * as OP-TEE's cancel_req_to: a callee that unmasked cancellation sees it in TEE_Wait and
 * TEE_GetCancellationFlag.
 */
function deadline(ctx: SyscallContext, timeout: bigint): { cancelAt?: number } {
  const ms = Number(timeout & 0xffffffffn);
  return ms === TEE_TIMEOUT_INFINITE ? {} : { cancelAt: ctx.kernel.clock.peek() + ms };
}

function* openTaSession(ctx: SyscallContext, dest: bigint, timeout: bigint, up: bigint, sessOut: bigint, originOut: bigint): SecureThread<number> {
  const space = ctx.instance.space;
  let origin = TEEC_ORIGIN_TEE;
  let result: number;
  let u: UserParams | undefined;
  try {
    const uuid = uuidFromTeeUuid(space.read(dest, 16));
    u = readUserParams(ctx, up);
    const client = { login: TEE_LOGIN_TRUSTED_APP, uuid: ctx.instance.uuid };
    const r = yield* ctx.kernel.openSession(uuid, client, u.params, { callerTa: ctx.instance, ...deadline(ctx, timeout) });
    result = r.result;
    origin = r.origin;
    if (result === TEE_SUCCESS && r.session) {
      writeBack(ctx, u);
      ctx.instance.taSessions.set(r.session.id, r.session);
      putOutU32(ctx, sessOut, r.session.id);
    }
  } catch (error) {
    const code = codeOf(error);
    if (code === undefined) throw error;
    result = code;
  } finally {
    if (u) release(ctx, u);
  }
  putOutU32(ctx, originOut, origin);
  return result;
}

function* closeTaSession(ctx: SyscallContext, handle: bigint): SecureThread<number> {
  const session = ctx.instance.taSessions.get(Number(handle & 0xffffffffn));
  if (!session) return TEE_ERROR_BAD_PARAMETERS;
  ctx.instance.taSessions.delete(session.id);
  yield* ctx.kernel.closeSession(session, { callerTa: ctx.instance });
  return TEE_SUCCESS;
}

function* invokeTaCommand(ctx: SyscallContext, handle: bigint, timeout: bigint, cmd: bigint, up: bigint, originOut: bigint): SecureThread<number> {
  const session = ctx.instance.taSessions.get(Number(handle & 0xffffffffn));
  if (!session) return TEE_ERROR_BAD_PARAMETERS;
  let origin = TEEC_ORIGIN_TEE;
  let result: number;
  let u: UserParams | undefined;
  try {
    u = readUserParams(ctx, up);
    const r = yield* ctx.kernel.invokeCommand(session, Number(cmd & 0xffffffffn), u.params, { callerTa: ctx.instance, ...deadline(ctx, timeout) });
    result = r.result;
    origin = r.origin;
    if (result !== TEE_ERROR_TARGET_DEAD) writeBack(ctx, u);
  } catch (error) {
    const code = codeOf(error);
    if (code === undefined) throw error;
    result = code;
  } finally {
    if (u) release(ctx, u);
  }
  putOutU32(ctx, originOut, origin);
  return result;
}

export const ta2taSyscalls: ReadonlyMap<number, SyscallEntry> = new Map([
  [TEE_SCN_OPEN_TA_SESSION, threaded('OPEN_TA_SESSION', ['dest', 'cancel_req_to', 'params', 'sess', 'ret_orig'],
    (c, a) => openTaSession(c, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!))],
  [TEE_SCN_CLOSE_TA_SESSION, threaded('CLOSE_TA_SESSION', ['sess'], (c, a) => closeTaSession(c, a[0]!))],
  [TEE_SCN_INVOKE_TA_COMMAND, threaded('INVOKE_TA_COMMAND', ['sess', 'cancel_req_to', 'cmd_id', 'params', 'ret_orig'],
    (c, a) => invokeTaCommand(c, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!))],
]);
