/**
 * installTA and listTAs: the device's TA store, through its normal world. Installing is an
 * admin right (the hello's admin credential) and is held to the device-wide installed-TA quota
 * (count and bytes); installs run one at a time, so two cannot both fit the last slot.
 */
import { ProtocolError } from '../../abi/protocol.js';
import { DeviceHostError } from '../../device/host.js';
import { parseTaContainer } from '../../tee/loader/container.js';
import { protocolError } from '../errors.js';
import type { Handlers, Services } from './services.js';

/** The UUID an upload names, or undefined when it is no TA container (the device answers invalid-ta). */
function uploadUuid(bytes: Uint8Array): string | undefined {
  try {
    return parseTaContainer(bytes, 'uploaded TA').bootstrap?.uuid?.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Throws TA_QUOTA when installing `bytes` as `uuid` would exceed the installed-TA limits. */
async function checkQuota(s: Services, uuid: string, bytes: number): Promise<void> {
  const installed = (await s.device.call('list', {})).filter((t) => t.source === 'installed');
  const others = installed.filter((t) => t.uuid.toLowerCase() !== uuid);
  const { maxInstalledTAs, maxInstalledTaBytes } = s.limits;
  if (others.length + 1 > maxInstalledTAs) {
    throw protocolError('TA_QUOTA', `${others.length} TAs are installed, the most this device takes is ${maxInstalledTAs}: remove one from <state>/ta first`);
  }
  const used = others.reduce((n, t) => n + t.size, 0);
  if (used + bytes > maxInstalledTaBytes) {
    throw protocolError('TA_QUOTA', `installed TAs would take ${used + bytes} bytes, the most this device takes is ${maxInstalledTaBytes}`);
  }
}

/** Handlers of installTA and listTAs. */
export function taOperations(s: Services): Handlers<'installTA' | 'listTAs'> {
  let installs: Promise<unknown> = Promise.resolve();
  const install = async (bytes: Uint8Array) => {
    const uuid = uploadUuid(bytes);
    if (uuid) await checkQuota(s, uuid, bytes.length);
    try {
      return await s.device.call('install', { bytes });
    } catch (error) {
      // The TA store takes only a signed TA container that names its UUID; the secure world
      // verifies it before it is stored (SECURITY, origin TEE).
      if (error instanceof DeviceHostError && error.code === 'tee' && error.result === ProtocolError.INVALID_TA.result) {
        throw protocolError('INVALID_TA', error.message);
      }
      throw error;
    }
  };
  return {
    installTA: (c, a) => {
      c.requireAdmin('installTA');
      const done = installs.then(() => install(a.bytes));
      installs = done.catch(() => {});
      return done;
    },
    listTAs: async () => ({ tas: await s.device.call('list', {}) }),
  };
}
