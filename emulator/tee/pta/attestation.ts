/**
 * OP-TEE's attestation pseudo-TA (`core/pta/attestation.c`, `pta_attestation.h`, UUID
 * 39800861-182a-4720-9b67-2bcd622bc0b5; xtest 1037), with OP-TEE's command ids and parameter
 * layouts. Every signed answer is `H || RSASSA-PSS-SHA256(key, nonce || H)` (MGF1-SHA256, salt
 * 32), H a SHA-256 digest, with the RSA-3072 key of attestation/rsa-key.ts.
 *
 *   0 GET_PUBKEY          [0] memref OUT e, [1] memref OUT n, [2] value OUT (a = the algorithm)
 *   1 GET_TA_SHDR_DIGEST  [0] memref IN TEE_UUID (16 B), [1] memref IN nonce, [2] memref OUT
 *                         H = the digest in the TA's signed header, fetched from the TA store
 *   2 HASH_TA_MEMORY      [0] memref IN nonce, [1] memref OUT; the calling TA's read-only memory
 *   3 HASH_TEE_MEMORY     [0] memref IN nonce, [1] memref OUT; H = the TEE core's boot measurement
 *
 * As OP-TEE, an unknown command answers TEE_SUCCESS (its result is overwritten before the
 * switch); wrong types or an empty nonce answer BAD_PARAMETERS; a short output buffer gets the
 * size needed and SHORT_BUFFER.
 */
import { TEEC_ORIGIN_TRUSTED_APP } from '../../abi/client-api.js';
import { TeeError } from '../../abi/errors.js';
import {
  TEE_ERROR_ACCESS_DENIED, TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_SHORT_BUFFER, TEE_SUCCESS,
} from '../../abi/results.js';
import {
  TEE_PARAM_TYPE_MEMREF_INPUT, TEE_PARAM_TYPE_MEMREF_OUTPUT, TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_VALUE_OUTPUT,
} from '../../abi/tee-api.js';
import { uuidFromTeeUuid } from '../../abi/uuid.js';
import { constants, createPublicKey, nodeCryptoModule, sha256 } from '../../host/crypto.js';
import { taMemoryHash } from '../attestation/attester.js';
import type { Kernel } from '../kernel.js';
import { parseTaContainer } from '../loader/container.js';
import { memrefBytes, typesOf, type TaParam, type TaParams } from '../params.js';
import type { CallContext, EntryResult, SecureThread, Session, TrustedService } from '../service.js';
import { paramTypes, writeOut } from './out-param.js';

export const PTA_ATTESTATION_UUID = '39800861-182a-4720-9b67-2bcd622bc0b5';
export const PTA_ATTESTATION_GET_PUBKEY = 0;
export const PTA_ATTESTATION_GET_TA_SHDR_DIGEST = 1;
export const PTA_ATTESTATION_HASH_TA_MEMORY = 2;
export const PTA_ATTESTATION_HASH_TEE_MEMORY = 3;
/** TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256. */
export const TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256 = 0x70414930;

const IN = TEE_PARAM_TYPE_MEMREF_INPUT;
const OUT = TEE_PARAM_TYPE_MEMREF_OUTPUT;
const NONE = TEE_PARAM_TYPE_NONE;

export class AttestationPta implements TrustedService {
  readonly uuid = PTA_ATTESTATION_UUID;
  readonly kind = 'pseudo' as const;

  constructor(private readonly kernel: Kernel) {}

  *openSession(): SecureThread<EntryResult> {
    return { result: TEE_SUCCESS, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *invoke(_session: Session, cmd: number, params: TaParams, ctx: CallContext): SecureThread<EntryResult> {
    let result: number;
    try {
      result = yield* this.command(cmd, params, ctx);
    } catch (error) {
      if (!(error instanceof TeeError)) throw error;
      result = error.code >>> 0;
    }
    // As OP-TEE's pseudo-TAs: what the command handler answers, errors included, comes from the (pseudo) TA.
    return { result, origin: TEEC_ORIGIN_TRUSTED_APP };
  }

  *closeSession(): SecureThread<void> {}

  private *command(cmd: number, params: TaParams, ctx: CallContext): SecureThread<number> {
    const t = typesOf(params);
    switch (cmd) {
      case PTA_ATTESTATION_GET_PUBKEY:
        if (t !== paramTypes(OUT, OUT, TEE_PARAM_TYPE_VALUE_OUTPUT, NONE)) return TEE_ERROR_BAD_PARAMETERS;
        return this.publicKey(params);
      case PTA_ATTESTATION_GET_TA_SHDR_DIGEST: {
        if (t !== paramTypes(IN, IN, OUT, NONE) || params[0].mem?.size !== 16) return TEE_ERROR_BAD_PARAMETERS;
        const nonce = bytesOf(params[1]);
        if (nonce.length === 0) return TEE_ERROR_BAD_PARAMETERS;
        const uuid = uuidFromTeeUuid(memrefBytes(params[0].mem));
        const file = yield* this.kernel.fetchTa(uuid);
        return this.signed(params[2], nonce, parseTaContainer(file, `TA ${uuid}`).hash);
      }
      case PTA_ATTESTATION_HASH_TA_MEMORY: {
        if (!ctx.callerTa) return TEE_ERROR_ACCESS_DENIED;
        if (t !== paramTypes(IN, OUT, NONE, NONE)) return TEE_ERROR_BAD_PARAMETERS;
        const nonce = bytesOf(params[0]);
        if (nonce.length === 0) return TEE_ERROR_BAD_PARAMETERS;
        return this.signed(params[1], nonce, taMemoryHash(ctx.callerTa.space));
      }
      case PTA_ATTESTATION_HASH_TEE_MEMORY: {
        if (t !== paramTypes(IN, OUT, NONE, NONE)) return TEE_ERROR_BAD_PARAMETERS;
        const nonce = bytesOf(params[0]);
        if (nonce.length === 0) return TEE_ERROR_BAD_PARAMETERS;
        const core = this.kernel.attester.measurements.events().find((e) => e.description.startsWith('TEE core'));
        return this.signed(params[1], nonce, core?.digest ?? sha256());
      }
      default:
        return TEE_SUCCESS; // as OP-TEE answers an unknown command
    }
  }

  private publicKey(params: TaParams): number {
    const jwk = createPublicKey(this.kernel.attester.rsa.get()).export({ format: 'jwk' });
    const e = Buffer.from(jwk.e ?? '', 'base64url');
    const n = Buffer.from(jwk.n ?? '', 'base64url');
    const eFits = writeOut(params[0], e);
    const nFits = writeOut(params[1], n);
    if (!eFits || !nFits) return TEE_ERROR_SHORT_BUFFER;
    params[2].a = TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256;
    params[2].b = 0;
    return TEE_SUCCESS;
  }

  /** H || PSS signature over nonce || H, into `out`. */
  private signed(out: TaParam, nonce: Uint8Array, h: Uint8Array): number {
    const key = this.kernel.attester.rsa.get();
    const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 3072) / 8);
    const need = h.length + modulusBytes;
    if (!out.mem || out.mem.size < need) {
      if (out.mem) out.mem.size = need;
      else out.nullSize = need;
      return TEE_ERROR_SHORT_BUFFER;
    }
    const signature = nodeCryptoModule.sign('sha256', Buffer.concat([nonce, h]), {
      key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32,
    });
    return writeOut(out, Buffer.concat([h, signature])) ? TEE_SUCCESS : TEE_ERROR_SHORT_BUFFER;
  }
}

function bytesOf(p: TaParam): Uint8Array {
  return p.mem ? memrefBytes(p.mem) : new Uint8Array(0);
}
