/**
 * Batched register access for one engine: `uc_reg_read_batch` / `uc_reg_write_batch` over
 * native arrays that are allocated once. A batch of 34 registers costs about as much as one
 * single-register call (reference notes, Q3), so the TA entry and the SMC path use these.
 */
import type { HotCalls } from './binding.js';
import { UnicornError, allocNative, freeNative } from './unicorn.js';

/** The most registers one batch call may name. */
const MAX = 40;

/** The native id, value and value-pointer arrays of one engine, and views over them. */
export class RegisterBatch {
  private readonly idsPtr: bigint;
  private readonly valsPtr: bigint;
  private readonly ptrsPtr: bigint;
  /** The same addresses as numbers: the hot binding takes numbers. */
  private readonly idsAddr: number;
  private readonly ptrsAddr: number;
  private readonly idView: Int32Array;
  private readonly valView: BigUint64Array;
  /** The values as 32-bit words: register i is [2i] (low) and [2i + 1] (high). */
  readonly words: Uint32Array;
  /** Views of the first n values, by n (made once: subarray allocates). */
  private readonly views: BigUint64Array[] = [];
  /** The id list last copied in (the same constant arrays come back on every call). */
  private loaded: readonly number[] | undefined;

  constructor(private readonly calls: HotCalls, private readonly h: number) {
    const ids = allocNative(4 * MAX);
    const vals = allocNative(8 * MAX);
    const ptrs = allocNative(8 * MAX);
    const ptrView = new BigUint64Array(ptrs.view);
    for (let i = 0; i < MAX; i++) ptrView[i] = vals.ptr + BigInt(8 * i);
    this.idsPtr = ids.ptr;
    this.valsPtr = vals.ptr;
    this.ptrsPtr = ptrs.ptr;
    this.idsAddr = Number(ids.ptr);
    this.ptrsAddr = Number(ptrs.ptr);
    this.idView = new Int32Array(ids.view);
    this.valView = new BigUint64Array(vals.view);
    this.words = new Uint32Array(vals.view);
  }

  private load(ids: readonly number[]): void {
    if (ids === this.loaded) return;
    if (ids.length > MAX) throw new RangeError('too many registers in one batch');
    for (let i = 0; i < ids.length; i++) this.idView[i] = ids[i]!;
    this.loaded = ids;
  }

  private readRaw(ids: readonly number[]): void {
    this.load(ids);
    const err = this.calls.regReadBatch(this.h, this.idsAddr, this.ptrsAddr, ids.length);
    if (err !== 0) throw new UnicornError('uc_reg_read_batch', err);
  }

  /** Reads the registers `ids`; the returned array is reused by the next call. */
  read(ids: readonly number[]): BigUint64Array {
    this.readRaw(ids);
    let view = this.views[ids.length];
    if (!view) {
      view = this.valView.subarray(0, ids.length);
      this.views[ids.length] = view;
    }
    return view;
  }

  /** Reads the registers `ids` and returns them as 32-bit words (see `words`). */
  readWords(ids: readonly number[]): Uint32Array {
    this.readRaw(ids);
    return this.words;
  }

  /** Writes the first `count` of `ids` (values: bigints or non-negative safe integers). */
  write(ids: readonly number[], values: readonly (bigint | number)[], count: number): void {
    const { valView, words } = this;
    if (count > ids.length || values.length < count) throw new RangeError('bad register batch');
    this.load(ids);
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
        words[2 * i] = v % 2 ** 32;
        words[2 * i + 1] = Math.floor(v / 2 ** 32);
      } else {
        valView[i] = BigInt.asUintN(64, BigInt(v));
      }
    }
    const err = this.calls.regWriteBatch(this.h, this.idsAddr, this.ptrsAddr, count);
    if (err !== 0) throw new UnicornError('uc_reg_write_batch', err);
  }

  /** Frees the native arrays (the engine closed). */
  free(): void {
    freeNative(this.idsPtr);
    freeNative(this.valsPtr);
    freeNative(this.ptrsPtr);
  }
}
