/**
 * Every syscall family of the TEE core. Each family is a map from TEE_SCN number to its entry;
 * `buildTable` turns them into the ordered dispatch table (gaps become not-supported entries).
 * Add a family here, one line, when it is written.
 */
import { cryptoSyscalls } from '../crypto/syscalls.js';
import { basicSyscalls } from './basic.js';
import { propertySyscalls } from './properties.js';
import { storageSyscalls } from '../storage/syscalls.js';
import type { SyscallEntry } from './table.js';
import { ta2taSyscalls } from './ta2ta.js';

export const SYSCALL_FAMILIES: readonly ReadonlyMap<number, SyscallEntry>[] = [
  basicSyscalls,
  propertySyscalls,
  ta2taSyscalls,
  cryptoSyscalls,
  storageSyscalls,
];
