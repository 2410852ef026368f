/**
 * The endpoint file and its token. Each boot writes `<state>/endpoint.json` (mode 0600) with
 * the URL and a fresh 256-bit token from the system CSPRNG (never the device's seeded random
 * source: a test seed must not make the token guessable).
 */
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemRandom } from '../host/crypto.js';
import { PROTOCOL_VERSION, type EndpointFile } from '../abi/protocol.js';

export const ENDPOINT_FILE = 'endpoint.json';

export function newToken(): string {
  return systemRandom.bytes(32).toString('base64url');
}

export function endpointPath(stateDir: string): string {
  return join(stateDir, ENDPOINT_FILE);
}

/** Writes the endpoint file atomically with mode 0600 and returns its path. */
export function writeEndpoint(stateDir: string, url: string, token: string): string {
  const path = endpointPath(stateDir);
  const body: EndpointFile = { url, token, pid: process.pid, protocolVersion: PROTOCOL_VERSION, startedAt: new Date().toISOString() };
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

/** Reads `<state>/endpoint.json`; throws a sentence naming the fix when it is missing or bad. */
export function readEndpoint(stateDir: string): EndpointFile {
  const path = endpointPath(stateDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`${path} not found: is a device running with this state directory? Start one with \`trustbox boot --state ${stateDir}\``);
  }
  const body = JSON.parse(text) as Partial<EndpointFile>;
  if (typeof body.url !== 'string' || typeof body.token !== 'string') throw new Error(`${path} has no url and token`);
  return body as EndpointFile;
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
