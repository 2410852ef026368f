/**
 * deviceIdentity: the device's public identity (docs/identity.md). Any token holder may ask:
 * the id, the public key and the certificate are public; the fuses and the private key never
 * leave the secure world, so there is nothing here to guard.
 */
import type { Handlers, Services } from './services.js';

/** Handler of deviceIdentity. */
export function identityOperations(s: Services): Handlers<'deviceIdentity'> {
  return {
    deviceIdentity: async () => {
      const id = await s.device.call('identity', {});
      // Only these fields: keyHash and instanceId stay for the device's own services (attestation).
      return { deviceId: id.deviceId, publicKey: id.publicKeyPem, ...(id.certificate ? { certificate: id.certificate } : {}) };
    },
  };
}
