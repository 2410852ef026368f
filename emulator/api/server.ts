/**
 * The TEE Client API server: WebSocket + msgpack frames (protocol.ts) in front of one
 * `DeviceHost`. The main thread only decodes, checks and routes frames; the device runs in its
 * worker, so a long TA run never blocks other connections' frames, pings or errors.
 *
 * This module keeps connections, framing, the hello (authentication), dispatch, cleanup and
 * which events the device forwards (broadcast.ts sends them out). The operations are served one
 * family per module in operations/, the parameters cross the client boundary in params.ts, and
 * each connection's state (its ids, sessions and shared memory: isolation) is a `Connection`.
 */
import { Packr } from 'msgpackr';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { DeviceHost } from '../device/host.js';
import { sameToken } from './auth.js';
import {
  DEFAULT_LIMITS, MSGPACK_OPTIONS, PROTOCOL_VERSION, checkArgs, isOperationName, isRecord, type EventFrame, type Limits,
  type OperationArgs, type OperationName, type OperationResult, type ServerFrame,
} from '../abi/protocol.js';
import { broadcast } from './broadcast.js';
import { Connection } from './connection.js';
import { ApiError, protocolError, toWireError } from './errors.js';
import { contextOperations, releaseContext } from './operations/context.js';
import { deviceOperations } from './operations/device.js';
import { invokeOperations } from './operations/invoke.js';
import type { Handler, Handlers, Services } from './operations/services.js';
import { sessionOperations } from './operations/session.js';
import { shmOperations } from './operations/shm.js';
import { taOperations } from './operations/ta.js';

/** How an ApiServer listens and what it serves. */
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
/** Shortest token the server accepts (the generated ones are 32 bytes, base64url). */
const MIN_TOKEN_LENGTH = 16;
const MAX_PORT = 65535;
/** Characters of a client's name the server keeps. */
const MAX_CLIENT_NAME = 128;
/** Characters of an unknown operation's name quoted back. */
const OP_NAME_EXCERPT = 80;
/** WebSocket close codes (RFC 6455): going away, policy violation. */
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;
/** Cancel ids wrap within positive signed 32 bits (the cancellation flags hold their negation). */
const MAX_CANCEL_ID = 0x7fffffff;
/** Frames up to this many times maxFrameBytes get a frame-too-large answer; larger ones are cut by the socket layer. */
const FRAME_CUTOFF_FACTOR = 2;

/** Validates options up front: unknown keys and bad values are errors. */
export function checkServerOptions(o: ServerOptions): Limits {
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new TypeError(`unknown server option "${k}"`);
  if (typeof o.token !== 'string' || o.token.length < MIN_TOKEN_LENGTH) {
    throw new TypeError(`token must be a string of at least ${MIN_TOKEN_LENGTH} characters`);
  }
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= MAX_PORT)) throw new TypeError(`port must be 0..${MAX_PORT}`);
  const limits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(o.limits ?? {})) {
    if (!(k in DEFAULT_LIMITS)) throw new TypeError(`unknown limit "${k}"`);
    if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) throw new TypeError(`limit ${k} must be a positive integer`);
    limits[k as keyof Limits] = v;
  }
  return limits;
}

/** A WebSocket server for one device (see the file header). */
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
  private readonly device: DeviceHost;
  private readonly handlers: Handlers<OperationName>;

  private constructor(private readonly options: ServerOptions, limits: Limits, wss: WebSocketServer) {
    this.limits = limits;
    this.wss = wss;
    this.device = options.device;
    this.log = options.log ?? (() => {});
    const services: Services = {
      device: this.device, limits,
      newId: () => this.nextId++,
      newCancelId: () => this.newCancelId(),
      updateForwarding: () => this.updateForwarding(),
    };
    this.handlers = {
      ...contextOperations(services), ...sessionOperations(services), ...invokeOperations(services),
      ...shmOperations(services), ...taOperations(services), ...deviceOperations(services),
    };
    wss.on('connection', (ws, req) => this.accept(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`));
    this.unsubscribe = this.device.onEvent((e) => broadcast(e as unknown as EventFrame['event'], this.connections, this.packr));
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
        maxPayload: limits.maxFrameBytes * FRAME_CUTOFF_FACTOR,
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
    for (const c of this.connections) c.ws.close(CLOSE_GOING_AWAY, 'server shutting down');
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
      this.abuse(c, id, protocolError('UNKNOWN_OPERATION', `unknown operation ${JSON.stringify(String(frame.op)).slice(0, OP_NAME_EXCERPT)}`));
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
        this.send(c, { type: 'res', id, error: toWireError(error) });
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
      if (typeof frame.client === 'string') c.name = frame.client.slice(0, MAX_CLIENT_NAME);
      this.log(`api: ${c.remote} connected (${c.name})`);
      this.send(c, { type: 'welcome', version: PROTOCOL_VERSION, server: 'trustbox-emulator', limits: this.limits });
    }
  }

  /** Before authentication: one error frame, then the connection closes. */
  private refuse(c: Connection, error: ApiError): void {
    this.send(c, { type: 'error', id: null, error: error.wire });
    this.log(`api: ${c.remote} refused: ${error.message}`);
    c.ws.close(CLOSE_POLICY, error.wire.code);
    c.closed = true;
  }

  /** A protocol error: answered; after maxProtocolErrors the connection (only) is closed. */
  private abuse(c: Connection, id: number | null, error: ApiError): void {
    c.protocolErrors++;
    if (id === null) this.send(c, { type: 'error', id: null, error: error.wire });
    else this.send(c, { type: 'res', id, error: error.wire });
    if (c.protocolErrors >= this.limits.maxProtocolErrors) {
      this.log(`api: ${c.remote} closed after ${c.protocolErrors} protocol errors`);
      c.ws.close(CLOSE_POLICY, 'too many protocol errors');
      c.closed = true;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Operations (served in operations/)

  private dispatch<O extends OperationName>(c: Connection, op: O, args: OperationArgs<O>): Promise<OperationResult<O>> {
    const handler = this.handlers[op] as Handler<O>;
    try {
      return handler(c, args);
    } catch (error) {
      return Promise.reject(error); // handlers that are not async may throw before they return
    }
  }

  private newCancelId(): number {
    const id = this.nextCancelId;
    this.nextCancelId = id >= MAX_CANCEL_ID ? 1 : id + 1;
    return id;
  }

  // -------------------------------------------------------------------------------------------
  // Cleanup and events

  /** A closed connection's sessions are closed and its shared memory released on the device. */
  private async cleanup(c: Connection): Promise<void> {
    if (!this.connections.delete(c)) return;
    c.closed = true;
    clearTimeout(c.helloTimer);
    for (const s of c.sessions.keys()) this.device.requestCancellation(s);
    for (const id of c.openCancels.values()) this.device.requestOpenCancellation(id);
    await Promise.all([...c.contexts].map((ctx) => releaseContext(this.device, c, ctx)));
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
      this.device.forward('api-server', this.forwarding);
    }
  }
}
