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
import { WebSocketServer, type RawData, type VerifyClientCallbackAsync } from 'ws';
import type { IncomingMessage } from 'node:http';
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server as NetServer } from 'node:net';
import type { DeviceHost } from '../device/host.js';
import { sameToken } from './auth.js';
import {
  DEFAULT_LIMITS, MSGPACK_OPTIONS, PROTOCOL_VERSION, checkArgs, isOperationName, isRecord, type Limits,
  type OperationArgs, type OperationName, type OperationResult, type ServerFrame,
} from '../abi/protocol.js';
import { broadcast } from './broadcast.js';
import { TraceRecorder, checkTraceHistory } from './trace-recorder.js';
import { checkFrameStructure } from './frame-check.js';
import { Connection } from './connection.js';
import { FramedSocket, type FrameSocket } from './framed-socket.js';
import { ApiError, protocolError, toWireError } from './errors.js';
import { contextOperations, releaseContext } from './operations/context.js';
import { deviceOperations } from './operations/device.js';
import { attestOperations } from './operations/attest.js';
import { identityOperations } from './operations/identity.js';
import { invokeOperations } from './operations/invoke.js';
import type { Handler, Handlers, Services } from './operations/services.js';
import { clientRpcServer, failRpcs, takeRpcReply } from './rpc.js';
import { sessionOperations } from './operations/session.js';
import { shmOperations } from './operations/shm.js';
import { taOperations } from './operations/ta.js';
import { snapshotOperations } from './operations/snapshot.js';

/** How an ApiServer listens and what it serves. */
export interface ServerOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  /** The token clients must present in their hello. */
  token: string;
  /**
   * The admin credential: a hello that carries it may use the admin-only operations (installTA,
   * subscribe with trace). Must differ from the token. Default: none (no connection is admin).
   */
  admin?: string;
  /**
   * Origins (scheme://host[:port], as a browser sends them) whose pages may connect. Default: none,
   * so any upgrade that carries an Origin header (every web page) is refused with HTTP 403.
   */
  allowedOrigins?: string[];
  /**
   * Host headers (host:port) accepted besides the address the server listens on and
   * localhost:PORT, 127.0.0.1:PORT, [::1]:PORT (the DNS-rebinding check). Default: none.
   */
  allowedHosts?: string[];
  device: DeviceHost;
  limits?: Partial<Limits>;
  /** Server log lines (connections, abuse); default: none. */
  log?: (line: string) => void;
  /** Calls whose trace the server keeps for the admin's traceHistory (trace-recorder.ts); default 0: none. */
  traceHistory?: number;
}

const KNOWN = new Set(['host', 'port', 'token', 'admin', 'allowedOrigins', 'allowedHosts', 'device', 'limits', 'log', 'traceHistory']);
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
/** WebSocket close code "try again later" (RFC 6455 registry): a connection cap was reached. */
const CLOSE_TRY_AGAIN = 1013;
/** HTTP status of a refused upgrade (Origin or Host not allowed). */
const HTTP_FORBIDDEN = 403;
/** Limits that must be below another: [smaller, larger, why]. */
const ORDERED_LIMITS: [keyof Limits, keyof Limits, string][] = [
  ['maxSessions', 'maxTotalSessions', 'so that one connection cannot take every session of the device'],
  ['maxShmBytes', 'maxTotalShmBytes', 'so that one connection cannot take all of the device\'s shared memory'],
];
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
  if (o.admin !== undefined && (typeof o.admin !== 'string' || o.admin.length < MIN_TOKEN_LENGTH || o.admin === o.token)) {
    throw new TypeError(`admin must be a string of at least ${MIN_TOKEN_LENGTH} characters, other than the token`);
  }
  normalOrigins(o.allowedOrigins);
  normalHosts(o.allowedHosts);
  checkTraceHistory(o.traceHistory);
  const limits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(o.limits ?? {})) {
    if (!(k in DEFAULT_LIMITS)) throw new TypeError(`unknown limit "${k}"`);
    if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) throw new TypeError(`limit ${k} must be a positive integer`);
    limits[k as keyof Limits] = v;
  }
  for (const [small, large, why] of ORDERED_LIMITS) {
    if (limits[small] >= limits[large]) throw new TypeError(`limit ${small} (${limits[small]}) must be below ${large} (${limits[large]}), ${why}`);
  }
  if (limits.maxConnectionsPerPeer > limits.maxConnections) throw new TypeError('limit maxConnectionsPerPeer must not exceed maxConnections');
  if (limits.maxHelloBytes > limits.maxFrameBytes) throw new TypeError('limit maxHelloBytes must not exceed maxFrameBytes');
  return limits;
}

/** allowedOrigins as a browser sends them (scheme://host[:port], lower case); throws on anything else. */
function normalOrigins(list: unknown): Set<string> {
  if (list === undefined) return new Set();
  if (!Array.isArray(list)) throw new TypeError('allowedOrigins must be an array of origins such as "http://127.0.0.1:8080"');
  return new Set(list.map((o) => {
    let url: URL | undefined;
    try {
      url = typeof o === 'string' ? new URL(o) : undefined;
    } catch { /* refused below */ }
    if (!url || url.origin === 'null' || url.origin !== String(o).toLowerCase().replace(/\/$/, '')) {
      throw new TypeError(`allowedOrigins: ${JSON.stringify(o)} is not an origin (scheme://host[:port], no path)`);
    }
    return url.origin;
  }));
}

/** allowedHosts as host:port in lower case; throws on anything else. */
function normalHosts(list: unknown): Set<string> {
  if (list === undefined) return new Set();
  if (!Array.isArray(list)) throw new TypeError('allowedHosts must be an array of host:port strings');
  return new Set(list.map((h) => {
    if (typeof h !== 'string' || !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(h)) throw new TypeError(`allowedHosts: ${JSON.stringify(h)} is not host:port`);
    return h.toLowerCase();
  }));
}

/** A peer's address without the IPv4-mapped prefix, so both forms of one address count as one peer. */
function peerAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
}

/**
 * The handshake check (ws verifyClient): an Origin header must be allowed (no web page reaches
 * the device unless it is listed), and the Host header must name the address and port the
 * server listens on, a loopback name for them, or an allowed host (DNS rebinding: a page on
 * a name that resolves to 127.0.0.1 sends its own name as the Host).
 */
function handshakeCheck(origins: Set<string>, hosts: Set<string>, log: (line: string) => void): VerifyClientCallbackAsync {
  return (info, done) => {
    const refuse = (kind: 'ORIGIN_NOT_ALLOWED' | 'HOST_NOT_ALLOWED', message: string) => {
      log(`api: ${peerAddress(info.req)} refused at the handshake: ${message}`);
      done(false, HTTP_FORBIDDEN, message, { 'X-Trustbox-Error': protocolError(kind, message).wire.code });
    };
    const origin = info.req.headers.origin;
    if (origin !== undefined && !origins.has(origin.toLowerCase())) {
      refuse('ORIGIN_NOT_ALLOWED', `origin ${JSON.stringify(origin).slice(0, OP_NAME_EXCERPT)} is not allowed; a page must be listed in the server's allowedOrigins`);
      return;
    }
    const host = (info.req.headers.host ?? '').toLowerCase();
    const port = info.req.socket.localPort;
    const local = info.req.socket.localAddress ?? '';
    const localHost = local.includes(':') && !local.startsWith('::ffff:') ? `[${local}]` : local.replace(/^::ffff:/, '');
    const ok = [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `${localHost}:${port}`];
    if (!ok.includes(host) && !hosts.has(host)) {
      refuse('HOST_NOT_ALLOWED', `Host ${JSON.stringify(host).slice(0, OP_NAME_EXCERPT)} is not this server (${ok[1]}, ${ok[0]}); list other names in allowedHosts`);
      return;
    }
    done(true);
  };
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
  private readonly recorder: TraceRecorder;

  private constructor(private readonly options: ServerOptions, limits: Limits, wss: WebSocketServer) {
    this.limits = limits;
    this.wss = wss;
    this.device = options.device;
    this.log = options.log ?? (() => {});
    this.recorder = new TraceRecorder(options.traceHistory, (e) => broadcast(e, this.connections, this.packr), () => this.device.uptimeMs());
    const services: Services = {
      device: this.device, limits,
      newId: () => this.nextId++,
      newCancelId: () => this.newCancelId(),
      totals: () => this.totals(),
      updateForwarding: () => this.updateForwarding(),
      rpcServer: (c, id) => clientRpcServer(c, id, (frame) => this.send(c, frame)),
      history: () => this.recorder.history,
    };
    this.handlers = {
      ...contextOperations(services), ...sessionOperations(services), ...invokeOperations(services),
      ...shmOperations(services), ...taOperations(services), ...deviceOperations(services),
      ...identityOperations(services), ...attestOperations(services), ...snapshotOperations(services),
    };
    wss.on('connection', (ws, req) => this.accept(ws, peerAddress(req), `${req.socket.remoteAddress}:${req.socket.remotePort}`));
    this.unsubscribe = this.device.onEvent((e) => this.recorder.event(e));
    this.updateForwarding(); // with a trace history, the trace flows from the start
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
        verifyClient: handshakeCheck(normalOrigins(options.allowedOrigins), normalHosts(options.allowedHosts), options.log ?? (() => {})),
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

  /**
   * Also serves the API on the Unix socket `path` (framed-socket.ts), mode 0600. A file left
   * there by an earlier run is replaced: the state directory is private and locked to one device.
   */
  async listenUnix(path: string): Promise<void> {
    rmSync(path, { force: true });
    const cutoff = this.limits.maxFrameBytes * FRAME_CUTOFF_FACTOR;
    const server = createServer((socket) => this.accept(new FramedSocket(socket, cutoff), 'unix', 'unix socket'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    this.unix = { server, path };
  }

  private unix: { server: NetServer; path: string } | undefined;

  /** The Unix socket the API is also served on, if any. */
  get socketPath(): string | undefined {
    return this.unix?.path;
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
    if (this.unix) {
      const { server, path } = this.unix;
      this.unix = undefined;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(path, { force: true });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Frames

  private accept(ws: FrameSocket, peer: string, remote: string): void {
    const c = new Connection(ws, remote, peer);
    let fromPeer = 0;
    for (const other of this.connections) if (other.peer === peer) fromPeer++;
    const { maxConnections, maxConnectionsPerPeer } = this.limits;
    if (this.connections.size >= maxConnections || fromPeer >= maxConnectionsPerPeer) {
      const error = protocolError('TOO_MANY_CONNECTIONS', fromPeer >= maxConnectionsPerPeer
        ? `${maxConnectionsPerPeer} connections from ${peer} are open; close one first`
        : `${maxConnections} connections are open on this server; try again later`);
      ws.send(this.packr.pack({ type: 'error', id: null, error: error.wire } satisfies ServerFrame));
      ws.close(CLOSE_TRY_AGAIN, error.wire.code);
      this.log(`api: ${remote} refused: ${error.message}`);
      return;
    }
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
    if (c.closed) return;
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    // Before the hello a connection is nobody: its first frame must be a small hello, and any
    // problem closes it (one error frame), so that it costs the server almost nothing.
    const fail = (error: ApiError) => (c.authenticated ? this.abuse(c, null, error) : this.refuse(c, error));
    const maxBytes = c.authenticated ? this.limits.maxFrameBytes : this.limits.maxHelloBytes;
    if (bytes.length > maxBytes) {
      fail(protocolError('FRAME_TOO_LARGE', `frame of ${bytes.length} bytes; the limit is ${maxBytes}${c.authenticated ? '' : ' before the hello'}`));
      return;
    }
    const structure = checkFrameStructure(bytes, this.limits.maxFrameDepth, this.limits.maxFrameElements);
    if (structure) {
      fail(protocolError(structure.kind === 'complex' ? 'FRAME_TOO_COMPLEX' : 'MALFORMED_FRAME', structure.message));
      return;
    }
    let frame: unknown;
    try {
      frame = this.packr.unpack(bytes);
    } catch {
      fail(protocolError('MALFORMED_FRAME', 'the frame is not msgpack'));
      return;
    }
    if (!isRecord(frame)) {
      fail(protocolError('MALFORMED_FRAME', 'a frame is a msgpack map with a "type"'));
      return;
    }
    if (!c.authenticated) {
      this.hello(c, frame);
      return;
    }
    if (frame.type === 'rpcReply') {
      const problem = takeRpcReply(c, frame);
      if (problem) this.abuse(c, null, problem);
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
    c.dispatching = id;
    const [op, receivedAt] = [frame.op, performance.now()];
    this.dispatch(c, frame.op, args as never).then(
      (result) => {
        c.inFlight.delete(id);
        this.send(c, { type: 'res', id, result });
      },
      (error) => {
        c.inFlight.delete(id);
        this.send(c, { type: 'res', id, error: toWireError(error) });
      },
    ).finally(() => this.recorder.answered(c, op, receivedAt));
  }

  private hello(c: Connection, frame: Record<string, unknown>): void {
    if (frame.type !== 'hello') {
      this.refuse(c, protocolError('HELLO_REQUIRED', 'the first frame must be {type: "hello", version, token}'));
    } else if (!sameToken(frame.token, this.options.token)) {
      this.refuse(c, protocolError('BAD_TOKEN', 'missing or wrong token: read it from <state>/endpoint.json'));
    } else if (frame.admin !== undefined && (this.options.admin === undefined || !sameToken(frame.admin, this.options.admin))) {
      this.refuse(c, protocolError('BAD_TOKEN', 'wrong admin credential: read it from <state>/admin.json, or leave "admin" out'));
    } else if (frame.version !== PROTOCOL_VERSION) {
      this.refuse(c, protocolError('UNSUPPORTED_VERSION', `this server speaks protocol version ${PROTOCOL_VERSION}`));
    } else {
      c.authenticated = true;
      c.admin = frame.admin !== undefined;
      clearTimeout(c.helloTimer);
      if (typeof frame.client === 'string') c.name = frame.client.slice(0, MAX_CLIENT_NAME);
      this.log(`api: ${c.remote} connected (${c.name}${c.admin ? ', admin' : ''})`);
      this.send(c, { type: 'welcome', version: PROTOCOL_VERSION, server: 'trustbox-emulator', limits: this.limits, admin: c.admin });
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

  /** Sessions (open and opening) and shared-memory bytes of every connection: the device-wide quotas count these. */
  private totals(): { sessions: number; shmBytes: number } {
    let sessions = 0;
    let shmBytes = 0;
    for (const c of this.connections) {
      sessions += c.sessions.size + c.pendingSessions;
      shmBytes += c.shm.bytesInUse;
    }
    return { sessions, shmBytes };
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
    failRpcs(c);
    for (const s of c.sessions.keys()) this.device.requestCancellation(s);
    for (const id of c.openCancels.values()) this.device.requestOpenCancellation(id);
    await Promise.all([...c.contexts].map((ctx) => releaseContext(this.device, c, ctx)));
    c.contexts.clear();
    this.updateForwarding();
    if (c.authenticated) this.log(`api: ${c.remote} disconnected`);
  }

  private updateForwarding(): void {
    let console = false;
    let trace = this.recorder.history !== undefined;
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
