/**
 * The device's identity: an EC P-256 key pair derived in the secure world from the fuses (the
 * HUK subkey `deviceIdentity`), so the same device always has the same identity and no file
 * holds its private key. What leaves the secure world is the public part (`DeviceIdentityInfo`):
 * the key, its hash and the device id. The private key stays in this object, which signs and
 * agrees keys (ECDH) for the core's services but never hands the key out.
 *
 *   d          = (HMAC-SHA256(HUK, "trustbox.device.identity.p256.v1" || 0x00) mod (n - 1)) + 1
 *   keyHash    = SHA-256(SubjectPublicKeyInfo DER of the public key)
 *   deviceId   = "tbx-" + the first 16 bytes of keyHash in hex
 *   instanceId = 0x01 || keyHash (a PSA instance id / EAT UEID of type RAND)
 */
import {
  createPublicKey, diffieHellman, ecPublicFromPrivate, ecdsaSignRaw, privateKeyFromJwk, sha256, type KeyObject,
} from '../host/crypto.js';
import type { DeriveSubkey } from './huk.js';

/** The order of the P-256 group. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** What anyone may know of the device's identity. */
export interface DeviceIdentityInfo {
  deviceId: string;
  /** The public key, SubjectPublicKeyInfo PEM. */
  publicKeyPem: string;
  /** SHA-256 of the public key's SubjectPublicKeyInfo DER (32 bytes). */
  keyHash: Buffer;
  /** 0x01 || keyHash: the PSA instance id (33 bytes). */
  instanceId: Buffer;
}

export class DeviceIdentity {
  readonly info: DeviceIdentityInfo;
  readonly publicKey: KeyObject;
  readonly #privateKey: KeyObject;

  constructor(derive: DeriveSubkey) {
    const seed = BigInt(`0x${derive('deviceIdentity').toString('hex')}`);
    const d = Buffer.from(((seed % (P256_N - 1n)) + 1n).toString(16).padStart(64, '0'), 'hex');
    const { x, y } = ecPublicFromPrivate('prime256v1', d);
    const b64 = (b: Buffer) => b.toString('base64url');
    this.#privateKey = privateKeyFromJwk({ kty: 'EC', crv: 'P-256', d: b64(d), x: b64(x), y: b64(y) });
    this.publicKey = createPublicKey(this.#privateKey);
    const spki = this.publicKey.export({ format: 'der', type: 'spki' });
    const keyHash = sha256(spki);
    this.info = {
      deviceId: `tbx-${keyHash.subarray(0, 16).toString('hex')}`,
      publicKeyPem: this.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      keyHash,
      instanceId: Buffer.concat([Buffer.from([0x01]), keyHash]),
    };
  }

  /** ECDSA P-256 / SHA-256 over `data`: r || s, 64 bytes (COSE ES256). */
  sign(data: Uint8Array): Buffer {
    return ecdsaSignRaw(this.#privateKey, 'sha256', data);
  }

  /** The ECDH shared secret (X coordinate) with a peer's P-256 public key. */
  sharedSecret(peer: KeyObject): Buffer {
    return diffieHellman(this.#privateKey, peer);
  }
}
