/**
 * The protocol's declarative definitions: every field of every frame, of every operation's
 * arguments and result and of a parameter, named with the kind of value it holds, and the
 * param types with the fields each uses. protocol.ts re-exports this module, builds checkArgs
 * from these tables and proves at compile time that they describe its interfaces exactly (its
 * `ShapesFit`); scripts/protocol-schema.ts turns them into docs/protocol.schema.json.
 *
 * Data only, importing only the Client API constants: protocol.ts imports it without a cycle.
 */
import {
  TEEC_MEMREF_PARTIAL_INOUT, TEEC_MEMREF_PARTIAL_INPUT, TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_MEMREF_TEMP_INOUT,
  TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_WHOLE, TEEC_NONE, TEEC_VALUE_INOUT, TEEC_VALUE_INPUT,
  TEEC_VALUE_OUTPUT,
} from './client-api.js';

/** Largest value of a `u32` field. */
export const U32_MAX = 0xffffffff;
/** Longest `shortString`, in UTF-16 code units (JSON Schema's maxLength counts code points). */
export const SHORT_STRING_MAX = 256;
/** The `uuid` kind as an ECMA-262 pattern without flags, as JSON Schema's `pattern` takes it. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

// ---------------------------------------------------------------------------------------------
// Limits (the server's; protocol.ts re-exports them)

/** The server's limits, per connection unless said otherwise; the welcome frame carries them. */
export interface Limits {
  /** Largest frame the server accepts, in bytes. Larger frames get `frame-too-large`. */
  maxFrameBytes: number;
  /** Requests waiting for answers per connection. */
  maxInFlight: number;
  /** Open contexts per connection. */
  maxContexts: number;
  /** Open sessions per connection. */
  maxSessions: number;
  /** Shared memory per connection: total bytes. */
  maxShmBytes: number;
  /** Shared memory per connection: number of blocks. */
  maxShmBlocks: number;
  /** Protocol errors on a connection before the server closes it (code 1008). */
  maxProtocolErrors: number;
  /** Milliseconds a connection may take to send its hello. */
  helloTimeoutMs: number;
  /** Largest frame before the hello, in bytes: a larger one is refused undecoded (frame-too-large) and the connection closes. */
  maxHelloBytes: number;
  /** Deepest nesting of maps and arrays in a frame (the frame itself is depth 1); checked before decoding (frame-too-complex). */
  maxFrameDepth: number;
  /** Most values (map keys and values, array elements, the frame itself) in a frame; checked before decoding (frame-too-complex). */
  maxFrameElements: number;
  /** Open connections on the server, authenticated or not (device-wide). */
  maxConnections: number;
  /** Open connections from one peer address, authenticated or not (device-wide). */
  maxConnectionsPerPeer: number;
  /** Open sessions on the device across all connections; must be above maxSessions. */
  maxTotalSessions: number;
  /** Shared memory on the device across all connections, in bytes; must be above maxShmBytes. */
  maxTotalShmBytes: number;
  /** TAs installed through installTA (device-wide; replacing an installed UUID does not add one). */
  maxInstalledTAs: number;
  /** Bytes of TAs installed through installTA (device-wide). */
  maxInstalledTaBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFrameBytes: 2 * 1024 * 1024,
  maxInFlight: 64,
  maxContexts: 8,
  maxSessions: 16,
  maxShmBytes: 1024 * 1024,
  maxShmBlocks: 64,
  maxProtocolErrors: 16,
  helloTimeoutMs: 5000,
  maxHelloBytes: 1024,
  maxFrameDepth: 8,
  maxFrameElements: 1024,
  maxConnections: 64,
  maxConnectionsPerPeer: 32,
  maxTotalSessions: 64,
  maxTotalShmBytes: 2 * 1024 * 1024,
  maxInstalledTAs: 32,
  maxInstalledTaBytes: 16 * 1024 * 1024,
};

// ---------------------------------------------------------------------------------------------

/** The streams of device events a client can subscribe to. */
export const EVENT_STREAMS = ['console', 'trace'] as const;

/**
 * The kinds of value a field holds, each with what it means: the vocabulary of the tables
 * below. protocol.ts's WireKinds gives each its TypeScript type, scripts/protocol-schema.ts its
 * JSON Schema.
 */
export const WIRE_KINDS = {
  u32: 'An unsigned 32-bit integer.',
  id: 'An id: an integer from 0 to 2^53 - 1 (Number.MAX_SAFE_INTEGER).',
  shortString: `A string of at most ${SHORT_STRING_MAX} characters.`,
  string: 'A string of any length.',
  number: 'A number, possibly with a fraction.',
  boolean: 'true or false.',
  bytes: 'Raw bytes: msgpack bin (never str, never an array of numbers), decoded as a Uint8Array.',
  uuid: 'A UUID as text, 8-4-4-4-12 hex digits in either case.',
  paramType: 'A TEEC param type (PARAM_TYPES).',
  params: 'The parameters of a request: at most TEEC_CONFIG_PAYLOAD_REF_COUNT.',
  resultParams: 'The parameters after the call, one per parameter of the request.',
  login: 'A TEEC_LOGIN_* method. checkArgs takes any u32: the server refuses other values (bad-arguments) when it runs openSession.',
  shmFlags: 'A non-zero subset of TEEC_MEM_INPUT | TEEC_MEM_OUTPUT. checkArgs takes any u32: the server refuses other values (bad-arguments) when it runs the operation.',
  origin: 'A TEEC_ORIGIN_*: where a result code comes from.',
  resultCode: 'A TEEC result code: TEEC_SUCCESS, a TEEC_ERROR_* or any other u32 a TA returns.',
  version: 'The protocol version, PROTOCOL_VERSION.',
  operation: 'The name of an operation.',
  args: 'The arguments of the request\'s operation.',
  operationResult: 'The result of the operation of the request with the same id.',
  taList: 'The TAs listTAs reports.',
  limits: 'The server\'s limits.',
  error: 'An error: a code, a TEEC result and origin, and a message.',
  errorCode: 'A stable protocol error code (ProtocolError), or `tee`.',
  nullableId: 'An id, or null.',
  stream: 'A stream of device events (EVENT_STREAMS).',
  event: 'A device event: at least its `type` and its time `t`, in milliseconds since the device started.',
  traceCalls: 'Calls of the trace history, oldest first: each its number `call` and its `events` (device events).',
} as const;

/** A kind of value: a key of WIRE_KINDS. */
export type WireKind = keyof typeof WIRE_KINDS;

/** The kinds an operation's arguments may have: the kinds checkArgs has a check for. */
export type ArgKind = 'u32' | 'id' | 'shortString' | 'boolean' | 'bytes' | 'uuid' | 'params' | 'login' | 'shmFlags';

/** The fields of a map: each field's kind, required ones apart from optional ones. Other keys are refused. */
export interface Shape {
  readonly required: Readonly<Record<string, WireKind>>;
  readonly optional: Readonly<Record<string, WireKind>>;
  /** Exactly one of these optional fields is present. */
  readonly exactlyOne?: readonly string[];
}

/** Whether A and B are the same type. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The kinds of `Kinds` (a kind -> type map) whose type is exactly T. */
type KindOf<T, Kinds> = { [K in keyof Kinds]: Same<Kinds[K], T> extends true ? K : never }[keyof Kinds];
type RequiredKeys<T> = { [P in keyof T]-?: {} extends Pick<T, P> ? never : P }[keyof T];
type OptionalKeys<T> = { [P in keyof T]-?: {} extends Pick<T, P> ? P : never }[keyof T];
type NoKeys<X> = [keyof X] extends [never] ? true : false;

/**
 * What a Shape of T must hold: each required property of T under `required`, each optional one
 * under `optional`, with a kind (one of K) whose type in `Kinds` is the property's type.
 */
export type ShapeOf<T, Kinds, K extends keyof Kinds = keyof Kinds> = {
  readonly required: { readonly [P in RequiredKeys<T>]: Extract<KindOf<T[P], Kinds>, K> };
  readonly optional: { readonly [P in OptionalKeys<T>]: Extract<KindOf<Exclude<T[P], undefined>, Kinds>, K> };
  readonly exactlyOne?: readonly OptionalKeys<T>[];
};

/**
 * `true` when S describes T exactly: ShapeOf<T> and no other fields. A map type without named
 * properties (`Record<string, never>`) has the empty shape.
 */
export type Fits<S extends Shape, T, Kinds, K extends keyof Kinds = keyof Kinds> = string extends keyof T
  ? NoKeys<S['required']> extends true ? NoKeys<S['optional']> : false
  : S extends ShapeOf<T, Kinds, K>
    ? Same<keyof S['required'], RequiredKeys<T>> extends true ? Same<keyof S['optional'], OptionalKeys<T>> : false
    : false;

/** The fields of a request parameter (WireParam); PARAM_TYPES says which each type uses. */
export const PARAM_SHAPE = {
  required: { type: 'paramType' },
  optional: { a: 'u32', b: 'u32', data: 'bytes', size: 'u32', shm: 'id', offset: 'u32' },
} as const;

/** The fields of a parameter after the call (WireResultParam). */
export const RESULT_PARAM_SHAPE = {
  required: { type: 'paramType' },
  optional: { a: 'u32', b: 'u32', size: 'u32', data: 'bytes' },
} as const;

/** One TEEC param type: its value, its name and the fields its parameter uses each way. */
export interface ParamTypeDef {
  readonly type: number;
  /** The constant's name, as tee_client_api.h spells it. */
  readonly name: string;
  /** The fields besides `type` a request parameter of this type carries (`data` only with input). */
  readonly request: readonly (keyof typeof PARAM_SHAPE.optional)[];
  /** The fields besides `type` it carries after the call (`data` only with output, when the size fits). */
  readonly result: readonly (keyof typeof RESULT_PARAM_SHAPE.optional)[];
}

/**
 * The param types the protocol carries, TEEC_NONE to TEEC_MEMREF_PARTIAL_INOUT (4 and 8 to 11 are
 * not param types), with the fields of each; WireParam and WireResultParam say what they mean.
 * The server ignores fields a type does not use.
 */
export const PARAM_TYPES: readonly ParamTypeDef[] = [
  { type: TEEC_NONE, name: 'TEEC_NONE', request: [], result: [] },
  { type: TEEC_VALUE_INPUT, name: 'TEEC_VALUE_INPUT', request: ['a', 'b'], result: [] },
  { type: TEEC_VALUE_OUTPUT, name: 'TEEC_VALUE_OUTPUT', request: [], result: ['a', 'b'] },
  { type: TEEC_VALUE_INOUT, name: 'TEEC_VALUE_INOUT', request: ['a', 'b'], result: ['a', 'b'] },
  { type: TEEC_MEMREF_TEMP_INPUT, name: 'TEEC_MEMREF_TEMP_INPUT', request: ['size', 'data'], result: ['size'] },
  { type: TEEC_MEMREF_TEMP_OUTPUT, name: 'TEEC_MEMREF_TEMP_OUTPUT', request: ['size'], result: ['size', 'data'] },
  { type: TEEC_MEMREF_TEMP_INOUT, name: 'TEEC_MEMREF_TEMP_INOUT', request: ['size', 'data'], result: ['size', 'data'] },
  { type: TEEC_MEMREF_WHOLE, name: 'TEEC_MEMREF_WHOLE', request: ['shm', 'data'], result: ['size', 'data'] },
  { type: TEEC_MEMREF_PARTIAL_INPUT, name: 'TEEC_MEMREF_PARTIAL_INPUT', request: ['shm', 'offset', 'size', 'data'], result: ['size'] },
  { type: TEEC_MEMREF_PARTIAL_OUTPUT, name: 'TEEC_MEMREF_PARTIAL_OUTPUT', request: ['shm', 'offset', 'size'], result: ['size', 'data'] },
  { type: TEEC_MEMREF_PARTIAL_INOUT, name: 'TEEC_MEMREF_PARTIAL_INOUT', request: ['shm', 'offset', 'size', 'data'], result: ['size', 'data'] },
];

/** The fields of one entry of listTAs. */
export const TA_ENTRY_SHAPE = { required: { uuid: 'uuid', source: 'string', size: 'id' }, optional: {} } as const;

/** The fields of the error of an error frame or a response (WireError). */
export const WIRE_ERROR_SHAPE = {
  required: { code: 'errorCode', result: 'resultCode', origin: 'origin', message: 'string' },
  optional: {},
} as const;

/** The fields of `<state>/endpoint.json` (JSON, not msgpack): where a client finds the URL and the token. */
export const ENDPOINT_FILE_SHAPE = {
  required: { url: 'string', token: 'string', pid: 'id', protocolVersion: 'version', startedAt: 'string' },
  optional: { socket: 'string' },
} as const;

const EMPTY = { required: {}, optional: {} } as const;

/** Every operation: the shape of its arguments and of its result (protocol.ts's Operations as data). */
export const OPERATIONS = {
  initializeContext: { args: { required: {}, optional: { name: 'shortString' } }, result: { required: { context: 'id' }, optional: {} } },
  finalizeContext: { args: { required: { context: 'id' }, optional: {} }, result: EMPTY },
  openSession: {
    args: { required: { context: 'id', uuid: 'uuid', login: 'login', params: 'params' }, optional: { connectionData: 'u32', cancelId: 'u32', rpc: 'boolean' } },
    result: { required: { result: 'resultCode', origin: 'origin', params: 'resultParams' }, optional: { session: 'id' } },
  },
  invokeCommand: {
    args: { required: { session: 'id', cmd: 'u32', params: 'params' }, optional: { cancelId: 'u32' } },
    result: { required: { result: 'resultCode', origin: 'origin', params: 'resultParams' }, optional: {} },
  },
  closeSession: { args: { required: { session: 'id' }, optional: {} }, result: EMPTY },
  allocateSharedMemory: { args: { required: { context: 'id', size: 'u32', flags: 'shmFlags' }, optional: {} }, result: { required: { shm: 'id' }, optional: {} } },
  registerSharedMemory: { args: { required: { context: 'id', size: 'u32', flags: 'shmFlags' }, optional: {} }, result: { required: { shm: 'id' }, optional: {} } },
  releaseSharedMemory: { args: { required: { shm: 'id' }, optional: {} }, result: EMPTY },
  // exactlyOne is the server's rule for this operation; checkArgs leaves it to the handler.
  requestCancellation: { args: { required: {}, optional: { session: 'id', cancelId: 'u32' }, exactlyOne: ['session', 'cancelId'] }, result: EMPTY },
  info: {
    args: EMPTY,
    result: {
      required: { board: 'string', osUuid: 'string', bootMs: 'number', uptimeMs: 'number', stateDir: 'string', protocolVersion: 'version', requests: 'id' },
      optional: {},
    },
  },
  installTA: { args: { required: { bytes: 'bytes' }, optional: {} }, result: { required: { uuid: 'uuid', path: 'string' }, optional: {} } },
  listTAs: { args: EMPTY, result: { required: { tas: 'taList' }, optional: {} } },
  subscribe: { args: { required: {}, optional: { console: 'boolean', trace: 'boolean' } }, result: EMPTY },
  traceHistory: { args: { required: {}, optional: { call: 'id', last: 'u32' } }, result: { required: { calls: 'traceCalls', total: 'id' }, optional: {} } },
  ping: { args: { required: {}, optional: { data: 'bytes' } }, result: { required: {}, optional: { data: 'bytes' } } },
  deviceIdentity: { args: EMPTY, result: { required: { deviceId: 'string', publicKey: 'string' }, optional: { certificate: 'string' } } },
  attest: { args: { required: { uuid: 'uuid', nonce: 'bytes' }, optional: { profile: 'shortString' } }, result: { required: { token: 'bytes' }, optional: {} } },
  snapshot: { args: EMPTY, result: { required: { snapshot: 'bytes' }, optional: { dropped: 'string' } } },
} as const;

/** Every frame, by its `type`: which end sends it and the shape of its other fields. */
export const FRAMES = {
  hello: { from: 'client', fields: { required: { version: 'version', token: 'string' }, optional: { client: 'string', admin: 'string' } } },
  welcome: { from: 'server', fields: { required: { version: 'version', server: 'string', limits: 'limits', admin: 'boolean' }, optional: {} } },
  req: { from: 'client', fields: { required: { id: 'id', op: 'operation', args: 'args' }, optional: {} } },
  res: { from: 'server', fields: { required: { id: 'id' }, optional: { result: 'operationResult', error: 'error' }, exactlyOne: ['result', 'error'] } },
  error: { from: 'server', fields: { required: { id: 'nullableId', error: 'error' }, optional: {} } },
  event: { from: 'server', fields: { required: { stream: 'stream', event: 'event' }, optional: {} } },
  rpc: { from: 'server', fields: { required: { id: 'id', rpc: 'u32', func: 'u32', args: 'bytes', input: 'bytes', outSize: 'u32' }, optional: {} } },
  rpcReply: { from: 'client', fields: { required: { rpc: 'u32', result: 'resultCode' }, optional: { args: 'bytes', output: 'bytes' } } },
} as const;
