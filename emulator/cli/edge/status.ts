/**
 * The edge agent's status file, `<state>/edge/status.json` (mode 0600): what `trustbox edge list`
 * shows. The agent rewrites it (write + rename, so readers never see half a file) at every
 * change of a module's state.
 */
import { processAlive } from '../../device/state-lock.js';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RestartPolicy } from './deployment.js';

/** Where a module is in its life. */
export type ModuleState =
  | 'pending' // waiting for its turn (startupOrder)
  | 'pulling' // skopeo is copying its image
  | 'installing' // its TAs are being installed on the device
  | 'running'
  | 'restarting' // exited; will be started again after the back-off
  | 'exited' // exited and the restart policy says no more
  | 'stopped' // desired status "stopped", or the agent stopped it
  | 'failed'; // pull, unpack or TA install failed: `error` says why

export interface TaStatus {
  uuid: string;
  encrypted: boolean;
  /** Where the device's TA store keeps it, as installTA answered. */
  installedAs?: string;
}

export interface ModuleStatus {
  name: string;
  image: string;
  /** Manifest digest of the image pulled. */
  digest?: string;
  restartPolicy: RestartPolicy;
  desired: 'running' | 'stopped';
  state: ModuleState;
  tas: TaStatus[];
  pid?: number;
  /** Exit code of the last run; undefined while it never exited, null when a signal ended it. */
  exitCode?: number | null;
  signal?: string;
  restartCount: number;
  startedAt?: string;
  exitedAt?: string;
  /** When `restarting`: when the next start is due. */
  restartAt?: string;
  error?: string;
  /** The module's output, also printed by the agent with a `<name> | ` prefix. */
  log: string;
}

export interface EdgeStatus {
  agent: {
    pid: number;
    state: 'starting' | 'running' | 'stopped';
    deployment: string;
    startedAt: string;
    updatedAt: string;
    notes: string[];
  };
  modules: ModuleStatus[];
}

export const edgeDir = (state: string): string => join(state, 'edge');
export const statusPath = (state: string): string => join(edgeDir(state), 'status.json');

/** Writes the status file atomically. */
export function writeStatus(state: string, status: EdgeStatus): void {
  const path = statusPath(state);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Reads the status file; throws a sentence naming the fix when there is none. */
export function readStatus(state: string): EdgeStatus {
  try {
    return JSON.parse(readFileSync(statusPath(state), 'utf8')) as EdgeStatus;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`no edge deployment in ${state} (${statusPath(state)} not found): run \`trustbox edge deploy deployment.json --state ${state}\``);
    }
    throw new Error(`${statusPath(state)}: ${(error as Error).message}`);
  }
}

export { processAlive };

/** The state as `edge list` words it: "running", "exited 1", "restarting (...)", "failed (below)". */
export function describeState(m: ModuleStatus): string {
  switch (m.state) {
    case 'exited':
      return m.exitCode === null || m.exitCode === undefined ? `exited ${m.signal ?? '?'}` : `exited ${m.exitCode}`;
    case 'restarting':
      return `restarting (exited ${m.exitCode ?? m.signal})`;
    case 'failed':
      return 'failed (below)';
    default:
      return m.state;
  }
}

/** The agent's liveness: a status file whose agent process is gone is history, not news. */
export function agentRunning(status: EdgeStatus): boolean {
  return status.agent.state !== 'stopped' && processAlive(status.agent.pid);
}

/** `edge list` as a table: one module per line. */
export function formatStatus(status: EdgeStatus): string {
  const live = agentRunning(status);
  const head = live
    ? `edge agent pid ${status.agent.pid}, deployment ${status.agent.deployment}`
    : `edge agent not running (last: pid ${status.agent.pid}, ${status.agent.state === 'stopped' ? 'stopped' : 'gone'} at ${status.agent.updatedAt})`;
  const rows = status.modules.map((m) => [
    m.name, live || ['failed', 'stopped', 'exited'].includes(m.state) ? describeState(m) : `stopped (was ${describeState(m)})`, m.image,
    m.tas.map((t) => `${t.uuid}${t.encrypted ? ' (encrypted)' : ''}`).join(', ') || '-', String(m.restartCount),
  ]);
  const table = [['NAME', 'STATE', 'IMAGE', 'TAS', 'RESTARTS'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const lines = table.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
  const errors = status.modules.flatMap((m) => (m.state === 'failed' ? [`${m.name}: ${m.error ?? 'unknown error'}`] : []));
  return [head, ...lines, ...errors].join('\n');
}
