/**
 * The encrypted TA container (img_type 2, SHDR_ENCRYPTED_TA, OP-TEE's CFG_ENCRYPT_TA): the
 * payload is the ELF under AES-256-GCM; the signature covers the PLAINTEXT. Opened in the
 * secure world, in OP-TEE's order of checks (ree_fs_ta.c): header signature, sizes, algorithm
 * and key, decryption with its tag, then the digest of the plaintext. The plaintext exists only
 * in the core's memory, and from there in the TA's secure pages.
 *
 * Two ways to the content key (docs/encrypted-tas.md):
 *   flags bit 0 = 0 (SHDR_ENC_KEY_DEV_SPECIFIC): OP-TEE's default `tee_otp_get_ta_enc_key`,
 *       HMAC-SHA256(HUK, u32le(4) || signing key modulus), the HUK subkey `opteeTaEnc`;
 *   flags bit 1 (SHDR_ENC_TRUSTBOX_ENVELOPE, ours): wrapped to one device's identity key in an
 *       envelope after the payload (envelope.ts).
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_FORMAT, TEE_ERROR_SECURITY } from '../../abi/results.js';
import { TEE_ALG_AES_GCM } from '../../abi/tee-api.js';
import { gcmOpen, gcmSeal, sha256, systemRandom, type KeyObject, type RandomSource } from '../../host/crypto.js';
import type { DeriveSubkey } from '../huk.js';
import {
  SHDR_ENCRYPTED_TA, SHDR_ENCRYPTED_TA_SIZE, SHDR_ENC_KEY_CLASS_WIDE, SHDR_ENC_KEY_TYPE_MASK, SHDR_ENC_TRUSTBOX_ENVELOPE,
  parseTaContainer, signContainer, verifyHeaderSignature, type SignOptions,
} from '../loader/container.js';
import { openEnvelope, sealEnvelope } from './envelope.js';
import type { ContainerKind } from './pipeline.js';

const IV_SIZE = 12;
const TAG_SIZE = 16;
const KNOWN_FLAGS = SHDR_ENC_KEY_TYPE_MASK | SHDR_ENC_TRUSTBOX_ENVELOPE;
const NO_AAD = new Uint8Array(0);

/** The big-endian bytes of an RSA public key's modulus, as OP-TEE's `ta_pub_key_modulus`. */
export function rsaModulus(key: KeyObject): Buffer {
  const n = key.export({ format: 'jwk' }).n;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || !n || !bits) throw new TeeError(TEE_ERROR_BAD_FORMAT, 'not an RSA key');
  const raw = Buffer.from(n, 'base64url');
  const size = Math.ceil(bits / 8);
  return raw.length >= size ? raw : Buffer.concat([Buffer.alloc(size - raw.length), raw]);
}

/** OP-TEE's device-specific TA encryption key for TAs signed by `signer`, from the HUK. */
export function opteeTaEncKey(derive: DeriveSubkey, signer: KeyObject): Buffer {
  return derive('opteeTaEnc', rsaModulus(signer));
}

function refuse(label: string, check: string): never {
  throw new TeeError(TEE_ERROR_SECURITY, `${label}: ${check}`);
}

export const encryptedContainer: ContainerKind = {
  name: 'encrypted',
  imgTypes: [SHDR_ENCRYPTED_TA],
  open(bytes, keys, label, ctx) {
    const c = parseTaContainer(bytes, label, { lenientSize: true });
    const enc = c.encrypted!;
    const signer = verifyHeaderSignature(c, keys, label);
    if (!signer) refuse(label, 'header signature: it does not verify with any trusted key (an unknown signer)');
    if (c.sizeMismatch) refuse(label, `size check: ${c.sizeMismatch}`);
    if (enc.encAlgo !== TEE_ALG_AES_GCM) {
      refuse(label, `unsupported encryption algorithm 0x${enc.encAlgo.toString(16)} (only TEE_ALG_AES_GCM, 0x${TEE_ALG_AES_GCM.toString(16)})`);
    }
    if (enc.iv.length !== IV_SIZE || enc.tag.length !== TAG_SIZE) {
      refuse(label, `unsupported AES-GCM parameters: ${enc.iv.length}-byte IV and ${enc.tag.length}-byte tag (12 and 16 are supported)`);
    }
    if (enc.flags & ~KNOWN_FLAGS) refuse(label, `unsupported encryption flags 0x${enc.flags.toString(16)}`);
    if ((enc.flags & SHDR_ENC_KEY_TYPE_MASK) === SHDR_ENC_KEY_CLASS_WIDE) {
      refuse(label, 'unsupported key type SHDR_ENC_KEY_CLASS_WIDE (this device has only the device-specific key, as OP-TEE by default)');
    }
    let key: Buffer;
    if (enc.flags & SHDR_ENC_TRUSTBOX_ENVELOPE) {
      if (!enc.envelope) refuse(label, 'size check: the per-device envelope is missing');
      key = openEnvelope(enc.envelope, ctx.identity, c.bootstrap!.uuid, label);
    } else {
      key = opteeTaEncKey(ctx.deriveKey, signer.root ?? signer.key);
    }
    const elf = gcmOpen(key, enc.iv, NO_AAD, c.payload, enc.tag);
    key.fill(0);
    if (!elf) refuse(label, 'decryption: the authentication tag does not verify (a wrong key, or the ciphertext or tag was altered)');
    if (!sha256(...c.hashedHeaders, elf).equals(c.hash)) {
      elf.fill(0);
      refuse(label, 'digest check: the decrypted TA does not match the signed digest');
    }
    return { elf, signer: signer.name, namedUuid: c.bootstrap!.uuid, taVersion: c.bootstrap!.taVersion };
  },
};

/** Options of {@link encryptTa}: how to sign, and one of the two ways to the content key. */
export interface EncryptOptions extends SignOptions {
  /** The content key for OP-TEE's mode (32 bytes: TA_ENC_KEY, or `opteeTaEncKey` of a device). */
  encKey?: Uint8Array;
  /** A device's identity public key (EC P-256): a fresh content key is wrapped to it. */
  forDevice?: KeyObject;
  random?: RandomSource;
}

/**
 * Builds an ENCRYPTED_TA as sign_encrypt.py does (12-byte random IV, 16-byte tag, no AAD),
 * plus our per-device envelope when `forDevice` is given.
 */
export function encryptTa(opts: EncryptOptions): Uint8Array {
  const random = opts.random ?? systemRandom;
  if ((opts.encKey === undefined) === (opts.forDevice === undefined)) {
    throw new TeeError(TEE_ERROR_BAD_FORMAT, 'give one of an encryption key and a device key');
  }
  if (opts.encKey && opts.encKey.length !== 32) throw new TeeError(TEE_ERROR_BAD_FORMAT, 'the encryption key must be 32 bytes (AES-256)');
  const contentKey = opts.encKey ? Buffer.from(opts.encKey) : random.bytes(32);
  const envelope = opts.forDevice ? sealEnvelope(opts.forDevice, contentKey, opts.uuid, random) : undefined;
  const iv = random.bytes(IV_SIZE);
  const { ct, tag } = gcmSeal(contentKey, iv, NO_AAD, opts.elf);
  const head = Buffer.alloc(SHDR_ENCRYPTED_TA_SIZE);
  head.writeUInt32LE(TEE_ALG_AES_GCM, 0);
  head.writeUInt32LE(envelope ? SHDR_ENC_TRUSTBOX_ENVELOPE : 0, 4);
  head.writeUInt16LE(IV_SIZE, 8);
  head.writeUInt16LE(TAG_SIZE, 10);
  contentKey.fill(0);
  return signContainer(opts, { encHeader: Buffer.concat([head, iv, tag]), ciphertext: ct, ...(envelope ? { envelope } : {}) });
}
