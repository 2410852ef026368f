/**
 * Served devices for the API tests: a device in a worker behind a real WebSocket server on
 * 127.0.0.1:0, a fresh state directory each, and the TAs the tests upload.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Packr } from 'msgpackr';
import WebSocket from 'ws';
import { serveDevice, type Served } from '../../emulator/api/serve.js';
import { MSGPACK_OPTIONS, type Limits } from '../../emulator/abi/protocol.js';
import { TeecContext } from '../../emulator/client/index.js';
import { TEST_TA_PATHS } from '../helpers/device.js';
import type { DeviceOptions } from '../../emulator/device/device.js';

export const ECHO_TA = '6f1b2e1c-7c4e-4d2b-9a57-3e0c5d9a2b10';
const ROOT = resolve(import.meta.dirname, '../..');

export interface TestServer extends Served {
  stateDir: string;
  /** A context on a new connection; with `admin`, the hello carries the admin credential. */
  context(name?: string, opts?: { admin?: boolean }): Promise<TeecContext>;
  stop(): Promise<void>;
}

/** Server options besides the limits (serveDevice's). */
export interface TestServerOptions {
  allowedOrigins?: string[];
  allowedHosts?: string[];
  /** Device options over the defaults (watchdogMs 5000, the test TA paths). */
  device?: Partial<DeviceOptions>;
  /** Calls whose trace the server keeps (ServerOptions.traceHistory); default none. */
  traceHistory?: number;
}

export async function startServer(limits?: Partial<Limits>, options: TestServerOptions = {}): Promise<TestServer> {
  const stateDir = mkdtempSync(join(tmpdir(), 'trustbox-api-'));
  const { device, ...rest } = options;
  const served = await serveDevice({
    device: { stateDir, watchdogMs: 5000, taPaths: [...TEST_TA_PATHS], ...device }, ...(limits ? { limits } : {}), ...rest,
  });
  const contexts: TeecContext[] = [];
  return {
    ...served,
    stateDir,
    async context(name?: string, opts: { admin?: boolean } = {}) {
      const ctx = await TeecContext.initialize({
        url: served.url, token: served.token, ...(name ? { name, client: name } : {}), ...(opts.admin ? { admin: served.admin } : {}),
      });
      contexts.push(ctx);
      return ctx;
    },
    async stop() {
      for (const c of contexts) c.connection.close();
      await served.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The signed echo TA, built on first use (it is not part of the default image). */
export function echoTaBytes(): Buffer {
  const file = join(ROOT, 'firmware/ta/echo/out', `${ECHO_TA}.ta`);
  if (!existsSync(file)) {
    execFileSync('make', ['-s', '-C', join(ROOT, 'firmware/ta/echo'), `TRUSTBOX=node ${join(ROOT, 'bin/trustbox.js')}`], { stdio: 'ignore' });
  }
  return readFileSync(file);
}

export const packr = new Packr(MSGPACK_OPTIONS);

/** A raw WebSocket for protocol-level tests: collects decoded frames and the close. */
export class RawClient {
  readonly frames: any[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      try {
        this.frames.push(packr.unpack(d));
      } catch {
        this.frames.push({ undecodable: true });
      }
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {});
  }

  static async open(url: string): Promise<RawClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
    return new RawClient(ws);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(value: unknown): void {
    this.ws.send(packr.pack(value));
  }

  sendRaw(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  /** Waits until `pred` holds over the frames (or the socket closes), at most `ms`. */
  async until(pred: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred() && !this.closed && Date.now() < end) {
      await new Promise<void>((res) => {
        this.waiters.push(res);
        setTimeout(res, 50);
      });
    }
  }

  async hello(token: string, admin?: string): Promise<void> {
    this.send({ type: 'hello', version: 1, token, ...(admin ? { admin } : {}) });
    await this.until(() => this.frames.some((f) => f.type === 'welcome'));
    if (!this.frames.some((f) => f.type === 'welcome')) throw new Error(`no welcome: ${JSON.stringify(this.frames)}`);
  }

  close(): void {
    this.ws.close();
  }
}
