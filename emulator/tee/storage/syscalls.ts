/**
 * Trusted storage syscalls 41-53 (persistent objects, enumerators, data streams) with OP-TEE's
 * argument lists and GP's access and sharing rules. Persistent objects are CryptoObjects of the
 * crypto object model whose `persistent` hook is a PersistentHandle; handles live in the same
 * per-instance table as transient objects, so GET_INFO (24) and CLOSE (28) work on both.
 */
import { TEE_DATA_FLAG_ACCESS_READ, TEE_DATA_FLAG_ACCESS_WRITE, TEE_DATA_FLAG_ACCESS_WRITE_META, TEE_DATA_FLAG_OVERWRITE, TEE_DATA_FLAG_SHARE_READ, TEE_DATA_FLAG_SHARE_WRITE, TEE_DATA_MAX_POSITION, TEE_DATA_SEEK_CUR, TEE_DATA_SEEK_END, TEE_DATA_SEEK_SET, TEE_OBJECT_ID_MAX_LEN, TEE_STORAGE_PRIVATE, TEE_STORAGE_PRIVATE_REE, TEE_HANDLE_FLAG_INITIALIZED, TEE_TYPE_DATA, TEE_USAGE_DEFAULT, TEE_MEMORY_ACCESS_ANY_OWNER, TEE_MEMORY_ACCESS_READ, TEE_MEMORY_ACCESS_WRITE } from '../../abi/tee-api.js';
import { TeeError } from '../../abi/errors.js';
import { CryptoObject, OBJECT_TYPES, objects, type AttrValue } from '../crypto/objects.js';
import {
  TEE_ERROR_ACCESS_CONFLICT, TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_BAD_STATE,
  TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_OUT_OF_MEMORY, TEE_ERROR_OVERFLOW, TEE_ERROR_STORAGE_NO_SPACE, TEE_SUCCESS,
} from '../../abi/results.js';
import type { SecureThread } from '../service.js';
import {
  TEE_SCN_CRYP_OBJ_RESTRICT_USAGE, TEE_SCN_STORAGE_ENUM_ALLOC, TEE_SCN_STORAGE_ENUM_FREE, TEE_SCN_STORAGE_ENUM_NEXT, TEE_SCN_STORAGE_ENUM_RESET,
  TEE_SCN_STORAGE_ENUM_START, TEE_SCN_STORAGE_OBJ_CREATE, TEE_SCN_STORAGE_OBJ_DEL, TEE_SCN_STORAGE_OBJ_OPEN,
  TEE_SCN_STORAGE_OBJ_READ, TEE_SCN_STORAGE_OBJ_RENAME, TEE_SCN_STORAGE_OBJ_SEEK, TEE_SCN_STORAGE_OBJ_TRUNC,
  TEE_SCN_STORAGE_OBJ_WRITE,
} from '../syscalls/numbers.js';
import { inline, threaded, type SyscallContext, type SyscallEntry } from '../syscalls/table.js';
import { MAX_OBJECT_DATA, corrupt, type IndexEntry, type ObjectPayload, type StoredAttr } from './format.js';
import { PersistentHandle, taStore, type ObjectMeta, type OpenObject, type TaStore } from './object-store.js';


const OPEN_FLAGS = TEE_DATA_FLAG_ACCESS_READ | TEE_DATA_FLAG_ACCESS_WRITE | TEE_DATA_FLAG_ACCESS_WRITE_META
  | TEE_DATA_FLAG_SHARE_READ | TEE_DATA_FLAG_SHARE_WRITE;
const CREATE_FLAGS = OPEN_FLAGS | TEE_DATA_FLAG_OVERWRITE;
const WRITABLE = TEE_MEMORY_ACCESS_WRITE | TEE_MEMORY_ACCESS_ANY_OWNER;
const READABLE = TEE_MEMORY_ACCESS_READ | TEE_MEMORY_ACCESS_ANY_OWNER;

const fail = (code: number, msg: string): TeeError => new TeeError(code, `secure storage: ${msg}`);

// ---- argument checks ----------------------------------------------------------------------

function checkStorage(id: bigint): void {
  // PRIVATE and the REE file system are one store here; RPMB is not emulated.
  if (id !== BigInt(TEE_STORAGE_PRIVATE) && id !== BigInt(TEE_STORAGE_PRIVATE_REE)) {
    throw fail(TEE_ERROR_ITEM_NOT_FOUND, `storage 0x${id.toString(16)} does not exist`);
  }
}

function readId(ctx: SyscallContext, ptr: bigint, len: bigint): Buffer {
  if (len > BigInt(TEE_OBJECT_ID_MAX_LEN)) throw fail(TEE_ERROR_BAD_PARAMETERS, `object id of ${len} bytes (at most 64)`);
  if (len === 0n) return Buffer.alloc(0);
  // From the TA's own memory only, as OP-TEE copies it (an id in shared memory could change
  // under the core's feet): ACCESS_DENIED otherwise, on which libutee panics the TA.
  if (ctx.instance.space.check(TEE_MEMORY_ACCESS_READ, ptr, len) !== TEE_SUCCESS) throw fail(TEE_ERROR_ACCESS_DENIED, 'object id not in the TA\'s own memory');
  return ctx.instance.space.read(ptr, len);
}

function needWritable(ctx: SyscallContext, ptr: bigint, len: number): void {
  if (ctx.instance.space.check(WRITABLE, ptr, len) !== TEE_SUCCESS) throw fail(TEE_ERROR_ACCESS_DENIED, 'output not writable');
}

/** The persistent handle behind an object handle; BAD_STATE for a transient object. */
function handleOf(ctx: SyscallContext, h: bigint): { obj: CryptoObject; ph: PersistentHandle } {
  const obj = objects.get(ctx, h);
  if (!(obj.persistent instanceof PersistentHandle) || obj.persistent.closed) throw fail(TEE_ERROR_BAD_STATE, 'not a persistent object');
  return { obj, ph: obj.persistent };
}

/** GP sharing rules: WRITE_META is exclusive; each side must share what the other accesses. */
function checkSharing(open: OpenObject | undefined, flags: number): void {
  for (const h of open?.handles ?? []) {
    const o = h.flags;
    const conflict = ((o | flags) & TEE_DATA_FLAG_ACCESS_WRITE_META) !== 0
      || ((flags & TEE_DATA_FLAG_ACCESS_READ) !== 0 && (o & TEE_DATA_FLAG_SHARE_READ) === 0)
      || ((flags & TEE_DATA_FLAG_ACCESS_WRITE) !== 0 && (o & TEE_DATA_FLAG_SHARE_WRITE) === 0)
      || ((o & TEE_DATA_FLAG_ACCESS_READ) !== 0 && (flags & TEE_DATA_FLAG_SHARE_READ) === 0)
      || ((o & TEE_DATA_FLAG_ACCESS_WRITE) !== 0 && (flags & TEE_DATA_FLAG_SHARE_WRITE) === 0);
    if (conflict) throw fail(TEE_ERROR_ACCESS_CONFLICT, 'the object is open with flags that do not allow this access');
  }
}

// ---- objects <-> stored form ----------------------------------------------------------------

function storedAttrs(obj: CryptoObject): StoredAttr[] {
  return [...obj.attrs].map(([id, v]) => (Buffer.isBuffer(v) ? { id, buf: Buffer.from(v) } : { id, a: v.a, b: v.b }));
}

function metaOf(obj: CryptoObject | undefined): ObjectMeta {
  return obj
    ? { type: obj.type, size: obj.size, maxSize: obj.maxSize, usage: obj.usage }
    : { type: TEE_TYPE_DATA, size: 0, maxSize: 0, usage: TEE_USAGE_DEFAULT >>> 0 };
}

/** A CryptoObject for a new handle on `open`, registered in the instance's handle table. */
function newHandle(ctx: SyscallContext, store: TaStore, open: OpenObject, flags: number): number {
  const info = OBJECT_TYPES.get(open.meta.type >>> 0);
  if (!info) throw corrupt(`stored object type 0x${open.meta.type.toString(16)} is unknown`);
  const obj = new CryptoObject(open.meta.type, open.meta.maxSize, info);
  const attrs = new Map<number, AttrValue>();
  for (const a of open.payload.attrs) attrs.set(a.id >>> 0, 'buf' in a ? a.buf : { a: a.a, b: a.b });
  obj.setAttributes(attrs, open.meta.size);
  obj.usage = open.meta.usage >>> 0;
  obj.handleFlags = TEE_HANDLE_FLAG_INITIALIZED | (flags & OPEN_FLAGS);
  const ph = new PersistentHandle(store, open, flags & OPEN_FLAGS, ctx.instance);
  obj.persistent = ph;
  const h = objects.add(ctx, obj);
  open.handles.add(ph);
  return h;
}

const random = (ctx: SyscallContext) => (n: number): Uint8Array => ctx.kernel.random.bytes(n);

function entryOf(store: TaStore, ix: Parameters<TaStore['find']>[0], open: OpenObject): IndexEntry {
  const e = store.find(ix, open.id);
  if (!e) throw corrupt('an open object has vanished from the index');
  return e;
}

// ---- persistent objects ---------------------------------------------------------------------

function* objOpen(ctx: SyscallContext, storage: bigint, idPtr: bigint, idLen: bigint, flagsArg: bigint, out: bigint): SecureThread<number> {
  checkStorage(storage);
  const flags = Number(flagsArg & 0xffffffffn);
  if (flagsArg > 0xffffffffn || (flags & ~OPEN_FLAGS) !== 0) throw fail(TEE_ERROR_BAD_PARAMETERS, `bad open flags 0x${flags.toString(16)}`);
  const id = readId(ctx, idPtr, idLen);
  needWritable(ctx, out, 4);
  const store = taStore(ctx.kernel, ctx.instance);
  return yield* store.locked_(ctx.instance, function* (ix) {
    const e = store.find(ix, id);
    if (!e) throw fail(TEE_ERROR_ITEM_NOT_FOUND, 'no such object');
    let open = store.openObject(id);
    checkSharing(open, flags);
    if (!open) {
      const payload = yield* store.readObject(e);
      if (payload.data.length !== e.dataSize) throw corrupt('object data size disagrees with the index');
      open = store.track(Buffer.from(id), payload, { type: e.type, size: e.size, maxSize: e.maxSize, usage: e.usage });
    }
    ctx.instance.space.writeU32(out, newHandle(ctx, store, open, flags));
    return TEE_SUCCESS;
  });
}

function* objCreate(ctx: SyscallContext, a: readonly bigint[]): SecureThread<number> {
  const [storage, idPtr, idLen, flagsArg, attrH, dataPtr, dataLen, out] = a as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  checkStorage(storage);
  const flags = Number(flagsArg & 0xffffffffn);
  if (flagsArg > 0xffffffffn || (flags & ~CREATE_FLAGS) !== 0) throw fail(TEE_ERROR_BAD_PARAMETERS, `bad create flags 0x${flags.toString(16)}`);
  const id = readId(ctx, idPtr, idLen);
  if (dataLen > BigInt(TEE_DATA_MAX_POSITION)) throw fail(TEE_ERROR_BAD_PARAMETERS, 'initial data beyond TEE_DATA_MAX_POSITION');
  if (dataLen > BigInt(MAX_OBJECT_DATA)) throw fail(TEE_ERROR_STORAGE_NO_SPACE, `initial data larger than ${MAX_OBJECT_DATA} bytes`);
  let data: Buffer = Buffer.alloc(0);
  if (dataLen > 0n) {
    if (ctx.instance.space.check(READABLE, dataPtr, dataLen) !== TEE_SUCCESS) throw fail(TEE_ERROR_ACCESS_DENIED, 'initial data not readable');
    data = ctx.instance.space.read(dataPtr, dataLen);
  }
  let src: CryptoObject | undefined;
  if (attrH !== 0n) {
    src = objects.get(ctx, attrH);
    if (!src.initialized) throw fail(TEE_ERROR_BAD_PARAMETERS, 'the attribute object is not initialized');
  }
  // No handle asked for (GP 1.3.1, as OP-TEE): a transient attribute object becomes the
  // persistent object itself, under its own handle; otherwise the new object is not kept open.
  const adopt = out === 0n && src !== undefined && src.persistent === undefined ? src : undefined;
  if (out !== 0n) needWritable(ctx, out, 4);
  const store = taStore(ctx.kernel, ctx.instance);
  return yield* store.locked_(ctx.instance, function* (ix) {
    if (store.find(ix, id)) {
      if (!(flags & TEE_DATA_FLAG_OVERWRITE)) throw fail(TEE_ERROR_ACCESS_CONFLICT, 'the object exists (no OVERWRITE)');
      if (store.openObject(id)?.handles.size) throw fail(TEE_ERROR_ACCESS_CONFLICT, 'the object to overwrite is open');
    }
    const payload: ObjectPayload = { attrs: src ? storedAttrs(src) : [], data };
    const meta = metaOf(src);
    yield* store.writeObject(ix, Buffer.from(id), payload, meta, random(ctx));
    const open = store.track(Buffer.from(id), payload, meta);
    if (adopt) {
      const ph = new PersistentHandle(store, open, flags & OPEN_FLAGS, ctx.instance);
      adopt.persistent = ph;
      adopt.handleFlags = TEE_HANDLE_FLAG_INITIALIZED | (flags & OPEN_FLAGS);
      open.handles.add(ph);
    } else if (out !== 0n) {
      ctx.instance.space.writeU32(out, newHandle(ctx, store, open, flags));
    } else if (open.handles.size === 0) {
      store.drop(open);
    }
    return TEE_SUCCESS;
  });
}

function* objDel(ctx: SyscallContext, h: bigint): SecureThread<number> {
  const { ph } = handleOf(ctx, h);
  if (!(ph.flags & TEE_DATA_FLAG_ACCESS_WRITE_META)) throw fail(TEE_ERROR_ACCESS_CONFLICT, 'delete needs ACCESS_WRITE_META');
  const store = ph.store;
  yield* store.locked_(ctx.instance, function* (ix) {
    entryOf(store, ix, ph.obj);
    yield* store.deleteObject(ix, ph.obj.id);
    store.drop(ph.obj);
  });
  objects.remove(ctx, h);
  return TEE_SUCCESS;
}

function* objRename(ctx: SyscallContext, h: bigint, idPtr: bigint, idLen: bigint): SecureThread<number> {
  const { ph } = handleOf(ctx, h);
  if (!(ph.flags & TEE_DATA_FLAG_ACCESS_WRITE_META)) throw fail(TEE_ERROR_ACCESS_CONFLICT, 'rename needs ACCESS_WRITE_META');
  const newId = readId(ctx, idPtr, idLen);
  const store = ph.store;
  return yield* store.locked_(ctx.instance, function* (ix) {
    entryOf(store, ix, ph.obj);
    if (store.find(ix, newId)) throw fail(TEE_ERROR_ACCESS_CONFLICT, 'an object with the new id exists');
    yield* store.renameObject(ix, ph.obj.id, Buffer.from(newId));
    store.rekey(ph.obj, Buffer.from(newId));
    return TEE_SUCCESS;
  });
}

/**
 * CRYP_OBJ_RESTRICT_USAGE (25) for every object: the usage bits are and-ed; a persistent
 * object's are written to its file at once, as OP-TEE does, so that they hold when it is opened
 * again (xtest 6021).
 */
function* objRestrictUsage(ctx: SyscallContext, h: bigint, usage: bigint): SecureThread<number> {
  const obj = objects.get(ctx, h);
  obj.usage = (obj.usage & Number(usage & 0xffffffffn)) >>> 0;
  const ph = obj.persistent;
  if (!(ph instanceof PersistentHandle) || ph.closed || ph.obj.meta.usage === obj.usage) return TEE_SUCCESS;
  const store = ph.store;
  const meta: ObjectMeta = { ...ph.obj.meta, usage: obj.usage };
  yield* store.locked_(ctx.instance, function* (ix) {
    entryOf(store, ix, ph.obj);
    yield* store.writeObject(ix, ph.obj.id, ph.obj.payload, meta, random(ctx));
    ph.obj.meta = meta;
  });
  return TEE_SUCCESS;
}

// ---- data streams ---------------------------------------------------------------------------

function objRead(ctx: SyscallContext, h: bigint, buf: bigint, len: bigint, count: bigint): number {
  const { ph } = handleOf(ctx, h);
  if (!(ph.flags & TEE_DATA_FLAG_ACCESS_READ)) throw fail(TEE_ERROR_ACCESS_CONFLICT, 'the handle was not opened for reading');
  if (len > 0n && ctx.instance.space.check(WRITABLE, buf, len) !== TEE_SUCCESS) throw fail(TEE_ERROR_ACCESS_DENIED, 'buffer not writable');
  needWritable(ctx, count, 8);
  const data = ph.obj.payload.data;
  const n = ph.pos >= data.length ? 0 : Math.min(Number(len > BigInt(data.length) ? BigInt(data.length) : len), data.length - ph.pos);
  if (n > 0) ctx.instance.space.write(buf, data.subarray(ph.pos, ph.pos + n));
  ph.pos += n;
  ctx.instance.space.writeU64(count, n);
  return TEE_SUCCESS;
}

/** Commits `data` as the object's new stream (attributes unchanged). */
function* replaceData(ctx: SyscallContext, ph: PersistentHandle, data: Buffer): SecureThread<void> {
  const store = ph.store;
  yield* store.locked_(ctx.instance, function* (ix) {
    entryOf(store, ix, ph.obj);
    const payload: ObjectPayload = { attrs: ph.obj.payload.attrs, data };
    yield* store.writeObject(ix, ph.obj.id, payload, ph.obj.meta, random(ctx));
    ph.obj.payload = payload;
  });
}

function* objWrite(ctx: SyscallContext, h: bigint, buf: bigint, len: bigint): SecureThread<number> {
  const { ph } = handleOf(ctx, h);
  if (!(ph.flags & TEE_DATA_FLAG_ACCESS_WRITE)) throw fail(TEE_ERROR_ACCESS_CONFLICT, 'the handle was not opened for writing');
  if (BigInt(ph.pos) + len > BigInt(TEE_DATA_MAX_POSITION)) throw fail(TEE_ERROR_OVERFLOW, 'write beyond TEE_DATA_MAX_POSITION');
  if (BigInt(ph.pos) + len > BigInt(MAX_OBJECT_DATA)) throw fail(TEE_ERROR_STORAGE_NO_SPACE, `object larger than ${MAX_OBJECT_DATA} bytes`);
  if (len > 0n && ctx.instance.space.check(READABLE, buf, len) !== TEE_SUCCESS) throw fail(TEE_ERROR_ACCESS_DENIED, 'buffer not readable');
  const n = Number(len);
  if (n === 0) return TEE_SUCCESS;
  const src = ctx.instance.space.read(buf, n);
  const old = ph.obj.payload.data;
  const data = Buffer.alloc(Math.max(old.length, ph.pos + n));
  old.copy(data);
  src.copy(data, ph.pos);
  yield* replaceData(ctx, ph, data);
  ph.pos += n;
  return TEE_SUCCESS;
}

function* objTrunc(ctx: SyscallContext, h: bigint, len: bigint): SecureThread<number> {
  const { ph } = handleOf(ctx, h);
  if (!(ph.flags & TEE_DATA_FLAG_ACCESS_WRITE)) throw fail(TEE_ERROR_ACCESS_CONFLICT, 'the handle was not opened for writing');
  if (len > BigInt(TEE_DATA_MAX_POSITION)) throw fail(TEE_ERROR_OVERFLOW, 'size beyond TEE_DATA_MAX_POSITION');
  if (len > BigInt(MAX_OBJECT_DATA)) throw fail(TEE_ERROR_STORAGE_NO_SPACE, `object larger than ${MAX_OBJECT_DATA} bytes`);
  const n = Number(len);
  const old = ph.obj.payload.data;
  if (n === old.length) return TEE_SUCCESS;
  const data = Buffer.alloc(n);
  old.copy(data, 0, 0, Math.min(n, old.length));
  yield* replaceData(ctx, ph, data);
  return TEE_SUCCESS;
}

function objSeek(ctx: SyscallContext, h: bigint, offsetArg: bigint, whence: bigint): number {
  const { ph } = handleOf(ctx, h);
  const offset = Number(BigInt.asIntN(32, offsetArg));
  let pos: number;
  switch (whence) {
    case BigInt(TEE_DATA_SEEK_SET): pos = offset; break;
    case BigInt(TEE_DATA_SEEK_CUR): pos = ph.pos + offset; break;
    case BigInt(TEE_DATA_SEEK_END): pos = ph.obj.payload.data.length + offset; break;
    default: throw fail(TEE_ERROR_BAD_PARAMETERS, `bad whence ${whence}`);
  }
  if (pos < 0) pos = 0;
  if (pos > TEE_DATA_MAX_POSITION) throw fail(TEE_ERROR_OVERFLOW, 'position beyond TEE_DATA_MAX_POSITION');
  ph.pos = pos;
  return TEE_SUCCESS;
}

// ---- enumerators ----------------------------------------------------------------------------

interface Enumerator { entries: IndexEntry[] | undefined; next: number }
interface EnumTable { nextHandle: number; map: Map<number, Enumerator> }
const MAX_ENUMS = 64;

function enums(ctx: SyscallContext): EnumTable {
  let t = ctx.instance.ext.get('storage.enums') as EnumTable | undefined;
  if (!t) {
    t = { nextHandle: 1, map: new Map() };
    ctx.instance.ext.set('storage.enums', t);
  }
  return t;
}

function enumOf(ctx: SyscallContext, h: bigint): Enumerator {
  const e = h <= 0xffffffffn ? enums(ctx).map.get(Number(h)) : undefined;
  if (!e) throw fail(TEE_ERROR_BAD_PARAMETERS, 'not an enumerator handle');
  return e;
}

function enumAlloc(ctx: SyscallContext, out: bigint): number {
  needWritable(ctx, out, 4);
  const t = enums(ctx);
  if (t.map.size >= MAX_ENUMS) throw fail(TEE_ERROR_OUT_OF_MEMORY, 'too many enumerators');
  const h = t.nextHandle;
  t.nextHandle = (t.nextHandle % 0x7fffffff) + 1;
  t.map.set(h, { entries: undefined, next: 0 });
  ctx.instance.space.writeU32(out, h);
  return TEE_SUCCESS;
}

function* enumStart(ctx: SyscallContext, h: bigint, storage: bigint): SecureThread<number> {
  const e = enumOf(ctx, h);
  checkStorage(storage);
  const store = taStore(ctx.kernel, ctx.instance);
  const entries = yield* store.locked_(ctx.instance, function* (ix) { return [...ix.entries]; });
  if (entries.length === 0) throw fail(TEE_ERROR_ITEM_NOT_FOUND, 'no persistent objects');
  e.entries = entries;
  e.next = 0;
  return TEE_SUCCESS;
}

function enumNext(ctx: SyscallContext, h: bigint, infoPtr: bigint, idPtr: bigint, lenPtr: bigint): number {
  const e = enumOf(ctx, h);
  if (!e.entries || e.next >= e.entries.length) throw fail(TEE_ERROR_ITEM_NOT_FOUND, 'no more objects');
  const x = e.entries[e.next]!;
  needWritable(ctx, infoPtr, 28);
  if (x.id.length > 0) needWritable(ctx, idPtr, x.id.length);
  needWritable(ctx, lenPtr, 8);
  const info = Buffer.alloc(28);
  [x.type, x.size, x.maxSize, x.usage, x.dataSize, 0, 0x10000 | TEE_HANDLE_FLAG_INITIALIZED]
    .forEach((v, i) => info.writeUInt32LE(v >>> 0, 4 * i));
  ctx.instance.space.write(infoPtr, info);
  if (x.id.length > 0) ctx.instance.space.write(idPtr, x.id);
  ctx.instance.space.writeU64(lenPtr, x.id.length);
  e.next++;
  return TEE_SUCCESS;
}

export const storageSyscalls: ReadonlyMap<number, SyscallEntry> = new Map<number, SyscallEntry>([
  [TEE_SCN_STORAGE_OBJ_OPEN, threaded('STORAGE_OBJ_OPEN', ['storage_id', 'obj_id', 'obj_id_len', 'flags', 'obj'],
    (c, a) => objOpen(c, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!))],
  [TEE_SCN_STORAGE_OBJ_CREATE, threaded('STORAGE_OBJ_CREATE',
    ['storage_id', 'obj_id', 'obj_id_len', 'flags', 'attr', 'data', 'len', 'obj'], (c, a) => objCreate(c, a))],
  [TEE_SCN_STORAGE_OBJ_DEL, threaded('STORAGE_OBJ_DEL', ['obj'], (c, a) => objDel(c, a[0]!))],
  [TEE_SCN_STORAGE_OBJ_RENAME, threaded('STORAGE_OBJ_RENAME', ['obj', 'new_id', 'new_id_len'],
    (c, a) => objRename(c, a[0]!, a[1]!, a[2]!))],
  [TEE_SCN_CRYP_OBJ_RESTRICT_USAGE, threaded('CRYP_OBJ_RESTRICT_USAGE', ['obj', 'usage'], (c, a) => objRestrictUsage(c, a[0]!, a[1]!))],
  [TEE_SCN_STORAGE_ENUM_ALLOC, inline('STORAGE_ENUM_ALLOC', ['enum'], (c, a) => enumAlloc(c, a[0]!))],
  [TEE_SCN_STORAGE_ENUM_FREE, inline('STORAGE_ENUM_FREE', ['enum'],
    (c, a) => { enumOf(c, a[0]!); enums(c).map.delete(Number(a[0]!)); return TEE_SUCCESS; })],
  [TEE_SCN_STORAGE_ENUM_RESET, inline('STORAGE_ENUM_RESET', ['enum'],
    (c, a) => { const e = enumOf(c, a[0]!); e.entries = undefined; e.next = 0; return TEE_SUCCESS; })],
  [TEE_SCN_STORAGE_ENUM_START, threaded('STORAGE_ENUM_START', ['enum', 'storage_id'], (c, a) => enumStart(c, a[0]!, a[1]!))],
  [TEE_SCN_STORAGE_ENUM_NEXT, inline('STORAGE_ENUM_NEXT', ['enum', 'info', 'obj_id', 'len'],
    (c, a) => enumNext(c, a[0]!, a[1]!, a[2]!, a[3]!))],
  [TEE_SCN_STORAGE_OBJ_READ, inline('STORAGE_OBJ_READ', ['obj', 'buf', 'len', 'count'],
    (c, a) => objRead(c, a[0]!, a[1]!, a[2]!, a[3]!))],
  [TEE_SCN_STORAGE_OBJ_WRITE, threaded('STORAGE_OBJ_WRITE', ['obj', 'buf', 'len'], (c, a) => objWrite(c, a[0]!, a[1]!, a[2]!))],
  [TEE_SCN_STORAGE_OBJ_TRUNC, threaded('STORAGE_OBJ_TRUNC', ['obj', 'len'], (c, a) => objTrunc(c, a[0]!, a[1]!))],
  [TEE_SCN_STORAGE_OBJ_SEEK, inline('STORAGE_OBJ_SEEK', ['obj', 'offset', 'whence'], (c, a) => objSeek(c, a[0]!, a[1]!, a[2]!))],
]);
