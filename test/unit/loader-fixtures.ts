/** Shared helpers for the loader tests: builds the ELF fixtures once when they are missing. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'elf');
export const BUILD_DIR = join(FIXTURE_DIR, 'build');
export const MAIN_UUID = 'b0b0cafe-1234-4d2e-9a0b-0102030405f6';
export const LIB_UUID = '1b1b1b1b-2222-4333-8444-555566667777';
export const SIMPLE_UUID = '11223344-5566-7788-99aa-bbccddeeff00';

const OUTPUTS = ['ta.elf', 'simple.elf', `${LIB_UUID}.elf`];

/** Runs build.sh unless every output exists. */
export function ensureFixtures(): void {
  if (OUTPUTS.every((f) => existsSync(join(BUILD_DIR, f)))) return;
  execFileSync('bash', [join(FIXTURE_DIR, 'build.sh')], { stdio: 'inherit' });
}

/** A fresh copy of a built fixture (tests mutate their copies). */
export function fixture(name: 'ta' | 'simple' | 'lib'): Uint8Array {
  const file = name === 'lib' ? `${LIB_UUID}.elf` : `${name}.elf`;
  return new Uint8Array(readFileSync(join(BUILD_DIR, file)));
}
