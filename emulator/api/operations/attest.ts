/**
 * attest: a PSA attestation token (docs/attestation.md) about one TA the device has loaded or
 * can load, and its measured boot, signed in the secure world by the device identity key. Any
 * token holder may ask: the token says only what a verifier is meant to learn, and its nonce
 * is the asker's, so it proves freshness to whoever chose it.
 */
import { protocolError } from '../errors.js';
import type { Handlers, Services } from './services.js';

const NONCE_SIZES = [32, 48, 64];

/** Handler of attest. */
export function attestOperations(s: Services): Handlers<'attest'> {
  return {
    attest: async (_c, a) => {
      const profile = a.profile ?? 'rfc';
      if (profile !== 'rfc' && profile !== 'draft') throw protocolError('BAD_ARGUMENTS', `profile "${profile}" is neither "rfc" nor "draft"`);
      if (!NONCE_SIZES.includes(a.nonce.length)) {
        throw protocolError('BAD_ARGUMENTS', `the nonce is ${a.nonce.length} bytes; a PSA token takes 32, 48 or 64`);
      }
      return s.device.call('attest', { uuid: a.uuid.toLowerCase(), nonce: a.nonce, profile });
    },
  };
}
