/**
 * tee-supplicant's REE file system (OPTEE_RPC_CMD_FS): a plain file server rooted at
 * `<state>/secure-storage/`. It stores and returns the opaque blobs the secure world hands it
 * and has no key: it cannot read what it stores. Names come from the secure world as
 * "/<dir>/<file>"; anything that would leave the root (.., absolute tricks, odd characters) is
 * refused. File descriptors and directory streams are small integers in bounded tables.
 */
import {
  closeSync, constants, existsSync, fsyncSync, ftruncateSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmdirSync,
  unlinkSync, writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  OPTEE_MSG_ATTR_TYPE_MASK, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT, OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT,
  OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT, type MsgArg, type MsgParam,
} from '../abi/optee-msg.js';
import {
  TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_GENERIC, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_OUT_OF_MEMORY,
  TEE_ERROR_SHORT_BUFFER, TEE_SUCCESS,
} from '../abi/results.js';
import {
  OPTEE_RPC_FS_CLOSE, OPTEE_RPC_FS_CLOSEDIR, OPTEE_RPC_FS_CREATE, OPTEE_RPC_FS_OPEN, OPTEE_RPC_FS_OPENDIR,
  OPTEE_RPC_FS_READ, OPTEE_RPC_FS_READDIR, OPTEE_RPC_FS_REMOVE, OPTEE_RPC_FS_RENAME, OPTEE_RPC_FS_TRUNCATE,
  OPTEE_RPC_FS_WRITE,
} from '../abi/optee-rpc-fs.js';
import type { RpcCommandHandler, ShmAccess } from './rpc-command.js';

/** Directory of the state dir that holds secure storage. */
export const SECURE_STORAGE_DIR = 'secure-storage';
const MAX_OPEN = 64;
const MAX_NAME = 128;
const MAX_IO = 64 << 20;
const NAME_PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** An open file; `written` ones are flushed to the disk before they are closed. */
interface OpenFile {
  fd: number;
  path: string;
  written?: boolean;
}

class FsError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export class FsServer {
  readonly root: string;
  /** Open files; `written` ones are flushed to the disk before they are closed. */
  private readonly fds = new Map<number, OpenFile>();
  private readonly dirs = new Map<number, string[]>();
  private nextId = 1;

  constructor(stateDir: string, private readonly shm: ShmAccess) {
    this.root = join(stateDir, SECURE_STORAGE_DIR);
  }

  /** The RPC handler to register with the supplicant. */
  handler(): RpcCommandHandler {
    return (arg) => this.serve(arg);
  }

  serve(arg: MsgArg): void {
    try {
      arg.ret = this.dispatch(arg.params);
    } catch (error) {
      if (error instanceof FsError) arg.ret = error.code;
      else {
        const code = (error as NodeJS.ErrnoException).code;
        arg.ret = code === 'ENOENT' ? TEE_ERROR_ITEM_NOT_FOUND : code === 'EEXIST' ? TEE_ERROR_ACCESS_CONFLICT : TEE_ERROR_GENERIC;
      }
    }
  }

  private dispatch(p: MsgParam[]): number {
    const v0 = p[0];
    if (!v0 || ![OPTEE_MSG_ATTR_TYPE_VALUE_INPUT, OPTEE_MSG_ATTR_TYPE_VALUE_INOUT].includes(v0.attr & OPTEE_MSG_ATTR_TYPE_MASK)) {
      throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'FS needs value0 = sub-op');
    }
    switch (Number(v0.a)) {
      case OPTEE_RPC_FS_OPEN: return this.open(p, false);
      case OPTEE_RPC_FS_CREATE: return this.open(p, true);
      case OPTEE_RPC_FS_CLOSE: {
        const f = this.fd(v0.b);
        // Durable before the secure world goes on (and later renames the file into place), so
        // a power loss, not only a killed process, leaves each object old or new.
        if (f.written) fsyncSync(f.fd);
        closeSync(f.fd);
        this.fds.delete(Number(v0.b));
        return TEE_SUCCESS;
      }
      case OPTEE_RPC_FS_READ: return this.read(p);
      case OPTEE_RPC_FS_WRITE: {
        const f = this.fd(v0.b);
        const data = this.mem(p[1], true);
        writeSync(f.fd, data, 0, data.length, Number(v0.c));
        f.written = true;
        return TEE_SUCCESS;
      }
      case OPTEE_RPC_FS_TRUNCATE: {
        const f = this.fd(v0.b);
        ftruncateSync(f.fd, Number(v0.c));
        f.written = true;
        return TEE_SUCCESS;
      }
      case OPTEE_RPC_FS_REMOVE: {
        const path = this.path(p[1]);
        unlinkSync(path);
        this.pruneDir(dirname(path));
        return TEE_SUCCESS;
      }
      case OPTEE_RPC_FS_RENAME: {
        const from = this.path(p[1]);
        const to = this.path(p[2]);
        if (v0.b === 0n && existsSync(to)) throw new FsError(TEE_ERROR_ACCESS_CONFLICT, 'target exists');
        renameSync(from, to);
        syncDirectory(dirname(to)); // the rename is the commit: make it durable
        return TEE_SUCCESS;
      }
      case OPTEE_RPC_FS_OPENDIR: {
        const names = readdirSync(this.path(p[1], true)).sort();
        this.out(p[2], this.allocId(() => this.dirs.size), (id) => this.dirs.set(id, names));
        return TEE_SUCCESS;
      }
      case OPTEE_RPC_FS_CLOSEDIR:
        if (!this.dirs.delete(Number(v0.b))) throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'no such directory stream');
        return TEE_SUCCESS;
      case OPTEE_RPC_FS_READDIR: return this.readdir(p);
      default:
        throw new FsError(TEE_ERROR_BAD_PARAMETERS, `unknown FS sub-op ${v0.a}`);
    }
  }

  private open(p: MsgParam[], create: boolean): number {
    const path = this.path(p[1]);
    if (create) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Never through a symbolic link planted in the flash: O_NOFOLLOW on the file, and the TA
    // folder (checked by path()) must be a real directory.
    const { O_RDWR, O_CREAT, O_TRUNC, O_NOFOLLOW } = constants;
    const fd = openSync(path, (create ? O_RDWR | O_CREAT | O_TRUNC : O_RDWR) | O_NOFOLLOW, 0o600);
    this.out(p[2], this.allocId(() => this.fds.size), (id) => this.fds.set(id, { fd, path }), () => closeSync(fd));
    return TEE_SUCCESS;
  }

  private read(p: MsgParam[]): number {
    const v0 = p[0]!;
    const f = this.fd(v0.b);
    const m = p[1];
    if (!m || ![OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT].includes(m.attr & OPTEE_MSG_ATTR_TYPE_MASK) || m.b > BigInt(MAX_IO)) {
      throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'READ needs an output memref');
    }
    const buf = Buffer.alloc(Number(m.b));
    const n = readSync(f.fd, buf, 0, buf.length, Number(v0.c));
    if (!this.shm.copyOut(m.a, buf.subarray(0, n))) throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'buffer outside shared memory');
    m.b = BigInt(n);
    return TEE_SUCCESS;
  }

  private readdir(p: MsgParam[]): number {
    const names = this.dirs.get(Number(p[0]!.b));
    if (!names) throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'no such directory stream');
    const name = names[0];
    if (name === undefined) return TEE_ERROR_ITEM_NOT_FOUND;
    const m = p[1];
    if (!m) throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'READDIR needs a memref');
    const bytes = Buffer.from(`${name}\0`, 'utf8');
    const cap = m.b;
    m.b = BigInt(bytes.length);
    if (cap < BigInt(bytes.length)) return TEE_ERROR_SHORT_BUFFER;
    if (!this.shm.copyOut(m.a, bytes)) throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'buffer outside shared memory');
    names.shift();
    return TEE_SUCCESS;
  }

  private allocId(size: () => number): number {
    if (size() >= MAX_OPEN) throw new FsError(TEE_ERROR_OUT_OF_MEMORY, 'too many open files');
    const id = this.nextId;
    this.nextId = (this.nextId % 0x7fffffff) + 1;
    return id;
  }

  /** Writes a new fd / dir id into value2.a, registering it only if the parameter is there. */
  private out(p: MsgParam | undefined, id: number, register: (id: number) => void, undo?: () => void): void {
    if (!p) {
      undo?.();
      throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'missing value2 for the returned id');
    }
    register(id);
    p.a = BigInt(id);
  }

  private fd(id: bigint): OpenFile {
    const f = this.fds.get(Number(id & 0xffffffffn));
    if (!f) throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'no such file descriptor');
    return f;
  }

  private mem(p: MsgParam | undefined, input: boolean): Buffer {
    const types = input ? [OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_MSG_ATTR_TYPE_TMEM_INOUT] : [OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT];
    if (!p || !types.includes(p.attr & OPTEE_MSG_ATTR_TYPE_MASK) || p.b > BigInt(MAX_IO)) {
      throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'bad memref');
    }
    const b = this.shm.copyIn(p.a, Number(p.b));
    if (!b) throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'buffer outside shared memory');
    return b;
  }

  /** A path under the root from a NUL-terminated "/a/b" name; refuses anything else. */
  private path(p: MsgParam | undefined, allowDir = false): string {
    if (!p || p.b > BigInt(MAX_NAME)) throw new FsError(TEE_ERROR_BAD_PARAMETERS, 'bad file name');
    const raw = this.mem(p, true);
    const nul = raw.indexOf(0);
    const name = raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8');
    const parts = name.split('/').filter((s) => s.length > 0);
    if (!name.startsWith('/') || parts.length === 0 || parts.length > 2 || (parts.length === 1 && !allowDir)
      || !parts.every((s) => NAME_PART.test(s) && s !== '..' && s !== '.')) {
      throw new FsError(TEE_ERROR_BAD_PARAMETERS, `refused file name ${JSON.stringify(name)}`);
    }
    if (parts.length === 2) {
      const dir = join(this.root, parts[0]!);
      let link = false;
      try {
        link = !lstatSync(dir).isDirectory();
      } catch {
        // not made yet
      }
      if (link) throw new FsError(TEE_ERROR_BAD_PARAMETERS, `refused ${JSON.stringify(name)}: its folder is not a directory`);
    }
    return join(this.root, ...parts);
  }

  /** Removes a TA directory once its last file is gone. */
  private pruneDir(dir: string): void {
    if (dir === this.root) return;
    try {
      rmdirSync(dir);
    } catch {
      // not empty, or already gone
    }
  }
}

/** Flushes a directory's entries (a rename inside it) to the disk. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
