/**
 * snapshot: the whole device at rest as the bytes of a snapshot file (device/snapshot.ts),
 * for `trustbox snapshot`. An admin right: the file holds the device's fuses and storage. The
 * device refuses while calls are in flight, sessions are open or shared memory is registered
 * (by any client), and says which; the answer is then a `tee` error with TEEC_ERROR_BAD_STATE.
 */
import type { Handlers, Services } from './services.js';

/** The handler of snapshot. */
export function snapshotOperations(s: Services): Handlers<'snapshot'> {
  return {
    snapshot: async (c) => {
      c.requireAdmin('snapshot');
      const { bytes, dropped } = await s.device.call('snapshot', {});
      return dropped.length > 0 ? { snapshot: bytes, dropped: dropped.join(' ') } : { snapshot: bytes };
    },
  };
}
