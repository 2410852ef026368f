/**
 * `trustbox oe sdk` (emulator/cli/oe/sdk.ts) and `trustbox oe build` (build.ts): the installed
 * layout, Debian's pkg-config answering the queries OE's sample Makefiles make, an enclave
 * compiled and linked with nothing but those flags, and an application with mbedtls inside its
 * enclave (mbedtls_src/ built, openssl_src/ not; a top-level common/).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, scanApp, sourcesUnder } from '../../emulator/cli/oe/build.js';
import { runEdger8r } from '../../emulator/cli/oe/edger8r-command.js';
import { readOeInfo, signEnclave } from '../../emulator/cli/oe/oesign.js';
import { installSdk } from '../../emulator/cli/oe/sdk.js';
import { parseTaContainer } from '../../emulator/tee/loader/container.js';
import { parseElf } from '../../emulator/tee/loader/elf.js';
import { startServer, type TestServer } from '../api/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The C pieces the SDK installs, rebuilt when their sources changed (no-ops otherwise). */
function makeRuntimes(): void {
  for (const dir of ['libteec', 'oe/host', 'oe/enclave', 'firmware/ta-devkit/lib']) execFileSync('make', ['-s', '-C', join(ROOT, dir)], { stdio: 'ignore' });
}
const work = mkdtempSync(join(tmpdir(), 'trustbox-oesdk-'));
const prefix = join(work, 'sdk');
const HELLO = join(ROOT, 'test/fixtures/oe-host/hello');
const DIGEST = join(ROOT, 'test/fixtures/oe-host/digest');
const COUNTER = join(ROOT, 'test/fixtures/oe-host/counter');
/** The enclave the pkg-config test signs (ENCLAVE.signed, as OE's sample Makefiles name it). */
let signedByPc = '';

function pc(...args: string[]): string {
  return execFileSync('pkg-config', args, { encoding: 'utf8', env: { ...process.env, PKG_CONFIG_PATH: join(prefix, 'share/pkgconfig') } }).trim();
}

describe('oe sdk: the installed layout and pkg-config', () => {
  beforeAll(() => {
    makeRuntimes();
    execFileSync('sh', [join(ROOT, 'scripts/mbedtls.sh')], { stdio: 'ignore' });
    installSdk({ prefix });
  }, 600_000);

  it('installs headers, system EDLs, tools, libraries and four .pc files', () => {
    for (const f of [
      'include/openenclave/enclave.h', 'include/openenclave/host.h', 'include/openenclave/bits/result.h',
      'include/openenclave/edger8r/host.h', 'include/openenclave/corelibc/stdio.h', 'include/openenclave/edl/syscall.edl',
      'include/openenclave/edl/sgx/platform.edl', 'include/openenclave/optee/ta-devkit/tee_internal_api.h',
      'lib/openenclave/enclave/liboeenclave.a', 'lib/openenclave/enclave/liboelibc.a', 'lib/openenclave/enclave/libtrustbox_utee.a',
      'lib/openenclave/enclave/ta.lds', 'lib/openenclave/enclave/dyn_list', 'lib/openenclave/enclave/libmbedcrypto.a',
      'lib/openenclave/enclave/libmbedx509.a', 'lib/openenclave/enclave/libmbedtls.a', 'lib/openenclave/host/liboehost.a',
      'lib/openenclave/host/libteec.so.2', 'share/pkgconfig/oeenclave-gcc.pc', 'share/pkgconfig/oeenclave-g++.pc',
      'share/pkgconfig/oehost-gcc.pc', 'share/pkgconfig/oehost-g++.pc',
    ]) expect(existsSync(join(prefix, f)), f).toBe(true);
    for (const tool of ['oeedger8r', 'oesign']) {
      const file = join(prefix, 'bin', tool);
      expect(statSync(file).mode & 0o111).toBeTruthy();
      expect(readFileSync(file, 'utf8')).toContain(`${join(ROOT, 'bin/trustbox.js')}' oe ${tool === 'oesign' ? 'oesign' : 'edger8r'} "$@"`);
    }
  });

  it('mbedtls.sh is a quick no-op the second time, and its libraries need no OS', () => {
    const t0 = Date.now();
    expect(execFileSync('sh', [join(ROOT, 'scripts/mbedtls.sh')], { encoding: 'utf8' })).toMatch(/up to date/);
    expect(Date.now() - t0).toBeLessThan(5000);
    const config = readFileSync(join(ROOT, 'oe/build/mbedtls/include/mbedtls/config.h'), 'utf8');
    for (const off of ['MBEDTLS_NET_C', 'MBEDTLS_FS_IO', 'MBEDTLS_TIMING_C', 'MBEDTLS_HAVE_TIME']) {
      expect(config).toMatch(new RegExp(`^//#define ${off}\\b`, 'm'));
    }
    expect(config).toMatch(/^#define MBEDTLS_ENTROPY_HARDWARE_ALT\b/m);
    const undef = execFileSync('aarch64-linux-gnu-nm', ['-u', join(prefix, 'lib/openenclave/enclave/libmbedcrypto.a')], { encoding: 'utf8' });
    for (const os of ['socket', 'fopen', 'time', 'gettimeofday']) expect(undef).not.toMatch(new RegExp(`\\bU ${os}$`, 'm'));
    expect(undef).toMatch(/\bU oe_random$/m);
  });

  it('answers the variables OE sample Makefiles query, relative to the .pc file', () => {
    expect(resolve(pc('oeenclave-gcc', '--variable=includedir'))).toBe(`${prefix}/include`);
    expect(resolve(pc('oehost-gcc', '--variable=libdir'))).toBe(`${prefix}/lib`);
    expect(pc('oeenclave-gcc', '--variable=mbedtlslibs')).toMatch(/-lmbedtls -lmbedx509 -lmbedcrypto/);
    expect(pc('oeenclave-g++', '--variable=mbedtlslibs')).toContain('-loecryptombedtls');
    expect(pc('oeenclave-gcc', '--cflags')).toContain(`-I${prefix}/share/pkgconfig/../../include/openenclave/corelibc`);
    expect(pc('oeenclave-gcc', '--libs')).toMatch(/-pie .*ta\.lds.*-loeenclave/);
    expect(pc('oehost-gcc', '--libs')).toMatch(/-loehost -lteec/);
  });

  it('an enclave compiled and linked with only the pkg-config flags signs into a TA', () => {
    const out = join(work, 'pc');
    mkdirSync(out, { recursive: true });
    const include = pc('oeenclave-gcc', '--variable=includedir');
    expect(runEdger8r([join(HELLO, 'hello.edl')], {
      trusted: true, trustedDir: out, searchPath: [include, join(include, 'openenclave/edl/sgx')],
    }, () => {}, () => {})).toBe(0);
    const cflags = pc('oeenclave-gcc', '--cflags').split(/\s+/);
    const libs = pc('oeenclave-gcc', '--libs').split(/\s+/);
    const crypto = pc('oeenclave-gcc', '--variable=mbedtlslibs').split(/\s+/);
    execFileSync('aarch64-linux-gnu-gcc', [...cflags, `-I${out}`, '-c', join(HELLO, 'enclave/enc.c'), '-o', join(out, 'enc.o')]);
    execFileSync('aarch64-linux-gnu-gcc', [...cflags, `-I${out}`, '-c', join(out, 'hello_t.c'), '-o', join(out, 'hello_t.o')]);
    execFileSync('aarch64-linux-gnu-gcc', ['-o', join(out, 'enclave'), join(out, 'enc.o'), join(out, 'hello_t.o'), ...libs, ...crypto]);
    const r = signEnclave({ enclave: join(out, 'enclave'), conf: join(HELLO, 'enclave/hello.conf') });
    signedByPc = r.out;
    const info = readOeInfo(parseElf(parseTaContainer(readFileSync(r.out)).payload));
    expect(info).toMatchObject({ productId: 7, securityVersion: 3, debug: 1 });
  });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('oe build: an application with mbedtls inside its enclave', () => {
  let server: TestServer;
  const out = join(work, 'digest');
  beforeAll(async () => {
    server = await startServer();
  }, 60_000);
  afterAll(async () => server?.stop());

  it('finds the parts: mbedtls_src is built, openssl_src is not, common/ is shared', () => {
    const layout = scanApp(DIGEST);
    expect(layout.enclaves).toEqual([join(DIGEST, 'enclave')]);
    expect(layout.common).toBe(join(DIGEST, 'common'));
    expect(sourcesUnder(join(DIGEST, 'enclave')).map((f) => f.slice(DIGEST.length + 1))).toEqual(['enclave/enc.c', 'enclave/mbedtls_src/crypto.c']);
  });

  it('builds, runs, and the enclave\'s SHA-256 and random bytes come from mbedtls', async () => {
    const lines: string[] = [];
    const r = buildApp({ app: DIGEST, out, log: (l) => lines.push(l) });
    expect(lines.some((l) => /\[enclave\] oesign enclave\/digest\.conf development key/.test(l))).toBe(true);
    const child = spawn(r.host!, [r.enclaves[0].ta, 'trustbox'], { env: { ...process.env, TRUSTBOX_STATE: server.stateDir } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    await new Promise((res) => child.on('close', res));
    expect(stdout).toContain(`sha256 ${createHash('sha256').update('trustbox').digest('hex')}\n`);
    expect(stdout).toMatch(/random [0-9a-f]{32}\n/);
  }, 240_000);

  it('a host built with only the oehost-gcc flags runs the pkg-config-built enclave.signed', async () => {
    const out = join(work, 'pc');
    const include = pc('oehost-gcc', '--variable=includedir');
    expect(runEdger8r([join(HELLO, 'hello.edl')], {
      untrusted: true, untrustedDir: out, searchPath: [include, join(include, 'openenclave/edl/sgx')],
    }, () => {}, () => {})).toBe(0);
    const host = join(out, 'hello_host');
    execFileSync('gcc', ['-O2', ...pc('oehost-gcc', '--cflags').split(/\s+/), `-I${out}`, join(HELLO, 'host/host.c'), join(out, 'hello_u.c'),
      '-o', host, ...pc('oehost-gcc', '--libs').split(/\s+/)]);
    const child = spawn(host, [signedByPc], { env: { ...process.env, TRUSTBOX_STATE: server.stateDir } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    await new Promise((res) => child.on('close', res));
    expect(stdout).toMatch(/^create: OE_OK\nadd: OE_OK 42\nenclave: hello, world\nhost: enclave: an ocall reached the host\n/);
  }, 120_000);

  it('builds a C++ enclave (static constructor, new/delete) and a C++ host', async () => {
    const r = buildApp({ app: COUNTER, out: join(work, 'counter') });
    const child = spawn(r.host!, [r.enclaves[0].ta], { env: { ...process.env, TRUSTBOX_STATE: server.stateDir } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    await new Promise((res) => child.on('close', res));
    expect(stdout).toBe('constructed 1, counter 105 then 112\n');
  }, 240_000);

  it('names a bad --key and an app without an EDL', () => {
    expect(() => buildApp({ app: DIGEST, out, keys: { nope: 'k.pem' } })).toThrow(/has no enclave folder nope/);
    expect(() => buildApp({ app: join(DIGEST, 'common'), out })).toThrow(/no \.edl file/);
  });
});
