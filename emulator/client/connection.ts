/**
 * One authenticated WebSocket connection to a trustbox device: hello, request ids,
 * multiplexed answers, call timeouts, event subscriptions. Uses the global WebSocket where
 * there is one (browsers, Node >= 22) and the `ws` package otherwise.
 */
import { Packr } from 'msgpackr';
import {
  MSGPACK_OPTIONS, PROTOCOL_VERSION, ProtocolError, type EventFrame, type HelloFrame, type Limits, type OperationArgs, type OperationName,
  type OperationResult, type RpcAnswer, type RpcCall, type RpcFrame, type ServerFrame, type WireError,
} from '../abi/protocol.js';
import { TEEC_ERROR_GENERIC, TEEC_ERROR_NOT_SUPPORTED } from '../abi/client-api.js';

/** Every failure the client reports: a TEEC result code, its origin, a protocol code and a message. */
export class TeecError extends Error {
  constructor(readonly result: number, readonly origin: number, message: string, readonly code: string = 'tee') {
    super(message);
    this.name = 'TeecError';
  }

  static from(e: WireError): TeecError {
    return new TeecError(e.result >>> 0, e.origin, e.message, e.code);
  }
}

function clientError(kind: keyof typeof ProtocolError, message: string): TeecError {
  const e = ProtocolError[kind];
  return new TeecError(e.result, e.origin, message, e.code);
}

/** The subset of the WebSocket interface both the browser's and `ws` implement. */
interface SocketLike {
  binaryType: string;
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}
type SocketConstructor = new (url: string) => SocketLike;

export interface ConnectOptions {
  /** ws://host:port, as in endpoint.json. */
  url: string;
  /** The token from endpoint.json. */
  token: string;
  /**
   * The admin credential from `<state>/admin.json`, for the admin-only operations (installTA,
   * subscribing to the trace). Leave it out otherwise: a wrong one is refused (bad-token).
   */
  admin?: string;
  /** Name shown in server logs; the application identity for LOGIN_APPLICATION. */
  client?: string;
  /** Time to open the socket and be welcomed (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Default time to wait for any answer (default 60000 ms; TA runs can be long). */
  callTimeoutMs?: number;
  /** A WebSocket constructor to use instead of the global one or `ws`. */
  WebSocket?: SocketConstructor;
}

const KNOWN = new Set(['url', 'token', 'admin', 'client', 'connectTimeoutMs', 'callTimeoutMs', 'WebSocket']);

async function socketConstructor(given?: SocketConstructor): Promise<SocketConstructor> {
  if (given) return given;
  const g = (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
  if (g) return g;
  const mod = (await import('ws')) as unknown as { WebSocket: SocketConstructor };
  return mod.WebSocket;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; op: string; timeoutMs: number; deadline: number; onRpc?: RpcHandler };

/** Serves the RPCs a call makes that its client serves (Open Enclave ocalls: docs/open-enclave.md). */
export type RpcHandler = (call: RpcCall) => RpcAnswer | Promise<RpcAnswer>;

/**
 * How often call deadlines are checked. One sweeping timer per connection instead of a timer
 * per call: arming and clearing a timer cost about 1.2 µs per call, a few percent of a
 * hello_world invoke. A call therefore times out between timeoutMs and timeoutMs + this.
 */
export const TIMEOUT_SWEEP_MS = 50;
type EventListener = (stream: 'console' | 'trace', event: EventFrame['event']) => void;

export class TeeConnection {
  private readonly packr = new Packr(MSGPACK_OPTIONS);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private cancelIds = 0;
  private closedError: TeecError | undefined;
  private readonly listeners = new Set<EventListener>();
  private readonly closeListeners = new Set<(error: TeecError) => void>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  /** The server's limits, from the welcome. */
  limits!: Limits;
  /** Whether the server accepted this connection's admin credential (from the welcome). */
  admin = false;

  private constructor(private readonly socket: SocketLike, private readonly callTimeoutMs: number) {}

  /** Opens the socket, sends the hello and resolves once welcomed. */
  static async connect(options: ConnectOptions): Promise<TeeConnection> {
    for (const k of Object.keys(options)) if (!KNOWN.has(k)) throw new TypeError(`unknown connect option "${k}"`);
    if (typeof options.url !== 'string' || !/^wss?:\/\//.test(options.url)) throw new TypeError('url must be ws://HOST:PORT');
    if (typeof options.token !== 'string') throw new TypeError('token must be a string (see <state>/endpoint.json)');
    if (options.admin !== undefined && typeof options.admin !== 'string') throw new TypeError('admin must be a string (see <state>/admin.json)');
    const Ctor = await socketConstructor(options.WebSocket);
    const socket = new Ctor(options.url);
    socket.binaryType = 'arraybuffer';
    const conn = new TeeConnection(socket, options.callTimeoutMs ?? 60_000);
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(clientError('TIMEOUT', `no welcome from ${options.url} within ${timeoutMs} ms`));
        socket.close();
      }, timeoutMs);
      const fail = (e: TeecError) => {
        clearTimeout(timer);
        reject(e);
      };
      socket.onerror = () => fail(clientError('CONNECTION_CLOSED', `cannot connect to ${options.url}`));
      socket.onclose = (ev) => fail(clientError('CONNECTION_CLOSED', `connection closed before the welcome (${ev.code} ${ev.reason})`));
      socket.onopen = () => {
        const hello: HelloFrame = { type: 'hello', version: PROTOCOL_VERSION, token: options.token, client: options.client ?? 'trustbox-client' };
        if (options.admin !== undefined) hello.admin = options.admin;
        socket.send(conn.packr.pack(hello));
      };
      socket.onmessage = (ev) => {
        const frame = conn.decode(ev.data);
        if (frame?.type === 'welcome') {
          clearTimeout(timer);
          conn.limits = frame.limits;
          conn.admin = frame.admin === true;
          conn.attach();
          resolve();
        } else if (frame?.type === 'error') {
          fail(TeecError.from(frame.error));
        }
      };
    });
    return conn;
  }

  private attach(): void {
    this.socket.onmessage = (ev) => this.onFrame(this.decode(ev.data));
    this.socket.onerror = () => {};
    this.socket.onclose = (ev) => this.shutdown(clientError('CONNECTION_CLOSED', `connection closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`));
  }

  private decode(data: unknown): ServerFrame | undefined {
    try {
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array);
      return this.packr.unpack(bytes) as ServerFrame;
    } catch {
      return undefined;
    }
  }

  private onFrame(frame: ServerFrame | undefined): void {
    if (!frame) return;
    if (frame.type === 'event') {
      for (const l of this.listeners) l(frame.stream, frame.event);
      return;
    }
    if (frame.type === 'rpc') {
      this.serveRpc(frame);
      return;
    }
    if (frame.type !== 'res' && frame.type !== 'error') return;
    if (frame.id === null) return; // a connection-level error; the close (if any) follows
    const p = this.pending.get(frame.id);
    if (!p) return;
    this.pending.delete(frame.id);
    if (frame.error) p.reject(TeecError.from(frame.error));
    else p.resolve((frame as { result?: unknown }).result ?? {});
  }

  /** Runs the handler of the call that made RPC `frame` and sends its answer (NOT_SUPPORTED without one). */
  private serveRpc(frame: RpcFrame): void {
    const p = this.pending.get(frame.id);
    const reply = (answer: RpcAnswer) => {
      if (this.closedError) return;
      const out: Record<string, unknown> = { type: 'rpcReply', rpc: frame.rpc, result: answer.result >>> 0 };
      if (answer.args) out.args = answer.args;
      if (answer.output) out.output = answer.output;
      this.socket.send(this.packr.pack(out));
    };
    if (!p?.onRpc) {
      reply({ result: TEEC_ERROR_NOT_SUPPORTED });
      return;
    }
    const started = performance.now();
    let answered: Promise<RpcAnswer>;
    try {
      answered = Promise.resolve(p.onRpc({ func: frame.func, args: frame.args, input: frame.input, outSize: frame.outSize }));
    } catch (error) {
      answered = Promise.reject(error);
    }
    answered.then(reply, () => reply({ result: TEEC_ERROR_GENERIC })).finally(() => {
      // The time the client spent serving is not the device's: the call's deadline moves on by as much.
      p.deadline += performance.now() - started;
    });
  }

  private shutdown(error: TeecError): void {
    if (this.closedError) return;
    this.closedError = error;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    for (const l of this.closeListeners) l(error);
    this.closeListeners.clear();
  }

  /**
   * Calls `listener` once when the connection ends, with the reason (CONNECTION_CLOSED): the
   * device powered off, the server closed it, or `close()`. At once if it has already ended.
   * Returns a function that removes the listener.
   */
  onClose(listener: (error: TeecError) => void): () => void {
    if (this.closedError) {
      listener(this.closedError);
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** A cancellation id for an openSession, unique on this connection. */
  newCancelId(): number {
    this.cancelIds = this.cancelIds >= 0xffffffff ? 1 : this.cancelIds + 1;
    return this.cancelIds;
  }

  /** Sends one request and resolves with its result; rejects with a TeecError. */
  request<O extends OperationName>(op: O, args: OperationArgs<O>, timeoutMs = this.callTimeoutMs, onRpc?: RpcHandler): Promise<OperationResult<O>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timed = timeoutMs > 0 && Number.isFinite(timeoutMs);
      if (timed) this.startSweeper();
      const deadline = timed ? performance.now() + timeoutMs : Infinity;
      const p: Pending = { resolve: resolve as (v: unknown) => void, reject, op, timeoutMs, deadline };
      if (onRpc) p.onRpc = onRpc;
      this.pending.set(id, p);
      this.socket.send(this.packr.pack({ type: 'req', id, op, args }));
    });
  }

  /** Starts the deadline sweeper (unreferenced: it never keeps a process alive). */
  private startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = performance.now();
      for (const [id, p] of this.pending) {
        if (p.deadline > now) continue;
        this.pending.delete(id);
        p.reject(clientError('TIMEOUT', `${p.op}: no answer within ${p.timeoutMs} ms`));
      }
    }, TIMEOUT_SWEEP_MS);
    (this.sweeper as { unref?: () => void }).unref?.();
  }

  /** Receives console lines and (with trace) every device event. */
  async subscribe(opts: { console?: boolean; trace?: boolean }, listener: EventListener): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    await this.request('subscribe', opts);
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && !this.closed) await this.request('subscribe', { console: false, trace: false });
    };
  }

  info(): Promise<OperationResult<'info'>> {
    return this.request('info', {});
  }

  /** Uploads a signed `.ta` into the device's TA store. */
  installTA(bytes: Uint8Array): Promise<{ uuid: string; path: string }> {
    return this.request('installTA', { bytes });
  }

  async listTAs(): Promise<{ uuid: string; source: string; size: number }[]> {
    return (await this.request('listTAs', {})).tas;
  }

  /** The device's identity: its id, public key (PEM) and, once enrolled, its certificate (PEM). */
  deviceIdentity(): Promise<OperationResult<'deviceIdentity'>> {
    return this.request('deviceIdentity', {});
  }

  /** A PSA attestation token about TA `uuid` (verify it with `verifyPsaToken`, client/attestation.ts). */
  async attest(uuid: string, nonce: Uint8Array, profile: 'rfc' | 'draft' = 'rfc'): Promise<Uint8Array> {
    return (await this.request('attest', { uuid, nonce, profile })).token;
  }

  /** Closes the socket; the server closes this connection's sessions and frees its shared memory. */
  close(): void {
    this.shutdown(clientError('CONNECTION_CLOSED', 'the connection was closed by the client'));
    try {
      this.socket.close(1000, 'bye');
    } catch {
      // already closed
    }
  }
}
