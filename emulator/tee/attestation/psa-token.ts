/**
 * Builds PSA attestation tokens (RFC 9783) in the secure world: the claims as a CBOR map with
 * integer keys, in a tagged COSE_Sign1 (tag 18, protected header {1: -7}, ES256) signed by the
 * device identity key. CBOR through cbor-x, set to write plain CBOR (integer-keyed maps, byte
 * strings untagged, no records) that any CBOR/COSE library reads.
 *
 * Profiles: RFC 9783's `tag:psacertified.org,2023:psa#tfm` (boot seed at 268) by default, or the
 * draft's `http://arm.com/psa/2.0.0` (boot seed at 2397), which OP-TEE's Veraison PTA emits.
 */
import { Encoder, Tag } from 'cbor-x';
import {
  CBOR_TAG_COSE_SIGN1, COSE_ALG_ES256, COSE_HEADER_ALG, PSA_CLAIM_BOOT_SEED, PSA_CLAIM_BOOT_SEED_DRAFT,
  PSA_CLAIM_CLIENT_ID, PSA_CLAIM_IMPLEMENTATION_ID, PSA_CLAIM_INSTANCE_ID, PSA_CLAIM_LIFECYCLE, PSA_CLAIM_NONCE,
  PSA_CLAIM_PROFILE, PSA_CLAIM_SOFTWARE_COMPONENTS, PSA_LIFECYCLE_SECURED, PSA_PROFILES, PSA_SW_MEASUREMENT_DESC,
  PSA_SW_MEASUREMENT_TYPE, PSA_SW_MEASUREMENT_VALUE, PSA_SW_SIGNER_ID, PSA_SW_VERSION, type PsaProfileName,
} from '../../abi/psa-token.js';
import { sha256 } from '../../host/crypto.js';
import type { MeasurementEvent } from './measurements.js';

/**
 * Our implementation id (32 bytes): SHA-256 of "trustbox-emulator PSA implementation v1". It
 * names the implementation (this emulator's secure world), not the device: every TrustBox
 * emulator has it, as every chip of one PSA-RoT design has one. docs/attestation.md.
 */
export const TRUSTBOX_IMPLEMENTATION_ID = sha256(Buffer.from('trustbox-emulator PSA implementation v1', 'utf8'));

/** The client id of a secure-side caller (a TA or the core itself). */
export const PSA_CLIENT_ID_SECURE = 1;

/** Plain CBOR: integer-keyed maps stay maps, byte strings untagged, no record extension. */
export const plainCbor = new Encoder({
  mapsAsObjects: false, useRecords: false, tagUint8Array: false, variableMapSize: true, pack: false,
});

export interface PsaTokenInput {
  profile?: PsaProfileName;
  nonce: Uint8Array;
  instanceId: Uint8Array;
  implementationId?: Uint8Array;
  clientId?: number;
  lifecycle?: number;
  /** 8..32 bytes, fixed for one boot. */
  bootSeed?: Uint8Array;
  /** Measured stages, first the boot, then the attested TA. At least one. */
  components: readonly MeasurementEvent[];
}

/** One software component map. */
function component(e: MeasurementEvent): Map<number, unknown> {
  const m = new Map<number, unknown>([
    [PSA_SW_MEASUREMENT_TYPE, e.type],
    [PSA_SW_MEASUREMENT_VALUE, Buffer.from(e.digest)],
  ]);
  if (e.version !== undefined) m.set(PSA_SW_VERSION, e.version);
  if (e.signerId) m.set(PSA_SW_SIGNER_ID, Buffer.from(e.signerId));
  m.set(PSA_SW_MEASUREMENT_DESC, 'sha-256');
  return m;
}

/** The claims map of a token. */
export function psaClaims(input: PsaTokenInput): Map<number, unknown> {
  const profile = input.profile ?? 'rfc';
  const claims = new Map<number, unknown>([
    [PSA_CLAIM_PROFILE, PSA_PROFILES[profile]],
    [PSA_CLAIM_CLIENT_ID, input.clientId ?? PSA_CLIENT_ID_SECURE],
    [PSA_CLAIM_LIFECYCLE, input.lifecycle ?? PSA_LIFECYCLE_SECURED],
    [PSA_CLAIM_IMPLEMENTATION_ID, Buffer.from(input.implementationId ?? TRUSTBOX_IMPLEMENTATION_ID)],
    [PSA_CLAIM_INSTANCE_ID, Buffer.from(input.instanceId)],
    [PSA_CLAIM_NONCE, Buffer.from(input.nonce)],
  ]);
  if (input.bootSeed) claims.set(profile === 'draft' ? PSA_CLAIM_BOOT_SEED_DRAFT : PSA_CLAIM_BOOT_SEED, Buffer.from(input.bootSeed));
  claims.set(PSA_CLAIM_SOFTWARE_COMPONENTS, input.components.map(component));
  return claims;
}

/** A tagged COSE_Sign1 over `payload`; `sign` gives ES256 r || s over the Sig_structure. */
export function coseSign1(payload: Uint8Array, sign: (toBeSigned: Uint8Array) => Uint8Array): Buffer {
  const protectedHeader = plainCbor.encode(new Map([[COSE_HEADER_ALG, COSE_ALG_ES256]]));
  const toBeSigned = plainCbor.encode(['Signature1', protectedHeader, Buffer.alloc(0), Buffer.from(payload)]);
  const signature = Buffer.from(sign(toBeSigned));
  return plainCbor.encode(new Tag([protectedHeader, new Map(), Buffer.from(payload), signature], CBOR_TAG_COSE_SIGN1));
}

/** A signed PSA token. */
export function buildPsaToken(input: PsaTokenInput, sign: (toBeSigned: Uint8Array) => Uint8Array): Buffer {
  if (input.components.length === 0) throw new RangeError('a PSA token needs at least one software component');
  return coseSign1(plainCbor.encode(psaClaims(input)), sign);
}
