/**
 * The live view's web server (`trustbox boot --ui`): one page that draws the board and animates
 * a running device. It serves only static files (the page, its script, the compiled client
 * library and trace modules, msgpackr's and cbor-x's ESM builds) and `/config.json` (the API's
 * URL and the board table), which needs the token. The token and the admin credential travel
 * in the URL's fragment (`#token=...&admin=...`), which a browser never sends to a server: the
 * page reads them and speaks to the API server itself, so this server never sees the admin
 * credential, and a request without the token gets the page's code and nothing else.
 *
 * Like the API server: loopback unless told otherwise, and a Host header that must name this
 * server (a page on a name that resolves to 127.0.0.1, DNS rebinding, is refused).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Board } from '../machine/board.js';

/** The repository (or installed package) root: this file is emulator/ui or dist/emulator/ui. */
const HERE = import.meta.dirname;
export const PACKAGE_ROOT = resolve(HERE, HERE.endsWith(join('dist', 'emulator', 'ui')) ? '../../..' : '../..');

/** URL prefix -> directory under the root; nothing else is served. */
const STATIC: readonly (readonly [string, string])[] = [
  ['/assets/', 'emulator/ui/assets'],
  ['/dist/emulator/client/', 'dist/emulator/client'],
  ['/dist/emulator/abi/', 'dist/emulator/abi'],
  ['/dist/emulator/trace/', 'dist/emulator/trace'],
  ['/node_modules/msgpackr/', 'node_modules/msgpackr'],
  ['/node_modules/cbor-x/', 'node_modules/cbor-x'],
];

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export interface UiServerOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
  board: Board;
  /** Where emulator/ui/assets, dist/ and node_modules/ are (default: this package). */
  root?: string;
}

/** What the page needs once it holds the token. */
export interface UiApi {
  url: string;
  token: string;
}

/** A wildcard bind is reached, and printed, as 127.0.0.1. */
function publicHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Compares two strings in time independent of where they differ. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % Math.max(a.length, 1)] ?? 0) ^ b[i]!;
  return diff === 0;
}

export class UiServer {
  private api: UiApi | undefined;
  private readonly page: string;
  /** The Content-Security-Policy without the API's URL (added once known, to connect-src). */
  private readonly csp: string;

  private constructor(private readonly http: Server, private readonly board: Board, private readonly root: string, readonly origin: string) {
    this.page = readFileSync(join(root, 'emulator/ui/assets/page.html'), 'utf8');
    // The import map is the page's one inline script: allowed by its hash, nothing else inline.
    const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(this.page)?.[1] ?? '';
    const hash = createHash('sha256').update(map, 'utf8').digest('base64');
    this.csp = `default-src 'none'; script-src 'self' 'sha256-${hash}'; style-src 'self'; img-src 'self' data:; ` +
      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; connect-src 'self'";
  }

  /** Binds the server (loopback unless `host` says otherwise); the API is given later (`setApi`). */
  static async start(o: UiServerOptions): Promise<UiServer> {
    const root = o.root ?? PACKAGE_ROOT;
    const ui: { server?: UiServer } = {};
    const http = createServer((req, res) => ui.server!.handle(req, res));
    await new Promise<void>((ok, fail) => {
      http.once('error', fail);
      http.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => ok());
    });
    const port = (http.address() as AddressInfo).port;
    ui.server = new UiServer(http, o.board, root, `http://${publicHost(o.host ?? '127.0.0.1')}:${port}`);
    return ui.server;
  }

  /** The API server the page talks to (its URL and the token `/config.json` checks). */
  setApi(api: UiApi): void {
    this.api = api;
  }

  /** The URL to open: the credentials in the fragment, which browsers never send to a server. */
  url(token: string, admin?: string): string {
    const p = new URLSearchParams({ token, ...(admin ? { admin } : {}) });
    return `${this.origin}/#${p.toString()}`;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((ok) => this.http.close(() => ok()));
  }

  private refuse(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-trustbox-error': code, 'cache-control': 'no-store' }).end(`${message}\n`);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const own = this.origin.replace(/^http:\/\//, '');
    if ((req.headers.host ?? '').toLowerCase() !== own) {
      this.refuse(res, 403, 'host-not-allowed', `Host ${JSON.stringify(req.headers.host ?? '').slice(0, 80)} is not this server: open ${this.origin}/ (the URL trustbox boot printed)`);
      return;
    }
    const from = req.headers.origin;
    if (from !== undefined && from.toLowerCase() !== this.origin) {
      this.refuse(res, 403, 'origin-not-allowed', 'requests from other pages are refused');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      this.refuse(res, 405, 'method-not-allowed', 'only GET');
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      this.refuse(res, 400, 'bad-path', 'bad path');
      return;
    }
    const headers = {
      'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY',
    };
    if (path === '/') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': `${this.csp}${this.api ? ` ${this.api.url}` : ''}` }).end(this.page);
      return;
    }
    if (path === '/config.json') {
      this.config(req, res, headers);
      return;
    }
    const file = this.staticFile(path);
    if (!file) {
      this.refuse(res, 404, 'not-found', 'not found');
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)]! }).end(readFileSync(file));
  }

  /** The API's URL and the board, for a page that shows the token (Authorization: Bearer). */
  private config(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): void {
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!this.api) {
      this.refuse(res, 503, 'not-ready', 'the device is still booting: reload in a moment');
      return;
    }
    if (auth === undefined || !sameSecret(auth, this.api.token)) {
      this.refuse(res, 401, 'bad-token', 'no token: open the URL trustbox boot printed (it ends in #token=...)');
      return;
    }
    const { name, description, cpu, regions } = this.board;
    const body = JSON.stringify({ api: this.api.url, board: { name, description, cpu, regions } });
    res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(body);
  }

  /** A file under one of the STATIC directories with a served extension, or undefined. */
  private staticFile(path: string): string | undefined {
    for (const [prefix, dir] of STATIC) {
      if (!path.startsWith(prefix)) continue;
      const base = normalize(join(this.root, dir)) + sep;
      const file = normalize(join(base, path.slice(prefix.length)));
      if (!file.startsWith(base) || !TYPES[extname(file)]) return undefined;
      return existsSync(file) && statSync(file).isFile() ? file : undefined;
    }
    return undefined;
  }
}
