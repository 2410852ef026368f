/**
 * Parameters as the TEE core carries them between a client (normal world or a calling TA) and
 * a trusted service. Memory references point at page-aligned windows of real memory (NS shared
 * memory or secure RAM) so that a user TA can have them mapped rather than copied.
 */
import {
  TEE_NUM_PARAMS, TEE_PARAM_TYPE_MEMREF_INOUT, TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE,
  TEE_PARAM_TYPE_VALUE_INOUT, TEE_PARAM_TYPE_VALUE_INPUT,
} from '../abi/tee-api.js';


export function paramType(types: number, i: number): number {
  return (types >>> (4 * i)) & 0xf;
}

export function isMemref(type: number): boolean {
  return type >= TEE_PARAM_TYPE_MEMREF_INPUT && type <= TEE_PARAM_TYPE_MEMREF_INOUT;
}

export function isValue(type: number): boolean {
  return type >= TEE_PARAM_TYPE_VALUE_INPUT && type <= TEE_PARAM_TYPE_VALUE_INOUT;
}

/** A buffer: `window` is page aligned and holds the data at `offset`. */
export interface MemRef {
  window: Uint8Array;
  offset: number;
  /** In: the buffer size. Out: the size the service reports (may exceed the buffer). */
  size: number;
  /** The size the caller gave; data is synced back only if `size` stays within it. */
  capacity: number;
  /** Whether the memory is secure (TA memory) or non-secure (client shared memory). */
  secure: boolean;
}

export interface TaParam {
  type: number;
  a: number;
  b: number;
  /** A memory reference, or null for a NULL memref. */
  mem?: MemRef | null;
  /** The size that goes with a NULL memref (a size query), in and out. */
  nullSize?: number;
}

export type TaParams = [TaParam, TaParam, TaParam, TaParam];

export function noParams(): TaParams {
  return [
    { type: TEE_PARAM_TYPE_NONE, a: 0, b: 0 }, { type: TEE_PARAM_TYPE_NONE, a: 0, b: 0 },
    { type: TEE_PARAM_TYPE_NONE, a: 0, b: 0 }, { type: TEE_PARAM_TYPE_NONE, a: 0, b: 0 },
  ];
}

export function typesOf(params: TaParams): number {
  let types = 0;
  for (let i = 0; i < TEE_NUM_PARAMS; i++) types |= params[i]!.type << (4 * i);
  return types;
}

/** The bytes a memref currently designates. */
export function memrefBytes(m: MemRef): Uint8Array {
  return m.window.subarray(m.offset, m.offset + Math.min(m.size, m.capacity));
}
