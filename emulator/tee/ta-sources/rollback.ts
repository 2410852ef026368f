/**
 * TA rollback protection, as OP-TEE's `ta_ver.db`: the highest `ta_version` (bootstrap header)
 * this device has loaded, per UUID, whoever signed it; a TA older than that is refused with
 * TEE_ERROR_ACCESS_CONFLICT (pipeline.ts).
 *
 * Where: `<state>/hardware/ta-versions.bin`, beside the rollback anchor of secure storage, in the
 * device's hardware part that only the secure world touches. It is a RollbackAnchor
 * (storage/anchor.ts) of its own: a map UUID -> version with a monotonic write counter, sealed
 * with an HMAC under the HUK subkey `taVersions` (tampering is detected; a copy from another
 * device does not authenticate; a file rewound or deleted while the device runs is caught).
 * Its deletion across a reboot is caught through the secure-storage anchor: the first write of
 * the versions file records `ta_ver.db` there, and a versions file missing while that record
 * exists is a rollback. A separate file, not entries of the storage anchor itself, so that a
 * damaged storage anchor fails secure storage (TEE_ERROR_CORRUPT_OBJECT) as before without
 * stopping every TA from loading. A device without a state directory keeps the versions in
 * memory for as long as it runs.
 */
import { dirname, join } from 'node:path';
import type { DeriveSubkey } from '../huk.js';
import { RollbackAnchor, type AnchorFuse } from '../storage/anchor.js';

/** File name of the record, in the hardware folder of the state directory. */
export const TA_VERSIONS_FILE = 'ta-versions.bin';
/** Its entry in the secure-storage anchor: written once, when the record is first written. */
const STORAGE_ANCHOR_ENTRY = 'ta_ver.db';

/** Highest TA versions seen. Both throw a plain Error when the record cannot be trusted. */
export interface TaVersionStore {
  highest(uuid: string): number;
  record(uuid: string, version: number): void;
}

/**
 * The version record of a device: in its hardware folder (beside `storageAnchorPath`) when it
 * has a state directory, else in memory.
 */
export function taVersionStore(derive: DeriveSubkey, storageAnchorPath?: string, storageAnchor?: RollbackAnchor): TaVersionStore {
  if (!storageAnchorPath) return memoryStore();
  const file = new RollbackAnchor(join(dirname(storageAnchorPath), TA_VERSIONS_FILE), derive('taVersions'), writtenOnce(storageAnchor));
  return {
    highest: (uuid) => explained(() => Number(file.get(uuid))),
    record: (uuid, version) => explained(() => file.advance(uuid, BigInt(version))),
  };
}

/** Runs `f`, saying in the record's own words what RollbackAnchor found wrong. */
function explained<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    const m = (error as Error).message;
    const what = `hardware/${TA_VERSIONS_FILE}`;
    if (/is missing/.test(m)) {
      throw new Error(`${what} is missing although this device loaded versioned TAs: refusing to forget their versions ` +
        '(a rollback); boot a new state directory to start a new device');
    }
    if (/does not authenticate/.test(m)) throw new Error(`${what} does not authenticate (altered, or sealed by another hardware key)`);
    if (/rewound/.test(m)) throw new Error(`${what} was rewound (${m.replace(/^.*\(/, '').replace(/\)$/, '')})`);
    throw new Error(`${what}: ${m}`);
  }
}

/**
 * "The record was written once", kept in the secure-storage anchor. Asked only when the record
 * is missing, or once per boot when it is found; an unreadable storage anchor counts as "never
 * written" (secure storage reports that anchor's damage itself).
 */
function writtenOnce(anchor: RollbackAnchor | undefined): AnchorFuse | undefined {
  if (!anchor) return undefined;
  let known = false;
  return {
    programmed: () => {
      if (known) return true;
      try {
        known = anchor.get(STORAGE_ANCHOR_ENTRY) > 0n;
      } catch {
        return false;
      }
      return known;
    },
    program: () => {
      if (known) return;
      anchor.advance(STORAGE_ANCHOR_ENTRY, 1n);
      known = true;
    },
  };
}

function memoryStore(): TaVersionStore {
  const seen = new Map<string, number>();
  return {
    highest: (uuid) => seen.get(uuid) ?? 0,
    record: (uuid, version) => {
      if (version > (seen.get(uuid) ?? 0)) seen.set(uuid, version);
    },
  };
}
