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
 * `stateDir` is given), snapshot once it has booted and restored to that snapshot before each
 * test (a few ms: memory, CPU, TEE core, TA store, secure storage, clock and random stream as
 * they were after boot), and a fresh TEEC context per test (beforeEach / afterEach: finalized
 * after the test, which closes the sessions and shared memory the test left open, so that the
 * next restore finds the device at rest). docs/testing.md has the details.
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
  /** The snapshot taken after boot, which each test starts from (undefined with `restoreEachTest: false`). */
  readonly snapshot: Uint8Array | undefined;
}

/** How `useDevice` treats the tests of a file. */
export interface FixtureOptions {
  /** Restore the snapshot taken after boot before each test (default true); false: tests see what earlier ones left. */
  restoreEachTest?: boolean;
}

/** Boot timeout of the hooks: a boot takes tens of ms, a cold worker and image load more. */
const HOOK_TIMEOUT_MS = 30_000;

/**
 * Registers the hooks that boot one device for this file, restore it to its after-boot
 * snapshot before each test and give each test a fresh context.
 */
export function useDevice(options: BootOptions = {}, fixture: FixtureOptions = {}): DeviceFixture {
  for (const key of Object.keys(fixture)) {
    if (key !== 'restoreEachTest') throw new TypeError(`useDevice: unknown fixture option "${key}" (known: restoreEachTest)`);
  }
  const restoreEachTest = fixture.restoreEachTest ?? true;
  let device: BootedDevice | undefined;
  let context: TeecContext | undefined;
  let snapshot: Uint8Array | undefined;
  let tests = 0;
  beforeAll(async () => {
    device = await bootDevice(options);
    if (restoreEachTest) snapshot = await device.snapshot();
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await device?.powerOff();
    device = undefined;
  }, HOOK_TIMEOUT_MS);
  beforeEach(async () => {
    // The first test finds the device as the snapshot left it: restoring it again would change nothing.
    if (snapshot && tests++ > 0) await device!.restore(snapshot);
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
    get snapshot(): Uint8Array | undefined {
      return snapshot;
    },
  };
}
