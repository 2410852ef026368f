/**
 * A real OCI registry on loopback: Debian's `docker-registry` (the CNCF distribution registry,
 * 2.8.2), started with a config of our own (storage under a given directory, plain HTTP on
 * 127.0.0.1, no auth) for tests, examples and `trustbox edge registry`.
 *
 * The config is the minimal one verified with Debian's 2.8.2 (reference confidential.md §10.1):
 * `version: 0.1`, `storage.filesystem.rootdirectory`, `storage.delete.enabled`, `http.addr`.
 * Plain HTTP is acceptable only because the address is loopback; the registry is never bound
 * to another address here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { systemRandom } from '../../host/crypto.js';

/** Where Debian's package installs the registry. */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';
/** How long a registry may take to answer `GET /v2/` after it starts. */
const READY_TIMEOUT_MS = 15_000;

export interface RegistryOptions {
  /** Directory for the registry's storage (created); its config goes to `<dir>/config.yml`. */
  dir: string;
  /** TCP port on 127.0.0.1; default: a free one. */
  port?: number;
  /** Where the registry's log lines go; default: dropped. */
  log?: (line: string) => void;
}

/** A running registry: its `host:port` (for image references) and how to stop it. */
export interface LocalRegistry {
  /** `127.0.0.1:PORT`, the registry part of an image reference. */
  readonly host: string;
  readonly port: number;
  /** The storage root (blobs and repositories live under `docker/registry/v2/`). */
  readonly storage: string;
  readonly pid: number;
  /** Stops the registry (SIGTERM, then SIGKILL after 3 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, from the kernel. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? res(address.port) : rej(new Error('no port'))));
    });
  });
}

/** The registry config: storage under `storage`, plain HTTP on 127.0.0.1:port, no auth. */
export function registryConfig(storage: string, port: number): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storage)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    // Signs upload state; one registry instance, so a fresh random one is right.
    `  secret: ${Buffer.from(systemRandom.bytes(16)).toString('hex')}`,
    '',
  ].join('\n');
}

/** Resolves when `GET http://host/v2/` answers 200 with the distribution API header. */
export async function waitForRegistry(host: string, timeoutMs = READY_TIMEOUT_MS, exited?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const gone = exited?.();
    if (gone) throw new Error(gone);
    try {
      const r = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200 && r.headers.get('docker-distribution-api-version') === 'registry/2.0') return;
      last = `GET /v2/ answered ${r.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the registry at ${host} did not answer GET /v2/ within ${timeoutMs} ms (${last})`);
}

/** Starts `docker-registry serve` on 127.0.0.1 with storage under `opts.dir`; resolves once /v2/ answers. */
export async function startRegistry(opts: RegistryOptions): Promise<LocalRegistry> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(`${REGISTRY_BINARY} not found: install Debian's docker-registry package (scripts/setup.sh does it)`);
  }
  const dir = resolve(opts.dir);
  const storage = join(dir, 'storage');
  mkdirSync(storage, { recursive: true, mode: 0o700 });
  const port = opts.port ?? (await freePort());
  const config = join(dir, 'config.yml');
  writeFileSync(config, registryConfig(storage, port), { mode: 0o600 });
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = opts.log;
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    let tail = '';
    stream.on('data', (chunk: string) => {
      tail += chunk;
      const lines = tail.split('\n');
      tail = lines.pop() ?? '';
      if (log) for (const line of lines) if (line.trim()) log(line);
    });
  }
  let exit: string | undefined;
  child.once('exit', (code, signal) => { exit = `docker-registry exited (${signal ?? `code ${code}`}) before it answered; port ${port} may be in use`; });
  const host = `127.0.0.1:${port}`;
  try {
    await waitForRegistry(host, READY_TIMEOUT_MS, () => exit);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { host, port, storage, pid: child.pid!, stop: () => stopChild(child) };
}

/** SIGTERM, SIGKILL after 3 s; resolves when the process has exited. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}
