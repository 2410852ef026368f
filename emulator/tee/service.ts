/**
 * Trusted services and their sessions. A trusted service is a user TA instance or a pseudo-TA
 * (a service written in TypeScript inside the core); every session the core opens talks to
 * one of these. The calls are secure threads: generators that may yield RPC requests to the
 * normal world and are resumed with the reply.
 */
import type { TaParams } from './params.js';
import type { TaAddressSpace } from './ta-space.js';

/** An RPC the secure world needs from the normal world (OPTEE_SMC_RETURN_RPC_*). */
export type RpcRequest =
  | { kind: 'alloc'; size: number }
  | { kind: 'free'; cookie: bigint }
  | { kind: 'cmd'; cookie: bigint }
  /**
   * The thread gives the CPU back to the normal world (OPTEE_SMC_RETURN_RPC_FOREIGN_INTR), as an
   * OP-TEE thread does when a normal-world interrupt arrives, so that other calls are served;
   * it asks to be resumed no sooner than `wakeAt` (performance.now() time; 0 = at once).
   */
  | { kind: 'preempt'; wakeAt: number; why: PreemptReason };

/** Why a secure thread gave the CPU back: its time slice ended, it sleeps, or its TA is busy. */
export type PreemptReason = 'slice' | 'wait' | 'busy';

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

/**
 * What a pseudo-TA or a called service may know of a calling TA instance: its identity and
 * its address space (the system PTA maps into it). Kept narrow so that services do not depend
 * on the TA instance's implementation.
 */
export interface CallerTa {
  readonly uuid: string;
  readonly space: TaAddressSpace;
  /** SHA-256 of its signed container and of its signer's key (hex), for attestation PTAs. */
  readonly measurement?: string;
  readonly signerId?: string;
  /** What is left of the time budget of the call the caller is serving (a callee gets no more). */
  readonly budgetLeftMs: number;
  /** The TA that called this one, if a TA did (a chain of TA-to-TA calls). */
  readonly caller?: CallerTa;
  /**
   * The call's thread was parked for `ms` while other calls ran: that time is not the TA's own,
   * so its budget (and its callers') moves on by as much.
   */
  creditParked(ms: number): void;
}

/** Who calls: the normal world (no caller TA) or a TA through the internal client API. */
export interface CallContext {
  /** The calling TA instance, for TA-to-TA calls and pseudo-TAs that act on the caller. */
  callerTa?: CallerTa;
  /** Cancellation id of the client operation. */
  cancelId?: number;
  /**
   * A calling TA's timeout (cancel_req_to of TEE_OpenTASession/TEE_InvokeTACommand) as a time
   * on the kernel's clock: from then on the operation counts as cancelled, as OP-TEE's cancel_time.
   */
  cancelAt?: number;
}

export interface TrustedService {
  readonly uuid: string;
  readonly kind: 'user' | 'pseudo';
  openSession(session: Session, params: TaParams, ctx: CallContext): SecureThread<EntryResult>;
  invoke(session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult>;
  closeSession(session: Session, ctx: CallContext): SecureThread<void>;
}

/** Who opened a session (TEE_Identity). */
export interface ClientIdentity {
  login: number;
  uuid: string;
}

export class Session {
  /** Cancellation requested by the client for the operation in progress. */
  cancelRequested = false;
  /** Cancellation is masked until the TA unmasks it (GP default). */
  cancelMasked = true;
  /** While a calling TA's operation with a timeout runs: when it counts as cancelled (kernel clock ms). */
  cancelAt: number | undefined;
  /** The TA's per-session context, as libutee keeps it, is opaque to us. */
  closed = false;
  /**
   * While the session is being opened: the client operation's cancellation id (OPTEE_MSG
   * cancel_id), by which a client that has no session id yet cancels the open. 0 otherwise.
   */
  openCancelId = 0;

  /** `id` is chosen by the core: unique among its live sessions, never 0. */
  constructor(readonly id: number, readonly service: TrustedService, readonly client: ClientIdentity) {}
}
