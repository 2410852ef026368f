/**
 * A one-way, ordered message channel between two threads: a ring of msgpack-encoded messages
 * in a SharedArrayBuffer, with a MessagePort beside it for what the ring does not carry.
 *
 * Why: a postMessage costs a structured clone on each side, a mutex, and an eventfd write that
 * wakes the receiver's event loop even when the receiver takes the message synchronously. For
 * the small, hot messages (work batches and their answers) a msgpack copy into shared memory
 * is about half the CPU and needs no system call. Messages the sender marks `inline: false`
 * (rare ones, or ones whose exact structured-clone types matter), messages too large for the
 * ring, messages msgpack cannot encode, and messages that find the ring full go through the
 * port instead. Every message carries a sequence number, so the receiver hands them out in
 * sending order whichever way each one came.
 *
 * Waking the receiver: the sender bumps `SENT` and notifies it after every message (a thread
 * that polls or sleeps with Atomics.wait on it sees it at once). A receiver that goes back to
 * its event loop first calls `sleep()`, which sets `ASLEEP`; the next ring message that finds it
 * set clears it and posts a small nudge on the port, whose 'message' event wakes that loop (a
 * port message is its own event and leaves the flag alone).
 * sleep() re-checks the ring afterwards, and both sides use sequentially consistent Atomics,
 * so a message is never stranded (a Dekker-style handshake: the receiver stores ASLEEP then
 * loads WRITE; the sender stores WRITE then loads ASLEEP).
 *
 * Ring layout: an Int32Array header (WRITE and READ byte counters, which wrap at 2^32 and are
 * taken modulo the power-of-two capacity; ASLEEP; SENT), then the data bytes. An entry is
 * [u32 length][u32 sequence][payload], padded to 4 bytes; a length of 0xffffffff means
 * "continue at offset 0". One writer and one reader per channel.
 *
 * A channel may have a `RingCodec` (both ends the same): messages it takes are written into the
 * ring as 32-bit words in its own short form instead of msgpack (the length word then has
 * CODEC_ENTRY set), which for small fixed-shape messages is several times cheaper both ways.
 */
import { Packr } from 'msgpackr';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

const WRITE = 0;
const READ = 1;
const ASLEEP = 2;
const SENT = 3;
const HEADER_BYTES = 16;
const ENTRY_HEADER = 8;
const WRAP = 0xffffffff;
/** Set in an entry's length word when the payload is in the channel codec's short form. */
const CODEC_ENTRY = 0x80000000;

/** A short form for some messages, written straight into the ring's words. */
export interface RingCodec {
  /** How many u32 words `m` takes in short form, or 0 when it has none (msgpack carries it). */
  measure(m: unknown): number;
  /** Writes `m` (measured before) at words[at...]. */
  encode(m: unknown, words: Uint32Array, at: number): void;
  /** Reads a message back from words[at...]. */
  decode(words: Uint32Array, at: number): unknown;
}

/** Ring size in bytes (a power of two); a message larger than a quarter of it uses the port. */
export const CHANNEL_RING_BYTES = 128 * 1024;

/** What travels on the port: a message with its sequence number, or a nudge. */
type PortMessage = { seq: number; m: unknown } | { nudge: true };

/** msgpack both ways: plain maps, binary as Uint8Array, undefined kept. */
const packr = () => new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true });

/** Allocates the shared ring; pass it with a port to a ChannelWriter and a ChannelReader. */
export function channelBuffer(bytes = CHANNEL_RING_BYTES): SharedArrayBuffer {
  if (bytes < 64 || (bytes & (bytes - 1)) !== 0) throw new RangeError('channel ring size must be a power of two >= 64');
  return new SharedArrayBuffer(HEADER_BYTES + bytes);
}

class Ring {
  readonly header: Int32Array;
  readonly words: Uint32Array;
  readonly bytes: Uint8Array;
  readonly capacity: number;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.capacity = buffer.byteLength - HEADER_BYTES;
    this.words = new Uint32Array(buffer, HEADER_BYTES, this.capacity / 4);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES, this.capacity);
  }
}

export class ChannelWriter {
  private readonly ring: Ring;
  private readonly packr = packr();
  private seq = 0;
  private write = 0;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly port: MessagePort | { postMessage(m: unknown): void },
    private readonly codec?: RingCodec,
  ) {
    this.ring = new Ring(buffer);
  }

  /** Sends `m`: through the ring when `inline` and it fits, else through the port. */
  send(m: unknown, inline: boolean): void {
    const seq = this.seq++;
    const viaRing = inline && this.tryRing(seq, m);
    if (!viaRing) this.port.postMessage({ seq, m } satisfies PortMessage);
    const h = this.ring.header;
    Atomics.add(h, SENT, 1);
    Atomics.notify(h, SENT);
    // A receiver in its event loop needs an event. A port message is one, and it leaves ASLEEP
    // alone: the receiver may take it synchronously (receive() reads the port) and go back to
    // sleep before this line runs, and clearing the flag then would leave the next ring message
    // without a nudge, stranded (regression: test 1305 hung one run in three).
    if (viaRing && Atomics.load(h, ASLEEP) === 1 && Atomics.exchange(h, ASLEEP, 0) === 1) {
      this.port.postMessage({ nudge: true } satisfies PortMessage);
    }
  }

  /**
   * Wakes a receiver sleeping on the counter without sending anything (it looks again at what
   * it waits for: a cancellation flag raised in other shared memory, say).
   */
  wake(): void {
    Atomics.notify(this.ring.header, SENT);
  }

  private tryRing(seq: number, m: unknown): boolean {
    const words = this.codec ? this.codec.measure(m) : 0;
    if (words > 0) {
      const pos = this.reserve(words * 4);
      if (pos < 0) return false;
      this.codec!.encode(m, this.ring.words, (pos + ENTRY_HEADER) >> 2);
      return this.commit(pos, words * 4, CODEC_ENTRY, seq);
    }
    let payload: Uint8Array;
    try {
      payload = this.packr.pack(m);
    } catch {
      return false;
    }
    const pos = this.reserve(payload.length);
    if (pos < 0) return false;
    this.ring.bytes.set(payload, pos + ENTRY_HEADER);
    return this.commit(pos, payload.length, 0, seq);
  }

  /** Where an entry with a payload of `length` bytes goes (wrapping first if needed), or -1. */
  private reserve(length: number): number {
    const { capacity, header, words } = this.ring;
    const need = ENTRY_HEADER + ((length + 3) & ~3);
    if (need > capacity / 4) return -1;
    const free = capacity - ((this.write - Atomics.load(header, READ)) >>> 0);
    const pos = this.write & (capacity - 1);
    const tail = capacity - pos;
    if (need <= tail) return need > free ? -1 : pos;
    if (tail + need > free) return -1;
    words[pos >> 2] = WRAP;
    this.write = (this.write + tail) >>> 0;
    return 0;
  }

  /** Publishes the entry at `pos`: its header words, then the write counter. */
  private commit(pos: number, length: number, flag: number, seq: number): true {
    const { header, words } = this.ring;
    words[pos >> 2] = (length | flag) >>> 0;
    words[(pos >> 2) + 1] = seq >>> 0;
    this.write = (this.write + ENTRY_HEADER + ((length + 3) & ~3)) >>> 0;
    Atomics.store(header, WRITE, this.write | 0);
    return true;
  }
}

export class ChannelReader {
  private readonly ring: Ring;
  private readonly packr = packr();
  private expect = 0;
  private read = 0;
  /** Port messages taken by the 'message' event or ahead of their turn, in order. */
  private readonly stash: { seq: number; m: unknown }[] = [];

  constructor(buffer: SharedArrayBuffer, private readonly port: MessagePort, private readonly codec?: RingCodec) {
    this.ring = new Ring(buffer);
  }

  /** The counter the writer bumps and notifies after every message: spin or Atomics.wait on it. */
  get signal(): { array: Int32Array; index: number } {
    return { array: this.ring.header, index: SENT };
  }

  /** How many messages the writer has sent: poll it to see a new one at once. */
  sent(): number {
    return Atomics.load(this.ring.header, SENT);
  }

  /** Announces that this thread polls `sent()` (or waits on `signal`): the writer need not nudge. */
  awake(): void {
    Atomics.store(this.ring.header, ASLEEP, 0);
  }

  /** Takes a message the port delivered through its 'message' event (nudges are dropped). */
  accept(raw: unknown): void {
    const p = raw as PortMessage;
    if ('seq' in p) this.stash.push(p);
  }

  /** The next message in sending order, or undefined when none is waiting. */
  receive(): unknown {
    for (;;) {
      const head = this.stash[0];
      if (head && head.seq === this.expect) {
        this.stash.shift();
        this.expect++;
        return head.m;
      }
      const m = this.fromRing();
      if (m !== NOTHING) return m;
      const got = receiveMessageOnPort(this.port);
      if (!got) return undefined;
      this.accept(got.message);
    }
  }

  /**
   * Announces that this thread returns to its event loop, where only a port message wakes it.
   * Returns true when messages arrived meanwhile: take them with receive() before sleeping.
   */
  sleep(): boolean {
    Atomics.store(this.ring.header, ASLEEP, 1);
    return Atomics.load(this.ring.header, WRITE) !== (this.read | 0) || this.stash.length > 0;
  }

  /** The ring's next entry when it is the expected one; NOTHING otherwise. */
  private fromRing(): unknown {
    const { capacity, header, words, bytes } = this.ring;
    if (Atomics.load(header, WRITE) === (this.read | 0)) return NOTHING;
    let pos = this.read & (capacity - 1);
    let skip = 0;
    if (words[pos >> 2] === WRAP) {
      skip = capacity - pos;
      pos = 0;
    }
    if (words[(pos >> 2) + 1] !== (this.expect >>> 0)) return NOTHING;
    const head = words[pos >> 2]!;
    const length = head & ~CODEC_ENTRY;
    if (head & CODEC_ENTRY) {
      const m = this.codec!.decode(words, (pos + ENTRY_HEADER) >> 2);
      this.advance(skip + ENTRY_HEADER + ((length + 3) & ~3));
      return m;
    }
    // Copied out first: msgpackr returns binary fields as views of its input.
    const payload = Buffer.from(bytes.subarray(pos + ENTRY_HEADER, pos + ENTRY_HEADER + length));
    this.advance(skip + ENTRY_HEADER + ((length + 3) & ~3));
    return this.packr.unpack(payload);
  }

  /** Frees the entry just read (and the wrap gap before it) for the writer. */
  private advance(bytes: number): void {
    this.read = (this.read + bytes) >>> 0;
    Atomics.store(this.ring.header, READ, this.read | 0);
    this.expect++;
  }
}

const NOTHING = Symbol('nothing');
