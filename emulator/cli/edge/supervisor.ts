/**
 * One module's process and its restart policy, as IoT Edge's agent applies it:
 *
 *   never         never restarted
 *   on-failure    restarted when it exits with a non-zero code or is killed by a signal
 *   on-unhealthy  as on-failure: without health checks, a crash is the only ill health seen here
 *   always        restarted whenever it exits
 *
 * Restarts back off exponentially: the n-th restart in a row waits `baseDelayMs * 2^(n-1)`, at
 * most `maxDelayMs`; a run that lasted `stableMs` or longer resets the count. A process the
 * supervisor stopped itself is never restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import type { RestartPolicy } from './deployment.js';

export interface BackoffOptions {
  /** First restart delay (ms); default 1000. */
  baseDelayMs: number;
  /** Longest restart delay (ms); default 60 000. */
  maxDelayMs: number;
  /** A run at least this long resets the back-off (ms); default 60 000. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 1000, maxDelayMs: 60_000, stableMs: 60_000 };
/** How long a module has to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5000;

/** Whether a process that exited this way is restarted under `policy`. */
export function shouldRestart(policy: RestartPolicy, code: number | null): boolean {
  switch (policy) {
    case 'never':
      return false;
    case 'always':
      return true;
    case 'on-failure':
    case 'on-unhealthy':
      return code !== 0;
  }
}

/** The delay before the `n`-th restart in a row (n >= 1). */
export function restartDelay(n: number, b: BackoffOptions): number {
  return Math.min(b.baseDelayMs * 2 ** Math.max(0, n - 1), b.maxDelayMs);
}

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** File that collects the module's output. */
  logFile: string;
}

/** What the runner reports to its owner (the agent), which records it in the status file. */
export interface RunnerEvents {
  started(pid: number): void;
  exited(code: number | null, signal: string | null, restartInMs: number | undefined): void;
  line(stream: 'stdout' | 'stderr', text: string): void;
}

export class ModuleRunner {
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private inARow = 0;
  private startedAt = 0;

  constructor(
    private readonly spec: ProcessSpec,
    private readonly policy: RestartPolicy,
    private readonly backoff: BackoffOptions,
    private readonly events: RunnerEvents,
  ) {}

  /** Starts the process (again). */
  start(): void {
    this.timer = undefined;
    if (this.stopping) return;
    const child = spawn(this.spec.command, this.spec.args, { cwd: this.spec.cwd, env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = Date.now();
    for (const name of ['stdout', 'stderr'] as const) this.pipeLines(child, name);
    child.once('error', (error) => this.record('stderr', `cannot start: ${error.message}`));
    child.once('exit', (code, signal) => this.onExit(code, signal));
    if (child.pid !== undefined) this.events.started(child.pid);
  }

  private pipeLines(child: ChildProcess, name: 'stdout' | 'stderr'): void {
    const stream = child[name]!;
    stream.setEncoding('utf8');
    let tail = '';
    stream.on('data', (chunk: string) => {
      const parts = (tail + chunk).split('\n');
      tail = parts.pop() ?? '';
      for (const line of parts) this.record(name, line);
    });
    stream.on('end', () => {
      if (tail) this.record(name, tail);
      tail = '';
    });
  }

  private record(stream: 'stdout' | 'stderr', text: string): void {
    appendFileSync(this.spec.logFile, `${text}\n`, { mode: 0o600 });
    this.events.line(stream, text);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.child = undefined;
    if (this.stopping || !shouldRestart(this.policy, code)) {
      this.events.exited(code, signal, undefined);
      return;
    }
    if (Date.now() - this.startedAt >= this.backoff.stableMs) this.inARow = 0;
    this.inARow += 1;
    const delay = restartDelay(this.inARow, this.backoff);
    this.events.exited(code, signal, delay);
    this.timer = setTimeout(() => this.start(), delay);
  }

  /** Stops the process (SIGTERM, SIGKILL after a grace period) and any pending restart. */
  stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
