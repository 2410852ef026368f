/**
 * The GP TEE Client API, shaped as in tee_client_api.h: contexts, sessions, operations with
 * four parameters, shared memory, cancellation. Calls go over a `TeeConnection`.
 *
 * Results: `openSession` rejects with a TeecError when the TEE refuses (GP returns the code);
 * `invokeCommand` resolves with `{result, origin}` for any answer from the TEE, as
 * TEEC_InvokeCommand returns its code, and rejects only for protocol or transport failures.
 */
import {
  TEEC_ERROR_BAD_PARAMETERS, TEEC_ERROR_BAD_STATE, TEEC_LOGIN_PUBLIC, TEEC_MEMREF_PARTIAL_INOUT, TEEC_MEMREF_PARTIAL_INPUT,
  TEEC_MEMREF_PARTIAL_OUTPUT, TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT,
  TEEC_MEMREF_WHOLE, TEEC_NONE, TEEC_ORIGIN_API, TEEC_PARAM_TYPE_GET, TEEC_SUCCESS,
  TEEC_VALUE_INOUT, TEEC_VALUE_INPUT, TEEC_VALUE_OUTPUT, paramDirection, type WireParam, type WireResultParam,
} from '../abi/protocol.js';
import { TeeConnection, TeecError, type ConnectOptions, type RpcHandler } from './connection.js';

export interface TeecValue { a: number; b: number }
/** TEEC_TempMemoryReference: `buffer` may be null (a NULL memref, size 0 or a size query). */
export interface TeecTempMemoryReference { buffer: Uint8Array | null; size: number }
/** TEEC_RegisteredMemoryReference. */
export interface TeecRegisteredMemoryReference { parent: TeecSharedMemory; size: number; offset: number }

/** TEEC_Parameter: fill the member that matches the param type. */
export interface TeecParameter {
  value?: TeecValue;
  tmpref?: TeecTempMemoryReference;
  memref?: TeecRegisteredMemoryReference;
}

/** TEEC_Operation: `paramTypes` from TEEC_PARAM_TYPES, four parameters. */
export class TeecOperation {
  started = 0;
  params: [TeecParameter, TeecParameter, TeecParameter, TeecParameter] = [{}, {}, {}, {}];
  /** @internal the session the operation runs on, once started. */
  session: TeecSession | undefined;
  /** @internal while the operation opens a session: how to cancel that open. */
  opening: { context: TeecContext; cancelId: number } | undefined;
  private cancelled = false;

  constructor(public paramTypes = 0, params: TeecParameter[] = []) {
    params.slice(0, 4).forEach((p, i) => { this.params[i] = p; });
  }

  /** TEEC_RequestCancellation: best effort; a no-op when the operation is not running. */
  async requestCancellation(): Promise<void> {
    this.cancelled = true;
    if (this.started !== 1) return;
    if (this.session) await this.session.requestCancellation();
    else if (this.opening) await this.opening.context.connection.request('requestCancellation', { cancelId: this.opening.cancelId });
  }

  /** @internal */
  get cancelRequested(): boolean {
    return this.cancelled;
  }
}

export interface TeecResult { result: number; origin: number }

/** TEEC_SharedMemory: `buffer` is the client's view; data syncs in/out with each operation. */
export class TeecSharedMemory {
  released = false;
  constructor(readonly context: TeecContext, readonly id: number, readonly buffer: Uint8Array, readonly flags: number) {}

  get size(): number {
    return this.buffer.length;
  }

  /** TEEC_ReleaseSharedMemory. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.context.connection.request('releaseSharedMemory', { shm: this.id });
  }
}

export interface OpenSessionOptions {
  /** TEEC_LOGIN_* (default PUBLIC). */
  login?: number;
  /** Group id for GROUP logins. */
  connectionData?: number;
  operation?: TeecOperation;
  /**
   * Serves the RPCs this session's calls make that the client serves (Open Enclave ocalls,
   * docs/open-enclave.md): the open's and every invokeCommand's. Without it they fail
   * TEEC_ERROR_NOT_SUPPORTED in the TA.
   */
  onRpc?: RpcHandler;
}

/** TEEC_Context. */
export class TeecContext {
  private finalized = false;

  constructor(readonly connection: TeeConnection, readonly id: number) {}

  /** TEEC_InitializeContext over a new connection. */
  static async initialize(options: ConnectOptions & { name?: string }): Promise<TeecContext> {
    const { name, ...connect } = options;
    const conn = await TeeConnection.connect(connect);
    try {
      return await TeecContext.onConnection(conn, name);
    } catch (error) {
      conn.close();
      throw error;
    }
  }

  /** TEEC_InitializeContext on an existing connection (several contexts may share one). */
  static async onConnection(conn: TeeConnection, name?: string): Promise<TeecContext> {
    const { context } = await conn.request('initializeContext', name === undefined ? {} : { name });
    return new TeecContext(conn, context);
  }

  /** TEEC_FinalizeContext: closes what is left of this context's sessions and shared memory. */
  async finalize(): Promise<void> {
    if (this.finalized) return;
    this.finalized = true;
    if (!this.connection.closed) await this.connection.request('finalizeContext', { context: this.id });
  }

  /** TEEC_OpenSession. Rejects with a TeecError (result, origin) when the TEE or TA refuses. */
  async openSession(uuid: string, options: OpenSessionOptions = {}): Promise<TeecSession> {
    const op = options.operation;
    const params = op ? toWire(op) : [];
    // With an operation, the open can be cancelled (TEEC_RequestCancellation) through its id.
    const cancelId = op ? this.connection.newCancelId() : undefined;
    if (op) {
      op.started = 1;
      op.opening = { context: this, cancelId: cancelId! };
    }
    const pending = this.connection.request('openSession', {
      context: this.id, uuid, login: options.login ?? TEEC_LOGIN_PUBLIC, params,
      ...(options.connectionData !== undefined ? { connectionData: options.connectionData } : {}),
      ...(cancelId !== undefined ? { cancelId } : {}),
      ...(options.onRpc ? { rpc: true } : {}),
    }, undefined, options.onRpc);
    // A cancellation requested before the open started is delivered as soon as it runs.
    if (op?.cancelRequested) void op.requestCancellation().catch(() => {});
    let r: Awaited<typeof pending>;
    try {
      r = await pending;
    } finally {
      if (op) op.opening = undefined;
    }
    if (op) fromWire(op, r.params);
    if (r.result !== TEEC_SUCCESS || r.session === undefined) {
      throw new TeecError(r.result, r.origin, `TEEC_OpenSession ${uuid}: 0x${(r.result >>> 0).toString(16)} (origin ${r.origin})`);
    }
    const session = new TeecSession(this, r.session);
    if (options.onRpc) session.onRpc = options.onRpc;
    return session;
  }

  /** TEEC_AllocateSharedMemory: the library allocates the buffer. */
  async allocateSharedMemory(size: number, flags: number): Promise<TeecSharedMemory> {
    const { shm } = await this.connection.request('allocateSharedMemory', { context: this.id, size, flags });
    return new TeecSharedMemory(this, shm, new Uint8Array(size), flags);
  }

  /** TEEC_RegisterSharedMemory: the application's buffer is used in place. */
  async registerSharedMemory(buffer: Uint8Array, flags: number): Promise<TeecSharedMemory> {
    const { shm } = await this.connection.request('registerSharedMemory', { context: this.id, size: buffer.length, flags });
    return new TeecSharedMemory(this, shm, buffer, flags);
  }
}

/** TEEC_Session. */
export class TeecSession {
  private closed = false;
  /** Serves this session's RPCs (OpenSessionOptions.onRpc). */
  onRpc: RpcHandler | undefined;

  constructor(readonly context: TeecContext, readonly id: number) {}

  /** TEEC_InvokeCommand: resolves with the TEE's result and origin; the operation is updated. */
  async invokeCommand(cmd: number, operation?: TeecOperation, options: { timeoutMs?: number } = {}): Promise<TeecResult> {
    if (this.closed) return { result: TEEC_ERROR_BAD_STATE, origin: TEEC_ORIGIN_API };
    let params: WireParam[] = [];
    if (operation) {
      params = toWire(operation);
      operation.session = this;
      operation.started = 1;
    }
    const pending = this.context.connection.request('invokeCommand', { session: this.id, cmd, params }, options.timeoutMs, this.onRpc);
    // A cancellation requested before the call started is delivered as soon as it runs.
    if (operation?.cancelRequested) void this.requestCancellation().catch(() => {});
    const r = await pending;
    if (operation) fromWire(operation, r.params);
    return { result: r.result >>> 0, origin: r.origin };
  }

  /** @internal used by TeecOperation.requestCancellation. */
  async requestCancellation(): Promise<void> {
    await this.context.connection.request('requestCancellation', { session: this.id });
  }

  /** TEEC_CloseSession. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.context.connection.closed) await this.context.connection.request('closeSession', { session: this.id });
  }
}

function bad(message: string): TeecError {
  return new TeecError(TEEC_ERROR_BAD_PARAMETERS, TEEC_ORIGIN_API, message, 'bad-arguments');
}

/** The operation's parameters as wire params, carrying the input data to sync in. */
function toWire(op: TeecOperation): WireParam[] {
  const out: WireParam[] = [];
  let last = -1;
  for (let i = 0; i < 4; i++) if (TEEC_PARAM_TYPE_GET(op.paramTypes, i) !== TEEC_NONE) last = i;
  for (let i = 0; i <= last; i++) {
    const type = TEEC_PARAM_TYPE_GET(op.paramTypes, i);
    const p = op.params[i]!;
    switch (type) {
      case TEEC_NONE: out.push({ type }); break;
      case TEEC_VALUE_INPUT:
      case TEEC_VALUE_INOUT:
        if (!p.value) throw bad(`param ${i}: value missing`);
        out.push({ type, a: p.value.a >>> 0, b: p.value.b >>> 0 });
        break;
      case TEEC_VALUE_OUTPUT: out.push({ type }); break;
      case TEEC_MEMREF_TEMP_INPUT:
      case TEEC_MEMREF_TEMP_OUTPUT:
      case TEEC_MEMREF_TEMP_INOUT: {
        const t = p.tmpref;
        if (!t) throw bad(`param ${i}: tmpref missing`);
        if (!t.buffer) {
          out.push({ type, size: 0 });
          break;
        }
        if (t.size > t.buffer.length) throw bad(`param ${i}: tmpref.size ${t.size} exceeds its buffer (${t.buffer.length})`);
        out.push(type === TEEC_MEMREF_TEMP_OUTPUT ? { type, size: t.size } : { type, size: t.size, data: t.buffer.subarray(0, t.size) });
        break;
      }
      case TEEC_MEMREF_WHOLE:
      case TEEC_MEMREF_PARTIAL_INPUT:
      case TEEC_MEMREF_PARTIAL_OUTPUT:
      case TEEC_MEMREF_PARTIAL_INOUT: {
        const m = p.memref;
        if (!m?.parent) throw bad(`param ${i}: memref.parent missing`);
        if (m.parent.released) throw bad(`param ${i}: the shared memory was released`);
        const whole = type === TEEC_MEMREF_WHOLE;
        const offset = whole ? 0 : m.offset;
        const size = whole ? m.parent.size : m.size;
        if (offset + size > m.parent.size) throw bad(`param ${i}: [${offset}, ${offset}+${size}) is outside the shared memory`);
        const wire: WireParam = { type, shm: m.parent.id, ...(whole ? {} : { offset, size }) };
        if (paramDirection(type, m.parent.flags).input) wire.data = m.parent.buffer.subarray(offset, offset + size);
        out.push(wire);
        break;
      }
      default:
        throw bad(`param ${i}: unknown type 0x${type.toString(16)}`);
    }
  }
  return out;
}

/** Copies results back: values, sizes, and output data when the size fits (GP sync out). */
function fromWire(op: TeecOperation, results: WireResultParam[]): void {
  results.forEach((r, i) => {
    const p = op.params[i]!;
    const type = TEEC_PARAM_TYPE_GET(op.paramTypes, i);
    if ((type === TEEC_VALUE_OUTPUT || type === TEEC_VALUE_INOUT) && r.a !== undefined) {
      p.value = { a: r.a, b: r.b ?? 0 };
    } else if (type >= TEEC_MEMREF_TEMP_INPUT && type <= TEEC_MEMREF_TEMP_INOUT && p.tmpref) {
      const capacity = p.tmpref.size;
      if (type !== TEEC_MEMREF_TEMP_INPUT && r.size !== undefined) p.tmpref.size = r.size;
      if (r.data && p.tmpref.buffer && r.data.length <= capacity) p.tmpref.buffer.set(r.data, 0);
    } else if (type >= TEEC_MEMREF_WHOLE && p.memref) {
      const m = p.memref;
      const offset = type === TEEC_MEMREF_WHOLE ? 0 : m.offset;
      const capacity = type === TEEC_MEMREF_WHOLE ? m.parent.size : m.size;
      if (r.size !== undefined && paramDirection(type, m.parent.flags).output) m.size = r.size;
      if (r.data && r.data.length <= capacity) m.parent.buffer.set(r.data, offset);
    }
  });
}

