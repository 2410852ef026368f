/**
 * Which libunicorn file the emulator loads, and the store fix.
 *
 * Debian's libunicorn 2.0.1 sends every guest store to RAM through QEMU's slow `notdirty_write`
 * path: its dirty-memory tracking is stubbed out so that every RAM page looks "clean" forever,
 * and each TLB entry for a writable page gets the TLB_NOTDIRTY flag. Each store then costs
 * about 85 ns instead of a few (upstream issue #1970, fixed after 2.0). That one flag is most
 * of the cost of a TA invoke and makes TA code ~7x slower than it needs to be.
 *
 * The store fix: at first use we copy Debian's library into a private cache directory and
 * rewrite the block of `tlb_set_page_with_attrs_aarch64` that sets TLB_NOTDIRTY so that pages
 * the guest may write no longer get it. Nothing else changes. The only behaviour lost is QEMU's detection of guest
 * stores into already-translated code; the emulator never relies on it: TA segments are never
 * both writable and executable (the loader refuses them), the firmware does not write code,
 * and code that JavaScript writes is followed by an explicit translation flush.
 *
 * `store-fix.ts` has the patch: it keeps TLB_NOTDIRTY (and so Unicorn's permission check) on
 * pages the guest may not write, so read-only and executable pages still fault. It is applied
 * only when every byte of the block is where 2.0.1 has it. `engine-cache.ts` keeps the copy in
 * a private cache, pinned by SHA-256 and verified before every load; a damaged copy is rebuilt.
 * Anything else (another build, another CPU, no private cache) falls back to the library as
 * installed, and `describeLibrary()` says why. `TRUSTBOX_UNICORN=system` loads the installed
 * library unchanged; a path loads that file. `uc_version()` is checked after loading.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, verifiedStoreFixedCopy, type VerifiedCopy } from './engine-cache.js';

export { PATCHED_FUNCTION, applyStoreFix } from './store-fix.js';

/** What `unicorn()` loads. */
export interface LibraryChoice {
  /** The library file: a path, or the bare soname for the dynamic loader to find. */
  readonly path: string;
  /** `store-fix`: our patched copy; `system`: as installed; `custom`: TRUSTBOX_UNICORN=<path>. */
  readonly variant: 'store-fix' | 'system' | 'custom';
  /** Why the store fix is not in use, when it is not. */
  readonly note?: string;
  /** SHA-256 of the store-fixed copy (verified before loading) and of its source. */
  readonly sha256?: string;
  readonly sourceSha256?: string;
  /** What was wrong with the cache and has been repaired (rebuilt, moved aside). */
  readonly repaired?: string;
}

export const SONAME = 'libunicorn.so.2';
/** uc_version() of 2.0.1: (2 << 24) | (0 << 16) | (1 << 8) | 255; the patch is for it alone. */
export const UC_VERSION_2_0_1 = 0x020001ff;

/** Where the installed library lives, by the multiarch layout Debian uses. */
export function findSystemLibrary(): string | undefined {
  const triplet = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  const dirs = [`/usr/lib/${triplet}`, '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return dirs.map((d) => join(d, SONAME)).find((p) => existsSync(p));
}

let chosen: LibraryChoice | undefined;
/** The verified copy held open until it is loaded. */
let held: VerifiedCopy | undefined;

/** Decides, once per thread, which library file to load. */
export function chooseLibrary(env: NodeJS.ProcessEnv = process.env): LibraryChoice {
  if (chosen) return chosen;
  chosen = decide(env);
  return chosen;
}

function decide(env: NodeJS.ProcessEnv): LibraryChoice {
  const wanted = env.TRUSTBOX_UNICORN?.trim();
  if (wanted && wanted !== 'store-fix' && wanted !== 'system') {
    return { path: wanted, variant: 'custom', note: 'TRUSTBOX_UNICORN names the library file' };
  }
  if (wanted === 'system') return { path: SONAME, variant: 'system', note: 'TRUSTBOX_UNICORN=system' };
  const system = findSystemLibrary();
  if (!system) return { path: SONAME, variant: 'system', note: `${SONAME} not found in the standard directories` };
  try {
    const copy = verifiedStoreFixedCopy(system, cacheRoot(env));
    if ('refused' in copy) return { path: system, variant: 'system', note: `store fix not applied: ${copy.refused}` };
    held?.release();
    held = copy;
    return {
      path: copy.path, variant: 'store-fix', sha256: copy.sha256, sourceSha256: copy.sourceSha256,
      ...(copy.repaired ? { repaired: copy.repaired } : {}),
    };
  } catch (e) {
    return { path: system, variant: 'system', note: `store fix not applied: ${(e as Error).message}` };
  }
}

/**
 * The path to hand to the dynamic loader for `choice`: for the store-fixed copy, the
 * descriptor through which its bytes were verified (`/proc/self/fd/N`), so nothing can swap
 * the file between the check and the load. Call `libraryLoaded()` after loading.
 */
export function libraryLoadPath(choice: LibraryChoice): string {
  if (choice.variant === 'store-fix' && held && held.path === choice.path) return held.loadPath;
  return choice.path;
}

/** Closes the descriptor of the verified copy once the loader has mapped it. */
export function libraryLoaded(): void {
  held?.release();
  held = undefined;
}

/**
 * Why a loaded library's `uc_version()` is not acceptable for `choice`, or undefined: the
 * store fix is for 2.0.1 exactly; any other library must at least be Unicorn 2.
 */
export function versionProblem(choice: LibraryChoice, version: number): string | undefined {
  const text = `${version >>> 24}.${(version >>> 16) & 0xff}.${(version >>> 8) & 0xff}`;
  if (choice.variant === 'store-fix') {
    return (version & ~0xff) === (UC_VERSION_2_0_1 & ~0xff) ? undefined : `the fixed copy reports version ${text}, not 2.0.1`;
  }
  return version >>> 24 === 2 ? undefined : `${choice.path} reports version ${text}, not 2.x`;
}

/**
 * The store-fixed copy could not be loaded (after it was verified: the loader refused it, or
 * its version is wrong): use the installed library for the rest of this thread's life, and
 * say why.
 */
export function fallBackToSystem(reason: string): LibraryChoice {
  libraryLoaded();
  const system = findSystemLibrary();
  chosen = { path: system ?? SONAME, variant: 'system', note: `store fix not applied: ${reason}` };
  return chosen;
}

/** One line for people: which engine library runs the guests. */
export function describeLibrary(choice: LibraryChoice = chooseLibrary()): string {
  switch (choice.variant) {
    case 'store-fix': {
      const sum = choice.sha256 ? `, sha256 ${choice.sha256.slice(0, 16)}..., verified` : '';
      const repaired = choice.repaired ? `; ${choice.repaired}` : '';
      return `libunicorn 2.0.1 with the store fix (${choice.path}${sum})${repaired}`;
    }
    case 'custom': return `libunicorn from ${choice.path}`;
    default: return `libunicorn as installed (${choice.path}); ${choice.note ?? ''}`.replace(/; $/, '');
  }
}
