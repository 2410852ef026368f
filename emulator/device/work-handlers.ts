/**
 * How the worker serves each work item on its device. Client calls go to the device's
 * TeeClient in the form they came in (MsgParams and input bytes, checked by the API server)
 * and their results go back as the TeeClient answers them: nothing is translated or checked
 * again here.
 *
 * TEE calls (open, invoke, close) are started and answered when the firmware finishes them,
 * so that one long call does not hold up the others; the rest are answered at once. At most
 * MAX_IN_FLIGHT calls are in flight (the firmware's own limit); a call that finds no room (that
 * limit, or a client pool full of other calls' buffers) waits until one ends.
 */
import { TeeError } from '../abi/errors.js';
import { TEEC_ERROR_BAD_FORMAT, TEEC_ERROR_BAD_PARAMETERS, TEEC_ERROR_GENERIC, TEEC_ORIGIN_API, TEEC_ORIGIN_COMMS } from '../abi/client-api.js';
import type { CallResult } from '../ree/tee-client.js';
import { parseTaContainer } from '../tee/loader/container.js';
import { attest } from './attest.js';
import { DeviceError, type Device } from './device.js';
import { readDeviceCertificate } from './identity-cert.js';
import { decodeSnapshot, encodeSnapshot, SnapshotError } from './snapshot-file.js';
import type { CallOutcome, WorkDone, WorkError, WorkItem, WorkOps } from './work.js';
import { TEE_ERROR_BUSY, TEE_ERROR_OUT_OF_MEMORY } from '../abi/results.js';

type Handler<K extends keyof WorkOps> = (args: WorkOps[K]['args']) => WorkOps[K]['result'];
type Handlers = { [K in Exclude<keyof WorkOps, CallOp>]: Handler<K> };
type CallOp = 'open' | 'invoke' | 'close';
type Starter = (args: unknown, done: (value: unknown, error?: unknown) => void) => void;

/** Calls the worker keeps in flight at once (the firmware serves 16 at a time). */
export const MAX_IN_FLIGHT = 16;

/** The outcome of a call as it goes back: no session, no SMC count, output bytes only when there are some. */
function outcome(r: CallResult): CallOutcome {
  const o: CallOutcome = { result: r.result, origin: r.origin, params: r.params };
  if (r.data) o.data = r.data;
  return o;
}

/** The UUID an uploaded TA names in its bootstrap header (BAD_FORMAT, origin API, otherwise). */
function uploadedTaUuid(bytes: Uint8Array): string {
  let uuid: string | undefined;
  try {
    uuid = parseTaContainer(bytes, 'uploaded TA').bootstrap?.uuid;
  } catch (error) {
    throw new TeeError(TEEC_ERROR_BAD_FORMAT, (error as Error).message, TEEC_ORIGIN_API);
  }
  if (!uuid) throw new TeeError(TEEC_ERROR_BAD_FORMAT, 'the uploaded TA has no bootstrap header, so it names no UUID', TEEC_ORIGIN_API);
  return uuid;
}

/** TEE calls: started now, answered through `done` when the firmware has finished them. */
function starters(device: Device): Record<CallOp, Starter> {
  const finish = (done: (value: unknown, error?: unknown) => void, shape: (r: CallResult) => unknown) =>
    (r: CallResult | Error) => (r instanceof Error ? done(undefined, r) : done(shape(r)));
  return {
    open: (raw, done) => {
      const a = raw as WorkOps['open']['args'];
      device.client.startOpenSession(a.uuid, a.params, {
        login: a.login, cancelId: a.cancelId ?? 0, ...(a.data ? { data: a.data } : {}), ...(a.clientUuid ? { clientUuid: a.clientUuid } : {}),
      }, finish(done, (r) => {
        const o: WorkOps['open']['result'] = outcome(r);
        if (r.session) o.session = r.session;
        return o;
      }));
    },
    invoke: (raw, done) => {
      const a = raw as WorkOps['invoke']['args'];
      device.client.startInvoke(a.session, a.cmd, a.params, a.data, a.cancelId ?? 0, finish(done, outcome));
    },
    close: (raw, done) => {
      const a = raw as WorkOps['close']['args'];
      device.client.startCloseSession(a.session, finish(done, (r) => ({ result: r.result, origin: r.origin })));
    },
  };
}

function handlers(device: Device, served: () => number, restored: () => void): Handlers {
  return {
    snapshot: () => {
      const s = device.snapshot();
      return { bytes: encodeSnapshot(s), dropped: s.dropped };
    },
    restore: (a) => {
      const name = a.name ?? 'snapshot';
      const report = device.restore(decodeSnapshot(a.bytes, name, device.board), name);
      restored();
      return report;
    },
    registerShm: (a) => ({ cookie: device.client.registerSharedMemory(a.size).cookie }),
    releaseShm: (a) => {
      device.client.releaseSharedMemory(a.cookie);
      return {};
    },
    install: (a) => {
      uploadedTaUuid(a.bytes); // a file that is no TA container at all: invalid-ta, origin API
      return device.installTa(a.bytes); // verified by the secure world: SECURITY, origin TEE
    },
    list: () => device.taStore.list(),
    stats: () => ({
      sessions: device.core.stats().sessions, poolBytesInUse: device.client.poolBytesInUse,
      registeredShm: device.client.registeredBlocks, requests: served(),
    }),
    // The public part only (the secure world keeps the key); the certificate is the flash's, once enrolled.
    identity: () => {
      const id = device.identity();
      const certificate = readDeviceCertificate(device.stateDir, id.publicKeyPem);
      return certificate ? { ...id, certificate } : { ...id };
    },
    attest: (a) => ({ token: attest(device, a) }),
  };
}

function toWorkError(error: unknown): WorkError {
  if (error instanceof SnapshotError) return { result: TEEC_ERROR_BAD_FORMAT, origin: TEEC_ORIGIN_API, message: error.message, code: 'bad-snapshot' };
  if (error instanceof TeeError || error instanceof DeviceError) {
    return { result: error.code >>> 0, origin: error.origin, message: error.message };
  }
  return { result: TEEC_ERROR_GENERIC, origin: TEEC_ORIGIN_COMMS, message: `device: ${(error as Error)?.message ?? String(error)}`, code: 'device-error' };
}

/** Serves work items on `device`; every failure becomes the item's error. */
export class WorkServer {
  private readonly handlers: Handlers;
  private readonly starters: Record<CallOp, Starter>;
  /** Calls that found no room, in order. */
  private readonly waiting: WorkItem[] = [];
  private served = 0;

  /** `restored` runs after the device restored a snapshot (the worker wires the new core again). */
  constructor(private readonly device: Device, private readonly reply: (done: WorkDone) => void, restored: () => void = () => {}) {
    this.handlers = handlers(device, () => this.served, restored);
    this.starters = starters(device);
  }

  /** Calls started and not yet answered, plus those waiting for room. */
  get pending(): number {
    return this.inFlight() + this.waiting.length;
  }

  /** Serves an item: answered at once, or when its call ends (`reply`). */
  serve(item: WorkItem): void {
    this.served++;
    if (this.waiting.length > 0 && item.op in this.starters) {
      this.waiting.push(item); // behind the calls that wait already, in order
      return;
    }
    this.dispatch(item);
  }

  /** Starts waiting calls while there is room (after calls ended). */
  resume(): void {
    while (this.waiting.length > 0 && this.inFlight() < MAX_IN_FLIGHT) {
      const item = this.waiting.shift()!;
      if (!this.dispatch(item)) return;
    }
  }

  /** False when the call found no room and waits again (at the head). */
  private dispatch(item: WorkItem): boolean {
    const start = (this.starters as Partial<Record<string, Starter>>)[item.op];
    try {
      if (!start) {
        const handler = (this.handlers as Partial<Record<string, (a: unknown) => unknown>>)[item.op];
        if (!handler) throw new TeeError(TEEC_ERROR_BAD_PARAMETERS, `unknown work item ${item.op}`, TEEC_ORIGIN_API);
        this.reply({ seq: item.seq, value: handler(item.args) });
        return true;
      }
      if (this.inFlight() >= MAX_IN_FLIGHT) {
        this.waiting.unshift(item);
        return false;
      }
      // The flow records the item's seq against its slot, so that the call's RPCs find their client.
      const flow = this.flowOrNone();
      if (flow) flow.nextTag = item.seq;
      try {
        start(item.args, (value, error) => this.reply(error === undefined ? { seq: item.seq, value } : { seq: item.seq, error: toWorkError(error) }));
      } finally {
        if (flow) flow.nextTag = undefined;
      }
      return true;
    } catch (error) {
      if (start && this.inFlight() > 0 && roomShort(error)) {
        this.waiting.unshift(item); // other calls' buffers fill the pool: try again when one ends
        return false;
      }
      this.reply({ seq: item.seq, error: toWorkError(error) });
      return true;
    }
  }

  private inFlight(): number {
    return this.flowOrNone()?.inFlight ?? 0; // the device is off: nothing is in flight
  }

  private flowOrNone(): ReturnType<Device['requests']> | undefined {
    try {
      return this.device.requests();
    } catch {
      return undefined;
    }
  }
}

/** The client pool or the mailbox had no room for one more call. */
function roomShort(error: unknown): boolean {
  return (error instanceof TeeError && error.code === TEE_ERROR_OUT_OF_MEMORY && error.origin === TEEC_ORIGIN_API)
    || (error instanceof DeviceError && error.code === TEE_ERROR_BUSY);
}
