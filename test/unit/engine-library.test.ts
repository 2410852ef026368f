/**
 * The engine library: the store fix applied to Debian's libunicorn 2.0.1 (store-fix.ts), its
 * refusals, its private cache (engine-cache.ts) and the attacks on it, and both libraries
 * running a TA through the CLI.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync,
  rmSync, symlinkSync, truncateSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyStoreFix, findSystemLibrary } from '../../emulator/cpu/library.js';
import { verifiedStoreFixedCopy } from '../../emulator/cpu/engine-cache.js';
import { HELLO_WORLD } from '../helpers/device.js';

const system = findSystemLibrary();
const original = system ? readFileSync(system) : Buffer.alloc(0);
const temps: string[] = [];
/** Giving a file to another user (chown) takes root: those checks run only as root. */
const asRoot = process.getuid?.() === 0;
const temp = () => { const d = mkdtempSync(join(tmpdir(), 'trustbox-lib-')); temps.push(d); return d; };
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

describe('the store fix', () => {
  it('rewrites exactly one 49-byte block of the installed library, keeping the permission test', () => {
    expect(system).toBeDefined();
    const fixed = applyStoreFix(original);
    if ('refused' in fixed) throw new Error(fixed.refused);
    expect(fixed.bytes.length).toBe(original.length);
    expect(fixed.length).toBe(49);
    const changed: number[] = [];
    for (let i = 0; i < original.length; i++) if (original[i] !== fixed.bytes[i]) changed.push(i);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((i) => i >= fixed.offset && i < fixed.offset + fixed.length)).toBe(true);
    const block = fixed.bytes.subarray(fixed.offset, fixed.offset + fixed.length);
    // testb $0x2,0x88(%rdi): MemoryRegion.perms & UC_PROT_WRITE, the offset the store helper uses
    expect(block.includes(Buffer.from([0xf6, 0x87, 0x88, 0x00, 0x00, 0x00, 0x02]))).toBe(true);
    // the TLB_NOTDIRTY instruction stays, now behind that test
    expect(block.includes(Buffer.from([0x49, 0x81, 0xc8, 0x00, 0x01, 0x00, 0x00]))).toBe(true);
  });

  it('refuses a library it has already fixed, or one with the instruction twice', () => {
    const fixed = applyStoreFix(original);
    if ('refused' in fixed) throw new Error(fixed.refused);
    expect(applyStoreFix(fixed.bytes)).toEqual({ refused: expect.stringContaining('not where 2.0.1 has it') });
    const twice = Buffer.from(original);
    const or = fixed.offset + 16;
    original.copy(twice, or + 64, or, or + 7);
    expect(applyStoreFix(twice)).toEqual({ refused: expect.stringContaining('found 2') });
  });

  it('refuses a block whose jumps do not all lead to the same place', () => {
    const fixed = applyStoreFix(original);
    if ('refused' in fixed) throw new Error(fixed.refused);
    const moved = Buffer.from(original);
    moved.writeInt32LE(moved.readInt32LE(fixed.offset + 7) + 1, fixed.offset + 7);
    expect(applyStoreFix(moved)).toEqual({ refused: expect.stringContaining('not where 2.0.1 has it') });
  });

  it('refuses files that are not an x86-64 ELF library, naming the reason', () => {
    expect(applyStoreFix(Buffer.from('not a library at all, just text that is long enough to be read as a header'))).toEqual({ refused: 'not an ELF file' });
    const aarch64 = readFileSync(join(process.cwd(), 'firmware/normal/build/normal.elf'));
    expect(applyStoreFix(aarch64)).toEqual({ refused: expect.stringContaining('not an x86-64 library') });
  });
});

describe('the private cache', () => {
  const expected = () => { const f = applyStoreFix(original); if ('refused' in f) throw new Error(f.refused); return f.bytes; };
  const made = (root: string) => {
    const copy = verifiedStoreFixedCopy(system!, root);
    if ('refused' in copy) throw new Error(copy.refused);
    copy.release();
    return copy;
  };

  it('makes the copy once, 0700 directory and 0600 file, pinned by SHA-256 in a manifest', () => {
    const root = join(temp(), 'cache');
    const first = made(root);
    expect(first.path.startsWith(join(root, 'unicorn'))).toBe(true);
    expect(lstatSync(join(root, 'unicorn')).mode & 0o777).toBe(0o700);
    expect(lstatSync(first.path).mode & 0o777).toBe(0o600);
    const manifest = JSON.parse(readFileSync(`${first.path}.json`, 'utf8'));
    expect(manifest.patched.sha256).toBe(first.sha256);
    expect(manifest.source.sha256).toBe(first.sourceSha256);
    const again = made(root);
    expect(again.repaired).toBeUndefined();
    expect(again.path).toBe(first.path);
  });

  for (const [name, damage] of [
    ['another shared object under the cache name', (p: string) => copyFileSync('/usr/lib/x86_64-linux-gnu/libz.so.1', p)],
    ['a truncated copy', (p: string) => truncateSync(p, 4096)],
    ['a copy with one byte changed', (p: string) => { const b = readFileSync(p); b[b.length >> 1] ^= 1; writeFileSync(p, b); }],
    ['a copy whose patched block was changed (the permission test skipped)', (p: string) => {
      const f = applyStoreFix(original);
      if ('refused' in f) throw new Error(f.refused);
      const b = readFileSync(p);
      b[f.offset + 29] = 0xeb; // jne END -> jmp END: every page on the fast path again
      writeFileSync(p, b);
    }],
    ['a symbolic link to another file', (p: string) => { rmSync(p); symlinkSync('/usr/lib/x86_64-linux-gnu/libz.so.1', p); }],
  ] as const) {
    it(`rebuilds ${name}, never hands it out`, () => {
      const root = temp();
      const first = made(root);
      damage(first.path);
      const copy = made(root);
      expect(copy.repaired).toContain('rebuilt');
      expect(lstatSync(copy.path).isSymbolicLink()).toBe(false);
      expect(readFileSync(copy.path).equals(expected())).toBe(true);
    });
  }

  it('rebuilds when the manifest does not match', () => {
    const root = temp();
    const first = made(root);
    writeFileSync(`${first.path}.json`, '{"patch":"something else"}');
    expect(made(root).repaired).toContain('manifest');
  });

  it('moves aside a world-writable or foreign cache directory, or a symlink in its place', () => {
    const root = temp();
    made(root);
    chmodSync(join(root, 'unicorn'), 0o777);
    expect(made(root).repaired).toContain('mode 777');
    rmSync(join(root, 'unicorn'), { recursive: true });
    const elsewhere = temp();
    symlinkSync(elsewhere, join(root, 'unicorn'));
    expect(made(root).repaired).toContain('symbolic link');
    expect(lstatSync(join(root, 'unicorn')).isDirectory()).toBe(true);
    if (asRoot) {
      chownSync(join(root, 'unicorn'), 65534, 65534);
      expect(made(root).repaired).toContain('owned by uid 65534');
    }
    chmodSync(join(root, 'unicorn'), 0o755);
    expect(made(root).repaired).toContain('mode set to 700');
    expect(lstatSync(join(root, 'unicorn')).mode & 0o777).toBe(0o700);
  });

  it('refuses a cache root that is not private to this user', () => {
    const root = temp();
    chmodSync(root, 0o777);
    expect(verifiedStoreFixedCopy(system!, root)).toEqual({ refused: expect.stringContaining('writable by other users') });
    chmodSync(root, 0o700);
    if (asRoot) {
      chownSync(root, 65534, 65534);
      expect(verifiedStoreFixedCopy(system!, root)).toEqual({ refused: expect.stringContaining('owned by uid 65534') });
    }
    const link = join(temp(), 'link');
    symlinkSync(temp(), link);
    expect(verifiedStoreFixedCopy(system!, link)).toEqual({ refused: expect.stringContaining('symbolic link') });
  });
});

/**
 * A planted library: its constructor runs as soon as anything loads it, and leaves a marker.
 * Tests plant it under every name the cache holds (so they do not depend on its naming).
 */
function evilLibrary(): { path: string; marker: string } {
  const dir = temp();
  const marker = join(dir, 'LOADED');
  writeFileSync(join(dir, 'evil.c'), `#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void pwn(void) { close(open("${marker}", O_CREAT | O_WRONLY, 0600)); }\n`);
  const r = spawnSync('gcc', ['-shared', '-fPIC', '-o', join(dir, 'evil.so'), join(dir, 'evil.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc: ${r.stderr}`);
  return { path: join(dir, 'evil.so'), marker };
}

function plantEverywhere(dir: string, evil: string): number {
  let planted = 0;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.so.2')) continue;
    rmSync(join(dir, f), { force: true });
    copyFileSync(evil, join(dir, f));
    planted++;
  }
  return planted;
}

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

  const cli = (args: string[], cacheDir: string) => spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, FORCE_COLOR: '0', TRUSTBOX_CACHE_DIR: cacheDir, TRUSTBOX_UNICORN: '' },
  });
  const engineOf = (cacheDir: string) => {
    const info = cli(['info', '--json'], cacheDir);
    expect(info.status).toBe(0);
    return (JSON.parse(info.stdout) as { engine: { variant: string; path: string; note?: string; repaired?: string } }).engine;
  };

  for (const [attack, prepare] of [
    ['a library planted under the cache name', (root: string) => join(root, 'unicorn')],
    ['a library planted in a world-writable cache directory', (root: string) => { chmodSync(join(root, 'unicorn'), 0o777); return join(root, 'unicorn'); }],
    ['a symlink to a directory of planted libraries in place of the cache directory', (root: string) => {
      const elsewhere = temp();
      for (const f of readdirSync(join(root, 'unicorn'))) copyFileSync(join(root, 'unicorn', f), join(elsewhere, f));
      rmSync(join(root, 'unicorn'), { recursive: true });
      symlinkSync(elsewhere, join(root, 'unicorn'));
      return elsewhere;
    }],
  ] as const) {
    it(`${attack} is never loaded: the copy is rebuilt and info says so`, () => {
      const evil = evilLibrary();
      const root = temp();
      expect(engineOf(root).variant).toBe('store-fix'); // populate the cache
      expect(plantEverywhere(prepare(root), evil.path)).toBeGreaterThan(0);
      const engine = engineOf(root);
      expect(existsSync(evil.marker)).toBe(false);
      expect(engine.variant).toBe('store-fix');
      expect(engine.repaired).toBeTruthy();
      const r = cli(invoke, root);
      expect(existsSync(evil.marker)).toBe(false);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ result: '0x00000000', params: [{ type: 'value', a: 42, b: 0 }] });
    });
  }

  it.skipIf(!asRoot)('a cache root owned by another user is refused: the installed library runs, and info says why', () => {
    const evil = evilLibrary();
    const root = temp();
    expect(engineOf(root).variant).toBe('store-fix');
    plantEverywhere(join(root, 'unicorn'), evil.path);
    chownSync(root, 65534, 65534);
    chownSync(join(root, 'unicorn'), 65534, 65534);
    const engine = engineOf(root);
    expect(existsSync(evil.marker)).toBe(false);
    expect(engine.variant).toBe('system');
    expect(engine.note).toContain('owned by uid 65534');
    const text = cli(['info'], root);
    expect(text.stdout).toContain('libunicorn as installed');
    expect(existsSync(evil.marker)).toBe(false);
  });

  it('a missing TRUSTBOX_UNICORN file is a clear error', () => {
    const r = run(invoke, { TRUSTBOX_UNICORN: '/nonexistent/libunicorn.so.2' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('cannot load TRUSTBOX_UNICORN=/nonexistent/libunicorn.so.2');
  });
});
