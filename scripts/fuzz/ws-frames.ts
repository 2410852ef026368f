/**
 * Hostile WebSocket frames for the flood (scripts/fuzz/ws-worker.ts). Frame `i` of a run is a
 * function of (seed, i) and, for frames on an authenticated connection, of that connection's
 * own ids (context, session, shared memory), so a report's seed and frame index name the case.
 */
import { Packr } from 'msgpackr';
import { MSGPACK_OPTIONS, PROTOCOL_VERSION } from '../../emulator/abi/protocol.js';
import { Rng } from './rng.js';

export const packr = new Packr(MSGPACK_OPTIONS);

/** What a lane knows about its authenticated connection. */
export interface AuthState {
  context: number;
  session: number;
  shm: number;
  shmSize: number;
  nextId: number;
}

export interface Fuzzed {
  /** Kind of mutation (counted per kind in the report). */
  kind: string;
  /** Frames to send, in order (most kinds send one). */
  frames: Uint8Array[];
  /** Pre-auth only: an Origin header for the handshake (refused with HTTP 403). */
  origin?: string;
}

const OPS = ['initializeContext', 'finalizeContext', 'openSession', 'invokeCommand', 'closeSession', 'allocateSharedMemory',
  'registerSharedMemory', 'releaseSharedMemory', 'requestCancellation', 'info', 'installTA', 'listTAs', 'subscribe', 'ping'];
const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
const SYSPROBE = '7a3f5c21-0b6e-4c8d-9e44-1f2a60d13b85';

/** Numbers a checker might get wrong. */
function wildNumber(r: Rng): unknown {
  return r.pick<() => unknown>([
    () => 0, () => -1, () => 1, () => 0xffffffff, () => 0x100000000, () => 2 ** 53, () => Number.MAX_SAFE_INTEGER + 2,
    () => -(2 ** 31), () => 1.5, () => NaN, () => Infinity, () => -0, () => r.u32(), () => r.int(100),
    () => 2n ** 64n - 1n, () => -(2n ** 63n), () => 'x', () => '', () => null, () => true, () => [], () => ({}),
    () => new Uint8Array(r.int(8)),
  ])();
}

/** A value of any msgpack type, nested at most `depth` deep. */
function wildValue(r: Rng, depth: number): unknown {
  const k = r.int(depth > 0 ? 8 : 6);
  switch (k) {
    case 0: return wildNumber(r);
    case 1: return r.bytes(r.int(32)).toString('latin1');
    case 2: return r.bytes(r.int(64));
    case 3: return null;
    case 4: return r.chance(0.5);
    case 5: return r.u32() / 7;
    case 6: return Array.from({ length: r.int(5) }, () => wildValue(r, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--) {
        // defineProperty: a "__proto__" key is an own key on the wire, not a prototype here.
        Object.defineProperty(o, r.pick(['type', 'id', 'op', 'args', 'a', 'b', 'data', 'shm', 'x', '__proto__', 'constructor']),
          { value: wildValue(r, depth - 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
  }
}

/** Nested arrays/maps `depth` deep (over maxFrameDepth 8 when depth > 7). */
function nested(depth: number, map: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = map ? { v } : [v];
  return v;
}

function truncate(r: Rng, b: Uint8Array): Uint8Array {
  return b.subarray(0, r.int(Math.max(1, b.length)));
}

function garble(r: Rng, b: Uint8Array): Uint8Array {
  const out = Buffer.from(b);
  for (let n = 1 + r.int(4); n > 0; n--) out[r.int(out.length)] ^= 1 << r.int(8);
  return out;
}

/** A frame for a fresh, unauthenticated connection: each closes it (one error frame). */
export function preAuthFrame(r: Rng, token: string): Fuzzed {
  const wrongToken = () => {
    const t = Buffer.from(token);
    t[r.int(t.length)] ^= 1 + r.int(127);
    return t.toString('latin1');
  };
  switch (r.int(12)) {
    case 0: return { kind: 'pre.random-bytes', frames: [r.bytes(1 + r.int(200))] };
    case 1: return { kind: 'pre.empty', frames: [new Uint8Array(0)] };
    case 2: return { kind: 'pre.truncated-hello', frames: [truncate(r, packr.pack({ type: 'hello', version: PROTOCOL_VERSION, token }))] };
    case 3: return { kind: 'pre.garbled-hello', frames: [garble(r, packr.pack({ type: 'hello', version: PROTOCOL_VERSION, token: wrongToken() }))] };
    case 4: return { kind: 'pre.wrong-token', frames: [packr.pack({ type: 'hello', version: PROTOCOL_VERSION, token: r.chance(0.5) ? wrongToken() : r.bytes(r.int(80)).toString('hex') })] };
    case 5: return { kind: 'pre.token-wrong-type', frames: [packr.pack({ type: 'hello', version: PROTOCOL_VERSION, token: wildValue(r, 2) })] };
    case 6: return { kind: 'pre.wrong-admin', frames: [packr.pack({ type: 'hello', version: PROTOCOL_VERSION, token, admin: wrongToken() })] };
    case 7: return { kind: 'pre.wrong-version', frames: [packr.pack({ type: 'hello', version: wildNumber(r), token: wrongToken() })] };
    case 8: return { kind: 'pre.request-before-hello', frames: [packr.pack({ type: 'req', id: r.u32(), op: r.pick(OPS), args: {} })] };
    case 9: return { kind: 'pre.oversized', frames: [packr.pack({ type: 'hello', version: PROTOCOL_VERSION, token: wrongToken(), client: 'x'.repeat(1024 + r.int(4096)) })] };
    case 10: return { kind: 'pre.too-complex', frames: [packr.pack(r.chance(0.5) ? nested(9 + r.int(40), r.chance(0.5)) : { type: 'hello', v: Array.from({ length: 1100 }, () => 0) })] };
    default: return r.chance(0.5)
      ? { kind: 'pre.bad-origin', frames: [packr.pack({ type: 'hello', version: PROTOCOL_VERSION, token })], origin: `http://evil-${r.int(1000)}.example` }
      : { kind: 'pre.not-a-map', frames: [packr.pack(wildValue(r, 3))] };
  }
}

/** A param of any type, with fields that may point anywhere. */
function wildParam(r: Rng, s: AuthState): Record<string, unknown> {
  const type = r.chance(0.85) ? r.pick([0, 1, 2, 3, 5, 6, 7, 0xc, 0xd, 0xe, 0xf]) : (wildNumber(r) as number);
  const p: Record<string, unknown> = { type };
  if (r.chance(0.6)) p.a = r.chance(0.8) ? r.u32() : wildNumber(r);
  if (r.chance(0.6)) p.b = r.chance(0.8) ? r.u32() : wildNumber(r);
  if (r.chance(0.5)) p.size = r.pick([0, 1, 16, s.shmSize, s.shmSize + 1, 0xffffffff, r.u32(), r.int(65536)]);
  if (r.chance(0.4)) p.data = r.bytes(r.pick([0, 1, 16, 256, 4096, r.int(70000)]));
  if (r.chance(0.5)) p.shm = r.pick([s.shm, s.shm + 1, 0, r.u32(), 0xffffffff, 2 ** 53 - 1]);
  if (r.chance(0.4)) p.offset = r.pick([0, 1, s.shmSize - 1, s.shmSize, 0xffffffff, r.u32()]);
  return p;
}

function wildParams(r: Rng, s: AuthState): unknown {
  if (r.chance(0.05)) return wildValue(r, 2);
  return Array.from({ length: r.chance(0.05) ? 5 + r.int(3) : r.int(5) }, () => wildParam(r, s));
}

/** Ids: this connection's, its neighbours, zero, the largest, random. */
function wildId(r: Rng, own: number): number {
  return r.pick([own, own + 1, own - 1, 0, 0xffffffff, 2 ** 53 - 1, r.u32(), r.int(64)]);
}

/** Well-formed requests (they pass checkArgs) with hostile values: answered, never a protocol error. */
function shapedRequest(r: Rng, s: AuthState, id: number): { kind: string; req: Record<string, unknown> } {
  const req = (op: string, args: Record<string, unknown>) => ({ type: 'req', id, op, args });
  switch (r.int(16)) {
    case 0: case 1: case 2: return { kind: 'req.invoke-own-session', req: req('invokeCommand', { session: s.session, cmd: r.chance(0.5) ? 0 : r.u32(), params: Array.from({ length: r.int(5) }, () => wildParam(r, s)).filter((p) => typeof p.type === 'number' && [0, 1, 2, 3, 5, 6, 7, 0xc, 0xd, 0xe, 0xf].includes(p.type)) }) };
    case 3: return { kind: 'req.invoke-bogus-session', req: req('invokeCommand', { session: wildId(r, s.session), cmd: r.u32(), params: [] }) };
    case 4: return { kind: 'req.open-session', req: req('openSession', { context: wildId(r, s.context), uuid: r.pick([HELLO_WORLD, SYSPROBE, '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']), login: r.pick([0, 1, 2, 4, 5, 6, 7, r.u32()]), params: [], ...(r.chance(0.3) ? { connectionData: r.u32() } : {}), ...(r.chance(0.3) ? { cancelId: r.u32() } : {}) }) };
    case 5: return { kind: 'req.close-bogus', req: req(r.pick(['closeSession', 'releaseSharedMemory', 'finalizeContext']), r.pick([{ session: wildId(r, s.session + 1) }, { shm: wildId(r, s.shm + 1) }, { context: wildId(r, s.context + 1) }])) };
    case 6: return { kind: 'req.shm-alloc', req: req(r.pick(['allocateSharedMemory', 'registerSharedMemory']), { context: wildId(r, s.context), size: r.pick([0, 1, 4096, 1 << 20, (1 << 20) + 1, 0xffffffff, r.u32()]), flags: r.pick([0, 1, 2, 3, 4, 0xffffffff, r.u32()]) }) };
    case 7: return { kind: 'req.cancel', req: req('requestCancellation', r.pick([{}, { session: wildId(r, s.session) }, { cancelId: r.u32() }, { session: s.session, cancelId: 1 }])) };
    case 8: return { kind: 'req.ping', req: req('ping', r.chance(0.5) ? {} : { data: r.bytes(r.pick([0, 1, 100, 10000, r.int(100000)])) }) };
    case 9: return { kind: 'req.info', req: req(r.pick(['info', 'listTAs']), {}) };
    case 10: return { kind: 'req.install-ta', req: req('installTA', { bytes: r.bytes(r.int(2048)) }) };
    case 11: return { kind: 'req.subscribe', req: req('subscribe', { console: false, trace: r.chance(0.5) }) };
    case 12: return { kind: 'req.init-context', req: req('initializeContext', r.chance(0.5) ? {} : { name: r.bytes(r.int(100)).toString('latin1') }) };
    case 13: return { kind: 'req.memref-bogus-shm', req: req('invokeCommand', { session: s.session, cmd: 0, params: [{ type: r.pick([0xc, 0xd, 0xe, 0xf]), shm: wildId(r, s.shm), offset: r.pick([0, s.shmSize, 0xffffffff, r.u32()]), size: r.pick([0, s.shmSize, 0xffffffff, r.u32()]) }] }) };
    case 14: return { kind: 'req.memref-temp-size', req: req('invokeCommand', { session: s.session, cmd: r.int(4), params: [{ type: r.pick([5, 6, 7]), size: r.pick([0, 1, 0xffffffff, 1 << 24, r.u32()]), ...(r.chance(0.5) ? { data: r.bytes(r.int(512)) } : {}) }] }) };
    default: return { kind: 'req.value-wide', req: req('invokeCommand', { session: s.session, cmd: 0, params: [{ type: 3, a: 0xffffffff, b: 0xffffffff }, { type: 3, a: r.u32(), b: 0 }, { type: 0 }, { type: 1, a: 0 }] }) };
  }
}

/** Malformed frames: each is a protocol error (the server closes after maxProtocolErrors). */
function malformed(r: Rng, s: AuthState, id: number): Fuzzed {
  const good = packr.pack({ type: 'req', id, op: 'invokeCommand', args: { session: s.session, cmd: 0, params: [{ type: 3, a: 1, b: 2 }] } });
  switch (r.int(14)) {
    case 0: return { kind: 'bad.random-bytes', frames: [r.bytes(1 + r.int(300))] };
    case 1: return { kind: 'bad.truncated', frames: [truncate(r, good)] };
    case 2: return { kind: 'bad.garbled', frames: [garble(r, good)] };
    case 3: return { kind: 'bad.not-a-map', frames: [packr.pack(wildValue(r, 3))] };
    case 4: return { kind: 'bad.frame-fields', frames: [packr.pack({ type: r.pick(['req', 'hello', 'res', 'welcome', 'error', wildNumber(r)]), id: wildNumber(r), op: 'ping', args: {} })] };
    case 5: return { kind: 'bad.unknown-op', frames: [packr.pack({ type: 'req', id, op: r.chance(0.5) ? r.bytes(r.int(300)).toString('latin1') : wildValue(r, 2), args: {} })] };
    case 6: {
      const op = r.pick(OPS);
      const args: Record<string, unknown> = {};
      for (const k of ['context', 'session', 'shm', 'cmd', 'params', 'uuid', 'login', 'size', 'flags', 'data', 'bytes', 'name', 'console', 'trace', 'cancelId', 'bogus']) if (r.chance(0.25)) args[k] = wildValue(r, 2);
      return { kind: 'bad.args-types', frames: [packr.pack({ type: 'req', id, op, args: r.chance(0.1) ? wildValue(r, 2) : args })] };
    }
    case 7: return { kind: 'bad.params', frames: [packr.pack({ type: 'req', id, op: 'invokeCommand', args: { session: s.session, cmd: 0, params: wildParams(r, s) } })] };
    case 8: return { kind: 'bad.too-deep', frames: [packr.pack({ type: 'req', id, op: 'ping', args: { data: nested(8 + r.int(100), r.chance(0.5)) } })] };
    case 9: return { kind: 'bad.too-many-elements', frames: [packr.pack({ type: 'req', id, op: 'invokeCommand', args: { session: s.session, cmd: 0, params: Array.from({ length: 1025 + r.int(3000) }, () => 0) } })] };
    case 10: return { kind: 'bad.id', frames: [packr.pack({ type: 'req', id: r.pick([-1, 1.5, 2 ** 53, -(2 ** 53), NaN, '1', null, 2n ** 64n - 1n]), op: 'ping', args: {} })] };
    case 11: {
      // The same id twice, the first on a device call still in flight: duplicate-id.
      const first = packr.pack({ type: 'req', id, op: 'invokeCommand', args: { session: s.session, cmd: 0, params: [{ type: 3, a: 1, b: 0 }] } });
      return { kind: 'bad.duplicate-id', frames: [first, packr.pack({ type: 'req', id, op: 'ping', args: {} })] };
    }
    case 12: return { kind: 'bad.huge-string', frames: [packr.pack({ type: 'req', id, op: 'initializeContext', args: { name: 'n'.repeat(257 + r.int(100000)) } })] };
    default: return { kind: 'bad.unknown-key', frames: [packr.pack({ type: 'req', id, op: r.pick(OPS), args: { [r.pick(['x', 'sesion', '__proto__', 'constructor', 'prototype'])]: wildValue(r, 1) } })] };
  }
}

/** Frame `i` on an authenticated connection. `huge`: once in a long while, a frame over the size limits. */
export function authFrame(r: Rng, s: AuthState): Fuzzed {
  const id = r.chance(0.02) ? 0 : s.nextId++;
  if (r.chance(0.00002)) {
    const size = r.chance(0.5) ? 2 * 1024 * 1024 + 16 : 4 * 1024 * 1024 + 16;
    return { kind: size > 4 * 1024 * 1024 ? 'bad.over-max-payload' : 'bad.frame-too-large', frames: [packr.pack({ type: 'req', id, op: 'ping', args: { data: new Uint8Array(size) } })] };
  }
  if (r.chance(0.3)) return malformed(r, s, id);
  const { kind, req } = shapedRequest(r, s, id);
  return { kind, frames: [packr.pack(req)] };
}
