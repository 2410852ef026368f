/**
 * The options of a device (`new Device(options)`, `trustbox boot`, `bootDevice`), documented
 * once and validated up front: unknown keys and bad values are errors.
 */
import { MAX_SECURE_THREADS } from '../tee/entry.js';
import { parseHuk } from './state.js';

export interface DeviceOptions {
  /** Board name (default trustbox-edge). */
  board?: string;
  /** Image directory (default images/<board> of this project). */
  imageDir?: string;
  /** State directory (default ~/.local/state/trustbox/<board>). */
  stateDir?: string;
  /** Extra directories of `<uuid>.ta` files, searched after the state directory. */
  taPaths?: string[];
  /**
   * Directories of tee-supplicant plugins (shared libraries exporting `plugin_method`), loaded
   * at boot; TAs reach them with `tee_invoke_supp_plugin()` (as tee-supplicant's --plugin-path).
   */
  pluginPaths?: string[];
  /** Seed for deterministic randomness (tests); the system CSPRNG otherwise. */
  seed?: string;
  /** Build verbose events (SMCs, world switches, syscalls). */
  trace?: boolean;
  /** A call's time budget: how long a TA may take for one call (runs, waits and RPCs together) before the watchdog stops it, in ms. */
  watchdogMs?: number;
  /**
   * Exact PCs for TA memory faults (default: on with `trace`). A code hook over TA code: about
   * 1 ns per TA instruction (compute-heavy TAs run several times slower, SHA-256 ~5x); without
   * it a fault names its basic block's first PC.
   */
  exactFaultPcs?: boolean;
  /**
   * PEM files of the keys a new device trusts to sign TAs (recorded at first boot; see
   * trust.ts). Without them a new device trusts the public development keys.
   */
  trust?: string[];
  /** The HUK of a new device, 32 or 64 hex digits (16 bytes is OP-TEE's size; an existing device's fuses must match it). */
  huk?: string;
  /** Burn a new device's fuses from `seed` too (predictable HUK: tests only). Fuses are random otherwise. */
  seedFuses?: boolean;
  /** Passphrase that seals the device's fuse block (needed to boot a sealed device). */
  hardwarePassphrase?: string;
  /** Secure threads: calls the TEE serves at once (default 4, at most 64); more wait for one. */
  secureThreads?: number;
  /**
   * A virtual clock (trace/clock.ts): time starts at 0 and moves only as the device runs, and
   * TEE_Wait jumps ahead instead of sleeping; with `seed`, runs repeat byte for byte.
   */
  virtualClock?: boolean;
  /**
   * A snapshot file (`trustbox snapshot`, device/snapshot-file.ts) to restore instead of booting
   * the firmware: memory, CPU, TEE core and state files come back as they were. The seed, the
   * clock, the fuses and the trusted keys are the snapshot's, so `seed`, `virtualClock`,
   * `seedFuses`, `huk` and `trust` are refused beside it.
   */
  restore?: string;
}

const KNOWN_OPTIONS = new Set(['board', 'imageDir', 'stateDir', 'taPaths', 'pluginPaths', 'seed', 'trace', 'watchdogMs', 'exactFaultPcs', 'trust',
  'huk', 'seedFuses', 'hardwarePassphrase', 'secureThreads', 'virtualClock', 'restore']);
/** Options a restored device takes from its snapshot instead. */
const FROM_SNAPSHOT = ['seed', 'virtualClock', 'seedFuses', 'huk', 'trust'] as const;

/** Validates options up front: unknown keys and bad values are errors. */
export function checkDeviceOptions(options: DeviceOptions): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`unknown device option "${key}"`);
  }
  if (options.watchdogMs !== undefined && !(options.watchdogMs > 0)) {
    throw new TypeError('watchdogMs must be a positive number of milliseconds');
  }
  if (options.huk !== undefined) parseHuk(options.huk);
  const threads = options.secureThreads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_SECURE_THREADS)) {
    throw new TypeError(`secureThreads must be a whole number from 1 to ${MAX_SECURE_THREADS}`);
  }
  if (options.restore !== undefined) {
    if (typeof options.restore !== 'string' || options.restore === '') throw new TypeError('restore must be the path of a snapshot file');
    const clash = FROM_SNAPSHOT.filter((k) => options[k] !== undefined);
    if (clash.length > 0) {
      throw new TypeError(`a restored device takes ${clash.join(', ')} from its snapshot: drop ${clash.length > 1 ? 'them' : 'it'} ` +
        'or boot without restore');
    }
  }
}
