/**
 * The trace of the latest client calls, kept so that a reader who comes later (`trustbox trace`,
 * the live view) can still see them: for each call, numbered from 1 in the order the calls
 * began since the history started (the API server starts it at boot), the events from its
 * `request` to its `request-done`, and the API server's `api` event for it. Bounded twice: the
 * last `calls` calls, and at most `eventsPerCall` events each (the rest counted in a `lost`).
 */
import type { DeviceEvent } from './events.js';

/** One call of the history: its number and its events, ready for callTrees. */
export interface HistoryCall { call: number; events: DeviceEvent[] }

/** Device request ops (request-flow.ts) by the protocol operation that makes them. */
export const REQUEST_OP: Readonly<Record<string, string>> = { openSession: 'open session', invokeCommand: 'invoke', closeSession: 'close session' };

/** Calls kept by default. */
export const HISTORY_CALLS = 64;
/** Events kept per call by default. */
export const HISTORY_EVENTS_PER_CALL = 1000;
/** How many of the latest finished calls an `api` event may belong to. */
const API_LOOKBACK = 16;

interface OpenCall extends HistoryCall { dropped: number }

export class TraceHistory {
  private readonly done: HistoryCall[] = [];
  private readonly open = new Map<number, OpenCall>();
  private count = 0;

  constructor(readonly calls = HISTORY_CALLS, readonly eventsPerCall = HISTORY_EVENTS_PER_CALL) {
    if (!Number.isInteger(calls) || calls < 1) throw new RangeError('a trace history keeps at least 1 call');
  }

  /** Takes one event of the device's stream (or the API server's `api` events). */
  add(e: DeviceEvent): void {
    if (e.type === 'request') {
      this.open.set(e.slot, { call: ++this.count, events: [e], dropped: 0 });
      return;
    }
    if (e.type === 'request-done') {
      const c = this.open.get(e.slot);
      if (!c) return;
      this.open.delete(e.slot);
      if (c.dropped > 0) c.events.push({ type: 'lost', t: e.t, count: c.dropped, where: 'trace history (events kept per call)' });
      c.events.push(e);
      this.done.push({ call: c.call, events: c.events });
      if (this.done.length > this.calls) this.done.shift();
      return;
    }
    if (e.type === 'api') {
      this.addApi(e);
      return;
    }
    for (const c of this.open.values()) {
      if (c.events.length < this.eventsPerCall) c.events.push(e);
      else c.dropped++;
    }
  }

  /** The API server's answer belongs to the newest call of its operation that has none yet. */
  private addApi(e: DeviceEvent & { type: 'api' }): void {
    const op = REQUEST_OP[e.op];
    if (!op) return;
    // Sent with the answer, so after its call's request-done: finished calls first, newest first.
    const candidates = [...this.done.slice(-API_LOOKBACK).reverse(), ...this.open.values()];
    for (const c of candidates) {
      const first = c.events[0];
      if (first?.type !== 'request' || first.op !== op || c.events.some((x) => x.type === 'api')) continue;
      c.events.splice(c.events.findIndex((x) => x.type === 'request-done') + 1 || c.events.length, 0, e);
      return;
    }
  }

  /** Finished calls, oldest first: the one numbered `call`, or the newest `last` (default all). */
  list(opts: { call?: number; last?: number } = {}): HistoryCall[] {
    if (opts.call !== undefined) return this.done.filter((c) => c.call === opts.call);
    return opts.last !== undefined ? this.done.slice(Math.max(0, this.done.length - opts.last)) : [...this.done];
  }

  /** How many calls began since the history started (the newest call's number). */
  get total(): number {
    return this.count;
  }
}
