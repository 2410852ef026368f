/**
 * Requests in flight between the host and the normal-world firmware. A request is written into
 * a free mailbox slot and posted; the normal world then runs (`pump`) until its firmware waits,
 * and every slot it completed meanwhile is read and handed to its completion, in whatever order
 * the calls ended. A call whose secure thread gave the CPU back stays in flight, parked, and the
 * next pump goes on with it: so a slow TA does not hold up the calls behind it.
 *
 * Synchronous callers (`runUntil`) pump until their own request is done, sleeping while every
 * parked call waits for a time still to come (a TEE_Wait).
 */
import { TEE_ERROR_BUSY } from '../abi/results.js';
import type { HostBridge } from '../ree/hostbridge.js';
import type { HbRequest, HbResult, Mailbox } from '../ree/mailbox.js';
import type { NormalWorldStop } from './normal-world.js';
import type { EventBus } from '../trace/events.js';
import { uuidFromOctets } from '../abi/uuid.js';
import {
  HB_OP_CANCEL, HB_OP_CLOSE_SESSION, HB_OP_INVOKE_COMMAND, HB_OP_OPEN_SESSION, HB_OP_REGISTER_SHM, HB_OP_UNREGISTER_SHM,
} from '../ree/hostbridge.js';

/** Receives a request's result, or why it never completed. */
export type Completion = (result: HbResult | Error) => void;

/** What the flow needs from its device. */
export interface FlowHooks {
  /** Runs the normal world until its firmware waits (or stops). */
  run(): NormalWorldStop;
  /** The normal world stopped (reset, off, halted): the device reacts (reboots or goes off). */
  stopped(stop: NormalWorldStop): void;
  /** When the earliest parked secure thread wants the CPU again (performance.now() time). */
  nextWake(): number | undefined;
  /** Secure threads parked now (the firmware may hold more calls: those waiting for a thread). */
  parkedThreads(): number;
  /** The error for requests that cannot be served or were lost. */
  error(message: string, code?: number): Error;
  /** Where `request` and `request-done` events go (built only when traced). */
  events?: EventBus;
}

/** A request as the trace names it: the operation, and what it is about. */
function describe(req: HbRequest): { op: string; detail: string } {
  const params = req.params?.length ? `, ${req.params.length} params` : '';
  switch (req.op) {
    case HB_OP_OPEN_SESSION: return { op: 'open session', detail: `to TA ${req.uuid ? uuidFromOctets(req.uuid) : '?'}${params}` };
    case HB_OP_INVOKE_COMMAND: return { op: 'invoke', detail: `session ${req.session} command ${req.func}${params}` };
    case HB_OP_CLOSE_SESSION: return { op: 'close session', detail: `${req.session}` };
    case HB_OP_CANCEL: return { op: 'cancel', detail: `session ${req.session}, cancel id ${req.cancelId}` };
    case HB_OP_REGISTER_SHM: return { op: 'register shared memory', detail: `${req.params?.[0]?.b ?? 0} bytes` };
    case HB_OP_UNREGISTER_SHM: return { op: 'unregister shared memory', detail: '' };
    default: return { op: `host-bridge op ${req.op}`, detail: '' };
  }
}

/** Longest single sleep of a synchronous caller while parked calls wait for their time. */
const MAX_SLEEP_MS = 50;

export class RequestFlow {
  private readonly free: number[] = [];
  private readonly inflight = new Map<number, Completion>();
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));
  /** Slots whose calls wait for a client to answer an RPC (an ocall): not runnable until it does. */
  private readonly waits = new Set<number>();
  /** The tag each slot's request was submitted with (the worker's work item), for its RPCs. */
  private readonly tags = new Map<number, number>();
  /** The tag the next `submit` records for its slot (set by the caller around a start). */
  nextTag: number | undefined;

  constructor(private readonly mailbox: Mailbox, private readonly bridge: HostBridge, private readonly hooks: FlowHooks) {
    for (let i = mailbox.slotCount - 1; i >= 0; i--) this.free.push(i);
  }

  /** Requests posted and not yet completed. */
  get inFlight(): number {
    return this.inflight.size;
  }

  /** Writes and posts one request; `done` is called from a later `pump`. */
  submit(req: HbRequest, done: Completion): void {
    const slot = this.free.pop();
    if (slot === undefined) throw this.hooks.error('all mailbox slots are in use', TEE_ERROR_BUSY);
    this.mailbox.write(slot, req);
    const events = this.hooks.events;
    if (events?.wants('request')) {
      events.emit({ type: 'request', slot, ...describe(req) });
      const inner = done;
      done = (r) => {
        if (!(r instanceof Error)) {
          events.emit({ type: 'request-done', slot, status: r.status, ret: r.ret, origin: r.retOrigin, smcCalls: r.smcCalls });
        }
        inner(r);
      };
    }
    this.bridge.post(slot);
    this.inflight.set(slot, done);
    if (this.nextTag !== undefined) this.tags.set(slot, this.nextTag);
  }

  /** The tag of the request in `slot` (see nextTag). */
  tagOf(slot: number): number | undefined {
    return this.tags.get(slot);
  }

  /** Marks the call in `slot` as waiting for a client's answer to its RPC (or answered). */
  rpcWait(slot: number, waiting: boolean): void {
    if (waiting && this.inflight.has(slot)) this.waits.add(slot);
    else this.waits.delete(slot);
  }

  /** Whether every call in flight waits for a client's answer (nothing to run until one comes). */
  get waitingOnClients(): boolean {
    return this.waits.size > 0 && this.waits.size === this.inflight.size && !this.bridge.pending;
  }

  private forget(slot: number): void {
    this.inflight.delete(slot);
    this.waits.delete(slot);
    this.tags.delete(slot);
    this.free.push(slot);
  }

  /**
   * Whether the firmware has work it can do now: posted requests, or parked calls whose time
   * has come. False when everything in flight waits for a time still to come.
   */
  runnable(now = performance.now()): boolean {
    if (this.inflight.size === 0 || this.waitingOnClients) return false;
    if (this.bridge.pending || this.bridge.parked > this.hooks.parkedThreads()) return true;
    const wake = this.hooks.nextWake();
    return wake === undefined || wake <= now;
  }

  /** When the earliest parked call wants the CPU again, if every call in flight is parked. */
  wakeAt(): number | undefined {
    return this.inflight.size > 0 && !this.waitingOnClients ? this.hooks.nextWake() : undefined;
  }

  /** Runs the normal world until its firmware waits, then completes what it finished. */
  pump(): void {
    const stop = this.hooks.run();
    // Read before a reset reboots the firmware: the slot words are what it answered.
    for (const [slot, done] of this.inflight) {
      if (!this.mailbox.done(slot)) continue;
      const result = this.mailbox.read(slot);
      this.forget(slot);
      done(result);
    }
    if (stop === 'idle') return;
    const lost = [...this.inflight.entries()];
    for (const [slot] of lost) this.forget(slot);
    this.hooks.stopped(stop);
    for (const [, done] of lost) done(this.hooks.error(`the normal world stopped (${stop}) before it completed the request`));
  }

  /** Pumps until `finished()`: for callers that wait for their own request. */
  runUntil(finished: () => boolean): void {
    while (!finished()) {
      if (this.inflight.size === 0) throw this.hooks.error('the request was lost');
      // Only a message can bring a client's answer, and a synchronous caller takes none.
      if (this.waitingOnClients) throw this.hooks.error('every call in flight waits for a client to answer its RPC; a synchronous caller cannot wait for that');
      if (!this.bridge.pending) {
        const wake = this.wakeAt();
        const now = wake === undefined ? 0 : performance.now();
        if (wake !== undefined && wake > now) Atomics.wait(this.sleeper, 0, 0, Math.min(wake - now, MAX_SLEEP_MS));
      }
      this.pump();
    }
  }

  /** A synchronous round trip: submit, then pump until it is done. */
  request(req: HbRequest): HbResult {
    let result: HbResult | Error | undefined;
    this.submit(req, (r) => { result = r; });
    this.runUntil(() => result !== undefined);
    if (result instanceof Error) throw result;
    return result!;
  }
}
