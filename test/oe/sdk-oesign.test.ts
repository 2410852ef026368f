/**
 * oesign (emulator/cli/oe/oesign.ts): OE's .conf fields and their errors, the derived enclave
 * UUID, and what signing writes into .oeinfo and ta_head.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deriveEnclaveUuid, dumpEnclave, parseOeConf, readOeInfo, registerOesign, signEnclave } from '../../emulator/cli/oe/oesign.js';
import { buildApp } from '../../emulator/cli/oe/build.js';
import { parseTaContainer } from '../../emulator/tee/loader/container.js';
import { parseElf } from '../../emulator/tee/loader/elf.js';
import { readTaHead } from '../../emulator/tee/loader/load.js';
import { developmentSigningKey } from '../../emulator/tee/loader/signing-keys.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The C pieces the SDK installs, rebuilt when their sources changed (no-ops otherwise). */
function makeRuntimes(): void {
  for (const dir of ['libteec', 'oe/host', 'oe/enclave', 'firmware/ta-devkit/lib']) execFileSync('make', ['-s', '-C', join(ROOT, dir)], { stdio: 'ignore' });
}
const work = mkdtempSync(join(tmpdir(), 'trustbox-oesign-'));

describe('oesign .conf parsing', () => {
  it('reads the six fields, comments and blank lines', () => {
    expect(parseOeConf('# c\nDebug=1\n\nNumHeapPages = 1024\nNumStackPages=1024\nNumTCS=1\nProductID=1\nSecurityVersion=0x2\n'))
      .toEqual({ Debug: 1, NumHeapPages: 1024, NumStackPages: 1024, NumTCS: 1, ProductID: 1, SecurityVersion: 2 });
  });
  it.each([
    ['Bogus=1', /unknown setting "Bogus"/],
    ['Debug=1\nDebug=0', /enclave\.conf:2: Debug is set twice/],
    ['ProductID=-1', /must not be negative/],
    ['ProductID=65536', /above its maximum 65535/],
    ['NumTCS=1025', /above its maximum 1024/],
    ['Debug=2', /above its maximum 1/],
    ['Debug=yes', /must be an unsigned integer/],
    ['Debug', /expected NAME=VALUE/],
  ])('refuses %j', (text, error) => {
    expect(() => parseOeConf(text, 'enclave.conf')).toThrow(error);
  });
  it('accepts SGX-only settings with a note', () => {
    const notes: string[] = [];
    expect(parseOeConf('FamilyID=3\nDebug=0', 'a.conf', (l) => notes.push(l))).toEqual({ Debug: 0 });
    expect(notes[0]).toMatch(/a\.conf:1: FamilyID is an SGX setting/);
  });
});

describe('derived enclave UUIDs', () => {
  it('are version-5-style, stable, and differ by signer and by name', () => {
    const key = developmentSigningKey();
    const a = deriveEnclaveUuid(key, '/x/enclave_a.elf');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveEnclaveUuid(key, 'enclave_a')).toBe(a);
    expect(deriveEnclaveUuid(key, 'enclave_b')).not.toBe(a);
  });
});

describe('oesign sign on a built enclave', () => {
  let elf: string;
  beforeAll(() => {
    makeRuntimes();
    buildApp({ app: join(ROOT, 'test/fixtures/oe-host/hello'), out: join(work, 'out') });
    elf = join(work, 'out/.build/enclave/enclave');
  }, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes the conf into .oeinfo and one UUID into .oeinfo and ta_head', () => {
    const conf = join(work, 'e.conf');
    writeFileSync(conf, 'Debug=0\nProductID=9\nSecurityVersion=4\nNumHeapPages=32\nNumStackPages=8\nNumTCS=2\n');
    const r = signEnclave({ enclave: elf, conf });
    expect(r.out).toBe(`${elf}.signed`);
    const c = parseTaContainer(readFileSync(r.out));
    expect(c.bootstrap?.uuid).toBe(r.uuid);
    const image = parseElf(c.payload, 'signed');
    expect(readTaHead(image).uuid).toBe(r.uuid);
    const info = readOeInfo(image);
    expect(info).toMatchObject({ uuid: r.uuid, productId: 9, securityVersion: 4, debug: 0, numHeapPages: 32n, numStackPages: 8n, numTcs: 2n });
    expect(r.uuid).toBe(deriveEnclaveUuid(developmentSigningKey(), elf));
    expect(dumpEnclave(r.out)).toContain('product_id=9');
    // stripped: no .symtab left
    expect(image.sections.some((s) => s.name === '.symtab')).toBe(false);
  });

  it('signs with the given key, and the key changes the UUID', () => {
    const pem = join(work, 'k.pem');
    execFileSync('openssl', ['genrsa', '-out', pem, '-3', '3072'], { stdio: 'ignore' });
    const r = signEnclave({ enclave: elf, key: pem, out: join(work, 'k.signed') });
    expect(r.uuid).not.toBe(deriveEnclaveUuid(developmentSigningKey(), elf));
  });

  it('takes OE\'s command line: oesign sign -e -c -k [-o], oesign dump -e; errors exit 1 with one line', () => {
    const cli = () => {
      const program = new Command().exitOverride();
      const errors: string[] = [];
      program.configureOutput({ writeErr: (t) => errors.push(t), writeOut: () => {} });
      registerOesign(program);
      return { program, errors };
    };
    const conf = join(work, 'cli.conf');
    writeFileSync(conf, 'Debug=1\nProductID=2\n');
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      cli().program.parse(['oesign', 'sign', '-e', elf, '-c', conf, '-o', join(work, 'cli.signed')], { from: 'user' });
      cli().program.parse(['oesign', 'dump', '-e', join(work, 'cli.signed')], { from: 'user' });
      const printed = out.mock.calls.map((c) => String(c[0])).join('');
      expect(printed).toMatch(/^Created .*cli\.signed \(enclave [0-9a-f-]{36}\)\n/);
      expect(printed).toContain('product_id=2\n');
    } finally {
      out.mockRestore();
    }
    writeFileSync(conf, 'NumTCS=-1\n');
    const bad = cli();
    expect(() => bad.program.parse(['oesign', 'sign', '-e', elf, '-c', conf], { from: 'user' })).toThrow();
    expect(bad.errors.join('')).toMatch(/^error: .*cli\.conf:1: NumTCS must not be negative/);
  });

  it('refuses an ELF without .oeinfo and a file that is no ELF', () => {
    const notElf = join(work, 'x.bin');
    writeFileSync(notElf, 'hello');
    expect(() => signEnclave({ enclave: notElf })).toThrow(/not an ELF/);
    const ta = join(ROOT, 'firmware/ta/echo/out');
    const echoElf = execFileSync('sh', ['-c', `ls ${ta}/*.stripped.elf 2>/dev/null | head -n1`], { encoding: 'utf8' }).trim();
    if (echoElf) expect(() => signEnclave({ enclave: echoElf, out: join(work, 'e.signed') })).toThrow(/no \.oeinfo section/);
  });
});
