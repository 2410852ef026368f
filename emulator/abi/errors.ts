/**
 * The one error vocabulary of the emulator: a GlobalPlatform result code, the origin that
 * produced it, and a sentence a person understands. Errors of this type travel unchanged from
 * the secure world to the client.
 */

/** Return origins (TEEC_ORIGIN_* / TEE_ORIGIN_*). */
export const TEEC_ORIGIN_API = 1;
export const TEEC_ORIGIN_COMMS = 2;
export const TEEC_ORIGIN_TEE = 3;
export const TEEC_ORIGIN_TRUSTED_APP = 4;

/** A failure with a GP result code, an origin and an explanation. */
export class TeeError extends Error {
  constructor(
    public readonly code: number,
    message: string,
    public readonly origin: number = TEEC_ORIGIN_TEE,
  ) {
    super(message);
    this.name = 'TeeError';
  }
}
