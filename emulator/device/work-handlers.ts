/**
 * How the worker serves each work item on its device. Client calls go to the device's
 * TeeClient in the form they came in (MsgParams and input bytes, checked by the API server)
 * and their results go back as the TeeClient answers them: nothing is translated or checked
 * again here.
 */
import { TeeError } from '../abi/errors.js';
import { TEEC_ERROR_BAD_FORMAT, TEEC_ERROR_BAD_PARAMETERS, TEEC_ERROR_GENERIC, TEEC_ORIGIN_API, TEEC_ORIGIN_COMMS } from '../abi/client-api.js';
import type { CallResult } from '../ree/tee-client.js';
import { parseTaContainer } from '../tee/loader/container.js';
import { DeviceError, type Device } from './device.js';
import type { CallOutcome, WorkDone, WorkError, WorkItem, WorkOps } from './work.js';

type Handler<K extends keyof WorkOps> = (args: WorkOps[K]['args']) => WorkOps[K]['result'];
type Handlers = { [K in keyof WorkOps]: Handler<K> };

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

function handlers(device: Device, served: () => number): Handlers {
  return {
    open: (a) => {
      const r = device.client.openSession(a.uuid, a.params, {
        login: a.login, cancelId: a.cancelId ?? 0, ...(a.data ? { data: a.data } : {}), ...(a.clientUuid ? { clientUuid: a.clientUuid } : {}),
      });
      const o: WorkOps['open']['result'] = outcome(r);
      if (r.session) o.session = r.session;
      return o;
    },
    invoke: (a) => outcome(device.client.invoke(a.session, a.cmd, a.params, a.data, a.cancelId ?? 0)),
    close: (a) => {
      const r = device.client.closeSession(a.session);
      return { result: r.result, origin: r.origin };
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
  };
}

function toWorkError(error: unknown): WorkError {
  if (error instanceof TeeError || error instanceof DeviceError) {
    return { result: error.code >>> 0, origin: error.origin, message: error.message };
  }
  return { result: TEEC_ERROR_GENERIC, origin: TEEC_ORIGIN_COMMS, message: `device: ${(error as Error)?.message ?? String(error)}`, code: 'device-error' };
}

/** Serves work items on `device`, one at a time; every failure becomes the item's error. */
export class WorkServer {
  private readonly handlers: Handlers;
  private served = 0;

  constructor(device: Device) {
    this.handlers = handlers(device, () => this.served);
  }

  serve(item: WorkItem): WorkDone {
    this.served++;
    try {
      const handler = this.handlers[item.op] as ((a: unknown) => unknown) | undefined;
      if (!handler) throw new TeeError(TEEC_ERROR_BAD_PARAMETERS, `unknown work item ${item.op}`, TEEC_ORIGIN_API);
      return { seq: item.seq, value: handler(item.args) };
    } catch (error) {
      return { seq: item.seq, error: toWorkError(error) };
    }
  }
}
