/**
 * The device certificate: the X.509 certificate a manufacturer CA issued for the device
 * identity key (`trustbox device enroll`, docs/identity.md). It is public data, so it lives on
 * the flash side of the state directory (`<state>/identity/device-cert.pem`), never in
 * `hardware/`: the normal world stores it and hands it out, as a real device keeps its
 * certificate in flash and its key in the secure element.
 *
 * A certificate is handed out only while its public key is the device's own: one copied from
 * another device's folder, or left over from other fuses, is ignored.
 */
import { join } from 'node:path';
import { nodeCryptoModule } from '../host/crypto.js';
import { ensurePrivateDir, readPrivateFile, replacePrivateFile } from './private-files.js';

/** The folder of the flash that holds the certificate. */
export const IDENTITY_DIR = 'identity';
/** The certificate file, PEM. */
export const DEVICE_CERT_FILE = 'device-cert.pem';

/** `<state>/identity/device-cert.pem`. */
export function deviceCertPath(stateDir: string): string {
  return join(stateDir, IDENTITY_DIR, DEVICE_CERT_FILE);
}

/** Whether the certificate `pem` certifies the public key `publicKeyPem` (SubjectPublicKeyInfo PEM). */
export function certifiesKey(pem: string, publicKeyPem: string): boolean {
  const spki = (key: ReturnType<typeof nodeCryptoModule.createPublicKey>) => key.export({ format: 'der', type: 'spki' });
  try {
    const cert = new nodeCryptoModule.X509Certificate(pem);
    return spki(cert.publicKey).equals(spki(nodeCryptoModule.createPublicKey(publicKeyPem)));
  } catch {
    return false; // not a certificate, or not a key
  }
}

/**
 * The device's certificate (PEM) when it has one for this public key; undefined when it was
 * never enrolled or the file certifies another key.
 */
export function readDeviceCertificate(stateDir: string, publicKeyPem: string): string | undefined {
  const raw = readPrivateFile(deviceCertPath(stateDir), 'device certificate');
  if (!raw) return undefined;
  const pem = raw.toString('utf8');
  return certifiesKey(pem, publicKeyPem) ? pem : undefined;
}

/**
 * Records the device's certificate (atomically, 0600, in a 0700 `identity/` folder); throws
 * unless it certifies `publicKeyPem`. Returns the file's path.
 */
export function writeDeviceCertificate(stateDir: string, pem: string, publicKeyPem: string): string {
  if (!certifiesKey(pem, publicKeyPem)) throw new Error('the certificate does not certify this device\'s identity key: not recorded');
  ensurePrivateDir(join(stateDir, IDENTITY_DIR), 'identity folder');
  const path = deviceCertPath(stateDir);
  replacePrivateFile(path, pem);
  return path;
}
