/**
 * The PSA attestation token (RFC 9783) and its COSE_Sign1 envelope (RFC 9052), as constants
 * spelled once: claim keys, software-component keys, profiles, lifecycle states, COSE labels.
 * Both the token builder in the secure world (tee/attestation/psa-token.ts) and the verifier of
 * the client library (client/attestation.ts) use these. docs/attestation.md explains them.
 */

/** RFC 9783 (TF-M profile); boot seed at EAT key 268. */
export const PSA_PROFILE_RFC = 'tag:psacertified.org,2023:psa#tfm';
/** draft-tschofenig-rats-psa-token-13 and OP-TEE's Veraison PTA; boot seed at key 2397. */
export const PSA_PROFILE_DRAFT = 'http://arm.com/psa/2.0.0';
export type PsaProfileName = 'rfc' | 'draft';
export const PSA_PROFILES: Readonly<Record<PsaProfileName, string>> = { rfc: PSA_PROFILE_RFC, draft: PSA_PROFILE_DRAFT };

/** Claim keys (CBOR map keys of the token's payload). */
export const PSA_CLAIM_NONCE = 10;
export const PSA_CLAIM_INSTANCE_ID = 256;
export const PSA_CLAIM_PROFILE = 265;
export const PSA_CLAIM_BOOT_SEED = 268;
export const PSA_CLAIM_CLIENT_ID = 2394;
export const PSA_CLAIM_LIFECYCLE = 2395;
export const PSA_CLAIM_IMPLEMENTATION_ID = 2396;
/** The draft profile's boot seed key (RFC 9783 moved it to 268). */
export const PSA_CLAIM_BOOT_SEED_DRAFT = 2397;
export const PSA_CLAIM_CERTIFICATION_REFERENCE = 2398;
export const PSA_CLAIM_SOFTWARE_COMPONENTS = 2399;
export const PSA_CLAIM_VERIFICATION_SERVICE = 2400;

/** Software component map keys. */
export const PSA_SW_MEASUREMENT_TYPE = 1;
export const PSA_SW_MEASUREMENT_VALUE = 2;
export const PSA_SW_VERSION = 4;
export const PSA_SW_SIGNER_ID = 5;
export const PSA_SW_MEASUREMENT_DESC = 6;

/** Security lifecycle: major state in bits 15:8. Verifiers trust SECURED and NON_PSA_ROT_DEBUG. */
export const PSA_LIFECYCLE_SECURED = 0x3000;
export const PSA_LIFECYCLE_NON_PSA_ROT_DEBUG = 0x4000;

/** Nonce sizes RFC 9783 allows. */
export const PSA_NONCE_SIZES: readonly number[] = [32, 48, 64];

/** COSE (RFC 9052/9053). */
export const CBOR_TAG_COSE_SIGN1 = 18;
export const COSE_HEADER_ALG = 1;
export const COSE_ALG_ES256 = -7;

/** One software component as the verifier reads it (hex for byte strings). */
export interface PsaSoftwareComponent {
  measurementType?: string;
  measurementValue: string;
  signerId?: string;
  version?: string;
  measurementDesc?: string;
}

/** The claims of a token, decoded (hex for byte strings). */
export interface PsaClaims {
  profile: string;
  clientId: number;
  lifecycle: number;
  implementationId: string;
  instanceId: string;
  nonce: string;
  bootSeed?: string;
  softwareComponents: PsaSoftwareComponent[];
  verificationService?: string;
}
