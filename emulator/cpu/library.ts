/**
 * Which libunicorn file the emulator loads, and the store fix.
 *
 * Debian's libunicorn 2.0.1 sends every guest store to RAM through QEMU's slow `notdirty_write`
 * path: its dirty-memory tracking is stubbed out so that every RAM page looks "clean" forever,
 * and each TLB entry for a writable page gets the TLB_NOTDIRTY flag. Each store then costs
 * about 85 ns instead of a few (upstream issue #1970, fixed after 2.0). That one flag is most
 * of the cost of a TA invoke and makes TA code ~7x slower than it needs to be.
 *
 * The store fix: at first use we copy Debian's library into a cache directory and turn the one
 * instruction that sets TLB_NOTDIRTY in `tlb_set_page_with_attrs_aarch64` into a NOP of the
 * same length. Nothing else changes. The only behaviour lost is QEMU's detection of guest
 * stores into already-translated code; the emulator never relies on it: TA segments are never
 * both writable and executable (the loader refuses them), the firmware does not write code,
 * and code that JavaScript writes is followed by an explicit translation flush.
 *
 * The patch is applied only when the instruction is found exactly where it is expected (the
 * exported symbol's bytes, one match, followed by the `section->readonly` test). Anything else
 * (another build, another CPU) falls back to the library as installed, and `describeLibrary()`
 * says why. `TRUSTBOX_UNICORN=system` loads the installed library unchanged; a path loads
 * that file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** What `unicorn()` loads. */
export interface LibraryChoice {
  /** Passed to koffi.load: a path, or the bare soname for the dynamic loader to find. */
  readonly path: string;
  /** `store-fix`: our patched copy; `system`: as installed; `custom`: TRUSTBOX_UNICORN=<path>. */
  readonly variant: 'store-fix' | 'system' | 'custom';
  /** Why the store fix is not in use, when it is not. */
  readonly note?: string;
}

export const SONAME = 'libunicorn.so.2';
export const PATCHED_FUNCTION = 'tlb_set_page_with_attrs_aarch64';

/** `or $0x100, %r8`: TLB_NOTDIRTY (1 << (10 - 2) on ARM targets) added to the write address. */
const SET_NOTDIRTY = Buffer.from([0x49, 0x81, 0xc8, 0x00, 0x01, 0x00, 0x00]);
/** `nopl 0x0(%rax)`: a 7-byte NOP. */
const NOP7 = Buffer.from([0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00]);

const EM_X86_64 = 62;
const SHT_DYNSYM = 11;
const PT_LOAD = 1;

/** Where the installed library lives, by the multiarch layout Debian uses. */
export function findSystemLibrary(): string | undefined {
  const triplet = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  const dirs = [`/usr/lib/${triplet}`, '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return dirs.map((d) => join(d, SONAME)).find((p) => existsSync(p));
}

interface Symbol64 { value: bigint; size: bigint }

/** The dynamic symbol `name` of an x86-64 ELF shared object, and its file offset. */
function findFunction(elf: Buffer, name: string): { offset: number; size: number } | string {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF file';
  if (elf[4] !== 2 || elf[5] !== 1) return 'not a 64-bit little-endian ELF file';
  if (elf.readUInt16LE(18) !== EM_X86_64) return 'not an x86-64 library (the fix is for x86-64 code)';
  const shoff = Number(elf.readBigUInt64LE(40));
  const shentsize = elf.readUInt16LE(58);
  const shnum = elf.readUInt16LE(60);
  if (shoff + shnum * shentsize > elf.length) return 'section table out of the file';
  let symbol: Symbol64 | undefined;
  for (let i = 0; i < shnum && !symbol; i++) {
    const sh = shoff + i * shentsize;
    if (elf.readUInt32LE(sh + 4) !== SHT_DYNSYM) continue;
    const symOff = Number(elf.readBigUInt64LE(sh + 24));
    const symSize = Number(elf.readBigUInt64LE(sh + 32));
    const strSh = shoff + elf.readUInt32LE(sh + 40) * shentsize;
    const strOff = Number(elf.readBigUInt64LE(strSh + 24));
    for (let s = symOff; s + 24 <= symOff + symSize && s + 24 <= elf.length; s += 24) {
      const nameOff = strOff + elf.readUInt32LE(s);
      const end = elf.indexOf(0, nameOff);
      if (end < 0 || elf.toString('latin1', nameOff, end) !== name) continue;
      symbol = { value: elf.readBigUInt64LE(s + 8), size: elf.readBigUInt64LE(s + 16) };
      break;
    }
  }
  if (!symbol || symbol.size === 0n) return `symbol ${name} not found`;
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (elf.readUInt32LE(ph) !== PT_LOAD) continue;
    const fileOff = elf.readBigUInt64LE(ph + 8);
    const vaddr = elf.readBigUInt64LE(ph + 16);
    const filesz = elf.readBigUInt64LE(ph + 32);
    if (symbol.value >= vaddr && symbol.value + symbol.size <= vaddr + filesz) {
      return { offset: Number(fileOff + symbol.value - vaddr), size: Number(symbol.size) };
    }
  }
  return `symbol ${name} lies outside the loaded segments`;
}

/**
 * Applies the store fix to a copy of the library's bytes. Returns the patched bytes and the
 * file offset of the changed instruction, or the reason the fix does not apply.
 */
export function applyStoreFix(library: Buffer): { bytes: Buffer; offset: number } | { refused: string } {
  const fn = findFunction(library, PATCHED_FUNCTION);
  if (typeof fn === 'string') return { refused: fn };
  const body = library.subarray(fn.offset, fn.offset + fn.size);
  const hits: number[] = [];
  for (let at = body.indexOf(SET_NOTDIRTY); at >= 0; at = body.indexOf(SET_NOTDIRTY, at + 1)) hits.push(at);
  if (hits.length !== 1) return { refused: `expected one TLB_NOTDIRTY instruction in ${PATCHED_FUNCTION}, found ${hits.length}` };
  const at = hits[0]!;
  // What follows must be the `section->readonly` test (cmpb $0x0, disp8(%rsi)), as in 2.0.1.
  const next = body.subarray(at + SET_NOTDIRTY.length, at + SET_NOTDIRTY.length + 4);
  if (next.length !== 4 || next[0] !== 0x80 || next[1] !== 0x7e || next[3] !== 0x00) {
    return { refused: `the TLB_NOTDIRTY instruction in ${PATCHED_FUNCTION} is not where 2.0.1 has it` };
  }
  const bytes = Buffer.from(library);
  NOP7.copy(bytes, fn.offset + at);
  return { bytes, offset: fn.offset + at };
}

/** The cache directories to try, in order (TRUSTBOX_CACHE_DIR alone when it is set). */
function cacheDirs(env: NodeJS.ProcessEnv): string[] {
  if (env.TRUSTBOX_CACHE_DIR) return [env.TRUSTBOX_CACHE_DIR];
  const dirs: string[] = [];
  dirs.push(join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'trustbox-emulator'));
  dirs.push(join(tmpdir(), `trustbox-emulator-${process.getuid?.() ?? 'user'}`));
  return dirs;
}

/**
 * The patched copy of `systemPath`, made on first use. The cache key is the installed file's
 * size, modification time and inode, so a library upgrade makes a new copy.
 */
export function storeFixedCopy(systemPath: string, env: NodeJS.ProcessEnv = process.env): { path: string } | { refused: string } {
  const st = statSync(systemPath);
  const name = `libunicorn-storefix-${st.size}-${Math.floor(st.mtimeMs)}-${st.ino}.so.2`;
  const dirs = cacheDirs(env);
  for (const dir of dirs) {
    const path = join(dir, 'unicorn', name);
    if (existsSync(path)) return { path };
  }
  const fixed = applyStoreFix(readFileSync(systemPath));
  if ('refused' in fixed) return fixed;
  for (const dir of dirs) {
    const path = join(dir, 'unicorn', name);
    try {
      mkdirSync(join(dir, 'unicorn'), { recursive: true });
      // Write then rename: parallel processes (test workers) may race to create the same file.
      const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(temp, fixed.bytes, { mode: 0o644 });
      renameSync(temp, path);
      return { path };
    } catch {
      // Not writable: try the next directory.
    }
  }
  return { refused: `no writable cache directory (tried ${dirs.join(', ')})` };
}

let chosen: LibraryChoice | undefined;

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
    const copy = storeFixedCopy(system, env);
    if ('refused' in copy) return { path: system, variant: 'system', note: `store fix not applied: ${copy.refused}` };
    return { path: copy.path, variant: 'store-fix' };
  } catch (e) {
    return { path: system, variant: 'system', note: `store fix not applied: ${(e as Error).message}` };
  }
}

/**
 * The store-fixed copy could not be loaded (a damaged cache file, say): use the installed
 * library for the rest of this thread's life, and say why.
 */
export function fallBackToSystem(reason: string): LibraryChoice {
  const system = findSystemLibrary();
  chosen = { path: system ?? SONAME, variant: 'system', note: `store fix not applied: ${reason}` };
  return chosen;
}

/** One line for people: which engine library runs the guests. */
export function describeLibrary(choice: LibraryChoice = chooseLibrary()): string {
  switch (choice.variant) {
    case 'store-fix': return `libunicorn 2.0.1 with the store fix (${choice.path})`;
    case 'custom': return `libunicorn from ${choice.path}`;
    default: return `libunicorn as installed (${choice.path}); ${choice.note ?? ''}`.replace(/; $/, '');
  }
}
