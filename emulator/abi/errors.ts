/**
 * The one error vocabulary of the emulator: a GlobalPlatform result code, the origin that
 * produced it, and a sentence a person understands. Errors of this type travel unchanged from
 * the secure world to the client.
 */
import { TEEC_ORIGIN_TEE } from './client-api.js';


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
