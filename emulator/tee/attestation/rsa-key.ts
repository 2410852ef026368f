/**
 * The RSA key of OP-TEE's attestation pseudo-TA (pta/attestation.ts). As OP-TEE, it is
 * generated on first use (3072 bits, e = 65537) and then kept: OP-TEE keeps it in the PTA's
 * secure storage; we keep it beside the rollback anchor in the device's hardware/ part, sealed
 * (AES-256-GCM) under the HUK subkey `attestationKeySeal`, so it survives reboots, only this
 * device's secure world can open it, and a copied file is useless on another device. A device
 * without a state directory keeps the key in memory for its lifetime.
 *
 * File: JSON {version: 1, iv, tag, key} (base64), key = the private key's PKCS#8 DER.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  createPrivateKey, gcmOpen, gcmSeal, generateKeyPairSync, type KeyObject, type RandomSource,
} from '../../host/crypto.js';

export const ATTESTATION_RSA_BITS = 3072;
const AAD = Buffer.from('trustbox attestation rsa key v1', 'utf8');

export class SealedRsaKey {
  #key: KeyObject | undefined;

  constructor(
    private readonly path: string | undefined,
    private readonly sealKey: Buffer,
    private readonly random: RandomSource,
    private readonly log: (line: string) => void,
  ) {}

  /** The private key: opened from its sealed file, or generated (and sealed) the first time. */
  get(): KeyObject {
    this.#key ??= this.open() ?? this.generate();
    return this.#key;
  }

  private open(): KeyObject | undefined {
    if (!this.path || !existsSync(this.path)) return undefined;
    try {
      const f = JSON.parse(readFileSync(this.path, 'utf8')) as { version: number; iv: string; tag: string; key: string };
      const der = gcmOpen(this.sealKey, Buffer.from(f.iv, 'base64'), AAD, Buffer.from(f.key, 'base64'), Buffer.from(f.tag, 'base64'));
      if (der) return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } catch {
      // unreadable: made again below
    }
    this.log(`tee: attestation key ${this.path} does not open with this device's key; making a new one`);
    return undefined;
  }

  private generate(): KeyObject {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: ATTESTATION_RSA_BITS, publicExponent: 65537 });
    if (this.path) {
      const iv = this.random.bytes(12);
      const der = privateKey.export({ format: 'der', type: 'pkcs8' });
      const { ct, tag } = gcmSeal(this.sealKey, iv, AAD, der);
      const tmp = `${this.path}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: 1, iv: iv.toString('base64'), tag: tag.toString('base64'), key: ct.toString('base64') }),
        { mode: 0o600 });
      renameSync(tmp, this.path);
    }
    this.log(`tee: attestation PTA: generated its RSA-${ATTESTATION_RSA_BITS} key${this.path ? ' (sealed in hardware/)' : ''}`);
    return privateKey;
  }
}
