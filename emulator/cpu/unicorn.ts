/**
 * Typed facade over Debian's libunicorn 2.0.1, loaded through koffi (by default a copy with
 * the store fix, see `library.ts`).
 *
 * Only the CPU layer touches koffi: this module, the hot-call binding, hook prototypes and the
 * libc no-op in `binding.ts`, and the watchdog thread. Everything above it uses the `Cpu` class
 * in `cpu.ts`. The numbers below come from `<unicorn/unicorn.h>` and `<unicorn/arm64.h>` of
 * 2.0.1; `../shared/reference/unicorn-2.0.1.md` explains the engine's quirks that shape this
 * binding (hooks that must never throw, system registers through a whitelist, and so on).
 */
import koffi from 'koffi';
import type { LibraryHandle, TypeObject } from 'koffi';
import { chooseLibrary, fallBackToSystem, libraryLoadPath, libraryLoaded, versionProblem } from './library.js';

export const UC_ARCH_ARM64 = 2;
export const UC_MODE_ARM = 0;

/** Memory permissions (UC_PROT_*). */
export const UC_PROT_NONE = 0;
export const UC_PROT_READ = 1;
export const UC_PROT_WRITE = 2;
export const UC_PROT_EXEC = 4;
export const UC_PROT_ALL = 7;

/** Hook types (UC_HOOK_*). */
export const UC_HOOK_INTR = 1 << 0;
export const UC_HOOK_CODE = 1 << 2;
export const UC_HOOK_BLOCK = 1 << 3;
export const UC_HOOK_MEM_READ_UNMAPPED = 1 << 4;
export const UC_HOOK_MEM_WRITE_UNMAPPED = 1 << 5;
export const UC_HOOK_MEM_FETCH_UNMAPPED = 1 << 6;
export const UC_HOOK_MEM_READ_PROT = 1 << 7;
export const UC_HOOK_MEM_WRITE_PROT = 1 << 8;
export const UC_HOOK_MEM_FETCH_PROT = 1 << 9;
export const UC_HOOK_MEM_READ = 1 << 10;
export const UC_HOOK_MEM_WRITE = 1 << 11;
export const UC_HOOK_MEM_INVALID = 0x3f0;

/** Memory access kinds passed to memory hooks (uc_mem_type). */
export const UC_MEM_READ = 16;
export const UC_MEM_WRITE = 17;
export const UC_MEM_FETCH = 18;
export const UC_MEM_READ_UNMAPPED = 19;
export const UC_MEM_WRITE_UNMAPPED = 20;
export const UC_MEM_FETCH_UNMAPPED = 21;
export const UC_MEM_WRITE_PROT = 22;
export const UC_MEM_READ_PROT = 23;
export const UC_MEM_FETCH_PROT = 24;

/** uc_ctl requests (UC_CTL_WRITE(...) already encoded). */
export const UC_CTL_CPU_MODEL_WRITE = 0x44000007;
export const UC_CTL_TB_REMOVE_CACHE_WRITE = 0x48000009;

/** CPU models (UC_CPU_ARM64_*). */
export const UC_CPU_ARM64_A53 = 1;
export const UC_CPU_ARM64_A72 = 2;

/** Error codes (uc_err). */
export const UC_ERR_OK = 0;
export const UC_ERR_READ_UNMAPPED = 6;
export const UC_ERR_WRITE_UNMAPPED = 7;
export const UC_ERR_FETCH_UNMAPPED = 8;
export const UC_ERR_WRITE_PROT = 12;
export const UC_ERR_READ_PROT = 13;
export const UC_ERR_FETCH_PROT = 14;
export const UC_ERR_EXCEPTION = 21;

const ERROR_NAMES = [
  'UC_ERR_OK', 'UC_ERR_NOMEM', 'UC_ERR_ARCH', 'UC_ERR_HANDLE', 'UC_ERR_MODE', 'UC_ERR_VERSION',
  'UC_ERR_READ_UNMAPPED', 'UC_ERR_WRITE_UNMAPPED', 'UC_ERR_FETCH_UNMAPPED', 'UC_ERR_HOOK',
  'UC_ERR_INSN_INVALID', 'UC_ERR_MAP', 'UC_ERR_WRITE_PROT', 'UC_ERR_READ_PROT', 'UC_ERR_FETCH_PROT',
  'UC_ERR_ARG', 'UC_ERR_READ_UNALIGNED', 'UC_ERR_WRITE_UNALIGNED', 'UC_ERR_FETCH_UNALIGNED',
  'UC_ERR_HOOK_EXIST', 'UC_ERR_RESOURCE', 'UC_ERR_EXCEPTION',
];

/** The name of a uc_err value. */
export function ucErrorName(err: number): string {
  return ERROR_NAMES[err] ?? `UC_ERR_${err}`;
}

/** An error reported by the engine itself (not by a guest). */
export class UnicornError extends Error {
  constructor(public readonly call: string, public readonly ucErr: number) {
    super(`${call} failed: ${ucErrorName(ucErr)}`);
    this.name = 'UnicornError';
  }
}

type Fn = (...args: unknown[]) => unknown;

/** The raw functions of libunicorn, typed loosely; `Cpu` wraps them. */
export interface UnicornLib {
  version(): number;
  open(arch: number, mode: number, out: unknown[]): number;
  close(uc: bigint): number;
  ctl: Fn;
  memMap(uc: bigint, addr: number | bigint, size: number, perms: number): number;
  memMapPtr(uc: bigint, addr: number | bigint, size: number, perms: number, ptr: bigint): number;
  mmioMap(uc: bigint, addr: number | bigint, size: number, read: bigint, rud: null, write: bigint, wud: null): number;
  memUnmap(uc: bigint, addr: number | bigint, size: number): number;
  memProtect(uc: bigint, addr: number | bigint, size: number, perms: number): number;
  memRead(uc: bigint, addr: number | bigint, buf: Uint8Array, size: number): number;
  memWrite(uc: bigint, addr: number | bigint, buf: Uint8Array, size: number): number;
  regRead(uc: bigint, id: number, value: bigint | Uint8Array | BigUint64Array): number;
  regWrite(uc: bigint, id: number, value: bigint | Uint8Array | BigUint64Array): number;
  regReadBatch(uc: bigint, ids: bigint, vals: bigint, count: number): number;
  regWriteBatch(uc: bigint, ids: bigint, vals: bigint, count: number): number;
  emuStart(uc: bigint, begin: number | bigint, until: number | bigint, timeout: number, count: number): number;
  emuStop(uc: bigint): number;
  hookAdd(uc: bigint, out: unknown[], type: number, cb: bigint, ud: bigint | null, begin: number | bigint, end: number | bigint): number;
  hookDel(uc: bigint, hh: number | bigint): number;
  contextAlloc(uc: bigint, out: unknown[]): number;
  contextSave(uc: bigint, ctx: bigint): number;
  contextRestore(uc: bigint, ctx: bigint): number;
  contextFree(ctx: bigint): number;
  /** Callback prototypes, declared once per process (koffi names are global). */
  protoIntr: unknown;
  protoMem: unknown;
  protoMemEvent: unknown;
  protoMmioRead: unknown;
  protoMmioWrite: unknown;
}

/** What to tell a person whose machine lacks the library. */
export const UNICORN_INSTALL_HINT =
  'libunicorn 2 is not installed. Install it with `sudo apt-get install -y libunicorn2` ' +
  '(or run `bash scripts/setup.sh`, which installs everything the emulator needs).';

let cached: UnicornLib | undefined;

/** Loads libunicorn once per thread and returns the typed functions. */
export function unicorn(): UnicornLib {
  if (cached) return cached;
  let lib: LibraryHandle;
  let choice = chooseLibrary();
  try {
    lib = koffi.load(libraryLoadPath(choice));
  } catch (e) {
    libraryLoaded();
    if (choice.variant === 'custom') throw new Error(`cannot load TRUSTBOX_UNICORN=${choice.path}: ${(e as Error).message}`);
    if (choice.variant !== 'store-fix') throw new Error(UNICORN_INSTALL_HINT);
    // The copy was verified byte for byte, so this is the loader's refusal (a noexec cache
    // directory, say), not a damaged file: run unpatched, and say so.
    choice = fallBackToSystem(`the verified copy ${choice.path} does not load (${(e as Error).message})`);
    try {
      lib = koffi.load(choice.path);
    } catch {
      throw new Error(UNICORN_INSTALL_HINT);
    }
  }
  libraryLoaded();
  const problem = versionProblem(choice, (lib.func('unsigned int uc_version(void *major, void *minor)') as unknown as Fn)(null, null) as number);
  if (problem) {
    lib.unload();
    if (choice.variant !== 'store-fix') throw new Error(`unusable engine library: ${problem}`);
    choice = fallBackToSystem(problem);
    lib = koffi.load(choice.path);
    const again = versionProblem(choice, (lib.func('unsigned int uc_version(void *major, void *minor)') as unknown as Fn)(null, null) as number);
    if (again) throw new Error(`unusable engine library: ${again}`);
  }
  koffi.opaque('uc_engine');
  koffi.opaque('uc_context');
  const f = (decl: string) => lib.func(decl) as unknown as Fn;
  const uc = {
    version: f('unsigned int uc_version(void *major, void *minor)'),
    open: f('int uc_open(int arch, int mode, _Out_ uc_engine **uc)'),
    close: f('int uc_close(uc_engine *uc)'),
    ctl: f('int uc_ctl(uc_engine *uc, uint32_t control, ...)'),
    memMap: f('int uc_mem_map(uc_engine *uc, uint64_t address, size_t size, uint32_t perms)'),
    memMapPtr: f('int uc_mem_map_ptr(uc_engine *uc, uint64_t address, size_t size, uint32_t perms, void *ptr)'),
    mmioMap: f('int uc_mmio_map(uc_engine *uc, uint64_t address, size_t size, void *read_cb, void *rud, void *write_cb, void *wud)'),
    memUnmap: f('int uc_mem_unmap(uc_engine *uc, uint64_t address, size_t size)'),
    memProtect: f('int uc_mem_protect(uc_engine *uc, uint64_t address, size_t size, uint32_t perms)'),
    memRead: f('int uc_mem_read(uc_engine *uc, uint64_t address, _Out_ uint8_t *bytes, size_t size)'),
    memWrite: f('int uc_mem_write(uc_engine *uc, uint64_t address, const uint8_t *bytes, size_t size)'),
    regRead: f('int uc_reg_read(uc_engine *uc, int regid, void *value)'),
    regWrite: f('int uc_reg_write(uc_engine *uc, int regid, const void *value)'),
    regReadBatch: f('int uc_reg_read_batch(uc_engine *uc, void *regs, void *vals, int count)'),
    regWriteBatch: f('int uc_reg_write_batch(uc_engine *uc, void *regs, void *vals, int count)'),
    emuStart: f('int uc_emu_start(uc_engine *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)'),
    emuStop: f('int uc_emu_stop(uc_engine *uc)'),
    hookAdd: f('int uc_hook_add(uc_engine *uc, _Out_ size_t *hh, int type, void *callback, void *user_data, uint64_t begin, uint64_t end, ...)'),
    hookDel: f('int uc_hook_del(uc_engine *uc, size_t hh)'),
    contextAlloc: f('int uc_context_alloc(uc_engine *uc, _Out_ uc_context **context)'),
    contextSave: f('int uc_context_save(uc_engine *uc, uc_context *context)'),
    contextRestore: f('int uc_context_restore(uc_engine *uc, uc_context *context)'),
    contextFree: f('int uc_context_free(uc_context *context)'),
    protoIntr: koffi.proto('void tb_uc_hook_intr(uc_engine *uc, uint32_t intno, void *user_data)'),
    protoMem: koffi.proto('void tb_uc_hook_mem(uc_engine *uc, int type, uint64_t address, int size, int64_t value, void *user_data)'),
    protoMemEvent: koffi.proto('bool tb_uc_hook_mem_event(uc_engine *uc, int type, uint64_t address, int size, int64_t value, void *user_data)'),
    protoMmioRead: koffi.proto('uint64_t tb_uc_mmio_read(uc_engine *uc, uint64_t offset, unsigned int size, void *user_data)'),
    protoMmioWrite: koffi.proto('void tb_uc_mmio_write(uc_engine *uc, uint64_t offset, unsigned int size, uint64_t value, void *user_data)'),
  };
  cached = uc as unknown as UnicornLib;
  return cached;
}

/**
 * Opens an AArch64 engine of the given model (UC_CPU_ARM64_*) and returns its handle. The
 * model must be chosen before any other call initialises the engine (reference notes, Q5).
 */
export function openArm64(uc: UnicornLib, model: number): bigint {
  const out: unknown[] = [null];
  const err = uc.open(UC_ARCH_ARM64, UC_MODE_ARM, out);
  if (err !== 0) throw new UnicornError('uc_open', err);
  const handle = out[0] as bigint;
  const ctlErr = uc.ctl(handle, UC_CTL_CPU_MODEL_WRITE, 'int', model) as number;
  if (ctlErr !== 0) {
    uc.close(handle);
    throw new UnicornError('uc_ctl(CPU_MODEL)', ctlErr);
  }
  return handle;
}

/** Registers a JS function as a C callback of the given prototype. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function registerCallback(fn: (...args: any[]) => unknown, proto: unknown): bigint {
  return koffi.register(fn, koffi.pointer(proto as TypeObject));
}

/** Frees a callback slot (there are 8192 per process). */
export function unregisterCallback(ptr: bigint): void {
  koffi.unregister(ptr);
}

/** Native memory that never moves, with a typed view over it. */
export function allocNative(bytes: number): { ptr: bigint; view: ArrayBuffer } {
  const ptr = koffi.alloc('uint8_t', bytes) as bigint;
  return { ptr, view: koffi.view(ptr, bytes) };
}

/** Frees memory from `allocNative`. */
export function freeNative(ptr: bigint): void {
  koffi.free(ptr);
}

/** The address of a SharedArrayBuffer-backed or native array (stable for its lifetime). */
export function addressOf(value: ArrayBufferView): bigint {
  return koffi.address(value);
}
