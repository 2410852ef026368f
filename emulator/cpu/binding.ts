/**
 * The second, fast koffi binding of libunicorn that `Cpu` uses on its hot paths, and the hook
 * prototypes of its callbacks. `unicorn.ts` holds the general typed facade (every function, with
 * pointers as koffi pointers); this module binds the few calls made on every syscall, SMC and
 * run again, with the engine handle and native addresses as plain 64-bit integers.
 *
 * Why a second binding: koffi converts BigInt pointers on every call (IsBigInt,
 * GetValueBigInt...), while a JS number converts faster. The C signatures are the same at the
 * register level (a pointer and a uint64_t travel in the same register), so both bindings call
 * the same functions of the same loaded library. Measured: a syscall ~80 ns cheaper.
 */
import koffi from 'koffi';
import type { TypeObject } from 'koffi';
import { chooseLibrary } from './library.js';

/**
 * Hook prototypes for `Cpu`'s callbacks, with the engine and user-data pointers taken as plain
 * 64-bit integers: koffi then hands JS a number instead of building a pointer value on every
 * call (~15 ns less per svc, smc and device access). No hook uses either argument.
 */
export interface HookProtos {
  intr: TypeObject;
  memEvent: TypeObject;
  mmioRead: TypeObject;
  mmioWrite: TypeObject;
}

let declared: HookProtos | undefined;

/** Declares a prototype once per thread (koffi type names are global to it). */
function declareProto(name: string, signature: string): TypeObject {
  try {
    return koffi.proto(signature.replace('NAME', name));
  } catch (error) {
    // Another copy of this module (sources and dist side by side) declared it already.
    try {
      return koffi.type(name);
    } catch {
      throw error;
    }
  }
}

/** The hook prototypes, declared on first use. */
export function hookProtos(): HookProtos {
  declared ??= {
    intr: declareProto('tb_cpu_hook_intr', 'void NAME(uint64_t uc, uint32_t intno, uint64_t user_data)'),
    memEvent: declareProto('tb_cpu_hook_mem_event',
      'bool NAME(uint64_t uc, int type, uint64_t address, int size, int64_t value, uint64_t user_data)'),
    mmioRead: declareProto('tb_cpu_mmio_read', 'uint64_t NAME(uint64_t uc, uint64_t offset, unsigned int size, uint64_t user_data)'),
    mmioWrite: declareProto('tb_cpu_mmio_write',
      'void NAME(uint64_t uc, uint64_t offset, unsigned int size, uint64_t value, uint64_t user_data)'),
  };
  return declared;
}

/**
 * The calls made on every syscall, SMC and run, with the handle and the (native, never moving)
 * buffer addresses as numbers. Same library file as unicorn.ts (the same choice, so dlopen
 * hands back the same loaded library).
 */
export interface HotCalls {
  regRead(uc: number, id: number, value: number): number;
  regWrite(uc: number, id: number, value: number): number;
  regReadBatch(uc: number, ids: number, vals: number, count: number): number;
  regWriteBatch(uc: number, ids: number, vals: number, count: number): number;
  emuStart(uc: number, begin: number, until: number, timeout: number, count: number): number;
  emuStop(uc: number): number;
}

let bound: HotCalls | undefined;

/** The hot calls, bound on first use. */
export function hotCalls(): HotCalls {
  if (!bound) {
    const lib = koffi.load(chooseLibrary().path);
    const f = <T>(decl: string) => lib.func(decl) as unknown as T;
    bound = {
      regRead: f('int uc_reg_read(uint64_t uc, int regid, uint64_t value)'),
      regWrite: f('int uc_reg_write(uint64_t uc, int regid, uint64_t value)'),
      regReadBatch: f('int uc_reg_read_batch(uint64_t uc, uint64_t regs, uint64_t vals, int count)'),
      regWriteBatch: f('int uc_reg_write_batch(uint64_t uc, uint64_t regs, uint64_t vals, int count)'),
      emuStart: f('int uc_emu_start(uint64_t uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)'),
      emuStop: f('int uc_emu_stop(uint64_t uc)'),
    };
  }
  return bound;
}

let madvise: ((addr: bigint, length: number, advice: number) => number) | undefined | null;
/** Linux's MADV_DONTNEED: private anonymous pages read as zeros afterwards. */
const MADV_DONTNEED = 4;

/**
 * Zeroes [address, address + length) of private anonymous memory (a SharedArrayBuffer's) by
 * giving its pages back to the kernel: pages never touched cost nothing, so this is far cheaper
 * than writing zeros over mostly empty guest RAM. False where madvise is not available (then the
 * caller writes the zeros).
 */
export function discardNative(address: bigint, length: number): boolean {
  if (madvise === undefined) {
    try {
      madvise = process.platform === 'linux'
        ? koffi.load('libc.so.6').func('int madvise(uint64_t addr, size_t length, int advice)') as unknown as typeof madvise : null;
    } catch {
      madvise = null;
    }
  }
  return madvise ? madvise(address, length, MADV_DONTNEED) === 0 : false;
}

let nativeNoop: bigint | undefined;

/**
 * A C function that is safe to call as a hook and does nothing: libc `abs` (it reads its first
 * argument and returns). Not getpid: that is a real system call on every invocation.
 */
export function noopCallback(): bigint {
  if (nativeNoop === undefined) {
    const libc = koffi.load('libc.so.6');
    nativeNoop = BigInt(koffi.address(libc.symbol('abs')));
  }
  return nativeNoop;
}
