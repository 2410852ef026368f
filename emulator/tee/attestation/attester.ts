/**
 * The core's attestation service: PSA tokens about a TA and the measured boot, signed by the
 * device identity key (the token's instance id is that key's id), and the TA-memory hash
 * OP-TEE's attestation PTAs report. Pseudo-TAs and the device's `attest` operation use it.
 */
import { sha256 } from '../../host/crypto.js';
import type { PsaProfileName } from '../../abi/psa-token.js';
import type { DeviceIdentity } from '../identity.js';
import type { TaAddressSpace } from '../ta-space.js';
import type { MeasurementEvent, MeasurementLog } from './measurements.js';
import { buildPsaToken } from './psa-token.js';
import type { SealedRsaKey } from './rsa-key.js';

/** The TA a token is about: its UUID and measurement and signer ids (hex, as TA instances keep them). */
export interface AttestedTa {
  uuid: string;
  measurement: string;
  signerId: string;
  version?: string;
}

/** A TA as a software component: type "App", its measurement, its signer. */
export function taComponent(ta: AttestedTa): MeasurementEvent {
  const e: MeasurementEvent = {
    type: 'App', description: `TA ${ta.uuid}`, uuid: ta.uuid, digest: Buffer.from(ta.measurement, 'hex'),
  };
  if (ta.signerId) e.signerId = Buffer.from(ta.signerId, 'hex');
  if (ta.version !== undefined) e.version = ta.version;
  return e;
}

/**
 * SHA-256 of a TA's read-only memory, as OP-TEE's attestation PTA computes it: every region
 * of the TA that is read-only (code and read-only data of the TA and its libraries), not the
 * core's entry stub nor mapped parameters, ordered by size and then by content so that the
 * value does not depend on where the regions are mapped.
 */
export function taMemoryHash(space: TaAddressSpace): Buffer {
  const regions = space.list()
    .filter((r) => (r.prot === 'r' || r.prot === 'rx') && r.secure && r.kind !== 'core stub' && r.kind !== 'param')
    .map((r) => r.bytes.subarray(0, r.size))
    .sort((a, b) => a.length - b.length || Buffer.compare(a, b));
  return sha256(...regions);
}

export class Attester {
  constructor(
    private readonly identity: DeviceIdentity,
    readonly measurements: MeasurementLog,
    /** Fixed for one boot (EAT boot seed). */
    readonly bootSeed: Buffer,
    /** The attestation PTA's RSA key (made on first use). */
    readonly rsa: SealedRsaKey,
  ) {}

  /** A signed PSA token: the boot stages measured so far, then `ta` when given. */
  token(o: { nonce: Uint8Array; profile?: PsaProfileName; ta?: AttestedTa; implementationId?: Uint8Array }): Buffer {
    const components = [...this.measurements.bootStages(), ...(o.ta ? [taComponent(o.ta)] : [])];
    return buildPsaToken({
      nonce: o.nonce, profile: o.profile ?? 'rfc', instanceId: this.identity.info.instanceId, bootSeed: this.bootSeed,
      components, ...(o.implementationId ? { implementationId: o.implementationId } : {}),
    }, (tbs) => this.identity.sign(tbs));
  }
}
