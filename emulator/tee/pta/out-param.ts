/**
 * Output memrefs of pseudo-TAs, as OP-TEE's PTAs write them: the bytes when they fit, otherwise
 * the size needed written back (a NULL memref's size too) so the caller can retry.
 */
import type { TaParam } from '../params.js';

/** Writes `data` into an output memref; false (and the size needed set) when it does not fit. */
export function writeOut(p: TaParam, data: Uint8Array): boolean {
  if (!p.mem) {
    p.nullSize = data.length;
    return data.length === 0;
  }
  if (data.length > p.mem.size) {
    p.mem.size = data.length;
    return false;
  }
  p.mem.window.set(data, p.mem.offset);
  p.mem.size = data.length;
  return true;
}

/** The parameter types word of four types. */
export const paramTypes = (a: number, b = 0, c = 0, d = 0): number => a | (b << 4) | (c << 8) | (d << 12);
