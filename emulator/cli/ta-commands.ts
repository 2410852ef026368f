/**
 * `trustbox ta sign` and `trustbox ta inspect`: sign a TA ELF into a `<uuid>.ta` container and
 * show what a container (or a bare TA ELF) holds. Errors print one sentence and exit non-zero.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import {
  ALGO_NAMES, IMG_TYPE_NAMES, parseTaContainer, signTa, verifyTaContainer, SHDR_ENCRYPTED_TA, type TaContainer, type TrustedKey,
} from '../tee/loader/container.js';
import { openSubkeyChain, startsWithSubkey } from '../tee/loader/subkey.js';
import {
  findDynamicSymbol, parseElf, readStaticSymbols, vaddrToOffset, PF_R, PF_W, PF_X, type ElfImage,
} from '../tee/loader/elf.js';
import { developmentKeys, developmentSigningKey, loadPrivateKey } from '../tee/loader/signing-keys.js';
import { R_AARCH64_RELATIVE, readTaHead } from '../tee/loader/load.js';
import { uuidFromTeeUuid } from '../abi/uuid.js';
import { taFlagNames } from '../abi/ta.js';
import { describeEncryption, registerEncryptCommand, type EncryptionInfo } from './ta-encrypt.js';
import { chainPrefix, registerSubkeyCommands } from './ta-subkey.js';
import { defaultUuid, isElf, readInput, run } from './ta-files.js';

/** Adds the `ta` command group to a commander program. */
export function registerTaCommands(program: Command): void {
  const ta = program.command('ta').description('sign, inspect and install trusted application containers');
  ta.command('sign')
    .description('sign a TA ELF into a BOOTSTRAP_TA container (<uuid>.ta)')
    .requiredOption('--in <elf>', 'stripped TA ELF to sign')
    .requiredOption('--out <file>', 'container to write')
    .option('--uuid <uuid>', 'TA UUID (default: the ELF\'s ta_head uuid)')
    .option('--key <pem>', 'RSA private key (default: the project development key)')
    .option('--ta-version <n>', 'rollback version stored in the header', '0')
    .option('--algo <algo>', 'pss or pkcs1', 'pss')
    .option('--subkey <file>', 'sign with the last subkey of this chain (`ta sign-subkey`; give its key as --key): the TA gets the chain in front')
    .option('--name <name>', 'with --subkey: the name that gives the TA its UUID in the subkey\'s namespace (`ta subkey-uuid`)')
    .action((opts: SignCliOptions, cmd: Command) => run(cmd, () => signCommand(opts)));
  ta.command('inspect')
    .description('show the header, signer, ta_head, properties and segments of a .ta or TA ELF')
    .argument('<file>', 'signed container or TA ELF')
    .option('--json', 'print JSON')
    .action((file: string, opts: { json?: boolean }, cmd: Command) => run(cmd, () => inspectCommand(file, !!opts.json)));
  registerEncryptCommand(ta);
  registerSubkeyCommands(ta);
}

interface SignCliOptions {
  in: string;
  out: string;
  uuid?: string;
  key?: string;
  taVersion: string;
  algo: string;
  subkey?: string;
  name?: string;
}

function signCommand(opts: SignCliOptions): void {
  if (opts.algo !== 'pss' && opts.algo !== 'pkcs1') throw new Error(`--algo must be pss or pkcs1, not "${opts.algo}"`);
  const taVersion = Number(opts.taVersion);
  if (!/^\d+$/.test(opts.taVersion) || taVersion > 0xffffffff) throw new Error(`--ta-version must be a 32-bit unsigned integer, not "${opts.taVersion}"`);
  const elfBytes = readInput(opts.in);
  const elf = parseElf(elfBytes, opts.in);
  const uuid = (opts.uuid ?? defaultUuid(elf)).toLowerCase();
  const head = findDynamicSymbol(elf, 'ta_head') ? readTaHead(elf).uuid : undefined;
  if (head && head !== uuid) {
    // The core refuses such a TA at load (its ta_head must name the UUID it is loaded as).
    throw new Error(`--uuid ${uuid} contradicts the UUID ${head} in the ELF's ta_head: leave --uuid out, or build the TA with that UUID`);
  }
  if (opts.name && !opts.subkey) throw new Error('--name gives the UUID in the namespace of --subkey: give --subkey too');
  const chain = opts.subkey ? chainPrefix(opts.subkey, opts.name) : undefined;
  if (chain && chain.uuid !== uuid) {
    throw new Error(`the chain ${opts.subkey} signs UUID ${chain.uuid}${opts.name ? ` for the name "${opts.name}"` : ''}, not the TA's ${uuid}`);
  }
  const key = opts.key ? loadPrivateKey(opts.key) : developmentSigningKey();
  mkdirSync(dirname(opts.out), { recursive: true });
  const container = signTa({ elf: elfBytes, uuid, taVersion, key, algo: opts.algo });
  writeFileSync(opts.out, chain ? Buffer.concat([chain.prefix, container]) : container);
  process.stdout.write(`signed ${uuid} (ta_version ${taVersion}, ${opts.algo}${chain ? `, subkey chain ${opts.subkey}` : ''}) -> ${opts.out}\n`);
}

// ---------------------------------------------------------------- inspect

/** Everything `ta inspect` reports. */
export interface TaInspection {
  container?: {
    type: string; algo: string; imgSize: number; hashSize: number; sigSize: number; payloadOffset: number;
    uuid?: string; taVersion?: number; signer: string;
    /** The subkey chain in front of the container, root first (img_type SUBKEY links). */
    subkeys?: { uuid: string; version: number; maxDepth: number }[];
    /** ENCRYPTED_TA only: how the content key is found, without decrypting anything. */
    encryption?: EncryptionInfo;
  };
  taHead?: { uuid: string; stackSize: number; flags: string[]; legacyEntry: boolean };
  properties: { name: string; type: string; value: string }[];
  segments: { type: string; vaddr: string; filesz: number; memsz: number; flags: string }[];
  needed: string[];
  /** DT_SONAME (library TAs: their UUID). */
  soname?: string;
}

function inspectCommand(file: string, json: boolean): void {
  const report = inspectTa(readInput(file), file);
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : formatInspection(report));
}

/** Builds the inspection report of a container or bare ELF (best effort on properties). */
export function inspectTa(bytes: Uint8Array, label: string): TaInspection {
  let elfBytes = bytes;
  let container: TaInspection['container'];
  if (!isElf(bytes)) {
    // A subkey chain is verified against the development keys, as the container after it by the last subkey.
    const chain = startsWithSubkey(bytes) ? openSubkeyChain(bytes, developmentKeys(), label) : undefined;
    const body = chain ? chain.rest : bytes;
    const c = parseTaContainer(body, label);
    container = describeContainer(c, body, label, chain ? [chain.signer] : developmentKeys());
    if (chain) {
      container.signer = `${container.signer} (signed by ${chain.root.name})`;
      container.subkeys = chain.subkeys.map((s) => ({ uuid: s.uuid, version: s.version, maxDepth: s.maxDepth }));
    }
    if (c.imgType === SHDR_ENCRYPTED_TA) return { container, properties: [], segments: [], needed: [] };
    elfBytes = c.payload;
  }
  const elf = parseElf(elfBytes, label);
  // Library TAs have no ta_head; reading one at vaddr 0 (the legacy rule) would show noise.
  const head = findDynamicSymbol(elf, 'ta_head') ? readTaHead(elf) : undefined;
  return {
    container,
    soname: elf.soname,
    taHead: head && { uuid: head.uuid, stackSize: head.stackSize, flags: taFlagNames(head.flags), legacyEntry: head.legacyEntry },
    properties: readProperties(elf),
    segments: elf.segments.map((s) => ({
      type: SEGMENT_TYPES[s.type] ?? `0x${s.type.toString(16)}`, vaddr: `0x${s.vaddr.toString(16)}`,
      filesz: s.filesz, memsz: s.memsz,
      flags: `${s.flags & PF_R ? 'R' : '-'}${s.flags & PF_W ? 'W' : '-'}${s.flags & PF_X ? 'X' : '-'}`,
    })),
    needed: elf.needed,
  };
}

const SEGMENT_TYPES: Record<number, string> = {
  1: 'LOAD', 2: 'DYNAMIC', 4: 'NOTE', 6: 'PHDR', 7: 'TLS', 0x6474e550: 'GNU_EH_FRAME', 0x6474e551: 'GNU_STACK',
  0x6474e552: 'GNU_RELRO', 0x6474e553: 'GNU_PROPERTY',
};

function describeContainer(c: TaContainer, bytes: Uint8Array, label: string, keys: readonly TrustedKey[]): NonNullable<TaInspection['container']> {
  let signer: string;
  let encryption: EncryptionInfo | undefined;
  if (c.imgType === SHDR_ENCRYPTED_TA) ({ signer, encryption } = describeEncryption(c, keys, label));
  else {
    try {
      signer = verifyTaContainer(bytes, keys, label).signer;
    } catch (e) {
      signer = `untrusted (${(e as Error).message.replace(`${label}: `, '')})`;
    }
  }
  return {
    type: IMG_TYPE_NAMES[c.imgType] ?? String(c.imgType), algo: ALGO_NAMES[c.algo] ?? `0x${c.algo.toString(16)}`,
    imgSize: c.imgSize, hashSize: c.hashSize, sigSize: c.sigSize, payloadOffset: c.payloadOffset,
    uuid: c.bootstrap?.uuid, taVersion: c.bootstrap?.taVersion, signer, ...(encryption ? { encryption } : {}),
  };
}

const PROP_TYPES = ['BOOL', 'U32', 'UUID', 'IDENTITY', 'STRING', 'BINARY_BLOCK', 'U64'];

/**
 * Reads `ta_props` through the local `.symtab` symbol (absent when stripped: then no
 * properties). Pointers inside it are RELATIVE-relocated, so their values come from the addends.
 */
function readProperties(elf: ElfImage): TaInspection['properties'] {
  try {
    const sym = readStaticSymbols(elf).find((s) => s.name === 'ta_props');
    if (!sym || sym.size % 24 !== 0) return [];
    const ptr = relativePointerReader(elf);
    const out: TaInspection['properties'] = [];
    for (let i = 0; i < sym.size / 24; i++) {
      const entry = sym.value + i * 24;
      const type = readU32(elf, entry + 8);
      out.push({ name: readString(elf, ptr(entry)), type: PROP_TYPES[type] ?? String(type), value: propertyValue(elf, type, ptr(entry + 16), ptr) });
    }
    return out;
  } catch {
    return []; // best effort: a property table we cannot follow is simply not shown
  }
}

function relativePointerReader(elf: ElfImage): (vaddr: number) => number {
  const addends = new Map<number, number>();
  for (const rs of elf.relaSections) {
    for (const r of rs.entries) if (r.type === R_AARCH64_RELATIVE) addends.set(r.offset, r.addend);
  }
  return (vaddr) => addends.get(vaddr) ?? Number(fileView(elf, vaddr, 8).getBigUint64(0, true));
}

function fileView(elf: ElfImage, vaddr: number, size: number): DataView {
  const off = vaddrToOffset(elf, vaddr, size);
  if (off === undefined) throw new Error('outside the file');
  return new DataView(elf.bytes.buffer, elf.bytes.byteOffset + off, size);
}

function readU32(elf: ElfImage, vaddr: number): number {
  return fileView(elf, vaddr, 4).getUint32(0, true);
}

function readString(elf: ElfImage, vaddr: number): string {
  const off = vaddrToOffset(elf, vaddr, 1);
  if (off === undefined) throw new Error('outside the file');
  const end = elf.bytes.indexOf(0, off);
  return Buffer.from(elf.bytes.subarray(off, end < 0 ? off : end)).toString('utf8');
}

function propertyValue(elf: ElfImage, type: number, vaddr: number, ptr: (v: number) => number): string {
  switch (PROP_TYPES[type]) {
    case 'BOOL': return fileView(elf, vaddr, 1).getUint8(0) ? 'true' : 'false';
    case 'U32': return String(readU32(elf, vaddr));
    case 'U64': return String(fileView(elf, vaddr, 8).getBigUint64(0, true));
    case 'STRING':
    case 'BINARY_BLOCK': return readString(elf, vaddr);
    case 'UUID': {
      const v = fileView(elf, vaddr, 16);
      return uuidFromTeeUuid(new Uint8Array(v.buffer, v.byteOffset, 16));
    }
    default: return `(at 0x${ptr(vaddr).toString(16)})`;
  }
}

function formatInspection(r: TaInspection): string {
  const lines: string[] = [];
  const c = r.container;
  if (c) {
    lines.push(`container:   ${c.type}, ${c.algo}`, `sizes:       img ${c.imgSize}, hash ${c.hashSize}, sig ${c.sigSize}, payload at ${c.payloadOffset}`);
    if (c.uuid) lines.push(`uuid:        ${c.uuid}`, `ta_version:  ${c.taVersion}`);
    for (const s of c.subkeys ?? []) lines.push(`subkey:      ${s.uuid} (subkey_version ${s.version}, max_depth ${s.maxDepth})`);
    lines.push(`signer:      ${c.signer}`);
    const e = c.encryption;
    if (e) {
      lines.push(`encryption:  ${e.mode}`, `algorithm:   ${e.algorithm}`, `key type:    ${e.keyType}`);
      if (e.recipient) lines.push(`recipient:   ${e.recipient}`);
    }
  }
  if (r.taHead) {
    lines.push(`ta_head:     ${r.taHead.uuid}`, `flags:       ${r.taHead.flags.join(' | ') || '(none)'}`, `stack size:  ${r.taHead.stackSize}`);
  }
  if (r.soname) lines.push(`soname:      ${r.soname}`);
  if (r.needed.length) lines.push(`needs:       ${r.needed.join(', ')}`);
  if (r.properties.length) lines.push('properties:', ...r.properties.map((p) => `  ${p.name} (${p.type}) = ${p.value}`));
  if (c?.encryption && !r.segments.length) return lines.join('\n') + '\n'; // nothing more without decrypting
  lines.push('segments:', ...r.segments.map((s) => `  ${s.type.padEnd(12)} ${s.vaddr.padStart(10)} filesz ${String(s.filesz).padStart(8)} memsz ${String(s.memsz).padStart(8)} ${s.flags}`));
  return lines.join('\n') + '\n';
}
