/**
 * What `trustbox attest verify` trusts, from files: the device key (`--device`: a public key or
 * certificate PEM) or a chain (`--ca CA.pem` and the device certificate: `--device-cert`, else
 * `<state>/identity/device-cert.pem`, where `trustbox device enroll` records it), and the
 * expected TA's measurement (`--expect-ta UUID`: its file from `--ta-file`, else the TA store of
 * `--state`, else the default image).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey, nodeCryptoModule, sha256 } from '../host/crypto.js';
import { defaultImageDir, loadImage } from '../device/image.js';
import { DEFAULT_BOARD } from '../machine/boards.js';
import { TaStore } from '../ree/ta-store.js';

/** A check that could not be made; the message names the file and the fix. */
export class VerifyInputError extends Error {}

function read(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new VerifyInputError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The device's public key (SPKI PEM) from a public-key or certificate PEM. */
export function deviceKeyFromPem(path: string): string {
  const pem = read(path, 'the device key');
  try {
    const key = pem.includes('BEGIN CERTIFICATE') ? new nodeCryptoModule.X509Certificate(pem).publicKey : createPublicKey(pem);
    return key.export({ format: 'pem', type: 'spki' }).toString();
  } catch (error) {
    throw new VerifyInputError(`${path} is neither a public key nor a certificate PEM: ${(error as Error).message}`);
  }
}

/**
 * The device key certified by the CA: the device certificate must be issued and signed by the
 * CA certificate and valid now. Throws VerifyInputError for unreadable files, Error('ca: ...')
 * when the chain does not hold.
 */
export function deviceKeyFromChain(caPath: string, certPath: string | undefined, state: string | undefined): string {
  const path = certPath ?? (state ? join(state, 'identity', 'device-cert.pem') : undefined);
  if (!path) throw new VerifyInputError('--ca needs the device certificate: --device-cert FILE or --state DIR (of an enrolled device)');
  if (!existsSync(path)) throw new VerifyInputError(`no device certificate at ${path}: enroll the device (trustbox device enroll) or pass --device-cert`);
  const X509 = nodeCryptoModule.X509Certificate;
  let ca: InstanceType<typeof X509>;
  let cert: InstanceType<typeof X509>;
  try {
    ca = new X509(read(caPath, 'the CA certificate'));
    cert = new X509(read(path, 'the device certificate'));
  } catch (error) {
    if (error instanceof VerifyInputError) throw error;
    throw new VerifyInputError(`not a certificate PEM: ${(error as Error).message}`);
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw new Error(`ca: the device certificate ${path} is not signed by the CA ${caPath}`);
  const now = Date.now();
  if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) throw new Error(`ca: the device certificate is not valid now (${cert.validFrom} .. ${cert.validTo})`);
  return cert.publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

/** The measurement (SHA-256 of the signed container, hex) of the TA the verifier expects. */
export function expectedTaMeasurement(uuid: string, taFile: string | undefined, state: string | undefined): string {
  if (taFile) {
    try {
      return sha256(readFileSync(taFile)).toString('hex');
    } catch (error) {
      throw new VerifyInputError(`cannot read the TA file ${taFile}: ${(error as Error).message}`);
    }
  }
  const image = loadImage(defaultImageDir(DEFAULT_BOARD), DEFAULT_BOARD);
  const found = state ? new TaStore(state, [], image.tas).find(uuid) : image.tas.get(uuid.toLowerCase());
  if (!found) throw new VerifyInputError(`no TA ${uuid} in ${state ? `${state}/ta or ` : ''}the default image: pass --ta-file FILE`);
  return sha256(found.bytes).toString('hex');
}
