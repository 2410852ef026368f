/**
 * `trustbox device id|enroll` and `trustbox ca init`: the device identity and its certificate
 * (issue 13 section 2; docs/identity.md).
 *
 * - `device id (--state DIR | --connect URL --token-file FILE) [--json]`: the device id and the
 *   identity public key (PEM), and the certificate when the device was enrolled.
 * - `ca init --out DIR`: a manufacturer CA for this installation, kept outside every device.
 * - `device enroll --state DIR --ca DIR [--out FILE]`: the CA certifies the device's identity key;
 *   the certificate is recorded on the device's flash (`<state>/identity/device-cert.pem`), where
 *   deviceIdentity finds it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeDeviceCertificate } from '../device/identity-cert.js';
import { deviceIdentity, type IdentityAnswer, type IdentitySource, type IdentityTarget } from './device-identity.js';
import { CA_CERT_FILE, describeCertificate, initCa, issueDeviceCertificate, loadCa } from './manufacturer-ca.js';
import { remoteOptions } from './remote-backend.js';

const DEFAULT_CA_NAME = 'trustbox-emulator manufacturer CA';

const PASSPHRASE_HELP = 'for a device this command boots: the file holding its hardware passphrase (or set TRUSTBOX_HARDWARE_PASSPHRASE)';

const ID_HELP = `
The id and key are derived in the secure world from the device's fuses: the same device always
answers the same, another device another. A running device (endpoint.json of --state) is asked
over the API; otherwise the device of --state is booted here briefly and powered off.

Exit codes:
  0  printed
  1  no device at --state, the device could not be reached or booted (one line says why)`;

const ENROLL_HELP = `
The certificate: subject CN = the device id, the device's identity public key, signed by the CA
with ECDSA-SHA256, valid 10 years (at most as long as the CA), keyUsage digitalSignature and
keyAgreement, CA:false. Check it with: openssl verify -CAfile CA_DIR/ca.pem DEVICE_CERT.pem

Exit codes:
  0  enrolled: the certificate is recorded in <state>/identity/device-cert.pem
  1  no CA in --ca, no device at --state, or the device could not be reached or booted`;

function printIdentity(id: IdentityAnswer, source: IdentitySource, where: string): void {
  console.log(`device id: ${id.deviceId}`);
  const how = source === 'running device' ? `asked the running device of ${where}` : `booted the device of ${where} briefly`;
  console.log(`identity public key (EC P-256; ${how}):`);
  process.stdout.write(id.publicKey.endsWith('\n') ? id.publicKey : `${id.publicKey}\n`);
  if (id.certificate) console.log(`certificate: ${describeCertificate(id.certificate)}`);
  else console.log('certificate: none (enroll the device: trustbox device enroll --state DIR --ca CA_DIR)');
}

interface IdOptions extends IdentityTarget { json?: boolean }
interface EnrollOptions { state: string; ca: string; out?: string; json?: boolean; hardwarePassphraseFile?: string }

async function idCommand(opts: IdOptions): Promise<void> {
  const { identity, source } = await deviceIdentity(opts);
  if (opts.json) console.log(JSON.stringify(identity, null, 2));
  else printIdentity(identity, source, opts.state ?? opts.connect!);
}

async function enrollCommand(opts: EnrollOptions): Promise<void> {
  const ca = await loadCa(opts.ca); // before the device: a missing CA boots nothing
  const target: IdentityTarget = { state: opts.state, ...(opts.hardwarePassphraseFile ? { hardwarePassphraseFile: opts.hardwarePassphraseFile } : {}) };
  const { identity } = await deviceIdentity(target);
  const cert = await issueDeviceCertificate(ca, identity.deviceId, identity.publicKey);
  const pem = `${cert.toString('pem')}\n`;
  const path = writeDeviceCertificate(opts.state, pem, identity.publicKey);
  if (opts.out) writeFileSync(opts.out, pem, { mode: 0o644 });
  if (opts.json) {
    console.log(JSON.stringify({ deviceId: identity.deviceId, certificate: pem, path, ...(opts.out ? { out: opts.out } : {}), serialNumber: cert.serialNumber,
      notAfter: cert.notAfter.toISOString(), issuer: cert.issuer }, null, 2));
    return;
  }
  console.log(`enrolled ${identity.deviceId}: ${describeCertificate(pem)}`);
  console.log(`recorded in ${path}${opts.out ? ` and written to ${opts.out}` : ''}`);
  console.log(`check it: openssl verify -CAfile ${join(opts.ca, CA_CERT_FILE)} ${opts.out ?? path}`);
}

export function registerDeviceCommands(program: Command): void {
  const device = program.command('device').description('the device identity (derived from its fuses in the secure world) and its certificate');
  remoteOptions(device.command('id')
    .description('print the device id and the identity public key (PEM), and its certificate once enrolled'), 'the device')
    .option('--json', 'print {deviceId, publicKey, certificate?} as deviceIdentity answers it')
    .option('--hardware-passphrase-file <file>', PASSPHRASE_HELP)
    .addHelpText('after', ID_HELP)
    .action((opts: IdOptions) => idCommand(opts));
  device.command('enroll')
    .description('issue the device an X.509 certificate for its identity key, signed by a manufacturer CA, and record it on the device')
    .requiredOption('--state <dir>', 'device state directory (a running device of it is asked over the API)')
    .requiredOption('--ca <dir>', 'the CA folder made by `trustbox ca init`')
    .option('--out <file>', 'also write the certificate (PEM) to FILE')
    .option('--json', 'print JSON')
    .option('--hardware-passphrase-file <file>', PASSPHRASE_HELP)
    .addHelpText('after', ENROLL_HELP)
    .action((opts: EnrollOptions) => enrollCommand(opts));

  const ca = program.command('ca').description('the manufacturer CA of this installation, kept outside the devices');
  ca.command('init')
    .description('make a CA: an EC P-256 key (ca.key, mode 0600) and its self-signed certificate (ca.pem); never overwrites one')
    .requiredOption('--out <dir>', 'folder for ca.key and ca.pem (made 0700 if missing)')
    .option('--name <cn>', 'the CA\'s common name', DEFAULT_CA_NAME)
    .option('--json', 'print JSON')
    .action(async (opts: { out: string; name: string; json?: boolean }) => {
      const made = await initCa(opts.out, opts.name);
      if (opts.json) console.log(JSON.stringify(made, null, 2));
      else console.log(`CA ${made.subject}: key ${made.key} (mode 0600: keep it off the devices), certificate ${made.cert}`);
    });
}
