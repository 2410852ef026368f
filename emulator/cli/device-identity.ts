/**
 * Where `trustbox device id` and `trustbox device enroll` get a device's identity: over the API
 * from the running device of `--state DIR` (its endpoint.json names a live process) or of
 * `--connect URL`; otherwise from the state directory's own device, booted in this process just
 * long enough to ask its secure world, and powered off. Either way the answer is what the
 * deviceIdentity operation answers: nothing here reads the fuses.
 */
import { existsSync } from 'node:fs';
import type { OperationResult } from '../abi/protocol.js';
import { endpointPath, readEndpoint } from '../api/auth.js';
import { TeeConnection } from '../client/index.js';
import { Device } from '../device/device.js';
import { readDeviceCertificate } from '../device/identity-cert.js';
import { FUSES_FILE, hardwarePath } from '../device/state.js';
import { hardwarePassphrase } from './boot.js';
import { remoteCredentials, wantsRemote, type RemoteTarget } from './remote-backend.js';
import { processAlive } from '../device/state-lock.js';

/** What deviceIdentity answers. */
export type IdentityAnswer = OperationResult<'deviceIdentity'>;

export interface IdentityTarget extends RemoteTarget {
  /** For a device booted here: the file holding its hardware passphrase (else $TRUSTBOX_HARDWARE_PASSPHRASE). */
  hardwarePassphraseFile?: string;
}

/** Where the answer came from, for the human output. */
export type IdentitySource = 'running device' | 'booted briefly';

/** Whether a device serves the API on `stateDir`: its endpoint file names a live process. */
export function runningDevice(stateDir: string): boolean {
  if (!existsSync(endpointPath(stateDir))) return false;
  return processAlive(readEndpoint(stateDir).pid); // a file left by a crash names a dead pid
}

async function askRunning(target: RemoteTarget): Promise<IdentityAnswer> {
  const { url, token } = remoteCredentials(target); // public data: never the admin credential
  let conn: TeeConnection;
  try {
    conn = await TeeConnection.connect({ url, token, client: 'trustbox-cli' });
  } catch (error) {
    const hint = target.state ? ` (is the device of ${target.state} still running?)` : '';
    throw new Error(`cannot reach ${url}: ${(error as Error).message}${hint}`);
  }
  try {
    return await conn.deviceIdentity();
  } finally {
    conn.close();
  }
}

/** Boots the device of `stateDir` here, reads its public identity, and powers it off. */
function bootAndAsk(stateDir: string, passphraseFile: string | undefined): IdentityAnswer {
  if (!existsSync(hardwarePath(stateDir, FUSES_FILE))) {
    throw new Error(`${stateDir} holds no device yet (no fuses): boot one first with \`trustbox boot --state ${stateDir}\``);
  }
  const passphrase = hardwarePassphrase(passphraseFile);
  const device = new Device({ stateDir, ...(passphrase !== undefined ? { hardwarePassphrase: passphrase } : {}) });
  try {
    device.boot();
    const id = device.identity();
    const certificate = readDeviceCertificate(stateDir, id.publicKeyPem);
    return { deviceId: id.deviceId, publicKey: id.publicKeyPem, ...(certificate ? { certificate } : {}) };
  } finally {
    device.powerOff();
  }
}

/** The identity of the device the options name, and where it came from. */
export async function deviceIdentity(target: IdentityTarget): Promise<{ identity: IdentityAnswer; source: IdentitySource }> {
  if (!wantsRemote(target)) throw new Error('name the device: --state DIR, or --connect URL --token-file FILE');
  if (target.connect || runningDevice(target.state!)) return { identity: await askRunning(target), source: 'running device' };
  return { identity: bootAndAsk(target.state!, target.hardwarePassphraseFile), source: 'booted briefly' };
}
