import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelReader, ChannelWriter, channelBuffer } from '../../emulator/device/channel.js';

// Both ends on one thread: the reader takes port messages with receiveMessageOnPort, as the
// host and the worker do when they drain synchronously.
function pair(ringBytes = 256) {
  const buffer = channelBuffer(ringBytes);
  const { port1, port2 } = new MessageChannel();
  opened.push(port1, port2);
  return { writer: new ChannelWriter(buffer, port2), reader: new ChannelReader(buffer, port1), port: port1 };
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
