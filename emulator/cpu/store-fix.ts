/**
 * The store fix: a byte patch of Debian's libunicorn 2.0.1 (x86-64) that keeps guest stores to
 * writable RAM off QEMU's slow `notdirty_write` path, without losing Unicorn's permission checks.
 *
 * In 2.0.1, `tlb_set_page_with_attrs_aarch64` marks the TLB entry of every writable RAM page
 * TLB_NOTDIRTY (Unicorn stubs dirty tracking, so every page looks "clean" forever); every store
 * then leaves the generated code for `store_helper`, which costs ~85 ns. `store_helper` is also
 * the only place where Unicorn checks a region's own permissions (`mr->perms & UC_PROT_WRITE`):
 * QEMU's page protection comes from the guest's MMU (all RWX with the MMU off), and only regions
 * made by `uc_mem_map` or changed by `uc_mem_protect` are `readonly` in QEMU's eyes; regions of
 * `uc_mem_map_ptr` never are. A plain NOP of the TLB_NOTDIRTY instruction therefore let guests
 * write into read-only and executable `uc_mem_map_ptr` pages (TA code and rodata).
 *
 * This patch rewrites the 49-byte block that computes the write flags (C, as 2.0.1 has it):
 *
 *     if (prot & PAGE_WRITE) {
 *         if (section->readonly)                     write_address |= TLB_DISCARD_WRITE;
 *         else if (cpu_physical_memory_is_clean())   write_address |= TLB_NOTDIRTY;  // always
 *     }
 *
 * into
 *
 *     if (prot & PAGE_WRITE) {
 *         if (section->readonly)                     write_address |= TLB_DISCARD_WRITE;
 *         else if (!(section->mr->perms & UC_PROT_WRITE)) write_address |= TLB_NOTDIRTY;
 *     }
 *
 * so a page that Unicorn lets the guest write takes the fast path, and any other page keeps
 * the slow path, where `store_helper` raises UC_ERR_WRITE_PROT as the library as installed does.
 * The block is patched only when every one of its bytes is what 2.0.1 has (jump targets
 * included), and the offset of `MemoryRegion.perms` is taken from the library's own store
 * helper (`helper_ret_stb_mmu_aarch64`, which tests `perms & UC_PROT_WRITE` after
 * `memory_mapping`), never assumed.
 */

export const PATCHED_FUNCTION = 'tlb_set_page_with_attrs_aarch64';
export const STORE_HELPER = 'helper_ret_stb_mmu_aarch64';
/** Names the patch in the cache manifest: a new patch makes a new cached copy. */
export const PATCH_ID = 'store-fix-2 (TLB_NOTDIRTY only for pages Unicorn lets the guest write)';

/** `or $0x100, %r8`: TLB_NOTDIRTY (1 << (10 - 2) on ARM targets) added to the write address. */
const SET_NOTDIRTY = [0x49, 0x81, 0xc8, 0x00, 0x01, 0x00, 0x00];

/**
 * The block around SET_NOTDIRTY as 2.0.1 has it; `T` marks the 4 bytes of a rel32 whose target
 * must be the same for all three jumps (the code after the write-flag computation). The block
 * starts 16 bytes before SET_NOTDIRTY and is 49 bytes long (4 of them alignment padding).
 */
const T = -1;
const ORIGINAL_BLOCK: readonly number[] = [
  0xf6, 0x44, 0x24, 0x2c, 0x02, //             testb $0x2,0x2c(%rsp)     prot & PAGE_WRITE
  0x0f, 0x84, T, T, T, T, //                   je    next
  0x48, 0x8b, 0x74, 0x24, 0x10, //             mov   0x10(%rsp),%rsi     section
  ...SET_NOTDIRTY, //                          or    $0x100,%r8          TLB_NOTDIRTY
  0x80, 0x7e, 0x30, 0x00, //                   cmpb  $0x0,0x30(%rsi)     section->readonly
  0x0f, 0x84, T, T, T, T, //                   je    next
  0x4d, 0x89, 0xe0, //                         mov   %r12,%r8
  0x49, 0x83, 0xc8, 0x10, //                   or    $0x10,%r8           TLB_DISCARD_WRITE
  0xe9, T, T, T, T, //                         jmp   next
  0x0f, 0x1f, 0x40, 0x00, //                   nopl  0x0(%rax)           (padding)
];
const BLOCK_BEFORE_NOTDIRTY = 16;
const BLOCK_SIZE = ORIGINAL_BLOCK.length; // 49

/**
 * The replacement: the same length, `%r8` already holds the write address (set just before the
 * block), flags are dead at `next`. P marks MemoryRegion.perms (disp32), N the rel32 to `next`.
 */
function replacementBlock(permsOffset: number, relNext: number): Buffer {
  const b = Buffer.from([
    0xf6, 0x44, 0x24, 0x2c, 0x02, //           +0  testb $0x2,0x2c(%rsp)   prot & PAGE_WRITE
    0x74, 0x25, //                             +5  je    END (+44)
    0x48, 0x8b, 0x74, 0x24, 0x10, //           +7  mov   0x10(%rsp),%rsi   section
    0x80, 0x7e, 0x30, 0x00, //                 +12 cmpb  $0x0,0x30(%rsi)   section->readonly
    0x75, 0x16, //                             +16 jne   RO (+40)
    0x48, 0x8b, 0x7e, 0x10, //                 +18 mov   0x10(%rsi),%rdi   section->mr
    0xf6, 0x87, 0, 0, 0, 0, 0x02, //           +22 testb $0x2,perms(%rdi)  UC_PROT_WRITE
    0x75, 0x0d, //                             +29 jne   END (+44)         writable: fast path
    ...SET_NOTDIRTY, //                        +31 or    $0x100,%r8        else: slow path, checked
    0xeb, 0x04, //                             +38 jmp   END (+44)
    0x49, 0x83, 0xc8, 0x10, //                 +40 RO: or $0x10,%r8        TLB_DISCARD_WRITE
    0xe9, 0, 0, 0, 0, //                       +44 END: jmp next
  ]);
  b.writeInt32LE(permsOffset, 24);
  b.writeInt32LE(relNext, 45);
  return b;
}

/** How far into the store helper its permission test may lie (it is at +0x17c in 2.0.1). */
const STORE_HELPER_WINDOW = 0x800;
const EM_X86_64 = 62;
const SHT_DYNSYM = 11;
const PT_LOAD = 1;

interface Symbol64 { value: bigint; size: bigint }

/** The dynamic symbol `name` of an x86-64 ELF shared object: its file offset and size. */
function findFunction(elf: Buffer, name: string): { offset: number; size: number } | string {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF file';
  if (elf[4] !== 2 || elf[5] !== 1) return 'not a 64-bit little-endian ELF file';
  if (elf.readUInt16LE(18) !== EM_X86_64) return 'not an x86-64 library (the fix is for x86-64 code)';
  const shoff = Number(elf.readBigUInt64LE(40));
  const shentsize = elf.readUInt16LE(58);
  const shnum = elf.readUInt16LE(60);
  if (shoff + shnum * shentsize > elf.length) return 'section table out of the file';
  let symbol: Symbol64 | undefined;
  for (let i = 0; i < shnum && !symbol; i++) {
    const sh = shoff + i * shentsize;
    if (elf.readUInt32LE(sh + 4) !== SHT_DYNSYM) continue;
    const symOff = Number(elf.readBigUInt64LE(sh + 24));
    const symSize = Number(elf.readBigUInt64LE(sh + 32));
    const strSh = shoff + elf.readUInt32LE(sh + 40) * shentsize;
    if (strSh + shentsize > elf.length) return 'section table out of the file';
    const strOff = Number(elf.readBigUInt64LE(strSh + 24));
    const wanted = Buffer.from(`${name}\0`, 'latin1');
    for (let s = symOff; s + 24 <= symOff + symSize && s + 24 <= elf.length; s += 24) {
      const nameOff = strOff + elf.readUInt32LE(s);
      if (nameOff + wanted.length > elf.length || elf[nameOff] !== wanted[0]) continue;
      if (elf.compare(wanted, 0, wanted.length, nameOff, nameOff + wanted.length) !== 0) continue;
      symbol = { value: elf.readBigUInt64LE(s + 8), size: elf.readBigUInt64LE(s + 16) };
      break;
    }
  }
  if (!symbol || symbol.size === 0n) return `symbol ${name} not found`;
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 40 > elf.length) break;
    if (elf.readUInt32LE(ph) !== PT_LOAD) continue;
    const fileOff = elf.readBigUInt64LE(ph + 8);
    const vaddr = elf.readBigUInt64LE(ph + 16);
    const filesz = elf.readBigUInt64LE(ph + 32);
    if (symbol.value >= vaddr && symbol.value + symbol.size <= vaddr + filesz) {
      const offset = Number(fileOff + symbol.value - vaddr);
      if (offset + Number(symbol.size) > elf.length) return `symbol ${name} lies outside the file`;
      return { offset, size: Number(symbol.size) };
    }
  }
  return `symbol ${name} lies outside the loaded segments`;
}

/**
 * The offset of `MemoryRegion.perms`, as the library's store helper reads it: after
 * `memory_mapping()` returns the region in %rax, `test %rax,%rax; je unmapped;
 * testb $UC_PROT_WRITE, perms(%rax)`. Exactly one such sequence must be there.
 */
function permsOffset(library: Buffer): number | string {
  const fn = findFunction(library, STORE_HELPER);
  if (typeof fn === 'string') return fn;
  // The exported helper is a thunk that sets the access size and jumps to the shared store
  // helper; its last instruction is that jump (rel8 or rel32).
  const thunk = library.subarray(fn.offset, fn.offset + fn.size);
  let body: number | undefined;
  if (thunk.length >= 2 && thunk[thunk.length - 2] === 0xeb) body = fn.offset + thunk.length + thunk.readInt8(thunk.length - 1);
  else if (thunk.length >= 5 && thunk[thunk.length - 5] === 0xe9) body = fn.offset + thunk.length + thunk.readInt32LE(thunk.length - 4);
  if (body === undefined || body < 0 || body >= library.length) return `${STORE_HELPER} is not the thunk 2.0.1 has`;
  const window = library.subarray(body, body + STORE_HELPER_WINDOW);
  const found: number[] = [];
  for (let i = 0; i + 16 <= window.length; i++) {
    if (window[i] === 0x48 && window[i + 1] === 0x85 && window[i + 2] === 0xc0 && window[i + 3] === 0x0f && window[i + 4] === 0x84
      && window[i + 9] === 0xf6 && window[i + 10] === 0x80 && window[i + 15] === 0x02) found.push(window.readInt32LE(i + 11));
  }
  if (found.length !== 1) return `expected one write-permission test in the store helper, found ${found.length}`;
  const offset = found[0]!;
  if (offset < 0 || offset > 0x1000 || offset % 4 !== 0) return `the write-permission test in the store helper reads an unexpected field (${offset})`;
  return offset;
}

/** Where the patch goes and what it writes, or why it does not apply. */
export interface StoreFixSite { offset: number; replacement: Buffer }

/** Finds the block to patch in the library's bytes (nothing is changed). */
export function findStoreFixSite(library: Buffer): StoreFixSite | { refused: string } {
  const fn = findFunction(library, PATCHED_FUNCTION);
  if (typeof fn === 'string') return { refused: fn };
  const body = library.subarray(fn.offset, fn.offset + fn.size);
  const needle = Buffer.from(SET_NOTDIRTY);
  const hits: number[] = [];
  for (let at = body.indexOf(needle); at >= 0; at = body.indexOf(needle, at + 1)) hits.push(at);
  if (hits.length !== 1) return { refused: `expected one TLB_NOTDIRTY instruction in ${PATCHED_FUNCTION}, found ${hits.length}` };
  const start = hits[0]! - BLOCK_BEFORE_NOTDIRTY;
  const block = body.subarray(start, start + BLOCK_SIZE);
  const notWhere = { refused: `the TLB_NOTDIRTY instruction in ${PATCHED_FUNCTION} is not where 2.0.1 has it` };
  if (start < 0 || block.length !== BLOCK_SIZE) return notWhere;
  let next: number | undefined;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const want = ORIGINAL_BLOCK[i]!;
    if (want !== T) {
      if (block[i] !== want) return notWhere;
      continue;
    }
    if (ORIGINAL_BLOCK[i - 1] === T) continue; // inside a rel32 already read
    const target = start + i + 4 + block.readInt32LE(i); // relative to the function's start
    if (next === undefined) next = target;
    else if (target !== next) return notWhere;
  }
  if (next === undefined || next < 0 || next >= fn.size) return notWhere;
  const perms = permsOffset(library);
  if (typeof perms === 'string') return { refused: perms };
  const relNext = next - (start + BLOCK_SIZE);
  return { offset: fn.offset + start, replacement: replacementBlock(perms, relNext) };
}

/**
 * Applies the store fix to a copy of the library's bytes. Returns the patched bytes, the file
 * offset and length of the rewritten block, or the reason the fix does not apply.
 */
export function applyStoreFix(library: Buffer): { bytes: Buffer; offset: number; length: number } | { refused: string } {
  const site = findStoreFixSite(library);
  if ('refused' in site) return site;
  const bytes = Buffer.from(library);
  site.replacement.copy(bytes, site.offset);
  return { bytes, offset: site.offset, length: site.replacement.length };
}
