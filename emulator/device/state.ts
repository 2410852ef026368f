/**
 * A device's persistent state directory, in two parts as on a board:
 *
 * - the **hardware** (`hardware/`): the OTP fuse block (hardware unique key, die id, and the
 *   "RPMB key programmed" bit), the RPMB-like rollback anchor, the record of trusted TA signers.
 *   Only the secure world and the boot ROM read it; the normal world's side (supplicant, file
 *   server, TA store, `trustbox storage ls`) never does.
 * - the **flash** (`ta/`, `secure-storage/`): what the normal world stores and reads.
 *
 * On a host both are files of one folder, so what protects the hardware part from the host's
 * users is the folder's owner and modes (checked at every boot, as ssh checks ~/.ssh), and, when
 * the device was sealed with a passphrase, that passphrase: the fuse block is then encrypted
 * under a key derived from it with scrypt. Folders made by earlier versions (fuses and anchor
 * at the top) are moved into `hardware/` at their first boot.
 */
import { existsSync, lstatSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gcmOpen, gcmSeal, hmac, passphraseKey, systemRandom, type RandomSource } from '../host/crypto.js';
import {
  StateError, checkOwned, checkPrivateDir, createPrivateFile, ensurePrivateDir, makeDirs, readPrivateFile, replacePrivateFile,
} from './private-files.js';

export { StateError } from './private-files.js';

/** Contents of the OTP fuse block. Only the secure world reads it. */
export interface Fuses {
  /** Hardware unique key, 32 bytes, or 16 as OP-TEE's (HW_UNIQUE_KEY_LENGTH). */
  huk: Buffer;
  /** Die id, 16 bytes (feeds gpd.tee.deviceID). */
  dieId: Buffer;
}

/** The hardware part of the state directory. */
export const HARDWARE_DIR = 'hardware';
/** Files of the hardware part. */
export const FUSES_FILE = 'otp-fuses.bin';
export const ANCHOR_FILE = 'rpmb-anchor.bin';
/** The flash: the normal world's folders. */
export const FLASH_DIRS = ['ta', 'secure-storage'] as const;

const PLAIN_V1 = Buffer.from('TBOTP001');
const PLAIN_V2 = Buffer.from('TBOTP002');
const SEALED_V1 = Buffer.from('TBOTPS01');
const BODY_SIZE = 1 + 32 + 16;
/** Fuse bit 0: the RPMB authentication key is programmed (secure storage was written once). */
const RPMB_PROGRAMMED = 1;
/** Fuse bit 1: the HUK is 16 bytes (OP-TEE's size), kept in the first half of its 32-byte field. */
const HUK_16_BYTES = 2;

/** The default state directory of a board: $TRUSTBOX_STATE_HOME or ~/.local/state/trustbox. */
export function defaultStateDir(board: string): string {
  const base = process.env.TRUSTBOX_STATE_HOME ?? join(homedir(), '.local', 'state', 'trustbox');
  return join(base, board);
}

/** `<state>/hardware/<name>`. */
export function hardwarePath(dir: string, name: string): string {
  return join(dir, HARDWARE_DIR, name);
}

/**
 * Creates the state directory (mode 0700) and its parts, refusing folders this user does not
 * own or others may change, and moves an earlier version's fuses and anchor into `hardware/`.
 * Returns console lines to print (what was moved).
 */
export function prepareStateDir(dir: string): string[] {
  makeDirs(dir, 'state directory');
  checkPrivateDir(dir, 'state directory', true);
  ensurePrivateDir(join(dir, HARDWARE_DIR), 'hardware folder');
  for (const flash of FLASH_DIRS) ensurePrivateDir(join(dir, flash), 'state folder');
  const moved: string[] = [];
  for (const name of [FUSES_FILE, ANCHOR_FILE]) {
    const old = join(dir, name);
    let st;
    try {
      st = lstatSync(old);
    } catch {
      continue;
    }
    if (!st.isFile()) throw new StateError(`${old} is not a regular file (a symbolic link?): refusing it`);
    checkOwned(old, st, 'state file');
    const to = hardwarePath(dir, name);
    if (existsSync(to)) throw new StateError(`${dir} has ${name} both at its top and in ${HARDWARE_DIR}/: keep the one in ${HARDWARE_DIR}/ and remove ${old}`);
    renameSync(old, to);
    moved.push(name);
  }
  return moved.length
    ? [`boot ROM: state of an earlier version: moved ${moved.join(' and ')} into ${HARDWARE_DIR}/, the device's hardware part (the normal world never reads it)`]
    : [];
}

export interface FuseOptions {
  /** Where a new device's fuses come from: the system CSPRNG unless `seeded`. */
  random: RandomSource;
  /** True when `random` is a seeded stream (a warning is printed: the HUK is then predictable). */
  seeded?: boolean;
  /** The HUK of a new device (32 or 16 bytes); for an existing one it must match its fuses. */
  huk?: Buffer;
  /** Seal the fuse block with this passphrase (needed to open a sealed one). */
  passphrase?: string;
}

/** The device's hardware, as read at boot. */
export interface DeviceHardware {
  fuses: Fuses;
  /** The "RPMB key programmed" fuse bit: once secure storage was written, a missing anchor is a rollback. */
  rpmb: { programmed(): boolean; program(): void };
  /** Path of the rollback anchor. */
  anchorPath: string;
  /** Whether the fuse block is sealed with a passphrase. */
  sealed: boolean;
  /** Boot ROM console lines (what was burnt, moved, sealed; warnings). */
  notes: string[];
}

/**
 * Parses a HUK given as 64 hex digits (32 bytes) or 32 hex digits (16 bytes, OP-TEE's size:
 * `--huk 00000000000000000000000000000000` is OP-TEE on QEMU); throws a sentence naming the fix.
 */
export function parseHuk(text: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{32}){1,2}$/.test(text)) {
    throw new StateError('--huk must be 32 bytes as 64 hex digits, or 16 bytes as 32 hex digits (OP-TEE\'s size; OP-TEE on QEMU: 32 zeros)');
  }
  return Buffer.from(text, 'hex');
}

interface FuseBody {
  flags: number;
  huk: Buffer;
  dieId: Buffer;
}

function encodeBody(b: FuseBody): Buffer {
  const flags = b.huk.length === 16 ? b.flags | HUK_16_BYTES : b.flags & ~HUK_16_BYTES;
  return Buffer.concat([Buffer.from([flags]), b.huk, Buffer.alloc(32 - b.huk.length), b.dieId]);
}

function decodeBody(raw: Buffer): FuseBody {
  const flags = raw[0]!;
  const hukSize = flags & HUK_16_BYTES ? 16 : 32;
  return { flags, huk: Buffer.from(raw.subarray(1, 1 + hukSize)), dieId: Buffer.from(raw.subarray(33, 49)) };
}

function seal(passphrase: string, body: FuseBody, salt = systemRandom.bytes(16)): Buffer {
  const iv = systemRandom.bytes(12);
  const key = passphraseKey(passphrase, salt);
  const { ct, tag } = gcmSeal(key, iv, Buffer.concat([SEALED_V1, salt]), encodeBody(body));
  return Buffer.concat([SEALED_V1, salt, iv, tag, ct]);
}

/**
 * Reads the device's hardware part (after `prepareStateDir`), burning fresh fuses on first
 * boot: from the system CSPRNG, or `--huk`, or a seeded stream when asked (`--seed-fuses`).
 */
export function openHardware(dir: string, opts: FuseOptions): DeviceHardware {
  const path = hardwarePath(dir, FUSES_FILE);
  const notes: string[] = [];
  const raw = readPrivateFile(path, 'fuse block', true);
  let body: FuseBody;
  let passphrase = opts.passphrase;
  let sealed: boolean;
  if (!raw) {
    // With a given HUK the die id follows from it, as OP-TEE's default tee_otp_get_die_id derives
    // it (HUK subkey HUK_SUBKEY_DIE_ID = 2): a device made twice with one --huk is the same device.
    const dieId = opts.huk ? hmac('sha256', opts.huk, Buffer.from([2, 0, 0, 0])).subarray(0, 16) : opts.random.bytes(16);
    body = { flags: 0, huk: opts.huk ?? opts.random.bytes(32), dieId };
    sealed = passphrase !== undefined;
    createPrivateFile(path, sealed ? seal(passphrase!, body) : Buffer.concat([PLAIN_V2, encodeBody(body)]));
    if (opts.huk) notes.push('boot ROM: new device: fuses burnt with the HUK given by --huk');
    else if (opts.seeded) {
      notes.push('boot ROM: WARNING: new device: fuses burnt from --seed (--seed-fuses): anyone who knows the seed knows the ' +
        'hardware unique key and can decrypt this device\'s secure storage; for tests only');
    }
    if (sealed) notes.push(`boot ROM: new device: fuse block sealed with the hardware passphrase`);
  } else {
    const magic = raw.subarray(0, 8);
    if (magic.equals(SEALED_V1) && raw.length === 8 + 16 + 12 + 16 + BODY_SIZE) {
      if (passphrase === undefined) {
        throw new StateError(`the hardware of ${dir} is sealed with a passphrase: give --hardware-passphrase-file FILE ` +
          'or set TRUSTBOX_HARDWARE_PASSPHRASE');
      }
      const salt = raw.subarray(8, 24);
      const plain = gcmOpen(passphraseKey(passphrase, salt), raw.subarray(24, 36), Buffer.concat([SEALED_V1, salt]),
        raw.subarray(52), raw.subarray(36, 52));
      if (!plain) throw new StateError(`the hardware passphrase does not open the fuse block of ${dir} (wrong passphrase, or the file was changed)`);
      body = decodeBody(plain);
      sealed = true;
    } else if (magic.equals(PLAIN_V2) && raw.length === 8 + BODY_SIZE) {
      body = decodeBody(raw.subarray(8));
      sealed = false;
    } else if (magic.equals(PLAIN_V1) && raw.length === 8 + 32 + 16) {
      body = { flags: 0, huk: Buffer.from(raw.subarray(8, 40)), dieId: Buffer.from(raw.subarray(40, 56)) };
      sealed = false;
    } else {
      throw new StateError(`${path} is damaged: not a fuse block this emulator wrote`);
    }
    if (opts.huk && !opts.huk.equals(body.huk)) {
      throw new StateError(`--huk differs from the fuses of the device in ${dir}: a device's fuses never change ` +
        '(boot a new state directory for another HUK)');
    }
    if (!sealed && passphrase !== undefined) {
      replacePrivateFile(path, seal(passphrase, body));
      sealed = true;
      notes.push('boot ROM: fuse block sealed with the hardware passphrase from now on');
    }
  }
  const write = (): void => {
    replacePrivateFile(path, sealed ? seal(passphrase!, body) : Buffer.concat([PLAIN_V2, encodeBody(body)]));
  };
  if (!sealed) passphrase = undefined;
  return {
    fuses: { huk: body.huk, dieId: body.dieId },
    rpmb: {
      programmed: () => (body.flags & RPMB_PROGRAMMED) !== 0,
      program: () => {
        if (body.flags & RPMB_PROGRAMMED) return;
        body.flags |= RPMB_PROGRAMMED;
        write();
      },
    },
    anchorPath: hardwarePath(dir, ANCHOR_FILE),
    sealed,
    notes,
  };
}
