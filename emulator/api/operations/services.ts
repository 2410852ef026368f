/**
 * What the operation handlers get from the server: the device, the limits and the server-wide
 * counters, and the shape every handler has. The handlers live one family per module
 * (context, session, invoke, shm, ta, device); the server keeps connections, framing, auth and
 * dispatch.
 */
import type { Limits, OperationArgs, OperationName, OperationResult } from '../../abi/protocol.js';
import type { DeviceHost, RpcServe } from '../../device/host.js';
import type { Connection } from '../connection.js';
import type { TraceHistory } from '../../trace/history.js';

/** The server's services the handlers use. */
export interface Services {
  readonly device: DeviceHost;
  readonly limits: Limits;
  /** A fresh id for a context or a block of shared memory (unique on this server). */
  newId(): number;
  /** A fresh device-wide cancel id for an open (clients' own ids may collide with each other's). */
  newCancelId(): number;
  /** Sessions (open and opening) and shared-memory bytes across all connections, for the device-wide quotas. */
  totals(): { sessions: number; shmBytes: number };
  /** Re-computes which device events the server wants, after a subscription changed. */
  updateForwarding(): void;
  /** Serves the RPCs of connection `c`'s request `id` by asking the client (rpc frames). */
  rpcServer(c: Connection, id: number): RpcServe;
  /** The server's trace history of the latest calls, when it keeps one (ServerOptions.traceHistory). */
  history(): TraceHistory | undefined;
}

/** Serves one operation for connection `c`; may throw (an ApiError) before it returns. */
export type Handler<O extends OperationName> = (c: Connection, a: OperationArgs<O>) => Promise<OperationResult<O>>;

/** Handlers of a family of operations. */
export type Handlers<K extends OperationName> = { [O in K]: Handler<O> };
