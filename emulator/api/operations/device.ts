/** info, subscribe (console lines and the trace), traceHistory and ping: the device itself rather than a TA. */
import { PROTOCOL_VERSION, type EventFrame } from '../../abi/protocol.js';
import { protocolError } from '../errors.js';
import type { Handlers, Services } from './services.js';

/** Handlers of info, subscribe, traceHistory and ping. */
export function deviceOperations(s: Services): Handlers<'info' | 'subscribe' | 'traceHistory' | 'ping'> {
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
    traceHistory: async (c, a) => {
      // The same calls the trace shows (every client's, parameters included): an admin right.
      c.requireAdmin('reading the trace history');
      const history = s.history();
      if (!history) throw protocolError('NOT_FOUND', 'this server keeps no trace history (ServerOptions.traceHistory, `trustbox boot --trace-history N`)');
      const calls = history.list({ ...(a.call !== undefined ? { call: a.call } : {}), ...(a.last !== undefined ? { last: a.last } : {}) });
      return { calls: calls.map((x) => ({ call: x.call, events: x.events as unknown as EventFrame['event'][] })), total: history.total };
    },
    // Answered here without touching the device (liveness, latency baselines).
    ping: async (_c, a) => (a.data ? { data: a.data } : {}),
  };
}
