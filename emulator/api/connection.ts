/**
 * One client connection's state. Isolation: every context, session and shared-memory id is
 * recorded against the connection that created it and looked up in that connection's tables
 * only, so another client's ids are simply "not found".
 */
import type { RpcAnswer } from '../abi/protocol.js';
import type { FrameSocket } from './framed-socket.js';
import { protocolError } from './errors.js';
import { ShmTable } from './shm-table.js';

/** What the server knows of one connection: its identity, ids, limits' counters and subscriptions. */
export class Connection {
  authenticated = false;
  /** Whether the hello carried the admin credential (installTA, the trace subscription). */
  admin = false;
  /** The client's name from its hello (the application identity of LOGIN_APPLICATION). */
  name = 'client';
  readonly contexts = new Set<number>();
  /** Open sessions and the context each belongs to. */
  readonly sessions = new Map<number, number>();
  readonly shm = new ShmTable();
  /** Opens in flight (they count against the session limit). */
  pendingSessions = 0;
  /** Opens in progress that named a cancelId: the client's id -> the device-wide one. */
  readonly openCancels = new Map<number, number>();
  /** Request ids waiting for their answers. */
  readonly inFlight = new Set<number>();
  protocolErrors = 0;
  subscribed = { console: false, trace: false };
  /** Events this subscriber missed while its socket was backed up (reported when it catches up). */
  lostEvents = 0;
  closed = false;
  helloTimer: NodeJS.Timeout | undefined;
  /** Sessions whose client serves their RPCs (opened with `rpc: true`). */
  readonly rpcSessions = new Set<number>();
  /** RPCs sent to this client and not yet answered, by rpc id. */
  readonly rpcs = new Map<number, (answer: RpcAnswer) => void>();
  nextRpc = 1;
  /** The id of the request being dispatched (read by handlers before their first await). */
  dispatching = -1;

  /** `remote`: address:port for logs; `peer`: the address alone, for the per-peer connection cap. */
  constructor(readonly ws: FrameSocket, readonly remote: string, readonly peer: string = remote) {}

  /** Throws ADMIN_REQUIRED unless the hello carried the admin credential. */
  requireAdmin(what: string): void {
    if (!this.admin) throw protocolError('ADMIN_REQUIRED', `${what} needs the admin credential: send "admin" (from <state>/admin.json) in the hello`);
  }

  /** Throws NOT_FOUND unless `context` is this connection's. */
  ownContext(context: number): void {
    if (!this.contexts.has(context)) throw protocolError('NOT_FOUND', `context ${context} is not one of this connection's`);
  }

  /** The context of this connection's session `session`; throws NOT_FOUND otherwise. */
  sessionContext(session: number): number {
    const context = this.sessions.get(session);
    if (context === undefined) throw protocolError('NOT_FOUND', `session ${session} is not one of this connection's`);
    return context;
  }
}
