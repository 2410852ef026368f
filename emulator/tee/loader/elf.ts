/**
 * ELF64 parsing for trusted applications, with the acceptance rules OP-TEE's ldelf applies
 * (reference `optee-abi.md` §1.1). The input is hostile: every offset and size is checked before
 * it is used, and anything malformed becomes a TEE_ERROR_BAD_FORMAT {@link TeeError} whose
 * message names the field at fault. Nothing here maps memory; `load.ts` does that.
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_BAD_FORMAT } from '../../abi/results.js';

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_TLS = 7;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_DYNSYM = 11;
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STT_TLS = 6;
export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_STRTAB = 5;
export const DT_SONAME = 14;
export const DT_INIT_ARRAY = 25;
export const DT_FINI_ARRAY = 26;
export const DT_INIT_ARRAYSZ = 27;
export const DT_FINI_ARRAYSZ = 28;

const ET_DYN = 3;
const EM_AARCH64 = 183;
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const RELA_SIZE = 24;
const DYN_SIZE = 16;
/** ldelf maps only the first page of the file to read the program headers. */
const FIRST_PAGE = 4096;
const MIN_ALIGN = 4096;

/** One program header (numbers; values beyond 2^53 are refused as malformed). */
export interface ElfSegment {
  index: number;
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

/** One section header, with its name resolved through .shstrtab. */
export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

/** One symbol-table entry. */
export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  bind: number;
  type: number;
  shndx: number;
}

/** One Elf64_Rela entry; the addend is signed. */
export interface ElfRela {
  offset: number;
  type: number;
  sym: number;
  addend: number;
}

/** A SHT_RELA section with its entries and the symbol table its `sh_link` names. */
export interface ElfRelaSection {
  section: ElfSection;
  entries: ElfRela[];
  symbols: ElfSymbol[];
}

/** A parsed, accepted TA or library ELF. */
export interface ElfImage {
  bytes: Uint8Array;
  /** Name used in error messages (file or UUID). */
  label: string;
  entry: number;
  phoff: number;
  phnum: number;
  segments: ElfSegment[];
  /** The PT_LOAD headers, in file order (checked ascending). */
  loads: ElfSegment[];
  sections: ElfSection[];
  dynsym: ElfSymbol[];
  relaSections: ElfRelaSection[];
  needed: string[];
  soname?: string;
  /** Unrelocated VA of the DT_SONAME string (for dlpi_name), when it has one. */
  sonameVaddr?: number;
  tls?: ElfSegment;
  initArray?: { vaddr: number; size: number };
  finiArray?: { vaddr: number; size: number };
}

/** Throws the loader's format error. */
export function badFormat(label: string, what: string): never {
  throw new TeeError(TEE_ERROR_BAD_FORMAT, `${label}: ${what}`);
}

/** Bounds-checked little-endian reads over a byte array; out of range is a BAD_FORMAT error. */
export class ByteReader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly label: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Refuses [offset, offset+size) unless it lies inside the data. */
  check(offset: number, size: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0
      || offset + size > this.bytes.length) {
      badFormat(this.label, `${what} (offset ${offset}, ${size} bytes) lies outside the ${this.bytes.length}-byte file`);
    }
  }
  u8(offset: number, what: string): number {
    this.check(offset, 1, what);
    return this.view.getUint8(offset);
  }
  u16(offset: number, what: string): number {
    this.check(offset, 2, what);
    return this.view.getUint16(offset, true);
  }
  u32(offset: number, what: string): number {
    this.check(offset, 4, what);
    return this.view.getUint32(offset, true);
  }
  /** A u64 that must fit a JS number (addresses and sizes of a TA always do). */
  u64(offset: number, what: string): number {
    this.check(offset, 8, what);
    const v = this.view.getBigUint64(offset, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) badFormat(this.label, `${what} 0x${v.toString(16)} is too large`);
    return Number(v);
  }
  /** A signed 64-bit value that must fit a JS number. */
  i64(offset: number, what: string): number {
    this.check(offset, 8, what);
    const v = this.view.getBigInt64(offset, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      badFormat(this.label, `${what} ${v} is out of range`);
    }
    return Number(v);
  }
  bigU64(offset: number, what: string): bigint {
    this.check(offset, 8, what);
    return this.view.getBigUint64(offset, true);
  }
  /** A NUL-terminated string starting at `offset` and ending before `limit`. */
  cstr(offset: number, limit: number, what: string): string {
    const end = Math.min(limit, this.bytes.length);
    if (offset < 0 || offset >= end) badFormat(this.label, `${what} starts outside its string table`);
    const nul = this.bytes.subarray(offset, end).indexOf(0);
    if (nul < 0) badFormat(this.label, `${what} is not NUL-terminated inside its string table`);
    return Buffer.from(this.bytes.subarray(offset, offset + nul)).toString('latin1');
  }
}

/** Parses and checks a TA/library ELF the way ldelf would accept it. */
export function parseElf(bytes: Uint8Array, label = 'ELF'): ElfImage {
  const r = new ByteReader(bytes, label);
  checkIdent(r);
  const phoff = r.u64(32, 'e_phoff');
  const phnum = r.u16(56, 'e_phnum');
  const segments = readSegments(r, phoff, phnum);
  const loads = segments.filter((s) => s.type === PT_LOAD);
  checkLoads(r, loads);
  const sections = readSections(r);
  const dynsymSection = sections.find((s) => s.type === SHT_DYNSYM);
  if (!dynsymSection) badFormat(label, 'has no .dynsym section (section headers are required for a TA)');
  const dynsym = readSymbols(r, sections, dynsymSection);
  const relaSections = sections.filter((s) => s.type === SHT_RELA).map((s) => readRelaSection(r, sections, s));
  const image: ElfImage = {
    bytes, label, entry: r.u64(24, 'e_entry'), phoff, phnum, segments, loads, sections, dynsym,
    relaSections, needed: [], tls: segments.find((s) => s.type === PT_TLS),
  };
  readDynamic(r, image, sections[dynsymSection.link]);
  return image;
}

function checkIdent(r: ByteReader): void {
  r.check(0, EHDR_SIZE, 'ELF header');
  const b = r.bytes;
  if (b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) badFormat(r.label, 'bad ELF magic');
  expect(r, b[4], 2, 'EI_CLASS is not ELFCLASS64');
  expect(r, b[5], 1, 'EI_DATA is not little-endian (ELFDATA2LSB)');
  expect(r, b[7], 0, 'EI_OSABI is not ELFOSABI_NONE');
  expect(r, r.u16(16, 'e_type'), ET_DYN, 'e_type is not ET_DYN (TAs are linked -pie)');
  expect(r, r.u16(18, 'e_machine'), EM_AARCH64, 'e_machine is not EM_AARCH64');
  expect(r, r.u32(48, 'e_flags'), 0, 'e_flags is not 0');
  expect(r, r.u16(54, 'e_phentsize'), PHDR_SIZE, 'e_phentsize is not 56');
  expect(r, r.u16(58, 'e_shentsize'), SHDR_SIZE, 'e_shentsize is not 64');
}

function expect(r: ByteReader, actual: number | undefined, wanted: number, what: string): void {
  if (actual !== wanted) badFormat(r.label, `${what} (found ${actual})`);
}

function readSegments(r: ByteReader, phoff: number, phnum: number): ElfSegment[] {
  // ldelf reads the program headers from the first page only.
  if (phoff + phnum * PHDR_SIZE > FIRST_PAGE) {
    badFormat(r.label, `program headers end at ${phoff + phnum * PHDR_SIZE}, beyond the first 4 KiB of the file`);
  }
  const out: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * PHDR_SIZE;
    const what = `program header ${i}`;
    out.push({
      index: i, type: r.u32(o, what), flags: r.u32(o + 4, what), offset: r.u64(o + 8, what),
      vaddr: r.u64(o + 16, what), filesz: r.u64(o + 32, what), memsz: r.u64(o + 40, what),
      align: r.u64(o + 48, what),
    });
  }
  return out;
}

function checkLoads(r: ByteReader, loads: ElfSegment[]): void {
  if (loads.length === 0) badFormat(r.label, 'has no PT_LOAD segment');
  let prevEnd = 0;
  for (const s of loads) {
    const what = `PT_LOAD segment (program header ${s.index})`;
    if (s.align < MIN_ALIGN || s.align !== loads[0]!.align) badFormat(r.label, `${what} has alignment ${s.align}; all must be the same and at least 4096`);
    if ((s.offset & 0xfff) !== (s.vaddr & 0xfff)) badFormat(r.label, `${what} has p_offset and p_vaddr in different page positions`);
    if (s.vaddr < prevEnd) badFormat(r.label, `${what} is not above the previous segment`);
    if (!(s.flags & PF_R)) badFormat(r.label, `${what} is not readable`);
    if (!(s.flags & PF_W) && s.filesz !== s.memsz) badFormat(r.label, `${what} is read-only but p_filesz differs from p_memsz`);
    if (s.filesz > s.memsz) badFormat(r.label, `${what} has p_filesz larger than p_memsz`);
    if ((s.flags & PF_W) && (s.flags & PF_X)) badFormat(r.label, `${what} is both writable and executable`);
    if (s.vaddr + s.memsz > 2 ** 40) badFormat(r.label, `${what} ends beyond the 1 TiB a TA image may span`);
    r.check(s.offset, s.filesz, `${what} file contents`);
    prevEnd = s.vaddr + s.memsz;
  }
}

function readSections(r: ByteReader): ElfSection[] {
  const shoff = r.u64(40, 'e_shoff');
  const shnum = r.u16(60, 'e_shnum');
  const shstrndx = r.u16(62, 'e_shstrndx');
  if (shoff === 0 || shnum === 0) badFormat(r.label, 'has no section headers (they are required for a TA)');
  r.check(shoff, shnum * SHDR_SIZE, 'section header table');
  const raw: ElfSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * SHDR_SIZE;
    const what = `section header ${i}`;
    raw.push({
      index: i, name: '', type: r.u32(o + 4, what), flags: r.u64(o + 8, what), addr: r.u64(o + 16, what),
      offset: r.u64(o + 24, what), size: r.u64(o + 32, what), link: r.u32(o + 40, what),
      info: r.u32(o + 44, what), entsize: r.u64(o + 56, what),
    });
  }
  const strtab = raw[shstrndx];
  if (!strtab || strtab.type !== SHT_STRTAB) badFormat(r.label, 'e_shstrndx does not name a string table');
  r.check(strtab.offset, strtab.size, 'section name table');
  for (let i = 0; i < shnum; i++) {
    const nameOff = r.u32(shoff + i * SHDR_SIZE, `section header ${i}`);
    raw[i]!.name = r.cstr(strtab.offset + nameOff, strtab.offset + strtab.size, `name of section ${i}`);
  }
  return raw;
}

/** Section contents, checked to be inside the file (NOBITS sections have none). */
function sectionBody(r: ByteReader, s: ElfSection, entsize: number): number {
  if (s.entsize !== entsize) badFormat(r.label, `section ${s.name || s.index} has entry size ${s.entsize}, expected ${entsize}`);
  if (s.size % entsize !== 0) badFormat(r.label, `section ${s.name || s.index} size is not a multiple of ${entsize}`);
  r.check(s.offset, s.size, `section ${s.name || s.index}`);
  return s.size / entsize;
}

/** Reads a SHT_SYMTAB or SHT_DYNSYM section with names from its linked string table. */
export function readSymbols(r: ByteReader, sections: ElfSection[], symtab: ElfSection): ElfSymbol[] {
  const count = sectionBody(r, symtab, SYM_SIZE);
  const strtab = sections[symtab.link];
  if (!strtab || strtab.type !== SHT_STRTAB) badFormat(r.label, `symbol table ${symtab.name} does not link to a string table`);
  r.check(strtab.offset, strtab.size, `string table ${strtab.name}`);
  const out: ElfSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const o = symtab.offset + i * SYM_SIZE;
    const what = `symbol ${i} of ${symtab.name}`;
    const info = r.u8(o + 4, what);
    out.push({
      name: r.cstr(strtab.offset + r.u32(o, what), strtab.offset + strtab.size, `name of ${what}`),
      value: r.u64(o + 8, what), size: r.u64(o + 16, what), bind: info >> 4, type: info & 0xf,
      shndx: r.u16(o + 6, what),
    });
  }
  return out;
}

function readRelaSection(r: ByteReader, sections: ElfSection[], s: ElfSection): ElfRelaSection {
  const count = sectionBody(r, s, RELA_SIZE);
  const symSection = sections[s.link];
  if (!symSection || (symSection.type !== SHT_DYNSYM && symSection.type !== SHT_SYMTAB)) {
    badFormat(r.label, `relocation section ${s.name} does not link to a symbol table`);
  }
  const symbols = readSymbols(r, sections, symSection);
  const entries: ElfRela[] = [];
  for (let i = 0; i < count; i++) {
    const o = s.offset + i * RELA_SIZE;
    const what = `relocation ${i} of ${s.name}`;
    const sym = r.u32(o + 12, what);
    if (sym >= symbols.length) badFormat(r.label, `${what} names symbol ${sym}, beyond the symbol table`);
    entries.push({ offset: r.u64(o, what), type: r.u32(o + 8, what), sym, addend: r.i64(o + 16, what) });
  }
  return { section: s, entries, symbols };
}

/** Translates an unrelocated VA to a file offset through the PT_LOAD file contents. */
export function vaddrToOffset(elf: ElfImage, vaddr: number, size: number): number | undefined {
  for (const s of elf.loads) {
    if (vaddr >= s.vaddr && vaddr + size <= s.vaddr + s.filesz) return s.offset + (vaddr - s.vaddr);
  }
  return undefined;
}

function readDynamic(r: ByteReader, image: ElfImage, dynstr: ElfSection | undefined): void {
  const dyn = image.segments.find((s) => s.type === PT_DYNAMIC);
  if (!dyn) return;
  r.check(dyn.offset, dyn.filesz, 'PT_DYNAMIC contents');
  const tags = new Map<number, number>();
  const needed: number[] = [];
  let soname: number | undefined;
  for (let o = dyn.offset; o + DYN_SIZE <= dyn.offset + dyn.filesz; o += DYN_SIZE) {
    const tag = r.u64(o, 'dynamic tag');
    if (tag === DT_NULL) break;
    // d_val of unrelated tags can be anything; read ours only.
    if (tag === DT_NEEDED) needed.push(r.u64(o + 8, 'DT_NEEDED'));
    else if (tag === DT_SONAME) soname = r.u64(o + 8, 'DT_SONAME');
    else if ([DT_STRTAB, DT_INIT_ARRAY, DT_FINI_ARRAY, DT_INIT_ARRAYSZ, DT_FINI_ARRAYSZ].includes(tag)) {
      tags.set(tag, r.u64(o + 8, `dynamic tag ${tag}`));
    }
  }
  if (needed.length > 0 || soname !== undefined) {
    if (!dynstr || dynstr.type !== SHT_STRTAB) badFormat(r.label, 'has DT_NEEDED/DT_SONAME but no dynamic string table');
    r.check(dynstr.offset, dynstr.size, 'dynamic string table');
    const str = (off: number, what: string) => r.cstr(dynstr.offset + off, dynstr.offset + dynstr.size, what);
    image.needed = needed.map((off) => str(off, 'DT_NEEDED name'));
    if (soname !== undefined) {
      image.soname = str(soname, 'DT_SONAME');
      const strtab = tags.get(DT_STRTAB);
      if (strtab !== undefined) image.sonameVaddr = strtab + soname;
    }
  }
  const array = (addr: number, size: number) => {
    const vaddr = tags.get(addr);
    return vaddr === undefined ? undefined : { vaddr, size: tags.get(size) ?? 0 };
  };
  image.initArray = array(DT_INIT_ARRAY, DT_INIT_ARRAYSZ);
  image.finiArray = array(DT_FINI_ARRAY, DT_FINI_ARRAYSZ);
}

/** Finds a defined dynamic symbol by name (`ta_head`, `__elf_phdr_info`). */
export function findDynamicSymbol(elf: ElfImage, name: string): ElfSymbol | undefined {
  return elf.dynsym.find((s) => s.name === name && s.shndx !== SHN_UNDEF);
}

/** Reads `.symtab` when present (it is absent from stripped TAs); used for best-effort inspection. */
export function readStaticSymbols(elf: ElfImage): ElfSymbol[] {
  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB);
  if (!symtab) return [];
  return readSymbols(new ByteReader(elf.bytes, elf.label), elf.sections, symtab);
}
