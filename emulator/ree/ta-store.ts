/**
 * The normal world's TA store, searched by UUID the way tee-supplicant searches its TA paths:
 * explicitly given files first, then TAs installed in the state directory, then each
 * `--ta-path` directory, then the TAs of the boot image. The store only finds files; the
 * secure world verifies them.
 */
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isUuid } from '../abi/uuid.js';

/** A TA file the store found. */
export interface TaFile {
  uuid: string;
  bytes: Buffer;
  /** Where it came from: "file", "installed", "ta-path", "image". */
  source: string;
  path: string;
}

/** What the supplicant needs of a TA store: LOAD_TA finds a TA file by UUID. */
export interface TaLookup {
  find(uuid: string): TaFile | undefined;
}

/** The TA files of one device's normal world, found by UUID in priority order (see the file header). */
export class TaStore implements TaLookup {
  private readonly files = new Map<string, { bytes: Buffer; path: string }>();

  /** `imageTas`: the boot image's TAs by lowercase UUID (the lowest priority). */
  constructor(
    private readonly stateDir: string,
    private readonly taPaths: readonly string[],
    private readonly imageTas: ReadonlyMap<string, { path: string; bytes: Buffer }>,
  ) {}

  /** Adds an explicitly given TA file (highest priority). */
  addFile(uuid: string, bytes: Buffer, path: string): void {
    this.files.set(uuid.toLowerCase(), { bytes, path });
  }

  /** The first TA file named `uuid`, or undefined. */
  find(uuid: string): TaFile | undefined {
    const id = uuid.toLowerCase();
    if (!isUuid(id)) return undefined;
    const given = this.files.get(id);
    if (given) return { uuid: id, bytes: given.bytes, source: 'file', path: given.path };
    const installed = join(this.stateDir, 'ta', `${id}.ta`);
    if (existsSync(installed)) return { uuid: id, bytes: readFileSync(installed), source: 'installed', path: installed };
    for (const dir of this.taPaths) {
      for (const name of [`${id}.ta`, `${id.slice(0, 23)}${id.slice(24)}.ta`]) {
        const path = join(dir, name);
        if (existsSync(path)) return { uuid: id, bytes: readFileSync(path), source: 'ta-path', path };
      }
    }
    const image = this.imageTas.get(id);
    if (image) return { uuid: id, bytes: image.bytes, source: 'image', path: image.path };
    return undefined;
  }

  /** Installs a TA file into the state directory (atomically: write then rename). */
  install(uuid: string, bytes: Uint8Array): string {
    const id = uuid.toLowerCase();
    if (!isUuid(id)) throw new TypeError(`"${uuid}" is not a UUID`);
    const path = join(this.stateDir, 'ta', `${id}.ta`);
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, bytes, { mode: 0o600 });
    renameSync(tmp, path);
    return path;
  }

  /** Every TA the store can find, with its source (first match wins, as in `find`). */
  list(): { uuid: string; source: string; size: number }[] {
    const seen = new Map<string, { uuid: string; source: string; size: number }>();
    const add = (uuid: string, source: string, size: number) => {
      if (!seen.has(uuid)) seen.set(uuid, { uuid, source, size });
    };
    for (const [uuid, f] of this.files) add(uuid, 'file', f.bytes.length);
    const scan = (dir: string, source: string) => {
      if (!existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        const m = /^([0-9a-f-]{36})\.ta$/.exec(name);
        if (m && isUuid(m[1]!)) add(m[1]!, source, readFileSync(join(dir, name)).length);
      }
    };
    scan(join(this.stateDir, 'ta'), 'installed');
    for (const dir of this.taPaths) scan(dir, 'ta-path');
    for (const [uuid, f] of this.imageTas) add(uuid, 'image', f.bytes.length);
    return [...seen.values()];
  }
}
