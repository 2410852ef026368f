/**
 * The messages between a `DeviceHost` (host.ts, main thread) and its worker (worker-main.ts):
 * the work items a device serves with their arguments and results, the batches that carry them
 * and the answers, events and state changes that come back. Both threads and the ring codec
 * (work-codec.ts) import this module, and nothing else of each other.
 *
 * Client calls carry their parameters in the normal world's one form (`MsgParam`s with the
 * input bytes of memrefs beside them, ree/tee-client.ts), built and checked by the API server;
 * results come back in the same form.
 */
import type { MessagePort } from 'node:worker_threads';
import type { MsgParam } from '../abi/optee-msg.js';
import type { RpcAnswer, RpcCall } from '../abi/protocol.js';
import type { ParamBytes } from '../ree/tee-client.js';
import type { DeviceIdentityInfo } from '../tee/identity.js';
import type { DeviceOptions } from './device.js';

/** What openSession and invoke answer: the TEE's result, the parameters as it answered them, output bytes. */
export interface CallOutcome {
  result: number;
  origin: number;
  params: MsgParam[];
  /** Output bytes of memrefs, by parameter index; absent when there are none. */
  data?: ParamBytes;
}

/** Work the device does, by name, with arguments and result. */
export interface WorkOps {
  open: {
    args: { uuid: string; login: number; clientUuid?: string; params: MsgParam[]; data?: ParamBytes; cancelId?: number };
    result: CallOutcome & { session?: number };
  };
  invoke: { args: { session: number; cmd: number; params: MsgParam[]; data?: ParamBytes; cancelId?: number }; result: CallOutcome };
  close: { args: { session: number }; result: { result: number; origin: number } };
  /** Registers a block of the client pool; RMEM parameters name it by its cookie. */
  registerShm: { args: { size: number }; result: { cookie: bigint } };
  releaseShm: { args: { cookie: bigint }; result: Record<string, never> };
  install: { args: { bytes: Uint8Array }; result: { uuid: string; path: string } };
  list: { args: Record<string, never>; result: { uuid: string; source: string; size: number }[] };
  stats: { args: Record<string, never>; result: { sessions: number; poolBytesInUse: number; registeredShm: number; requests: number } };
  /** The device's public identity (Device.identity()) and its certificate (PEM) when it was enrolled. */
  identity: { args: Record<string, never>; result: DeviceIdentityInfo & { certificate?: string } };
  /** A PSA token about a TA and the measured boot (attest.ts). */
  attest: { args: { uuid: string; nonce: Uint8Array; profile?: 'rfc' | 'draft' }; result: { token: Uint8Array } };
  /** A snapshot file of the device at rest (device/snapshot.ts), and the keep-alive TA instances it does not keep. */
  snapshot: { args: Record<string, never>; result: { bytes: Uint8Array; dropped: string[] } };
  /** Restores a snapshot file in place (`name` names it in errors); refused unless the device is at rest. */
  restore: { args: { bytes: Uint8Array; name?: string }; result: ReadyReport };
}

export type WorkOp = keyof WorkOps;

/** One work item; `seq` matches it with its answer. */
export interface WorkItem { seq: number; op: WorkOp; args: unknown }

/** An error raised while serving an item: GP result code, origin, message, protocol code. */
export interface WorkError { result: number; origin: number; message: string; code?: string }

/** The answer to item `seq`: its result, or its error. */
export interface WorkDone { seq: number; value?: unknown; error?: WorkError }

/** What the device reports once booted. */
export interface ReadyReport { bootMs: number; board: string; osUuid: string }

/** Host -> worker: a batch of work items, which events to forward, power-off. */
export type ToWorker =
  | { kind: 'batch'; items: WorkItem[] }
  | { kind: 'forward'; console: boolean; trace: boolean }
  /** A client's answer to RPC `rpc` (an Open Enclave ocall) of a call in flight. */
  | { kind: 'rpc-answer'; rpc: number; answer: RpcAnswer }
  | { kind: 'power-off' };

/** Worker -> host: boot's outcome, answers (`idle`: the batch is done), events, off. */
export type FromWorker =
  | { kind: 'ready'; report: ReadyReport; stateDir: string }
  | { kind: 'boot-failed'; message: string }
  | { kind: 'done'; items: WorkDone[]; idle: boolean }
  | { kind: 'events'; events: { type: string; t: number; [key: string]: unknown }[] }
  /** The call of work item `seq` made an RPC a client serves (an ocall): answer with rpc-answer. */
  | { kind: 'rpc'; seq: number; rpc: number; call: RpcCall }
  | { kind: 'off' };

/** The worker's `workerData`. */
export interface WorkerInit {
  options: DeviceOptions;
  /** The cancellation flags (cancel-flags.ts). */
  cancelFlags: SharedArrayBuffer;
  /** Ring of the host -> worker channel (its port is the worker's parentPort). */
  requests: SharedArrayBuffer;
  /** Ring and port of the worker -> host channel: answers, events, ready, off. */
  answers: SharedArrayBuffer;
  answersPort: MessagePort;
  /** Whether both threads spin briefly instead of sleeping (host.ts, `spins()`). */
  spin: boolean;
  /** Int32Array[1]: event messages the host has handled (the worker bounds how many are unread). */
  eventAcks: SharedArrayBuffer;
}
