/**
 * `RemoteBackend`: `trustbox invoke/session/ta install` connected to a running device over the
 * TEE Client API protocol (`--state DIR` reads `<state>/endpoint.json`; `--connect URL --token
 * TOKEN` names it directly). Calls cross the same WebSocket path as any edge module.
 */
import { readFileSync } from 'node:fs';
import { readEndpoint } from '../api/auth.js';
import { TEEC_LOGIN_PUBLIC } from '../abi/protocol.js';
import { TeeConnection, TeecError } from '../client/index.js';
import type { TeeBackend } from './backend.js';
import { resultFromWire, specToWire, type ParamSpec, type SpecResult } from './params.js';

export interface RemoteTarget {
  state?: string;
  connect?: string;
  token?: string;
}

/** Whether the options ask for a running device; throws when they are half given. */
export function wantsRemote(opts: RemoteTarget): boolean {
  if (opts.state && opts.connect) throw new Error('give either --state DIR or --connect URL --token TOKEN, not both');
  if (opts.connect && !opts.token) throw new Error('--connect URL needs --token TOKEN (from <state>/endpoint.json)');
  if (opts.token && !opts.connect) throw new Error('--token needs --connect URL');
  return Boolean(opts.state || opts.connect);
}

export class RemoteBackend implements TeeBackend {
  private constructor(private readonly conn: TeeConnection, private readonly context: number) {}

  static async connect(target: RemoteTarget): Promise<RemoteBackend> {
    const { url, token } = target.state ? readEndpoint(target.state) : { url: target.connect!, token: target.token! };
    let conn: TeeConnection;
    try {
      conn = await TeeConnection.connect({ url, token, client: 'trustbox-cli' });
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
    const { uuid } = await this.conn.request('installTA', { bytes: readFileSync(path) });
    return uuid;
  }

  async dispose(): Promise<void> {
    try {
      await this.conn.request('finalizeContext', { context: this.context });
    } finally {
      this.conn.close();
    }
  }
}

