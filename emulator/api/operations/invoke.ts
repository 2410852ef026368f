/**
 * invokeCommand, the hottest operation: the params cross the client boundary once
 * (params.ts), the device runs the command, the answer becomes wire results. Not async: one
 * promise fewer per call (it may throw before it returns; the server's dispatch turns that into
 * a rejection).
 */
import type { WorkOps } from '../../device/work.js';
import { toNormalWorld, toWireResults } from '../params.js';
import type { Handlers, Services } from './services.js';

/** The handler of invokeCommand. */
export function invokeOperations(s: Services): Handlers<'invokeCommand'> {
  return {
    invokeCommand: (c, a) => {
      const context = c.sessionContext(a.session);
      const call = toNormalWorld(a.params, { shm: c.shm, context, limits: s.limits });
      const args: WorkOps['invoke']['args'] = { session: a.session, cmd: a.cmd, params: call.params };
      if (call.data) args.data = call.data;
      if (a.cancelId !== undefined) args.cancelId = a.cancelId;
      const device = s.device;
      const onRpc = c.rpcSessions.has(a.session) ? s.rpcServer(c, c.dispatching) : undefined;
      return device.call('invoke', args, onRpc).then(
        (r) => {
          device.clearCancellation(a.session);
          return { result: r.result, origin: r.origin, params: toWireResults(a.params, r) };
        },
        (e: unknown) => {
          device.clearCancellation(a.session);
          throw e;
        },
      );
    },
  };
}
