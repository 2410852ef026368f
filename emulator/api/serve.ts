/**
 * Starting a served device: a `DeviceHost` (device in a worker), the API server on
 * HOST:PORT and on the Unix socket `<state>/api.sock`, and `<state>/endpoint.json` with the
 * URL, the socket and a fresh token. Used by
 * `trustbox boot`, tests and benchmarks.
 */
import type { DeviceOptions } from '../device/device.js';
import type { DeviceEvent } from '../trace/events.js';
import { DeviceHost } from '../device/host.js';
import { newToken, writeAdmin, writeEndpoint } from './auth.js';
import type { Limits } from '../abi/protocol.js';
import { ApiServer } from './server.js';
import { join } from 'node:path';

/** The Unix socket in the state directory that serves the API too (framed-socket.ts). */
export const SOCKET_NAME = 'api.sock';
const MAX_SOCKET_PATH = 108;

export interface ServeOptions {
  device: DeviceOptions;
  /** HOST:PORT (default 127.0.0.1:0, a free port). */
  listen?: string;
  limits?: Partial<Limits>;
  /** Origins of web pages that may connect (ServerOptions.allowedOrigins); default none. */
  allowedOrigins?: string[];
  /** Host headers accepted besides the listening address and loopback names (ServerOptions.allowedHosts). */
  allowedHosts?: string[];
  /** Device events (console lines during boot and, with `printConsole`, afterwards). */
  onEvent?: (e: DeviceEvent) => void;
  /** Keep forwarding console lines after boot (costs a message per line). */
  printConsole?: boolean;
  log?: (line: string) => void;
  /** Calls whose trace the server keeps (ServerOptions.traceHistory; default 0: none). */
  traceHistory?: number;
}

export interface Served {
  host: DeviceHost;
  server: ApiServer;
  url: string;
  token: string;
  endpointFile: string;
  /** The admin credential, also in `adminFile` (`<state>/admin.json`, mode 0600). */
  admin: string;
  adminFile: string;
  /** Closes the server, then powers the device off. */
  close(): Promise<void>;
}

/** Parses HOST:PORT ([v6]:PORT allowed); throws a sentence naming the fix. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`--listen ${text}: expected HOST:PORT, e.g. 127.0.0.1:7878 (port 0 picks a free one)`);
  return { host: (m[1] ?? m[2])!, port };
}

export async function serveDevice(opts: ServeOptions): Promise<Served> {
  const { host: hostname, port } = parseListen(opts.listen ?? '127.0.0.1:0');
  const host = await DeviceHost.start(opts.device, opts.onEvent);
  if (opts.printConsole) host.forward('printer', { console: true, trace: opts.device.trace ?? false });
  let server: ApiServer;
  try {
    const token = newToken();
    const admin = newToken();
    server = await ApiServer.listen({
      host: hostname, port, token, admin, device: host, ...(opts.limits ? { limits: opts.limits } : {}), ...(opts.log ? { log: opts.log } : {}),
      ...(opts.allowedOrigins ? { allowedOrigins: opts.allowedOrigins } : {}), ...(opts.allowedHosts ? { allowedHosts: opts.allowedHosts } : {}),
      ...(opts.traceHistory !== undefined ? { traceHistory: opts.traceHistory } : {}),
    });
    const socket = join(host.stateDir, SOCKET_NAME);
    // sockaddr_un holds 108 bytes: a state directory too deep for it is served on the WebSocket only.
    if (Buffer.byteLength(socket) < MAX_SOCKET_PATH) await server.listenUnix(socket);
    else opts.log?.(`api: ${socket} is too long for a Unix socket; serving the WebSocket only`);
    // The admin file first: a client that sees the endpoint file finds the admin file beside it.
    const adminFile = writeAdmin(host.stateDir, admin);
    const endpointFile = writeEndpoint(host.stateDir, server.url, token, server.socketPath);
    return {
      host, server, url: server.url, token, endpointFile, admin, adminFile,
      async close() {
        await server.close();
        await host.close();
      },
    };
  } catch (error) {
    await host.close();
    throw error;
  }
}
