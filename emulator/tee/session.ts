/**
 * Sessions and client identities.
 */
import type { TrustedService } from './service.js';


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
