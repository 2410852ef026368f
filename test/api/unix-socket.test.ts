/**
 * The API over `<state>/api.sock`: the WebSocket's msgpack frames, each preceded by its length
 * (u32 big-endian). The C libteec talks this; the same rules hold as over the WebSocket.
 */
import { readFileSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO_WORLD } from '../helpers/device.js';
import { packr, startServer, type TestServer } from './helpers.js';

/** A raw client of the Unix socket: collects decoded frames and the close. */
class UnixClient {
  readonly frames: any[] = [];
  closed = false;
  private pending = Buffer.alloc(0);
  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readUInt32BE(0)) {
        const n = this.pending.readUInt32BE(0);
        this.frames.push(packr.unpack(this.pending.subarray(4, 4 + n)));
        this.pending = this.pending.subarray(4 + n);
      }
    });
    socket.on('close', () => { this.closed = true; });
  }

  static open(path: string): Promise<UnixClient> {
    return new Promise((resolve, reject) => {
      const s = connect(path, () => resolve(new UnixClient(s)));
      s.once('error', reject);
    });
  }

  send(value: unknown): void {
    this.sendRaw(packr.pack(value));
  }

  sendRaw(body: Uint8Array, length = body.length): void {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(length, 0);
    this.socket.write(Buffer.concat([header, body]));
  }

  async until(pred: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred() && !this.closed && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  }

  async request(id: number, op: string, args: unknown): Promise<any> {
    this.send({ type: 'req', id, op, args });
    await this.until(() => this.frames.some((f) => f.id === id));
    return this.frames.find((f) => f.id === id);
  }
}

describe('5200 the API on the state directory\'s Unix socket', () => {
  let server: TestServer;
  let socket: string;
  beforeAll(async () => {
    server = await startServer();
    socket = join(server.stateDir, 'api.sock');
  });
  afterAll(async () => server?.stop());

  it('5201 endpoint.json names the socket; it is a socket only its owner may use', () => {
    const endpoint = JSON.parse(readFileSync(join(server.stateDir, 'endpoint.json'), 'utf8'));
    expect(endpoint.socket).toBe(socket);
    const st = statSync(socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('5202 hello, then a whole TA call, in length-prefixed msgpack frames', async () => {
    const c = await UnixClient.open(socket);
    c.send({ type: 'hello', version: 1, token: server.token, client: 'unix-test' });
    await c.until(() => c.frames.some((f) => f.type === 'welcome'));
    expect(c.frames[0]).toMatchObject({ type: 'welcome', version: 1, admin: false });
    const ctx = (await c.request(1, 'initializeContext', {})).result.context;
    const session = (await c.request(2, 'openSession', { context: ctx, uuid: HELLO_WORLD, login: 0, params: [] })).result.session;
    const r = await c.request(3, 'invokeCommand', { session, cmd: 0, params: [{ type: 3, a: 41, b: 0 }] });
    expect(r.result).toMatchObject({ result: 0, params: [{ type: 3, a: 42 }] });
    expect((await c.request(4, 'closeSession', { session })).result).toEqual({});
    c.socket.end();
  });

  it('5203 a wrong token gets one error frame and the socket closes; so does a frame far over the limit', async () => {
    const bad = await UnixClient.open(socket);
    bad.send({ type: 'hello', version: 1, token: 'not-the-token' });
    await bad.until(() => bad.closed);
    expect(bad.frames.map((f) => f.error?.code)).toEqual(['bad-token']);
    expect(bad.closed).toBe(true);

    const huge = await UnixClient.open(socket);
    huge.sendRaw(Buffer.alloc(8), 64 * 1024 * 1024); // announces 64 MiB: cut off before buffering
    await huge.until(() => huge.closed);
    expect(huge.closed).toBe(true);

    // The server keeps serving others.
    const good = await UnixClient.open(socket);
    good.send({ type: 'hello', version: 1, token: server.token });
    await good.until(() => good.frames.some((f) => f.type === 'welcome'));
    expect((await good.request(1, 'ping', {})).result).toEqual({});
    good.socket.end();
  });

  it('5204 the socket file is gone after the device stops', async () => {
    const other = await startServer();
    const path = join(other.stateDir, 'api.sock');
    expect(statSync(path).isSocket()).toBe(true);
    await other.server.close();
    expect(() => statSync(path)).toThrow();
    await other.stop();
  });
});
