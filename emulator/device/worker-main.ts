/**
 * The worker side of a `DeviceHost`: boots one Device on this thread and serves batches of
 * work items posted by the main thread, one at a time (the firmware is single-threaded). The
 * main thread waits for an answer only briefly (host.ts, SYNC_SLICE_MS and SYNC_BUDGET_MS): it
 * keeps serving WebSocket traffic while a TA runs.
 *
 * Work comes and answers go through `channel.ts` channels (a ring in shared memory for batches
 * and answers, in `work-codec.ts` words or msgpack; a MessagePort for the rest). Between
 * batches this thread spins on the request channel's counter for SPIN_MS, then sleeps on it
 * (Atomics.wait) until POLL_WINDOW_MS have passed without work, and only then returns to its
 * event loop: a request that comes while it spins costs no wake-up at all, one that comes while
 * it sleeps a futex wake-up, one that comes later an event-loop wake-up (the channel nudges it
 * through the port).
 *
 * Device events go over only while the host wants them, in order and bounded (`onEvent`).
 *
 * Cancellation cannot travel as a message (this thread is busy running the TA), so the main
 * thread writes session ids into a SharedArrayBuffer board that the TEE core consults through
 * `core.cancelFlags` whenever a TA asks for its cancellation flag.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import {
  TEEC_ERROR_BAD_FORMAT, TEEC_ERROR_BAD_PARAMETERS, TEEC_ERROR_GENERIC, TEEC_MEMREF_PARTIAL_INOUT,
  TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT,
  TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_WHOLE, TEEC_NONE, TEEC_ORIGIN_API, TEEC_VALUE_INOUT, TEEC_VALUE_INPUT,
  TEEC_VALUE_OUTPUT, paramDirection, type WireParam, type WireResultParam,
} from '../abi/protocol.js';
import type { ClientParam, ClientResult, SharedMemory } from '../ree/teec.js';
import { parseTaContainer } from '../tee/loader/container.js';
import { TeeError } from '../abi/errors.js';
import { ChannelReader, ChannelWriter } from './channel.js';
import { workCodec } from './work-codec.js';
import { Device, DeviceError } from './device.js';
import type { DeviceEvent } from '../trace/events.js';
import {
  CANCEL_BOARD_SLOTS, type FromWorker, type ToWorker, type WorkDone, type WorkError, type WorkItem, type WorkerInit,
  type WorkOps,
} from './host.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const board = new Int32Array(init.cancelBoard);
const inbox = new ChannelReader(init.requests, port as unknown as MessagePort, workCodec);
const outbox = new ChannelWriter(init.answers, init.answersPort, workCodec);
const doorbell = inbox.signal;
/** How long the worker keeps polling for the next batch before it returns to its event loop. */
const POLL_WINDOW_MS = 5;
/**
 * How long it spins on the doorbell before sleeping on it: about one answer's trip through
 * the server and a WebSocket client and back, so that back-to-back calls find it awake.
 */
const SPIN_MS = init.spin ? 0.2 : 0;

/** Answers through the ring; events, ready and off through the port (structured clone). */
function send(m: FromWorker): void {
  outbox.send(m, m.kind === 'done');
}

let forwardConsole = false;
let forwardTrace = false;
let requests = 0;
const shm = new Map<number, SharedMemory>();

const device = new Device(init.options);
/** Events waiting to go to the host, in order. */
let outgoing: DeviceEvent[] = [];
/** When the oldest event in `outgoing` came. */
let outgoingSince = 0;
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
/** Event messages sent; the host counts the ones it has handled in `eventAcks[0]`. */
let eventMessages = 0;
const eventAcks = new Int32Array(init.eventAcks);
/** Events dropped since the last `lost` report. */
let lostEvents = 0;
let unsubscribe: (() => void) | undefined;

/**
 * Listens to the device's events only while the host wants them: with no listener the device
 * does not even build its console lines (a hello_world invoke logs two), which is measurably
 * cheaper per call.
 */
function setForwarding(lines: boolean, traceToo: boolean): void {
  forwardConsole = lines;
  forwardTrace = traceToo;
  if ((lines || traceToo) && !unsubscribe) unsubscribe = device.events.on(onEvent);
  if (!lines && !traceToo && unsubscribe) {
    unsubscribe();
    unsubscribe = undefined;
  }
}

/** Event types that belong to the console stream (also forwarded without the trace). */
const CONSOLE_STREAM = new Set(['console', 'panic', 'fault', 'boot', 'power', 'ready']);

/**
 * Forwarded events go to the host in device order (console lines keep their place among the
 * trace lines of the same call). A console-stream event goes at once, with the trace events
 * gathered before it; trace events alone go in batches: when EVENT_BATCH have gathered, when the
 * oldest has waited EVENT_HOLD_MS behind a later one, and at the end of every work batch.
 */
function onEvent(e: DeviceEvent): void {
  const consoleStream = CONSOLE_STREAM.has(e.type);
  if (!forwardTrace && !(forwardConsole && consoleStream)) return;
  const now = performance.now();
  if (outgoing.length === 0) outgoingSince = now;
  outgoing.push(e);
  if (consoleStream || outgoing.length >= EVENT_BATCH || now - outgoingSince > EVENT_HOLD_MS) flushEvents();
}

/** Sends the gathered events, or counts them as lost while the host is EVENT_MESSAGES_IN_FLIGHT behind. */
function flushEvents(): void {
  if (outgoing.length === 0 && lostEvents === 0) return;
  if (eventMessages - Atomics.load(eventAcks, 0) >= EVENT_MESSAGES_IN_FLIGHT) {
    lostEvents += outgoing.length;
    outgoing = [];
    return;
  }
  const events = outgoing.map(plain);
  if (lostEvents > 0) {
    const first = outgoing[0]?.t ?? device.events.now();
    events.unshift({ type: 'lost', t: first, count: lostEvents, where: 'device -> API server' });
    lostEvents = 0;
  }
  outgoing = [];
  eventMessages++;
  send({ kind: 'events', events });
}

/** Events as structured-clone- and msgpack-safe data (bigints become decimal strings). */
function plain(e: DeviceEvent): { type: string; t: number; [key: string]: unknown } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) out[k] = typeof v === 'bigint' ? v.toString() : v;
  return out as { type: string; t: number };
}

function boot(): void {
  // Boot lines go to the host so `trustbox boot` can print them.
  setForwarding(true, false);
  try {
    const report = device.boot();
    // The board holds session ids (invokes) and negated cancel ids (opens in progress).
    device.core.cancelFlags = (session) => {
      const open = session.openCancelId ? -session.openCancelId : 0;
      for (let i = 0; i < CANCEL_BOARD_SLOTS; i++) {
        const v = Atomics.load(board, i);
        if (v === session.id || (open !== 0 && v === open)) return true;
      }
      return false;
    };
    flushEvents();
    setForwarding(false, false);
    send({ kind: 'ready', report, stateDir: device.stateDir });
  } catch (error) {
    flushEvents();
    send({ kind: 'boot-failed', message: (error as Error).message });
    device.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Work items

type Handler<K extends keyof WorkOps> = (args: WorkOps[K]['args']) => WorkOps[K]['result'];

const handlers: { [K in keyof WorkOps]: Handler<K> } = {
  open: (a) => {
    const params = a.params.map(toClientParam);
    const r = device.client.openSession(a.uuid, params, a.login, a.clientUuid, a.cancelId ?? 0);
    return { result: r.result, origin: r.origin, ...(r.session ? { session: r.session } : {}), params: toWire(a.params, r) };
  },
  invoke: (a) => {
    const params = a.params.map(toClientParam);
    const r = device.client.invoke(a.session, a.cmd, params, a.cancelId ?? 0);
    return { result: r.result, origin: r.origin, params: toWire(a.params, r) };
  },
  close: (a) => {
    const r = device.client.closeSession(a.session);
    return { result: r.result, origin: r.origin };
  },
  registerShm: (a) => {
    shm.set(a.id, device.client.registerSharedMemory(a.size, a.flags));
    return {};
  },
  releaseShm: (a) => {
    const block = shm.get(a.id);
    shm.delete(a.id);
    if (block) device.client.releaseSharedMemory(block);
    return {};
  },
  install: (a) => {
    let uuid: string | undefined;
    try {
      uuid = parseTaContainer(a.bytes, 'uploaded TA').bootstrap?.uuid;
    } catch (error) {
      throw new TeeError(TEEC_ERROR_BAD_FORMAT, (error as Error).message, TEEC_ORIGIN_API);
    }
    if (!uuid) throw new TeeError(TEEC_ERROR_BAD_FORMAT, 'the uploaded TA has no bootstrap header, so it names no UUID', TEEC_ORIGIN_API);
    return { uuid, path: device.taStore.install(uuid, a.bytes) };
  },
  list: () => device.taStore.list(),
  stats: () => ({
    sessions: device.core.stats().sessions, poolBytesInUse: device.client.poolBytesInUse, registeredShm: shm.size, requests,
  }),
};

/** A wire parameter as the TeeClient takes it; registered memrefs get their input bytes synced in. */
function toClientParam(p: WireParam): ClientParam {
  switch (p.type) {
    case TEEC_NONE: return { type: 'none' };
    case TEEC_VALUE_INPUT: return { type: 'value-in', a: p.a ?? 0, b: p.b ?? 0 };
    case TEEC_VALUE_OUTPUT: return { type: 'value-out' };
    case TEEC_VALUE_INOUT: return { type: 'value-inout', a: p.a ?? 0, b: p.b ?? 0 };
    case TEEC_MEMREF_TEMP_INPUT: return { type: 'memref-in', data: p.data ?? new Uint8Array(0) };
    case TEEC_MEMREF_TEMP_INOUT: return { type: 'memref-inout', data: p.data ?? new Uint8Array(0) };
    case TEEC_MEMREF_TEMP_OUTPUT: return { type: 'memref-out', size: p.size ?? 0 };
    default: break;
  }
  const block = shm.get(p.shm ?? -1);
  if (!block) throw new TeeError(TEEC_ERROR_BAD_PARAMETERS, `shared memory ${p.shm} is not registered`, TEEC_ORIGIN_API);
  const whole = p.type === TEEC_MEMREF_WHOLE;
  const offset = whole ? 0 : p.offset ?? 0;
  const size = whole ? block.size : p.size ?? 0;
  if (offset + size > block.size) {
    throw new TeeError(TEEC_ERROR_BAD_PARAMETERS, `memref [${offset}, ${offset}+${size}) is outside the ${block.size}-byte block`, TEEC_ORIGIN_API);
  }
  if (p.data && paramDirection(p.type, block.flags).input) {
    if (p.data.length > size) throw new TeeError(TEEC_ERROR_BAD_PARAMETERS, 'synced-in data is longer than the memref', TEEC_ORIGIN_API);
    block.bytes.set(p.data, offset);
  }
  switch (p.type) {
    case TEEC_MEMREF_WHOLE: return { type: 'memref-whole', shm: block };
    case TEEC_MEMREF_PARTIAL_INPUT: return { type: 'memref-partial-in', shm: block, offset, size };
    case TEEC_MEMREF_PARTIAL_OUTPUT: return { type: 'memref-partial-out', shm: block, offset, size };
    case TEEC_MEMREF_PARTIAL_INOUT: return { type: 'memref-partial-inout', shm: block, offset, size };
    default: throw new TeeError(TEEC_ERROR_BAD_PARAMETERS, `unknown parameter type ${p.type}`, TEEC_ORIGIN_API);
  }
}

/** Results on the wire: values for outputs, sizes for memrefs, data only where GP syncs it back. */
function toWire(input: WireParam[], r: ClientResult): WireResultParam[] {
  return input.map((p, i) => {
    const out = r.params[i];
    if (!out || out.type === 'none' || p.type === TEEC_VALUE_INPUT) return { type: p.type };
    if (out.type === 'value') return { type: p.type, a: out.a, b: out.b };
    const flags = p.shm !== undefined ? shm.get(p.shm)?.flags ?? 0 : 0;
    const output = paramDirection(p.type, flags).output;
    return output && out.data.length > 0 ? { type: p.type, size: out.size, data: out.data } : { type: p.type, size: out.size };
  });
}

function serve(item: WorkItem): WorkDone {
  requests++;
  try {
    const handler = handlers[item.op] as (a: unknown) => unknown;
    if (!handler) throw new TeeError(TEEC_ERROR_BAD_PARAMETERS, `unknown work item ${item.op}`, TEEC_ORIGIN_API);
    return { seq: item.seq, value: handler(item.args) };
  } catch (error) {
    return { seq: item.seq, error: toWorkError(error) };
  }
}

function toWorkError(error: unknown): WorkError {
  if (error instanceof TeeError || error instanceof DeviceError) {
    return { result: error.code >>> 0, origin: error.origin, message: error.message };
  }
  return { result: TEEC_ERROR_GENERIC, origin: 2, message: `device: ${(error as Error)?.message ?? String(error)}`, code: 'device-error' };
}

/**
 * Serves a batch in order. Answers go back in groups: at once when the batch is done, and
 * every 2 ms during a long batch so that one slow call does not hold back the answers of the
 * calls before it.
 */
function serveBatch(items: WorkItem[]): void {
  let done: WorkDone[] = [];
  let last = performance.now();
  for (let i = 0; i < items.length; i++) {
    done.push(serve(items[i]!));
    const now = performance.now();
    if (now - last > 2 && i < items.length - 1) {
      send({ kind: 'done', items: done, idle: false });
      done = [];
      last = now;
    }
  }
  flushEvents();
  send({ kind: 'done', items: done, idle: true });
}

/**
 * Serves what has come, then keeps taking messages synchronously while they come within
 * POLL_WINDOW_MS: spinning on the request counter for the first SPIN_MS after each
 * message, sleeping on it after that. A worker returning to its event loop after every batch
 * pays an event-loop wake-up per request; a futex wake-up is several times cheaper, and a
 * spinning thread needs none. Atomics.wait blocks without spinning, so an idle device costs
 * no CPU once SPIN_MS have passed.
 */
function serveLoop(): void {
  let spinUntil = 0;
  let deadline = 0;
  for (;;) {
    const seen = inbox.sent();
    const m = inbox.receive() as ToWorker | undefined;
    if (m) {
      handle(m);
      if (m.kind === 'power-off') return;
      const now = performance.now();
      spinUntil = now + SPIN_MS;
      deadline = now + POLL_WINDOW_MS;
      continue;
    }
    let now = performance.now();
    while (now < spinUntil && inbox.sent() === seen) now = performance.now();
    if (inbox.sent() !== seen) continue;
    if (now < deadline) {
      Atomics.wait(doorbell.array, doorbell.index, seen, deadline - now);
      continue;
    }
    if (!inbox.sleep()) return;
  }
}

function onPortMessage(raw: unknown): void {
  inbox.accept(raw);
  inbox.awake();
  serveLoop();
}

port.on('message', onPortMessage);

function handle(m: ToWorker): void {
  switch (m.kind) {
    case 'batch': serveBatch(m.items); break;
    case 'forward':
      flushEvents();
      setForwarding(m.console, m.trace);
      device.events.verbose = m.trace || (init.options.trace ?? false);
      break;
    case 'power-off':
      try {
        device.powerOff();
      } finally {
        flushEvents();
        send({ kind: 'off' });
      }
      break;
  }
}

boot();
// Until now the host's messages could only queue; from here on a ring message nudges the port.
if (inbox.sleep()) serveLoop();
