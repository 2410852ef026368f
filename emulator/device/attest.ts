/**
 * The device's `attest` work: a PSA token about one TA and the measured boot, signed in the
 * secure world by the identity key. The TA may be loaded (its instance's measurement and signer)
 * or only loadable: then the normal world's TA store gives the file the core would load, the
 * secure world verifies it as it would at load, and the token carries what loading it would
 * measure (SHA-256 of the signed container, the signer's key id).
 */
import { TeeError } from '../abi/errors.js';
import { TEEC_ORIGIN_API } from '../abi/client-api.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_ITEM_NOT_FOUND } from '../abi/results.js';
import type { PsaProfileName } from '../abi/psa-token.js';
import { sha256 } from '../host/crypto.js';
import type { AttestedTa } from '../tee/attestation/attester.js';
import type { Device } from './device.js';

export interface AttestArgs {
  uuid: string;
  nonce: Uint8Array;
  profile?: PsaProfileName;
}

/** What the token says about the TA `uuid`; ITEM_NOT_FOUND when the device has no such TA. */
export function attestedTa(device: Device, uuid: string): AttestedTa {
  const id = uuid.toLowerCase();
  const live = device.core.instances().find((i) => i.uuid === id);
  if (live) return { uuid: id, measurement: live.measurement, signerId: live.signerId };
  const file = device.taStore.find(id);
  if (!file) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `the device has no TA ${id} (not loaded, not in its TA store)`);
  const vetted = device.core.vetTa(file.bytes); // the secure world's checks, as at load
  if (vetted.uuid !== id) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `the TA store's ${id}.ta names UUID ${vetted.uuid}`);
  return { uuid: id, measurement: sha256(file.bytes).toString('hex'), signerId: vetted.signerId, version: String(vetted.taVersion) };
}

/** A signed PSA token about `uuid` (the nonce must be 32, 48 or 64 bytes). */
export function attest(device: Device, a: AttestArgs): Uint8Array {
  if (![32, 48, 64].includes(a.nonce.length)) {
    throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `the nonce is ${a.nonce.length} bytes; a PSA token takes 32, 48 or 64`, TEEC_ORIGIN_API);
  }
  return device.core.attester.token({ nonce: a.nonce, profile: a.profile ?? 'rfc', ta: attestedTa(device, a.uuid) });
}
