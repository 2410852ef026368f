/**
 * The short form of the hottest messages between a DeviceHost and its worker: batches of
 * invokes whose parameters are all values (or none), and their answers. A channel writes them
 * into its ring as 32-bit words instead of msgpack, which saves the four msgpack passes of a
 * call (about 3 µs of a hello_world invoke over WebSocket). Every other message, and any
 * message with memref bytes, an error, a parameter that is not a plain value with u32 a and b
 * and c = 0, or more than four parameters, goes as msgpack: `measure` answers 0 and the
 * channel falls back.
 *
 * Parameters are the normal world's MsgParams (work.ts); a value parameter's c is always 0 on
 * both ways (the client API has no c, and the TEE answers the c it was given), so it is not
 * carried.
 *
 * Layout (all u32 words):
 *   batch: [TAG_BATCH][count] then per item
 *          [seq][session][cmd][flags][cancelId] + per parameter [attr][a][b]
 *   done:  [TAG_DONE][count][idle] then per item
 *          [seq][result][origin][params] + per parameter [attr][a][b]
 * flags: bit 0 (HAS_CANCEL_ID) cancelId present, bits 8-15 the number of parameters.
 */
import { OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, type MsgParam } from '../abi/optee-msg.js';
import type { RingCodec } from './channel.js';
import type { CallOutcome, FromWorker, ToWorker, WorkDone, WorkItem, WorkOps } from './work.js';

/** "batc" and "done" in ASCII: a decoder that meets another tag knows the ring is corrupt. */
const TAG_BATCH = 0x62617463;
const TAG_DONE = 0x646f6e65;
const HAS_CANCEL_ID = 1;
const COUNT_SHIFT = 8;
const COUNT_MASK = 0xff;
const MAX_PARAMS = 4;
const PARAM_WORDS = 3;
const ITEM_WORDS = 5;
const ANSWER_WORDS = 4;
const U32_MAX = 0xffffffffn;

type InvokeArgs = WorkOps['invoke']['args'];

const isU32 = (x: unknown): x is number => typeof x === 'number' && x >>> 0 === x;
const isOptionalU32 = (x: unknown): boolean => x === undefined || isU32(x);
const isWord = (x: unknown): boolean => typeof x === 'bigint' && x >= 0n && x <= U32_MAX;

/** Words of a parameter list in short form, or -1 when it has none. */
function paramWords(params: unknown): number {
  if (!Array.isArray(params) || params.length > MAX_PARAMS) return -1;
  for (const p of params as MsgParam[]) {
    if (typeof p !== 'object' || p === null) return -1;
    // NONE and the three value types only: memrefs name buffers, which only msgpack carries.
    if (!isU32(p.attr) || p.attr > OPTEE_MSG_ATTR_TYPE_VALUE_INOUT || !isWord(p.a) || !isWord(p.b) || p.c !== 0n) return -1;
  }
  return params.length * PARAM_WORDS;
}

function writeParams(params: MsgParam[], words: Uint32Array, at: number): number {
  for (const p of params) {
    words[at] = p.attr;
    words[at + 1] = Number(p.a);
    words[at + 2] = Number(p.b);
    at += PARAM_WORDS;
  }
  return at;
}

function readParams(words: Uint32Array, at: number, n: number): MsgParam[] {
  const params: MsgParam[] = new Array(n);
  for (let i = 0; i < n; i++, at += PARAM_WORDS) {
    params[i] = { attr: words[at]!, a: BigInt(words[at + 1]!), b: BigInt(words[at + 2]!), c: 0n };
  }
  return params;
}

/** The invoke result shape without output bytes: exactly result, origin and params. */
function isOutcome(v: unknown): v is CallOutcome {
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
    const a = item.args as InvokeArgs;
    if (a.data !== undefined || !isU32(a.session) || !isU32(a.cmd) || !isOptionalU32(a.cancelId)) return 0;
    const p = paramWords(a.params);
    if (p < 0) return 0;
    words += ITEM_WORDS + p;
  }
  return words;
}

function measureDone(items: WorkDone[]): number {
  let words = 3;
  for (const d of items) {
    if (d.error !== undefined || !isU32(d.seq) || !isOutcome(d.value)) return 0;
    const p = paramWords(d.value.params);
    if (p < 0) return 0;
    words += ANSWER_WORDS + p;
  }
  return words;
}

function encodeBatch(items: WorkItem[], words: Uint32Array, at: number): void {
  words[at++] = TAG_BATCH;
  words[at++] = items.length;
  for (const item of items) {
    const a = item.args as InvokeArgs;
    words[at] = item.seq;
    words[at + 1] = a.session;
    words[at + 2] = a.cmd;
    words[at + 3] = (a.cancelId !== undefined ? HAS_CANCEL_ID : 0) | (a.params.length << COUNT_SHIFT);
    words[at + 4] = a.cancelId ?? 0;
    at = writeParams(a.params, words, at + ITEM_WORDS);
  }
}

function encodeDone(items: WorkDone[], idle: boolean, words: Uint32Array, at: number): void {
  words[at++] = TAG_DONE;
  words[at++] = items.length;
  words[at++] = idle ? 1 : 0;
  for (const d of items) {
    const v = d.value as CallOutcome;
    words[at] = d.seq;
    words[at + 1] = v.result;
    words[at + 2] = v.origin;
    words[at + 3] = v.params.length;
    at = writeParams(v.params, words, at + ANSWER_WORDS);
  }
}

function decodeBatch(words: Uint32Array, at: number, count: number): ToWorker {
  const items: WorkItem[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const flags = words[at + 3]!;
    const n = (flags >> COUNT_SHIFT) & COUNT_MASK;
    const args: InvokeArgs = { session: words[at + 1]!, cmd: words[at + 2]!, params: readParams(words, at + ITEM_WORDS, n) };
    if (flags & HAS_CANCEL_ID) args.cancelId = words[at + 4]!;
    items[i] = { seq: words[at]!, op: 'invoke', args };
    at += ITEM_WORDS + n * PARAM_WORDS;
  }
  return { kind: 'batch', items };
}

function decodeDone(words: Uint32Array, at: number, count: number, idle: boolean): FromWorker {
  const items: WorkDone[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = words[at + 3]!;
    const value: CallOutcome = { result: words[at + 1]!, origin: words[at + 2]!, params: readParams(words, at + ANSWER_WORDS, n) };
    items[i] = { seq: words[at]!, value };
    at += ANSWER_WORDS + n * PARAM_WORDS;
  }
  return { kind: 'done', items, idle };
}

/** The channel codec of both directions between a DeviceHost and its worker. */
export const workCodec: RingCodec = {
  measure(m: unknown): number {
    const msg = m as ToWorker | FromWorker;
    if (msg.kind === 'batch') return measureBatch(msg.items);
    if (msg.kind === 'done') return measureDone(msg.items);
    return 0;
  },

  encode(m: unknown, words: Uint32Array, at: number): void {
    const msg = m as ToWorker | FromWorker;
    if (msg.kind === 'batch') encodeBatch(msg.items, words, at);
    else if (msg.kind === 'done') encodeDone(msg.items, msg.idle, words, at);
  },

  decode(words: Uint32Array, at: number): unknown {
    const tag = words[at]!;
    const count = words[at + 1]!;
    if (tag === TAG_BATCH) return decodeBatch(words, at + 2, count);
    if (tag === TAG_DONE) return decodeDone(words, at + 3, count, words[at + 2] === 1);
    throw new Error(`work codec: unknown tag 0x${tag.toString(16)}`);
  },
};
