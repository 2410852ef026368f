/**
 * The rollback anchor: a replay-protected counter per TA, playing the part that the eMMC RPMB
 * partition plays for OP-TEE. Each TA's store records the version of its latest committed
 * index here; an index older than the anchor (a whole storage directory restored from an old
 * copy) or a missing index after commits were made is a rollback.
 *
 * It is part of the device's hardware (`<state>/hardware/rpmb-anchor.bin`, beside the fuses),
 * which the normal world's side never reads or writes: the flash side (supplicant, file server)
 * can neither delete nor rewind it. It carries a monotonic write counter and is sealed with an
 * HMAC under a key derived from the hardware unique key. As on a board, the first write
 * "programs the RPMB key", an OTP fuse bit: from then on a missing anchor is a rollback
 * (TEE_ERROR_CORRUPT_OBJECT), never a fresh start, and an anchor whose write counter is lower
 * than one seen in this boot was rewound. Restoring an old copy of the whole hardware part
 * (fuses and anchor together) is the emulated equivalent of replacing the chips, which only the
 * host's owner can do (docs/security.md).
 */
import { closeSync, constants, fstatSync, openSync, readSync, renameSync, rmSync, writeSync, fsyncSync } from 'node:fs';
import { hmac, timingSafeEqual } from '../../host/crypto.js';

const MAGIC_V1 = 'TBRPMB01';
const MAGIC = 'TBRPMB02';
const TAG_SIZE = 32;
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;

/** The OTP bit that records that the anchor was written once (the RPMB key is programmed). */
export interface AnchorFuse {
  programmed(): boolean;
  program(): void;
}

/** A sealed map from TA store name to its latest committed index version, with a write counter. */
export class RollbackAnchor {
  /** Highest write counter seen in this boot: a lower one on disk means the file was rewound. */
  private seenWrites = -1n;

  constructor(
    private readonly path: string,
    private readonly key: Uint8Array,
    private readonly fuse?: AnchorFuse,
    private readonly log?: (line: string) => void,
  ) {}

  /** The recorded version for `uuid` (0 when the TA never committed). Throws on tampering, a missing or a rewound anchor. */
  get(uuid: string): bigint {
    return this.load().counters.get(uuid) ?? 0n;
  }

  /** Records a newer version; the counter never goes down. */
  advance(uuid: string, version: bigint): void {
    const state = this.load();
    if (version <= (state.counters.get(uuid) ?? 0n)) return;
    state.counters.set(uuid, version);
    const writes = state.writes + 1n;
    const body = Buffer.from(JSON.stringify({
      magic: MAGIC, writes: writes.toString(), counters: Object.fromEntries([...state.counters].map(([k, v]) => [k, v.toString()])),
    }));
    const tmp = `${this.path}.tmp`;
    rmSync(tmp, { force: true });
    const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      const file = Buffer.concat([hmac('sha256', this.key, body), body]);
      writeSync(fd, file);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.seenWrites = writes;
    // After the anchor exists: a crash in between leaves the bit unset, which the next load sets.
    this.fuse?.program();
  }

  private fail(message: string): never {
    this.log?.(`tee: secure storage: ROLLBACK: ${message}`);
    throw new Error(message);
  }

  private read(): Buffer | undefined {
    let fd: number;
    try {
      fd = openSync(this.path, O_RDONLY | O_NOFOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      return this.fail(`the rollback anchor cannot be read (${code})`);
    }
    try {
      const size = fstatSync(fd).size;
      const out = Buffer.alloc(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, out, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      return out.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }

  private load(): { writes: bigint; counters: Map<string, bigint> } {
    const counters = new Map<string, bigint>();
    const file = this.read();
    if (!file) {
      if (this.fuse?.programmed() || this.seenWrites >= 0n) {
        this.fail("the rollback anchor (the device's RPMB) is missing although this device's secure storage was written: " +
          'refusing to start afresh (a rollback); boot a new state directory to start a new device');
      }
      return { writes: 0n, counters };
    }
    const tag = file.subarray(0, TAG_SIZE);
    const body = file.subarray(TAG_SIZE);
    const expect = hmac('sha256', this.key, body);
    if (tag.length !== TAG_SIZE || !timingSafeEqual(tag, expect)) {
      this.fail('the rollback anchor does not authenticate (tampered with, or sealed by another hardware key)');
    }
    const parsed = JSON.parse(body.toString('utf8')) as { magic?: string; writes?: string; counters?: Record<string, string> };
    if ((parsed.magic !== MAGIC && parsed.magic !== MAGIC_V1) || typeof parsed.counters !== 'object') {
      this.fail('the rollback anchor has an unknown format');
    }
    const writes = BigInt(parsed.writes ?? '0');
    if (writes < this.seenWrites) {
      this.fail(`the rollback anchor was rewound (write counter ${writes}, ${this.seenWrites} seen in this boot)`);
    }
    this.seenWrites = writes;
    for (const [uuid, v] of Object.entries(parsed.counters!)) counters.set(uuid, BigInt(v));
    // An anchor from before the fuse bit existed (or a crash right after the first write).
    if (this.fuse && !this.fuse.programmed()) this.fuse.program();
    return { writes, counters };
  }
}
