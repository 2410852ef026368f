/**
 * What a server of one RPC command is, and what it may use: the supplicant dispatches RPCs to
 * handlers by command number (LOAD_TA, GET_TIME, the file server's FS), and a handler reaches
 * the RPC's buffers in NS shared memory only through the supplicant's bounded accessors. A
 * module of its own so that the supplicant and the servers it registers import it, not each
 * other.
 */
import type { MsgArg } from '../abi/optee-msg.js';

/** A handler for one RPC command; it edits `arg` in place (params and ret). */
export type RpcCommandHandler = (arg: MsgArg) => void;

/** Copies between the host and NS shared memory, refusing ranges outside it. */
export interface ShmAccess {
  /** `len` bytes at physical address `pa` (a copy); undefined outside shared memory. */
  copyIn(pa: bigint | number, len: number): Buffer | undefined;
  /** Writes `bytes` at physical address `pa`; false outside shared memory. */
  copyOut(pa: bigint | number, bytes: Uint8Array): boolean;
}
