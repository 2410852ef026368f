/**
 * Measured boot of one device (tee/attestation/measurements.ts has the register): each stage
 * is measured before it runs and extended into the core's measurement register.
 *
 *   boot ROM      "BL"    SHA-256 of the image's manifest.json (it pins every image file by SHA-256)
 *   monitor       "PRoT"  SHA-256 of the secure monitor's code (emulator/monitor/)
 *   TEE core      "PRoT"  SHA-256 of the TEE core's code (emulator/tee/, recursively)
 *   normal world  "NSPE"  SHA-256 of the normal-world firmware bytes as loaded
 *
 * The monitor and the TEE core are the emulator's own modules, so their "code" is the module
 * files this process runs: SHA-256 over the sorted list of (relative path, NUL, SHA-256 of the
 * file). It changes when the emulator's secure-side code changes, and is the same for every
 * device run by one build. TAs are measured by the core as they load.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../host/crypto.js';
import type { TeeCore } from '../tee/core.js';
import type { BootImage } from './image.js';

const CODE_FILE = /\.(js|ts)$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : CODE_FILE.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []);
}

/**
 * Measurements of this process's code, made once: the modules a process runs are the ones it
 * loaded at start, so hashing them again at each boot (~7 ms) would measure nothing new.
 */
const codeMeasured = new Map<string, Buffer>();

/** SHA-256 over the code files of an emulator folder (see above). */
export function codeMeasurement(folder: 'monitor' | 'tee'): Buffer {
  let m = codeMeasured.get(folder);
  if (!m) codeMeasured.set(folder, m = measureFolder(folder));
  return m;
}

function measureFolder(folder: string): Buffer {
  const root = fileURLToPath(new URL(`../${folder}/`, import.meta.url));
  const entries = files(root).map((f) => `${relative(root, f).split('\\').join('/')}\0${sha256(readFileSync(f)).toString('hex')}\n`).sort();
  return sha256(Buffer.from(entries.join(''), 'utf8'));
}

/** The stages before the normal world: boot ROM, monitor, TEE core. */
export function measureSecureBoot(core: TeeCore, image: BootImage): void {
  const log = core.measurements;
  log.extend({ type: 'BL', description: 'boot ROM: image manifest', digest: sha256(readFileSync(join(image.dir, 'manifest.json'))) });
  log.extend({ type: 'PRoT', description: 'monitor: secure monitor (EL3)', digest: codeMeasurement('monitor') });
  log.extend({ type: 'PRoT', description: 'TEE core', digest: codeMeasurement('tee') });
}

/** The normal-world firmware, measured as it is loaded. */
export function measureNormalWorld(core: TeeCore, image: BootImage): void {
  core.measurements.extend({ type: 'NSPE', description: `normal world: ${image.firmware.path}`, digest: sha256(image.firmware.bytes) });
}
