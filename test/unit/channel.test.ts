import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelReader, ChannelWriter, channelBuffer, type RingCodec } from '../../emulator/device/channel.js';
import { workCodec } from '../../emulator/device/work-codec.js';

// Both ends on one thread: the reader takes port messages with receiveMessageOnPort, as the
// host and the worker do when they drain synchronously.
function pair(ringBytes = 256, codec?: RingCodec) {
  const buffer = channelBuffer(ringBytes);
  const { port1, port2 } = new MessageChannel();
  opened.push(port1, port2);
  return { writer: new ChannelWriter(buffer, port2, codec), reader: new ChannelReader(buffer, port1, codec), port: port1, buffer };
}

/** A codec that counts what it encodes, around the real one. */
function counting(): RingCodec & { encoded: number } {
  const c = {
    encoded: 0,
    measure: (m: unknown) => workCodec.measure(m),
    encode: (m: unknown, w: Uint32Array, at: number) => { c.encoded++; workCodec.encode(m, w, at); },
    decode: (w: Uint32Array, at: number) => workCodec.decode(w, at),
  };
  return c;
}

function drain(reader: ChannelReader): unknown[] {
  const out: unknown[] = [];
  for (let m = reader.receive(); m !== undefined; m = reader.receive()) out.push(m);
  return out;
}

const opened: MessagePort[] = [];
type MessagePort = import('node:worker_threads').MessagePort;
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
});

describe('device channel (shared ring + port)', () => {
  it('keeps sending order across ring and port messages', () => {
    const { writer, reader } = pair();
    writer.send({ n: 0 }, true);
    writer.send({ n: 1 }, false);
    writer.send({ n: 2, big: new Uint8Array(200) }, true); // larger than a quarter of the ring
    writer.send({ n: 3 }, true);
    expect(drain(reader).map((m) => (m as { n: number }).n)).toEqual([0, 1, 2, 3]);
    expect(reader.receive()).toBeUndefined();
  });

  it('wraps around the ring and falls back to the port when the ring is full', () => {
    const { writer, reader } = pair();
    const got: number[] = [];
    for (let round = 0; round < 50; round++) {
      // Unread messages fill the ring; the ones that find it full take the port, in order.
      for (let i = 0; i < 7; i++) writer.send({ n: round * 7 + i, pad: 'x'.repeat((round * 13 + i * 5) % 40) }, true);
      got.push(...drain(reader).map((m) => (m as { n: number }).n));
    }
    expect(got).toEqual(Array.from({ length: 350 }, (_, i) => i));
  });

  it('hands out binary fields as copies, not views of the ring', () => {
    const { writer, reader } = pair();
    writer.send({ data: new Uint8Array([1, 2, 3]) }, true);
    const first = reader.receive() as { data: Uint8Array };
    for (let i = 0; i < 20; i++) writer.send({ data: new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9]) }, true);
    drain(reader);
    expect([...first.data]).toEqual([1, 2, 3]);
  });

  it('keeps values msgpack carries: strings, numbers above 2^31, undefined, nested arrays', () => {
    const { writer, reader } = pair(4096);
    const m = { kind: 'done', items: [{ seq: 7, value: { result: 0xffff3024, origin: 4, params: [{ type: 3, a: 0xffffffff, b: 0 }] } }], idle: true, note: undefined };
    writer.send(m, true);
    expect(reader.receive()).toEqual(m);
  });

  it('sends what msgpack cannot encode through the port', () => {
    const { writer, reader } = pair();
    writer.send({ big: 1n << 70n }, true);
    expect(reader.receive()).toEqual({ big: 1n << 70n });
  });

  it('a sleeping reader is nudged through the port and sees messages sent while it fell asleep', () => {
    const { writer, reader } = pair();
    expect(reader.sleep()).toBe(false);
    writer.send({ n: 1 }, true);
    // The writer cleared the flag and posted a nudge; receive() skips it and reads the ring.
    expect(reader.sleep()).toBe(true);
    expect(drain(reader)).toEqual([{ n: 1 }]);
    expect(reader.sent()).toBe(1);
    reader.accept({ nudge: true });
    expect(reader.receive()).toBeUndefined();
  });

  it('a port message leaves a sleeping reader asleep, so the next ring message still nudges it (regression: hang in 1305)', () => {
    const { writer, reader, port } = pair();
    expect(reader.sleep()).toBe(false);
    // Between threads the reader may take this port message synchronously and fall asleep
    // again before the writer's flag check runs; the flag must still be set afterwards.
    writer.send({ n: 0 }, false);
    writer.send({ n: 1 }, true);
    const raw: unknown[] = [];
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) raw.push(m.message);
    expect(raw).toEqual([{ seq: 0, m: { n: 0 } }, { nudge: true }]);
    for (const m of raw) reader.accept(m);
    expect(drain(reader)).toEqual([{ n: 0 }, { n: 1 }]);
  });
});

describe('work codec (the short form of value-only invokes and their answers)', () => {
  /** A MsgParam (OPTEE_MSG attr and a/b/c), the form work items carry parameters in. */
  const msg = (attr: number, a = 0n, b = 0n, c = 0n) => ({ attr, a, b, c });
  const batch = {
    kind: 'batch',
    items: [
      { seq: 1, op: 'invoke', args: { session: 3, cmd: 0, params: [msg(3, 0xffffffffn, 0n)] } },
      { seq: 2, op: 'invoke', args: { session: 0x7fffffff, cmd: 0xdeadbeef, params: [], cancelId: 9 } },
      { seq: 3, op: 'invoke', args: { session: 4, cmd: 1, params: [msg(0), msg(1, 5n, 6n), msg(2), msg(3, 0n)] } },
    ],
  };
  const done = {
    kind: 'done',
    idle: true,
    items: [
      { seq: 1, value: { result: 0, origin: 4, params: [msg(3, 2n, 0n)] } },
      { seq: 2, value: { result: 0xffff3024, origin: 3, params: [msg(0), msg(1), msg(2, 7n, 8n)] } },
    ],
  };

  it('carries batches and answers in short form, and they come back exactly as sent', () => {
    const codec = counting();
    const { writer, reader } = pair(4096, codec);
    writer.send(batch, true);
    writer.send(done, true);
    writer.send({ ...done, idle: false, items: [] }, true);
    expect(codec.encoded).toBe(3);
    expect(drain(reader)).toEqual([batch, done, { kind: 'done', idle: false, items: [] }]);
  });

  it('leaves everything else to msgpack: memrefs, errors, other ops and results, values beyond u32', () => {
    const codec = counting();
    const { writer, reader } = pair(4096, codec);
    const others = [
      { kind: 'batch', items: [{ seq: 1, op: 'invoke', args: { session: 3, cmd: 0, params: [msg(9, 0n, 2n)], data: [Buffer.from([1, 2])] } }] },
      { kind: 'batch', items: [{ seq: 1, op: 'invoke', args: { session: 3, cmd: 0, params: [msg(1, -1n, 0n)] } }] },
      { kind: 'batch', items: [{ seq: 1, op: 'invoke', args: { session: 3, cmd: 0, params: [msg(1, 1n << 32n, 0n)] } }] },
      { kind: 'batch', items: [{ seq: 1, op: 'invoke', args: { session: 3, cmd: 0, params: [msg(1, 1n, 0n, 1n)] } }] },
      { kind: 'batch', items: [{ seq: 2 ** 32, op: 'invoke', args: { session: 3, cmd: 0, params: [] } }] },
      { kind: 'batch', items: [{ seq: 1, op: 'close', args: { session: 3 } }] },
      { kind: 'batch', items: [{ seq: 1, op: 'invoke', args: { session: 3, cmd: 0, params: [msg(0), msg(0), msg(0), msg(0), msg(0)] } }] },
      { kind: 'done', idle: true, items: [{ seq: 1, error: { result: 0xffff0006, origin: 2, message: 'bad' } }] },
      { kind: 'done', idle: true, items: [{ seq: 1, value: { result: 0, origin: 4, session: 5, params: [] } }] },
      { kind: 'done', idle: true, items: [{ seq: 1, value: { result: 0, origin: 4, params: [msg(0xb, 0x1000n, 3n, 0x1000n)], data: [Buffer.from([1, 2, 3])] } }] },
      { kind: 'done', idle: true, items: [{ seq: 1, value: [{ uuid: 'x', source: 'y', size: 1 }] }] },
      { kind: 'forward', console: true, trace: false },
    ];
    for (const m of others) writer.send(m, true);
    expect(codec.encoded).toBe(0);
    expect(drain(reader)).toEqual(others);
  });

  it('keeps order with msgpack and port messages and wraps around the ring', () => {
    const { writer, reader } = pair(256, workCodec);
    const got: unknown[] = [];
    const sent: unknown[] = [];
    for (let round = 0; round < 60; round++) {
      const mine = [
        { kind: 'done', idle: round % 2 === 0, items: [{ seq: round, value: { result: round, origin: 4, params: [msg(3, BigInt(round), 1n)] } }] },
        { kind: 'events', events: [{ type: 'console', t: round, line: 'x'.repeat(round % 30) }] },
        { kind: 'batch', items: Array.from({ length: round % 4 }, (_, i) => ({ seq: i, op: 'invoke', args: { session: 1, cmd: i, params: [] } })) },
      ];
      writer.send(mine[0], true);
      writer.send(mine[1], round % 3 !== 0);
      writer.send(mine[2], true);
      sent.push(...mine);
      if (round % 5 === 4) got.push(...drain(reader));
    }
    got.push(...drain(reader));
    expect(got).toEqual(sent);
  });
});
