/**
 * Ed25519ctx and Ed25519ph (RFC 8032 section 5.1), which GP 1.3.1 selects with the EDDSA_CTX
 * and EDDSA_PREHASH attributes: node:crypto signs pure Ed25519 only, so these run in
 * @noble/curves (an audited pure-JS library the emulator already uses for raw ECDSA), loaded on
 * first use like ecdsa.ts does.
 */
import { createRequire } from 'node:module';
import type * as Ed from '@noble/curves/ed25519.js';

let lib: typeof Ed | undefined;

function ed(): typeof Ed {
  lib ??= createRequire(import.meta.url)('@noble/curves/ed25519.js') as typeof Ed;
  return lib;
}

/** Which variant: pure (undefined), with a context, or prehashed (with an optional context). */
export interface EddsaVariant { prehash: boolean; context: Uint8Array }

export function eddsaSign(v: EddsaVariant, seed: Uint8Array, message: Uint8Array): Buffer {
  const c = v.prehash ? ed().ed25519ph : ed().ed25519ctx;
  return Buffer.from(c.sign(message, seed, { context: v.context }));
}

export function eddsaVerify(v: EddsaVariant, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const c = v.prehash ? ed().ed25519ph : ed().ed25519ctx;
  try {
    return c.verify(signature, message, publicKey, { context: v.context, zip215: false });
  } catch {
    return false;
  }
}
