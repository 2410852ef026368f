/**
 * Files and folders of a device's state that only their owner may change, checked the way ssh
 * checks ~/.ssh: a state folder (or file) owned by another user, or writable by group or others,
 * is refused, since whoever can change it can swap the device's fuses, TAs or endpoint. Files
 * are opened with O_NOFOLLOW (a symbolic link planted in place of one is refused, never
 * followed), and new files are created exclusively (O_EXCL), never by opening what is there.
 *
 * Every refusal is a `StateError` with one sentence that names the path and the fix.
 */
import {
  closeSync, constants, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync,
  type Stats,
} from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A state folder or file this process must not trust, or cannot make. */
export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;

/** This process's user id (undefined where the OS has none, e.g. Windows: no checks there). */
function myUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** Throws unless `st` (of `path`) belongs to this user and no one else may write it (nor read it, when `secret`). */
export function checkOwned(path: string, st: Stats, what: string, secret = false): void {
  const uid = myUid();
  if (uid === undefined) return;
  if (st.uid !== uid) {
    throw new StateError(`${what} ${path} is owned by uid ${st.uid}, not by you (uid ${uid}): refusing it, since its owner can ` +
      'change it; use a state directory of your own');
  }
  const mask = secret ? 0o077 : 0o022;
  if ((st.mode & mask) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
    throw new StateError(`${what} ${path} has mode ${mode}: ${secret ? 'others may read or change it' : 'group or others may change it'}; ` +
      `refusing it (fix: chmod ${st.isDirectory() ? '700' : '600'} ${path})`);
  }
}

/** Throws unless `path` is a real directory (not a symbolic link) this user owns and alone may change. */
export function checkPrivateDir(path: string, what: string, followLink = false): void {
  let st: Stats;
  try {
    st = followLink ? statSync(path) : lstatSync(path);
  } catch (error) {
    throw new StateError(`${what} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (st.isSymbolicLink()) throw new StateError(`${what} ${path} is a symbolic link: refusing it (it may point anywhere)`);
  if (!st.isDirectory()) throw new StateError(`${what} ${path} is not a directory`);
  checkOwned(path, st, what);
}

/**
 * Makes `dir` and its missing parents one level at a time (mode 0700), refusing where a level
 * cannot be made, with one sentence (`mkdirSync`'s recursive mode loops forever under /proc).
 */
export function makeDirs(dir: string, what: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let at = target;
  for (;;) {
    let st: Stats | undefined;
    try {
      st = statSync(at);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new StateError(`${what} ${dir} cannot be made: ${at} cannot be read (${code})`);
    }
    if (st) {
      if (!st.isDirectory()) throw new StateError(`${what} ${dir} cannot be made: ${at} is not a directory`);
      break;
    }
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const level of missing) {
    try {
      mkdirSync(level, { mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw new StateError(`${what} ${dir} cannot be made: mkdir ${level} failed (${code ?? (error as Error).message})`);
    }
  }
}

/** Makes a sub-folder of a checked state folder (0700) if missing, then checks it. */
export function ensurePrivateDir(path: string, what: string): void {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new StateError(`${what} ${path} cannot be made (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  checkPrivateDir(path, what);
}

/**
 * Reads a file without following a symbolic link, after checking that this user owns it and no
 * one else may change it (nor read it, when `secret`). Undefined when it does not exist.
 */
export function readPrivateFile(path: string, what: string, secret = false): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new StateError(`${what} ${path} is a symbolic link: refusing it (it may point anywhere)`);
    throw new StateError(`${what} ${path} cannot be read (${code ?? (error as Error).message})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new StateError(`${what} ${path} is not a regular file`);
    checkOwned(path, st, what, secret);
    const out = Buffer.alloc(st.size);
    let got = 0;
    while (got < out.length) {
      const n = readSync(fd, out, got, out.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return out.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Creates `path` exclusively (O_EXCL, O_NOFOLLOW, mode 0600) with `data`, flushed; EEXIST is thrown as is. */
export function createPrivateFile(path: string, data: Uint8Array | string): void {
  const fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` atomically: a fresh temporary file (exclusive, 0600), then a rename over it. */
export function replacePrivateFile(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  createPrivateFile(tmp, data);
  renameSync(tmp, path);
}
