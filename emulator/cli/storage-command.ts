/**
 * `trustbox storage ls --state DIR [--json]`: what the normal world can see of secure storage -
 * a teaching view of "encrypted at rest". It reads `<DIR>/secure-storage/` exactly as
 * tee-supplicant stores it, with no key: per file its name, size, kind, byte entropy and a hex
 * preview of the bytes after the plaintext 8-byte header.
 *
 * Owner: each TA's files are in a directory named by the TA's UUID, so the owning TA can be
 * told (by design, as OP-TEE's REE FS tells it by the "/<uuid>/" path of its older layout);
 * object ids, object count per blob name and contents cannot: blob names are random, ids live
 * only inside the sealed index.
 *
 * It never reads the state directory's `hardware/` part (fuses, rollback anchor): that is the
 * device's, not the normal world's. What it says about protection is what holds: the key is not
 * in these files, but it is in `hardware/` of the same folder, protected by file permissions
 * (and, if the device is sealed, by its hardware passphrase).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SECURE_STORAGE_DIR } from '../ree/fs-server.js';

export interface StorageFile {
  owner: string;
  name: string;
  size: number;
  kind: 'index' | 'index (uncommitted)' | 'object blob' | 'unknown';
  /** Shannon entropy of the bytes after the header, in bits per byte (8 = indistinguishable from random). */
  entropy: number;
  /** Header as text ("TBSO v1" / "TBSI v1") and the first bytes after it. */
  header: string;
  preview: string;
}

/** Shannon entropy in bits per byte. */
export function entropy(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b]!++;
  let h = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / bytes.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function kindOf(name: string): StorageFile['kind'] {
  if (name === 'dirf.db') return 'index';
  if (name === 'dirf.db.tmp') return 'index (uncommitted)';
  return /^[0-9a-f]{16}\.obj$/.test(name) ? 'object blob' : 'unknown';
}

/** Every file the normal world holds for secure storage under `stateDir`. */
export function listStorage(stateDir: string): StorageFile[] {
  const root = join(stateDir, SECURE_STORAGE_DIR);
  if (!existsSync(root)) return [];
  const out: StorageFile[] = [];
  for (const owner of readdirSync(root).sort()) {
    const dir = join(root, owner);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).sort()) {
      const bytes = readFileSync(join(dir, name));
      const body = bytes.subarray(8);
      const magic = bytes.subarray(0, 4).toString('latin1');
      out.push({
        owner, name, size: bytes.length, kind: kindOf(name), entropy: Number(entropy(body).toFixed(2)),
        header: /^TBS[OI]$/.test(magic) ? `${magic} v${bytes[4]}` : '(none)',
        preview: body.subarray(0, 16).toString('hex'),
      });
    }
  }
  return out;
}

function print(files: StorageFile[], stateDir: string): void {
  if (files.length === 0) {
    console.log(`no secure storage in ${join(stateDir, SECURE_STORAGE_DIR)}`);
    return;
  }
  console.log(`secure storage in ${join(stateDir, SECURE_STORAGE_DIR)}: what the normal world sees, ciphertext without its key`);
  console.log(`(the key is derived from the fuses in ${join(stateDir, 'hardware')}/ of the same folder, which the normal world never reads; ` +
    'they are protected by file permissions, and by the hardware passphrase if the device was sealed with one: ' +
    'whoever can read an unsealed device\'s folder can decrypt these files)');
  let owner = '';
  for (const f of files) {
    if (f.owner !== owner) {
      owner = f.owner;
      console.log(`\nTA ${owner}  (owner told by the directory name)`);
      console.log(`  ${'file'.padEnd(22)} ${'bytes'.padStart(8)}  ${'kind'.padEnd(19)} ${'entropy'.padStart(7)}  header   first bytes after the header`);
    }
    console.log(`  ${f.name.padEnd(22)} ${String(f.size).padStart(8)}  ${f.kind.padEnd(19)} ${f.entropy.toFixed(2).padStart(7)}  ${f.header.padEnd(8)} ${f.preview}`);
  }
  console.log('\nentropy is in bits per byte of the sealed body (AES-256-GCM ciphertext and tag): close to 8 means it looks');
  console.log('like random bytes; a short file cannot reach 8 (at most log2 of its length). Object ids are inside the sealed index.');
}

/** Exit codes of `trustbox storage ls`, for --help. */
const STORAGE_EXIT_CODES = `
Exit codes:
  0  listed (an existing state directory with no secure storage yet lists nothing)
  1  the state directory does not exist or cannot be read (one line says which)`;

export function registerStorageCommand(program: Command): void {
  const storage = program.command('storage').description('secure storage as the normal world sees it');
  storage.command('ls')
    .description('list the secure-storage blobs of a state directory: names, sizes, owning TA, and that they are ciphertext')
    .requiredOption('--state <dir>', 'device state directory')
    .option('--json', 'print a JSON array of files')
    .addHelpText('after', STORAGE_EXIT_CODES)
    .action((opts: { state: string; json?: boolean }) => {
      let st;
      try {
        st = statSync(opts.state);
      } catch {
        throw new Error(`storage ls: no state directory ${opts.state} (boot a device with --state ${opts.state} first)`);
      }
      if (!st.isDirectory()) throw new Error(`storage ls: ${opts.state} is not a state directory`);
      const files = listStorage(opts.state);
      if (opts.json) console.log(JSON.stringify(files, null, 2));
      else print(files, opts.state);
    });
}
