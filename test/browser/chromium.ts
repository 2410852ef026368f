/**
 * Runs one ES module in Debian's headless Chromium and returns what it reports. A tiny
 * node:http server on 127.0.0.1 serves a page (an import map plus an inline module that calls
 * the module's `run(config)`) and files from an allowlist of directories; the page POSTs the
 * outcome as JSON and the browser is killed as soon as it has, or at the timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';

/** Debian's chromium package; scripts/setup.sh installs it. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * `--no-sandbox`: Chromium refuses to start as root with its sandbox ("Running as root without
 * --no-sandbox is not supported"), and containers often lack the user namespaces it needs. The
 * browser only ever loads our own page from 127.0.0.1.
 */
const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-extensions'];

export interface PageOptions {
  /** The directory URL paths are relative to. */
  root: string;
  /** Directories under root the page may load files from (nothing else is served). */
  serve: string[];
  /** The import map: bare specifier -> URL path. */
  imports: Record<string, string>;
  /** URL path of the module to run; it exports `run(config)`. */
  module: string;
  /**
   * The argument of `run`, as JSON; or a function that makes it from the page's origin
   * (http://127.0.0.1:PORT), called once the page's server listens: a device server must list
   * that origin in its allowedOrigins, or it refuses the page's WebSocket.
   */
  config: unknown | ((origin: string) => Promise<unknown>);
  timeoutMs: number;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.map': 'application/json' };

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function page(o: PageOptions & { config: unknown }): string {
  return `<!doctype html>
<meta charset="utf-8">
<title>trustbox client in Chromium</title>
<script type="importmap">${scriptJson({ imports: o.imports })}</script>
<script>
  function report(body) { return fetch('/report', { method: 'POST', body: JSON.stringify(body) }); }
  // Capture phase: also sees the error event of a module script whose imports failed to load.
  addEventListener('error', (e) => report({ error: 'page error: ' + (e.message || 'a script failed to load') }), true);
  addEventListener('unhandledrejection', (e) => report({ error: 'unhandled rejection: ' + ((e.reason && e.reason.stack) || e.reason) }));
</script>
<script type="module">
  import { run } from ${scriptJson(o.module)};
  run(${scriptJson(o.config)}).then((result) => report({ result }), (e) => report({ error: String((e && e.stack) || e) }));
</script>
`;
}

/** Serves the page, the allowlisted files and /report; unknown paths are 404 and remembered. */
function handler(o: PageOptions & { config: unknown }, notFound: string[], onReport: (body: string) => void) {
  const allowed = o.serve.map((d) => normalize(join(o.root, d)) + sep);
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method === 'POST' && path === '/report') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(204).end();
        onReport(Buffer.concat(chunks).toString('utf8'));
      });
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(o));
      return;
    }
    const file = normalize(join(o.root, path));
    if (req.method === 'GET' && allowed.some((d) => file.startsWith(d)) && TYPES[extname(file)] && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { 'content-type': TYPES[extname(file)]!, 'cache-control': 'no-store' }).end(readFileSync(file));
      return;
    }
    notFound.push(`${req.method} ${path}`);
    res.writeHead(404).end();
  };
}

/** Kills the browser's whole process group (it was started detached, as its own group). */
function kill(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The last lines of Chromium's stderr, without the D-Bus noise of a machine without a session bus. */
function stderrTail(text: string): string {
  return text.split('\n').filter((l) => l && !l.includes('dbus')).slice(-30).join('\n');
}

/** Throws a message naming the fix when the browser is not installed: never a silent skip. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`bash scripts/setup.sh\` (it installs Debian's chromium package)`);
}

/** Runs `o.module` in headless Chromium; resolves with what its `run` returned (as JSON). */
export async function runInChromium(o: PageOptions): Promise<unknown> {
  requireChromium();
  const notFound: string[] = [];
  let onReport: (body: string) => void = () => {};
  const reported = new Promise<string>((resolve) => { onReport = resolve; });
  const page = { ...o, config: undefined as unknown };
  const server: Server = createServer(handler(page, notFound, (b) => onReport(b)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${origin}/`;
  try {
    page.config = typeof o.config === 'function' ? await (o.config as (origin: string) => Promise<unknown>)(origin) : o.config;
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  const profile = mkdtempSync(join(tmpdir(), 'trustbox-chromium-'));
  const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, url], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString('utf8')).slice(-65536); });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`cannot start ${CHROMIUM}: ${e.message}`))));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const why = () => `\nchromium stderr (tail):\n${stderrTail(stderr)}\nnot found: ${notFound.join(', ') || 'none'}`;
  try {
    const body = await Promise.race([
      reported,
      spawnError,
      exited.then(() => { throw new Error(`chromium exited (code ${child.exitCode}, signal ${child.signalCode}) before the page reported${why()}`); }),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no report from the page within ${o.timeoutMs} ms${why()}`)), o.timeoutMs); }),
    ]);
    const report = JSON.parse(body) as { result?: unknown; error?: string };
    if (report.error !== undefined) throw new Error(`the page failed: ${report.error}\nnot found: ${notFound.join(', ') || 'none'}`);
    return report.result;
  } finally {
    clearTimeout(timer);
    kill(child);
    if (child.pid !== undefined) await exited;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(profile, { recursive: true, force: true });
  }
}
