/**
 * The engine library: the store fix applied to Debian's libunicorn 2.0.1 (library.ts), its
 * refusals, its cache, and both libraries running a TA through the CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyStoreFix, findSystemLibrary, storeFixedCopy } from '../../emulator/cpu/library.js';
import { HELLO_WORLD } from '../helpers/device.js';

const system = findSystemLibrary();
const original = system ? readFileSync(system) : Buffer.alloc(0);
const NOP7 = [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00];
const temps: string[] = [];
const temp = () => { const d = mkdtempSync(join(tmpdir(), 'trustbox-lib-')); temps.push(d); return d; };
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

describe('the store fix', () => {
  it('changes exactly one 7-byte instruction of the installed library into a NOP', () => {
    expect(system).toBeDefined();
    const fixed = applyStoreFix(original);
    if ('refused' in fixed) throw new Error(fixed.refused);
    expect(fixed.bytes.length).toBe(original.length);
    const changed: number[] = [];
    for (let i = 0; i < original.length; i++) if (original[i] !== fixed.bytes[i]) changed.push(i);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((i) => i >= fixed.offset && i < fixed.offset + 7)).toBe(true);
    expect([...original.subarray(fixed.offset, fixed.offset + 7)]).toEqual([0x49, 0x81, 0xc8, 0x00, 0x01, 0x00, 0x00]);
    expect([...fixed.bytes.subarray(fixed.offset, fixed.offset + 7)]).toEqual(NOP7);
  });

  it('refuses a library it has already fixed, or one with the instruction twice', () => {
    const fixed = applyStoreFix(original);
    if ('refused' in fixed) throw new Error(fixed.refused);
    expect(applyStoreFix(fixed.bytes)).toEqual({ refused: expect.stringContaining('found 0') });
    const twice = Buffer.from(original);
    original.copy(twice, fixed.offset + 24, fixed.offset, fixed.offset + 7);
    expect(applyStoreFix(twice)).toEqual({ refused: expect.stringContaining('found 2') });
  });

  it('refuses files that are not an x86-64 ELF library, naming the reason', () => {
    expect(applyStoreFix(Buffer.from('not a library at all, just text that is long enough to be read as a header'))).toEqual({ refused: 'not an ELF file' });
    const aarch64 = readFileSync(join(process.cwd(), 'firmware/normal/build/normal.elf'));
    expect(applyStoreFix(aarch64)).toEqual({ refused: expect.stringContaining('not an x86-64 library') });
  });

  it('makes the patched copy once, in the cache directory, and reuses it', () => {
    const cache = temp();
    const env = { TRUSTBOX_CACHE_DIR: cache };
    const first = storeFixedCopy(system!, env);
    if ('refused' in first) throw new Error(first.refused);
    expect(first.path.startsWith(join(cache, 'unicorn'))).toBe(true);
    const made = statSync(first.path).mtimeMs;
    expect(storeFixedCopy(system!, env)).toEqual(first);
    expect(statSync(first.path).mtimeMs).toBe(made);
    expect(statSync(first.path).size).toBe(original.length);
  });
});

describe('both libraries run TAs', () => {
  const BIN = join(process.cwd(), 'bin', 'trustbox.js');
  // One cache for these runs: each fixed copy is a 19 MB file.
  let cache: string | undefined;
  const run = (args: string[], extra: Record<string, string>) => spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, FORCE_COLOR: '0', TRUSTBOX_CACHE_DIR: (cache ??= temp()), ...extra },
  });
  const invoke = ['invoke', '--uuid', HELLO_WORLD, '--cmd', '0', '--param', 'value-inout:41,0', '--json'];

  for (const [name, extra, variant] of [
    ['the store fix (default)', {}, 'store-fix'],
    ['the library as installed', { TRUSTBOX_UNICORN: 'system' }, 'system'],
  ] as const) {
    it(`${name}: info names it and hello_world increments`, () => {
      const info = run(['info', '--json'], extra);
      expect(info.status).toBe(0);
      expect((JSON.parse(info.stdout) as { engine: { variant: string } }).engine.variant).toBe(variant);
      const r = run(invoke, extra);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ result: '0x00000000', params: [{ type: 'value', a: 42, b: 0 }] });
    });
  }

  it('a damaged cached copy falls back to the installed library and says why', () => {
    const cache = temp();
    const made = storeFixedCopy(system!, { TRUSTBOX_CACHE_DIR: cache });
    if ('refused' in made) throw new Error(made.refused);
    writeFileSync(made.path, 'not a shared object any more');
    const env = { TRUSTBOX_CACHE_DIR: cache };
    const r = spawnSync(process.execPath, [BIN, ...invoke], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, FORCE_COLOR: '0', ...env } });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ result: '0x00000000', params: [{ type: 'value', a: 42, b: 0 }] });
    const info = spawnSync(process.execPath, [BIN, 'info', '--json'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
    const engine = (JSON.parse(info.stdout) as { engine: { variant: string; note: string } }).engine;
    expect(engine.variant).toBe('system');
    expect(engine.note).toContain('does not load');
  });

  it('a missing TRUSTBOX_UNICORN file is a clear error', () => {
    const r = run(invoke, { TRUSTBOX_UNICORN: '/nonexistent/libunicorn.so.2' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('cannot load TRUSTBOX_UNICORN=/nonexistent/libunicorn.so.2');
  });
});
