import { beforeAll, describe, expect, it } from 'vitest';
import { TeeError } from '../../emulator/abi/errors.js';
import { TEE_ERROR_BAD_FORMAT } from '../../emulator/abi/results.js';
import { findDynamicSymbol, parseElf, readStaticSymbols, type ElfImage } from '../../emulator/tee/loader/elf.js';
import {
  loadTa, R_AARCH64_GLOB_DAT, R_AARCH64_JUMP_SLOT, R_AARCH64_TLS_TPREL, type LoadedImage,
} from '../../emulator/tee/loader/load.js';
import { ensureFixtures, fixture, LIB_UUID, MAIN_UUID, SIMPLE_UUID } from './loader-fixtures.js';

const BASE = 0x40_0000;

function load(elf = fixture('ta')): LoadedImage {
  return loadTa({
    elf, base: BASE, label: 'ta.elf',
    fetchLibrary: (uuid) => {
      if (uuid !== LIB_UUID) throw new TeeError(0xffff0008, `no ${uuid}`);
      return fixture('lib');
    },
  });
}

function read64(img: LoadedImage, va: number): number {
  const r = img.regions.find((x) => va >= x.va && va + 8 <= x.va + x.size);
  if (!r) throw new Error(`0x${va.toString(16)} is not in the plan`);
  return Number(new DataView(r.bytes.buffer, r.bytes.byteOffset).getBigUint64(va - r.va, true));
}

function staticSym(elf: ElfImage, name: string): number {
  const s = readStaticSymbols(elf).find((x) => x.name === name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
}

/** Module-relative offset of the relocation of `type` (against `sym`) in a module. */
function relocAt(elf: ElfImage, type: number, sym: string): number {
  for (const rs of elf.relaSections) {
    for (const r of rs.entries) if (r.type === type && rs.symbols[r.sym]!.name === sym) return r.offset;
  }
  throw new Error(`no relocation ${type} against ${sym}`);
}

describe('loadTa with a library TA', () => {
  let img: LoadedImage;
  let main: ElfImage;
  let lib: ElfImage;
  let libBase: number;
  beforeAll(() => {
    ensureFixtures();
    img = load();
    main = parseElf(fixture('ta'));
    lib = parseElf(fixture('lib'));
    libBase = img.modules[1]!.base;
  });

  it('decodes ta_head, entry and the module queue', () => {
    expect(img.taHead).toEqual({ uuid: MAIN_UUID, stackSize: 4096 + 2048, flags: 0xc, legacyEntry: false });
    expect(img.entry).toBe(BASE + main.entry);
    expect(img.modules.map((m) => m.uuid)).toEqual([MAIN_UUID, LIB_UUID]);
    expect(libBase % 4096).toBe(0);
    expect(libBase).toBeGreaterThan(BASE + 0x2000); // a guard page after the main TA
  });

  it('produces page-aligned, non-overlapping regions', () => {
    const sorted = [...img.regions].sort((a, b) => a.va - b.va);
    sorted.forEach((r, i) => {
      expect(r.va % 4096).toBe(0);
      expect(r.size % 4096).toBe(0);
      expect(r.bytes.length).toBe(r.size);
      if (i > 0) expect(r.va).toBeGreaterThanOrEqual(sorted[i - 1]!.va + sorted[i - 1]!.size);
    });
    expect(img.end).toBeGreaterThan(sorted[sorted.length - 1]!.va);
  });

  it('applies R_AARCH64_RELATIVE in both modules', () => {
    expect(read64(img, BASE + staticSym(main, 'ptr_local'))).toBe(BASE + staticSym(main, 'local_data'));
    expect(read64(img, libBase + staticSym(lib, 'lib_ptr_local'))).toBe(libBase + staticSym(lib, 'lib_local'));
  });

  it('applies R_AARCH64_ABS64 against a library symbol and a weak undefined one', () => {
    expect(read64(img, BASE + staticSym(main, 'ptr_lib'))).toBe(libBase + findDynamicSymbol(lib, 'lib_value')!.value);
    expect(read64(img, BASE + staticSym(main, 'ptr_weak'))).toBe(0);
  });

  it('applies R_AARCH64_GLOB_DAT and R_AARCH64_JUMP_SLOT eagerly', () => {
    const value = libBase + findDynamicSymbol(lib, 'lib_value')!.value;
    expect(read64(img, BASE + relocAt(main, R_AARCH64_GLOB_DAT, 'lib_value'))).toBe(value);
    expect(read64(img, libBase + relocAt(lib, R_AARCH64_GLOB_DAT, 'lib_value'))).toBe(value);
    expect(read64(img, BASE + relocAt(main, R_AARCH64_JUMP_SLOT, 'lib_add'))).toBe(libBase + findDynamicSymbol(lib, 'lib_add')!.value);
  });

  it('applies R_AARCH64_TLS_TPREL64 with blocks packed from TP+16 in load order', () => {
    expect(img.modules[0]!.tlsOffset).toBe(16);
    expect(img.modules[1]!.tlsOffset).toBe(16 + main.tls!.memsz);
    const expected = img.modules[1]!.tlsOffset! + findDynamicSymbol(lib, 'lib_tls')!.value;
    expect(read64(img, BASE + relocAt(main, R_AARCH64_TLS_TPREL, 'lib_tls'))).toBe(expected);
    expect(read64(img, libBase + relocAt(lib, R_AARCH64_TLS_TPREL, 'lib_tls'))).toBe(expected);
    expect(img.tls.size).toBe(16 + main.tls!.memsz + lib.tls!.memsz);
  });

  it('fills __elf_phdr_info and one dl_phdr_info per module', () => {
    const info = BASE + findDynamicSymbol(main, '__elf_phdr_info')!.value;
    expect(img.elfPhdrInfo).toBe(info);
    const head = read64(img, info);
    expect(head).toBe(2 * 2 ** 32); // reserved 0, count 2, reserved2 0, zero 0
    const dlpi = read64(img, info + 8);
    expect(img.regions.find((r) => r.va === dlpi)!.kind).toBe('phdr-info');
    expect(read64(img, dlpi)).toBe(BASE);
    expect(read64(img, dlpi + 8)).toBe(info + 7); // main TA has no DT_SONAME
    const phdr = read64(img, dlpi + 16);
    expect(img.regions.find((r) => phdr >= r.va && phdr < r.va + r.size)!.kind).toBe('phdrs');
    expect(read64(img, phdr) & 0xffffffff).toBe(1); // first phdr is PT_LOAD
    expect(read64(img, dlpi + 24) & 0xffff).toBe(main.phnum);
    expect(read64(img, dlpi + 32)).toBe(1);
    expect(read64(img, dlpi + 48)).toBe(0);
    expect(read64(img, dlpi + 56)).toBe(main.tls!.vaddr);
    expect(read64(img, dlpi + 64)).toBe(libBase);
    expect(read64(img, dlpi + 80)).toBe(libBase + lib.phoff); // library header lies in its first segment
    const name = read64(img, dlpi + 72);
    const r = img.regions.find((x) => name >= x.va && name < x.va + x.size)!;
    expect(Buffer.from(r.bytes.subarray(name - r.va, name - r.va + LIB_UUID.length)).toString()).toBe(LIB_UUID);
  });

  it('loads a TA without dependencies', () => {
    const simple = loadTa({ elf: fixture('simple'), base: BASE, fetchLibrary: () => { throw new Error('none'); } });
    expect(simple.taHead.uuid).toBe(SIMPLE_UUID);
    expect(simple.modules).toHaveLength(1);
  });

  it('reports a missing library through the fetcher error', () => {
    expect(() => loadTa({ elf: fixture('ta'), base: BASE, fetchLibrary: (u) => { throw new TeeError(0xffff0008, `no ${u}`); } }))
      .toThrow(/no 1b1b1b1b/);
  });
});

describe('loadTa refusals', () => {
  beforeAll(ensureFixtures);

  function expectBadFormat(elf: Uint8Array, message: RegExp): void {
    try {
      loadTa({ elf, base: BASE, fetchLibrary: () => fixture('lib') });
    } catch (e) {
      expect(e).toBeInstanceOf(TeeError);
      expect((e as TeeError).code).toBe(TEE_ERROR_BAD_FORMAT);
      expect((e as TeeError).message).toMatch(message);
      return;
    }
    throw new Error('expected a BAD_FORMAT error');
  }

  it('refuses unknown ta_head flags', () => {
    const elf = fixture('simple');
    const off = parseElf(elf).loads[0]!.offset + findDynamicSymbol(parseElf(elf), 'ta_head')!.value;
    new DataView(elf.buffer).setUint32(off + 20, 0x4004, true);
    expectBadFormat(elf, /TA_FLAGS_MASK/);
  });

  it('refuses an unknown relocation type, naming it', () => {
    const elf = fixture('simple');
    const rs = parseElf(elf).relaSections[0]!;
    new DataView(elf.buffer).setUint32(rs.section.offset + 8, 1031, true);
    expectBadFormat(elf, /R_AARCH64_TLSDESC/);
    new DataView(elf.buffer).setUint32(rs.section.offset + 8, 4242, true);
    expectBadFormat(elf, /relocation type 4242/);
  });

  it('refuses a relocation outside a writable segment', () => {
    const elf = fixture('simple');
    const rs = parseElf(elf).relaSections[0]!;
    new DataView(elf.buffer).setBigUint64(rs.section.offset, 0n, true);
    expectBadFormat(elf, /not inside a writable segment/);
  });
});

describe('loadTa on corrupted input', () => {
  beforeAll(ensureFixtures);

  it('fails only with TeeError, whatever bytes are changed', () => {
    let seed = 99;
    const rnd = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
    const goodMain = fixture('ta');
    const goodLib = fixture('lib');
    let failures = 0;
    for (let i = 0; i < 400; i++) {
      const elf = goodMain.slice();
      const lib = goodLib.slice();
      const target = i % 2 ? elf : lib;
      for (let k = 0; k < 3; k++) target[rnd(target.length)] = rnd(256);
      try {
        loadTa({ elf, base: BASE, fetchLibrary: () => lib });
      } catch (e) {
        if (!(e instanceof TeeError)) throw e;
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
  });
});
