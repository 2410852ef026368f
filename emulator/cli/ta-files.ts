/**
 * What the `ta` commands share: reading input files, the UUID a TA ELF names, and turning a
 * failure into one sentence and a non-zero exit.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TeeError } from '../abi/errors.js';
import { resultName } from '../abi/results.js';
import { isUuid } from '../abi/uuid.js';
import { findDynamicSymbol, type ElfImage } from '../tee/loader/elf.js';
import { readTaHead } from '../tee/loader/load.js';

/** Runs an action, turning any failure into one sentence and a non-zero exit. */
export function run(cmd: Command, action: () => void): void {
  try {
    action();
  } catch (e) {
    const detail = e instanceof TeeError ? ` (${resultName(e.code)})` : '';
    cmd.error(`error: ${(e as Error).message}${detail}`, { exitCode: 1 });
  }
}

export function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** A TA's UUID is in its ta_head; a library TA has none, and is named by its DT_SONAME. */
export function defaultUuid(elf: ElfImage): string {
  if (findDynamicSymbol(elf, 'ta_head')) return readTaHead(elf).uuid;
  if (elf.soname && isUuid(elf.soname)) return elf.soname;
  throw new Error(`${elf.label} has neither a ta_head nor a UUID DT_SONAME: pass --uuid`);
}

/** Whether `bytes` is an ELF file (a bare TA) rather than a container. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}
