/**
 * Device events to the connections that subscribed to them (console lines, the trace), without
 * ever queueing without bound: a subscriber whose socket holds EVENT_BACKLOG_BYTES unsent
 * misses events, counted, and gets a `lost` event with the count once it catches up.
 */
import type { Packr } from 'msgpackr';
import type { EventFrame } from '../abi/protocol.js';
import type { Connection } from './connection.js';

/** Unsent bytes on a subscriber's socket beyond which it misses events instead of queueing them. */
const EVENT_BACKLOG_BYTES = 4 * 1024 * 1024;

/**
 * Sends a device event to its subscribers among `connections`; a `lost` event from the device
 * itself goes to every subscriber. One encoding of the frame serves them all.
 */
export function broadcast(event: EventFrame['event'], connections: Iterable<Connection>, packr: Packr): void {
  const lost = event.type === 'lost';
  const stream = event.type === 'console' ? 'console' : 'trace';
  let bytes: Buffer | undefined;
  for (const c of connections) {
    if (!c.authenticated || c.ws.readyState !== c.ws.OPEN) continue;
    if (lost ? !c.subscribed.console && !c.subscribed.trace : !c.subscribed[stream]) continue;
    if (c.ws.bufferedAmount >= EVENT_BACKLOG_BYTES) {
      c.lostEvents += lost ? Number(event.count) || 0 : 1;
      continue;
    }
    if (c.lostEvents > 0) {
      sendEvent(c, { type: 'lost', t: event.t, count: c.lostEvents, where: 'API server -> client' }, packr);
      c.lostEvents = 0;
    }
    if (lost) {
      sendEvent(c, event, packr);
      continue;
    }
    bytes ??= packr.pack({ type: 'event', stream, event } satisfies EventFrame);
    c.ws.send(bytes);
  }
}

/** One event to one subscriber, on the stream it subscribed to. */
function sendEvent(c: Connection, event: EventFrame['event'], packr: Packr): void {
  c.ws.send(packr.pack({ type: 'event', stream: c.subscribed.trace ? 'trace' : 'console', event } satisfies EventFrame));
}
