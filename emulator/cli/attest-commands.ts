/**
 * `trustbox attest` and `trustbox attest verify` (issue 13 section 3; docs/attestation.md).
 *
 * - `attest (--state DIR | --connect URL --token-file F) --uuid UUID --nonce HEX [--profile rfc|draft] [--json]`:
 *   the device's PSA token about a TA, raw CBOR on standard output (or its claims as JSON).
 * - `attest verify TOKEN (--device PEM | --ca CA.pem [--device-cert PEM]) --nonce HEX [--expect-ta UUID]
 *   [--reference-values FILE] [--seen-nonces FILE] [--json]`: exit 0 only for a genuine, fresh
 *   token whose measurements match.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TeeConnection } from '../client/index.js';
import { decodePsaToken, verifyPsaToken, type PsaReferenceValue, type PsaVerifyOptions } from '../client/attestation.js';
import { attest } from '../device/attest.js';
import { Device } from '../device/device.js';
import { FUSES_FILE, hardwarePath } from '../device/state.js';
import { hardwarePassphrase } from './boot.js';
import { deviceKeyFromChain, deviceKeyFromPem, expectedTaMeasurement, VerifyInputError } from './attest-keys.js';
import { runningDevice } from './device-identity.js';
import { remoteCredentials, remoteOptions, wantsRemote, type RemoteTarget } from './remote-backend.js';

const ATTEST_HELP = `
The token is a tagged COSE_Sign1 (ES256) signed in the secure world by the device identity key
(trustbox device id prints its public key). Its software components are the measured boot
stages (boot ROM, monitor, TEE core, normal world) and the TA: the loaded instance's measurement,
or, for a TA not loaded, that of the file the device would load. A running device (endpoint.json
of --state) is asked over the API; otherwise the device of --state is booted here briefly.

Exit codes:
  0  token written (or its claims, with --json)
  1  bad options, no such TA, or the device could not be reached or booted (one line says why)`;

const VERIFY_HELP = `
Checks, in order; the first that fails is named: decode, cose (tag 18, COSE_Sign1), alg (ES256),
signature (the device key of --device, or of the device certificate --ca certifies), instance-id
(names that key), claims, profile (RFC 9783 or the draft), nonce (equals --nonce), replay (not in
--seen-nonces), lifecycle (SECURED), expected-ta, reference-values.

--reference-values FILE: JSON, a list of {"measurement-type", "measurement-value" (hex)[, "signer-id"]}
(or {"reference-values": [...]}); every software component must match one. \`trustbox attest --json\`
prints a token's components in this form.

Exit codes:
  0  genuine and fresh, and its measurements match
  1  rejected: one line "attest verify: rejected (CHECK): why"; or the check could not be made
     (unreadable file, bad option): one line "trustbox: ..."`;

interface AttestOptions extends RemoteTarget { uuid: string; nonce: string; profile: string; json?: boolean; hardwarePassphraseFile?: string }
interface VerifyOptions {
  device?: string; ca?: string; deviceCert?: string; state?: string; nonce: string; expectTa?: string; taFile?: string;
  referenceValues?: string; seenNonces?: string; json?: boolean;
}

/** Hex to bytes; throws naming the option when it is not hex. */
function hexOption(text: string, option: string): Buffer {
  const clean = text.replace(/^0x/i, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(clean)) throw new Error(`${option} takes hex bytes (for example ${'00'.repeat(32)})`);
  return Buffer.from(clean, 'hex');
}

function profileOption(p: string): 'rfc' | 'draft' {
  if (p !== 'rfc' && p !== 'draft') throw new Error(`--profile is rfc or draft, not "${p}"`);
  return p;
}

async function tokenFrom(opts: AttestOptions, nonce: Buffer, profile: 'rfc' | 'draft'): Promise<Uint8Array> {
  if (!wantsRemote(opts)) throw new Error('name the device: --state DIR, or --connect URL --token-file FILE');
  if (opts.connect || runningDevice(opts.state!)) {
    const { url, token } = remoteCredentials(opts);
    const conn = await TeeConnection.connect({ url, token, client: 'trustbox-cli' });
    try {
      return await conn.attest(opts.uuid, nonce, profile);
    } finally {
      conn.close();
    }
  }
  if (!existsSync(hardwarePath(opts.state!, FUSES_FILE))) {
    throw new Error(`${opts.state} holds no device yet (no fuses): boot one first with \`trustbox boot --state ${opts.state}\``);
  }
  const passphrase = hardwarePassphrase(opts.hardwarePassphraseFile);
  const device = new Device({ stateDir: opts.state!, ...(passphrase !== undefined ? { hardwarePassphrase: passphrase } : {}) });
  try {
    device.boot();
    return attest(device, { uuid: opts.uuid, nonce, profile });
  } finally {
    device.powerOff();
  }
}

/** Claims as JSON, with the components also as reference values (for --reference-values). */
function claimsJson(token: Uint8Array): string {
  const claims = decodePsaToken(token);
  const referenceValues: PsaReferenceValue[] = claims.softwareComponents.map((c) => ({
    ...(c.measurementType !== undefined ? { 'measurement-type': c.measurementType } : {}), 'measurement-value': c.measurementValue,
  }));
  return JSON.stringify({ ...claims, referenceValues }, null, 2);
}

async function attestCommand(opts: AttestOptions): Promise<void> {
  const nonce = hexOption(opts.nonce, '--nonce');
  if (![32, 48, 64].includes(nonce.length)) throw new Error(`--nonce is ${nonce.length} bytes; a PSA token takes 32, 48 or 64`);
  const token = await tokenFrom(opts, nonce, profileOption(opts.profile));
  if (opts.json) console.log(claimsJson(token));
  else process.stdout.write(token);
}

function referenceValues(path: string): PsaReferenceValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new VerifyInputError(`cannot read the reference values ${path}: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { 'reference-values'?: unknown })?.['reference-values'];
  if (!Array.isArray(list) || !list.every((r) => typeof r === 'object' && r && typeof (r as PsaReferenceValue)['measurement-value'] === 'string')) {
    throw new VerifyInputError(`${path}: expected a list of {"measurement-type", "measurement-value" (hex)}`);
  }
  return list as PsaReferenceValue[];
}

async function verifyCommand(tokenPath: string, opts: VerifyOptions): Promise<void> {
  if (!!opts.device === !!opts.ca) throw new Error('give the device key: --device DEVICE.pem, or --ca CA.pem (with --device-cert or --state)');
  const token = readFileSync(tokenPath);
  let publicKey: string;
  try {
    publicKey = opts.device ? deviceKeyFromPem(opts.device) : deviceKeyFromChain(opts.ca!, opts.deviceCert, opts.state);
  } catch (error) {
    if (error instanceof VerifyInputError) throw error;
    return reject('ca', (error as Error).message.replace(/^ca: /, ''), opts.json);
  }
  const o: PsaVerifyOptions = { publicKey, nonce: hexOption(opts.nonce, '--nonce') };
  if (opts.expectTa) o.expectTa = { measurement: expectedTaMeasurement(opts.expectTa, opts.taFile, opts.state), label: opts.expectTa };
  if (opts.referenceValues) o.referenceValues = referenceValues(opts.referenceValues);
  if (opts.seenNonces) {
    const seen = existsSync(opts.seenNonces) ? readFileSync(opts.seenNonces, 'utf8').split(/\s+/).filter(Boolean) : [];
    o.seenNonces = new Set(seen.map((n) => n.toLowerCase()));
  }
  const r = await verifyPsaToken(token, o);
  if (!r.ok) return reject(r.check, r.reason, opts.json);
  if (opts.seenNonces) appendFileSync(opts.seenNonces, `${r.claims.nonce}\n`, { mode: 0o600 });
  if (opts.json) console.log(JSON.stringify({ ok: true, claims: r.claims }, null, 2));
  else console.log(`attest verify: genuine and fresh: ${r.claims.profile}, instance ${r.claims.instanceId.slice(0, 18)}..., ${r.claims.softwareComponents.length} components match`);
}

function reject(check: string, reason: string, json: boolean | undefined): void {
  if (json) console.log(JSON.stringify({ ok: false, check, reason }));
  else console.log(`attest verify: rejected (${check}): ${reason}`);
  process.exitCode = 1;
}

/**
 * One command for both forms: `attest ...` and `attest verify TOKEN ...` share --state, --nonce
 * and --json, and commander lets a parent's options swallow its subcommand's unless the whole
 * program takes positional options, so `verify` is an argument, not a subcommand.
 */
export function registerAttestCommands(program: Command): void {
  remoteOptions(program.command('attest')
    .usage('(--state DIR | --connect URL --token-file F) --uuid UUID --nonce HEX [--profile rfc|draft] [--json] > token.cbor\n' +
      '       trustbox attest verify TOKEN (--device PEM | --ca CA.pem [--device-cert PEM]) --nonce HEX [--expect-ta UUID] ' +
      '[--reference-values FILE] [--seen-nonces FILE] [--json]')
    .argument('[verify]', 'verify a token instead of asking for one')
    .argument('[token]', 'with verify: the token file (raw CBOR)')
    .description('a PSA attestation token (RFC 9783, COSE_Sign1 ES256) about a TA and the measured boot, raw CBOR on stdout; or verify one'), 'the device')
    .option('--uuid <uuid>', 'the TA to attest (loaded, or loadable by the device)')
    .option('--nonce <hex>', 'the challenge: 32, 48 or 64 bytes in hex (verify: the nonce the verifier sent)')
    .option('--profile <profile>', 'rfc (tag:psacertified.org,2023:psa#tfm) or draft (http://arm.com/psa/2.0.0, as OP-TEE\'s PTA)', 'rfc')
    .option('--json', 'print the decoded claims (and the components as reference values); verify: {ok, claims} or {ok: false, check, reason}')
    .option('--hardware-passphrase-file <file>', 'for a device this command boots: the file holding its hardware passphrase')
    .option('--device <pem>', 'verify: the device\'s identity public key or certificate (PEM; trustbox device id prints the key)')
    .option('--ca <pem>', 'verify: a manufacturer CA certificate; the device certificate must chain to it')
    .option('--device-cert <pem>', 'verify with --ca: the device certificate (default <state>/identity/device-cert.pem)')
    .option('--expect-ta <uuid>', 'verify: a software component must measure this TA (its file from --ta-file, --state or the image)')
    .option('--ta-file <file>', 'verify with --expect-ta: the TA file the device should run')
    .option('--reference-values <file>', 'verify: JSON reference values; every software component must match one')
    .option('--seen-nonces <file>', 'verify: nonces already used (one hex per line); a repeat is a replay; a verified nonce is appended')
    .addHelpText('after', `${ATTEST_HELP}\n\nattest verify:${VERIFY_HELP}`)
    .action((verb: string | undefined, token: string | undefined, opts: AttestOptions & VerifyOptions) => {
      if (verb === 'verify') {
        if (!token) throw new Error('attest verify needs the token file: trustbox attest verify TOKEN --device PEM --nonce HEX');
        if (!opts.nonce) throw new Error('attest verify needs --nonce HEX: the nonce the verifier sent');
        return verifyCommand(token, opts);
      }
      if (verb !== undefined) throw new Error(`unknown attest action "${verb}" (attest ... or attest verify TOKEN ...)`);
      if (!opts.uuid || !opts.nonce) throw new Error('attest needs --uuid UUID and --nonce HEX (or: attest verify TOKEN ...)');
      return attestCommand(opts);
    });
}
