/**
 * dlsym() over the modules of a running TA instance (PTA_SYSTEM_DLSYM), with ldelf's lookup
 * order: the module the handle names first, then every module in load order; in each module a
 * GLOBAL definition before a WEAK one. A WEAK undefined symbol resolves to 0, as in ldelf.
 * Functions, objects and untyped symbols answer their loaded address; TLS symbols their offset
 * in the module's TLS block.
 */
import { TeeError } from '../../abi/errors.js';
import { TEE_ERROR_ITEM_NOT_FOUND, TEE_ERROR_NOT_SUPPORTED } from '../../abi/results.js';
import { SHN_UNDEF, STB_GLOBAL, STB_WEAK, STT_TLS, type ElfImage, type ElfSymbol } from './elf.js';

const STT_NOTYPE = 0;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const SHN_XINDEX = 0xffff;

export interface SymbolModule {
  uuid?: string;
  base: number;
  elf: ElfImage;
}

/**
 * The address of `name`. `from` is the module the handle names (by UUID; ITEM_NOT_FOUND when no
 * loaded module has it) or undefined for dlopen(NULL)'s handle. ITEM_NOT_FOUND when no module
 * defines the symbol.
 */
export function resolveDlsym(modules: readonly SymbolModule[], from: string | undefined, name: string): number {
  let first: SymbolModule | undefined;
  if (from !== undefined) {
    first = modules.find((m) => m.uuid?.toLowerCase() === from.toLowerCase());
    if (!first) throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `dlsym: no module ${from} is loaded`);
  }
  for (const m of first ? [first, ...modules] : modules) {
    const value = lookIn(m, name, false) ?? lookIn(m, name, true);
    if (value !== undefined) return value;
  }
  throw new TeeError(TEE_ERROR_ITEM_NOT_FOUND, `dlsym: no module defines "${name}"`);
}

function lookIn(m: SymbolModule, name: string, weakOk: boolean): number | undefined {
  for (const s of m.elf.dynsym) {
    if (s.name !== name || !(s.bind === STB_GLOBAL || (weakOk && s.bind === STB_WEAK))) continue;
    if (s.bind === STB_WEAK && s.shndx === SHN_UNDEF) return 0;
    if (s.shndx === SHN_UNDEF || s.shndx === SHN_XINDEX) continue;
    return addressOf(m, s);
  }
  return undefined;
}

function addressOf(m: SymbolModule, s: ElfSymbol): number {
  switch (s.type) {
    case STT_NOTYPE:
    case STT_OBJECT:
    case STT_FUNC:
      return m.base + s.value;
    case STT_TLS:
      return s.value;
    default:
      throw new TeeError(TEE_ERROR_NOT_SUPPORTED, `dlsym: "${s.name}" has symbol type ${s.type}`);
  }
}
