/**
 * `struct utee_params`, the one codec: how parameters sit in a TA's memory when the core enters
 * it (the block at the top of its stack) and when a TA calls another service (TA-to-TA). The
 * layout, from OP-TEE's utee_types.h: `u64 types; u64 vals[TEE_NUM_PARAMS * 2]`, where param
 * n is (a, b) = vals[2n], vals[2n + 1]: a value's a and b, or a memref's buffer VA and size.
 *
 * Everything here reads and writes a DataView at an offset, so the entry's hot path can use
 * the stack's own bytes without copies, and every other caller a checked copy of the block.
 */
import { TEE_NUM_PARAMS } from '../abi/tee-api.js';

/** sizeof(struct utee_params). */
export const UTEE_PARAMS_SIZE = 8 + 16 * TEE_NUM_PARAMS;
/** What the kernel reserves for it at the top of a TA's stack: ROUNDUP(72, 16). */
export const UTEE_PARAMS_RESERVED = Math.ceil(UTEE_PARAMS_SIZE / 16) * 16;

/** Largest size a TA can state that is still a safe JS integer (b's high word < 2^21). */
const SAFE_HIGH = 0x200000;

/** The 16 type bits of the block. */
export function uteeTypes(view: DataView, off: number): number {
  return view.getUint32(off, true) & 0xffff;
}

/** The low 32 bits of param n's a (field 0) or b (field 1): a value's content. */
export function uteeWord(view: DataView, off: number, n: number, field: 0 | 1): number {
  return view.getUint32(off + 8 + 16 * n + 8 * field, true);
}

/** Param n's a or b as a full 64-bit value (a memref's VA or size as the TA wrote it). */
export function uteeU64(view: DataView, off: number, n: number, field: 0 | 1): bigint {
  return view.getBigUint64(off + 8 + 16 * n + 8 * field, true);
}

/** Param n's b as a size; sizes beyond 2^53 - 1 are capped to the largest safe integer. */
export function uteeSize(view: DataView, off: number, n: number): number {
  const lo = view.getUint32(off + 16 + 16 * n, true);
  const hi = view.getUint32(off + 20 + 16 * n, true);
  return hi >= SAFE_HIGH ? Number.MAX_SAFE_INTEGER : hi * 2 ** 32 + lo;
}

/** Sets param n's a or b to `v` (a non-negative safe integer). */
export function setUteeField(view: DataView, off: number, n: number, field: 0 | 1, v: number): void {
  const at = off + 8 + 16 * n + 8 * field;
  view.setUint32(at, v % 2 ** 32, true);
  view.setUint32(at + 4, Math.floor(v / 2 ** 32), true);
}

/** Writes the whole block: the types, then (a, b) of each parameter from `vals`. */
export function writeUteeParams(view: DataView, off: number, types: number, vals: readonly number[]): void {
  view.setUint32(off, types >>> 0, true);
  view.setUint32(off + 4, 0, true);
  for (let i = 0; i < 2 * TEE_NUM_PARAMS; i++) {
    const v = vals[i]!; // non-negative safe integers: VAs, sizes, 32-bit values
    view.setUint32(off + 8 + 8 * i, v % 2 ** 32, true);
    view.setUint32(off + 12 + 8 * i, Math.floor(v / 2 ** 32), true);
  }
}

/** A DataView over a whole byte array. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
