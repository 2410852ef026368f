/**
 * The signed TA container (img_type TA and BOOTSTRAP_TA): a SHA-256 over headers and payload,
 * signed with RSA by a key the device trusts; the payload is the plaintext ELF.
 */
import { SHDR_BOOTSTRAP_TA, SHDR_TA, verifyTaContainer } from '../loader/container.js';
import type { ContainerKind } from './pipeline.js';

export const signedContainer: ContainerKind = {
  name: 'signed',
  imgTypes: [SHDR_TA, SHDR_BOOTSTRAP_TA],
  open(bytes, keys, label) {
    const v = verifyTaContainer(bytes, keys, label);
    const named = v.container.bootstrap?.uuid;
    return { elf: v.elf, signer: v.signer, taVersion: v.container.bootstrap?.taVersion ?? 0, ...(named ? { namedUuid: named } : {}) };
  },
};
