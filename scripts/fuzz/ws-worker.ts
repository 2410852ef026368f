/**
 * The WebSocket flood, in a worker thread (so that making frames does not share the server's
 * event loop): `lanes` lanes each send frames i = lane, lane + lanes, ... of the run. A
 * pre-auth frame goes on a fresh connection (which the server closes); the others go on the
 * lane's authenticated connection (hello, a context, a hello_world session and 4 KiB of shared
 * memory), reopened whenever the server closes it. At most WINDOW frames wait for answers per
 * connection.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../../emulator/abi/protocol.js';
import { Rng } from './rng.js';
import { authFrame, packr, preAuthFrame, type AuthState } from './ws-frames.js';

export interface FloodInput {
  url: string;
  token: string;
  frames: number;
  seed: number;
  lanes: number;
  /** Share of frames sent before a hello, on a fresh connection. */
  preAuthShare: number;
}

export interface FloodResult {
  /** Fuzz cases (the --frames count); a duplicate-id case sends two frames. */
  cases: number;
  framesSent: number;
  /** Frames that are not fuzz: hellos and set-up requests of the lanes' connections. */
  setupFrames: number;
  answers: number;
  errorFrames: number;
  errorResponses: number;
  okResponses: number;
  byErrorCode: Record<string, number>;
  byKind: Record<string, number>;
  connectionsOpened: number;
  closedByServer: number;
  closeCodes: Record<string, number>;
  handshakesRefused: number;
  setupFailures: number;
  stalls: number;
  /** Answers that were not msgpack maps of a known type (server bugs). */
  oddAnswers: number;
  oddSamples: string[];
  ms: number;
}

const WINDOW = 16;
const STALL_MS = 20_000;
const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';

const input = workerData as FloodInput;
const res: FloodResult = {
  cases: 0, framesSent: 0, setupFrames: 0, answers: 0, errorFrames: 0, errorResponses: 0, okResponses: 0, byErrorCode: {}, byKind: {},
  connectionsOpened: 0, closedByServer: 0, closeCodes: {}, handshakesRefused: 0, setupFailures: 0, stalls: 0, oddAnswers: 0, oddSamples: [], ms: 0,
};
const bump = (m: Record<string, number>, k: string) => { m[k] = (m[k] ?? 0) + 1; };

class Conn {
  readonly ws: WebSocket;
  closed = false;
  closedByUs = false;
  outstanding = 0;
  private wake: (() => void) | undefined;
  private calls = new Map<number, (frame: Record<string, unknown>) => void>();
  readonly opened: Promise<boolean>;

  constructor(origin?: string) {
    res.connectionsOpened++;
    this.ws = new WebSocket(input.url, { perMessageDeflate: false, maxPayload: 64 << 20, ...(origin ? { origin } : {}) });
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => resolve(true));
      this.ws.once('unexpected-response', (_req, r) => { res.handshakesRefused++; r.resume(); this.ws.terminate(); resolve(false); });
      this.ws.once('error', () => resolve(false));
      this.ws.once('close', () => resolve(false));
    });
    this.ws.on('error', () => {});
    this.ws.on('close', (code) => {
      this.closed = true;
      if (!this.closedByUs) { res.closedByServer++; bump(res.closeCodes, String(code)); }
      this.kick();
    });
    this.ws.on('message', (data) => this.onMessage(data as Buffer));
  }

  private kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private onMessage(data: Buffer): void {
    let f: unknown;
    try { f = packr.unpack(data); } catch { f = undefined; }
    if (typeof f !== 'object' || f === null || !['res', 'error', 'welcome', 'event'].includes((f as { type?: string }).type ?? '')) {
      res.oddAnswers++;
      if (res.oddSamples.length < 5) res.oddSamples.push(data.subarray(0, 80).toString('hex'));
      return;
    }
    const frame = f as Record<string, unknown>;
    if (frame.type === 'event') return;
    const call = typeof frame.id === 'number' ? this.calls.get(frame.id) : undefined;
    if (call || frame.type === 'welcome') {
      if (call) this.calls.delete(frame.id as number);
      (call ?? this.welcome)?.(frame);
      return;
    }
    res.answers++;
    if (frame.type === 'error') res.errorFrames++;
    const error = frame.error as { code?: string } | undefined;
    if (error) {
      if (frame.type === 'res') res.errorResponses++;
      bump(res.byErrorCode, String(error.code));
    } else res.okResponses++;
    this.outstanding = Math.max(0, this.outstanding - 1);
    this.kick();
  }

  welcome: ((f: Record<string, unknown>) => void) | undefined;

  send(b: Uint8Array): void {
    if (!this.closed && this.ws.readyState === WebSocket.OPEN) this.ws.send(b);
  }

  /** A set-up request (ids >= 2^40, never used by fuzz frames). */
  call(id: number, op: string, args: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    return new Promise((resolve) => {
      this.calls.set(id, resolve);
      res.setupFrames++;
      this.send(packr.pack({ type: 'req', id, op, args }));
      const t = setTimeout(() => resolve(undefined), STALL_MS);
      this.ws.once('close', () => { clearTimeout(t); resolve(undefined); });
    });
  }

  /** Waits until fewer than `max` frames wait for answers, or the connection closes. */
  async drain(max: number): Promise<void> {
    const start = Date.now();
    while (!this.closed && this.outstanding >= max) {
      const left = STALL_MS - (Date.now() - start);
      if (left <= 0) {
        res.stalls++;
        this.close();
        return;
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => { clearTimeout(t); r(); };
      });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closedByUs = true;
    this.ws.terminate();
  }

  waitClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => this.ws.once('close', () => r()));
  }
}

async function authenticate(lane: number, serial: number): Promise<{ conn: Conn; state: AuthState } | undefined> {
  const conn = new Conn();
  if (!(await conn.opened)) return undefined;
  const welcomed = new Promise<boolean>((resolve) => {
    conn.welcome = () => resolve(true);
    conn.ws.once('close', () => resolve(false));
  });
  res.setupFrames++;
  conn.send(packr.pack({ type: 'hello', version: PROTOCOL_VERSION, token: input.token, client: `fuzz-${lane}` }));
  if (!(await welcomed)) return undefined;
  const base = 2 ** 40 + serial * 8;
  const ctx = await conn.call(base, 'initializeContext', {});
  const context = (ctx?.result as { context?: number } | undefined)?.context ?? 0;
  const sess = await conn.call(base + 1, 'openSession', { context, uuid: HELLO_WORLD, login: 0, params: [] });
  const session = (sess?.result as { session?: number } | undefined)?.session ?? 0;
  const shmr = await conn.call(base + 2, 'allocateSharedMemory', { context, size: 4096, flags: 3 });
  const shm = (shmr?.result as { shm?: number } | undefined)?.shm ?? 0;
  if (!ctx?.result || !sess?.result || !shmr?.result) res.setupFailures++;
  return { conn, state: { context, session, shm, shmSize: 4096, nextId: 1 } };
}

async function lane(k: number): Promise<void> {
  let auth: { conn: Conn; state: AuthState } | undefined;
  let serial = 0;
  for (let i = k; i < input.frames; i += input.lanes) {
    const r = new Rng(input.seed, 1, i);
    if (r.chance(input.preAuthShare)) {
      const f = preAuthFrame(r, input.token);
      bump(res.byKind, f.kind);
      const c = new Conn(f.origin);
      res.cases++;
      if (await c.opened) {
        res.framesSent += f.frames.length;
        for (const b of f.frames) c.send(b);
        const t = setTimeout(() => { res.stalls++; c.close(); }, STALL_MS);
        await c.waitClosed();
        clearTimeout(t);
      }
      continue;
    }
    while (!auth || auth.conn.closed) {
      auth = await authenticate(k, serial++ * input.lanes + k);
      if (!auth) await new Promise((r2) => setTimeout(r2, 50));
    }
    const f = authFrame(r, auth.state);
    bump(res.byKind, f.kind);
    for (const b of f.frames) {
      auth.conn.send(b);
      auth.conn.outstanding++;
    }
    res.framesSent += f.frames.length;
    res.cases++;
    await auth.conn.drain(WINDOW);
    if (k === 0 && i % 100_000 < input.lanes) parentPort!.postMessage({ progress: i });
  }
  if (auth) {
    await auth.conn.drain(1);
    auth.conn.close();
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: input.lanes }, (_, k) => lane(k)));
res.ms = performance.now() - start;
parentPort!.postMessage({ done: res });
