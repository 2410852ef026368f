/**
 * One device per state directory: `<state>/device.lock`, created exclusively (O_EXCL) by the
 * device that boots on the directory and holding its pid, removed when it powers off. A second
 * device on the same directory is refused with a sentence naming the running one; a lock left
 * by a process that is gone (kill -9, a crash) is taken over.
 *
 * Within one process (devices in worker threads share the pid) a lock holding this pid is taken
 * as held, unless it was written before this process started (a dead process's pid reused).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { systemRandom } from '../host/crypto.js';
import { StateError, createPrivateFile, readPrivateFile } from './private-files.js';

export const LOCK_FILE = 'device.lock';

interface LockBody {
  pid: number;
  nonce: string;
  startedAt: string;
  /** Milliseconds since the epoch (startedAt as a number). */
  t: number;
}

/** A held lock: `release()` removes the lock file if it is still this lock's. */
export interface StateLock {
  readonly path: string;
  release(): void;
}

const processStart = Date.now() - process.uptime() * 1000;

/** Whether a process of this id exists (signal 0; EPERM: it exists but is another user's). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockBody | undefined {
  try {
    const raw = readPrivateFile(path, 'lock file');
    if (!raw) return undefined;
    const body = JSON.parse(raw.toString('utf8')) as Partial<LockBody>;
    return typeof body.pid === 'number' ? body as LockBody : undefined;
  } catch (error) {
    if (error instanceof StateError) throw error;
    return undefined; // half-written or garbage: no live device wrote it
  }
}

/** Whether the lock in `body` belongs to a device that may still run. */
function held(body: LockBody): boolean {
  if (body.pid === process.pid) return !(typeof body.t === 'number' && body.t < processStart - 1000);
  return processAlive(body.pid);
}

/** Takes the lock of `stateDir`, or throws a StateError naming the device that holds it. */
export function lockStateDir(stateDir: string): StateLock {
  const path = join(stateDir, LOCK_FILE);
  const now = Date.now();
  const mine: LockBody = { pid: process.pid, nonce: systemRandom.bytes(16).toString('hex'), startedAt: new Date(now).toISOString(), t: now };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      createPrivateFile(path, JSON.stringify(mine) + '\n');
      return {
        path,
        release() {
          try {
            const body = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockBody>;
            if (body.nonce === mine.nonce) rmSync(path, { force: true });
          } catch {
            // gone already
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StateError(`cannot lock the state directory ${stateDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    const other = readLock(path);
    if (other && held(other)) {
      throw new StateError(`the state directory ${stateDir} is in use by a running device (pid ${other.pid}` +
        `${other.pid === process.pid ? ', this process' : ''}, since ${other.startedAt}): stop it first, or boot another --state ` +
        `(if no device runs, remove ${path})`);
    }
    rmSync(path, { force: true }); // stale: its process is gone
  }
  throw new StateError(`the state directory ${stateDir} was locked by another device while this one started: boot another --state`);
}
