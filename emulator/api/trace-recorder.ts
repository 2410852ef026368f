/**
 * The API server's part of the trace: device events go on to the subscribers (broadcast.ts) and,
 * when the server keeps a trace history (ServerOptions.traceHistory), into it; and for each
 * client operation that reaches the device as a request (open, invoke, close) the server adds
 * its own hop, an `api` event: the client, the operation and the time from the request frame's
 * arrival to the answer. With a history the device's trace is forwarded all the time, which
 * costs some time per call: the price of seeing calls made before a reader connected.
 */
import type { EventFrame } from '../abi/protocol.js';
import type { ApiEvent, DeviceEvent } from '../trace/events.js';
import { REQUEST_OP, TraceHistory } from '../trace/history.js';
import type { Connection } from './connection.js';

/** Most calls a server's trace history may keep. */
export const MAX_TRACE_HISTORY = 4096;

/** Validates ServerOptions.traceHistory: calls kept, 0 (no history) to MAX_TRACE_HISTORY. */
export function checkTraceHistory(v: unknown): void {
  if (v === undefined) return;
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_TRACE_HISTORY)) {
    throw new TypeError(`traceHistory must be a whole number of calls from 0 (no history) to ${MAX_TRACE_HISTORY}`);
  }
}

export class TraceRecorder {
  /** The latest calls' trace, when the server keeps one. */
  readonly history: TraceHistory | undefined;

  /** `calls`: how many calls the history keeps (0 or undefined: none); `send` broadcasts an event. */
  constructor(calls: number | undefined, private readonly send: (e: EventFrame['event']) => void, private readonly now: () => number) {
    this.history = calls ? new TraceHistory(calls) : undefined;
  }

  /** One device event: into the history, and out to the subscribers. */
  event(e: DeviceEvent): void {
    this.history?.add(e);
    this.send(e as unknown as EventFrame['event']);
  }

  /** Connection `c`'s operation `op`, received at `receivedAt` (performance.now()), was answered just now. */
  answered(c: Connection, op: string, receivedAt: number): void {
    if (!REQUEST_OP[op]) return;
    const ms = Math.round((performance.now() - receivedAt) * 1000) / 1000;
    const e: DeviceEvent = { type: 'api', t: this.now(), op, client: c.name, remote: c.remote, ms } satisfies ApiEvent & { t: number };
    this.event(e);
  }
}
