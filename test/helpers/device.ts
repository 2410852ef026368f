/**
 * Booting real devices in tests: a fresh state directory per device, everything closed at the
 * end. Tests use the committed default image (rebuilt by `npm test`'s setup step).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device, type DeviceOptions } from '../../emulator/device/device.js';
import { SpecClient } from '../../emulator/cli/spec-client.js';
import type { DeviceEvent } from '../../emulator/trace/events.js';

/** Build folders of test TAs that the boot images leave out (they loop by design). */
export const TEST_TA_PATHS: readonly string[] = [join(import.meta.dirname, '../../firmware/ta/loop/out')];

export const HELLO_WORLD = '8aaaf200-2450-11e4-abe2-0002a5d5c51b';
export const RANDOM_TA = 'b6c53aba-9669-4668-a7f2-205629d00f86';
export const PANIC_TA = 'b13d3d9e-1916-4782-b308-c32b7b788034';
export const LOOP_TA = 'c93e419b-2768-4785-98af-503b36a30e41';
export const WILDPTR_TA = '4855eb42-6aee-4d59-b720-ff085e67adfe';
export const TA2TA_TA = '49f9d96d-8694-4b40-a5c6-df8751f6fd3f';
export const PROPS_TA = 'ac47fbe1-c825-4a9f-bd44-2380bd2caf07';
export const TIMECHECK_TA = '0f3b73fe-a41e-4ddb-81f6-e6b84a2eb881';

export interface TestDevice {
  device: Device;
  /** The device's TeeClient, in parameter specs (`{ type: 'value-inout', a, b }`, ...). */
  client: SpecClient;
  events: DeviceEvent[];
  /** Lines printed on a console. */
  lines(world: 'normal' | 'secure'): string[];
  close(): void;
}

/** Boots a device with its own temporary state directory and records every event. */
export function bootDevice(options: DeviceOptions = {}): TestDevice {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'trustbox-test-'));
  const device = new Device({ watchdogMs: 2000, ...options, stateDir, taPaths: [...(options.taPaths ?? []), ...TEST_TA_PATHS] });
  const events: DeviceEvent[] = [];
  device.events.on((e) => events.push(e));
  try {
    device.boot();
  } catch (error) {
    device.close();
    if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  return {
    device,
    client: new SpecClient(device),
    events,
    lines: (world) => events.flatMap((e) => (e.type === 'console' && e.world === world ? [e.line] : [])),
    close() {
      device.powerOff();
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export const SYSPROBE_TA = '7a3f5c21-0b6e-4c8d-9e44-1f2a60d13b85';
export const SIMS_TA = '2d8e6f0a-77c1-4b3e-a51d-0c934e22b761';
export const SINGLE_TA = '9c41b7e2-3f05-4d6a-8b72-e15d09a4c318';
export const TLSCTOR_TA = '3b0c7e19-5d24-4f8a-860e-4a771cd29503';
