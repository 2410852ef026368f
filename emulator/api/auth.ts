/**
 * The endpoint file and its token, and the admin file and its credential. Each boot writes
 * `<state>/endpoint.json` (mode 0600) with the URL and a fresh 256-bit token, and
 * `<state>/admin.json` (mode 0600) with a second, separate 256-bit credential for the admin-only
 * operations (installTA, the trace subscription); both from the system CSPRNG (never the
 * device's seeded random source: a test seed must not make them guessable). Two files, so that
 * handing a module the endpoint file never hands it the right to install TAs.
 */
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { systemRandom } from '../host/crypto.js';
import { createPrivateFile, readPrivateFile } from '../device/private-files.js';
import { PROTOCOL_VERSION, type EndpointFile } from '../abi/protocol.js';

export const ENDPOINT_FILE = 'endpoint.json';
export const ADMIN_FILE = 'admin.json';

/** The content of `<state>/admin.json`. */
export interface AdminFile {
  /** The admin credential a hello may carry as `admin`. */
  admin: string;
  pid: number;
  startedAt: string;
}

export function newToken(): string {
  return systemRandom.bytes(32).toString('base64url');
}

export function endpointPath(stateDir: string): string {
  return join(stateDir, ENDPOINT_FILE);
}

export function adminPath(stateDir: string): string {
  return join(stateDir, ADMIN_FILE);
}

/** Writes `body` as JSON to `path` atomically with mode 0600. */
function writePrivate(path: string, body: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  createPrivateFile(tmp, JSON.stringify(body, null, 2) + '\n'); // exclusive, never through a link
  renameSync(tmp, path);
}

/** Writes the endpoint file atomically with mode 0600 and returns its path. */
export function writeEndpoint(stateDir: string, url: string, token: string, socket?: string): string {
  const path = endpointPath(stateDir);
  const body: EndpointFile = {
    url, token, pid: process.pid, protocolVersion: PROTOCOL_VERSION, startedAt: new Date().toISOString(), ...(socket ? { socket } : {}),
  };
  writePrivate(path, body);
  return path;
}

/** Writes the admin file atomically with mode 0600 and returns its path. */
export function writeAdmin(stateDir: string, admin: string): string {
  const path = adminPath(stateDir);
  const body: AdminFile = { admin, pid: process.pid, startedAt: new Date().toISOString() };
  writePrivate(path, body);
  return path;
}

/** The admin credential of `<state>/admin.json`, or undefined when there is none this user can read. */
export function readAdmin(stateDir: string): string | undefined {
  try {
    const body = JSON.parse(readFileSync(adminPath(stateDir), 'utf8')) as Partial<AdminFile>;
    return typeof body.admin === 'string' ? body.admin : undefined;
  } catch {
    return undefined;
  }
}

/** Reads `<state>/endpoint.json`; throws a sentence naming the fix when it is missing or bad. */
export function readEndpoint(stateDir: string): EndpointFile {
  const path = endpointPath(stateDir);
  // Never trusted when someone else could have put it there: a symbolic link, a file of another
  // user, or one that group or others may write is refused (a swapped endpoint would send the
  // client's data and token to another server).
  const raw = readPrivateFile(path, 'endpoint file');
  if (!raw) {
    throw new Error(`${path} not found: is a device running with this state directory? Start one with \`trustbox boot --state ${stateDir}\``);
  }
  let body: Partial<EndpointFile>;
  try {
    body = JSON.parse(raw.toString('utf8')) as Partial<EndpointFile>;
  } catch {
    throw new Error(`${path} is not JSON`);
  }
  if (typeof body.url !== 'string' || typeof body.token !== 'string') throw new Error(`${path} has no url and token`);
  return body as EndpointFile;
}

/**
 * Removes `<state>/endpoint.json` and `<state>/admin.json` only if they are this device's (its
 * token and admin credential): a device refused on, or started after, another one's state
 * directory never removes that device's files.
 */
export function removeOwnFiles(stateDir: string, token: string, admin: string): void {
  const mine = (path: string, key: 'token' | 'admin', value: string): boolean => {
    try {
      const body = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      return sameToken(body[key], value);
    } catch {
      return false;
    }
  };
  if (mine(endpointPath(stateDir), 'token', token)) rmSync(endpointPath(stateDir), { force: true });
  if (mine(adminPath(stateDir), 'admin', admin)) rmSync(adminPath(stateDir), { force: true });
}

/** Compares two tokens in time independent of where they differ. */
export function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % Math.max(a.length, 1)] ?? 0) ^ b[i]!;
  return diff === 0;
}
