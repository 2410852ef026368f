/**
 * C++ enclaves: the cross compiler's libstdc++ headers over the enclave C library (corelibc and
 * corelibc/libstdc++), templates instantiated in the enclave, the OS-free out-of-line parts from
 * liboelibcxx.a. An application in OE's sample layout whose enclave uses std::string,
 * std::vector, std::map, std::unique_ptr, <algorithm>, <cstring> and the C library
 * (test/fixtures/oe-cxx) is built with `trustbox oe build` and run through its C host against a
 * served device; a std::string::at out of range aborts the enclave (no exceptions). The
 * standard headers an enclave may include are compiled with the SDK's flags.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuildResult } from '../../emulator/cli/oe/build.js';
import { cxxIncludeDirs, enclaveCxxflags } from '../../emulator/cli/oe/sdk.js';
import { startServer, type TestServer } from '../api/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CXX = 'aarch64-linux-gnu-g++';
const work = mkdtempSync(join(tmpdir(), 'trustbox-oecxx-'));

/** The C pieces the SDK installs, rebuilt when their sources changed (no-ops otherwise). */
function makeRuntimes(): void {
  for (const dir of ['libteec', 'oe/host', 'oe/enclave', 'firmware/ta-devkit/lib']) execFileSync('make', ['-s', '-C', join(ROOT, dir)], { stdio: 'ignore' });
}

function runHost(host: string, args: string[], env: Record<string, string>) {
  const child = spawn(host, args, { timeout: 60_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise<{ stdout: string; stderr: string; status: number | null }>((res) => {
    child.on('close', (status) => res({ stdout, stderr, status }));
  });
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('C++ standard library in enclaves: headers', () => {
  // What an enclave may include; <iostream>, <sstream>, <cmath>, <thread>, <regex> are not provided.
  const SUPPORTED = ['algorithm', 'array', 'atomic', 'bitset', 'cassert', 'cctype', 'cerrno', 'cinttypes', 'climits', 'cstdarg',
    'cstddef', 'cstdint', 'cstdio', 'cstdlib', 'cstring', 'ctime', 'deque', 'exception', 'forward_list', 'functional',
    'initializer_list', 'iterator', 'limits', 'list', 'map', 'memory', 'new', 'numeric', 'queue', 'ratio', 'set', 'stack',
    'stdexcept', 'string', 'system_error', 'tuple', 'type_traits', 'unordered_map', 'unordered_set', 'utility', 'vector',
    'limits.h', 'locale.h'];

  it('compiles each supported header with the oeenclave-g++ flags (C++11), and <string> brings the C string functions', () => {
    const gccInc = execFileSync('aarch64-linux-gnu-gcc', ['-print-file-name=include'], { encoding: 'utf8' }).trim();
    const dirs = cxxIncludeDirs(CXX);
    expect(dirs.some((d) => /c\+\+\/\d+$/.test(d))).toBe(true);
    const flags = enclaveCxxflags(gccInc, dirs, join(ROOT, 'oe', 'include')).flatMap((f) => f.split(' '));
    const src = join(work, 'headers.cpp');
    writeFileSync(src, `${SUPPORTED.map((h) => `#include <${h}>`).join('\n')}\n`
      + 'unsigned long f(const char *s) { std::string t(s); return strlen(s) + t.size() + INT_MAX; }\n');
    const r = spawnSync(CXX, ['-std=gnu++11', ...flags, '-fsyntax-only', src], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('C++ enclave built with trustbox oe build, run through a C host', () => {
  let server: TestServer;
  let built: BuildResult;
  beforeAll(async () => {
    makeRuntimes();
    built = buildApp({ app: join(ROOT, 'test/fixtures/oe-cxx'), out: join(work, 'out') });
    server = await startServer();
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('std::string, std::vector, std::map, virtual calls, a static constructor and the C library work; at() out of range aborts', async () => {
    const r = await runHost(built.host!, [built.enclaves[0].ta], { TRUSTBOX_STATE: server.stateDir });
    expect(r.stdout.split('\n')).toEqual([
      'create: OE_OK',
      'enclave: 4 words, longest 6',
      'sort: OE_OK 4 apple,banana,fig,pear',
      'runtime: OE_OK 0 static=42 sides=7 map=a1b3c1',
      'libc: OE_OK sscanf=3:12,31,word strtod=exact INT_MAX=2147483647 LLONG_MIN=-9223372036854775808 tokens=3 locale=C '
        + 'fopen=NULL,ENOSYS date=2024-02-29 mktime=1709164800',
      'at: OE_ENCLAVE_ABORTED',
      '',
    ]);
    expect(r.status).toBe(0);
  }, 120_000);
});
