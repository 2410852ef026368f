/**
 * Trusted TA signing keys. By default the emulator trusts two PUBLIC development keys: the
 * project's own (`keys/trustbox-dev-ta.pem`) and OP-TEE's default TA key, so TAs built with a
 * stock OP-TEE dev kit load unchanged. Both are for development only (see `keys/README.md`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrivateKey, createPublicKey, type KeyObject } from '../../host/crypto.js';
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_PARAMETERS, TEE_ERROR_ITEM_NOT_FOUND } from '../../abi/results.js';
import type { TrustedKey } from './container.js';

/** File name of the project's development key pair inside `keys/`. */
export const TRUSTBOX_DEV_KEY_FILE = 'trustbox-dev-ta.pem';
/** File name of OP-TEE's default development public key inside `keys/`. */
export const OPTEE_DEFAULT_KEY_FILE = 'optee-default-ta.pub.pem';

/**
 * The repository's `keys/` directory, found by walking up from this module so it works both
 * from sources (emulator/tee/loader) and from the build output (dist/emulator/tee/loader).
 */
export function keysDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'keys', TRUSTBOX_DEV_KEY_FILE);
    if (existsSync(candidate)) return join(dir, 'keys');
    dir = resolve(dir, '..');
  }
  throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `cannot find the keys/ directory holding ${TRUSTBOX_DEV_KEY_FILE}`);
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `cannot read key file ${path}: ${(e as Error).message}`);
  }
}

/** Loads a public key from a PEM file (a private key PEM yields its public half). */
export function loadPublicKey(path: string): KeyObject {
  try {
    return createPublicKey(readPem(path));
  } catch (e) {
    if (e instanceof TeeError) throw e;
    throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `${path} does not hold a PEM public or private key`);
  }
}

/** Loads a private key from a PEM file (PKCS#8 or PKCS#1). */
export function loadPrivateKey(path: string): KeyObject {
  try {
    return createPrivateKey(readPem(path));
  } catch (e) {
    if (e instanceof TeeError) throw e;
    throw new TeeError(TEE_ERROR_BAD_PARAMETERS, `${path} does not hold a PEM private key`);
  }
}

/** The project's development signing key (private; it is public knowledge, test use only). */
export function developmentSigningKey(): KeyObject {
  return loadPrivateKey(join(keysDirectory(), TRUSTBOX_DEV_KEY_FILE));
}

/** The default trusted keys: `trustbox-dev` and `optee-default`, both development keys. */
export function developmentKeys(): TrustedKey[] {
  const dir = keysDirectory();
  return [
    { name: 'trustbox-dev', key: loadPublicKey(join(dir, TRUSTBOX_DEV_KEY_FILE)), development: true },
    { name: 'optee-default', key: loadPublicKey(join(dir, OPTEE_DEFAULT_KEY_FILE)), development: true },
  ];
}
