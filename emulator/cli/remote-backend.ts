/**
 * `RemoteBackend`: `trustbox invoke/session/watch/ta install` connected to a running device over
 * the TEE Client API protocol. `--state DIR` reads `<state>/endpoint.json` and, when this user
 * can read it, the admin credential of `<state>/admin.json`; `--connect URL` names the device
 * directly, with the token from `--token-file FILE`, `TRUSTBOX_TOKEN` or `--token TOKEN` (visible
 * to other users in /proc/PID/cmdline: a warning says so) and the admin credential from
 * `--admin-token-file FILE` or `TRUSTBOX_ADMIN_TOKEN`. Calls cross the same WebSocket path as
 * any edge module.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readAdmin, readEndpoint } from '../api/auth.js';
import { TEEC_LOGIN_PUBLIC } from '../abi/protocol.js';
import { TeeConnection, TeecError } from '../client/index.js';
import type { TeeBackend } from './backend.js';
import { resultFromWire, specToWire, type ParamSpec, type SpecResult } from './params.js';

export interface RemoteTarget {
  state?: string;
  connect?: string;
  token?: string;
  tokenFile?: string;
  adminTokenFile?: string;
}

/** Environment variables that carry the token and the admin credential for --connect. */
export const TOKEN_ENV = 'TRUSTBOX_TOKEN';
export const ADMIN_TOKEN_ENV = 'TRUSTBOX_ADMIN_TOKEN';

/** Adds --state, --connect, --token-file, --admin-token-file and --token to a command. */
export function remoteOptions(cmd: Command, what = 'the running device'): Command {
  return cmd
    .option('--state <dir>', `${what} of this state directory (reads <dir>/endpoint.json, and <dir>/admin.json when readable)`)
    .option('--connect <url>', `${what} at ws://HOST:PORT (token from --token-file, ${TOKEN_ENV} or --token)`)
    .option('--token-file <file>', 'file holding the token for --connect (plain text, or an endpoint.json)')
    .option('--admin-token-file <file>', `file holding the admin credential for --connect (plain text, or an admin.json; or ${ADMIN_TOKEN_ENV})`)
    .option('--token <token>', `token for --connect (visible to other users in the process list: prefer --token-file or ${TOKEN_ENV})`);
}

/** Whether the options ask for a running device; throws when they are half given. */
export function wantsRemote(opts: RemoteTarget): boolean {
  if (opts.state && opts.connect) throw new Error('give either --state DIR or --connect URL, not both');
  if (opts.token && opts.tokenFile) throw new Error('give either --token-file FILE or --token TOKEN, not both');
  if (opts.connect && !opts.token && !opts.tokenFile && !process.env[TOKEN_ENV]) {
    throw new Error(`--connect URL needs the token (from <state>/endpoint.json): --token-file FILE or ${TOKEN_ENV}`);
  }
  if ((opts.token || opts.tokenFile) && !opts.connect) throw new Error('--token and --token-file need --connect URL (--state DIR reads the token itself)');
  if (opts.adminTokenFile && !opts.connect) throw new Error('--admin-token-file needs --connect URL (--state DIR reads <dir>/admin.json itself)');
  return Boolean(opts.state || opts.connect);
}

/** A secret from a file: its `field` when the file is JSON (endpoint.json, admin.json), else its text, trimmed. */
function secretFromFile(path: string, field: 'token' | 'admin', flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new Error(`${flag} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (text.startsWith('{')) {
    const value = (JSON.parse(text) as Record<string, unknown>)[field];
    if (typeof value !== 'string') throw new Error(`${flag} ${path}: a JSON file must hold "${field}"`);
    return value;
  }
  if (!text) throw new Error(`${flag} ${path} is empty`);
  return text;
}

/** The URL, token and admin credential (if any) the options name. */
export function remoteCredentials(target: RemoteTarget): { url: string; token: string; admin?: string } {
  if (target.state) {
    const { url, token } = readEndpoint(target.state);
    const admin = readAdmin(target.state);
    return admin ? { url, token, admin } : { url, token };
  }
  let token: string;
  if (target.tokenFile) token = secretFromFile(target.tokenFile, 'token', '--token-file');
  else if (target.token) {
    console.error(`trustbox: warning: --token is visible to other users of this machine (ps, /proc/PID/cmdline); use --token-file FILE or ${TOKEN_ENV}`);
    token = target.token;
  } else token = process.env[TOKEN_ENV] ?? '';
  const admin = target.adminTokenFile ? secretFromFile(target.adminTokenFile, 'admin', '--admin-token-file') : process.env[ADMIN_TOKEN_ENV];
  return admin ? { url: target.connect!, token, admin } : { url: target.connect!, token };
}

/** The message for an admin-only operation refused (admin-required): where the credential comes from. */
export function adminHint(what: string): string {
  return `${what} needs the device's admin credential: --state DIR reads <dir>/admin.json (as the user who booted the device); ` +
    `with --connect give --admin-token-file FILE or ${ADMIN_TOKEN_ENV}`;
}

export class RemoteBackend implements TeeBackend {
  private constructor(private readonly conn: TeeConnection, private readonly context: number) {}

  static async connect(target: RemoteTarget): Promise<RemoteBackend> {
    const { url, token, admin } = remoteCredentials(target);
    let conn: TeeConnection;
    try {
      conn = await TeeConnection.connect({ url, token, ...(admin ? { admin } : {}), client: 'trustbox-cli' });
    } catch (error) {
      const hint = target.state ? ` (is the device of ${target.state} still running?)` : '';
      throw new Error(`cannot reach ${url}: ${(error as Error).message}${hint}`);
    }
    const { context } = await conn.request('initializeContext', { name: 'trustbox-cli' });
    return new RemoteBackend(conn, context);
  }

  get connection(): TeeConnection {
    return this.conn;
  }

  async open(uuid: string, params: ParamSpec[]): Promise<SpecResult> {
    const r = await this.conn.request('openSession', { context: this.context, uuid, login: TEEC_LOGIN_PUBLIC, params: params.map(specToWire) });
    return resultFromWire(params, r);
  }

  async invoke(session: number, cmd: number, params: ParamSpec[]): Promise<SpecResult> {
    try {
      const r = await this.conn.request('invokeCommand', { session, cmd, params: params.map(specToWire) });
      return resultFromWire(params, r);
    } catch (error) {
      if (error instanceof TeecError) return { result: error.result, origin: error.origin, params: [] };
      throw error;
    }
  }

  async close(session: number): Promise<void> {
    await this.conn.request('closeSession', { session });
  }

  /** Uploads the file into the device's TA store (installTA); returns the UUID it names. */
  async addTaFile(path: string): Promise<string> {
    const { uuid } = await this.installTA(readFileSync(path));
    return uuid;
  }

  /** installTA, with a message naming where the admin credential comes from when it is missing. */
  async installTA(bytes: Uint8Array): Promise<{ uuid: string; path: string }> {
    try {
      return await this.conn.installTA(bytes);
    } catch (error) {
      if (error instanceof TeecError && error.code === 'admin-required') throw new Error(adminHint('installing a TA'));
      throw error;
    }
  }

  /** subscribe, with the same message when the trace needs the admin credential. */
  async subscribe(...args: Parameters<TeeConnection['subscribe']>): ReturnType<TeeConnection['subscribe']> {
    try {
      return await this.conn.subscribe(...args);
    } catch (error) {
      if (error instanceof TeecError && error.code === 'admin-required') throw new Error(adminHint('following the trace'));
      throw error;
    }
  }

  async dispose(): Promise<void> {
    try {
      await this.conn.request('finalizeContext', { context: this.context });
    } finally {
      this.conn.close();
    }
  }
}

