/**
 * `trustbox ta encrypt`: turns a TA ELF, or a signed container after verifying it, into an
 * ENCRYPTED_TA (docs/encrypted-tas.md), re-signed as `ta sign` signs:
 *
 *   --enc-key HEX          OP-TEE's mode with an explicit TA_ENC_KEY (as sign_encrypt.py --enc-key)
 *   --huk HEX              OP-TEE's mode with the device-specific key a device of this HUK derives
 *                          for the signing key (--huk 32 zeros: OP-TEE on QEMU's default TA_ENC_KEY)
 *   --for-device PEM       our per-device envelope: a fresh content key wrapped to the device's
 *                          identity key (`trustbox device id` prints it)
 *
 * Also `describeEncryption`, what `ta inspect` shows of an encrypted TA without decrypting it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { TEE_ALG_AES_GCM } from '../abi/tee-api.js';
import { createPublicKey, sha256, type KeyObject } from '../host/crypto.js';
import { parseHuk } from '../device/state.js';
import { hukSubkeys } from '../tee/huk.js';
import {
  SHDR_ENCRYPTED_TA, SHDR_ENC_KEY_TYPE_MASK, SHDR_ENC_TRUSTBOX_ENVELOPE, parseTaContainer, verifyHeaderSignature, verifyTaContainer,
  type TaContainer, type TrustedKey,
} from '../tee/loader/container.js';
import { parseElf } from '../tee/loader/elf.js';
import { developmentKeys, developmentSigningKey, loadPrivateKey, loadPublicKey } from '../tee/loader/signing-keys.js';
import { encryptTa, opteeTaEncKey } from '../tee/ta-sources/encrypted.js';
import { describeEnvelope } from '../tee/ta-sources/envelope.js';
import { defaultUuid, isElf, readInput, run } from './ta-files.js';

interface EncryptCliOptions {
  in: string;
  out: string;
  encKey?: string;
  huk?: string;
  forDevice?: string;
  key?: string;
  uuid?: string;
  taVersion?: string;
  algo: string;
}

/** Adds `ta encrypt` to the `ta` command group. */
export function registerEncryptCommand(ta: Command): void {
  ta.command('encrypt')
    .description('encrypt a TA ELF or a signed .ta (verified first) into an ENCRYPTED_TA container, signed again')
    .requiredOption('--in <file>', 'stripped TA ELF, or a signed .ta container')
    .requiredOption('--out <file>', 'container to write')
    .option('--enc-key <hex>', 'OP-TEE mode: the 32-byte AES key (TA_ENC_KEY) as 64 hex digits')
    .option('--huk <hex>', 'OP-TEE mode: the key a device with this HUK derives for the signing key (32 zeros: OP-TEE on QEMU)')
    .option('--for-device <pem>', 'per-device envelope: the device identity public key (EC P-256) that alone may decrypt')
    .option('--key <pem>', 'RSA private key to sign with (default: the project development key)')
    .option('--uuid <uuid>', 'TA UUID of an ELF (default: its ta_head uuid)')
    .option('--ta-version <n>', 'rollback version (default: the signed container\'s, or 0)')
    .option('--algo <algo>', 'pss or pkcs1', 'pss')
    .action((opts: EncryptCliOptions, cmd: Command) => run(cmd, () => encryptCommand(opts)));
}

function encryptCommand(opts: EncryptCliOptions): void {
  const modes = [opts.encKey, opts.huk, opts.forDevice].filter((m) => m !== undefined).length;
  if (modes !== 1) throw new Error('give exactly one of --enc-key HEX, --huk HEX and --for-device DEVICE_PUBKEY.pem');
  if (opts.algo !== 'pss' && opts.algo !== 'pkcs1') throw new Error(`--algo must be pss or pkcs1, not "${opts.algo}"`);
  if (opts.encKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.encKey)) throw new Error('--enc-key must be 32 bytes as 64 hex digits');
  if (opts.taVersion !== undefined && (!/^\d+$/.test(opts.taVersion) || Number(opts.taVersion) > 0xffffffff)) {
    throw new Error(`--ta-version must be a 32-bit unsigned integer, not "${opts.taVersion}"`);
  }
  const key = opts.key ? loadPrivateKey(opts.key) : developmentSigningKey();
  const input = plaintextOf(readInput(opts.in), opts, createPublicKey(key));
  const taVersion = opts.taVersion !== undefined ? Number(opts.taVersion) : input.taVersion;
  const forDevice = opts.forDevice ? deviceKey(opts.forDevice) : undefined;
  const encKey = opts.encKey ? Buffer.from(opts.encKey, 'hex')
    : opts.huk ? opteeTaEncKey(hukSubkeys(parseHuk(opts.huk)), createPublicKey(key)) : undefined;
  const out = encryptTa({
    elf: input.elf, uuid: input.uuid, taVersion, key, algo: opts.algo, ...(encKey ? { encKey } : {}), ...(forDevice ? { forDevice } : {}),
  });
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, out);
  const mode = forDevice ? `for device tbx-${sha256(forDevice.export({ format: 'der', type: 'spki' })).subarray(0, 16).toString('hex')}`
    : 'OP-TEE device-specific key mode';
  process.stdout.write(`encrypted ${input.uuid} (ta_version ${taVersion}, ${mode}, AES-256-GCM) -> ${opts.out}\n`);
}

/** The plaintext ELF to encrypt: the input ELF, or a signed container's payload once it verifies. */
function plaintextOf(bytes: Uint8Array, opts: EncryptCliOptions, signingPublic: KeyObject): { elf: Uint8Array; uuid: string; taVersion: number } {
  if (isElf(bytes)) {
    const elf = parseElf(bytes, opts.in);
    return { elf: bytes, uuid: (opts.uuid ?? defaultUuid(elf)).toLowerCase(), taVersion: 0 };
  }
  const c = parseTaContainer(bytes, opts.in);
  if (c.imgType === SHDR_ENCRYPTED_TA) throw new Error(`${opts.in} is already encrypted`);
  const keys: TrustedKey[] = [...developmentKeys(), { name: '--key', key: signingPublic }];
  const v = verifyTaContainer(bytes, keys, opts.in); // throws when no key we know signed it
  const uuid = c.bootstrap?.uuid ?? opts.uuid;
  if (!uuid) throw new Error(`${opts.in} names no UUID (a legacy TA container): pass --uuid`);
  if (opts.uuid && opts.uuid.toLowerCase() !== uuid) throw new Error(`--uuid ${opts.uuid} contradicts the UUID ${uuid} of ${opts.in}`);
  return { elf: v.elf, uuid, taVersion: c.bootstrap?.taVersion ?? 0 };
}

function deviceKey(path: string): KeyObject {
  const key = loadPublicKey(path);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${path} is not an EC P-256 public key (a device identity key: trustbox device id prints it)`);
  }
  return key;
}

/** What `ta inspect` reports of an ENCRYPTED_TA. */
export interface EncryptionInfo {
  mode: string;
  algorithm: string;
  keyType: string;
  flags: number;
  /** Per-device envelope: the device id of the recipient, and its key hash. */
  recipient?: string;
}

/** Describes an encrypted container without decrypting it; the signer is the header signature's. */
export function describeEncryption(c: TaContainer, keys: readonly TrustedKey[], label: string): { signer: string; encryption: EncryptionInfo } {
  const e = c.encrypted!;
  let signer: string;
  try {
    const k = verifyHeaderSignature(c, keys, label);
    signer = k ? `${k.name} (header signature; the plaintext digest is checked when the device decrypts)` : 'untrusted (no known key signed the header)';
  } catch (error) {
    signer = `untrusted (${(error as Error).message.replace(`${label}: `, '')})`;
  }
  const algorithm = e.encAlgo === TEE_ALG_AES_GCM ? `TEE_ALG_AES_GCM (AES-256-GCM, ${e.iv.length}-byte IV, ${e.tag.length}-byte tag)`
    : `unsupported 0x${e.encAlgo.toString(16)}`;
  if (e.flags & SHDR_ENC_TRUSTBOX_ENVELOPE) {
    let recipient = 'missing';
    let wrap = 'unknown';
    if (e.envelope) {
      try {
        const env = describeEnvelope(e.envelope);
        recipient = `tbx-${env.recipient.slice(0, 32)} (identity key SHA-256 ${env.recipient})`;
        wrap = env.wrap;
      } catch (error) {
        recipient = (error as Error).message;
      }
    }
    return { signer, encryption: { mode: 'per-device envelope (trustbox)', algorithm, keyType: `content key wrapped to one device: ${wrap}`, flags: e.flags, recipient } };
  }
  const classWide = (e.flags & SHDR_ENC_KEY_TYPE_MASK) !== 0;
  return {
    signer,
    encryption: {
      mode: classWide ? 'OP-TEE class-wide key' : 'OP-TEE device key',
      algorithm,
      keyType: classWide ? 'SHDR_ENC_KEY_CLASS_WIDE (not supported by this device)' : 'SHDR_ENC_KEY_DEV_SPECIFIC (HMAC-SHA256(HUK, 4 || signing key modulus))',
      flags: e.flags,
    },
  };
}
