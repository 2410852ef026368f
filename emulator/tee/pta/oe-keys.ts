/**
 * The Open Enclave keys pseudo-TA (ours, UUID 5c0e7f1a-9d3b-4f62-8a41-6e2b0d9c7f35): what the
 * enclave runtime (oe/enclave) asks the TEE for, since an enclave never sees the HUK and has no
 * COSE library. Commands:
 *
 *   0 SEAL_KEY      [0] value IN (a = policy: 1 UNIQUE, 2 PRODUCT; b = security version the key
 *                   is bound to, 0xffffffff = the caller's own), [1] memref IN context (or none),
 *                   [2] memref OUT 32-byte key, [3] value OUT (a = the security version used)
 *   1 GET_EVIDENCE  [0] memref IN nonce (32..64 bytes), [1] memref OUT PSA token
 *   2 VERIFY        [0] memref IN evidence, [1] memref OUT claims record
 *
 * Identity of the calling enclave: UNIQUE binds its measurement (SHA-256 of its signed
 * container); PRODUCT binds its signer id (SHA-256 of the signing key's SPKI), the ProductID
 * of its `.oeinfo` record and a security version no higher than its own (a newer enclave of the
 * product opens what an older one sealed, never the reverse: ACCESS_DENIED). Keys are
 * HMAC-SHA256(HUK, "trustbox.oe.seal.v1" 0 policy || binding || u32 context size || context)
 * through the kernel's deriveKey.
 *
 * `.oeinfo` (oe/include/openenclave/bits/optee/oeinfo.h) is read from the caller's read-only
 * memory (the loaded image, which the TA cannot change): the 88-byte record starting with
 * "OEOPTEE1" at an 8-byte aligned place. No record: product 0, security version 0, debug.
 *
 * Evidence (format 7d0f2c64-3b1e-4a57-9c86-5e210ba4d319, "PSA token on TrustBox"): the
 * runtime's header "TBOE" u16 1 u16 0 u32 custom_size u32 token_size, the custom claims, then a
 * PSA token (attestation/psa-token.ts, signed by the device identity key) whose nonce is
 * SHA-256(custom claims) and whose last software component is the enclave, with version text
 * "oe:product_id=P;security_version=S;debug=D". VERIFY checks the COSE signature against this
 * device's identity key and the nonce, and answers the OE claims as a record: u32 count, then
 * per claim u32 name size (with NUL), u32 value size, name, value (little-endian). Anyone may
 * VERIFY (a host can check evidence through the TEE); SEAL_KEY and GET_EVIDENCE are for TAs.
 */
import { Tag } from 'cbor-x';
import { TEEC_ORIGIN_TRUSTED_APP } from '../../abi/client-api.js';
import {
  COSE_ALG_ES256, COSE_HEADER_ALG, PSA_CLAIM_IMPLEMENTATION_ID, PSA_CLAIM_INSTANCE_ID, PSA_CLAIM_NONCE,
  PSA_CLAIM_SOFTWARE_COMPONENTS, PSA_SW_MEASUREMENT_TYPE, PSA_SW_MEASUREMENT_VALUE, PSA_SW_SIGNER_ID, PSA_SW_VERSION,
  CBOR_TAG_COSE_SIGN1,
} from '../../abi/psa-token.js';
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_FORMAT, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_NOT_IMPLEMENTED,
  TEE_ERROR_SHORT_BUFFER, TEE_ERROR_SIGNATURE_INVALID, TEE_SUCCESS,
} from '../../abi/results.js';
import {
  TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_VALUE_INPUT,
  TEE_PARAM_TYPE_VALUE_OUTPUT,
} from '../../abi/tee-api.js';
import { ecdsaVerifyRaw, sha256 } from '../../host/crypto.js';
import { plainCbor } from '../attestation/psa-token.js';
import type { Kernel } from '../kernel.js';
import { memrefBytes, typesOf, type TaParams } from '../params.js';
import type { CallContext, CallerTa, EntryResult, SecureThread, Session, TrustedService } from '../service.js';
import { paramTypes, writeOut } from './out-param.js';

export const PTA_OE_KEYS_UUID = '5c0e7f1a-9d3b-4f62-8a41-6e2b0d9c7f35';
export const PTA_OE_KEYS_SEAL_KEY = 0;
export const PTA_OE_KEYS_GET_EVIDENCE = 1;
export const PTA_OE_KEYS_VERIFY = 2;

export const OE_SEAL_POLICY_UNIQUE = 1;
export const OE_SEAL_POLICY_PRODUCT = 2;
/** TrustBox's evidence format id (bits/evidence.h OE_FORMAT_UUID_TRUSTBOX_PSA). */
export const OE_FORMAT_UUID_TRUSTBOX_PSA = '7d0f2c64-3b1e-4a57-9c86-5e210ba4d319';
export const OE_INFO_MAGIC = 'OEOPTEE1';
export const OE_INFO_SIZE = 88;
export const OE_EVIDENCE_MAGIC = 'TBOE';
const SVN_CURRENT = 0xffffffff;
const MAX_CONTEXT = 4096;
const OE_REPORT_ATTRIBUTES_DEBUG = 1n;
const OE_REPORT_ATTRIBUTES_REMOTE = 2n;

/** What `.oeinfo` says of an enclave. */
export interface OeInfo {
  uuid: Uint8Array;
  productId: number;
  securityVersion: number;
  debug: boolean;
}

const DEFAULT_INFO: OeInfo = { uuid: new Uint8Array(16), productId: 0, securityVersion: 0, debug: true };

/** Parses an 88-byte `.oeinfo` record; undefined when the magic is not there. */
export function parseOeInfo(b: Uint8Array): OeInfo | undefined {
  if (b.length < OE_INFO_SIZE || Buffer.from(b.subarray(0, 8)).toString('latin1') !== OE_INFO_MAGIC) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, OE_INFO_SIZE);
  return { uuid: b.slice(8, 24), productId: v.getUint16(24, true), securityVersion: v.getUint16(26, true), debug: v.getUint32(28, true) !== 0 };
}

/** The `.oeinfo` record in a TA's read-only memory (first aligned match), or the defaults. */
export function callerOeInfo(ta: CallerTa): OeInfo {
  const magic = Buffer.from(OE_INFO_MAGIC, 'latin1');
  for (const r of ta.space.list()) {
    if ((r.prot !== 'r' && r.prot !== 'rx') || !r.private || !r.secure) continue;
    const bytes = Buffer.from(r.bytes.buffer, r.bytes.byteOffset, Math.min(r.size, r.bytes.length));
    for (let at = bytes.indexOf(magic); at >= 0; at = bytes.indexOf(magic, at + 1)) {
      if ((r.va + at) % 8 !== 0) continue;
      const info = parseOeInfo(bytes.subarray(at, at + OE_INFO_SIZE));
      if (info) return info;
    }
  }
  return DEFAULT_INFO;
}

/** The software-component version text that carries an enclave's OE properties in its token. */
export const oeComponentVersion = (i: OeInfo): string =>
  `oe:product_id=${i.productId};security_version=${i.securityVersion};debug=${i.debug ? 1 : 0}`;

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}

/** An OE claim record: u32 count, then u32 name size, u32 value size, name NUL, value. */
export function encodeClaims(claims: readonly [string, Uint8Array][]): Buffer {
  const parts: Buffer[] = [u32(claims.length)];
  for (const [name, value] of claims) {
    const n = Buffer.from(`${name}\0`, 'utf8');
    parts.push(u32(n.length), u32(value.length), n, Buffer.from(value));
  }
  return Buffer.concat(parts);
}

/** Decodes a claim record (tests, host tools). */
export function decodeClaims(rec: Uint8Array): Map<string, Buffer> {
  const b = Buffer.from(rec);
  const out = new Map<string, Buffer>();
  let off = 4;
  for (let i = 0, n = b.readUInt32LE(0); i < n; i++) {
    const ns = b.readUInt32LE(off);
    const vs = b.readUInt32LE(off + 4);
    off += 8;
    out.set(b.subarray(off, off + ns - 1).toString('utf8'), b.subarray(off + ns, off + ns + vs));
    off += ns + vs;
  }
  return out;
}

/** Thrown inside VERIFY with the TEE result to answer. */
class Refused extends Error {
  constructor(readonly code: number, why: string) {
    super(why);
  }
}

export class OeKeysPta implements TrustedService {
  readonly uuid = PTA_OE_KEYS_UUID;
  readonly kind = 'pseudo' as const;

  constructor(private readonly kernel: Kernel) {}

  *openSession(): SecureThread<EntryResult> {
    return { result: TEE_SUCCESS, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *invoke(_session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    const result = this.command(cmd, params, ctx);
    // As OP-TEE's pseudo-TAs: what the command handler answers, errors included, comes from the (pseudo) TA.
    return { result, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *closeSession(): SecureThread<void> {}

  private command(cmd: number, params: TaParams, ctx: CallContext): number {
    switch (cmd) {
      case PTA_OE_KEYS_SEAL_KEY:
        return this.sealKey(params, ctx.callerTa);
      case PTA_OE_KEYS_GET_EVIDENCE:
        return this.evidence(params, ctx.callerTa);
      case PTA_OE_KEYS_VERIFY:
        return this.verify(params);
      default:
        return TEE_ERROR_NOT_IMPLEMENTED;
    }
  }

  private sealKey(params: TaParams, ta: CallerTa | undefined): number {
    if (!ta) return TEE_ERROR_ACCESS_DENIED;
    const t = typesOf(params);
    const withContext = paramTypes(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_VALUE_OUTPUT);
    const without = paramTypes(TEE_PARAM_TYPE_VALUE_INPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_VALUE_OUTPUT);
    if (t !== withContext && t !== without) return TEE_ERROR_BAD_PARAMETERS;
    const policy = params[0].a;
    const context = t === withContext && params[1].mem ? memrefBytes(params[1].mem) : new Uint8Array(0);
    if ((policy !== OE_SEAL_POLICY_UNIQUE && policy !== OE_SEAL_POLICY_PRODUCT) || context.length > MAX_CONTEXT) {
      return TEE_ERROR_BAD_PARAMETERS;
    }
    if (!params[2].mem || params[2].mem.size < 32) return TEE_ERROR_SHORT_BUFFER;
    if (!ta.measurement) return TEE_ERROR_ACCESS_DENIED;
    let binding: Buffer;
    let svn = 0;
    if (policy === OE_SEAL_POLICY_UNIQUE) {
      binding = Buffer.from(ta.measurement, 'hex');
    } else {
      const info = callerOeInfo(ta);
      svn = params[0].b === SVN_CURRENT ? info.securityVersion : params[0].b;
      if (svn > info.securityVersion) return TEE_ERROR_ACCESS_DENIED;
      binding = Buffer.concat([Buffer.from(ta.signerId ?? '', 'hex'), u16(info.productId), u16(svn)]);
    }
    const key = this.kernel.deriveKey('oeSeal', Buffer.from([policy]), binding, u32(context.length), context);
    writeOut(params[2], key);
    params[3].a = svn;
    params[3].b = 0;
    return TEE_SUCCESS;
  }

  private evidence(params: TaParams, ta: CallerTa | undefined): number {
    if (!ta) return TEE_ERROR_ACCESS_DENIED;
    if (typesOf(params) !== paramTypes(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT)) return TEE_ERROR_BAD_PARAMETERS;
    const nonce = params[0].mem ? memrefBytes(params[0].mem) : new Uint8Array(0);
    if (nonce.length < 32 || nonce.length > 64) return TEE_ERROR_BAD_PARAMETERS;
    const token = this.kernel.attester.token({
      nonce,
      ta: { uuid: ta.uuid, measurement: ta.measurement ?? '', signerId: ta.signerId ?? '', version: oeComponentVersion(callerOeInfo(ta)) },
    });
    return writeOut(params[1], token) ? TEE_SUCCESS : TEE_ERROR_SHORT_BUFFER;
  }

  private verify(params: TaParams): number {
    if (typesOf(params) !== paramTypes(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT)) return TEE_ERROR_BAD_PARAMETERS;
    const evidence = params[0].mem ? memrefBytes(params[0].mem) : new Uint8Array(0);
    try {
      return writeOut(params[1], this.claimsOf(evidence)) ? TEE_SUCCESS : TEE_ERROR_SHORT_BUFFER;
    } catch (error) {
      if (error instanceof Refused) return error.code;
      // Malformed CBOR and the like: the evidence is not ours.
      return TEE_ERROR_BAD_FORMAT;
    }
  }

  /** Checks TrustBox PSA evidence made on this device; the OE claims record. */
  claimsOf(evidence: Uint8Array): Buffer {
    const ev = Buffer.from(evidence);
    if (ev.length < 16 || ev.subarray(0, 4).toString('latin1') !== OE_EVIDENCE_MAGIC || ev.readUInt16LE(4) !== 1) {
      throw new Refused(TEE_ERROR_BAD_FORMAT, 'not TrustBox OE evidence');
    }
    const customSize = ev.readUInt32LE(8);
    const tokenSize = ev.readUInt32LE(12);
    if (16 + customSize + tokenSize !== ev.length) throw new Refused(TEE_ERROR_BAD_FORMAT, 'evidence sizes');
    const custom = ev.subarray(16, 16 + customSize);
    const claims = this.verifyToken(ev.subarray(16 + customSize));
    if (!Buffer.from(claims.get(PSA_CLAIM_NONCE) as Uint8Array).equals(sha256(custom))) {
      throw new Refused(TEE_ERROR_SIGNATURE_INVALID, 'nonce is not the hash of the custom claims');
    }
    const components = claims.get(PSA_CLAIM_SOFTWARE_COMPONENTS) as Map<number, unknown>[];
    const app = [...components].reverse().find((c) => c.get(PSA_SW_MEASUREMENT_TYPE) === 'App');
    if (!app) throw new Refused(TEE_ERROR_BAD_FORMAT, 'no enclave component');
    const props = /^oe:product_id=(\d+);security_version=(\d+);debug=([01])$/.exec(String(app.get(PSA_SW_VERSION) ?? ''));
    if (!props) throw new Refused(TEE_ERROR_BAD_FORMAT, 'not an enclave component');
    const productId = Buffer.alloc(16);
    productId.writeUInt16LE(Number(props[1]));
    const attributes = Buffer.alloc(8);
    attributes.writeBigUInt64LE(OE_REPORT_ATTRIBUTES_REMOTE | (props[3] === '1' ? OE_REPORT_ATTRIBUTES_DEBUG : 0n));
    const bytes = (v: unknown) => Buffer.from(v instanceof Uint8Array ? v : new Uint8Array(0));
    return encodeClaims([
      ['id_version', u32(0)],
      ['security_version', u32(Number(props[2]))],
      ['attributes', attributes],
      ['unique_id', bytes(app.get(PSA_SW_MEASUREMENT_VALUE))],
      ['signer_id', bytes(app.get(PSA_SW_SIGNER_ID))],
      ['product_id', productId],
      ['format_uuid', Buffer.from(OE_FORMAT_UUID_TRUSTBOX_PSA.replace(/-/g, ''), 'hex')],
      ['ueid', bytes(claims.get(PSA_CLAIM_INSTANCE_ID))],
      ['hardware_model', bytes(claims.get(PSA_CLAIM_IMPLEMENTATION_ID))],
      ['custom_claims_buffer', custom],
    ]);
  }

  /** The claims map of a COSE_Sign1 PSA token signed by this device's identity key. */
  private verifyToken(token: Uint8Array): Map<number, unknown> {
    const tagged: unknown = plainCbor.decode(token);
    if (!(tagged instanceof Tag) || tagged.tag !== CBOR_TAG_COSE_SIGN1 || !Array.isArray(tagged.value) || tagged.value.length !== 4) {
      throw new Refused(TEE_ERROR_BAD_FORMAT, 'not a COSE_Sign1');
    }
    const [protectedHeader, , payload, signature] = tagged.value as [Uint8Array, unknown, Uint8Array, Uint8Array];
    const header = plainCbor.decode(protectedHeader) as Map<number, unknown>;
    if (!(header instanceof Map) || header.get(COSE_HEADER_ALG) !== COSE_ALG_ES256) throw new Refused(TEE_ERROR_BAD_FORMAT, 'not ES256');
    const toBeSigned = plainCbor.encode(['Signature1', Buffer.from(protectedHeader), Buffer.alloc(0), Buffer.from(payload)]);
    if (!ecdsaVerifyRaw(this.kernel.identity.publicKey, 'sha256', toBeSigned, signature)) {
      throw new Refused(TEE_ERROR_SIGNATURE_INVALID, 'signature');
    }
    const claims = plainCbor.decode(payload) as Map<number, unknown>;
    if (!(claims instanceof Map) || !Array.isArray(claims.get(PSA_CLAIM_SOFTWARE_COMPONENTS)) || !(claims.get(PSA_CLAIM_NONCE) instanceof Uint8Array)) {
      throw new Refused(TEE_ERROR_BAD_FORMAT, 'claims');
    }
    return claims;
  }
}
