/**
 * The registries of the TA source pipeline (pipeline.ts), in the style of
 * syscalls/families.ts: where TAs are found, in order, and the container kinds the core opens.
 * Add a source or a kind here, one line, when it is written.
 */
import type { NsSharedMemory } from '../ns-memory.js';
import type { NormalWorldRpc } from '../rpc.js';
import type { ContainerKind, TaSource } from './pipeline.js';
import { ReeTaStoreSource } from './ree-store.js';
import { encryptedContainer } from './encrypted.js';
import { signedContainer } from './signed.js';

/** What a TA source may use: the RPC channel to the normal world and its shared memory. */
export interface TaSourceDeps {
  rpc: NormalWorldRpc;
  ns: NsSharedMemory;
}

export const TA_SOURCES: readonly ((deps: TaSourceDeps) => TaSource)[] = [
  (d) => new ReeTaStoreSource(d.rpc, d.ns),
];

export const CONTAINER_KINDS: readonly ContainerKind[] = [
  signedContainer,
  encryptedContainer,
];
