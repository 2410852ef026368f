/**
 * Measured boot: one measurement register (SHA-256, extended as a TPM PCR is) and its event
 * log. Each boot stage is measured by the stage before it and extended here before it runs:
 *
 *   boot ROM       SHA-256 of the image's manifest.json (which pins every file of the image)
 *   monitor        SHA-256 of the secure monitor's code (device/measured-boot.ts says how)
 *   TEE core       SHA-256 of the TEE core's code
 *   normal world   SHA-256 of the normal-world firmware bytes loaded at its entry
 *   each TA        its measurement (SHA-256 of the signed container) when first loaded
 *
 *   register' = SHA-256(register || SHA-256(event description) || digest)
 *
 * The PSA token lists the events as software components; the register summarises them (a
 * verifier replays the log and compares). A TA loaded again with the same measurement is not
 * logged again, so the log stays bounded by the distinct TAs a boot ran.
 */
import { sha256 } from '../../host/crypto.js';

/** One measured stage. */
export interface MeasurementEvent {
  /** PSA measurement type: "BL" (boot ROM), "PRoT" (monitor, TEE core), "NSPE" (normal world), "App" (TA). */
  type: string;
  /** What was measured, for people ("boot ROM: image manifest", "TA 8aaaf200-..."). */
  description: string;
  /** SHA-256 of what was measured (32 bytes). */
  digest: Buffer;
  /** SHA-256 of the key that vouches for it (32 bytes), when one does (TAs). */
  signerId?: Buffer;
  version?: string;
  /** For TAs: the UUID. */
  uuid?: string;
}

export class MeasurementLog {
  #register: Buffer = Buffer.alloc(32);
  readonly #events: MeasurementEvent[] = [];
  readonly #seen = new Set<string>();

  /** Extends the register with one event; a TA event already logged is not logged again. */
  extend(event: MeasurementEvent): void {
    const key = `${event.type}|${event.uuid ?? event.description}|${event.digest.toString('hex')}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#register = sha256(this.#register, sha256(Buffer.from(event.description, 'utf8')), event.digest);
    this.#events.push({ ...event, digest: Buffer.from(event.digest) });
  }

  /** The register's value. */
  get register(): Buffer {
    return Buffer.from(this.#register);
  }

  /** The boot stages and TAs measured so far, in order. */
  events(): readonly MeasurementEvent[] {
    return this.#events;
  }

  /** The boot stages only (no TAs): what every token lists before the attested TA. */
  bootStages(): MeasurementEvent[] {
    return this.#events.filter((e) => e.uuid === undefined);
  }

  /** Forgets everything (a system reset measures the boot again). */
  reset(): void {
    this.#register = Buffer.alloc(32);
    this.#events.length = 0;
    this.#seen.clear();
  }
}

/** Replays a log: the register value its events give (for verifiers and tests). */
export function replayLog(events: readonly Pick<MeasurementEvent, 'description' | 'digest'>[]): Buffer {
  let r: Buffer = Buffer.alloc(32);
  for (const e of events) r = sha256(r, sha256(Buffer.from(e.description, 'utf8')), e.digest);
  return r;
}
