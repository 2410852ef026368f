/**
 * The pseudo-TAs of the core, in the style of syscalls/families.ts: each entry names its UUID
 * and makes the service from the Kernel port (a PTA gets the kernel's services, such as HUK
 * subkeys, never the HUK or the core). Add a pseudo-TA here, one line, when it is written.
 */
import type { Kernel } from '../kernel.js';
import type { TrustedService } from '../service.js';
import { AttestationPta, PTA_ATTESTATION_UUID } from './attestation.js';
import { OeKeysPta, PTA_OE_KEYS_UUID } from './oe-keys.js';
import { OeRpcPta, PTA_OE_RPC_UUID } from './oe-rpc.js';
import { PTA_SOCKET_UUID, SocketPta } from './socket.js';
import { PTA_SYSTEM_UUID, SystemPta, type DynamicLinker } from './system.js';
import { PTA_VERAISON_ATTESTATION_UUID, VeraisonAttestationPta } from './veraison.js';

export interface PseudoTaEntry {
  readonly uuid: string;
  readonly name: string;
  create(kernel: Kernel): TrustedService;
}

/** The kernel's dlopen() and dlsym(), when it has a loader for them. */
function linkerOf(k: Kernel): DynamicLinker | undefined {
  const { dlopen, dlsym } = k;
  if (!dlopen || !dlsym) return undefined;
  return { dlopen: (ta, uuid) => dlopen.call(k, ta, uuid), dlsym: (ta, uuid, name) => dlsym.call(k, ta, uuid, name) };
}

export const PSEUDO_TAS: readonly PseudoTaEntry[] = [
  { uuid: PTA_SYSTEM_UUID, name: 'system', create: (k) => new SystemPta(k.deriveKey, (line) => k.log(line), linkerOf(k), k) },
  { uuid: PTA_ATTESTATION_UUID, name: 'attestation', create: (k) => new AttestationPta(k) },
  { uuid: PTA_VERAISON_ATTESTATION_UUID, name: 'veraison attestation', create: (k) => new VeraisonAttestationPta(k) },
  { uuid: PTA_OE_RPC_UUID, name: 'Open Enclave RPC', create: (k) => new OeRpcPta(k) },
  { uuid: PTA_OE_KEYS_UUID, name: 'Open Enclave keys', create: (k) => new OeKeysPta(k) },
  { uuid: PTA_SOCKET_UUID, name: 'socket', create: (k) => new SocketPta(k) },
];
