/**
 * The rollback anchor: a replay-protected counter per TA, playing the part that the eMMC RPMB
 * partition plays for OP-TEE. Each TA's store records the version of its latest committed
 * index here; an index older than the anchor (a whole storage directory restored from an old
 * copy) or a missing index after commits were made is a rollback.
 *
 * On a board it would be hardware the normal world cannot rewind. Here it is a file of the
 * device's state directory that only the secure world reads and writes (never through the
 * normal world's file server), sealed with an HMAC under a key derived from the hardware unique
 * key. Restoring an old copy of this file too is the emulated equivalent of replacing the
 * RPMB chip, which the emulator does not try to prevent.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hmac, timingSafeEqual } from '../../host/crypto.js';

const MAGIC = 'TBRPMB01';
const TAG_SIZE = 32;

/** A sealed map from TA UUID to its latest committed index version. */
export class RollbackAnchor {
  private counters: Map<string, bigint> | undefined;

  constructor(private readonly path: string, private readonly key: Uint8Array) {}

  /** The recorded version for `uuid` (0 when the TA never committed). Throws when the file was tampered with. */
  get(uuid: string): bigint {
    return this.load().get(uuid) ?? 0n;
  }

  /** Records a newer version; the counter never goes down. */
  advance(uuid: string, version: bigint): void {
    const counters = this.load();
    if (version <= (counters.get(uuid) ?? 0n)) return;
    counters.set(uuid, version);
    const body = Buffer.from(JSON.stringify({ magic: MAGIC, counters: Object.fromEntries([...counters].map(([k, v]) => [k, v.toString()])) }));
    const file = Buffer.concat([hmac('sha256', this.key, body), body]);
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, file, { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  private load(): Map<string, bigint> {
    if (this.counters) return this.counters;
    const counters = new Map<string, bigint>();
    if (existsSync(this.path)) {
      const file = readFileSync(this.path);
      const tag = file.subarray(0, TAG_SIZE);
      const body = file.subarray(TAG_SIZE);
      const expect = hmac('sha256', this.key, body);
      if (tag.length !== TAG_SIZE || !timingSafeEqual(tag, expect)) {
        throw new Error('the rollback anchor does not authenticate (tampered with, or sealed by another hardware key)');
      }
      const parsed = JSON.parse(body.toString('utf8')) as { magic?: string; counters?: Record<string, string> };
      if (parsed.magic !== MAGIC || typeof parsed.counters !== 'object') throw new Error('the rollback anchor has an unknown format');
      for (const [uuid, v] of Object.entries(parsed.counters)) counters.set(uuid, BigInt(v));
    }
    this.counters = counters;
    return counters;
  }
}
