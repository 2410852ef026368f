/**
 * A trusted service: a user TA instance or a pseudo-TA (a service written in TypeScript inside
 * the core). Every session the core opens talks to one of these. The calls are secure threads:
 * generators that may yield RPC requests to the normal world and are resumed with the reply.
 */
import type { TaParams } from './params.js';
import type { Session } from './session.js';

/** An RPC the secure world needs from the normal world (OPTEE_SMC_RETURN_RPC_*). */
export type RpcRequest =
  | { kind: 'alloc'; size: number }
  | { kind: 'free'; cookie: bigint }
  | { kind: 'cmd'; cookie: bigint };

/** The normal world's registers a0..a7 on OPTEE_SMC_CALL_RETURN_FROM_RPC. */
export interface RpcReply {
  regs: number[];
}

/** A secure thread: runs until done, yielding whenever it needs the normal world. */
export type SecureThread<T> = Generator<RpcRequest, T, RpcReply>;

export interface EntryResult {
  result: number;
  origin: number;
}

/** Who calls: the normal world (no caller TA) or a TA through the internal client API. */
export interface CallContext {
  /** The calling TA instance, for TA-to-TA calls and pseudo-TAs that act on the caller. */
  callerTa?: import('./ta-instance.js').TaInstance;
  /** Cancellation id of the client operation. */
  cancelId?: number;
}

export interface TrustedService {
  readonly uuid: string;
  readonly kind: 'user' | 'pseudo';
  openSession(session: Session, params: TaParams, ctx: CallContext): SecureThread<EntryResult>;
  invoke(session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult>;
  closeSession(session: Session, ctx: CallContext): SecureThread<void>;
}
