/**
 * The API over a Unix socket: the same msgpack frames as over the WebSocket, each preceded by
 * its length (u32, big-endian). `<state>/api.sock` (mode 0600 in the 0700 state directory) is
 * served next to the WebSocket so that clients without a WebSocket library (the C libteec) talk
 * the same protocol: hello with the token, then requests. No browser can reach a Unix socket,
 * so the Origin and Host checks of the WebSocket do not apply; every other limit does.
 *
 * `FramedSocket` gives a `net.Socket` the few members of a `ws` WebSocket that the server uses.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

/** What the server needs of a connection's socket: a WebSocket or a FramedSocket. */
export interface FrameSocket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

const OPEN = 1;
const CLOSED = 3;
const HEADER = 4;

export class FramedSocket extends EventEmitter implements FrameSocket {
  readonly OPEN = OPEN;
  private state = OPEN;
  private pending: Buffer = Buffer.alloc(0);

  /** Frames longer than `cutoffBytes` end the connection, as the WebSocket's maxPayload does. */
  constructor(private readonly socket: Socket, private readonly cutoffBytes: number) {
    super();
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    socket.on('error', (error) => {
      this.state = CLOSED;
      this.emit('error', error);
    });
    socket.on('close', () => {
      this.state = CLOSED;
      this.emit('close', 1006, Buffer.alloc(0));
    });
  }

  get readyState(): number {
    return this.state;
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  send(data: Uint8Array): void {
    if (this.state !== OPEN) return;
    const header = Buffer.alloc(HEADER);
    header.writeUInt32BE(data.length, 0);
    this.socket.write(header);
    this.socket.write(data);
  }

  close(): void {
    if (this.state !== OPEN) return;
    this.state = CLOSED;
    this.socket.end();
  }

  private take(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.state === OPEN && this.pending.length >= HEADER) {
      const length = this.pending.readUInt32BE(0);
      if (length > this.cutoffBytes) {
        this.state = CLOSED;
        this.socket.destroy();
        return;
      }
      if (this.pending.length < HEADER + length) return;
      const frame = this.pending.subarray(HEADER, HEADER + length);
      this.pending = this.pending.subarray(HEADER + length);
      this.emit('message', Buffer.from(frame), true);
    }
  }
}
