/**
 * A snapshot of a whole device at rest, and the pieces that take and put back its parts that
 * are not objects of their own: the normal world's CPU registers, the non-zero pages of its
 * RAM and shared memory, and the files of the state directory. `Device.snapshot()` and
 * `Device.restore()` (device.ts) put the pieces together; snapshot-file.ts writes and checks
 * the file.
 *
 * What a snapshot holds, and why that is the whole device at rest:
 *
 *   normal world   registers (X0-X30, SP, PSTATE/NZCV, FPCR/FPSR, TPIDRRO_EL0) and the system
 *                  registers the firmware uses (VBAR, ELR, ESR, FAR, SPSR of EL1, SP_EL0,
 *                  TPIDR_EL0; it runs with the MMU off and -mgeneral-regs-only, so no page
 *                  tables and no SIMD registers), where it resumes, UART0's partial line, and
 *                  the non-zero 4 KiB pages of NS DRAM and NS shared memory (firmware, its
 *                  data and stacks, the mailbox, the request queue, its shm pool)
 *   secure world   the TEE core at rest (tee/core.ts CoreState: counters, RPC buffer, measured
 *                  boot log, TA times, boot seed) and UART1's partial line; secure RAM holds
 *                  nothing then (TA instances are not kept, see below)
 *   host side      the seeded random stream's position, the clock, the client's cookie count,
 *                  the engine numbering
 *   state files    hardware/ (fuses, anchors, trusted keys), ta/, secure-storage/, identity/
 *
 * "At rest" means no call in flight, no session open, no shared memory registered by a client:
 * a snapshot is refused otherwise, with a sentence naming what is open. Keep-alive TA
 * instances (a single-instance TA kept alive after its last session) are not kept: the
 * restored device starts without them, as after a boot, and loads them again at their next
 * open (their globals start over); the snapshot names them in `dropped`.
 */
import { lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Cpu } from '../cpu/cpu.js';
import { REG, xreg, type SysregName } from '../cpu/cpu.js';
import type { CoreState } from '../tee/core.js';
import { StateError, readPrivateFile, replacePrivateFile } from './private-files.js';

/** The state directory's folders a snapshot carries (lock, endpoint, admin token, socket and edge/ stay). */
export const SNAPSHOT_DIRS = ['hardware', 'ta', 'secure-storage', 'identity'] as const;

/** A run of non-zero pages: its offset in the region and its bytes (whole pages). */
export interface PageRun {
  offset: number;
  bytes: Uint8Array;
}

/** The normal world's CPU and memory. */
export interface NormalWorldState {
  /** Where the firmware resumes. */
  pc: number;
  /** NORMAL_REGS then NORMAL_SYSREGS, 64-bit little-endian each. */
  regs: Uint8Array;
  /** UART0's line not yet ended. */
  uart: Uint8Array;
  dram: PageRun[];
  shm: PageRun[];
}

/** One file of the state directory: its path below it ('/'-separated) and its bytes. */
export interface StateFile {
  path: string;
  bytes: Uint8Array;
}

/** The body of a snapshot file (snapshot-file.ts checks every field of one read back). */
export interface DeviceSnapshot {
  board: string;
  /** The emulator version that took it. */
  emulator: string;
  /** ISO time it was taken (host clock). */
  takenAt: string;
  /** The boot report of the device it was taken from. */
  report: { bootMs: number; osUuid: string };
  /** The seeded random stream (absent: the device drew from the system CSPRNG). */
  random?: { seed: Uint8Array; counter: number; pool: Uint8Array };
  /** The device clock: virtual (its time `t` comes back) or real (time goes on). */
  clock: { virtual: boolean; t: number };
  normal: NormalWorldState;
  /** UART1's line not yet ended. */
  secureUart: Uint8Array;
  core: CoreState;
  client: { cookieGeneration: number };
  engines: { nextId: number; instances: [string, number][] };
  /** Folders (so that empty ones come back too), then files, of SNAPSHOT_DIRS. */
  dirs: string[];
  files: StateFile[];
  /** Keep-alive TA instances alive when it was taken, which it does not keep (their UUIDs). */
  dropped: string[];
}

/** General registers, in this order (PSTATE first: it selects which SP `SP` is). */
export const NORMAL_REGS: readonly number[] = [REG.PSTATE, ...Array.from({ length: 31 }, (_, n) => xreg(n)), REG.SP, REG.NZCV,
  REG.TPIDRRO_EL0, REG.FPCR, REG.FPSR];
/** System registers, after the general ones. */
export const NORMAL_SYSREGS: readonly SysregName[] = ['VBAR_EL1', 'ELR_EL1', 'ESR_EL1', 'FAR_EL1', 'SPSR_EL1', 'SP_EL0', 'TPIDR_EL0'];
/** Bytes of NormalWorldState.regs. */
export const NORMAL_REGS_BYTES = 8 * (NORMAL_REGS.length + NORMAL_SYSREGS.length);

/** The registers of `cpu` as NormalWorldState.regs keeps them. */
export function saveRegisters(cpu: Cpu): Uint8Array {
  const out = new BigUint64Array(NORMAL_REGS.length + NORMAL_SYSREGS.length);
  out.set(cpu.readRegs(NORMAL_REGS));
  NORMAL_SYSREGS.forEach((name, i) => { out[NORMAL_REGS.length + i] = cpu.sysreg(name); });
  return new Uint8Array(out.buffer);
}

/** Writes registers kept by saveRegisters into `cpu` (same EL: a fresh normal-world engine is at EL1). */
export function loadRegisters(cpu: Cpu, regs: Uint8Array): void {
  const words = new BigUint64Array(Uint8Array.from(regs).buffer);
  cpu.writeRegs(NORMAL_REGS, [...words.subarray(0, NORMAL_REGS.length)]);
  NORMAL_SYSREGS.forEach((name, i) => cpu.setSysreg(name, words[NORMAL_REGS.length + i]!));
}

const PAGE = 4096;
/** Pages are compared with zeros a chunk at a time first: most of guest RAM is empty. */
const CHUNK = 64 * PAGE;
const ZERO_CHUNK = Buffer.alloc(CHUNK);
const ZERO_PAGE = ZERO_CHUNK.subarray(0, PAGE);

/** The non-zero pages of `mem` (a whole number of pages), neighbours joined into runs. */
export function savePages(mem: Uint8Array): PageRun[] {
  const runs: PageRun[] = [];
  const view = Buffer.from(mem.buffer, mem.byteOffset, mem.byteLength);
  let start = -1;
  const close = (end: number) => {
    if (start >= 0) runs.push({ offset: start, bytes: Uint8Array.prototype.slice.call(mem, start, end) });
    start = -1;
  };
  for (let off = 0; off < mem.byteLength; off += PAGE) {
    if (off % CHUNK === 0 && off + CHUNK <= mem.byteLength && view.subarray(off, off + CHUNK).equals(ZERO_CHUNK)) {
      close(off);
      off += CHUNK - PAGE;
      continue;
    }
    const zero = view.subarray(off, off + PAGE).equals(ZERO_PAGE);
    if (!zero && start < 0) start = off;
    else if (zero) close(off);
  }
  close(mem.byteLength);
  return runs;
}

/** Puts page runs back into zeroed memory (offsets and sizes were checked against it). */
export function loadPages(mem: Uint8Array, runs: readonly PageRun[]): void {
  for (const r of runs) mem.set(r.bytes, r.offset);
}

/** Folders and files of SNAPSHOT_DIRS in `stateDir` (a symbolic link there is refused). */
export function saveStateFiles(stateDir: string): { dirs: string[]; files: StateFile[] } {
  const dirs: string[] = [];
  const files: StateFile[] = [];
  const walk = (rel: string) => {
    const abs = join(stateDir, rel);
    for (const name of readdirSync(abs).sort()) {
      const path = `${rel}/${name}`;
      const st = lstatSync(join(abs, name));
      if (st.isDirectory()) {
        dirs.push(path);
        walk(path);
      } else if (st.isFile()) {
        if (/\.tmp(-\d+)?$/.test(name)) continue; // a write in progress elsewhere is not state
        files.push({ path, bytes: readPrivateFile(join(abs, name), 'state file')! });
      } else {
        throw new StateError(`${join(abs, name)} is neither a file nor a folder (a symbolic link?): a snapshot refuses it`);
      }
    }
  };
  for (const top of SNAPSHOT_DIRS) {
    let st;
    try {
      st = lstatSync(join(stateDir, top));
    } catch {
      continue;
    }
    if (!st.isDirectory()) throw new StateError(`${join(stateDir, top)} is not a folder: a snapshot refuses it`);
    dirs.push(top);
    walk(top);
  }
  return { dirs, files };
}

/**
 * Makes SNAPSHOT_DIRS of `stateDir` hold exactly the snapshot's folders and files: others are
 * removed, changed files replaced (atomically, mode 0600), equal ones left alone. Paths were
 * checked (snapshot-file.ts): relative, below SNAPSHOT_DIRS, no `..`.
 */
export function loadStateFiles(stateDir: string, dirs: readonly string[], files: readonly StateFile[]): void {
  const keepDirs = new Set(dirs);
  const keep = new Map(files.map((f) => [f.path, f.bytes]));
  const prune = (rel: string) => {
    const abs = join(stateDir, rel);
    for (const name of readdirSync(abs)) {
      const path = `${rel}/${name}`;
      const st = lstatSync(join(abs, name));
      if (st.isDirectory() && keepDirs.has(path)) prune(path);
      else if (!st.isDirectory() && keep.has(path) && st.isFile()) continue;
      else rmSync(join(abs, name), { recursive: true, force: true });
    }
  };
  for (const top of SNAPSHOT_DIRS) {
    let st;
    try {
      st = lstatSync(join(stateDir, top));
    } catch {
      continue;
    }
    if (!keepDirs.has(top)) rmSync(join(stateDir, top), { recursive: true, force: true });
    else if (st.isDirectory()) prune(top);
  }
  for (const d of dirs) mkdirSync(join(stateDir, d), { recursive: true, mode: 0o700 });
  for (const [path, bytes] of keep) {
    const abs = join(stateDir, path);
    const now = readPrivateFile(abs, 'state file');
    if (now && Buffer.compare(now, bytes) === 0) continue;
    replacePrivateFile(abs, bytes);
  }
}
