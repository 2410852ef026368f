/**
 * The TEE Client API server: WebSocket + msgpack frames (protocol.ts) in front of one
 * `DeviceHost`. The main thread only decodes, checks and routes frames; the device runs in its
 * worker, so a long TA run never blocks other connections' frames, pings or errors.
 *
 * Isolation: every context, session and shared-memory id is recorded against the connection
 * that created it and looked up in that connection's tables only, so another client's ids
 * are simply "not found".
 */
import { Packr } from 'msgpackr';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { DeviceHost } from '../device/host.js';
import { DeviceHostError } from '../device/host.js';
import { sameToken } from './auth.js';
import { LOGIN_METHODS, clientUuid } from './login.js';
import {
  DEFAULT_LIMITS, MSGPACK_OPTIONS, PROTOCOL_VERSION, ProtocolError, TEEC_MEMREF_PARTIAL_INOUT, TEEC_MEMREF_PARTIAL_INPUT,
  TEEC_MEMREF_TEMP_INOUT, TEEC_MEMREF_TEMP_INPUT, TEEC_MEMREF_TEMP_OUTPUT, TEEC_MEMREF_WHOLE, TEEC_MEM_INPUT,
  TEEC_MEM_OUTPUT, checkArgs, isOperationName, isRecord, type EventFrame, type Limits, type OperationArgs,
  type OperationName, type OperationResult, type ServerFrame, type WireError, type WireParam,
} from '../abi/protocol.js';

export interface ServerOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  /** The token clients must present in their hello. */
  token: string;
  device: DeviceHost;
  limits?: Partial<Limits>;
  /** Server log lines (connections, abuse); default: none. */
  log?: (line: string) => void;
}

const KNOWN = new Set(['host', 'port', 'token', 'device', 'limits', 'log']);

/** Validates options up front: unknown keys and bad values are errors. */
export function checkServerOptions(o: ServerOptions): Limits {
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new TypeError(`unknown server option "${k}"`);
  if (typeof o.token !== 'string' || o.token.length < 16) throw new TypeError('token must be a string of at least 16 characters');
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) throw new TypeError('port must be 0..65535');
  const limits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(o.limits ?? {})) {
    if (!(k in DEFAULT_LIMITS)) throw new TypeError(`unknown limit "${k}"`);
    if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) throw new TypeError(`limit ${k} must be a positive integer`);
    limits[k as keyof Limits] = v;
  }
  return limits;
}

class ApiError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

function protocolError(kind: keyof typeof ProtocolError, message: string): ApiError {
  const e = ProtocolError[kind];
  return new ApiError({ code: e.code, result: e.result, origin: e.origin, message });
}

interface ShmRecord { context: number; size: number; flags: number }

/** One connection's view: only what it created. */
/** Unsent bytes on a subscriber's socket beyond which it misses events instead of queueing them. */
const EVENT_BACKLOG_BYTES = 4 * 1024 * 1024;

class Connection {
  authenticated = false;
  name = 'client';
  readonly contexts = new Set<number>();
  readonly sessions = new Map<number, number>();
  readonly shm = new Map<number, ShmRecord>();
  shmBytes = 0;
  pendingSessions = 0;
  /** Opens in progress that named a cancelId: the client's id -> the device-wide one. */
  readonly openCancels = new Map<number, number>();
  readonly inFlight = new Set<number>();
  protocolErrors = 0;
  subscribed = { console: false, trace: false };
  /** Events this subscriber missed while its socket was backed up (reported when it catches up). */
  lostEvents = 0;
  closed = false;
  helloTimer: NodeJS.Timeout | undefined;

  constructor(readonly ws: WebSocket, readonly remote: string) {}
}

export class ApiServer {
  readonly limits: Limits;
  private readonly wss: WebSocketServer;
  private readonly packr = new Packr(MSGPACK_OPTIONS);
  private readonly connections = new Set<Connection>();
  private nextId = 1;
  /** Device-wide cancel ids for opens (clients' own ids may collide with each other's). */
  private nextCancelId = 1;
  private readonly log: (line: string) => void;
  private unsubscribe: (() => void) | undefined;
  private forwarding = { console: false, trace: false };

  private constructor(private readonly options: ServerOptions, limits: Limits, wss: WebSocketServer) {
    this.limits = limits;
    this.wss = wss;
    this.log = options.log ?? (() => {});
    wss.on('connection', (ws, req) => this.accept(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`));
    this.unsubscribe = options.device.onEvent((e) => this.broadcast(e as unknown as EventFrame['event']));
  }

  /** Starts listening; resolves once the port is bound. */
  static listen(options: ServerOptions): Promise<ApiServer> {
    const limits = checkServerOptions(options);
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({
        host: options.host ?? '127.0.0.1',
        port: options.port ?? 0,
        // Frames above this are cut off by ws (close 1009) before they are buffered; frames
        // between maxFrameBytes and this get a frame-too-large error and the connection lives.
        maxPayload: limits.maxFrameBytes * 2,
        perMessageDeflate: false,
      });
      wss.once('error', reject);
      wss.once('listening', () => {
        wss.off('error', reject);
        resolve(new ApiServer(options, limits, wss));
      });
    });
  }

  get url(): string {
    const a = this.wss.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `ws://${host}:${a.port}`;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Closes every connection (releasing their sessions and shared memory) and stops listening. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    for (const c of this.connections) c.ws.close(1001, 'server shutting down');
    await Promise.all([...this.connections].map((c) => this.cleanup(c)));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  // -------------------------------------------------------------------------------------------
  // Frames

  private accept(ws: WebSocket, remote: string): void {
    const c = new Connection(ws, remote);
    this.connections.add(c);
    c.helloTimer = setTimeout(() => {
      if (!c.authenticated) this.refuse(c, protocolError('HELLO_REQUIRED', `no hello within ${this.limits.helloTimeoutMs} ms`));
    }, this.limits.helloTimeoutMs);
    ws.on('message', (data, isBinary) => this.onFrame(c, data, isBinary));
    ws.on('close', () => void this.cleanup(c));
    ws.on('error', () => void this.cleanup(c));
  }

  private send(c: Connection, frame: ServerFrame): void {
    if (c.closed || c.ws.readyState !== c.ws.OPEN) return;
    c.ws.send(this.packr.pack(frame));
  }

  private onFrame(c: Connection, data: RawData, _isBinary: boolean): void {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (bytes.length > this.limits.maxFrameBytes) {
      this.abuse(c, null, protocolError('FRAME_TOO_LARGE', `frame of ${bytes.length} bytes; the limit is ${this.limits.maxFrameBytes}`));
      return;
    }
    let frame: unknown;
    try {
      frame = this.packr.unpack(bytes);
    } catch {
      this.abuse(c, null, protocolError('MALFORMED_FRAME', 'the frame is not msgpack'));
      return;
    }
    if (!isRecord(frame)) {
      this.abuse(c, null, protocolError('MALFORMED_FRAME', 'a frame is a msgpack map with a "type"'));
      return;
    }
    if (!c.authenticated) {
      this.hello(c, frame);
      return;
    }
    if (frame.type !== 'req' || typeof frame.id !== 'number' || !Number.isSafeInteger(frame.id) || frame.id < 0) {
      this.abuse(c, typeof frame.id === 'number' ? frame.id : null, protocolError('MALFORMED_FRAME', 'expected {type: "req", id: uint, op, args}'));
      return;
    }
    const id = frame.id;
    if (!isOperationName(frame.op)) {
      this.abuse(c, id, protocolError('UNKNOWN_OPERATION', `unknown operation ${JSON.stringify(String(frame.op)).slice(0, 80)}`));
      return;
    }
    const args = frame.args ?? {};
    const problem = checkArgs(frame.op, args);
    if (problem) {
      this.abuse(c, id, protocolError('BAD_ARGUMENTS', problem));
      return;
    }
    if (c.inFlight.has(id)) {
      this.abuse(c, id, protocolError('DUPLICATE_ID', `request id ${id} is already in flight`));
      return;
    }
    if (c.inFlight.size >= this.limits.maxInFlight) {
      this.send(c, { type: 'res', id, error: protocolError('TOO_MANY_IN_FLIGHT', `${this.limits.maxInFlight} requests are already in flight; wait for answers`).wire });
      return;
    }
    c.inFlight.add(id);
    this.dispatch(c, frame.op, args as never).then(
      (result) => {
        c.inFlight.delete(id);
        this.send(c, { type: 'res', id, result });
      },
      (error) => {
        c.inFlight.delete(id);
        this.send(c, { type: 'res', id, error: toWire(error) });
      },
    );
  }

  private hello(c: Connection, frame: Record<string, unknown>): void {
    if (frame.type !== 'hello') {
      this.refuse(c, protocolError('HELLO_REQUIRED', 'the first frame must be {type: "hello", version, token}'));
    } else if (!sameToken(frame.token, this.options.token)) {
      this.refuse(c, protocolError('BAD_TOKEN', 'missing or wrong token: read it from <state>/endpoint.json'));
    } else if (frame.version !== PROTOCOL_VERSION) {
      this.refuse(c, protocolError('UNSUPPORTED_VERSION', `this server speaks protocol version ${PROTOCOL_VERSION}`));
    } else {
      c.authenticated = true;
      clearTimeout(c.helloTimer);
      if (typeof frame.client === 'string') c.name = frame.client.slice(0, 128);
      this.log(`api: ${c.remote} connected (${c.name})`);
      this.send(c, { type: 'welcome', version: PROTOCOL_VERSION, server: 'trustbox-emulator', limits: this.limits });
    }
  }

  /** Before authentication: one error frame, then the connection closes. */
  private refuse(c: Connection, error: ApiError): void {
    this.send(c, { type: 'error', id: null, error: error.wire });
    this.log(`api: ${c.remote} refused: ${error.message}`);
    c.ws.close(1008, error.wire.code);
    c.closed = true;
  }

  /** A protocol error: answered; after maxProtocolErrors the connection (only) is closed. */
  private abuse(c: Connection, id: number | null, error: ApiError): void {
    c.protocolErrors++;
    if (id === null) this.send(c, { type: 'error', id: null, error: error.wire });
    else this.send(c, { type: 'res', id, error: error.wire });
    if (c.protocolErrors >= this.limits.maxProtocolErrors) {
      this.log(`api: ${c.remote} closed after ${c.protocolErrors} protocol errors`);
      c.ws.close(1008, 'too many protocol errors');
      c.closed = true;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Operations

  private dispatch<O extends OperationName>(c: Connection, op: O, args: OperationArgs<O>): Promise<OperationResult<O>> {
    const handler = this.handlers[op] as (c: Connection, a: OperationArgs<O>) => Promise<OperationResult<O>>;
    try {
      return handler(c, args);
    } catch (error) {
      return Promise.reject(error); // handlers that are not async may throw before they return
    }
  }

  private readonly handlers: { [O in OperationName]: (c: Connection, a: OperationArgs<O>) => Promise<OperationResult<O>> } = {
    initializeContext: async (c) => {
      if (c.contexts.size >= this.limits.maxContexts) throw protocolError('CONTEXT_LIMIT', `at most ${this.limits.maxContexts} contexts per connection`);
      const context = this.nextId++;
      c.contexts.add(context);
      return { context };
    },
    finalizeContext: async (c, a) => {
      this.ownContext(c, a.context);
      c.contexts.delete(a.context);
      await this.releaseContext(c, a.context);
      return {};
    },
    openSession: async (c, a) => {
      this.ownContext(c, a.context);
      if (!LOGIN_METHODS.has(a.login)) throw protocolError('BAD_ARGUMENTS', `unknown login method ${a.login}`);
      if (c.sessions.size + c.pendingSessions >= this.limits.maxSessions) {
        throw protocolError('SESSION_LIMIT', `at most ${this.limits.maxSessions} sessions per connection; close some first`);
      }
      const params = this.checkParams(c, a.context, a.params);
      const client = clientUuid(a.login, a.connectionData, c.name);
      if (a.cancelId !== undefined && c.openCancels.has(a.cancelId)) {
        throw protocolError('BAD_ARGUMENTS', `cancelId ${a.cancelId} already names an open in progress`);
      }
      const cancelId = a.cancelId !== undefined ? this.newCancelId() : 0;
      if (cancelId) c.openCancels.set(a.cancelId!, cancelId);
      c.pendingSessions++;
      try {
        const r = await this.options.device.call('open', {
          uuid: a.uuid.toLowerCase(), login: a.login, params, ...(client ? { clientUuid: client } : {}),
          ...(cancelId ? { cancelId } : {}),
        });
        if (r.session !== undefined && r.result === 0) {
          if (c.closed) void this.options.device.call('close', { session: r.session }).catch(() => {});
          else c.sessions.set(r.session, a.context);
        }
        return r;
      } finally {
        c.pendingSessions--;
        if (cancelId) {
          c.openCancels.delete(a.cancelId!);
          this.options.device.clearOpenCancellation(cancelId);
        }
      }
    },
    // Not async, the hottest operation: one promise fewer per call. May throw before returning.
    invokeCommand: (c, a) => {
      this.ownSession(c, a.session);
      const params = this.checkParams(c, c.sessions.get(a.session)!, a.params);
      const device = this.options.device;
      return device.call('invoke', {
        session: a.session, cmd: a.cmd, params, ...(a.cancelId !== undefined ? { cancelId: a.cancelId } : {}),
      }).then(
        (r) => { device.clearCancellation(a.session); return r; },
        (e: unknown) => { device.clearCancellation(a.session); throw e; },
      );
    },
    closeSession: async (c, a) => {
      this.ownSession(c, a.session);
      c.sessions.delete(a.session);
      await this.options.device.call('close', { session: a.session });
      return {};
    },
    allocateSharedMemory: (c, a) => this.newShm(c, a.context, a.size, a.flags),
    registerSharedMemory: (c, a) => this.newShm(c, a.context, a.size, a.flags),
    releaseSharedMemory: async (c, a) => {
      const rec = c.shm.get(a.shm);
      if (!rec) throw protocolError('NOT_FOUND', `shared memory ${a.shm} is not one of this connection's`);
      c.shm.delete(a.shm);
      c.shmBytes -= rec.size;
      await this.options.device.call('releaseShm', { id: a.shm });
      return {};
    },
    requestCancellation: async (c, a) => {
      if ((a.session === undefined) === (a.cancelId === undefined)) {
        throw protocolError('BAD_ARGUMENTS', 'requestCancellation names either a session or the cancelId of an open');
      }
      if (a.cancelId !== undefined) {
        // GP: best effort. An open that already ended (or never named this id) has nothing to stop.
        const cancelId = c.openCancels.get(a.cancelId);
        if (cancelId) this.options.device.requestOpenCancellation(cancelId);
        return {};
      }
      this.ownSession(c, a.session!);
      this.options.device.requestCancellation(a.session!);
      return {};
    },
    info: async () => {
      const d = this.options.device;
      const stats = await d.call('stats', {});
      return {
        board: d.report?.board ?? '', osUuid: d.report?.osUuid ?? '', bootMs: d.report?.bootMs ?? 0, uptimeMs: d.uptimeMs(),
        stateDir: d.stateDir, protocolVersion: PROTOCOL_VERSION, requests: stats.requests,
      };
    },
    installTA: async (_c, a) => {
      try {
        return await this.options.device.call('install', { bytes: a.bytes });
      } catch (error) {
        // The TA store takes only a signed TA container that names its UUID (the secure world
        // checks the signature when it loads the TA, as on a real device).
        if (error instanceof DeviceHostError && error.code === 'tee' && error.result === ProtocolError.INVALID_TA.result) {
          throw protocolError('INVALID_TA', error.message);
        }
        throw error;
      }
    },
    listTAs: async () => ({ tas: await this.options.device.call('list', {}) }),
    subscribe: async (c, a) => {
      c.subscribed = { console: a.console ?? c.subscribed.console, trace: a.trace ?? c.subscribed.trace };
      this.updateForwarding();
      return {};
    },
    ping: async (_c, a) => (a.data ? { data: a.data } : {}),
  };

  private ownContext(c: Connection, context: number): void {
    if (!c.contexts.has(context)) throw protocolError('NOT_FOUND', `context ${context} is not one of this connection's`);
  }

  private ownSession(c: Connection, session: number): void {
    if (!c.sessions.has(session)) throw protocolError('NOT_FOUND', `session ${session} is not one of this connection's`);
  }

  private async newShm(c: Connection, context: number, size: number, flags: number): Promise<{ shm: number }> {
    this.ownContext(c, context);
    if (flags === 0 || (flags & ~(TEEC_MEM_INPUT | TEEC_MEM_OUTPUT)) !== 0) {
      throw protocolError('BAD_ARGUMENTS', 'flags must be a non-zero subset of TEEC_MEM_INPUT | TEEC_MEM_OUTPUT');
    }
    if (c.shm.size >= this.limits.maxShmBlocks || c.shmBytes + size > this.limits.maxShmBytes) {
      throw protocolError('SHM_LIMIT', `shared memory limit: ${this.limits.maxShmBlocks} blocks, ${this.limits.maxShmBytes} bytes per connection (${c.shmBytes} in use)`);
    }
    const id = this.nextId++;
    c.shm.set(id, { context, size, flags });
    c.shmBytes += size;
    try {
      await this.options.device.call('registerShm', { id, size, flags });
    } catch (error) {
      c.shm.delete(id);
      c.shmBytes -= size;
      if (error instanceof DeviceHostError && error.result === ProtocolError.SHM_LIMIT.result) {
        throw protocolError('SHM_LIMIT', `the device's client shared memory pool is full: ${error.message}`);
      }
      throw error;
    }
    if (c.closed) void this.options.device.call('releaseShm', { id }).catch(() => {});
    return { shm: id };
  }

  /** Shared memory named by memrefs must be this connection's and belong to the session's context. */
  private checkParams(c: Connection, context: number, params: WireParam[]): WireParam[] {
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      if (p.type >= TEEC_MEMREF_WHOLE) {
        const rec = p.shm === undefined ? undefined : c.shm.get(p.shm);
        if (!rec) throw protocolError('NOT_FOUND', `param ${i}: shared memory ${p.shm} is not one of this connection's`);
        if (rec.context !== context) throw protocolError('BAD_ARGUMENTS', `param ${i}: shared memory ${p.shm} belongs to another context`);
        const offset = p.type === TEEC_MEMREF_WHOLE ? 0 : p.offset ?? 0;
        const size = p.type === TEEC_MEMREF_WHOLE ? rec.size : p.size ?? 0;
        if (offset + size > rec.size) throw protocolError('BAD_ARGUMENTS', `param ${i}: [${offset}, ${offset}+${size}) is outside the ${rec.size}-byte block`);
        if (p.type >= TEEC_MEMREF_PARTIAL_INPUT && p.type <= TEEC_MEMREF_PARTIAL_INOUT) {
          const need = (p.type === TEEC_MEMREF_PARTIAL_INPUT ? TEEC_MEM_INPUT : 0) | (p.type === 0xe ? TEEC_MEM_OUTPUT : 0) |
            (p.type === TEEC_MEMREF_PARTIAL_INOUT ? TEEC_MEM_INPUT | TEEC_MEM_OUTPUT : 0);
          if ((rec.flags & need) !== need) throw protocolError('BAD_ARGUMENTS', `param ${i}: the block's flags do not allow this direction`);
        }
      } else if (p.type >= TEEC_MEMREF_TEMP_INPUT && p.type <= TEEC_MEMREF_TEMP_INOUT) {
        const size = p.type === TEEC_MEMREF_TEMP_OUTPUT ? p.size ?? 0 : p.data?.length ?? 0;
        if (size > this.limits.maxFrameBytes) throw protocolError('SHM_LIMIT', `param ${i}: temporary memrefs are limited to ${this.limits.maxFrameBytes} bytes`);
        if (p.type === TEEC_MEMREF_TEMP_INOUT && p.size !== undefined && p.size !== size) {
          throw protocolError('BAD_ARGUMENTS', `param ${i}: size and data length differ`);
        }
      }
    }
    return params;
  }

  private newCancelId(): number {
    const id = this.nextCancelId;
    this.nextCancelId = id >= 0x7fffffff ? 1 : id + 1;
    return id;
  }

  // -------------------------------------------------------------------------------------------
  // Cleanup and events

  private async releaseContext(c: Connection, context: number): Promise<void> {
    const work: Promise<unknown>[] = [];
    for (const [s, ctx] of c.sessions) {
      if (ctx !== context) continue;
      c.sessions.delete(s);
      this.options.device.clearCancellation(s);
      work.push(this.options.device.call('close', { session: s }).catch(() => {}));
    }
    for (const [id, rec] of c.shm) {
      if (rec.context !== context) continue;
      c.shm.delete(id);
      c.shmBytes -= rec.size;
      work.push(this.options.device.call('releaseShm', { id }).catch(() => {}));
    }
    await Promise.all(work);
  }

  /** A closed connection's sessions are closed and its shared memory released on the device. */
  private async cleanup(c: Connection): Promise<void> {
    if (!this.connections.delete(c)) return;
    c.closed = true;
    clearTimeout(c.helloTimer);
    for (const s of c.sessions.keys()) this.options.device.requestCancellation(s);
    for (const id of c.openCancels.values()) this.options.device.requestOpenCancellation(id);
    await Promise.all([...c.contexts].map((ctx) => this.releaseContext(c, ctx)));
    c.contexts.clear();
    this.updateForwarding();
    if (c.authenticated) this.log(`api: ${c.remote} disconnected`);
  }

  private updateForwarding(): void {
    let console = false;
    let trace = false;
    for (const c of this.connections) {
      console ||= c.subscribed.console;
      trace ||= c.subscribed.trace;
    }
    if (console !== this.forwarding.console || trace !== this.forwarding.trace) {
      this.forwarding = { console, trace };
      this.options.device.forward('api-server', this.forwarding);
    }
  }

  /**
   * Sends a device event to its subscribers. A subscriber whose socket has EVENT_BACKLOG_BYTES
   * unsent misses events (counted) until it catches up, and then first gets a `lost` event with
   * the count; a `lost` event from the device itself goes to every subscriber.
   */
  private broadcast(event: EventFrame['event']): void {
    const lost = event.type === 'lost';
    const stream = event.type === 'console' ? 'console' : 'trace';
    let bytes: Buffer | undefined;
    for (const c of this.connections) {
      if (!c.authenticated || c.ws.readyState !== c.ws.OPEN) continue;
      if (lost ? !c.subscribed.console && !c.subscribed.trace : !c.subscribed[stream]) continue;
      if (c.ws.bufferedAmount >= EVENT_BACKLOG_BYTES) {
        c.lostEvents += lost ? Number(event.count) || 0 : 1;
        continue;
      }
      if (c.lostEvents > 0) {
        this.sendEvent(c, { type: 'lost', t: event.t, count: c.lostEvents, where: 'API server -> client' });
        c.lostEvents = 0;
      }
      if (lost) {
        this.sendEvent(c, event);
        continue;
      }
      bytes ??= this.packr.pack({ type: 'event', stream, event } satisfies EventFrame);
      c.ws.send(bytes);
    }
  }

  private sendEvent(c: Connection, event: EventFrame['event']): void {
    c.ws.send(this.packr.pack({ type: 'event', stream: c.subscribed.trace ? 'trace' : 'console', event } satisfies EventFrame));
  }
}

function toWire(error: unknown): WireError {
  if (error instanceof ApiError) return error.wire;
  if (error instanceof DeviceHostError) {
    return { code: error.code === 'tee' ? 'tee' : 'device-error', result: error.result, origin: error.origin, message: error.message };
  }
  const e = ProtocolError.DEVICE_ERROR;
  return { code: e.code, result: e.result, origin: e.origin, message: (error as Error)?.message ?? String(error) };
}
