/**
 * The socket pseudo-TA (PTA_SOCKET_UUID, OP-TEE's `pta_socket.h`): how a TA's GP TEE Sockets API
 * (TEE_tcpSocket, TEE_udpSocket in OP-TEE's libutee) reaches the network. Each command goes to
 * the normal world's supplicant as OPTEE_RPC_CMD_SOCKET (ree/sockets.ts), the data through NS
 * shared memory:
 *
 *   1 OPEN   value0 = (ip version, port), memref1 = server name, value2.a = protocol; value3.a out = handle
 *   2 CLOSE  value0.a = handle
 *   3 SEND   value0 = (handle, timeout ms), memref1 = data; value2.a out = bytes sent
 *   4 RECV   value0 = (handle, timeout ms), memref1 out = data (its size: bytes received)
 *   5 IOCTL  value0 = (handle, command), memref1 inout
 *
 * The supplicant never blocks (the device serves every call from one thread): while a send
 * cannot go, nothing is there to receive or a connection is under way, this PTA parks the TA's
 * secure thread a few milliseconds at a time (other calls run meanwhile) and asks again, until
 * the TA's timeout (TEE_TIMEOUT_INFINITE: none) or the call's time budget, as a TEE_Wait would
 * spend it. Sockets belong to the calling TA instance; when one of its sessions with this PTA
 * closes, all of them are closed (OP-TEE's CLOSE_ALL).
 */
import { TEEC_ORIGIN_TRUSTED_APP } from '../../abi/client-api.js';
import {
  OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT,
  OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, OPTEE_RPC_CMD_SOCKET, type MsgArg, type MsgParam,
} from '../../abi/optee-msg.js';
import { TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_NOT_IMPLEMENTED, TEE_SUCCESS } from '../../abi/results.js';
import {
  TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_VALUE_INPUT,
  TEE_PARAM_TYPE_VALUE_OUTPUT,
} from '../../abi/tee-api.js';
import {
  SOCKET_CLOSE, SOCKET_CLOSE_ALL, SOCKET_DATA_MAX, SOCKET_IOCTL, SOCKET_OPEN, SOCKET_RECV, SOCKET_SEND, TEE_ISOCKET_ERROR_TIMEOUT,
} from '../../abi/isocket.js';
import { memrefBytes, typesOf, type MemRef, type TaParams } from '../params.js';
import type { CallContext, CallerTa, EntryResult, SecureThread, Session, TrustedService } from '../service.js';
import { answerValue, value, withPayload, type NormalWorld, type Payload } from './normal-world-call.js';

export const PTA_SOCKET_UUID = '3b996a7d-2c2b-4a49-a896-e1fb5766d2f4';
export const PTA_SOCKET_OPEN = 1;
export const PTA_SOCKET_CLOSE = 2;
export const PTA_SOCKET_SEND = 3;
export const PTA_SOCKET_RECV = 4;
export const PTA_SOCKET_IOCTL = 5;
const TIMEOUT_INFINITE = 0xffffffff;
/** How long a waiting socket call parks before it asks the supplicant again. */
const POLL_MS = 2;
const types = (a: number, b = 0, c = 0, d = 0) => a | (b << 4) | (c << 8) | (d << 12);

export class SocketPta implements TrustedService {
  readonly uuid = PTA_SOCKET_UUID;
  readonly kind = 'pseudo' as const;
  /** The supplicant's name for each TA instance (OP-TEE's instance id). */
  private readonly instanceIds = new WeakMap<CallerTa, number>();
  private readonly sessionInstance = new Map<Session, number>();
  private nextInstance = 1;

  constructor(private readonly nw: NormalWorld) {}

  *openSession(session: Session, _params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    const ta = ctx.callerTa;
    if (!ta) return { result: TEE_ERROR_ACCESS_DENIED, origin: TEEC_ORIGIN_TRUSTED_APP };
    let id = this.instanceIds.get(ta);
    if (id === undefined) this.instanceIds.set(ta, (id = this.nextInstance++));
    this.sessionInstance.set(session, id);
    return { result: TEE_SUCCESS, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *closeSession(session: Session): SecureThread<void> {
    const id = this.sessionInstance.get(session);
    this.sessionInstance.delete(session);
    if (id !== undefined) yield* this.nw.rpcCmd(OPTEE_RPC_CMD_SOCKET, [value(SOCKET_CLOSE_ALL, id)]);
  }

  *invoke(session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    const id = this.sessionInstance.get(session);
    const ta = ctx.callerTa;
    let result: number;
    if (id === undefined || !ta) result = TEE_ERROR_ACCESS_DENIED;
    else if (cmd === PTA_SOCKET_OPEN) result = yield* this.open(id, ta, params);
    else if (cmd === PTA_SOCKET_CLOSE) result = yield* this.close(id, params);
    else if (cmd === PTA_SOCKET_SEND) result = yield* this.send(id, ta, params);
    else if (cmd === PTA_SOCKET_RECV) result = yield* this.recv(id, ta, params);
    else if (cmd === PTA_SOCKET_IOCTL) result = yield* this.ioctl(id, params);
    else result = TEE_ERROR_NOT_IMPLEMENTED;
    // As OP-TEE's pseudo-TAs: what the command handler answers, errors included, comes from the (pseudo) TA.
    return { result: result >>> 0, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  private *open(id: number, ta: CallerTa, params: TaParams): SecureThread<number> {
    const host = params[1].mem;
    if (typesOf(params) !== types(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT)
      || !host || host.size === 0 || host.size > 4096) return TEE_ERROR_BAD_PARAMETERS;
    const name = memrefBytes(host);
    const nw = this.nw;
    const park = (until: number) => this.park(ta, until);
    return yield* withPayload(nw, name.length, function* (p) {
      p.bytes.set(name, 0);
      let handle = 0;
      for (;;) {
        const answer = yield* nw.rpcCmd(OPTEE_RPC_CMD_SOCKET, [
          value(SOCKET_OPEN, id, handle), value(params[0].b, params[2].a, params[0].a),
          p.tmem(OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, 0, name.length), value(0, 0, 0, OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT),
        ]);
        if (answer.ret !== TEE_SUCCESS) return answer.ret;
        handle = answerValue(answer, 3, 'a');
        if (answerValue(answer, 3, 'b') !== 1) {
          params[3].a = handle;
          return TEE_SUCCESS;
        }
        // Still connecting: GP's open has no timeout, the call's budget bounds it.
        if (!(yield* park(Infinity))) {
          yield* nw.rpcCmd(OPTEE_RPC_CMD_SOCKET, [value(SOCKET_CLOSE, id, handle)]);
          return TEE_ISOCKET_ERROR_TIMEOUT;
        }
      }
    });
  }

  private *close(id: number, params: TaParams): SecureThread<number> {
    if (typesOf(params) !== types(TEE_PARAM_TYPE_VALUE_INPUT)) return TEE_ERROR_BAD_PARAMETERS;
    return (yield* this.nw.rpcCmd(OPTEE_RPC_CMD_SOCKET, [value(SOCKET_CLOSE, id, params[0].a)])).ret;
  }

  private *send(id: number, ta: CallerTa, params: TaParams): SecureThread<number> {
    const data = params[1].mem;
    if (typesOf(params) !== types(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_VALUE_OUTPUT)
      || (data?.size ?? 0) > SOCKET_DATA_MAX) return TEE_ERROR_BAD_PARAMETERS;
    const bytes = data ? memrefBytes(data) : new Uint8Array(0);
    params[2].a = 0;
    return yield* this.waiting(ta, params[0].b, bytes.length, (p) => {
      p.bytes.set(bytes, 0);
      return [value(SOCKET_SEND, id, params[0].a), p.tmem(OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, 0, bytes.length), value(0, 0, 0, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT)];
    }, (answer) => { params[2].a = answerValue(answer, 2, 'b'); });
  }

  private *recv(id: number, ta: CallerTa, params: TaParams): SecureThread<number> {
    const out = params[1].mem;
    if (typesOf(params) !== types(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT)
      || (out?.size ?? 0) > SOCKET_DATA_MAX) return TEE_ERROR_BAD_PARAMETERS;
    const size = out?.size ?? 0;
    // Asking how much is queued (size 0) never waits.
    return yield* this.waiting(ta, size === 0 ? 0 : params[0].b, size, (p) => [
      value(SOCKET_RECV, id, params[0].a), p.tmem(OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, 0, size), value(0),
    ], (answer, p) => {
      const got = Number(answer.params[1]?.b ?? 0n);
      if (out) {
        out.window.set(p.bytes.subarray(0, Math.min(got, size)), out.offset);
        out.size = got;
      }
    });
  }

  private *ioctl(id: number, params: TaParams): SecureThread<number> {
    const buf: MemRef | null | undefined = params[1].mem;
    if (typesOf(params) !== types(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INOUT) || (buf?.size ?? 0) > 4096) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    const bytes = buf ? memrefBytes(buf) : new Uint8Array(0);
    const nw = this.nw;
    return yield* withPayload(nw, bytes.length, function* (p) {
      p.bytes.set(bytes, 0);
      const answer = yield* nw.rpcCmd(OPTEE_RPC_CMD_SOCKET, [
        value(SOCKET_IOCTL, id, params[0].a), p.tmem(OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, 0, bytes.length), value(params[0].b),
      ]);
      const size = Number(answer.params[1]?.b ?? 0n);
      if (buf && size <= bytes.length) buf.window.set(p.bytes.subarray(0, size), buf.offset);
      if (buf) buf.size = size;
      return answer.ret;
    });
  }

  /**
   * One socket RPC asked again while the supplicant answers TIMEOUT (nothing it can do now),
   * until `timeoutMs` has passed; `done` takes the answer that was not TIMEOUT.
   */
  private *waiting(ta: CallerTa, timeoutMs: number, size: number, message: (p: Payload) => MsgParam[],
    done: (answer: MsgArg, p: Payload) => void): SecureThread<number> {
    const until = timeoutMs === TIMEOUT_INFINITE ? Infinity : performance.now() + timeoutMs;
    const nw = this.nw;
    const park = (t: number) => this.park(ta, t);
    return yield* withPayload(nw, size, function* (p) {
      const msg = message(p);
      for (;;) {
        const answer = yield* nw.rpcCmd(OPTEE_RPC_CMD_SOCKET, msg);
        if (answer.ret !== TEE_ISOCKET_ERROR_TIMEOUT) {
          if (answer.ret === TEE_SUCCESS) done(answer, p);
          return answer.ret;
        }
        if (!(yield* park(until))) return TEE_ISOCKET_ERROR_TIMEOUT;
      }
    });
  }

  /** Parks the thread a little; false when `until` or the call's budget has passed. */
  private *park(ta: CallerTa, until: number): SecureThread<boolean> {
    const now = performance.now();
    if (now >= until || ta.budgetLeftMs <= 0) return false;
    yield { kind: 'preempt', wakeAt: Math.min(until, now + POLL_MS), why: 'wait' };
    return true;
  }
}

