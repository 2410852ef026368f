/**
 * The secure side of OPTEE_RPC_CMD_FS: a tiny file client that moves opaque (already sealed)
 * blobs to and from the normal world's tee-supplicant, one RPC per file operation, through a
 * buffer of NS shared memory allocated with OPTEE_RPC_CMD_SHM_ALLOC for the duration of one
 * storage syscall. Nothing here trusts the answers: sizes are bounded and checked, and every
 * failure becomes a GP code (never an exception escaping as a non-TeeError).
 *
 * Sub-operations and their parameters follow OP-TEE's optee_rpc_cmd.h (reference section 4.2):
 * value0 = {sub-op, fd / overwrite, offset / length}, memref1 (and memref2 for RENAME) = names or
 * data, value2.a = returned fd / directory id.
 */
import { TeeError } from '../../abi/errors.js';
import type { Kernel } from '../kernel.js';
import {
  OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT,
  OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, OPTEE_RPC_CMD_FS, OPTEE_RPC_CMD_SHM_ALLOC,
  OPTEE_RPC_CMD_SHM_FREE, OPTEE_RPC_SHM_TYPE_APPL, type MsgParam,
} from '../../abi/optee-msg.js';
import {
  TEE_ERROR_CORRUPT_OBJECT, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_OUT_OF_MEMORY, TEE_ERROR_STORAGE_NOT_AVAILABLE,
  TEE_SUCCESS,
} from '../../abi/results.js';
import {
  OPTEE_RPC_FS_CLOSE, OPTEE_RPC_FS_CLOSEDIR, OPTEE_RPC_FS_CREATE, OPTEE_RPC_FS_OPEN, OPTEE_RPC_FS_OPENDIR,
  OPTEE_RPC_FS_READ, OPTEE_RPC_FS_READDIR, OPTEE_RPC_FS_REMOVE, OPTEE_RPC_FS_RENAME, OPTEE_RPC_FS_WRITE,
} from '../../abi/optee-rpc-fs.js';
import type { SecureThread } from '../service.js';
import { PAGE_SIZE } from '../../machine/board.js';

/** Longest file name the core sends ("/<uuid>/<name>" plus NUL). */
export const FS_NAME_MAX = 128;
/** Largest blob the core moves in one RPC buffer. */
export const FS_BLOB_MAX = 48 << 20;

const val = (a: number | bigint, b: number | bigint = 0, c: number | bigint = 0): MsgParam =>
  ({ attr: OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, a: BigInt(a), b: BigInt(b), c: BigInt(c) });
const out: MsgParam = { attr: OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT, a: 0n, b: 0n, c: 0n };

/** One buffer of NS shared memory, carved into name and data slots. */
interface ShmBuf { pa: number; size: number; cookie: bigint; bytes: Uint8Array }

export class FsRpc {
  constructor(private readonly core: Kernel) {}

  /** Runs `body` with a shared buffer of at least `size` bytes, freed afterwards. */
  private *withShm<T>(size: number, body: (shm: ShmBuf) => SecureThread<T>): SecureThread<T> {
    const want = Math.max(PAGE_SIZE, Math.ceil(size / PAGE_SIZE) * PAGE_SIZE);
    const r = yield* this.core.rpcCmd(OPTEE_RPC_CMD_SHM_ALLOC,
      [val(OPTEE_RPC_SHM_TYPE_APPL, want, PAGE_SIZE)]);
    const p = r.params[0];
    if (r.ret !== TEE_SUCCESS || !p || (p.attr & 0xff) !== OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT || p.b < BigInt(want)) {
      throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, 'the normal world could not allocate shared memory for storage');
    }
    let bytes: Uint8Array;
    try {
      bytes = this.core.nsBuffer(Number(p.a), want);
    } catch {
      throw new TeeError(TEE_ERROR_STORAGE_NOT_AVAILABLE, 'the normal world gave a storage buffer outside shared memory');
    }
    const shm: ShmBuf = { pa: Number(p.a), size: want, cookie: p.c, bytes };
    try {
      return yield* body(shm);
    } finally {
      yield* this.core.rpcCmd(OPTEE_RPC_CMD_SHM_FREE, [val(OPTEE_RPC_SHM_TYPE_APPL, shm.cookie)]);
    }
  }

  private static putName(shm: ShmBuf, at: number, name: string): MsgParam {
    const b = Buffer.from(`${name}\0`, 'utf8');
    if (b.length > FS_NAME_MAX) throw new TeeError(TEE_ERROR_STORAGE_NOT_AVAILABLE, `file name too long: ${name}`);
    shm.bytes.set(b, at);
    return { attr: OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, a: BigInt(shm.pa + at), b: BigInt(b.length), c: shm.cookie };
  }

  private *fs(params: MsgParam[]): SecureThread<{ ret: number; params: MsgParam[] }> {
    const r = yield* this.core.rpcCmd(OPTEE_RPC_CMD_FS, params);
    return { ret: r.ret >>> 0, params: r.params };
  }

  /** Whole contents of `name`, expected to be exactly `size` bytes; undefined when the file is missing. */
  *readFile(name: string, size: number): SecureThread<Buffer | undefined> {
    if (size > FS_BLOB_MAX) throw new TeeError(TEE_ERROR_CORRUPT_OBJECT, `${name}: size ${size} is out of range`);
    // One spare byte detects a file longer than expected.
    return yield* this.withShm(FS_NAME_MAX + size + 1, function* (this: FsRpc, shm: ShmBuf) {
      const opened = yield* this.fs([val(OPTEE_RPC_FS_OPEN), FsRpc.putName(shm, 0, name), out]);
      if (opened.ret === TEE_ERROR_ITEM_NOT_FOUND) return undefined;
      if (opened.ret !== TEE_SUCCESS) throw new TeeError(TEE_ERROR_CORRUPT_OBJECT, `${name}: the normal world could not open it`);
      const fd = opened.params[2]?.a ?? 0n;
      try {
        const mem: MsgParam = { attr: OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, a: BigInt(shm.pa + FS_NAME_MAX), b: BigInt(size + 1), c: shm.cookie };
        const r = yield* this.fs([val(OPTEE_RPC_FS_READ, fd, 0), mem]);
        const got = r.params[1]?.b ?? -1n;
        if (r.ret !== TEE_SUCCESS || got !== BigInt(size)) {
          throw new TeeError(TEE_ERROR_CORRUPT_OBJECT, `${name}: read ${got} bytes where ${size} were expected`);
        }
        return Buffer.from(shm.bytes.subarray(FS_NAME_MAX, FS_NAME_MAX + size));
      } finally {
        yield* this.fs([val(OPTEE_RPC_FS_CLOSE, fd)]);
      }
    }.bind(this));
  }

  /** Reads a file of unknown size (at most `max` bytes); undefined when missing. */
  *readSmallFile(name: string, max: number): SecureThread<Buffer | undefined> {
    return yield* this.withShm(FS_NAME_MAX + max + 1, function* (this: FsRpc, shm: ShmBuf) {
      const opened = yield* this.fs([val(OPTEE_RPC_FS_OPEN), FsRpc.putName(shm, 0, name), out]);
      if (opened.ret === TEE_ERROR_ITEM_NOT_FOUND) return undefined;
      if (opened.ret !== TEE_SUCCESS) throw new TeeError(TEE_ERROR_CORRUPT_OBJECT, `${name}: the normal world could not open it`);
      const fd = opened.params[2]?.a ?? 0n;
      try {
        const mem: MsgParam = { attr: OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, a: BigInt(shm.pa + FS_NAME_MAX), b: BigInt(max + 1), c: shm.cookie };
        const r = yield* this.fs([val(OPTEE_RPC_FS_READ, fd, 0), mem]);
        const got = r.params[1]?.b ?? -1n;
        if (r.ret !== TEE_SUCCESS || got < 0n || got > BigInt(max)) {
          throw new TeeError(TEE_ERROR_CORRUPT_OBJECT, `${name}: the normal world answered ${got} bytes (at most ${max})`);
        }
        return Buffer.from(shm.bytes.subarray(FS_NAME_MAX, FS_NAME_MAX + Number(got)));
      } finally {
        yield* this.fs([val(OPTEE_RPC_FS_CLOSE, fd)]);
      }
    }.bind(this));
  }

  /** Creates (or truncates) `name` and writes `data` into it. */
  *writeFile(name: string, data: Uint8Array): SecureThread<void> {
    if (data.length > FS_BLOB_MAX) throw new TeeError(TEE_ERROR_STORAGE_NOT_AVAILABLE, `${name}: blob too large`);
    yield* this.withShm(FS_NAME_MAX + data.length, function* (this: FsRpc, shm: ShmBuf) {
      const created = yield* this.fs([val(OPTEE_RPC_FS_CREATE), FsRpc.putName(shm, 0, name), out]);
      if (created.ret !== TEE_SUCCESS) throw new TeeError(TEE_ERROR_STORAGE_NOT_AVAILABLE, `${name}: the normal world could not create it`);
      const fd = created.params[2]?.a ?? 0n;
      try {
        shm.bytes.set(data, FS_NAME_MAX);
        const mem: MsgParam = { attr: OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, a: BigInt(shm.pa + FS_NAME_MAX), b: BigInt(data.length), c: shm.cookie };
        const r = yield* this.fs([val(OPTEE_RPC_FS_WRITE, fd, 0), mem]);
        if (r.ret !== TEE_SUCCESS) throw new TeeError(TEE_ERROR_STORAGE_NOT_AVAILABLE, `${name}: the normal world could not write it`);
      } finally {
        yield* this.fs([val(OPTEE_RPC_FS_CLOSE, fd)]);
      }
    }.bind(this));
  }

  /** Renames `from` to `to` (replacing `to` when `overwrite`): the atomic commit step. */
  *rename(from: string, to: string, overwrite: boolean): SecureThread<void> {
    yield* this.withShm(2 * FS_NAME_MAX, function* (this: FsRpc, shm: ShmBuf) {
      const r = yield* this.fs([val(OPTEE_RPC_FS_RENAME, overwrite ? 1 : 0),
        FsRpc.putName(shm, 0, from), FsRpc.putName(shm, FS_NAME_MAX, to)]);
      if (r.ret !== TEE_SUCCESS) throw new TeeError(TEE_ERROR_STORAGE_NOT_AVAILABLE, `renaming ${from} to ${to} failed`);
    }.bind(this));
  }

  /** Removes `name`; a missing file is not an error (removal is idempotent cleanup). */
  *remove(name: string): SecureThread<boolean> {
    return yield* this.withShm(FS_NAME_MAX, function* (this: FsRpc, shm: ShmBuf) {
      const r = yield* this.fs([val(OPTEE_RPC_FS_REMOVE), FsRpc.putName(shm, 0, name)]);
      return r.ret === TEE_SUCCESS;
    }.bind(this));
  }

  /** Names in directory `dir` (at most `max`); empty when the directory does not exist. */
  *list(dir: string, max = 4096): SecureThread<string[]> {
    return yield* this.withShm(2 * FS_NAME_MAX, function* (this: FsRpc, shm: ShmBuf) {
      const opened = yield* this.fs([val(OPTEE_RPC_FS_OPENDIR), FsRpc.putName(shm, 0, dir), out]);
      if (opened.ret !== TEE_SUCCESS) return [];
      const id = opened.params[2]?.a ?? 0n;
      const names: string[] = [];
      try {
        while (names.length < max) {
          const mem: MsgParam = { attr: OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, a: BigInt(shm.pa + FS_NAME_MAX), b: BigInt(FS_NAME_MAX), c: shm.cookie };
          const r = yield* this.fs([val(OPTEE_RPC_FS_READDIR, id), mem]);
          if (r.ret !== TEE_SUCCESS) break;
          const len = Number(r.params[1]?.b ?? 0n);
          if (len <= 0 || len > FS_NAME_MAX) break;
          const raw = Buffer.from(shm.bytes.subarray(FS_NAME_MAX, FS_NAME_MAX + len));
          const nul = raw.indexOf(0);
          names.push(raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8'));
        }
      } finally {
        yield* this.fs([val(OPTEE_RPC_FS_CLOSEDIR, id)]);
      }
      return names;
    }.bind(this));
  }
}
