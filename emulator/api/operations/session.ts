/**
 * openSession, closeSession and requestCancellation. An open's params cross the client
 * boundary as an invoke's do (params.ts); an open that names a cancelId gets a device-wide one
 * for as long as it runs, so that requestCancellation can flag it before it has a session id.
 */
import type { WorkOps } from '../../device/work.js';
import { LOGIN_METHODS, clientUuid } from '../login.js';
import { protocolError } from '../errors.js';
import type { Connection } from '../connection.js';
import { toNormalWorld, toWireResults } from '../params.js';
import type { Handler, Handlers, Services } from './services.js';

/** The open work item for the request `a` of connection `c`, checked (limits, login, params). */
function openArgs(s: Services, c: Connection, a: Parameters<Handler<'openSession'>>[1]): WorkOps['open']['args'] {
  c.ownContext(a.context);
  if (!LOGIN_METHODS.has(a.login)) throw protocolError('BAD_ARGUMENTS', `unknown login method ${a.login}`);
  if (c.sessions.size + c.pendingSessions >= s.limits.maxSessions) {
    throw protocolError('SESSION_LIMIT', `at most ${s.limits.maxSessions} sessions per connection; close some first`);
  }
  if (s.totals().sessions >= s.limits.maxTotalSessions) {
    throw protocolError('DEVICE_SESSION_LIMIT', `the device has ${s.limits.maxTotalSessions} sessions open across all clients; try again when some close`);
  }
  const call = toNormalWorld(a.params, { shm: c.shm, context: a.context, limits: s.limits });
  const client = clientUuid(a.login, a.connectionData, c.name);
  if (a.cancelId !== undefined && c.openCancels.has(a.cancelId)) {
    throw protocolError('BAD_ARGUMENTS', `cancelId ${a.cancelId} already names an open in progress`);
  }
  const args: WorkOps['open']['args'] = { uuid: a.uuid.toLowerCase(), login: a.login, params: call.params };
  if (call.data) args.data = call.data;
  if (client) args.clientUuid = client;
  return args;
}

/** Handlers of openSession, closeSession and requestCancellation. */
export function sessionOperations(s: Services): Handlers<'openSession' | 'closeSession' | 'requestCancellation'> {
  return {
    openSession: async (c, a) => {
      const onRpc = a.rpc ? s.rpcServer(c, c.dispatching) : undefined;
      const args = openArgs(s, c, a);
      const cancelId = a.cancelId !== undefined ? s.newCancelId() : 0;
      if (cancelId) {
        c.openCancels.set(a.cancelId!, cancelId);
        args.cancelId = cancelId;
      }
      c.pendingSessions++;
      try {
        const r = await s.device.call('open', args, onRpc);
        if (r.session !== undefined && r.result === 0) {
          if (c.closed) void s.device.call('close', { session: r.session }).catch(() => {});
          else {
            c.sessions.set(r.session, a.context);
            if (a.rpc) c.rpcSessions.add(r.session);
          }
        }
        const result = { result: r.result, origin: r.origin, params: toWireResults(a.params, r) };
        return r.session !== undefined ? { ...result, session: r.session } : result;
      } finally {
        c.pendingSessions--;
        if (cancelId) {
          c.openCancels.delete(a.cancelId!);
          s.device.clearOpenCancellation(cancelId);
        }
      }
    },
    closeSession: async (c, a) => {
      c.sessionContext(a.session);
      c.sessions.delete(a.session);
      c.rpcSessions.delete(a.session);
      await s.device.call('close', { session: a.session });
      return {};
    },
    requestCancellation: async (c, a) => {
      if ((a.session === undefined) === (a.cancelId === undefined)) {
        throw protocolError('BAD_ARGUMENTS', 'requestCancellation names either a session or the cancelId of an open');
      }
      if (a.cancelId !== undefined) {
        // GP: best effort. An open that already ended (or never named this id) has nothing to stop.
        const cancelId = c.openCancels.get(a.cancelId);
        if (cancelId) s.device.requestOpenCancellation(cancelId);
        return {};
      }
      c.sessionContext(a.session!);
      s.device.requestCancellation(a.session!);
      return {};
    },
  };
}
