/**
 * The private cache of the store-fixed engine library (see `store-fix.ts`).
 *
 * A library in the cache is code this process will run, so nothing in it is trusted:
 * - the cache directory `<root>/unicorn/` is private: a real directory (no symlink) owned by
 *   this user, mode 0700, in a root that is this user's and writable by no one else, under
 *   ancestors that no other user can rename (owned by root or this user, and not writable by
 *   others unless sticky). A `unicorn/` that is not private is made again (a symlink removed,
 *   a directory others could write into, or theirs, removed or moved aside; our own 0755 one
 *   set to 0700); a root that is not this user's alone is refused. There is no shared
 *   `$TMPDIR` fallback.
 * - the source library (Debian's, as installed) must be owned by root or this user and not
 *   writable by others; its SHA-256 and the patched copy's are pinned in a manifest next to the
 *   copy. The expected copy is recomputed from the source bytes plus the patch before every
 *   load; the file on disk is opened without following links, checked (regular, ours, not
 *   writable by others) and compared byte for byte through the same descriptor, and the
 *   engine is loaded through that descriptor (`/proc/self/fd/N`), so the bytes checked are
 *   the bytes loaded.
 * - a copy or manifest that does not match is rebuilt (written under a fresh name, then
 *   renamed into place), never loaded and never silently replaced by the unpatched library.
 */
import { sha256Hash } from '../host/crypto.js';
import {
  closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync,
  realpathSync, renameSync, rmSync, statSync, writeFileSync, chmodSync, type BigIntStats, type Stats,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { PATCH_ID, findStoreFixSite, type StoreFixSite } from './store-fix.js';

/** What the manifest next to a cached copy records. */
export interface CacheManifest {
  patch: string;
  source: { path: string; size: number; sha256: string };
  patched: { file: string; size: number; sha256: string };
  /**
   * Identities (device, inode, size, modification and change times in ns) of the source and
   * the copy when they were last verified byte for byte. While both are unchanged, a load
   * skips hashing 2 x 19 MB: no one but this user can change the copy (its folder is theirs,
   * 0700) and no one can change a file without changing its ctime.
   */
  verified?: { source: string; copy: string };
}

/** A verified copy, held open: load it through `loadPath`, then call `release()`. */
export interface VerifiedCopy {
  path: string;
  sha256: string;
  sourceSha256: string;
  /** What happened to the cache on the way (rebuilt, moved aside...), for `trustbox info`. */
  repaired?: string;
  loadPath: string;
  release(): void;
}

const uid = (): number => process.getuid?.() ?? -1;
const sha256 = (b: Buffer): string => sha256Hash().update(b).digest('hex');

/** The cache root: TRUSTBOX_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, + trustbox-emulator. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRUSTBOX_CACHE_DIR) return env.TRUSTBOX_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'trustbox-emulator');
}

/**
 * Why a directory is not this user's alone, or undefined. `strict`: mode 0700 too (the
 * directory that holds the library); otherwise no one else may write into it (its parent).
 */
function notPrivate(st: Stats, strict: boolean): string | undefined {
  if (st.isSymbolicLink()) return 'is a symbolic link';
  if (!st.isDirectory()) return 'is not a directory';
  if (st.uid !== uid()) return `is owned by uid ${st.uid}, not by this user (${uid()})`;
  if ((st.mode & 0o022) !== 0) return `has mode ${(st.mode & 0o777).toString(8)}: writable by other users`;
  if (strict && (st.mode & 0o077) !== 0) return `has mode ${(st.mode & 0o777).toString(8)}, not 700`;
  return undefined;
}

/** Every ancestor of `dir` must be one that no other user can rename entries of. */
function checkAncestors(dir: string): string | undefined {
  let at = realpathSync(dir);
  for (;;) {
    const st = statSync(at);
    if (st.uid !== 0 && st.uid !== uid()) return `${at} is owned by uid ${st.uid}`;
    if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) return `${at} is writable by other users`;
    const up = dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

/**
 * Makes sure `<root>/unicorn` is a private directory and returns it, or says why it cannot be.
 * The root is made 0700 if missing; one that exists must be private already (it may be the
 * user's own TRUSTBOX_CACHE_DIR: we never move it). `unicorn/` is ours: one that is not private
 * is moved aside (`unicorn.refused-*`) and made again.
 */
export function privateCacheDir(root: string): { dir: string; repaired?: string } | { refused: string } {
  try {
    if (!existsSync(root)) mkdirSync(root, { recursive: true, mode: 0o700 });
    const parentIssue = checkAncestors(dirname(root));
    if (parentIssue) return { refused: `cache directory ${root} is not private: ${parentIssue}` };
    const rootIssue = notPrivate(lstatSync(root), false);
    if (rootIssue) return { refused: `cache directory ${root} ${rootIssue}` };
    const dir = join(root, 'unicorn');
    let repaired: string | undefined;
    let st = lstatOrUndefined(dir);
    const issue = st && notPrivate(st, true);
    if (st && issue) {
      if (st.isSymbolicLink()) {
        rmSync(dir); // the link only, never its target
        repaired = `${dir} ${issue}: removed and made again`;
      } else if (st.isDirectory() && st.uid === uid() && (st.mode & 0o022) === 0) {
        chmodSync(dir, 0o700); // ours, readable by others but never writable by them
        repaired = `${dir} ${issue}: mode set to 700`;
      } else {
        // Others could write into it (or it is theirs): nothing in it is kept.
        const aside = `${dir}.refused-${process.pid}-${Date.now()}`;
        renameSync(dir, aside);
        if (st.uid === uid()) rmSync(aside, { recursive: true, force: true });
        repaired = `${dir} ${issue}: ${st.uid === uid() ? 'removed' : `moved aside to ${aside}`} and made again`;
      }
      st = lstatOrUndefined(dir);
    }
    if (!st) {
      try {
        mkdirSync(dir, { mode: 0o700 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const again = notPrivate(lstatSync(dir), true);
      if (again) return { refused: `cache directory ${dir} ${again}` };
    }
    return { dir, ...(repaired ? { repaired } : {}) };
  } catch (e) {
    return { refused: `cache directory ${root}: ${(e as Error).message}` };
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Reads the installed library, refusing one that another user could have written. */
function readSource(path: string): { bytes: Buffer; real: string } | { refused: string } {
  const real = realpathSync(path);
  const fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { refused: `${real} is not a regular file` };
    if (st.uid !== 0 && st.uid !== uid()) return { refused: `${real} is owned by uid ${st.uid}` };
    if ((st.mode & 0o022) !== 0) return { refused: `${real} is writable by other users` };
    return { bytes: readAll(fd, st.size), real };
  } finally {
    closeSync(fd);
  }
}

function readAll(fd: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, out, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return got === size ? out : out.subarray(0, got);
}

/** The patched library: the source with the site's block replaced (pieces, nothing copied). */
interface Expected { source: Buffer; site: StoreFixSite }

/** The expected byte at `at` (for the few bytes of the replaced block). */
const expectedAt = (e: Expected, at: number): number =>
  at >= e.site.offset && at < e.site.offset + e.site.replacement.length ? e.site.replacement[at - e.site.offset]! : e.source[at]!;

/**
 * Reads the file behind `fd` in chunks (one reused buffer: no 19 MB allocation) and compares
 * it with the expected bytes.
 */
function matches(fd: number, e: Expected): boolean {
  const { source, site } = e;
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK, source.length));
  const blockEnd = site.offset + site.replacement.length;
  for (let at = 0; at < source.length;) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, source.length - at), at);
    if (n <= 0) return false;
    if (at < blockEnd && at + n > site.offset) {
      for (let i = 0; i < n; i++) if (chunk[i] !== expectedAt(e, at + i)) return false;
    } else if (chunk.compare(source, at, at + n, 0, n) !== 0) {
      return false;
    }
    at += n;
  }
  return readSync(fd, chunk, 0, 1, source.length) === 0; // and nothing after
}

const CHUNK = 1 << 20;

/** The patched bytes, made only when the copy has to be written. */
function patchedBytes(e: Expected): Buffer {
  const bytes = Buffer.from(e.source);
  e.site.replacement.copy(bytes, e.site.offset);
  return bytes;
}

/** SHA-256 of the source and of the patched library, in one pass over the common prefix. */
function hashes(e: Expected): { source: string; patched: string } {
  const { source, site } = e;
  const end = site.offset + site.replacement.length;
  const src = sha256Hash().update(source.subarray(0, site.offset));
  const patched = src.copy();
  src.update(source.subarray(site.offset));
  patched.update(site.replacement).update(source.subarray(end));
  return { source: src.digest('hex'), patched: patched.digest('hex') };
}

/**
 * Opens the cached copy and checks it against the expected bytes through one descriptor.
 * Returns the open descriptor, or why the copy is not acceptable (then it is closed).
 */
function openVerified(path: string, expected: Expected): { fd: number } | { bad: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { bad: code === 'ENOENT' ? 'missing' : code === 'ELOOP' ? 'a symbolic link' : (e as Error).message };
  }
  const fail = (bad: string) => { closeSync(fd); return { bad }; };
  const st = fstatSync(fd);
  if (!st.isFile()) return fail('not a regular file');
  if (st.uid !== uid()) return fail(`owned by uid ${st.uid}`);
  if ((st.mode & 0o022) !== 0) return fail('writable by other users');
  if (st.size !== expected.source.length) return fail(`${st.size} bytes, not ${expected.source.length}`);
  if (!matches(fd, expected)) return fail('its bytes are not the patched source library');
  return { fd };
}

function readManifest(path: string): CacheManifest | undefined {
  try {
    const st = lstatSync(path);
    if (!st.isFile() || st.uid !== uid() || (st.mode & 0o022) !== 0) return undefined;
    return JSON.parse(readFileSync(path, 'utf8')) as CacheManifest;
  } catch {
    return undefined;
  }
}

/** Writes `bytes` to `path` atomically (a fresh exclusive temp file, then a rename). */
function writeAtomic(path: string, bytes: Buffer | string, mode: number): void {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, bytes, { mode, flag: 'wx' });
  try {
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/** Copies made from another source or by an older patch (19 MB each); temp files stay. */
function removeStaleCopies(dir: string, current: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('libunicorn-storefix-') || name.endsWith('.tmp')) continue;
    if (name === current || name === `${current}.json`) continue;
    rmSync(join(dir, name), { force: true, recursive: true });
  }
}

/** A file's identity: device, inode, size, modification and change times (ns). */
function identity(st: BigIntStats): string {
  return [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':');
}

/**
 * The fast path: a copy verified before, whose source and copy are the very files that were
 * verified then (same identities), owned and moded as required. Undefined: do the full check.
 */
function alreadyVerified(systemPath: string, dir: string): VerifiedCopy | undefined {
  let real: string;
  let sourceId: string;
  try {
    real = realpathSync(systemPath);
    const st = statSync(real, { bigint: true });
    if (!st.isFile() || (st.uid !== 0n && st.uid !== BigInt(uid())) || (st.mode & 0o022n) !== 0n) return undefined;
    sourceId = identity(st);
  } catch {
    return undefined;
  }
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('libunicorn-storefix-') || !name.endsWith('.so.2.json')) continue;
    const m = readManifest(join(dir, name));
    if (!m || m.patch !== PATCH_ID || m.source.path !== real || m.verified?.source !== sourceId) continue;
    const path = join(dir, m.patched.file);
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return undefined;
    }
    const st = fstatSync(fd, { bigint: true });
    if (!st.isFile() || st.uid !== BigInt(uid()) || (st.mode & 0o022n) !== 0n || identity(st) !== m.verified.copy) {
      closeSync(fd);
      return undefined;
    }
    let open = true;
    return {
      path, sha256: m.patched.sha256, sourceSha256: m.source.sha256,
      loadPath: existsSync(`/proc/self/fd/${fd}`) ? `/proc/self/fd/${fd}` : path,
      release: () => { if (open) { open = false; closeSync(fd); } },
    };
  }
  return undefined;
}

/**
 * The store-fixed copy of `systemPath` in the private cache under `root`, verified and held
 * open for loading; made or rebuilt when missing or damaged.
 */
export function verifiedStoreFixedCopy(systemPath: string, root: string): VerifiedCopy | { refused: string } {
  const early = privateCacheDir(root);
  if (!('refused' in early) && !early.repaired) {
    const fast = alreadyVerified(systemPath, early.dir);
    if (fast) return fast;
  }
  const source = readSource(systemPath);
  if ('refused' in source) return { refused: `the installed library: ${source.refused}` };
  const site = findStoreFixSite(source.bytes);
  if ('refused' in site) return site;
  const expected: Expected = { source: source.bytes, site };
  const cache = early; // checked (and repaired) once, above
  if ('refused' in cache) return cache;
  const sums = hashes(expected);
  const sourceSha256 = sums.source;
  const patchedSha256 = sums.patched;
  const file = `libunicorn-storefix-${sourceSha256.slice(0, 16)}.so.2`;
  const path = join(cache.dir, file);
  const manifestPath = `${path}.json`;
  const manifest: CacheManifest = {
    patch: PATCH_ID,
    source: { path: source.real, size: source.bytes.length, sha256: sourceSha256 },
    patched: { file, size: source.bytes.length, sha256: patchedSha256 },
  };
  const notes: string[] = cache.repaired ? [cache.repaired] : [];
  let opened = openVerified(path, expected);
  const recorded = readManifest(manifestPath);
  const manifestOk = recorded !== undefined &&
    JSON.stringify({ ...recorded, verified: undefined }) === JSON.stringify({ ...manifest, verified: undefined });
  if (!('fd' in opened) || !manifestOk) {
    if ('fd' in opened) closeSync(opened.fd);
    else if (opened.bad !== 'missing') notes.push(`the cached copy was ${opened.bad}: rebuilt`);
    if ('fd' in opened && !manifestOk) notes.push('the cache manifest did not match: rebuilt');
    // A symlink or directory in the copy's place is moved out of the way by the rename below
    // (rename replaces a link itself, never its target); a directory has to go first.
    const st = lstatOrUndefined(path);
    if (st?.isDirectory()) renameSync(path, `${path}.refused-${process.pid}-${Date.now()}`);
    const bytes = patchedBytes(expected);
    if (sha256(bytes) !== patchedSha256) return { refused: 'the patched bytes do not hash as computed' };
    writeAtomic(path, bytes, 0o600);
    writeAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
    opened = openVerified(path, expected);
    if (!('fd' in opened)) return { refused: `the rebuilt copy ${path} does not verify: ${opened.bad}` };
    removeStaleCopies(cache.dir, file);
  }
  const fd = opened.fd;
  // Verified byte for byte: record which files these were, for the next loads' fast path.
  const verified = { source: identity(statSync(source.real, { bigint: true })), copy: identity(fstatSync(fd, { bigint: true })) };
  if (recorded?.verified?.source !== verified.source || recorded?.verified?.copy !== verified.copy || !manifestOk) {
    writeAtomic(manifestPath, `${JSON.stringify({ ...manifest, verified }, null, 2)}\n`, 0o600);
  }
  let open = true;
  return {
    path,
    sha256: patchedSha256,
    sourceSha256,
    ...(notes.length ? { repaired: notes.join('; ') } : {}),
    loadPath: existsSync(`/proc/self/fd/${fd}`) ? `/proc/self/fd/${fd}` : path,
    release: () => { if (open) { open = false; closeSync(fd); } },
  };
}
