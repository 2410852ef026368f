/**
 * The manufacturer CA of one installation (`trustbox ca init`), kept outside every device, and
 * the device certificates it issues (`trustbox device enroll`): ordinary X.509 (RFC 5280), so
 * that `openssl verify -CAfile ca.pem device.pem` accepts them. docs/identity.md has the flow.
 *
 * A CA folder holds `ca.key` (EC P-256, PKCS#8 PEM, mode 0600, created exclusively: an existing
 * CA is never overwritten) and `ca.pem` (its self-signed certificate). Certificates are made with
 * @peculiar/x509 over the platform's WebCrypto (globalThis.crypto): no hand-made DER.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateFile, makeDirs, readPrivateFile } from '../device/private-files.js';

x509.cryptoProvider.set(globalThis.crypto);

export const CA_KEY_FILE = 'ca.key';
export const CA_CERT_FILE = 'ca.pem';
/** How long a CA certificate is valid, in years. */
export const CA_YEARS = 20;
/** How long a device certificate is valid, in years. */
export const DEVICE_CERT_YEARS = 10;

/** WebCrypto's key type, named without importing node:crypto (host/crypto.ts is its only importer). */
type CryptoKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ES256 = { ...EC_P256, hash: 'SHA-256' } as const;

/** A loaded CA: its certificate and its signing key. */
export interface ManufacturerCa {
  cert: x509.X509Certificate;
  key: CryptoKey;
  dir: string;
}

/** A positive serial number of 16 random bytes, as hex (RFC 5280 4.1.2.2: at most 20 octets, positive, unique). */
function randomSerial(): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0]! & 0x7f) | 0x40; // positive, and no leading zero byte to strip
  return Buffer.from(b).toString('hex');
}

function yearsFrom(start: Date, years: number): Date {
  const end = new Date(start);
  end.setUTCFullYear(end.getUTCFullYear() + years);
  return end;
}

/** Notes certificates from a minute ago, so a device clock a little behind still accepts them. */
function notBefore(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
}

/** Creates a CA in `dir` (made 0700 if missing); refuses when it already holds a CA key or certificate. */
export async function initCa(dir: string, name: string): Promise<{ key: string; cert: string; subject: string }> {
  const keyPath = join(dir, CA_KEY_FILE);
  const certPath = join(dir, CA_CERT_FILE);
  for (const p of [keyPath, certPath]) {
    if (existsSync(p)) throw new Error(`ca init: ${p} exists: refusing to overwrite a CA (its certificates would no longer verify); choose another --out`);
  }
  makeDirs(dir, 'CA folder');
  const keys = await globalThis.crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const start = notBefore();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(), name: [{ CN: [name] }, { O: ['trustbox-emulator'] }], keys, signingAlgorithm: ES256,
    notBefore: start, notAfter: yearsFrom(start, CA_YEARS),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await globalThis.crypto.subtle.exportKey('pkcs8', keys.privateKey));
  try {
    createPrivateFile(keyPath, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')); // O_EXCL: never over another CA's key
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`ca init: ${keyPath} exists: refusing to overwrite a CA`);
    throw error;
  }
  writeFileSync(certPath, cert.toString('pem') + '\n', { flag: 'wx', mode: 0o644 });
  return { key: keyPath, cert: certPath, subject: cert.subject };
}

/** Loads the CA of `dir`; its key file must be this user's and private (0600). */
export async function loadCa(dir: string): Promise<ManufacturerCa> {
  const keyPath = join(dir, CA_KEY_FILE);
  const certPath = join(dir, CA_CERT_FILE);
  const keyPem = readPrivateFile(keyPath, 'CA key', true);
  if (!keyPem || !existsSync(certPath)) throw new Error(`${dir} holds no CA (${CA_KEY_FILE} and ${CA_CERT_FILE}): make one with \`trustbox ca init --out ${dir}\``);
  const cert = new x509.X509Certificate(readFileSync(certPath, 'utf8'));
  let key: CryptoKey;
  try {
    key = await globalThis.crypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(keyPem.toString('utf8')), EC_P256, false, ['sign']);
  } catch (error) {
    throw new Error(`${keyPath} is not an EC P-256 private key (PKCS#8 PEM): ${(error as Error).message}`);
  }
  return { cert, key, dir };
}

/** The authority key identifier of certificates `ca` issues: its subject key identifier (or one computed from its key). */
async function authorityKeyId(ca: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski ? new x509.AuthorityKeyIdentifierExtension(ski.keyId) : x509.AuthorityKeyIdentifierExtension.create(ca.publicKey);
}

/**
 * A device certificate: subject CN = the device id, the device's identity public key, signed by
 * the CA with ECDSA-SHA256; an end entity (CA:false) for signatures and key agreement.
 */
export async function issueDeviceCertificate(ca: ManufacturerCa, deviceId: string, publicKeyPem: string): Promise<x509.X509Certificate> {
  const spki = x509.PemConverter.decodeFirst(publicKeyPem);
  const publicKey = await globalThis.crypto.subtle.importKey('spki', spki, EC_P256, true, ['verify']);
  const start = notBefore();
  const caEnd = ca.cert.notAfter;
  const end = yearsFrom(start, DEVICE_CERT_YEARS);
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(), subject: [{ CN: [deviceId] }, { O: ['trustbox-emulator device'] }], issuer: ca.cert.subjectName,
    publicKey, signingKey: ca.key, signingAlgorithm: ES256,
    notBefore: start, notAfter: end > caEnd ? caEnd : end, // never past the CA's own validity
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await authorityKeyId(ca.cert),
    ],
  });
}

/** One line about a certificate: subject, issuer, serial, validity end. */
export function describeCertificate(pem: string): string {
  try {
    const c = new x509.X509Certificate(pem);
    return `${c.subject}, issued by ${c.issuer}, serial ${c.serialNumber}, valid until ${c.notAfter.toISOString()}`;
  } catch (error) {
    return `unreadable (${(error as Error).message})`;
  }
}
