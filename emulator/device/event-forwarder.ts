/**
 * The worker's side of device events: they go over to the host only while the host wants
 * them, in device order, and bounded. With no listener the device does not even build its
 * console lines (a hello_world invoke logs two), which is measurably cheaper per call.
 */
import type { DeviceEvent, EventBus } from '../trace/events.js';
import type { FromWorker } from './work.js';

/** Longest time an event waits for its batch to fill while later events come. */
const EVENT_HOLD_MS = 50;
/** Events per message. */
const EVENT_BATCH = 256;
/**
 * Event messages the host may have unread before this thread drops events: a TA that makes
 * syscalls in a tight loop under --trace produces far more events than a server can forward,
 * and without a bound they would pile up in the host's memory. What is dropped is counted and
 * reported as a `lost` event once the host catches up.
 */
const EVENT_MESSAGES_IN_FLIGHT = 16;
/** Event types that belong to the console stream (also forwarded without the trace). */
const CONSOLE_STREAM = new Set(['console', 'panic', 'fault', 'boot', 'power', 'ready']);

type PlainEvent = { type: string; t: number; [key: string]: unknown };

/** Forwards one device's events to its host (see the file header). */
export class EventForwarder {
  private console = false;
  private trace = false;
  /** Events waiting to go to the host, in order. */
  private outgoing: DeviceEvent[] = [];
  /** When the oldest event in `outgoing` came. */
  private outgoingSince = 0;
  /** Event messages sent; the host counts the ones it has handled in `acks[0]`. */
  private messages = 0;
  /** Events dropped since the last `lost` report. */
  private lost = 0;
  private unsubscribe: (() => void) | undefined;

  /** `acks` is the Int32Array[1] the host counts handled event messages in. */
  constructor(
    private readonly events: EventBus,
    private readonly send: (m: FromWorker) => void,
    private readonly acks: Int32Array,
  ) {}

  /** Listens to the device's events only while the host wants some. */
  set(consoleLines: boolean, traceToo: boolean): void {
    this.console = consoleLines;
    this.trace = traceToo;
    if ((consoleLines || traceToo) && !this.unsubscribe) this.unsubscribe = this.events.on((e) => this.onEvent(e));
    if (!consoleLines && !traceToo && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = undefined;
    }
  }

  /**
   * Sends the gathered events, or counts them as lost while the host is
   * EVENT_MESSAGES_IN_FLIGHT behind. Called at the end of every work batch too.
   */
  flush(): void {
    if (this.outgoing.length === 0 && this.lost === 0) return;
    if (this.messages - Atomics.load(this.acks, 0) >= EVENT_MESSAGES_IN_FLIGHT) {
      this.lost += this.outgoing.length;
      this.outgoing = [];
      return;
    }
    const events = this.outgoing.map(plain);
    if (this.lost > 0) {
      const first = this.outgoing[0]?.t ?? this.events.now();
      events.unshift({ type: 'lost', t: first, count: this.lost, where: 'device -> API server' });
      this.lost = 0;
    }
    this.outgoing = [];
    this.messages++;
    this.send({ kind: 'events', events });
  }

  /**
   * Forwarded events go to the host in device order (console lines keep their place among the
   * trace lines of the same call). A console-stream event goes at once, with the trace events
   * gathered before it; trace events alone go in batches: when EVENT_BATCH have gathered, when
   * the oldest has waited EVENT_HOLD_MS behind a later one, and at the end of every work batch.
   */
  private onEvent(e: DeviceEvent): void {
    const consoleStream = CONSOLE_STREAM.has(e.type);
    if (!this.trace && !(this.console && consoleStream)) return;
    const now = performance.now();
    if (this.outgoing.length === 0) this.outgoingSince = now;
    this.outgoing.push(e);
    if (consoleStream || this.outgoing.length >= EVENT_BATCH || now - this.outgoingSince > EVENT_HOLD_MS) this.flush();
  }
}

/** Events as structured-clone- and msgpack-safe data (bigints become decimal strings). */
function plain(e: DeviceEvent): PlainEvent {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) out[k] = typeof v === 'bigint' ? v.toString() : v;
  return out as PlainEvent;
}
