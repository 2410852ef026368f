/**
 * The per-device envelope of an encrypted TA (our extension to OP-TEE's format; the format is
 * documented in docs/encrypted-tas.md): the TA's content key wrapped to one device's identity
 * key (EC P-256), so that only that device's secure world can unwrap it.
 *
 *   offset size
 *     0     4  magic "TBEV"
 *     4     2  version (1)
 *     6     2  key wrap (1 = ECDH-ES P-256 + HKDF-SHA256 + AES-256-GCM)
 *     8    32  recipient: SHA-256 of the device identity key's SubjectPublicKeyInfo DER
 *    40    65  ephemeral P-256 public key, uncompressed point (0x04 || X || Y)
 *   105    12  wrap IV
 *   117    16  wrap tag
 *   133    32  the wrapped 32-byte content key
 *   165        end
 *
 *   KEK     = HKDF-SHA256(ikm = ECDH(ephemeral, device).X, salt = ephemeral point || recipient,
 *                         info = "trustbox.ta-envelope.v1" || TA UUID octets, 32 bytes)
 *   wrapped = AES-256-GCM(KEK, wrap IV, aad = envelope[0..105) || TA UUID octets, content key)
 *
 * The envelope trails the payload and is hashed (and so signed) after the encryption header.
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_FORMAT, TEE_ERROR_SECURITY } from '../../abi/results.js';
import { uuidToOctets } from '../../abi/uuid.js';
import {
  diffieHellman, gcmOpen, gcmSeal, generateP256, hkdf, p256FromPoint, p256Point, sha256, systemRandom, type KeyObject, type RandomSource,
} from '../../host/crypto.js';
import type { DeviceIdentity } from '../identity.js';

export const ENVELOPE_MAGIC = Buffer.from('TBEV', 'ascii');
export const ENVELOPE_VERSION = 1;
/** ECDH-ES on P-256, HKDF-SHA256, AES-256-GCM key wrap. */
export const ENVELOPE_WRAP_ECDH_P256_HKDF_SHA256_A256GCM = 1;
export const ENVELOPE_SIZE = 165;
const AAD_END = 105;
const INFO = Buffer.from('trustbox.ta-envelope.v1', 'ascii');

/** What `ta inspect` shows of an envelope, without unwrapping anything. */
export interface EnvelopeInfo {
  version: number;
  wrap: string;
  /** SHA-256 of the recipient device's identity key (hex): the device id is "tbx-" + its first 16 bytes. */
  recipient: string;
}

function wrapName(id: number): string {
  return id === ENVELOPE_WRAP_ECDH_P256_HKDF_SHA256_A256GCM ? 'ECDH-ES P-256 + HKDF-SHA256 + AES-256-GCM key wrap' : `unknown (${id})`;
}

/** Reads an envelope's header; BAD_FORMAT when it is not one. */
export function describeEnvelope(env: Uint8Array): EnvelopeInfo {
  if (env.length < 40 || !Buffer.from(env.subarray(0, 4)).equals(ENVELOPE_MAGIC)) {
    throw new TeeError(TEE_ERROR_BAD_FORMAT, 'the per-device envelope is malformed (bad magic)');
  }
  const v = Buffer.from(env.buffer, env.byteOffset, env.byteLength);
  return { version: v.readUInt16LE(4), wrap: wrapName(v.readUInt16LE(6)), recipient: v.subarray(8, 40).toString('hex') };
}

function kek(shared: Uint8Array, point: Uint8Array, recipient: Uint8Array, uuid: string): Buffer {
  return hkdf('sha256', shared, Buffer.concat([point, recipient]), Buffer.concat([INFO, uuidToOctets(uuid)]), 32);
}

/** Wraps `contentKey` to the device whose identity public key is `device` (EC P-256). */
export function sealEnvelope(device: KeyObject, contentKey: Uint8Array, uuid: string, random: RandomSource = systemRandom): Buffer {
  const recipient = sha256(device.export({ format: 'der', type: 'spki' }));
  p256Point(device); // throws when it is not a P-256 key
  const eph = generateP256();
  const point = p256Point(eph.publicKey);
  const head = Buffer.alloc(AAD_END);
  ENVELOPE_MAGIC.copy(head, 0);
  head.writeUInt16LE(ENVELOPE_VERSION, 4);
  head.writeUInt16LE(ENVELOPE_WRAP_ECDH_P256_HKDF_SHA256_A256GCM, 6);
  recipient.copy(head, 8);
  point.copy(head, 40);
  const iv = random.bytes(12);
  const key = kek(diffieHellman(eph.privateKey, device), point, recipient, uuid);
  const { ct, tag } = gcmSeal(key, iv, Buffer.concat([head, uuidToOctets(uuid)]), contentKey);
  return Buffer.concat([head, iv, tag, ct]);
}

function refuse(label: string, check: string): never {
  throw new TeeError(TEE_ERROR_SECURITY, `${label}: ${check}`);
}

/**
 * Unwraps the content key with the device's identity key, in the secure world. Throws
 * TEE_ERROR_SECURITY naming the failed check (another device's envelope among them).
 */
export function openEnvelope(env: Uint8Array, identity: DeviceIdentity, uuid: string, label: string): Buffer {
  if (env.length !== ENVELOPE_SIZE) refuse(label, `size check: the per-device envelope is ${env.length} bytes, not ${ENVELOPE_SIZE}`);
  const info = describeEnvelope(env);
  if (info.version !== ENVELOPE_VERSION) refuse(label, `unsupported envelope version ${info.version}`);
  const v = Buffer.from(env.buffer, env.byteOffset, env.byteLength);
  const wrap = v.readUInt16LE(6);
  if (wrap !== ENVELOPE_WRAP_ECDH_P256_HKDF_SHA256_A256GCM) refuse(label, `unsupported key wrap algorithm ${wrap}`);
  const recipient = v.subarray(8, 40);
  if (!recipient.equals(identity.info.keyHash)) {
    refuse(label, `encrypted for another device (envelope recipient key ${info.recipient.slice(0, 32)}, ` +
      `this device is ${identity.info.deviceId})`);
  }
  const point = v.subarray(40, AAD_END);
  let peer: KeyObject;
  try {
    peer = p256FromPoint(point);
  } catch {
    return refuse(label, 'key unwrap: the envelope\'s ephemeral key is not a P-256 point');
  }
  const key = kek(identity.sharedSecret(peer), point, recipient, uuid);
  const contentKey = gcmOpen(key, v.subarray(105, 117), Buffer.concat([v.subarray(0, AAD_END), uuidToOctets(uuid)]),
    v.subarray(133, 165), v.subarray(117, 133));
  if (!contentKey || contentKey.length !== 32) refuse(label, 'key unwrap: the envelope does not authenticate (altered, or not made for this device)');
  return contentKey;
}
