/**
 * `oesign` for TrustBox enclaves (`trustbox oe oesign`, the SDK's `bin/oesign`):
 *
 *   oesign sign -e ENCLAVE [-c CONF] -k KEY.pem [-o OUT]   → OUT (default ENCLAVE.signed)
 *   oesign dump -e IMAGE
 *
 * An enclave is a TA ELF linked with liboeenclave. Signing reads OE's `.conf` fields, writes them
 * into the ELF's `.oeinfo` section (oe/include/openenclave/bits/optee/oeinfo.h), fixes the UUID
 * in `.oeinfo` and `ta_head` (the one the enclave set with OE_SET_ENCLAVE_OPTEE, else derived
 * from the signer and the file name: {@link deriveEnclaveUuid}), strips the ELF and signs it into
 * the TA container `trustbox ta sign` writes, with the given key as OE signs with its key.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { createPublicKey, digest, sha256, type KeyObject } from '../../host/crypto.js';
import { parseTaContainer, signTa } from '../../tee/loader/container.js';
import { findDynamicSymbol, parseElf, vaddrToOffset, type ElfImage } from '../../tee/loader/elf.js';
import { developmentSigningKey, loadPrivateKey } from '../../tee/loader/signing-keys.js';
import { uuidFromOctets, uuidToOctets, uuidToTeeUuid } from '../../abi/uuid.js';
import { isElf, readInput, run } from '../ta-files.js';

/** The `.oeinfo` layout (oeinfo.h): offsets of each field, 88 bytes in all. */
export const OEINFO = {
  magic: 'OEOPTEE1', size: 88,
  uuid: 8, productId: 24, securityVersion: 26, debug: 28, numHeapPages: 32, numStackPages: 40, numTcs: 48,
} as const;

/** The namespace of derived enclave UUIDs (docs/open-enclave.md). */
export const ENCLAVE_UUID_NAMESPACE = '7b4a2f0e-5c1d-4e2b-9a63-0e1f2d3c4b5a';

/** What a `.conf` sets; absent fields keep what the image holds. */
export interface OeConf {
  Debug?: number;
  ProductID?: number;
  SecurityVersion?: number;
  NumHeapPages?: number;
  NumStackPages?: number;
  NumTCS?: number;
}

/** Each field's largest value (OE: u16 ids, NumTCS ≤ 1024). */
const CONF_LIMITS: Record<keyof OeConf, number> = {
  Debug: 1, ProductID: 0xffff, SecurityVersion: 0xffff, NumHeapPages: 2 ** 32 - 1, NumStackPages: 2 ** 32 - 1, NumTCS: 1024,
};
/** Fields OE's oesign knows that mean nothing on TrustZone: accepted, ignored with a note. */
const SGX_ONLY = new Set(['ExtendedProductID', 'FamilyID', 'CapturePFGPExceptions', 'CreateZeroBaseEnclave', 'StartAddress']);

/**
 * Parses OE's `NAME=VALUE` configuration (blank lines and `#` comments allowed). Unknown names,
 * duplicates, negative or out-of-range values are errors naming the file and line.
 */
export function parseOeConf(text: string, label = 'CONF', warn: (line: string) => void = () => {}): OeConf {
  const conf: OeConf = {};
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const where = `${label}:${i + 1}`;
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`${where}: expected NAME=VALUE, found "${line}"`);
    const name = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (seen.has(name)) throw new Error(`${where}: ${name} is set twice`);
    seen.add(name);
    if (SGX_ONLY.has(name)) {
      warn(`${where}: ${name} is an SGX setting; ignored for a TrustZone enclave`);
      return;
    }
    if (!(name in CONF_LIMITS)) {
      throw new Error(`${where}: unknown setting "${name}" (known: ${Object.keys(CONF_LIMITS).join(', ')})`);
    }
    if (/^-/.test(value)) throw new Error(`${where}: ${name} must not be negative (${value})`);
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(value)) throw new Error(`${where}: ${name} must be an unsigned integer, not "${value}"`);
    const n = Number(value);
    const key = name as keyof OeConf;
    if (n > CONF_LIMITS[key]) throw new Error(`${where}: ${name} ${value} is above its maximum ${CONF_LIMITS[key]}`);
    conf[key] = n;
  });
  return conf;
}

/**
 * An enclave's UUID when it names none: RFC 4122 version-5-style (SHA-1) over the namespace and
 * `hex(SHA-256(signer public key, SPKI DER)) + ":" + file name without extensions`, so the same
 * signer and name always give the same UUID, and another signer another one.
 */
export function deriveEnclaveUuid(signer: KeyObject, enclaveFile: string): string {
  const spki = createPublicKey(signer).export({ type: 'spki', format: 'der' });
  const name = `${sha256(spki).toString('hex')}:${basename(enclaveFile).replace(/\..*$/, '')}`;
  const h = digest('sha1', uuidToOctets(ENCLAVE_UUID_NAMESPACE), Buffer.from(name, 'utf8')).subarray(0, 16);
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  return uuidFromOctets(h);
}

/** The enclave information of an ELF's `.oeinfo` section. */
export interface OeInfo {
  offset: number;
  uuid?: string;
  productId: number;
  securityVersion: number;
  debug: number;
  numHeapPages: bigint;
  numStackPages: bigint;
  numTcs: bigint;
}

/** Reads `.oeinfo`; an ELF without it was not linked with liboeenclave. */
export function readOeInfo(elf: ElfImage): OeInfo {
  const s = elf.sections.find((x) => x.name === '.oeinfo');
  if (!s || s.size < OEINFO.size || s.offset + OEINFO.size > elf.bytes.length) {
    throw new Error(`${elf.label} has no .oeinfo section: link the enclave with liboeenclave (pkg-config oeenclave-gcc --libs)`);
  }
  const b = Buffer.from(elf.bytes.buffer, elf.bytes.byteOffset + s.offset, OEINFO.size);
  if (b.subarray(0, 8).toString('latin1') !== OEINFO.magic) throw new Error(`${elf.label}: .oeinfo does not start with ${OEINFO.magic}`);
  const uuid = b.subarray(OEINFO.uuid, OEINFO.uuid + 16);
  return {
    offset: s.offset,
    uuid: uuid.some((x) => x !== 0) ? uuidFromOctets(uuid) : undefined,
    productId: b.readUInt16LE(OEINFO.productId),
    securityVersion: b.readUInt16LE(OEINFO.securityVersion),
    debug: b.readUInt32LE(OEINFO.debug),
    numHeapPages: b.readBigUInt64LE(OEINFO.numHeapPages),
    numStackPages: b.readBigUInt64LE(OEINFO.numStackPages),
    numTcs: b.readBigUInt64LE(OEINFO.numTcs),
  };
}

/** Writes the conf and the UUID into a copy of the ELF (`.oeinfo` and `ta_head`). */
export function patchEnclave(elfBytes: Uint8Array, label: string, conf: OeConf, uuid: string): Uint8Array {
  const out = Buffer.from(elfBytes);
  const elf = parseElf(out, label);
  const info = readOeInfo(elf);
  const at = info.offset;
  uuidToOctets(uuid).copy(out, at + OEINFO.uuid);
  if (conf.ProductID !== undefined) out.writeUInt16LE(conf.ProductID, at + OEINFO.productId);
  if (conf.SecurityVersion !== undefined) out.writeUInt16LE(conf.SecurityVersion, at + OEINFO.securityVersion);
  if (conf.Debug !== undefined) out.writeUInt32LE(conf.Debug, at + OEINFO.debug);
  if (conf.NumHeapPages !== undefined) out.writeBigUInt64LE(BigInt(conf.NumHeapPages), at + OEINFO.numHeapPages);
  if (conf.NumStackPages !== undefined) out.writeBigUInt64LE(BigInt(conf.NumStackPages), at + OEINFO.numStackPages);
  if (conf.NumTCS !== undefined) out.writeBigUInt64LE(BigInt(conf.NumTCS), at + OEINFO.numTcs);
  const head = findDynamicSymbol(elf, 'ta_head');
  const off = head ? vaddrToOffset(elf, head.value, 16) : undefined;
  if (off === undefined) throw new Error(`${label} has no ta_head: link the enclave with liboeenclave`);
  uuidToTeeUuid(uuid).copy(out, off);
  return out;
}

/** `objcopy --strip-unneeded` (section headers stay: the loader needs them). */
export function stripElf(elf: Uint8Array): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'oesign-'));
  try {
    const file = join(dir, 'enclave.elf');
    writeFileSync(file, elf);
    execFileSync(process.env.OBJCOPY ?? 'aarch64-linux-gnu-objcopy', ['--strip-unneeded', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SignEnclaveOptions {
  enclave: string;
  conf?: string;
  /** PEM private key (RSA); default: the development signing key. */
  key?: string;
  out?: string;
  warn?: (line: string) => void;
}

/** Signs an enclave ELF into a TA container; returns its UUID and where it went. */
export function signEnclave(o: SignEnclaveOptions): { uuid: string; out: string; conf: OeConf } {
  const conf = o.conf ? parseOeConf(readFileSync(o.conf, 'utf8'), o.conf, o.warn) : {};
  const bytes = readInput(o.enclave);
  if (!isElf(bytes)) throw new Error(`${o.enclave} is not an ELF file (oesign signs the linked enclave)`);
  const key = o.key ? loadPrivateKey(o.key) : developmentSigningKey();
  const info = readOeInfo(parseElf(bytes, o.enclave));
  const uuid = info.uuid ?? deriveEnclaveUuid(key, o.enclave);
  const elf = stripElf(patchEnclave(bytes, o.enclave, conf, uuid));
  const out = o.out ?? `${o.enclave}.signed`;
  writeFileSync(out, signTa({ elf, uuid, taVersion: 0, key, algo: 'pss' }));
  return { uuid, out, conf };
}

/** `oesign dump`: the enclave properties of an ELF or a signed container, as text lines. */
export function dumpEnclave(path: string): string[] {
  const bytes = readInput(path);
  const signed = !isElf(bytes);
  const elfBytes = signed ? parseTaContainer(bytes, path).payload : bytes;
  const i = readOeInfo(parseElf(elfBytes, path));
  return [
    `=== Entry point: ${path} (${signed ? 'signed TA container' : 'unsigned enclave ELF'})`,
    `uuid=${i.uuid ?? '(not set: oesign derives it from the signer)'}`,
    `product_id=${i.productId}`,
    `security_version=${i.securityVersion}`,
    `debug=${i.debug}`,
    `num_heap_pages=${i.numHeapPages}`,
    `num_stack_pages=${i.numStackPages}`,
    `num_tcs=${i.numTcs}`,
  ];
}

/** Adds `oesign sign|dump` under `parent` (the `oe` group, or a program of its own). */
export function registerOesign(parent: Command, name = 'oesign'): void {
  const cmd = parent.command(name).description('sign an enclave into a TrustBox TA container, or dump its properties');
  cmd.command('sign')
    .description('apply CONF to the enclave and sign it with KEY (output: ENCLAVE.signed)')
    .requiredOption('-e, --enclave-image <file>', 'linked enclave ELF')
    .option('-c, --config-file <file>', 'OE configuration (Debug, ProductID, SecurityVersion, NumHeapPages, NumStackPages, NumTCS)')
    .option('-k, --key-file <pem>', 'RSA private key (default: the development signing key)')
    .option('-o, --output-file <file>', 'signed output (default: ENCLAVE.signed)')
    .action((opts: { enclaveImage: string; configFile?: string; keyFile?: string; outputFile?: string }, c: Command) => run(c, () => {
      const r = signEnclave({
        enclave: opts.enclaveImage, conf: opts.configFile, key: opts.keyFile, out: opts.outputFile,
        warn: (line) => process.stderr.write(`oesign: ${line}\n`),
      });
      process.stdout.write(`Created ${r.out} (enclave ${r.uuid})\n`);
    }));
  cmd.command('dump')
    .description('print the enclave properties of an enclave ELF or a signed image')
    .requiredOption('-e, --enclave-image <file>', 'enclave ELF or signed image')
    .action((opts: { enclaveImage: string }, c: Command) => run(c, () => {
      process.stdout.write(dumpEnclave(opts.enclaveImage).join('\n') + '\n');
    }));
}
