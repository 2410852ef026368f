/**
 * The worker side of a `DeviceHost`: boots one Device on this thread and serves batches of
 * work items posted by the main thread. TEE calls are started and answered as each ends
 * (work-handlers.ts); while calls are in flight this thread runs the device in turns
 * (`driveOnce`: the normal world until its firmware waits, a time slice of a busy TA at most)
 * and takes new messages between turns, or sleeps while every call in flight waits for a time
 * still to come. The main thread waits for an answer only briefly (host.ts, SYNC_SLICE_MS and
 * SYNC_BUDGET_MS): it keeps serving WebSocket traffic while a TA runs.
 *
 * Work comes and answers go through `channel.ts` channels (a ring in shared memory for batches
 * and answers, in `work-codec.ts` words or msgpack; a MessagePort for the rest). Between
 * batches this thread spins on the request channel's counter for SPIN_MS, then sleeps on it
 * (Atomics.wait) until POLL_WINDOW_MS have passed without work, and only then returns to its
 * event loop: a request that comes while it spins costs no wake-up at all, one that comes while
 * it sleeps a futex wake-up, one that comes later an event-loop wake-up (the channel nudges it
 * through the port).
 *
 * Device events go over only while the host wants them, in order and bounded
 * (event-forwarder.ts); the items themselves are served by work-handlers.ts.
 *
 * Cancellation cannot travel as a message (this thread is busy running the TA), so the main
 * thread raises flags in memory shared with this thread (cancel-flags.ts), which the TEE core
 * consults through `core.cancelFlags` whenever a TA asks for its cancellation flag.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { CancelFlags } from './cancel-flags.js';
import { ChannelReader, ChannelWriter } from './channel.js';
import { Device } from './device.js';
import { EventForwarder } from './event-forwarder.js';
import { workCodec } from './work-codec.js';
import { WorkServer } from './work-handlers.js';
import type { FromWorker, ToWorker, WorkDone, WorkItem, WorkerInit } from './work.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const cancelFlags = new CancelFlags(init.cancelFlags);
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

const device = new Device(init.options);
const forwarder = new EventForwarder(device.events, send, new Int32Array(init.eventAcks));
/** Answers not yet sent. */
let answers: WorkDone[] = [];
const work = new WorkServer(device, (d) => answers.push(d), wire);
/** Longest sleep while every call in flight waits for a time still to come. */
const MAX_PARK_SLEEP_MS = 50;

function boot(): void {
  // Boot lines go to the host so `trustbox boot` can print them.
  forwarder.set(true, false);
  try {
    const report = device.boot();
    wire();
    forwarder.flush();
    forwarder.set(false, false);
    send({ kind: 'ready', report, stateDir: device.stateDir });
  } catch (error) {
    forwarder.flush();
    send({ kind: 'boot-failed', message: (error as Error).message });
    device.close();
  }
}

/** Connects a booted (or restored) device's core and supplicant to this thread's flags and host. */
function wire(): void {
  device.core.cancelFlags = (session) => cancelFlags.isFlagged(session.id, session.openCancelId);
  // A call's RPCs that a client serves (ocalls) go to the host, which asks that call's client.
  device.rpcSink = (seq, rpc, call) => {
    if (seq === undefined) return false;
    forwarder.flush();
    send({ kind: 'rpc', seq, rpc, call });
    return true;
  };
}

/** Sends the answers gathered so far; `idle` tells the host it may post the next batch. */
function answer(): void {
  hostToldIdle = true;
  forwarder.flush();
  const items = answers;
  answers = [];
  send({ kind: 'done', items, idle: true });
}

/**
 * One turn of the device while calls are in flight: the normal world runs until its firmware
 * waits (calls that end are answered), or, when every call in flight waits for a time still to
 * come (a TEE_Wait), this thread sleeps until then or until a message comes.
 */
function driveOnce(seen: number): void {
  let flow;
  try {
    flow = device.requests();
  } catch {
    work.resume(); // the device is off: calls still waiting for room fail now
    answer();
    return;
  }
  const now = performance.now();
  if (flow.waitingOnClients) {
    // Every call waits for a client's answer to an RPC: only a message (that answer, new work,
    // a cancellation) can change that, so sleep until one comes.
    if (inbox.sent() === seen) Atomics.wait(doorbell.array, doorbell.index, seen, MAX_PARK_SLEEP_MS);
    work.resume();
    if (answers.length > 0 || !hostToldIdle) answer();
    return;
  }
  if (!flow.runnable(now)) {
    const wake = flow.wakeAt() ?? now;
    // A message, a cancellation (the host wakes us) or the time ends the sleep; then the
    // parked calls get their turn (a cancelled wait ends at once).
    if (wake > now && inbox.sent() === seen) {
      Atomics.wait(doorbell.array, doorbell.index, seen, Math.min(wake - now, MAX_PARK_SLEEP_MS));
    }
  }
  flow.pump();
  work.resume();
  if (answers.length > 0 || !hostToldIdle) answer();
}

/** Whether the host heard `idle` since its last batch (it holds new work back until then). */
let hostToldIdle = true;

/** Starts every item of a batch; answers now unless calls are in flight (then driveOnce does). */
function serveBatch(items: WorkItem[]): void {
  hostToldIdle = false;
  for (const item of items) work.serve(item);
  if (work.pending === 0 || answers.length > 0) answer();
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
    if (work.pending > 0) {
      driveOnce(seen);
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
      forwarder.flush();
      forwarder.set(m.console, m.trace);
      device.events.verbose = m.trace || (init.options.trace ?? false);
      break;
    case 'rpc-answer':
      try {
        device.answerRpc(m.rpc, m.answer);
      } catch {
        // the device went off meanwhile: its calls are answered as lost
      }
      break;
    case 'power-off':
      try {
        device.powerOff();
      } finally {
        forwarder.flush();
        send({ kind: 'off' });
      }
      break;
  }
}

boot();
// Until now the host's messages could only queue; from here on a ring message nudges the port.
if (inbox.sleep()) serveLoop();
