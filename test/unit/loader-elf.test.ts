import { beforeAll, describe, expect, it } from 'vitest';
import { TeeError } from '../../emulator/abi/errors.js';
import { TEE_ERROR_BAD_FORMAT } from '../../emulator/abi/results.js';
import { parseElf, PT_LOAD } from '../../emulator/tee/loader/elf.js';
import { ensureFixtures, fixture, LIB_UUID } from './loader-fixtures.js';

function expectBadFormat(bytes: Uint8Array, message: RegExp): void {
  try {
    parseElf(bytes, 'bad.elf');
  } catch (e) {
    expect(e).toBeInstanceOf(TeeError);
    expect((e as TeeError).code).toBe(TEE_ERROR_BAD_FORMAT);
    expect((e as TeeError).message).toMatch(message);
    return;
  }
  throw new Error('expected a BAD_FORMAT error');
}

function mutate(edit: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = fixture('simple');
  edit(new DataView(b.buffer), b);
  return b;
}

describe('parseElf', () => {
  beforeAll(ensureFixtures);

  it('reads segments, sections, DT_NEEDED and PT_TLS of the main fixture', () => {
    const elf = parseElf(fixture('ta'));
    expect(elf.needed).toEqual([LIB_UUID]);
    expect(elf.loads.map((s) => s.flags)).toEqual([5, 6]);
    expect(elf.loads[0]!.offset).toBe(0x1000); // header outside every PT_LOAD, like a dev-kit TA
    expect(elf.tls?.memsz).toBe(8);
    expect(elf.relaSections.map((r) => r.section.name).sort()).toEqual(['.rela.dyn', '.rela.got', '.rela.plt']);
    expect(elf.dynsym.map((s) => s.name)).toContain('ta_head');
  });

  it('reads DT_SONAME of the library', () => {
    const lib = parseElf(fixture('lib'));
    expect(lib.soname).toBe(LIB_UUID);
    expect(lib.loads[0]!.offset).toBe(0);
  });

  it.each([
    ['EI_CLASS', (v: DataView) => v.setUint8(4, 1), /EI_CLASS/],
    ['EI_DATA', (v: DataView) => v.setUint8(5, 2), /EI_DATA/],
    ['EI_OSABI', (v: DataView) => v.setUint8(7, 3), /EI_OSABI/],
    ['magic', (v: DataView) => v.setUint8(1, 0), /magic/],
    ['e_type', (v: DataView) => v.setUint16(16, 2, true), /ET_DYN/],
    ['e_machine', (v: DataView) => v.setUint16(18, 62, true), /EM_AARCH64/],
    ['e_flags', (v: DataView) => v.setUint32(48, 1, true), /e_flags/],
    ['e_phentsize', (v: DataView) => v.setUint16(54, 32, true), /e_phentsize/],
    ['e_shentsize', (v: DataView) => v.setUint16(58, 40, true), /e_shentsize/],
    ['phdrs beyond 4 KiB', (v: DataView) => v.setBigUint64(32, 4050n, true), /first 4 KiB/],
    ['section table outside the file', (v: DataView) => v.setBigUint64(40, 0xffffffn, true), /section header table/],
    ['a huge e_shoff', (v: DataView) => v.setBigUint64(40, 0xffffffffffffff00n, true), /too large/],
  ])('refuses a bad %s', (_name, edit, message) => {
    expectBadFormat(mutate(edit), message);
  });

  it('refuses PT_LOAD rule violations', () => {
    const at = (v: DataView) => Number(v.getBigUint64(32, true)); // phoff; phdr 0 is the RX PT_LOAD
    expectBadFormat(mutate((v) => v.setUint32(at(v) + 4, 1, true)), /not readable/);
    expectBadFormat(mutate((v) => v.setBigUint64(at(v) + 48, 16n, true)), /alignment/);
    expectBadFormat(mutate((v) => v.setBigUint64(at(v) + 16, 0x10n, true)), /page positions/);
    expectBadFormat(mutate((v) => v.setBigUint64(at(v) + 40, 0x999999n, true)), /p_filesz differs/);
    expectBadFormat(mutate((v) => v.setUint32(at(v) + 4, 7, true)), /writable and executable/);
    expectBadFormat(mutate((v) => v.setBigUint64(at(v) + 16 + 56, 0n, true)), /not above/);
  });

  it('refuses truncated files at every length without throwing anything else', () => {
    const good = fixture('simple');
    expect(parseElf(good).loads[0]!.type).toBe(PT_LOAD);
    for (const len of [0, 3, 16, 63, 64, 200, 4096, 4200, good.length - 1]) {
      expect(() => parseElf(good.subarray(0, len))).toThrow(TeeError);
    }
  });

  it('never throws anything but TeeError on random corruption', () => {
    const good = fixture('ta');
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const b = good.slice();
      for (let k = 0; k < 4; k++) b[Math.floor(rnd() * 4096 * 4) % b.length] = Math.floor(rnd() * 256);
      try {
        parseElf(b);
      } catch (e) {
        expect(e).toBeInstanceOf(TeeError);
      }
    }
  });
});
