/**
 * A device's persistent state directory: OTP fuses (hardware unique key, die id), installed
 * TAs and secure-storage blobs. Everything else is rebuilt at boot.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RandomSource } from '../host/crypto.js';

/** Contents of the OTP fuse block. Only the secure world reads it. */
export interface Fuses {
  /** Hardware unique key, 32 bytes. */
  huk: Buffer;
  /** Die id, 16 bytes (feeds gpd.tee.deviceID). */
  dieId: Buffer;
}

const FUSES_FILE = 'otp-fuses.bin';
const FUSES_MAGIC = Buffer.from('TBOTP001');

/** The default state directory of a board: $TRUSTBOX_STATE_HOME or ~/.local/state/trustbox. */
export function defaultStateDir(board: string): string {
  const base = process.env.TRUSTBOX_STATE_HOME ?? join(homedir(), '.local', 'state', 'trustbox');
  return join(base, board);
}

/** Creates the state directory (mode 0700) and its sub-directories. */
export function prepareStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, 'ta'), { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, 'secure-storage'), { recursive: true, mode: 0o700 });
}

/**
 * Reads the fuses, burning fresh ones from `random` on first boot (a seeded source makes them
 * deterministic for tests).
 */
export function readFuses(dir: string, random: RandomSource): Fuses {
  const path = join(dir, FUSES_FILE);
  if (existsSync(path)) {
    const raw = readFileSync(path);
    if (raw.length === 8 + 32 + 16 && raw.subarray(0, 8).equals(FUSES_MAGIC)) {
      return { huk: raw.subarray(8, 40), dieId: raw.subarray(40, 56) };
    }
    throw new Error(`${path} is damaged: the OTP fuse block must be ${8 + 32 + 16} bytes starting with TBOTP001`);
  }
  const huk = random.bytes(32);
  const dieId = random.bytes(16);
  writeFileSync(path, Buffer.concat([FUSES_MAGIC, huk, dieId]), { mode: 0o600 });
  chmodSync(path, 0o600);
  return { huk, dieId };
}
