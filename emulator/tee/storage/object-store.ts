/**
 * One TA's trusted storage as the secure world sees it: the authenticated index (cached in
 * secure memory after the first load of a boot), the objects currently open with their handles,
 * and the commit protocol.
 *
 * Atomic update protocol (a kill at any point leaves every object old or new):
 *   1. write the new object version to a fresh blob name (nothing refers to it yet);
 *   2. write the new index (version + 1, the object's entry now naming the new blob with its
 *      size and SHA-256) to `dirf.db.tmp`, then RENAME it over `dirf.db` - the commit point,
 *      atomic on the normal world's file system;
 *   3. remove the old blob (an orphan left by a crash here is collected at the next load).
 * Deleting and renaming an object are index-only commits (step 2), then step 3 for a delete.
 *
 * One commit at a time per TA: a second secure thread that finds the store locked gets
 * TEE_ERROR_BUSY rather than racing the index.
 */
import { TeeError } from '../../abi/errors.js';
import type { Kernel } from '../kernel.js';
import { sha256 } from '../../host/crypto.js';
import { TEE_ERROR_BUSY, TEE_ERROR_CORRUPT_OBJECT } from '../../abi/results.js';
import type { SecureThread } from '../service.js';
import type { SyscallTa } from '../syscalls/table.js';
import { uuidToOctets } from '../../abi/uuid.js';
import {
  BLOB_SUFFIX, INDEX_NAME, INDEX_TMP_NAME, MAX_INDEX_SIZE, corrupt, openBlob, openIndex, sealBlob, sealIndex,
  type Index, type IndexEntry, type ObjectPayload, type TaKeys,
} from './format.js';
import { FsRpc } from './fs-rpc.js';
import type { RollbackAnchor } from './anchor.js';

/** Metadata kept per object besides its data stream. */
export interface ObjectMeta { type: number; size: number; maxSize: number; usage: number }

/** An object with at least one open handle: its data stream lives here, shared by the handles. */
export class OpenObject {
  readonly handles = new Set<PersistentHandle>();
  constructor(public id: Buffer, public payload: ObjectPayload, public meta: ObjectMeta) {}
}

/** One handle on a persistent object (the `persistent` hook of its CryptoObject). */
export class PersistentHandle {
  pos = 0;
  closed = false;
  constructor(readonly store: TaStore, readonly obj: OpenObject, readonly flags: number, readonly instance: SyscallTa) {}

  dataSize(): number {
    return this.obj.payload.data.length;
  }

  dataPosition(): number {
    return this.pos;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.store.release(this);
  }
}

const stores = new WeakMap<Kernel, Map<string, TaStore>>();

/** The store of the calling TA (one per TA UUID per booted core, shared by its instances). */
export function taStore(core: Kernel, ta: StoreOwner): TaStore {
  let m = stores.get(core);
  if (!m) {
    m = new Map();
    stores.set(core, m);
  }
  const key = storeDirectory(ta);
  let s = m.get(key);
  if (!s) {
    s = new TaStore(core, ta);
    m.set(key, s);
  }
  return s;
}

/** Whose store: a TA's UUID and its signer. */
export interface StoreOwner {
  readonly uuid: string;
  readonly signerId: string;
  readonly developmentSigner: boolean;
}

/**
 * The store's folder in the REE file system. Secure storage belongs to a TA's identity, its
 * UUID and its signer, so that a TA of another signer under the same UUID finds nothing: the
 * folder and the keys of a TA signed by a key of its own carry the key's id. A TA signed by a
 * public development key has no identity beyond its UUID (anyone can sign with that key), and
 * keeps the UUID-only folder and keys that devices have always used.
 */
export function storeDirectory(ta: StoreOwner): string {
  return ta.developmentSigner || !ta.signerId ? `/${ta.uuid}` : `/${ta.uuid}.${ta.signerId.slice(0, 16)}`;
}

export class TaStore {
  readonly keys: TaKeys;
  readonly fs: FsRpc;
  readonly dir: string;
  private readonly anchor: RollbackAnchor | undefined;
  /** The authenticated index, or undefined until loaded (or after a failed commit). */
  private index: Index | undefined;
  /** Highest index version seen in this boot: a lower one on reload is a rollback. */
  private seenVersion = -1n;
  /** The instance whose thread holds the lock. */
  private owner: SyscallTa | undefined;
  private readonly open = new Map<string, OpenObject>();

  readonly uuid: string;
  /** The store's name in the rollback anchor: its folder's (the UUID for development-signed TAs). */
  private readonly anchorKey: string;

  constructor(core: Kernel, owner: StoreOwner) {
    this.uuid = owner.uuid;
    this.anchorKey = storeDirectory(owner).slice(1);
    const octets = uuidToOctets(owner.uuid);
    const signer = owner.developmentSigner || !owner.signerId ? [] : [Buffer.from(owner.signerId, 'hex')];
    this.keys = {
      object: core.deriveKey('storageObject', octets, ...signer),
      index: core.deriveKey('storageIndex', octets, ...signer),
      uuid: octets,
    };
    this.fs = new FsRpc(core);
    this.anchor = core.rollbackAnchor;
    this.dir = storeDirectory(owner);
  }

  /**
   * Runs `body` for `instance` holding the store's lock, with the index loaded. A lock whose
   * holder's instance is gone (a system reset abandoned its thread mid-commit) is broken, and
   * the cached index dropped, since the commit may or may not have reached the disk.
   */
  *locked_<T>(instance: SyscallTa, body: (ix: Index) => SecureThread<T>): SecureThread<T> {
    if (this.owner && (this.owner.dead !== undefined || this.owner.space.cpu.isClosed)) {
      this.owner = undefined;
      this.index = undefined;
    }
    if (this.owner) throw new TeeError(TEE_ERROR_BUSY, 'secure storage of this TA is busy with another thread');
    this.owner = instance;
    try {
      const ix = yield* this.load();
      return yield* body(ix);
    } finally {
      this.owner = undefined;
    }
  }

  private *load(): SecureThread<Index> {
    if (this.index) return this.index;
    const file = yield* this.fs.readSmallFile(`${this.dir}/${INDEX_NAME}`, MAX_INDEX_SIZE);
    const ix: Index = file ? openIndex(this.keys, file) : { version: 0n, entries: [] };
    if (ix.version < this.seenVersion) {
      throw corrupt(`index version ${ix.version} is older than version ${this.seenVersion} seen in this boot (rolled back)`);
    }
    const anchored = this.anchored();
    if (!file && anchored > 0n) {
      throw corrupt(`the index is missing although the rollback anchor records ${anchored} commits (deleted or rolled back)`);
    }
    if (ix.version < anchored) {
      throw corrupt(`index version ${ix.version} is older than version ${anchored} in the rollback anchor (the storage was rolled back)`);
    }
    this.seenVersion = ix.version;
    this.index = ix;
    yield* this.collectOrphans(ix);
    return ix;
  }

  /** Removes blobs and temporary files that no index entry names (left by a crash). */
  private *collectOrphans(ix: Index): SecureThread<void> {
    const live = new Set(ix.entries.map((e) => e.blob));
    const names = yield* this.fs.list(this.dir);
    for (const n of names) {
      if ((n.endsWith(BLOB_SUFFIX) && !live.has(n)) || n === INDEX_TMP_NAME) yield* this.fs.remove(`${this.dir}/${n}`);
    }
  }

  find(ix: Index, id: Uint8Array): IndexEntry | undefined {
    return ix.entries.find((e) => e.id.equals(id));
  }

  openObject(id: Uint8Array): OpenObject | undefined {
    const o = this.open.get(Buffer.from(id).toString('hex'));
    if (o) for (const h of [...o.handles]) if (h.instance.dead || h.instance.space.cpu.isClosed) h.close();
    return this.open.get(Buffer.from(id).toString('hex'));
  }

  /** Reads and authenticates an object's blob. */
  *readObject(e: IndexEntry): SecureThread<ObjectPayload> {
    const file = yield* this.fs.readFile(`${this.dir}/${e.blob}`, e.blobSize);
    if (!file) throw corrupt(`blob ${e.blob} of an object is missing`);
    if (!sha256(file).equals(e.blobHash)) {
      throw corrupt(`blob ${e.blob} is not the version the index names (modified, swapped or rolled back)`);
    }
    return openBlob(this.keys, e.blob, file);
  }

  /** Registers an open object (first handle) or returns the one already open. */
  track(id: Buffer, payload: ObjectPayload, meta: ObjectMeta): OpenObject {
    const key = id.toString('hex');
    let o = this.open.get(key);
    if (!o) {
      o = new OpenObject(id, payload, meta);
      this.open.set(key, o);
    }
    return o;
  }

  release(h: PersistentHandle): void {
    h.obj.handles.delete(h);
    const key = h.obj.id.toString('hex');
    if (h.obj.handles.size === 0 && this.open.get(key) === h.obj) this.open.delete(key);
  }

  /** Re-keys an open object after a rename. */
  rekey(o: OpenObject, newId: Buffer): void {
    this.open.delete(o.id.toString('hex'));
    o.id = newId;
    this.open.set(newId.toString('hex'), o);
  }

  /** Forgets an open object (after delete); its handles stay valid until closed but refer to nothing on disk. */
  drop(o: OpenObject): void {
    if (this.open.get(o.id.toString('hex')) === o) this.open.delete(o.id.toString('hex'));
  }

  private freshName(ix: Index, random: (n: number) => Uint8Array): string {
    for (;;) {
      const name = `${Buffer.from(random(8)).toString('hex')}${BLOB_SUFFIX}`;
      if (!ix.entries.some((e) => e.blob === name)) return name;
    }
  }

  /**
   * Writes a new version of object `id` (creating it, or replacing `old`), then commits the
   * index. Returns the new entry. `rename` gives the id the new entry carries (defaults to `id`).
   */
  *writeObject(ix: Index, id: Buffer, payload: ObjectPayload, meta: ObjectMeta, random: (n: number) => Uint8Array): SecureThread<IndexEntry> {
    const old = this.find(ix, id);
    const blob = this.freshName(ix, random);
    const file = sealBlob(this.keys, blob, payload);
    yield* this.guard(this.fs.writeFile(`${this.dir}/${blob}`, file));
    const entry: IndexEntry = {
      id, blob, blobSize: file.length, blobHash: sha256(file), ...meta, dataSize: payload.data.length,
    };
    const entries = ix.entries.filter((e) => e !== old);
    entries.push(entry);
    yield* this.commit({ version: ix.version + 1n, entries });
    if (old) yield* this.fs.remove(`${this.dir}/${old.blob}`);
    return entry;
  }

  /** Removes object `id` from the index, then its blob. */
  *deleteObject(ix: Index, id: Buffer): SecureThread<void> {
    const old = this.find(ix, id);
    if (!old) return;
    yield* this.commit({ version: ix.version + 1n, entries: ix.entries.filter((e) => e !== old) });
    yield* this.fs.remove(`${this.dir}/${old.blob}`);
  }

  /** Renames object `id` to `newId` (index only: blobs do not carry the id). */
  *renameObject(ix: Index, id: Buffer, newId: Buffer): SecureThread<void> {
    const entries = ix.entries.map((e) => (e.id.equals(id) ? { ...e, id: newId } : e));
    yield* this.commit({ version: ix.version + 1n, entries });
  }

  /** Step 2 of the protocol: the new index under a temporary name, then an atomic rename. */
  private *commit(next: Index): SecureThread<void> {
    const file = sealIndex(this.keys, next);
    yield* this.guard(this.fs.writeFile(`${this.dir}/${INDEX_TMP_NAME}`, file));
    yield* this.guard(this.fs.rename(`${this.dir}/${INDEX_TMP_NAME}`, `${this.dir}/${INDEX_NAME}`, true));
    this.index = next;
    this.seenVersion = next.version;
    // After the commit: a crash in between leaves the index ahead of the anchor, which is fine.
    this.advanceAnchor(next.version);
  }

  /** The anchored version of this TA's index (0 without an anchor). */
  private anchored(): bigint {
    try {
      return this.anchor?.get(this.anchorKey) ?? 0n;
    } catch (error) {
      throw corrupt((error as Error).message);
    }
  }

  private advanceAnchor(version: bigint): void {
    try {
      this.anchor?.advance(this.anchorKey, version);
    } catch (error) {
      throw corrupt((error as Error).message);
    }
  }

  /** Runs a file operation; on failure the cached index is dropped, so the next call reloads what the disk holds. */
  private *guard<T>(op: SecureThread<T>): SecureThread<T> {
    try {
      return yield* op;
    } catch (error) {
      this.index = undefined;
      if (error instanceof TeeError) throw error;
      throw new TeeError(TEE_ERROR_CORRUPT_OBJECT, `secure storage: ${(error as Error).message}`);
    }
  }
}
