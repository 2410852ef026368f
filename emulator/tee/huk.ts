/**
 * Keys derived from the hardware unique key (HUK). As OP-TEE's `huk_subkey_derive`, the HUK
 * never leaves this module: the core, syscall families and pseudo-TAs receive a derivation
 * function bound to it and name the purpose of each key by a fixed usage. A usage's label is
 * part of every key it derives, so keys of two purposes can never coincide.
 *
 * The labels and their framing are what devices have always used: changing one would make
 * every existing state directory's secure storage unreadable.
 */
import { hmac } from '../host/crypto.js';

/**
 * How each usage frames its derivation: HMAC-SHA256(HUK, label [|| 0x00] || data...). A label is
 * text (ours) or bytes (OP-TEE's usage words, for keys that must equal OP-TEE's).
 */
const USAGES = {
  /** Per-TA key of secure storage objects (data: the TA's UUID octets). */
  storageObject: { label: 'trustbox.storage.object.v1', separator: true },
  /** Per-TA key of the secure storage index (data: the TA's UUID octets). */
  storageIndex: { label: 'trustbox.storage.index.v1', separator: true },
  /** Key of the replay-protected rollback anchor (the RPMB's part). */
  storageAnchor: { label: 'trustbox.storage.anchor.v1', separator: false },
  /** PTA_SYSTEM_DERIVE_TA_UNIQUE_KEY (data: the caller's UUID octets, then its extra data). */
  taUnique: { label: 'trustbox ta unique key', separator: false },
  /** The device identity key pair's private value (identity.ts; no data). */
  deviceIdentity: { label: 'trustbox.device.identity.p256.v1', separator: true },
  /**
   * OP-TEE's TA encryption key (HUK_SUBKEY_TA_ENC = 4, `tee_otp_get_ta_enc_key`): the label is
   * the usage as a little-endian u32, as OP-TEE frames it; data: the TA signing key's modulus.
   */
  opteeTaEnc: { label: Buffer.from([4, 0, 0, 0]), separator: false },
  /** Seals the record of TA versions seen, for rollback checks (ta-sources/rollback.ts; no data). */
  taVersions: { label: 'trustbox.ta.versions.v1', separator: true },
  /** Seals the attestation PTA's RSA key in the device's hardware/ part (tee/attestation/rsa-key.ts; no data). */
  attestationKeySeal: { label: 'trustbox.attestation.rsa.seal.v1', separator: true },
  /** Open Enclave seal keys (tee/pta/oe-keys.ts; data: policy byte, the enclave's identity binding, context). */
  oeSeal: { label: 'trustbox.oe.seal.v1', separator: true },
} as const;

/** The purposes a HUK subkey may serve. */
export type SubkeyUsage = keyof typeof USAGES;

/** Derives a 32-byte subkey of the HUK for `usage`, bound to `data`. */
export type DeriveSubkey = (usage: SubkeyUsage, ...data: Uint8Array[]) => Buffer;

/** A derivation function bound to `huk`; the HUK itself stays in its closure. */
export function hukSubkeys(huk: Uint8Array): DeriveSubkey {
  const key = Buffer.from(huk);
  const sep = Buffer.from([0]);
  const labels = new Map(Object.entries(USAGES).map(([u, d]) => [u, {
    label: typeof d.label === 'string' ? Buffer.from(d.label, 'utf8') : d.label, separator: d.separator,
  }]));
  return (usage, ...data) => {
    const u = labels.get(usage);
    if (!u) throw new TypeError(`unknown HUK subkey usage "${usage}"`);
    return u.separator ? hmac('sha256', key, u.label, sep, ...data) : hmac('sha256', key, u.label, ...data);
  };
}
