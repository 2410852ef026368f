/** installTA and listTAs: the device's TA store, through its normal world. */
import { ProtocolError } from '../../abi/protocol.js';
import { DeviceHostError } from '../../device/host.js';
import { protocolError } from '../errors.js';
import type { Handlers, Services } from './services.js';

/** Handlers of installTA and listTAs. */
export function taOperations(s: Services): Handlers<'installTA' | 'listTAs'> {
  return {
    installTA: async (_c, a) => {
      try {
        return await s.device.call('install', { bytes: a.bytes });
      } catch (error) {
        // The TA store takes only a signed TA container that names its UUID (the secure world
        // checks the signature when it loads the TA, as on a real device).
        if (error instanceof DeviceHostError && error.code === 'tee' && error.result === ProtocolError.INVALID_TA.result) {
          throw protocolError('INVALID_TA', error.message);
        }
        throw error;
      }
    },
    listTAs: async () => ({ tas: await s.device.call('list', {}) }),
  };
}
