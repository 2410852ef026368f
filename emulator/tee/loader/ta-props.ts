/**
 * Reads a U32 entry of a TA's own property table (`ta_props`, which its library answers
 * TEE_GetPropertyAsU32 from), such as gpd.ta.dataSize, out of the verified ELF. Signed TAs are
 * stripped, so no symbol names the table: entries are found through their relocations instead.
 * struct user_ta_property is { const char *name; uint32_t type; const void *value } (24 bytes),
 * and both pointers carry an R_AARCH64_RELATIVE relocation whose addend is the VA pointed to.
 */
import { USER_TA_PROP_TYPE_U32 } from '../properties.js';
import { R_AARCH64_RELATIVE } from './load.js';
import { vaddrToOffset, type ElfImage } from './elf.js';

const PROP_TYPE_OFFSET = 8;
const PROP_VALUE_OFFSET = 16;

/** The value of U32 property `name`, or undefined when the table has no such entry in the file. */
export function readU32Property(elf: ElfImage, name: string): number | undefined {
  const pointers = new Map<number, number>();
  for (const rs of elf.relaSections) {
    for (const r of rs.entries) if (r.type === R_AARCH64_RELATIVE) pointers.set(r.offset, r.addend);
  }
  const wanted = Buffer.from(`${name}\0`, 'utf8');
  for (const [entry, nameVa] of pointers) {
    if (!bytesAt(elf, nameVa, wanted.length)?.equals(wanted)) continue;
    const value = pointers.get(entry + PROP_VALUE_OFFSET);
    if (value === undefined || u32At(elf, entry + PROP_TYPE_OFFSET) !== USER_TA_PROP_TYPE_U32) continue;
    const v = u32At(elf, value);
    if (v !== undefined) return v;
  }
  return undefined;
}

function bytesAt(elf: ElfImage, vaddr: number, size: number): Buffer | undefined {
  const off = vaddrToOffset(elf, vaddr, size);
  return off === undefined ? undefined : Buffer.from(elf.bytes.buffer, elf.bytes.byteOffset + off, size);
}

function u32At(elf: ElfImage, vaddr: number): number | undefined {
  return bytesAt(elf, vaddr, 4)?.readUInt32LE(0);
}
