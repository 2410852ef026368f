/**
 * `DeviceHost`: one Device running in a worker thread (worker-main.ts), driven from the main
 * thread through async methods, so that a server stays responsive while a TA runs.
 *
 * Requests are serialised per device: the normal-world firmware serves one host-bridge request
 * at a time (it is single-threaded, as one CPU running one driver loop), and the whole device
 * runs synchronously on the worker's thread. The host therefore queues requests and posts
 * them to the worker in batches: while the worker runs one batch, new requests wait in the
 * queue, and the next batch carries all of them in one message. Under load this amortises the
 * cost of a postMessage round trip over many requests.
 *
 * Both directions are `channel.ts` channels: a ring in a SharedArrayBuffer for batches and
 * answers (value-only invokes and their answers in the short form of `work-codec.ts`, the
 * rest as msgpack), a MessagePort for the rest, one order. After posting a batch the host waits for
 * its answer synchronously, spinning on the answer channel's counter, in slices of at most
 * SYNC_SLICE_MS. A slice runs in a setImmediate, after the event loop's poll phase, so frames
 * already readable are queued (and batched) first and the main thread waits only when it has
 * nothing else ready; when a slice ends unanswered, the next one is scheduled behind whatever
 * I/O came meanwhile, until SYNC_BUDGET_MS after the post, when the host goes back to sleeping
 * in its event loop and the answer arrives through the port's 'message' event. A hello_world
 * invoke (tens of µs) ends inside the first slice and skips the event-loop wake-up of the main
 * thread (uv_async + epoll), which measured 15-50 µs per hop on a quiet VM and hundreds of µs
 * when the idle CPU had to be woken; a long TA run holds other connections' frames for at most
 * one slice at a time, and costs spinning for at most SYNC_BUDGET_MS.
 *
 * Cancellation bypasses the queue: `requestCancellation(session)` raises the session's flag in
 * the cancellation flags shared with the worker (cancel-flags.ts), which the worker's TEE core
 * reads (`core.cancelFlags`) while the TA runs, and wakes the worker if it sleeps while calls
 * wait (TEE_Wait). The watchdog is the device's own (uc_emu_stop from a timer thread).
 *
 * The messages themselves (work items, batches, answers) are defined in work.ts.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { TEEC_ERROR_COMMUNICATION, TEEC_ERROR_NOT_SUPPORTED, TEEC_ORIGIN_COMMS } from '../abi/client-api.js';
import type { RpcAnswer, RpcCall } from '../abi/protocol.js';
import type { DeviceEvent } from '../trace/events.js';
import { CancelFlags, cancelFlagsBuffer } from './cancel-flags.js';
import { ChannelReader, ChannelWriter, channelBuffer } from './channel.js';
import type { DeviceOptions } from './device.js';
import { workCodec } from './work-codec.js';
import type { FromWorker, ReadyReport, ToWorker, WorkItem, WorkOp, WorkOps, WorkerInit } from './work.js';

/** Serves one RPC of a call in flight (an Open Enclave ocall) for the client that made the call. */
export type RpcServe = (call: RpcCall) => RpcAnswer | Promise<RpcAnswer>;

/**
 * Spinning (the bounded synchronous wait here, the worker's short spin before it sleeps) pays
 * on a machine with a spare core and costs on a busy one: `TRUSTBOX_SPIN=0` turns it off for
 * devices started afterwards (docs/protocol.md, "Performance", has the figures).
 */
export function spins(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TRUSTBOX_SPIN !== '0';
}

/**
 * Longest single synchronous wait of the main thread for a posted batch: long enough for a
 * typical call (a hello_world invoke is 20-50 µs of device time), short enough that other
 * connections' frames wait no longer than this behind a long TA run.
 */
export const SYNC_SLICE_MS = 0.25;
/** How long after posting a batch the host keeps waiting in slices before it sleeps. */
export const SYNC_BUDGET_MS = 2;

/** How long `close()` waits for the firmware to power off before it terminates the worker. */
const POWER_OFF_GRACE_MS = 5000;
/** Directory levels `workerScriptPath` climbs to find the project root. */
const MAX_ROOT_DEPTH = 8;

/** Thrown (rejected) when the device cannot serve: worker gone, boot failed, powered off. */
export class DeviceHostError extends Error {
  constructor(message: string, readonly result = TEEC_ERROR_COMMUNICATION, readonly origin = TEEC_ORIGIN_COMMS, readonly code = 'device-error') {
    super(message);
    this.name = 'DeviceHostError';
  }
}

/** The compiled worker script: dist/emulator/device/worker-main.js under the project root. */
export function workerScriptPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < MAX_ROOT_DEPTH; i++) {
    const candidate = join(dir, 'dist', 'emulator', 'device', 'worker-main.js');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new DeviceHostError('dist/emulator/device/worker-main.js not found: run `npm run build` first');
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type EventListener = (event: DeviceEvent) => void;

/** One device in a worker thread, driven from this thread (see the file header). */
export class DeviceHost {
  private readonly worker: Worker;
  private readonly cancelFlags: CancelFlags;
  private readonly eventAcks: Int32Array;
  private readonly requests: ChannelWriter;
  private readonly answers: ChannelReader;
  private readonly answersPort: MessagePort;
  private booting: { resolve: (host: DeviceHost) => void; reject: (e: Error) => void } | undefined;
  private readonly pending = new Map<number, Pending>();
  private queue: WorkItem[] = [];
  private busy = false;
  /** Batches posted so far; the synchronous wait is for one batch. */
  private batches = 0;
  private waitScheduled = false;
  private postedAt = 0;
  private readonly spin: boolean;
  private seq = 1;
  private dead: Error | undefined;
  private readonly listeners = new Set<EventListener>();
  /** Who serves the RPCs of each work item in flight that has a server (call's onRpc). */
  private readonly rpcServers = new Map<number, RpcServe>();
  private readonly wants = new Map<string, { console: boolean; trace: boolean }>();
  report: ReadyReport | undefined;
  stateDir = '';
  private readonly bootedAt = performance.now();
  private offResolve: (() => void) | undefined;

  private constructor(options: DeviceOptions) {
    const flags = cancelFlagsBuffer();
    this.cancelFlags = new CancelFlags(flags);
    const requests = channelBuffer();
    const answers = channelBuffer();
    const { port1, port2 } = new MessageChannel();
    this.spin = spins();
    const acks = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    this.eventAcks = new Int32Array(acks);
    const init: WorkerInit = { options, cancelFlags: flags, requests, answers, answersPort: port2, spin: this.spin, eventAcks: acks };
    this.worker = new Worker(workerScriptPath(), { workerData: init, transferList: [port2] });
    this.requests = new ChannelWriter(requests, this.worker, workCodec);
    this.answersPort = port1;
    this.answers = new ChannelReader(answers, port1, workCodec);
    this.answers.sleep();
  }

  /** Starts a worker, boots its device, and resolves once it is ready (rejects if boot fails). */
  static start(options: DeviceOptions, onEvent?: EventListener): Promise<DeviceHost> {
    const host = new DeviceHost(options);
    if (onEvent) host.listeners.add(onEvent);
    return new Promise((resolve, reject) => {
      host.booting = { resolve, reject };
      host.answersPort.on('message', (raw: unknown) => {
        host.answers.accept(raw);
        host.drain();
        host.sleep();
      });
      host.worker.on('error', (error) => {
        host.fail(new DeviceHostError(`the device worker failed: ${error.message}`));
        reject(host.dead);
      });
      host.worker.on('exit', (code) => {
        host.fail(new DeviceHostError(`the device worker exited (code ${code})`));
        host.offResolve?.();
        reject(host.dead);
      });
    });
  }

  /** Receives device events (console lines; every event after `forward({trace: true})`). */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Which events the worker sends over (each forwarded event costs a message). Several parties
   * (the server's subscribers, a console printer) each state what they want under their own
   * key; the worker forwards the union.
   */
  forward(key: string, opts: { console: boolean; trace: boolean }): void {
    this.wants.set(key, opts);
    let console = false;
    let trace = false;
    for (const w of this.wants.values()) {
      console ||= w.console;
      trace ||= w.trace;
    }
    this.post({ kind: 'forward', console, trace });
  }

  /** Sends a message to the worker: batches through the ring, the rest through the port. */
  private post(m: ToWorker): void {
    if (this.dead) return;
    this.requests.send(m, m.kind === 'batch');
  }

  /** Whether this host and its worker spin briefly instead of sleeping (TRUSTBOX_SPIN). */
  get spinning(): boolean {
    return this.spin;
  }

  get alive(): boolean {
    return !this.dead;
  }

  get queued(): number {
    return this.queue.length;
  }

  uptimeMs(): number {
    return performance.now() - this.bootedAt;
  }

  /**
   * Queues one work item; resolves with its result or rejects with a DeviceHostError. `onRpc`
   * serves the RPCs its call makes that a client serves (Open Enclave ocalls); without it they
   * fail NOT_SUPPORTED.
   */
  call<K extends WorkOp>(op: K, args: WorkOps[K]['args'], onRpc?: RpcServe): Promise<WorkOps[K]['result']> {
    if (this.dead) return Promise.reject(this.dead);
    const seq = this.seq++;
    if (onRpc) this.rpcServers.set(seq, onRpc);
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.queue.push({ seq, op, args });
      if (!this.busy) this.flush();
    });
  }

  /**
   * Flags `session` as cancelled until `clearCancellation(session)`: the TA sees it the next
   * time it asks TEE_GetCancellationFlag (or TEE_Wait polls). Returns false if no flag is free.
   */
  requestCancellation(session: number): boolean {
    const ok = this.cancelFlags.cancelSession(session);
    this.requests.wake(); // a worker asleep while the call waits (TEE_Wait) looks at the flag now
    return ok;
  }

  clearCancellation(session: number): void {
    this.cancelFlags.clearSession(session);
  }

  /**
   * Flags the open in progress whose `open` work item carried `cancelId` (a positive, device-wide
   * unique id the server hands out), until `clearOpenCancellation(cancelId)`.
   */
  requestOpenCancellation(cancelId: number): boolean {
    const ok = this.cancelFlags.cancelOpen(cancelId);
    this.requests.wake();
    return ok;
  }

  clearOpenCancellation(cancelId: number): void {
    this.cancelFlags.clearOpen(cancelId);
  }

  /** Powers the device off through the firmware and ends the worker. */
  async close(): Promise<void> {
    if (this.dead) return;
    const off = new Promise<void>((resolve) => { this.offResolve = resolve; });
    this.post({ kind: 'power-off' });
    const timer = setTimeout(() => void this.worker.terminate(), POWER_OFF_GRACE_MS);
    await off;
    clearTimeout(timer);
  }

  private flush(): void {
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    this.busy = true;
    this.batches++;
    this.postedAt = performance.now();
    if (this.spin) this.scheduleWait();
    else this.sleep();
    this.post({ kind: 'batch', items });
  }

  private scheduleWait(): void {
    if (this.waitScheduled) return;
    this.waitScheduled = true;
    this.answers.awake();
    setImmediate(() => this.awaitBatch());
  }

  /** The host stops waiting synchronously: from now on only the port's event wakes it. */
  private sleep(): void {
    // Messages can arrive while a drain runs (and a drain may start the next batch, which
    // schedules a wait): announce sleep again after each drain until nothing is waiting.
    while (!this.waitScheduled && !this.dead && this.answers.sleep()) this.drain();
  }

  /**
   * One slice of the bounded synchronous wait for the batch in flight (see the file header).
   * Takes every message that arrives meanwhile (events included, in order) through the same
   * `onMessage` the async path uses. A slice ends when the batch is answered or after
   * SYNC_SLICE_MS; then another slice is scheduled behind the I/O the event loop has ready,
   * until SYNC_BUDGET_MS after the post, when the port's 'message' event takes over.
   */
  private awaitBatch(): void {
    this.waitScheduled = false;
    const batch = this.batches;
    const end = performance.now() + SYNC_SLICE_MS;
    const answers = this.answers;
    let seen = answers.sent();
    for (;;) {
      this.drain();
      if (this.dead) return;
      if (!this.busy || this.batches !== batch) {
        if (!this.waitScheduled) this.sleep();
        return;
      }
      let now = performance.now();
      while (answers.sent() === seen && now < end) now = performance.now();
      if (now >= end) {
        if (now - this.postedAt < SYNC_BUDGET_MS) this.scheduleWait();
        else this.sleep();
        return;
      }
      seen = answers.sent();
    }
  }

  /** Handles every message already waiting on the answer port. */
  private drain(): void {
    for (let m = this.answers.receive(); m !== undefined && !this.dead; m = this.answers.receive()) {
      this.onMessage(m as FromWorker);
    }
  }

  private onMessage(m: FromWorker): void {
    switch (m.kind) {
      case 'ready':
        this.report = m.report;
        this.stateDir = m.stateDir;
        this.booting?.resolve(this);
        break;
      case 'boot-failed':
        this.fail(new DeviceHostError(`boot failed: ${m.message}`));
        void this.worker.terminate();
        this.booting?.reject(this.dead!);
        break;
      case 'done':
        for (const d of m.items) {
          const p = this.pending.get(d.seq);
          this.rpcServers.delete(d.seq);
          if (!p) continue;
          this.pending.delete(d.seq);
          if (d.error) p.reject(new DeviceHostError(d.error.message, d.error.result, d.error.origin, d.error.code ?? 'tee'));
          else p.resolve(d.value);
        }
        if (m.idle) {
          this.busy = false;
          this.flush();
        }
        break;
      case 'events':
        for (const e of m.events) for (const l of this.listeners) l(e as unknown as DeviceEvent);
        Atomics.add(this.eventAcks, 0, 1);
        break;
      case 'rpc':
        this.serveRpc(m.seq, m.rpc, m.call);
        break;
      case 'off':
        this.fail(new DeviceHostError('the device is powered off'));
        void this.worker.terminate().then(() => this.offResolve?.());
        break;
      default:
        break;
    }
  }

  /** Asks the item's RPC server for the answer and sends it to the worker (NOT_SUPPORTED without one). */
  private serveRpc(seq: number, rpc: number, call: RpcCall): void {
    const server = this.rpcServers.get(seq);
    const reply = (answer: RpcAnswer) => this.post({ kind: 'rpc-answer', rpc, answer });
    if (!server) {
      reply({ result: TEEC_ERROR_NOT_SUPPORTED });
      return;
    }
    let answered: Promise<RpcAnswer>;
    try {
      answered = Promise.resolve(server(call));
    } catch (error) {
      answered = Promise.reject(error);
    }
    answered.then(reply, () => reply({ result: TEEC_ERROR_COMMUNICATION }));
  }

  private fail(error: Error): void {
    this.rpcServers.clear();
    if (this.dead) return;
    this.dead = error;
    this.answersPort.close();
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    for (const item of this.queue) this.pending.delete(item.seq);
    this.queue = [];
  }
}
