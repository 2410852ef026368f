/**
 * `trustbox-emulator/testing`: vitest helpers over `bootDevice` (device-api.ts).
 *
 * ```ts
 * import { useDevice } from 'trustbox-emulator/testing';
 * const dev = useDevice({ seed: 'suite' });      // one device for this file
 * it('increments', async () => {
 *   const session = await dev.context.openSession(HELLO_WORLD);   // a fresh context per test
 *   ...
 * });
 * ```
 *
 * One device per test file (beforeAll / afterAll, a temporary state directory unless
 * `stateDir` is given) and a fresh TEEC context per test (beforeEach / afterEach: finalized
 * after the test, which closes the sessions and shared memory the test left open). Restoring
 * the device to a snapshot before each test is not available yet (docs/testing.md).
 * vitest must be installed by the suite that imports this module.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { bootDevice, type BootOptions, type BootedDevice, type TeecContext } from './device-api.js';

export {
  bootDevice, TeecContext, TeecError, TeecOperation, TeecSession, TeecSharedMemory, type BootOptions, type BootedDevice, type Consoles,
  type DeviceEvent, type DeviceEvents,
} from './device-api.js';

/** What `useDevice` gives a test file; read it inside tests and hooks, not at collection time. */
export interface DeviceFixture {
  /** The file's device (after beforeAll). */
  readonly device: BootedDevice;
  /** The current test's own context (after beforeEach), on its own connection. */
  readonly context: TeecContext;
}

/** Boot timeout of the hooks: a boot takes tens of ms, a cold worker and image load more. */
const HOOK_TIMEOUT_MS = 30_000;

/** Registers the hooks that boot one device for this file and give each test a fresh context. */
export function useDevice(options: BootOptions = {}): DeviceFixture {
  let device: BootedDevice | undefined;
  let context: TeecContext | undefined;
  beforeAll(async () => {
    device = await bootDevice(options);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await device?.powerOff();
    device = undefined;
  }, HOOK_TIMEOUT_MS);
  beforeEach(async () => {
    context = await device!.newContext({ name: 'useDevice' });
  });
  afterEach(async () => {
    const c = context;
    context = undefined;
    if (!c) return;
    await c.finalize().catch(() => {});
    c.connection.close();
  });
  return {
    get device(): BootedDevice {
      if (!device) throw new Error('useDevice: the device is booted in beforeAll; read `device` inside a test or hook');
      return device;
    },
    get context(): TeecContext {
      if (!context) throw new Error('useDevice: each test gets its context in beforeEach; read `context` inside a test');
      return context;
    },
  };
}
