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
 * Cancellation bypasses the queue: `requestCancellation(session)` writes the session id into
 * a SharedArrayBuffer board that the worker's TEE core reads (`core.cancelBoard`) while the TA
 * runs. The watchdog is the device's own (uc_emu_stop from a timer thread), unchanged.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DeviceOptions } from './device.js';
import type { DeviceEvent } from './events.js';
import type { WireParam, WireResultParam } from '../api/protocol.js';

export interface WorkerInit {
  options: DeviceOptions;
  /** Int32Array over a SharedArrayBuffer: session ids whose running command is cancelled. */
  cancelBoard: SharedArrayBuffer;
  /** Int32Array(1): bumped and notified by the host after each postMessage (see worker-main). */
  doorbell: SharedArrayBuffer;
}

/** Work the device does, by name, with arguments and result. */
export interface WorkOps {
  open: { args: { uuid: string; login: number; clientUuid?: string; params: WireParam[]; cancelId?: number }; result: { result: number; origin: number; session?: number; params: WireResultParam[] } };
  invoke: { args: { session: number; cmd: number; params: WireParam[]; cancelId?: number }; result: { result: number; origin: number; params: WireResultParam[] } };
  close: { args: { session: number }; result: { result: number; origin: number } };
  registerShm: { args: { id: number; size: number; flags: number }; result: Record<string, never> };
  releaseShm: { args: { id: number }; result: Record<string, never> };
  install: { args: { bytes: Uint8Array }; result: { uuid: string; path: string } };
  list: { args: Record<string, never>; result: { uuid: string; source: string; size: number }[] };
  stats: { args: Record<string, never>; result: { sessions: number; poolBytesInUse: number; registeredShm: number; requests: number } };
}

export type WorkOp = keyof WorkOps;

export interface WorkItem { seq: number; op: WorkOp; args: unknown }

/** An error raised while serving an item: GP result code, origin, message, protocol code. */
export interface WorkError { result: number; origin: number; message: string; code?: string }

export interface WorkDone { seq: number; value?: unknown; error?: WorkError }

export type ToWorker =
  | { kind: 'batch'; items: WorkItem[] }
  | { kind: 'forward'; console: boolean; trace: boolean }
  | { kind: 'power-off' };

export type FromWorker =
  | { kind: 'ready'; report: { bootMs: number; board: string; osUuid: string }; stateDir: string }
  | { kind: 'boot-failed'; message: string }
  | { kind: 'done'; items: WorkDone[]; idle: boolean }
  | { kind: 'events'; events: { type: string; t: number; [key: string]: unknown }[] }
  | { kind: 'off' };

/** Slots of the cancellation board. */
export const CANCEL_BOARD_SLOTS = 64;

/** Thrown (rejected) when the device cannot serve: worker gone, boot failed, powered off. */
export class DeviceHostError extends Error {
  constructor(message: string, readonly result = 0xffff000e, readonly origin = 2, readonly code = 'device-error') {
    super(message);
    this.name = 'DeviceHostError';
  }
}

/** The compiled worker script: dist/emulator/device/worker-main.js under the project root. */
export function workerScriptPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'dist', 'emulator', 'device', 'worker-main.js');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new DeviceHostError('dist/emulator/device/worker-main.js not found: run `npm run build` first');
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type EventListener = (event: DeviceEvent) => void;

export class DeviceHost {
  private readonly worker: Worker;
  private readonly board: Int32Array;
  private readonly doorbell: Int32Array;
  private readonly pending = new Map<number, Pending>();
  private queue: WorkItem[] = [];
  private busy = false;
  private seq = 1;
  private dead: Error | undefined;
  private readonly listeners = new Set<EventListener>();
  private readonly cancelRefs = new Map<number, number>();
  private readonly wants = new Map<string, { console: boolean; trace: boolean }>();
  report: { bootMs: number; board: string; osUuid: string } | undefined;
  stateDir = '';
  private readonly bootedAt = performance.now();
  private offResolve: (() => void) | undefined;

  private constructor(options: DeviceOptions) {
    const buffer = new SharedArrayBuffer(CANCEL_BOARD_SLOTS * 4);
    this.board = new Int32Array(buffer);
    const bell = new SharedArrayBuffer(4);
    this.doorbell = new Int32Array(bell);
    const init: WorkerInit = { options, cancelBoard: buffer, doorbell: bell };
    this.worker = new Worker(workerScriptPath(), { workerData: init });
  }

  /** Starts a worker, boots its device, and resolves once it is ready (rejects if boot fails). */
  static start(options: DeviceOptions, onEvent?: EventListener): Promise<DeviceHost> {
    const host = new DeviceHost(options);
    if (onEvent) host.listeners.add(onEvent);
    return new Promise((resolve, reject) => {
      host.worker.on('message', (m: FromWorker) => {
        if (m.kind === 'ready') {
          host.report = m.report;
          host.stateDir = m.stateDir;
          resolve(host);
        } else if (m.kind === 'boot-failed') {
          host.fail(new DeviceHostError(`boot failed: ${m.message}`));
          void host.worker.terminate();
          reject(host.dead);
        } else {
          host.onMessage(m);
        }
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

  /** Posts a message and rings the doorbell, which wakes a worker waiting in its poll window. */
  private post(m: ToWorker): void {
    this.worker.postMessage(m);
    Atomics.add(this.doorbell, 0, 1);
    Atomics.notify(this.doorbell, 0);
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

  /** Queues one work item; resolves with its result or rejects with a DeviceHostError. */
  call<K extends WorkOp>(op: K, args: WorkOps[K]['args']): Promise<WorkOps[K]['result']> {
    if (this.dead) return Promise.reject(this.dead);
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.queue.push({ seq, op, args });
      if (!this.busy) this.flush();
    });
  }

  /**
   * Flags `session` as cancelled until `clearCancellation(session)`: the TA sees it the next
   * time it asks TEE_GetCancellationFlag (or TEE_Wait polls). Returns false if the board is full.
   */
  requestCancellation(session: number): boolean {
    if (session <= 0 || session > 0x7fffffff) return false;
    if (this.cancelRefs.has(session)) return true;
    for (let i = 0; i < CANCEL_BOARD_SLOTS; i++) {
      if (Atomics.compareExchange(this.board, i, 0, session) === 0) {
        this.cancelRefs.set(session, i);
        return true;
      }
    }
    return false;
  }

  clearCancellation(session: number): void {
    const slot = this.cancelRefs.get(session);
    if (slot === undefined) return;
    this.cancelRefs.delete(session);
    Atomics.store(this.board, slot, 0);
  }

  /** Powers the device off through the firmware and ends the worker. */
  async close(): Promise<void> {
    if (this.dead) return;
    const off = new Promise<void>((resolve) => { this.offResolve = resolve; });
    this.post({ kind: 'power-off' });
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await off;
    clearTimeout(timer);
  }

  private flush(): void {
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    this.busy = true;
    this.post({ kind: 'batch', items });
  }

  private onMessage(m: FromWorker): void {
    switch (m.kind) {
      case 'done':
        for (const d of m.items) {
          const p = this.pending.get(d.seq);
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
        break;
      case 'off':
        this.fail(new DeviceHostError('the device is powered off'));
        void this.worker.terminate().then(() => this.offResolve?.());
        break;
      default:
        break;
    }
  }

  private fail(error: Error): void {
    if (this.dead) return;
    this.dead = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    for (const item of this.queue) this.pending.delete(item.seq);
    this.queue = [];
  }
}
