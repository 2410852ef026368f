/** info, subscribe (console lines and the trace) and ping: the device itself rather than a TA. */
import { PROTOCOL_VERSION } from '../../abi/protocol.js';
import type { Handlers, Services } from './services.js';

/** Handlers of info, subscribe and ping. */
export function deviceOperations(s: Services): Handlers<'info' | 'subscribe' | 'ping'> {
  return {
    info: async () => {
      const d = s.device;
      const stats = await d.call('stats', {});
      return {
        board: d.report?.board ?? '', osUuid: d.report?.osUuid ?? '', bootMs: d.report?.bootMs ?? 0, uptimeMs: d.uptimeMs(),
        stateDir: d.stateDir, protocolVersion: PROTOCOL_VERSION, requests: stats.requests,
      };
    },
    subscribe: async (c, a) => {
      // The trace shows every client's calls (parameters included): an admin right.
      if (a.trace === true) c.requireAdmin('subscribing to the trace');
      c.subscribed = { console: a.console ?? c.subscribed.console, trace: a.trace ?? c.subscribed.trace };
      s.updateForwarding();
      return {};
    },
    // Answered here without touching the device (liveness, latency baselines).
    ping: async (_c, a) => (a.data ? { data: a.data } : {}),
  };
}
