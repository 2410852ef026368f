/**
 * Verifying PSA attestation tokens (RFC 9783 and the draft profile OP-TEE's Veraison PTA
 * emits) in the client library: decoding (cbor-x, tolerant of non-preferred encodings), the
 * COSE_Sign1 envelope, the ES256 signature (WebCrypto, so this runs in Node and browsers), and
 * the relying party's checks: freshness (nonce, replay), profile, lifecycle, the expected TA and
 * reference values. The result names the first check that failed.
 *
 * ```ts
 * const r = await verifyPsaToken(token, { publicKey: devicePem, nonce });
 * if (!r.ok) console.log(`${r.check}: ${r.reason}`);
 * ```
 */
import { Decoder, Tag } from 'cbor-x';
import {
  CBOR_TAG_COSE_SIGN1, COSE_ALG_ES256, COSE_HEADER_ALG, PSA_CLAIM_BOOT_SEED, PSA_CLAIM_BOOT_SEED_DRAFT,
  PSA_CLAIM_CLIENT_ID, PSA_CLAIM_IMPLEMENTATION_ID, PSA_CLAIM_INSTANCE_ID, PSA_CLAIM_LIFECYCLE, PSA_CLAIM_NONCE,
  PSA_CLAIM_PROFILE, PSA_CLAIM_SOFTWARE_COMPONENTS, PSA_CLAIM_VERIFICATION_SERVICE, PSA_LIFECYCLE_NON_PSA_ROT_DEBUG,
  PSA_LIFECYCLE_SECURED, PSA_NONCE_SIZES, PSA_PROFILE_DRAFT, PSA_PROFILE_RFC, PSA_SW_MEASUREMENT_DESC,
  PSA_SW_MEASUREMENT_TYPE, PSA_SW_MEASUREMENT_VALUE, PSA_SW_SIGNER_ID, PSA_SW_VERSION, type PsaClaims,
  type PsaSoftwareComponent,
} from '../abi/psa-token.js';

export type { PsaClaims, PsaSoftwareComponent } from '../abi/psa-token.js';

/** A WebCrypto key (CryptoKey in browsers and Node). */
export type WebCryptoKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

/** The checks, in the order they run. */
export type PsaCheck =
  | 'decode' | 'cose' | 'alg' | 'signature' | 'instance-id' | 'claims' | 'profile' | 'nonce' | 'replay'
  | 'lifecycle' | 'expected-ta' | 'reference-values';

/** A reference value, as Veraison's PSA scheme keys them: a measurement type and value (hex). */
export interface PsaReferenceValue {
  'measurement-type'?: string;
  'measurement-value': string;
  'signer-id'?: string;
}

export interface PsaVerifyOptions {
  /** The device's public key: SPKI PEM, SPKI DER or a WebCrypto key. Required. */
  publicKey: string | Uint8Array | WebCryptoKey;
  /** The nonce the relying party sent; the token's must equal it. */
  nonce?: Uint8Array;
  /** Nonces (hex) already used: a token carrying one of them is a replay. Its nonce is added on success. */
  seenNonces?: Set<string>;
  /** Profiles accepted (default both). */
  profiles?: readonly string[];
  /** A component must carry this measurement (hex) and, when given, this signer id (hex). */
  expectTa?: { measurement?: string; signerId?: string; label?: string };
  /** Every software component must match one of these (type, when given, and value). */
  referenceValues?: readonly PsaReferenceValue[];
  /** Skip binding the instance id to the key (0x01 || SHA-256(SPKI)); default: checked. */
  skipInstanceIdCheck?: boolean;
}

export type PsaVerifyResult =
  | { ok: true; claims: PsaClaims }
  | { ok: false; check: PsaCheck; reason: string; claims?: PsaClaims };

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false } as ConstructorParameters<typeof Decoder>[0]);

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

class CheckFailed extends Error {
  constructor(readonly check: PsaCheck, reason: string) {
    super(reason);
  }
}

/** The parts of a COSE_Sign1 token. */
export interface CoseSign1 {
  protectedHeader: Uint8Array;
  alg: number | undefined;
  payload: Uint8Array;
  signature: Uint8Array;
}

/** Decodes the COSE_Sign1 envelope (tag 18; an untagged array is accepted too). */
export function decodeCoseSign1(token: Uint8Array): CoseSign1 {
  let top: unknown;
  try {
    top = decoder.decode(token);
  } catch (error) {
    throw new CheckFailed('decode', `the token is not CBOR: ${(error as Error).message}`);
  }
  if (top instanceof Tag) {
    if (top.tag !== CBOR_TAG_COSE_SIGN1) throw new CheckFailed('cose', `CBOR tag ${top.tag} is not COSE_Sign1 (18)`);
    top = top.value;
  }
  if (!Array.isArray(top) || top.length !== 4) throw new CheckFailed('cose', 'not a COSE_Sign1 array of 4 items');
  const [protectedHeader, unprotected, payload, signature] = top as unknown[];
  if (!isBytes(protectedHeader) || !isBytes(payload) || !isBytes(signature) || !(unprotected instanceof Map)) {
    throw new CheckFailed('cose', 'COSE_Sign1 items have the wrong types (bstr, map, bstr, bstr)');
  }
  let alg: number | undefined;
  if (protectedHeader.length > 0) {
    const h: unknown = decoder.decode(protectedHeader);
    if (!(h instanceof Map)) throw new CheckFailed('cose', 'the protected header is not a map');
    alg = h.get(COSE_HEADER_ALG) as number | undefined;
  }
  return { protectedHeader, alg, payload, signature };
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new CheckFailed('claims', `${what} is not a text string`);
  return v;
}
function bytes(v: unknown, what: string): string {
  if (!isBytes(v)) throw new CheckFailed('claims', `${what} is not a byte string`);
  return hex(v);
}
function int(v: unknown, what: string): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new CheckFailed('claims', `${what} is not an integer`);
  return n;
}

function softwareComponent(v: unknown, i: number): PsaSoftwareComponent {
  if (!(v instanceof Map)) throw new CheckFailed('claims', `software component ${i} is not a map`);
  const c: PsaSoftwareComponent = { measurementValue: bytes(v.get(PSA_SW_MEASUREMENT_VALUE), `software component ${i} measurement-value`) };
  if (v.has(PSA_SW_MEASUREMENT_TYPE)) c.measurementType = text(v.get(PSA_SW_MEASUREMENT_TYPE), `component ${i} measurement-type`);
  if (v.has(PSA_SW_SIGNER_ID)) c.signerId = bytes(v.get(PSA_SW_SIGNER_ID), `component ${i} signer-id`);
  if (v.has(PSA_SW_VERSION)) c.version = text(v.get(PSA_SW_VERSION), `component ${i} version`);
  if (v.has(PSA_SW_MEASUREMENT_DESC)) c.measurementDesc = text(v.get(PSA_SW_MEASUREMENT_DESC), `component ${i} measurement-desc`);
  return c;
}

/** The claims of a payload (no signature check). Throws a CheckFailed ('claims') when a MUST claim is missing. */
export function decodePsaClaims(payload: Uint8Array): PsaClaims {
  let m: unknown;
  try {
    m = decoder.decode(payload);
  } catch (error) {
    throw new CheckFailed('decode', `the payload is not CBOR: ${(error as Error).message}`);
  }
  if (!(m instanceof Map)) throw new CheckFailed('claims', 'the payload is not a CBOR map');
  const need = (k: number, name: string): unknown => {
    if (!m.has(k)) throw new CheckFailed('claims', `the ${name} claim (${k}) is missing`);
    return m.get(k);
  };
  const sw = need(PSA_CLAIM_SOFTWARE_COMPONENTS, 'software components');
  if (!Array.isArray(sw) || sw.length === 0) throw new CheckFailed('claims', 'software components is not a non-empty array');
  const claims: PsaClaims = {
    profile: text(need(PSA_CLAIM_PROFILE, 'profile'), 'profile'),
    clientId: int(need(PSA_CLAIM_CLIENT_ID, 'client id'), 'client id'),
    lifecycle: int(need(PSA_CLAIM_LIFECYCLE, 'security lifecycle'), 'security lifecycle'),
    implementationId: bytes(need(PSA_CLAIM_IMPLEMENTATION_ID, 'implementation id'), 'implementation id'),
    instanceId: bytes(need(PSA_CLAIM_INSTANCE_ID, 'instance id'), 'instance id'),
    nonce: bytes(need(PSA_CLAIM_NONCE, 'nonce'), 'nonce'),
    softwareComponents: sw.map(softwareComponent),
  };
  const seed = m.get(claims.profile === PSA_PROFILE_DRAFT ? PSA_CLAIM_BOOT_SEED_DRAFT : PSA_CLAIM_BOOT_SEED);
  if (seed !== undefined) claims.bootSeed = bytes(seed, 'boot seed');
  if (m.has(PSA_CLAIM_VERIFICATION_SERVICE)) claims.verificationService = text(m.get(PSA_CLAIM_VERIFICATION_SERVICE), 'verification service');
  return claims;
}

/** Decodes a token without verifying it (for display). Throws an Error naming what is wrong. */
export function decodePsaToken(token: Uint8Array): PsaClaims {
  return decodePsaClaims(decodeCoseSign1(token).payload);
}

function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) [^-]+-----/g, '').replace(/\s+/g, '');
  const bin = atob(body);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function importKey(key: string | Uint8Array | WebCryptoKey): Promise<{ key: WebCryptoKey; spki: Uint8Array }> {
  const subtle = globalThis.crypto.subtle;
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) {
    return { key, spki: new Uint8Array(await subtle.exportKey('spki', key)) };
  }
  const spki = typeof key === 'string' ? pemToDer(key) : key;
  return { key: await subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']), spki };
}

/** The Sig_structure COSE_Sign1 signs, written by hand for its four fixed items (RFC 9052 §4.4). */
function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  const head = (major: number, n: number): number[] => {
    const m = major << 5;
    if (n < 24) return [m | n];
    if (n < 0x100) return [m | 24, n];
    if (n < 0x10000) return [m | 25, n >> 8, n & 0xff];
    return [m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  };
  const label = new TextEncoder().encode('Signature1');
  return Uint8Array.from([
    ...head(4, 4), ...head(3, label.length), ...label, ...head(2, protectedHeader.length), ...protectedHeader,
    ...head(2, 0), ...head(2, payload.length), ...payload,
  ]);
}

function checkRelyingParty(claims: PsaClaims, o: PsaVerifyOptions): void {
  const profiles = o.profiles ?? [PSA_PROFILE_RFC, PSA_PROFILE_DRAFT];
  if (!profiles.includes(claims.profile)) throw new CheckFailed('profile', `profile "${claims.profile}" is not accepted`);
  if (!PSA_NONCE_SIZES.includes(claims.nonce.length / 2)) {
    throw new CheckFailed('nonce', `the nonce is ${claims.nonce.length / 2} bytes (32, 48 or 64 expected)`);
  }
  if (o.nonce && claims.nonce !== hex(o.nonce)) throw new CheckFailed('nonce', 'the token\'s nonce is not the one sent (stale or for another challenge)');
  if (o.seenNonces?.has(claims.nonce)) throw new CheckFailed('replay', 'this nonce was used before: the token is a replay');
  const major = claims.lifecycle & 0xff00;
  if (major !== PSA_LIFECYCLE_SECURED && major !== PSA_LIFECYCLE_NON_PSA_ROT_DEBUG) {
    throw new CheckFailed('lifecycle', `security lifecycle 0x${claims.lifecycle.toString(16)} is neither SECURED nor NON_PSA_ROT_DEBUG`);
  }
  const ta = o.expectTa;
  if (ta && !claims.softwareComponents.some((c) => (!ta.measurement || c.measurementValue === ta.measurement.toLowerCase())
    && (!ta.signerId || c.signerId === ta.signerId.toLowerCase()))) {
    throw new CheckFailed('expected-ta', `no software component measures the expected TA${ta.label ? ` ${ta.label}` : ''}`);
  }
  if (o.referenceValues) {
    for (const c of claims.softwareComponents) {
      const known = o.referenceValues.some((r) => r['measurement-value'].toLowerCase() === c.measurementValue
        && (r['measurement-type'] === undefined || r['measurement-type'] === c.measurementType)
        && (r['signer-id'] === undefined || r['signer-id'].toLowerCase() === c.signerId));
      if (!known) {
        throw new CheckFailed('reference-values', `software component ${c.measurementType ?? '?'} ${c.measurementValue.slice(0, 16)}... matches no reference value`);
      }
    }
  }
}

/** Verifies a token; resolves to the claims, or to the first failed check. Never rejects. */
export async function verifyPsaToken(token: Uint8Array, o: PsaVerifyOptions): Promise<PsaVerifyResult> {
  let claims: PsaClaims | undefined;
  try {
    const cose = decodeCoseSign1(token);
    if (cose.alg !== COSE_ALG_ES256) throw new CheckFailed('alg', `algorithm ${String(cose.alg)} is not ES256 (-7)`);
    const { key, spki } = await importKey(o.publicKey);
    const good = cose.signature.length === 64 && await globalThis.crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' }, key, cose.signature, sigStructure(cose.protectedHeader, cose.payload));
    if (!good) throw new CheckFailed('signature', 'the signature does not verify with the device key (forged, altered or another device)');
    claims = decodePsaClaims(cose.payload);
    if (!o.skipInstanceIdCheck) {
      const id = `01${hex(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', spki)))}`;
      if (claims.instanceId !== id) throw new CheckFailed('instance-id', 'the instance id does not name the key that signed');
    }
    checkRelyingParty(claims, o);
    o.seenNonces?.add(claims.nonce);
    return { ok: true, claims };
  } catch (error) {
    if (error instanceof CheckFailed) return { ok: false, check: error.check, reason: error.message, ...(claims ? { claims } : {}) };
    return { ok: false, check: 'decode', reason: (error as Error).message };
  }
}
