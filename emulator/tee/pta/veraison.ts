/**
 * OP-TEE's Veraison attestation pseudo-TA (`core/pta/veraison_attestation/`, UUID
 * a77955f9-eea1-44fd-add5-4a9d962afcf5): a calling TA asks for a PSA attestation token about
 * itself. Command 0, GET_CBOR_EVIDENCE: [0] memref IN nonce, [1] memref OUT token, [2] memref IN
 * implementation id, [3] none.
 *
 * Unlike OP-TEE's proof of concept (a hard-coded instance id, signer id and test key), the token
 * carries the device's real instance id and is signed by its identity key; its software
 * components are the measured boot stages, then the calling TA: measurement = the hash of its
 * read-only memory (as OP-TEE's PTA measures it), signer id = the hash of its signing key. The
 * profile is the draft's `http://arm.com/psa/2.0.0`, as OP-TEE emits it, so that verifiers
 * written for OP-TEE's PTA read ours.
 */
import { TEEC_ORIGIN_TRUSTED_APP } from '../../abi/client-api.js';
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_NOT_IMPLEMENTED, TEE_ERROR_SHORT_BUFFER, TEE_SUCCESS,
} from '../../abi/results.js';
import { TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_NONE } from '../../abi/tee-api.js';
import { taMemoryHash } from '../attestation/attester.js';
import type { Kernel } from '../kernel.js';
import { memrefBytes, typesOf, type TaParams } from '../params.js';
import type { CallContext, EntryResult, SecureThread, Session, TrustedService } from '../service.js';
import { paramTypes, writeOut } from './out-param.js';

export const PTA_VERAISON_ATTESTATION_UUID = 'a77955f9-eea1-44fd-add5-4a9d962afcf5';
export const PTA_VERAISON_ATTESTATION_GET_CBOR_EVIDENCE = 0;

export class VeraisonAttestationPta implements TrustedService {
  readonly uuid = PTA_VERAISON_ATTESTATION_UUID;
  readonly kind = 'pseudo' as const;

  constructor(private readonly kernel: Kernel) {}

  *openSession(): SecureThread<EntryResult> {
    return { result: TEE_SUCCESS, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *invoke(_session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    const result = cmd === PTA_VERAISON_ATTESTATION_GET_CBOR_EVIDENCE ? this.evidence(params, ctx) : TEE_ERROR_NOT_IMPLEMENTED;
    // As OP-TEE's pseudo-TAs: what the command handler answers, errors included, comes from the (pseudo) TA.
    return { result, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *closeSession(): SecureThread<void> {}

  private evidence(params: TaParams, ctx: CallContext): number {
    const ta = ctx.callerTa;
    if (!ta) return TEE_ERROR_ACCESS_DENIED; // only a user TA may ask about itself
    const want = paramTypes(TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_NONE);
    if (typesOf(params) !== want) return TEE_ERROR_BAD_PARAMETERS;
    const nonce = params[0].mem ? memrefBytes(params[0].mem) : new Uint8Array(0);
    if (nonce.length === 0) return TEE_ERROR_BAD_PARAMETERS;
    const implementationId = params[2].mem ? memrefBytes(params[2].mem) : new Uint8Array(0);
    // As OP-TEE: the token is built and signed first, then found too large for the buffer.
    const token = this.kernel.attester.token({
      nonce, profile: 'draft', ...(implementationId.length > 0 ? { implementationId } : {}),
      ta: { uuid: ta.uuid, measurement: taMemoryHash(ta.space).toString('hex'), signerId: ta.signerId ?? '' },
    });
    return writeOut(params[1], token) ? TEE_SUCCESS : TEE_ERROR_SHORT_BUFFER;
  }
}
