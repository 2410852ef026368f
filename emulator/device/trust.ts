/**
 * What a device trusts to sign the TAs it runs, fixed when its state directory is made: the
 * keys given with `boot --trust KEY.pem` (repeatable), or, without them, the two public
 * development keys (OP-TEE's default key and ours), which anyone can sign with. The choice is
 * recorded in the hardware part of the state directory at first boot and never changes: a
 * device made for development stays one, and a device made for your keys trusts nothing else.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createPublicKey, sha256 } from '../host/crypto.js';
import type { TrustedKey } from '../tee/loader/container.js';
import { developmentKeys } from '../tee/loader/signing-keys.js';

/** The record's file, in the state directory's hardware part. */
export const TRUST_FILE = join('hardware', 'trusted-keys.json');

export interface DeviceTrust {
  /** True when the device trusts the public development keys (and nothing else). */
  development: boolean;
  keys: TrustedKey[];
}

interface TrustRecord {
  version: 1;
  development: boolean;
  keys?: { name: string; pem: string }[];
}

/**
 * The device's trust: the recorded one, or (first boot) the one `trustPaths` asks for, which
 * is then recorded. Asking an existing device for other keys is an error naming the fix.
 */
export function resolveTrust(stateDir: string, trustPaths: readonly string[] | undefined): DeviceTrust {
  const file = join(stateDir, TRUST_FILE);
  const asked = trustPaths && trustPaths.length > 0 ? trustPaths.map(readKey) : undefined;
  if (existsSync(file)) {
    const recorded = fromRecord(file);
    if (asked && !sameKeys(asked, recorded)) {
      throw new Error(`the device of ${stateDir} ${describeTrust(recorded).replace(/^development device: /, 'is a development device that ')}. ` +
        "A device's trusted keys never change: boot a new state directory to trust other keys");
    }
    return recorded;
  }
  const record: TrustRecord = asked
    ? { version: 1, development: false, keys: asked.map((k) => ({ name: k.name, pem: k.pem })) }
    : { version: 1, development: true };
  mkdirSync(join(stateDir, 'hardware'), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return fromRecord(file);
}

/** The recorded trust of a state directory, or undefined when none is recorded yet (never writes). */
export function readTrust(stateDir: string): DeviceTrust | undefined {
  const file = join(stateDir, TRUST_FILE);
  return existsSync(file) ? fromRecord(file) : undefined;
}

/** One line for banners and `trustbox info`. */
export function describeTrust(trust: DeviceTrust): string {
  if (trust.development) {
    return 'development device: trusts public keys (trustbox-dev, optee-default), so anyone can sign the TAs it runs; ' +
      'boot a new state directory with --trust KEY.pem to trust only your keys';
  }
  return `trusts ${trust.keys.length} TA signing key${trust.keys.length === 1 ? '' : 's'}: ` +
    trust.keys.map((k) => `${k.name} (${keyId(k).slice(0, 16)})`).join(', ');
}

function keyId(k: TrustedKey): string {
  return sha256(k.key.export({ type: 'spki', format: 'der' })).toString('hex');
}

function readKey(path: string): { name: string; pem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`--trust ${path}: cannot read the file`);
  }
  let pem: string;
  try {
    pem = createPublicKey(text).export({ type: 'spki', format: 'pem' }).toString(); // a private key's file gives its public half
  } catch {
    throw new Error(`--trust ${path}: not a PEM public (or private) key`);
  }
  return { name: basename(path).replace(/\.(pub\.)?pem$/, ''), pem };
}

function fromRecord(file: string): DeviceTrust {
  let r: TrustRecord;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as TrustRecord;
  } catch {
    throw new Error(`${file} is damaged: it must record the device's trusted TA signing keys`);
  }
  if (r.version !== 1 || typeof r.development !== 'boolean') throw new Error(`${file} is damaged: unknown record`);
  if (r.development) return { development: true, keys: developmentKeys() };
  const keys = (r.keys ?? []).map((k) => ({ name: k.name, key: publicKey(k.pem, file) }));
  if (keys.length === 0) throw new Error(`${file} is damaged: it records no key`);
  return { development: false, keys };
}

function publicKey(pem: string, file: string): TrustedKey['key'] {
  try {
    return createPublicKey(pem);
  } catch {
    throw new Error(`${file} is damaged: a recorded key is not a PEM public key`);
  }
}

function sameKeys(asked: { pem: string }[], recorded: DeviceTrust): boolean {
  if (recorded.development) return false;
  const ids = (pems: string[]) => pems.map((p) => sha256(createPublicKey(p).export({ type: 'spki', format: 'der' })).toString('hex')).sort().join();
  return ids(asked.map((a) => a.pem)) === recorded.keys.map(keyId).sort().join();
}
