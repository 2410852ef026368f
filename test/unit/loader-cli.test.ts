import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerTaCommands, inspectTa } from '../../emulator/cli/ta-commands.js';
import { verifyTaContainer } from '../../emulator/tee/loader/container.js';
import { developmentKeys } from '../../emulator/tee/loader/signing-keys.js';
import { BUILD_DIR, ensureFixtures, fixture, LIB_UUID, MAIN_UUID, SIMPLE_UUID } from './loader-fixtures.js';

function program(): { run: (...args: string[]) => void; out: () => string } {
  let out = '';
  const p = new Command().exitOverride().configureOutput({ writeErr: (s) => (out += s), writeOut: (s) => (out += s) });
  registerTaCommands(p);
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  return { run: (...args) => p.parse(args, { from: 'user' }), out: () => out };
}

describe('trustbox ta', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ta-cli-'));
  beforeAll(ensureFixtures);
  afterEach(() => vi.restoreAllMocks());

  it('signs with the development key, taking the UUID from ta_head', () => {
    const out = join(dir, 'simple.ta');
    const cli = program();
    cli.run('ta', 'sign', '--in', join(BUILD_DIR, 'simple.elf'), '--out', out, '--ta-version', '3', '--algo', 'pkcs1');
    const v = verifyTaContainer(new Uint8Array(readFileSync(out)), developmentKeys());
    expect(v.signer).toBe('trustbox-dev');
    expect(v.container.bootstrap).toEqual({ uuid: SIMPLE_UUID, taVersion: 3 });
    expect(cli.out()).toMatch(/signed 11223344/);
  });

  it('inspects a container: header, signer, flags, properties and segments', () => {
    const out = join(dir, 'ta.ta');
    program().run('ta', 'sign', '--in', join(BUILD_DIR, 'ta.elf'), '--out', out);
    const cli = program();
    cli.run('ta', 'inspect', out);
    expect(cli.out()).toMatch(/BOOTSTRAP_TA, TEE_ALG_RSASSA_PKCS1_PSS_MGF1_SHA256/);
    expect(cli.out()).toMatch(/signer: +trustbox-dev/);
    expect(cli.out()).toMatch(/SINGLE_INSTANCE \| MULTI_SESSION/);
    const r = inspectTa(new Uint8Array(readFileSync(out)), out);
    expect(r.taHead?.uuid).toBe(MAIN_UUID);
    expect(r.properties).toEqual([{ name: 'gpd.ta.description', type: 'STRING', value: 'loader fixture' }]);
    expect(r.segments.filter((s) => s.type === 'LOAD').map((s) => s.flags)).toEqual(['R-X', 'RW-']);
  });

  it('reports an untrusted signer after tampering', () => {
    const out = join(dir, 'bad.ta');
    program().run('ta', 'sign', '--in', join(BUILD_DIR, 'simple.elf'), '--out', out);
    const bytes = readFileSync(out);
    bytes[20 + 32 + 384 + 20 + 0x1080]! ^= 0xff; // a byte of .text
    writeFileSync(out, bytes);
    expect(inspectTa(new Uint8Array(bytes), out).container?.signer).toMatch(/untrusted \(hash mismatch/);
  });

  it('fails with one sentence and a non-zero exit', () => {
    const cli = program();
    expect(() => cli.run('ta', 'inspect', join(dir, 'missing.ta'))).toThrow(expect.objectContaining({ exitCode: 1 }));
    expect(cli.out()).toMatch(/error: cannot read .*missing\.ta/);
    const bad = join(dir, 'garbage.ta');
    writeFileSync(bad, fixture('simple').subarray(0, 10).reverse());
    expect(() => program().run('ta', 'inspect', bad)).toThrow(expect.objectContaining({ exitCode: 1 }));
  });
});

describe('trustbox ta with a library TA', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ta-cli-lib-'));
  beforeAll(ensureFixtures);
  afterEach(() => vi.restoreAllMocks());

  it('signs a library under its DT_SONAME UUID and shows no ta_head', () => {
    const out = join(dir, 'lib.ta');
    program().run('ta', 'sign', '--in', join(BUILD_DIR, `${LIB_UUID}.elf`), '--out', out);
    const r = inspectTa(new Uint8Array(readFileSync(out)), out);
    expect(r.container?.uuid).toBe(LIB_UUID);
    expect(r.soname).toBe(LIB_UUID);
    expect(r.taHead).toBeUndefined();
  });
});
