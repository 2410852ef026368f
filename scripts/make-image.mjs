// Assembles images/<board>/ from the built firmware and TAs and writes manifest.json with the
// SHA-256 of every file. Files are only rewritten when their bytes change, so a rebuild that
// changes nothing leaves the committed images untouched.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const boards = {
  'trustbox-edge': 'TrustBox Edge (Cortex-A53) default image',
  'trustbox-edgexl': 'TrustBox EdgeXL (Cortex-A72) default image',
};
const firmware = join(root, 'firmware/normal/build/normal.bin');
/**
 * Test TAs that never end on their own (watchdog and cancellation tests) stay out of the boot
 * images: a device should not offer every client a TA made to hold it. So does `marker`, whose
 * plaintext must reach the encrypted-TA tests only encrypted, and `rpcprobe`, which only the
 * ocall tests call. Tests add their build folders as TA paths (test/helpers/device.ts,
 * TEST_TA_PATHS).
 */
const TEST_ONLY = new Set(['loop', 'marker', 'libtls', 'rpcprobe']);
const taDirs = readdirSync(join(root, 'firmware/ta'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !TEST_ONLY.has(d.name))
  .map((d) => join(root, 'firmware/ta', d.name, 'out'))
  .filter((d) => existsSync(d));
const tas = taDirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.ta')).map((f) => join(d, f))).sort();

const sha = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** The signed digest of a .ta (shdr at 0, hash at 20): equal digests mean equal headers and ELF. */
function taDigest(bytes) {
  const hashSize = bytes.readUInt16LE(16);
  return bytes.subarray(20, 20 + hashSize);
}
function place(src, dst) {
  if (existsSync(dst)) {
    const old = readFileSync(dst);
    const now = readFileSync(src);
    // A re-signed TA with the same content keeps its committed bytes (PSS signatures are salted).
    if (old.equals(now) || (dst.endsWith('.ta') && taDigest(old).equals(taDigest(now)))) return;
  }
  copyFileSync(src, dst);
}

for (const [board, description] of Object.entries(boards)) {
  const dir = join(root, 'images', board);
  mkdirSync(join(dir, 'ta'), { recursive: true });
  for (const f of readdirSync(join(dir, 'ta'))) {
    if (!tas.some((t) => t.endsWith(`/${f}`))) rmSync(join(dir, 'ta', f));
  }
  place(firmware, join(dir, 'normal.bin'));
  const files = [{ path: 'normal.bin', sha256: sha(firmware), role: 'normal-firmware', load: '0x40000000', entry: '0x40000000' }];
  for (const ta of tas) {
    const name = ta.split('/').pop();
    place(ta, join(dir, 'ta', name));
    files.push({ path: `ta/${name}`, sha256: sha(join(dir, 'ta', name)), role: 'ta' });
  }
  const manifest = JSON.stringify({ version: 1, board, description, files }, null, 2) + '\n';
  const path = join(dir, 'manifest.json');
  if (!existsSync(path) || readFileSync(path, 'utf8') !== manifest) writeFileSync(path, manifest);
  console.log(`  images/${board}: normal.bin + ${tas.length} TAs`);
}
