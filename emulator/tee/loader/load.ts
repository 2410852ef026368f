/**
 * Turns a verified main TA ELF and its library TAs into a load plan: page-aligned regions with
 * their bytes and protections, relocations applied, `__elf_phdr_info` filled, entry point and
 * `ta_head` decoded. It does what OP-TEE's ldelf does for a TA (reference §1.6, §1.8), minus
 * ASLR, and it knows nothing about the CPU: the caller maps the regions wherever it maps memory.
 *
 * Layout, from `base` upwards, each item page aligned with one unmapped guard page after it:
 *
 *   main TA segments | library 1 segments | ... | copies of first file pages | dl_phdr_info page
 *
 * The main TA's ELF header is not inside any PT_LOAD (its first segment maps file offset 0x1000
 * at vaddr 0), so `dlpi_phdr` points into a read-only copy of its first file page (pitfall 9.2).
 */
import { PAGE_SIZE } from '../../machine/board.js';
import { TA_FLAGS_MASK } from '../../abi/ta.js';
import { TeeError } from '../../abi/errors.js';
import { isUuid, uuidFromTeeUuid } from '../../abi/uuid.js';
import { TEE_ERROR_BAD_FORMAT, TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_OUT_OF_MEMORY } from '../../abi/results.js';
import {
  badFormat, findDynamicSymbol, parseElf, vaddrToOffset, PF_W, PF_X, SHN_ABS, SHN_UNDEF, STB_GLOBAL, STB_LOCAL,
  STB_WEAK, STT_TLS, type ElfImage, type ElfRela, type ElfRelaSection, type ElfSymbol,
} from './elf.js';

/** Size of struct ta_head. */
export const TA_HEAD_SIZE = 32;
/** AArch64 TLS variant 1: the TCB head (dtv pointer + reserved) before the first block. */
export const TLS_TCB_HEAD = 16;
const DL_PHDR_INFO_SIZE = 64;
const ELF_PHDR_INFO_SIZE = 16;
const DEFAULT_MAX_SIZE = 256 * 1024 * 1024;

export const R_AARCH64_NONE = 0;
export const R_AARCH64_ABS64 = 257;
export const R_AARCH64_GLOB_DAT = 1025;
export const R_AARCH64_JUMP_SLOT = 1026;
export const R_AARCH64_RELATIVE = 1027;
export const R_AARCH64_TLS_TPREL = 1030;
const R_AARCH64_TLSDESC = 1031;

/** What to load. */
export interface LoadRequest {
  /** The main TA's ELF, already verified (container signature checked). */
  elf: Uint8Array;
  /** Returns the verified ELF of a library TA named by DT_NEEDED; throws a TeeError if missing. */
  fetchLibrary(uuid: string): Uint8Array;
  /** Page-aligned VA of the first module. */
  base: number;
  /** Name of the main TA in errors and in the plan (a file name); default: its ta_head UUID. */
  label?: string;
  /** Cap on the span of the whole plan in bytes (default 256 MiB): hostile p_memsz cannot exhaust the host. */
  maxSize?: number;
  /**
   * dlopen() calls so far, in order: each adds library TAs after the modules already loaded,
   * placed from its `base` (page aligned, free) with their header copies. The dl_phdr_info page
   * follows the last one; everything else is laid out exactly as without that last call, so
   * only the last call's modules, header copies and the table page are new.
   */
  dlopen?: { libraries: string[]; base: number }[];
}

/** One page-aligned mapping of the plan. `bytes.length === size`. */
export interface LoadRegion {
  va: number;
  size: number;
  prot: 'r' | 'rx' | 'rw';
  bytes: Uint8Array;
  /** 'segment', 'phdrs' (first file page copy) or 'phdr-info' (dl_phdr_info array). */
  kind: 'segment' | 'phdrs' | 'phdr-info';
  /** Name of the module the region belongs to. */
  module: string;
}

/** A module of the plan, in load order (main first, then DT_NEEDED breadth first). */
export interface LoadedModule {
  uuid?: string;
  base: number;
  name: string;
  /** Offset of its TLS block from TP (TPIDR_EL0), when it has PT_TLS. */
  tlsOffset?: number;
  /** Unrelocated PT_TLS header values, for libutee-equivalent TLS set-up by the caller. */
  tls?: { vaddr: number; filesz: number; memsz: number; align: number };
  initArray?: { va: number; size: number };
  finiArray?: { va: number; size: number };
}

/** Decoded struct ta_head of the main TA. */
export interface TaHead {
  /** Canonical lowercase UUID string. */
  uuid: string;
  /** Already includes the dev kit's 2048-byte allowance. */
  stackSize: number;
  flags: number;
  /** True when depr_entry was not all-ones (legacy TA entered through it). */
  legacyEntry: boolean;
}

/** The load plan. */
export interface LoadedImage {
  regions: LoadRegion[];
  entry: number;
  taHead: TaHead;
  modules: LoadedModule[];
  /** Bytes from TP to the end of the last module's TLS block (16 when no module has TLS). */
  tls: { size: number };
  /** First VA after everything (the guard page after the last region included). */
  end: number;
  /** VA of `__elf_phdr_info` (in the first module defining it), when one does. */
  elfPhdrInfo?: number;
}

interface Module {
  elf: ElfImage;
  uuid?: string;
  name: string;
  base: number;
  regions: LoadRegion[];
  phdrVa: number;
  tlsOffset?: number;
  symbols?: Map<string, { global?: ElfSymbol; weak?: ElfSymbol }>;
}

/** Builds the load plan; every malformed input is a TeeError (BAD_FORMAT unless stated). */
export function loadTa(req: LoadRequest): LoadedImage {
  if (req.base % PAGE_SIZE !== 0 || req.base <= 0) {
    throw new TeeError(TEE_ERROR_BAD_FORMAT, `load base 0x${req.base.toString(16)} is not a non-zero page-aligned address`);
  }
  const main = parseElf(req.elf, req.label ?? 'main TA');
  const taHead = readTaHead(main);
  const modules = collectModules(main, taHead.uuid, req.label ?? taHead.uuid, req.fetchLibrary);
  const batches = [{ from: 0, to: modules.length, base: req.base }];
  for (const d of req.dlopen ?? []) {
    const from = modules.length;
    appendModules(modules, d.libraries, req.fetchLibrary);
    batches.push({ from, to: modules.length, base: d.base });
  }
  const ends = batches.map((b) => modules.slice(b.from, b.to).reduce((c, m) => placeModule(m, c, req), b.base));
  assignTls(modules);
  for (const m of modules) relocateModule(m, modules);
  const extra: LoadRegion[] = [];
  let cursor = req.base;
  batches.forEach((b, i) => {
    const copies = placeHeaderCopies(modules.slice(b.from, b.to), ends[i]!);
    extra.push(...copies.regions);
    cursor = copies.end;
  });
  const info = fillPhdrInfo(modules, cursor);
  const regions = [...modules.flatMap((m) => m.regions), ...extra, ...(info ? [info.region] : [])];
  const end = info ? info.region.va + info.region.size + PAGE_SIZE : cursor;
  checkSize(req, end - (batches[batches.length - 1]!.base - req.base));
  return {
    regions, entry: entryPoint(main, modules[0]!.base, taHead), taHead, modules: modules.map(describe),
    tls: { size: tlsSize(modules) }, end, elfPhdrInfo: info?.symbolVa,
  };
}

function checkSize(req: LoadRequest, end: number): void {
  const limit = req.maxSize ?? DEFAULT_MAX_SIZE;
  if (end - req.base > limit || end > 2 ** 48) {
    throw new TeeError(TEE_ERROR_OUT_OF_MEMORY, `${req.label ?? 'TA'}: the image needs ${end - req.base} bytes of address space, more than the ${limit} allowed`);
  }
}

function describe(m: Module): LoadedModule {
  const t = m.elf.tls;
  const arr = (a?: { vaddr: number; size: number }) => (a ? { va: m.base + a.vaddr, size: a.size } : undefined);
  return {
    uuid: m.uuid, base: m.base, name: m.name, tlsOffset: m.tlsOffset,
    tls: t ? { vaddr: t.vaddr, filesz: t.filesz, memsz: t.memsz, align: t.align } : undefined,
    initArray: arr(m.elf.initArray), finiArray: arr(m.elf.finiArray),
  };
}

// ---------------------------------------------------------------- ta_head and entry

/** Reads struct ta_head of a TA through its dynamic symbol (legacy fallback: vaddr 0). */
export function readTaHead(elf: ElfImage): TaHead {
  const sym = findDynamicSymbol(elf, 'ta_head');
  const vaddr = sym ? sym.value : 0;
  const off = vaddrToOffset(elf, vaddr, TA_HEAD_SIZE);
  if (off === undefined) badFormat(elf.label, 'ta_head does not lie inside the file contents of a PT_LOAD segment');
  const v = new DataView(elf.bytes.buffer, elf.bytes.byteOffset + off, TA_HEAD_SIZE);
  const flags = v.getUint32(20, true);
  if (flags & ~TA_FLAGS_MASK) {
    badFormat(elf.label, `ta_head.flags 0x${flags.toString(16)} has bits outside TA_FLAGS_MASK 0x3fff`);
  }
  return {
    uuid: uuidFromTeeUuid(elf.bytes.subarray(off, off + 16)), stackSize: v.getUint32(16, true), flags,
    legacyEntry: v.getBigUint64(24, true) !== 0xffffffffffffffffn,
  };
}

function entryPoint(main: ElfImage, base: number, head: TaHead): number {
  if (!head.legacyEntry) return base + main.entry;
  const sym = findDynamicSymbol(main, 'ta_head');
  const off = vaddrToOffset(main, sym ? sym.value : 0, TA_HEAD_SIZE)!;
  const depr = new DataView(main.bytes.buffer, main.bytes.byteOffset + off + 24, 8).getBigUint64(0, true);
  if (depr >= 2n ** 40n) badFormat(main.label, `legacy ta_head.depr_entry 0x${depr.toString(16)} is not an address in the image`);
  return base + Number(depr);
}

// ---------------------------------------------------------------- module queue and placement

/** Main first, then DT_NEEDED library TAs breadth first, each UUID once. */
function collectModules(main: ElfImage, mainUuid: string, mainName: string, fetch: (uuid: string) => Uint8Array): Module[] {
  const queue: Module[] = [newModule(main, mainUuid, mainName)];
  const seen = new Set([mainUuid]);
  neededBreadthFirst(queue, 0, seen, fetch);
  return queue;
}

/** dlopen(): appends libraries not loaded yet, and what they need, breadth first. */
function appendModules(queue: Module[], libraries: string[], fetch: (uuid: string) => Uint8Array): void {
  const seen = new Set(queue.map((m) => m.uuid ?? m.name));
  const first = queue.length;
  for (const name of libraries) {
    const uuid = name.toLowerCase();
    if (seen.has(uuid)) continue;
    seen.add(uuid);
    queue.push(newModule(parseElf(fetch(uuid), uuid), uuid, uuid));
  }
  neededBreadthFirst(queue, first, seen, fetch);
}

function neededBreadthFirst(queue: Module[], from: number, seen: Set<string>, fetch: (uuid: string) => Uint8Array): void {
  for (let i = from; i < queue.length; i++) {
    for (const name of queue[i]!.elf.needed) {
      const uuid = name.toLowerCase();
      if (!isUuid(uuid)) badFormat(queue[i]!.name, `DT_NEEDED "${name}" is not a TA UUID`);
      if (seen.has(uuid)) continue;
      seen.add(uuid);
      queue.push(newModule(parseElf(fetch(uuid), uuid), uuid, uuid));
    }
  }
}

function newModule(elf: ElfImage, uuid: string, name: string): Module {
  return { elf, uuid, name, base: 0, regions: [], phdrVa: 0 };
}

const floorPage = (n: number) => Math.floor(n / PAGE_SIZE) * PAGE_SIZE;
const ceilPage = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

function protOf(flags: number): LoadRegion['prot'] {
  if (flags & PF_W) return 'rw';
  return flags & PF_X ? 'rx' : 'r';
}

/** Places a module at `cursor`, builds its regions and returns the next free VA. */
function placeModule(m: Module, cursor: number, req: LoadRequest): number {
  const loads = m.elf.loads;
  const lo = floorPage(loads[0]!.vaddr);
  const hi = ceilPage(loads[loads.length - 1]!.vaddr + loads[loads.length - 1]!.memsz);
  if (cursor + (hi - lo) - req.base > (req.maxSize ?? DEFAULT_MAX_SIZE)) checkSize(req, cursor + hi - lo);
  m.base = cursor - lo;
  const spans: { start: number; end: number; prot: LoadRegion['prot'] }[] = [];
  for (const s of loads) {
    const start = floorPage(s.vaddr);
    const end = ceilPage(s.vaddr + s.memsz);
    const prot = protOf(s.flags);
    const last = spans[spans.length - 1];
    if (last && start < last.end) {
      // Two segments sharing a page can only be merged when they agree on protection.
      if (last.prot !== prot) badFormat(m.name, `PT_LOAD segments ${s.index - 1} and ${s.index} share a page with different permissions`);
      last.end = Math.max(last.end, end);
    } else if (end > start) spans.push({ start, end, prot });
  }
  m.regions = spans.map((sp) => ({
    va: m.base + sp.start, size: sp.end - sp.start, prot: sp.prot, bytes: new Uint8Array(sp.end - sp.start),
    kind: 'segment' as const, module: m.name,
  }));
  for (const s of loads) {
    if (s.filesz === 0) continue; // nothing to copy (and a zero-sized segment has no region)
    const region = m.regions.find((r) => m.base + s.vaddr >= r.va && m.base + s.vaddr < r.va + r.size)!;
    region.bytes.set(m.elf.bytes.subarray(s.offset, s.offset + s.filesz), m.base + s.vaddr - region.va);
  }
  return m.base + hi + PAGE_SIZE;
}

/** Gives every module a VA for its program headers, copying first file pages where needed. */
function placeHeaderCopies(modules: Module[], cursor: number): { regions: LoadRegion[]; end: number } {
  const regions: LoadRegion[] = [];
  for (const m of modules) {
    const size = m.elf.phnum * 56;
    const inSegment = m.elf.loads.find((s) => m.elf.phoff >= s.offset && m.elf.phoff + size <= s.offset + s.filesz);
    if (inSegment) {
      m.phdrVa = m.base + inSegment.vaddr + (m.elf.phoff - inSegment.offset);
      continue;
    }
    const bytes = new Uint8Array(PAGE_SIZE);
    bytes.set(m.elf.bytes.subarray(0, Math.min(PAGE_SIZE, m.elf.bytes.length)));
    regions.push({ va: cursor, size: PAGE_SIZE, prot: 'r', bytes, kind: 'phdrs', module: m.name });
    m.phdrVa = cursor + m.elf.phoff;
    cursor += 2 * PAGE_SIZE;
  }
  return { regions, end: cursor };
}

// ---------------------------------------------------------------- TLS

/** Packs TLS blocks from TP+16 in load order with no padding, as ldelf and libutee agree. */
function assignTls(modules: Module[]): void {
  let offset = TLS_TCB_HEAD;
  for (const m of modules) {
    if (!m.elf.tls) continue;
    m.tlsOffset = offset;
    offset += m.elf.tls.memsz;
  }
}

function tlsSize(modules: Module[]): number {
  return modules.reduce((n, m) => n + (m.elf.tls?.memsz ?? 0), TLS_TCB_HEAD);
}

// ---------------------------------------------------------------- relocations

const RELOC_NAMES: Record<number, string> = {
  [R_AARCH64_TLSDESC]: 'R_AARCH64_TLSDESC (needs a resolver stub; not supported)',
};

/** Applies every SHT_RELA section of a module (never DT_RELA: pitfall 9.1). */
function relocateModule(m: Module, queue: Module[]): void {
  for (const rs of m.elf.relaSections) {
    for (const rel of rs.entries) applyRela(m, queue, rs, rel);
  }
}

function applyRela(m: Module, queue: Module[], rs: ElfRelaSection, rel: ElfRela): void {
  const sym = rs.symbols[rel.sym]!;
  let value: number;
  switch (rel.type) {
    case R_AARCH64_NONE:
      return;
    case R_AARCH64_ABS64:
      // Quirk kept from ldelf: the addend is dropped for undefined symbols.
      value = sym.shndx === SHN_UNDEF ? resolve(queue, sym, m).value : rel.addend + m.base + sym.value;
      break;
    case R_AARCH64_GLOB_DAT:
    case R_AARCH64_JUMP_SLOT:
      // Eager binding: JUMP_SLOTs get the final address, there is no lazy PLT resolver.
      value = sym.bind === STB_LOCAL ? m.base + sym.value : resolve(queue, sym, m).value;
      break;
    case R_AARCH64_RELATIVE:
      value = m.base + rel.addend;
      break;
    case R_AARCH64_TLS_TPREL:
      value = tprel(m, queue, rel, sym);
      break;
    default:
      badFormat(m.name, `relocation type ${RELOC_NAMES[rel.type] ?? rel.type} in ${rs.section.name} is not supported`);
  }
  write64(m, rel.offset, value, rs.section.name);
}

function tprel(m: Module, queue: Module[], rel: ElfRela, sym: ElfSymbol): number {
  let def = m;
  let value = 0;
  if (rel.sym !== 0 && sym.bind === STB_LOCAL) value = sym.value;
  else if (rel.sym !== 0) ({ value, module: def } = resolve(queue, sym, m));
  if (def.tlsOffset === undefined) badFormat(m.name, `TLS relocation against "${sym.name}" resolves to ${def.name}, which has no PT_TLS`);
  return value + def.tlsOffset + rel.addend;
}

function symbolIndex(m: Module): Map<string, { global?: ElfSymbol; weak?: ElfSymbol }> {
  if (m.symbols) return m.symbols;
  const map = new Map<string, { global?: ElfSymbol; weak?: ElfSymbol }>();
  for (const s of m.elf.dynsym) {
    if (!s.name) continue;
    const e = map.get(s.name) ?? {};
    if (s.bind === STB_GLOBAL && s.shndx !== SHN_UNDEF) e.global ??= s;
    // ldelf's weak pass also matches a weak undefined entry (value 0): kept on purpose.
    if (s.bind === STB_WEAK) e.weak ??= s;
    map.set(s.name, e);
  }
  m.symbols = map;
  return map;
}

/** Resolves a symbol over the load queue: per module GLOBAL then WEAK; weak misses are 0. */
function resolve(queue: Module[], sym: ElfSymbol, from: Module): { value: number; module: Module } {
  for (const m of queue) {
    const e = symbolIndex(m).get(sym.name);
    const hit = e?.global ?? e?.weak;
    if (!hit) continue;
    if (hit.shndx === SHN_UNDEF) return { value: 0, module: m };
    // TLS symbols are offsets into the module's block and SHN_ABS ones are absolute: not relocated.
    const absolute = hit.type === STT_TLS || hit.shndx === SHN_ABS;
    return { value: absolute ? hit.value : m.base + hit.value, module: m };
  }
  if (sym.bind === STB_WEAK) return { value: 0, module: from };
  throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `${from.name}: symbol "${sym.name}" is not defined by any loaded module`);
}

/** Writes a u64 at a module-relative VA that must lie inside one of its writable segments. */
function write64(m: Module, vaddr: number, value: number, where: string): void {
  const ok = m.elf.loads.some((s) => (s.flags & PF_W) && vaddr >= s.vaddr && vaddr + 8 <= s.vaddr + s.memsz);
  if (!ok) badFormat(m.name, `relocation target 0x${vaddr.toString(16)} in ${where} is not inside a writable segment`);
  const va = m.base + vaddr;
  const r = m.regions.find((x) => va >= x.va && va + 8 <= x.va + x.size)!;
  new DataView(r.bytes.buffer, r.bytes.byteOffset).setBigUint64(va - r.va, BigInt.asUintN(64, BigInt(value)), true);
}

// ---------------------------------------------------------------- __elf_phdr_info

/**
 * Fills `__elf_phdr_info` and builds the dl_phdr_info page (ref §1.6). As ldelf resolves it over
 * the whole load queue, the table is found in the first module that defines it: the main TA when
 * libutee is linked into it, a library TA when that library carries libutee (os_test_lib).
 */
function fillPhdrInfo(modules: Module[], cursor: number): { region: LoadRegion; symbolVa: number } | undefined {
  const found = phdrInfoSymbol(modules);
  if (!found) return undefined; // legacy TA: no constructors/TLS through dl_iterate_phdr
  const { owner, sym } = found;
  if (sym.size !== 0 && sym.size < ELF_PHDR_INFO_SIZE) badFormat(owner.name, `__elf_phdr_info is ${sym.size} bytes, expected 16`);
  const size = ceilPage(modules.length * DL_PHDR_INFO_SIZE);
  const region: LoadRegion = { va: cursor, size, prot: 'rw', bytes: new Uint8Array(size), kind: 'phdr-info', module: owner.name };
  const symbolVa = owner.base + sym.value;
  const v = new DataView(region.bytes.buffer);
  modules.forEach((m, i) => {
    const o = i * DL_PHDR_INFO_SIZE;
    v.setBigUint64(o, BigInt(m.base), true);
    v.setBigUint64(o + 8, BigInt(sonameVa(m) ?? symbolVa + 7), true); // else the empty name `zero`
    v.setBigUint64(o + 16, BigInt(m.phdrVa), true);
    v.setUint16(o + 24, m.elf.phnum, true);
    v.setBigUint64(o + 32, 1n, true); // dlpi_adds
    v.setBigUint64(o + 56, BigInt(m.elf.tls?.vaddr ?? 0), true); // dlpi_tls_modid stays 0 on AArch64
  });
  writeStruct(owner, sym.value, modules.length, cursor);
  return { region, symbolVa };
}

/** The defining `__elf_phdr_info` in load order, a GLOBAL definition before a WEAK one. */
function phdrInfoSymbol(modules: Module[]): { owner: Module; sym: ElfSymbol } | undefined {
  let weak: { owner: Module; sym: ElfSymbol } | undefined;
  for (const owner of modules) {
    const e = symbolIndex(owner).get('__elf_phdr_info');
    if (e?.global) return { owner, sym: e.global };
    if (e?.weak && e.weak.shndx !== SHN_UNDEF) weak ??= { owner, sym: e.weak };
  }
  return weak;
}

function writeStruct(owner: Module, vaddr: number, count: number, dlpi: number): void {
  write64(owner, vaddr, count * 2 ** 32, '__elf_phdr_info'); // reserved 0, count u16, reserved2 0, zero 0
  write64(owner, vaddr + 8, dlpi, '__elf_phdr_info');
}

function sonameVa(m: Module): number | undefined {
  const v = m.elf.sonameVaddr;
  if (v === undefined || !m.elf.soname) return undefined;
  return vaddrToOffset(m.elf, v, m.elf.soname.length + 1) === undefined ? undefined : m.base + v;
}
