/** initializeContext and finalizeContext, and what ends a context: its sessions and shared memory go. */
import type { DeviceHost } from '../../device/host.js';
import type { Connection } from '../connection.js';
import { protocolError } from '../errors.js';
import type { Handlers, Services } from './services.js';

/** Closes a context's sessions and releases its shared memory on the device (errors are dropped: best effort). */
export async function releaseContext(device: DeviceHost, c: Connection, context: number): Promise<void> {
  const work: Promise<unknown>[] = [];
  for (const [s, ctx] of c.sessions) {
    if (ctx !== context) continue;
    c.sessions.delete(s);
    device.clearCancellation(s);
    work.push(device.call('close', { session: s }).catch(() => {}));
  }
  for (const block of c.shm.removeContext(context)) {
    // A block still registering is released by its registration when it sees it removed.
    if (block.cookie !== undefined) work.push(device.call('releaseShm', { cookie: block.cookie }).catch(() => {}));
  }
  await Promise.all(work);
}

/** Handlers of initializeContext and finalizeContext. */
export function contextOperations(s: Services): Handlers<'initializeContext' | 'finalizeContext'> {
  return {
    initializeContext: async (c) => {
      if (c.contexts.size >= s.limits.maxContexts) throw protocolError('CONTEXT_LIMIT', `at most ${s.limits.maxContexts} contexts per connection`);
      const context = s.newId();
      c.contexts.add(context);
      return { context };
    },
    finalizeContext: async (c, a) => {
      c.ownContext(a.context);
      c.contexts.delete(a.context);
      await releaseContext(s.device, c, a.context);
      return {};
    },
  };
}
