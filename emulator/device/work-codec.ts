/**
 * The short form of the hottest messages between a DeviceHost and its worker: batches of
 * invokes whose parameters are all values (or none), and their answers. A channel writes them
 * into its ring as 32-bit words instead of msgpack, which saves the four msgpack passes of a
 * call (about 3 µs of a hello_world invoke over WebSocket). Every other message, and any
 * message with a memref, an error, a value that is not a u32 or more than four parameters,
 * goes as msgpack: `measure` answers 0 and the channel falls back.
 *
 * Layout (all u32 words):
 *   batch: [TAG_BATCH][count] then per item
 *          [seq][session][cmd][flags][cancelId] + per parameter [type | presence][a][b]
 *   done:  [TAG_DONE][count][idle] then per item
 *          [seq][result][origin][params] + per parameter [type | presence][a][b]
 * flags: bit 0 cancelId present, bits 8-15 the number of parameters. Presence bits of a
 * parameter word: HAS_A, HAS_B (the decoded objects have exactly the fields the encoded ones had).
 */
import type { WireParam, WireResultParam } from '../abi/protocol.js';
import type { RingCodec } from './channel.js';
import type { FromWorker, ToWorker, WorkDone, WorkItem } from './host.js';

const TAG_BATCH = 0x62617463;
const TAG_DONE = 0x646f6e65;
const HAS_A = 1 << 16;
const HAS_B = 1 << 17;
const TYPE_MASK = 0xffff;
const MAX_PARAMS = 4;
/** Parameter types the short form carries: TEEC_NONE and the three value types. */
const MAX_VALUE_TYPE = 3;

const isU32 = (x: unknown): x is number => typeof x === 'number' && x >>> 0 === x;
const isOptionalU32 = (x: unknown): boolean => x === undefined || isU32(x);

/** Words of a parameter list in short form, or -1 when it has none. */
function paramWords(params: unknown): number {
  if (!Array.isArray(params) || params.length > MAX_PARAMS) return -1;
  for (const p of params as (WireParam | WireResultParam)[]) {
    if (typeof p !== 'object' || p === null) return -1;
    if (!isU32(p.type) || p.type > MAX_VALUE_TYPE || !isOptionalU32(p.a) || !isOptionalU32(p.b)) return -1;
    if (p.data !== undefined || p.size !== undefined) return -1;
  }
  return params.length * 3;
}

function writeParams(params: (WireParam | WireResultParam)[], words: Uint32Array, at: number): number {
  for (const p of params) {
    words[at] = p.type | (p.a !== undefined ? HAS_A : 0) | (p.b !== undefined ? HAS_B : 0);
    words[at + 1] = p.a ?? 0;
    words[at + 2] = p.b ?? 0;
    at += 3;
  }
  return at;
}

function readParams(words: Uint32Array, at: number, n: number): WireParam[] {
  const params: WireParam[] = new Array(n);
  for (let i = 0; i < n; i++, at += 3) {
    const head = words[at]!;
    const p: WireParam = { type: head & TYPE_MASK };
    if (head & HAS_A) p.a = words[at + 1]!;
    if (head & HAS_B) p.b = words[at + 2]!;
    params[i] = p;
  }
  return params;
}

/** The invoke result shape: exactly result, origin and params. */
function isOutcome(v: unknown): v is { result: number; origin: number; params: WireResultParam[] } {
  if (typeof v !== 'object' || v === null) return false;
  let keys = 0;
  for (const k in v) {
    if (k !== 'result' && k !== 'origin' && k !== 'params') return false;
    keys++;
  }
  const o = v as { result: unknown; origin: unknown };
  return keys === 3 && isU32(o.result) && isU32(o.origin);
}

function measureBatch(items: WorkItem[]): number {
  let words = 2;
  for (const item of items) {
    if (item.op !== 'invoke' || !isU32(item.seq)) return 0;
    const a = item.args as { session: unknown; cmd: unknown; params: unknown; cancelId?: unknown };
    if (!isU32(a.session) || !isU32(a.cmd) || !isOptionalU32(a.cancelId)) return 0;
    const p = paramWords(a.params);
    if (p < 0) return 0;
    words += 5 + p;
  }
  return words;
}

function measureDone(items: WorkDone[]): number {
  let words = 3;
  for (const d of items) {
    if (d.error !== undefined || !isU32(d.seq) || !isOutcome(d.value)) return 0;
    const p = paramWords(d.value.params);
    if (p < 0) return 0;
    words += 4 + p;
  }
  return words;
}

export const workCodec: RingCodec = {
  measure(m: unknown): number {
    const msg = m as ToWorker | FromWorker;
    if (msg.kind === 'batch') return measureBatch(msg.items);
    if (msg.kind === 'done') return measureDone(msg.items);
    return 0;
  },

  encode(m: unknown, words: Uint32Array, at: number): void {
    const msg = m as ToWorker | FromWorker;
    if (msg.kind === 'batch') {
      words[at++] = TAG_BATCH;
      words[at++] = msg.items.length;
      for (const item of msg.items) {
        const a = item.args as { session: number; cmd: number; params: WireParam[]; cancelId?: number };
        words[at] = item.seq;
        words[at + 1] = a.session;
        words[at + 2] = a.cmd;
        words[at + 3] = (a.cancelId !== undefined ? 1 : 0) | (a.params.length << 8);
        words[at + 4] = a.cancelId ?? 0;
        at = writeParams(a.params, words, at + 5);
      }
    } else if (msg.kind === 'done') {
      words[at++] = TAG_DONE;
      words[at++] = msg.items.length;
      words[at++] = msg.idle ? 1 : 0;
      for (const d of msg.items) {
        const v = d.value as { result: number; origin: number; params: WireResultParam[] };
        words[at] = d.seq;
        words[at + 1] = v.result;
        words[at + 2] = v.origin;
        words[at + 3] = v.params.length;
        at = writeParams(v.params, words, at + 4);
      }
    }
  },

  decode(words: Uint32Array, at: number): unknown {
    const tag = words[at]!;
    const count = words[at + 1]!;
    if (tag === TAG_BATCH) {
      at += 2;
      const items: WorkItem[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const flags = words[at + 3]!;
        const n = (flags >> 8) & 0xff;
        const args: { session: number; cmd: number; params: WireParam[]; cancelId?: number } = {
          session: words[at + 1]!, cmd: words[at + 2]!, params: readParams(words, at + 5, n),
        };
        if (flags & 1) args.cancelId = words[at + 4]!;
        items[i] = { seq: words[at]!, op: 'invoke', args };
        at += 5 + n * 3;
      }
      return { kind: 'batch', items } satisfies ToWorker;
    }
    if (tag === TAG_DONE) {
      const idle = words[at + 2] === 1;
      at += 3;
      const items: WorkDone[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const n = words[at + 3]!;
        items[i] = { seq: words[at]!, value: { result: words[at + 1]!, origin: words[at + 2]!, params: readParams(words, at + 4, n) } };
        at += 4 + n * 3;
      }
      return { kind: 'done', items, idle } satisfies FromWorker;
    }
    throw new Error(`work codec: unknown tag 0x${tag.toString(16)}`);
  },
};
