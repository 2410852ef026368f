/**
 * The TEE Client API protocol: one contract module imported by the server (emulator/api) and
 * the client library (emulator/client). It defines every frame, every operation (name,
 * arguments, result), the GP constants, the stable protocol error codes and the validators the
 * server runs on every frame. It imports only the ABI's Client API constants (client-api.ts, results.ts),
 * which import nothing, so it works in Node and in browsers.
 *
 * Frames are msgpack (standard msgpack: maps, no msgpackr records) sent as binary WebSocket
 * messages. See docs/protocol.md for the prose version.
 */
import {
  TEEC_CONFIG_PAYLOAD_REF_COUNT, TEEC_ERROR_ACCESS_DENIED, TEEC_ERROR_BAD_FORMAT,
  TEEC_ERROR_BAD_PARAMETERS, TEEC_ERROR_BUSY, TEEC_ERROR_COMMUNICATION, TEEC_ERROR_EXCESS_DATA,
  TEEC_ERROR_ITEM_NOT_FOUND, TEEC_ERROR_NOT_IMPLEMENTED, TEEC_ERROR_NOT_SUPPORTED,
  TEEC_ERROR_OUT_OF_MEMORY, TEEC_MEMREF_PARTIAL_INOUT, TEEC_MEMREF_PARTIAL_INPUT,
  TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT,
  TEEC_MEMREF_WHOLE, TEEC_MEM_INPUT, TEEC_MEM_OUTPUT, TEEC_ORIGIN_API, TEEC_ORIGIN_COMMS,
  TEEC_VALUE_INOUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT,
} from './client-api.js';

/** Protocol version carried in the hello; the server refuses other versions. */
export const PROTOCOL_VERSION = 1;

export * from './client-api.js';

// ---------------------------------------------------------------------------------------------
// Stable protocol error codes. Every error frame carries one of these, a TEEC result code, an
// origin and a message. Codes are never renumbered or reused.

export const ProtocolError = {
  /** The first frame was not a hello, or an operation came before the hello. */
  HELLO_REQUIRED: { code: 'hello-required', result: TEEC_ERROR_ACCESS_DENIED, origin: TEEC_ORIGIN_COMMS },
  /** The hello carried no token or a wrong one. */
  BAD_TOKEN: { code: 'bad-token', result: TEEC_ERROR_ACCESS_DENIED, origin: TEEC_ORIGIN_COMMS },
  /** The hello asked for a protocol version this server does not speak. */
  UNSUPPORTED_VERSION: { code: 'unsupported-version', result: TEEC_ERROR_NOT_SUPPORTED, origin: TEEC_ORIGIN_COMMS },
  /** Not msgpack, not a map, or a field of the frame has the wrong type. */
  MALFORMED_FRAME: { code: 'malformed-frame', result: TEEC_ERROR_BAD_FORMAT, origin: TEEC_ORIGIN_COMMS },
  /** The frame is larger than limits.maxFrameBytes. */
  FRAME_TOO_LARGE: { code: 'frame-too-large', result: TEEC_ERROR_EXCESS_DATA, origin: TEEC_ORIGIN_COMMS },
  /** `op` names no operation. */
  UNKNOWN_OPERATION: { code: 'unknown-operation', result: TEEC_ERROR_NOT_IMPLEMENTED, origin: TEEC_ORIGIN_COMMS },
  /** The arguments of a known operation do not match its definition. */
  BAD_ARGUMENTS: { code: 'bad-arguments', result: TEEC_ERROR_BAD_PARAMETERS, origin: TEEC_ORIGIN_API },
  /** The request id is already in flight on this connection. */
  DUPLICATE_ID: { code: 'duplicate-id', result: TEEC_ERROR_BAD_PARAMETERS, origin: TEEC_ORIGIN_COMMS },
  /** More than limits.maxInFlight requests are waiting for answers. */
  TOO_MANY_IN_FLIGHT: { code: 'too-many-in-flight', result: TEEC_ERROR_BUSY, origin: TEEC_ORIGIN_COMMS },
  /** limits.maxContexts contexts are open on this connection. */
  CONTEXT_LIMIT: { code: 'context-limit', result: TEEC_ERROR_OUT_OF_MEMORY, origin: TEEC_ORIGIN_API },
  /** limits.maxSessions sessions are open on this connection. */
  SESSION_LIMIT: { code: 'session-limit', result: TEEC_ERROR_OUT_OF_MEMORY, origin: TEEC_ORIGIN_API },
  /** limits.maxShmBytes / maxShmBlocks would be exceeded, or the device pool is full. */
  SHM_LIMIT: { code: 'shm-limit', result: TEEC_ERROR_OUT_OF_MEMORY, origin: TEEC_ORIGIN_API },
  /** The context, session or shared memory id is not one of this connection's. */
  NOT_FOUND: { code: 'not-found', result: TEEC_ERROR_ITEM_NOT_FOUND, origin: TEEC_ORIGIN_API },
  /** installTA: the bytes are not a signed TA container naming a UUID. */
  INVALID_TA: { code: 'invalid-ta', result: TEEC_ERROR_BAD_FORMAT, origin: TEEC_ORIGIN_API },
  /** The device could not serve the request (off, worker gone, internal error). */
  DEVICE_ERROR: { code: 'device-error', result: TEEC_ERROR_COMMUNICATION, origin: TEEC_ORIGIN_COMMS },
  /** Client side only: no answer within the call timeout. */
  TIMEOUT: { code: 'timeout', result: TEEC_ERROR_COMMUNICATION, origin: TEEC_ORIGIN_COMMS },
  /** Client side only: the connection closed (or never opened) before the answer. */
  CONNECTION_CLOSED: { code: 'connection-closed', result: TEEC_ERROR_COMMUNICATION, origin: TEEC_ORIGIN_COMMS },
} as const;

export type ProtocolErrorCode = (typeof ProtocolError)[keyof typeof ProtocolError]['code'];

/** The error body of an error frame. */
export interface WireError {
  /** A stable protocol error code, or `tee` when the TEE/TA itself returned an error. */
  code: ProtocolErrorCode | 'tee';
  /** TEEC result code. */
  result: number;
  /** TEEC_ORIGIN_*. */
  origin: number;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Frames

/** Client -> server, first frame. */
export interface HelloFrame {
  type: 'hello';
  version: number;
  token: string;
  /** Free text shown in server logs and used as the application identity for LOGIN_APPLICATION. */
  client?: string;
}

/** Server -> client, answer to the hello. */
export interface WelcomeFrame {
  type: 'welcome';
  version: number;
  server: string;
  limits: Limits;
}

/** Client -> server: one request. `id` is chosen by the client, unique among its in-flight ones. */
export interface RequestFrame<O extends OperationName = OperationName> {
  type: 'req';
  id: number;
  op: O;
  args: OperationArgs<O>;
}

/** Server -> client: the answer to request `id`; exactly one of `result` or `error`. */
export interface ResponseFrame<O extends OperationName = OperationName> {
  type: 'res';
  id: number;
  result?: OperationResult<O>;
  error?: WireError;
}

/** Server -> client: an error not tied to a request (hello, malformed frame); id is null. */
export interface ErrorFrame {
  type: 'error';
  id: number | null;
  error: WireError;
}

/** Server -> client: a device event for a subscription. */
export interface EventFrame {
  type: 'event';
  /** `console` for console lines, `trace` for every other device event. */
  stream: 'console' | 'trace';
  event: { type: string; t: number; [key: string]: unknown };
}

export type ServerFrame = WelcomeFrame | ResponseFrame | ErrorFrame | EventFrame;
export type ClientFrame = HelloFrame | RequestFrame;

// ---------------------------------------------------------------------------------------------
// Parameters

/**
 * One operation parameter on the wire. `type` is a TEEC param type (TEEC_NONE ...
 * TEEC_MEMREF_PARTIAL_INOUT).
 * - VALUE_*: `a`, `b` (u32; ignored for VALUE_OUTPUT).
 * - MEMREF_TEMP_*: `data` (input/inout: the buffer's bytes) and `size` (the buffer size; for
 *   output, the capacity). A NULL buffer is `size` 0 without data.
 * - MEMREF_WHOLE / PARTIAL_*: `shm` (a shared memory id of this context), `offset` and `size`
 *   (PARTIAL only), and `data`: the bytes of [offset, offset+size) (WHOLE: the whole block)
 *   synced in when the direction includes input.
 */
export interface WireParam {
  type: number;
  a?: number;
  b?: number;
  data?: Uint8Array;
  size?: number;
  shm?: number;
  offset?: number;
}

/**
 * One parameter after the call. VALUE_OUTPUT/INOUT: `a`, `b`. Memrefs: `size` (the size the TA
 * reported; larger than the buffer on TEEC_ERROR_SHORT_BUFFER) and, for output directions,
 * `data`: the bytes to sync back ([offset, offset+size) of the block) when `size` fits.
 */
export interface WireResultParam {
  type: number;
  a?: number;
  b?: number;
  size?: number;
  data?: Uint8Array;
}

/** The outcome of openSession/invokeCommand: the TEE's result and origin and the parameters. */
export interface OperationOutcome {
  result: number;
  origin: number;
  params: WireResultParam[];
}

// ---------------------------------------------------------------------------------------------
// Operations: each defined once, with its arguments and result.

export interface Operations {
  initializeContext: { args: { name?: string }; result: { context: number } };
  finalizeContext: { args: { context: number }; result: Record<string, never> };
  openSession: {
    args: {
      context: number;
      /** TA UUID, 8-4-4-4-12 hex. */
      uuid: string;
      /** TEEC_LOGIN_*. */
      login: number;
      /** u32 group id for TEEC_LOGIN_GROUP / GROUP_APPLICATION. */
      connectionData?: number;
      params: WireParam[];
      /** Cancellation id the client may name in requestCancellation. */
      cancelId?: number;
    };
    result: OperationOutcome & { session?: number };
  };
  invokeCommand: {
    args: { session: number; cmd: number; params: WireParam[]; cancelId?: number };
    result: OperationOutcome;
  };
  closeSession: { args: { session: number }; result: Record<string, never> };
  /** Shared memory whose buffer the client library allocates. */
  allocateSharedMemory: { args: { context: number; size: number; flags: number }; result: { shm: number } };
  /** Shared memory over a buffer the client application already owns. */
  registerSharedMemory: { args: { context: number; size: number; flags: number }; result: { shm: number } };
  releaseSharedMemory: { args: { shm: number }; result: Record<string, never> };
  /**
   * Cancels the invokeCommand running on `session`, or the openSession in progress that named
   * `cancelId` (exactly one of the two; GP: best effort, no result).
   */
  requestCancellation: { args: { session?: number; cancelId?: number }; result: Record<string, never> };
  info: { args: Record<string, never>; result: DeviceInfo };
  installTA: { args: { bytes: Uint8Array }; result: { uuid: string; path: string } };
  listTAs: { args: Record<string, never>; result: { tas: { uuid: string; source: string; size: number }[] } };
  subscribe: { args: { console?: boolean; trace?: boolean }; result: Record<string, never> };
  /** Answers at once without touching the device (liveness, latency baselines). */
  ping: { args: { data?: Uint8Array }; result: { data?: Uint8Array } };
}

export type OperationName = keyof Operations;
export type OperationArgs<O extends OperationName> = Operations[O]['args'];
export type OperationResult<O extends OperationName> = Operations[O]['result'];

export interface DeviceInfo {
  board: string;
  osUuid: string;
  bootMs: number;
  uptimeMs: number;
  stateDir: string;
  protocolVersion: number;
  /** Requests the device has served since boot. */
  requests: number;
}

// ---------------------------------------------------------------------------------------------
// Limits

export interface Limits {
  /** Largest frame the server accepts, in bytes. Larger frames get `frame-too-large`. */
  maxFrameBytes: number;
  /** Requests waiting for answers per connection. */
  maxInFlight: number;
  /** Open contexts per connection. */
  maxContexts: number;
  /** Open sessions per connection. */
  maxSessions: number;
  /** Shared memory per connection: total bytes and number of blocks. */
  maxShmBytes: number;
  maxShmBlocks: number;
  /** Protocol errors on a connection before the server closes it (code 1008). */
  maxProtocolErrors: number;
  /** Milliseconds a connection may take to send its hello. */
  helloTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFrameBytes: 2 * 1024 * 1024,
  maxInFlight: 64,
  maxContexts: 8,
  maxSessions: 32,
  maxShmBytes: 1024 * 1024,
  maxShmBlocks: 64,
  maxProtocolErrors: 16,
  helloTimeoutMs: 5000,
};

/** The content of `<state>/endpoint.json`, written at each boot with mode 0600. */
export interface EndpointFile {
  url: string;
  token: string;
  pid: number;
  protocolVersion: number;
  startedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Validation: the server checks every frame against these before it acts.

type Check = (v: unknown) => boolean;
const u32: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const id: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
const str: Check = (v) => typeof v === 'string' && v.length <= 256;
const bool: Check = (v) => typeof v === 'boolean';
const bytes: Check = (v) => v instanceof Uint8Array;
const uuid: Check = (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
const PARAM_TYPES = new Set([0, 1, 2, 3, 5, 6, 7, 0xc, 0xd, 0xe, 0xf]);

/** A field-check table without a prototype: `table[k]` is undefined for every unknown key, "constructor" included. */
function checks(fields: Record<string, Check>): Record<string, Check> {
  return Object.assign(Object.create(null) as Record<string, Check>, fields);
}

const PARAM_FIELDS = checks({ type: u32, a: u32, b: u32, data: bytes, size: u32, shm: id, offset: u32 });

function param(v: unknown): boolean {
  if (!isRecord(v) || !PARAM_TYPES.has(v.type as number)) return false;
  return optional(v, PARAM_FIELDS);
}
const params: Check = (v) => {
  if (!Array.isArray(v) || v.length > TEEC_CONFIG_PAYLOAD_REF_COUNT) return false;
  for (let i = 0; i < v.length; i++) if (!param(v[i])) return false;
  return true;
};

/** Field checks per operation: `[required, optional]`. Unknown keys are rejected. */
const SCHEMAS: { [O in OperationName]: [Record<string, Check>, Record<string, Check>] } = {
  initializeContext: [{}, { name: str }],
  finalizeContext: [{ context: id }, {}],
  openSession: [{ context: id, uuid, login: u32, params }, { connectionData: u32, cancelId: u32 }],
  invokeCommand: [{ session: id, cmd: u32, params }, { cancelId: u32 }],
  closeSession: [{ session: id }, {}],
  allocateSharedMemory: [{ context: id, size: u32, flags: u32 }, {}],
  registerSharedMemory: [{ context: id, size: u32, flags: u32 }, {}],
  releaseSharedMemory: [{ shm: id }, {}],
  requestCancellation: [{}, { session: id, cancelId: u32 }],
  info: [{}, {}],
  installTA: [{ bytes }, {}],
  listTAs: [{}, {}],
  subscribe: [{}, { console: bool, trace: bool }],
  ping: [{}, { data: bytes }],
};

export const OPERATION_NAMES = Object.keys(SCHEMAS) as OperationName[];

/**
 * SCHEMAS in the form checkArgs walks on every request (the hot path of every call): the
 * required names as an array, both tables without a prototype.
 */
const COMPILED = Object.assign(Object.create(null) as Record<string, { names: string[]; required: Record<string, Check>; opt: Record<string, Check> }>,
  Object.fromEntries(OPERATION_NAMES.map((op) => {
    const [required, opt] = SCHEMAS[op];
    return [op, { names: Object.keys(required), required: checks(required), opt: checks(opt) }];
  })));

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Whether every own key of `v` has a check in `table` and passes it (undefined passes). */
function optional(v: Record<string, unknown>, table: Record<string, Check>): boolean {
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const c = table[k];
    const x = v[k];
    if (!c || (x !== undefined && !c(x))) return false;
  }
  return true;
}

export function isOperationName(op: unknown): op is OperationName {
  return typeof op === 'string' && Object.prototype.hasOwnProperty.call(SCHEMAS, op);
}

/** Returns undefined when `args` fit operation `op`, or a sentence saying what is wrong. */
export function checkArgs(op: OperationName, args: unknown): string | undefined {
  if (!isRecord(args)) return `${op}: args must be a map`;
  const schema = COMPILED[op]!;
  const { names, required, opt } = schema;
  for (let i = 0; i < names.length; i++) {
    const k = names[i]!;
    if (!required[k]!(args[k])) return `${op}: "${k}" is missing or has the wrong type`;
  }
  for (const k in args) {
    if (!Object.hasOwn(args, k) || required[k]) continue;
    const c = opt[k];
    if (!c) return `${op}: unknown argument "${k}"`;
    const v = args[k];
    if (v !== undefined && !c(v)) return `${op}: "${k}" has the wrong type`;
  }
  return undefined;
}

/** Whether a param type passes data in / back out. */
export function paramDirection(type: number, shmFlags = 0): { input: boolean; output: boolean } {
  switch (type) {
    case TEEC_VALUE_INPUT: case TEEC_MEMREF_TEMP_INPUT: case TEEC_MEMREF_PARTIAL_INPUT: return { input: true, output: false };
    case TEEC_VALUE_OUTPUT: case TEEC_MEMREF_TEMP_OUTPUT: case TEEC_MEMREF_PARTIAL_OUTPUT: return { input: false, output: true };
    case TEEC_VALUE_INOUT: case TEEC_MEMREF_TEMP_INOUT: case TEEC_MEMREF_PARTIAL_INOUT: return { input: true, output: true };
    case TEEC_MEMREF_WHOLE: return { input: (shmFlags & TEEC_MEM_INPUT) !== 0, output: (shmFlags & TEEC_MEM_OUTPUT) !== 0 };
    default: return { input: false, output: false };
  }
}

/** msgpackr options both ends use: plain msgpack maps, binary as Uint8Array. */
export const MSGPACK_OPTIONS = { useRecords: false, mapsAsObjects: true, variableMapSize: true } as const;
