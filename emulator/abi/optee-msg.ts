/**
 * OP-TEE's message structures (optee_msg.h): `struct optee_msg_arg` with its 32-byte header
 * and 32-byte parameters, RPC command numbers, and reading/writing them in memory.
 */

export const OPTEE_MSG_ATTR_TYPE_NONE = 0x0;
export const OPTEE_MSG_ATTR_TYPE_VALUE_INPUT = 0x1;
export const OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT = 0x2;
export const OPTEE_MSG_ATTR_TYPE_VALUE_INOUT = 0x3;
export const OPTEE_MSG_ATTR_TYPE_RMEM_INPUT = 0x5;
export const OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT = 0x6;
export const OPTEE_MSG_ATTR_TYPE_RMEM_INOUT = 0x7;
export const OPTEE_MSG_ATTR_TYPE_TMEM_INPUT = 0x9;
export const OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT = 0xa;
export const OPTEE_MSG_ATTR_TYPE_TMEM_INOUT = 0xb;
export const OPTEE_MSG_ATTR_TYPE_MASK = 0xff;
export const OPTEE_MSG_ATTR_META = 0x100;
export const OPTEE_MSG_ATTR_NONCONTIG = 0x200;

export const OPTEE_MSG_CMD_OPEN_SESSION = 0;
export const OPTEE_MSG_CMD_INVOKE_COMMAND = 1;
export const OPTEE_MSG_CMD_CLOSE_SESSION = 2;
export const OPTEE_MSG_CMD_CANCEL = 3;
export const OPTEE_MSG_CMD_REGISTER_SHM = 4;
export const OPTEE_MSG_CMD_UNREGISTER_SHM = 5;

export const OPTEE_MSG_LOGIN_PUBLIC = 0x0;
export const OPTEE_MSG_LOGIN_USER = 0x1;
export const OPTEE_MSG_LOGIN_GROUP = 0x2;
export const OPTEE_MSG_LOGIN_APPLICATION = 0x4;
export const OPTEE_MSG_LOGIN_APPLICATION_USER = 0x5;
export const OPTEE_MSG_LOGIN_APPLICATION_GROUP = 0x6;
export const OPTEE_MSG_LOGIN_REE_KERNEL = 0x80000000;

export const OPTEE_RPC_CMD_LOAD_TA = 0;
export const OPTEE_RPC_CMD_RPMB = 1;
export const OPTEE_RPC_CMD_FS = 2;
export const OPTEE_RPC_CMD_GET_TIME = 3;
export const OPTEE_RPC_CMD_NOTIFICATION = 4;
export const OPTEE_RPC_CMD_SUSPEND = 5;
export const OPTEE_RPC_CMD_SHM_ALLOC = 6;
export const OPTEE_RPC_CMD_SHM_FREE = 7;
export const OPTEE_RPC_CMD_SOCKET = 10;
export const OPTEE_RPC_CMD_SUPP_PLUGIN = 12;
/**
 * Ours (upstream OP-TEE has none; Open Enclave's OP-TEE fork adds a GENERIC command of its own):
 * an RPC that a client program serves, such as an Open Enclave ocall from OE's RPC pseudo-TA.
 * value0.a = the function (OE_OCALL_*), tmem1 in/out arguments, tmem2 input, tmem3 output.
 */
export const OPTEE_RPC_CMD_GENERIC = 0x4f45;
export const OPTEE_RPC_SHM_TYPE_APPL = 0;
export const OPTEE_RPC_SHM_TYPE_KERNEL = 1;

export const MSG_HEADER_SIZE = 32;
export const MSG_PARAM_SIZE = 32;
/** Our limit on parameters in one message (4 client + 2 meta, with room for RPCs). */
export const MSG_MAX_PARAMS = 8;

export interface MsgParam {
  attr: number;
  /** value.a / tmem.buf_ptr / rmem.offs */
  a: bigint;
  /** value.b / size */
  b: bigint;
  /** value.c / shm_ref */
  c: bigint;
}

export interface MsgArg {
  cmd: number;
  func: number;
  session: number;
  cancelId: number;
  ret: number;
  retOrigin: number;
  params: MsgParam[];
}

/** DataViews over the memories messages live in (NS shared memory), made once per memory. */
const views = new WeakMap<Uint8Array, DataView>();

function viewOf(mem: Uint8Array): DataView {
  let v = views.get(mem);
  if (!v) {
    v = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    views.set(mem, v);
  }
  return v;
}

/** Reads a 64-bit little-endian field as a bigint, from two 32-bit reads (no BigInt math when small). */
function getU64(v: DataView, o: number): bigint {
  const hi = v.getUint32(o + 4, true);
  const lo = v.getUint32(o, true);
  return hi === 0 ? BigInt(lo) : v.getBigUint64(o, true);
}

/** Size in bytes of a message with `n` parameters. */
export function msgArgSize(n: number): number {
  return MSG_HEADER_SIZE + MSG_PARAM_SIZE * n;
}

/** Parses a message from memory at `offset`; bounds are the caller's to check first. */
export function readMsgArg(mem: Uint8Array, offset: number, maxParams = MSG_MAX_PARAMS): MsgArg | string {
  if (offset < 0 || offset + MSG_HEADER_SIZE > mem.length) return 'the message header lies outside shared memory';
  const v = viewOf(mem);
  const n = v.getUint32(offset + 28, true);
  if (n > maxParams) return `the message claims ${n} parameters (at most ${maxParams})`;
  if (offset + msgArgSize(n) > mem.length) return 'the message parameters lie outside shared memory';
  const params: MsgParam[] = [];
  for (let i = 0; i < n; i++) {
    const o = offset + MSG_HEADER_SIZE + i * MSG_PARAM_SIZE;
    params.push({ attr: v.getUint32(o, true), a: getU64(v, o + 8), b: getU64(v, o + 16), c: getU64(v, o + 24) });
  }
  return {
    cmd: v.getUint32(offset, true), func: v.getUint32(offset + 4, true), session: v.getUint32(offset + 8, true),
    cancelId: v.getUint32(offset + 12, true), ret: v.getUint32(offset + 20, true),
    retOrigin: v.getUint32(offset + 24, true), params,
  };
}

/** Writes a whole message at `offset`. */
export function writeMsgArg(mem: Uint8Array, offset: number, arg: MsgArg): void {
  const v = viewOf(mem);
  v.setUint32(offset, arg.cmd, true);
  v.setUint32(offset + 4, arg.func, true);
  v.setUint32(offset + 8, arg.session, true);
  v.setUint32(offset + 12, arg.cancelId, true);
  v.setUint32(offset + 16, 0, true);
  v.setUint32(offset + 20, arg.ret >>> 0, true);
  v.setUint32(offset + 24, arg.retOrigin, true);
  v.setUint32(offset + 28, arg.params.length, true);
  for (let i = 0; i < arg.params.length; i++) writeMsgParam(mem, offset, i, arg.params[i]!);
}

/** Writes parameter `i` of the message at `offset`. */
export function writeMsgParam(mem: Uint8Array, offset: number, i: number, p: MsgParam): void {
  const v = viewOf(mem);
  const o = offset + MSG_HEADER_SIZE + i * MSG_PARAM_SIZE;
  v.setUint32(o, p.attr >>> 0, true);
  v.setUint32(o + 4, 0, true);
  setU64(v, o + 8, p.a);
  setU64(v, o + 16, p.b);
  setU64(v, o + 24, p.c);
}

/** Writes a 64-bit field through two 32-bit stores when the value is small (no BigInt math). */
export function setU64(v: DataView, o: number, x: bigint): void {
  if (x >= 0n && x <= 0xffffffffn) {
    v.setUint32(o, Number(x), true);
    v.setUint32(o + 4, 0, true);
  } else {
    v.setBigUint64(o, BigInt.asUintN(64, x), true);
  }
}

/** Writes the result fields (session, ret, ret_origin) of the message at `offset`. */
export function writeMsgResult(mem: Uint8Array, offset: number, session: number, ret: number, origin: number): void {
  const v = viewOf(mem);
  v.setUint32(offset + 8, session >>> 0, true);
  v.setUint32(offset + 20, ret >>> 0, true);
  v.setUint32(offset + 24, origin >>> 0, true);
}

/** The 16 octets of a UUID carried in a value parameter's a and b (RFC 4122 byte order). */
export function uuidOctetsFromValue(p: MsgParam): Buffer {
  const out = Buffer.alloc(16);
  out.writeBigUInt64LE(BigInt.asUintN(64, p.a), 0);
  out.writeBigUInt64LE(BigInt.asUintN(64, p.b), 8);
  return out;
}

/** The a/b values that carry these 16 UUID octets. */
export function valueFromUuidOctets(octets: Uint8Array): { a: bigint; b: bigint } {
  const b = Buffer.from(octets);
  return { a: b.readBigUInt64LE(0), b: b.readBigUInt64LE(8) };
}
